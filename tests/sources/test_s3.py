"""The S3 collector: each bucket's region from the listing when AWS names it, else from GetBucketLocation."""

from __future__ import annotations

from wasp.sources.aws.base import Scope
from wasp.sources.aws.s3 import _bucket, buckets
from wasp.sources.aws.session import AwsTarget


def _scope(aws: AwsTarget) -> Scope:
    return Scope(aws.account_id(), "us-east-1", aws)


def test_bucket_region_read_from_location_when_the_listing_omits_it(aws: AwsTarget) -> None:
    """moto's ListBuckets names no BucketRegion: the collector asks GetBucketLocation and gets eu-west-1."""
    aws.client("s3", "eu-west-1").create_bucket(
        Bucket="far-away", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    aws.client("s3").create_bucket(Bucket="close-by")
    found = {r.id: r.region for r in buckets(aws.client("s3"), _scope(aws))}
    assert found == {"far-away": "eu-west-1", "close-by": "us-east-1"}
    assert aws.calls["s3:GetBucketLocation"] == 2


def test_bucket_region_named_by_the_listing_spares_the_location_call(aws: AwsTarget) -> None:
    """A BucketRegion from a paginated ListBuckets is used as is, with no GetBucketLocation call."""
    aws.client("s3", "eu-west-1").create_bucket(
        Bucket="far-away", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    resource = _bucket(aws.client("s3"), _scope(aws), "far-away", "eu-west-1")
    assert resource.region == "eu-west-1"
    assert aws.calls["s3:GetBucketLocation"] == 0
    assert aws.calls["s3:GetBucketVersioning"] == 1
