"""Region names and endpoint URLs judged from botocore's local partition data, before any call."""

from __future__ import annotations

import pytest

from wasp.sources.aws.regions import RegionError, check_endpoint_url, check_region, did_you_mean, known_regions


def test_known_regions_cover_every_partition_without_global_pseudo_regions():
    """The commercial, China and GovCloud regions are known; `aws-global` is not a region a user names."""
    known = known_regions()
    assert {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"} <= known
    assert not any(r.endswith("-global") for r in known)
    assert "cn-north-1" not in known_regions("aws")


def test_a_typo_gets_the_closest_region_and_nonsense_gets_none():
    """A one-letter slip names the region meant; a name close to nothing suggests nothing."""
    assert did_you_mean("us-eats-1") == " (did you mean us-east-1?)"
    assert did_you_mean("zzzz") == ""


def test_unknown_but_well_formed_region_is_left_to_aws_unless_emulated():
    """A well-formed unknown name may be newer than botocore: accepted for AWS, refused for an emulator."""
    check_region("us-eats-1")
    with pytest.raises(RegionError, match="did you mean us-east-1"):
        check_region("us-eats-1", emulated=True)
    for bad in ("", "us-east-1a", "US-EAST-1", "us_east_1"):
        with pytest.raises(RegionError, match="not a region name"):
            check_region(bad)


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "https://s3.example.com", "http://[::1]:4566/",
                                 "http://localhost:4566"])
def test_endpoint_urls_botocore_accepts_pass(url):
    """http(s) URLs with a host (names, IPv4, bracketed IPv6) and a valid port are endpoints."""
    check_endpoint_url(url)


@pytest.mark.parametrize("url", ["", "localhost:4566", "ftp://host/", "http://", "http://h:0", "http://h:70000",
                                 "http://[::1", "http://a b"])
def test_endpoint_urls_that_are_not_are_refused(url):
    """No scheme, another scheme, no host, a bad port or a broken host is one RegionError."""
    with pytest.raises(RegionError, match="--endpoint-url"):
        check_endpoint_url(url)
