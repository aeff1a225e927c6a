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


def test_enabled_regions_are_accepted_without_botocores_region_list(aws: AwsTarget,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Regions the account lists as enabled are returned as asked, and the endpoint model is not loaded."""
    asked = _spy_available(aws, monkeypatch)
    assert resolve_regions(aws, ["eu-west-1", " us-east-1 "]) == ["eu-west-1", "us-east-1"]
    assert asked == []


def test_unknown_region_is_a_one_line_input_error(aws: AwsTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name neither enabled nor known to botocore is refused, after botocore's list was consulted."""
    asked = _spy_available(aws, monkeypatch)
    with pytest.raises(AwsInputError, match=r"unknown region: mars-north-1$"):
        resolve_regions(aws, ["us-east-1", "mars-north-1"])
    assert asked == ["ec2"]


def test_no_regions_asked_means_every_enabled_region(aws: AwsTarget) -> None:
    """Without --regions the scan covers what DescribeRegions lists, sorted."""
    regions = resolve_regions(aws, None)
    assert "us-east-1" in regions and regions == sorted(regions) and len(regions) > 10
