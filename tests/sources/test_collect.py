"""Region resolution: asked-for regions are validated, cheaply when the account has them enabled."""

from __future__ import annotations

import pytest

from wasp.sources.aws.collect import resolve_regions
from wasp.sources.aws.session import AwsInputError, AwsTarget


def _spy_available(aws: AwsTarget, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []
    real = aws.session.get_available_regions

    def spy(service: str, *args, **kwargs):
        asked.append(service)
        return real(service, *args, **kwargs)

    monkeypatch.setattr(aws.session, "get_available_regions", spy)
    return asked


def test_regions_botocore_knows_are_accepted_without_a_call(aws: AwsTarget,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Names in botocore's partition list are returned as asked: no API call, no endpoint model load."""
    asked = _spy_available(aws, monkeypatch)
    assert resolve_regions(aws, ["eu-west-1", " us-east-1 "]) == ["eu-west-1", "us-east-1"]
    assert asked == [] and sum(aws.calls.values()) == 0


def test_a_region_newer_than_botocore_is_accepted_when_the_account_has_it(aws: AwsTarget,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A name missing from botocore's partition list is still accepted if DescribeRegions lists it."""
    monkeypatch.setattr("wasp.sources.aws.collect._partition_regions", lambda target: {"us-east-1"})
    asked = _spy_available(aws, monkeypatch)
    assert resolve_regions(aws, ["eu-west-1"]) == ["eu-west-1"]
    assert aws.calls["ec2:DescribeRegions"] == 1 and asked == []


def test_unknown_region_is_a_one_line_input_error(aws: AwsTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name neither enabled nor known to botocore is refused, after every list was consulted."""
    asked = _spy_available(aws, monkeypatch)
    with pytest.raises(AwsInputError, match=r"unknown region: mars-north-1$"):
        resolve_regions(aws, ["us-east-1", "mars-north-1"])
    assert asked == ["ec2"]


def test_a_region_of_another_partition_is_not_taken_on_botocores_word(aws: AwsTarget) -> None:
    """cn-north-1 is in botocore's data but not in this target's aws partition: the account's list decides.

    moto lists every region it models as enabled, China included, so here it is accepted after the call;
    on AWS a commercial account does not list it and the name is refused as unknown.
    """
    assert resolve_regions(aws, ["cn-north-1"]) == ["cn-north-1"]
    assert aws.calls["ec2:DescribeRegions"] == 1


def test_no_regions_asked_means_every_enabled_region(aws: AwsTarget) -> None:
    """Without --regions the scan covers what DescribeRegions lists, sorted."""
    regions = resolve_regions(aws, None)
    assert "us-east-1" in regions and regions == sorted(regions) and len(regions) > 10


def test_collectors_that_read_per_resource_start_first(aws: AwsTarget) -> None:
    """Fan-out collectors (a read per bucket, per instance) are submitted before the one-listing ones."""
    from wasp.sources.aws import collect as collect_module

    started: list[str] = []
    real = collect_module._run

    def record(col, scope):  # type: ignore[no-untyped-def]
        started.append(col.name)
        return real(col, scope)

    collect_module._run = record
    try:
        collect_module.collect(aws, ["us-east-1"], services=["ec2", "s3"], workers=1)
    finally:
        collect_module._run = real
    fan_out = [c.name for svc in collect_module._select(["ec2", "s3"]) for c in svc if c.fan_out]
    assert sorted(fan_out) == ["access_points", "buckets", "directory_buckets", "instances",
                               "multi_region_access_points"]
    assert sorted(started[:len(fan_out)]) == sorted(fan_out) and len(started) > len(fan_out)
