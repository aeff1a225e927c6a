"""The S3 collector: bucket regions with as few reads as the endpoint allows, and no reads AWS rules out."""

from __future__ import annotations

from wasp.model import Unknown
from wasp.sources.aws.base import Scope
from wasp.sources.aws.s3 import Placement, _bucket, buckets
from wasp.sources.aws.session import AwsTarget


def _scope(aws: AwsTarget) -> Scope:
    return Scope(aws.account_id(), "us-east-1", aws)


def _far_and_near(aws: AwsTarget, far: int, near: int) -> None:
    for i in range(far):
        aws.client("s3", "eu-west-1").create_bucket(
            Bucket=f"far-away-{i}", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    for i in range(near):
        aws.client("s3").create_bucket(Bucket=f"close-by-{i}")


def test_bucket_region_read_from_location_when_the_listing_omits_it(aws: AwsTarget) -> None:
    """moto's ListBuckets names no BucketRegion: for two buckets the collector asks GetBucketLocation each."""
    _far_and_near(aws, 1, 1)
    found = {r.id: r.region for r in buckets(aws.client("s3"), _scope(aws))}
    assert found == {"far-away-0": "eu-west-1", "close-by-0": "us-east-1"}
    assert aws.calls["s3:GetBucketLocation"] == 2


def test_region_filtered_listings_place_buckets_of_scanned_regions(aws: AwsTarget) -> None:
    """With many unplaced buckets, one filtered listing per scanned region places them; the rest use location."""
    _far_and_near(aws, 2, 4)
    scope = Scope(aws.account_id(), "us-east-1", aws, regions=("us-east-1", "ap-south-1"))
    found = {r.id: r.region for r in buckets(aws.client("s3"), scope)}
    assert found == {**{f"far-away-{i}": "eu-west-1" for i in range(2)},
                     **{f"close-by-{i}": "us-east-1" for i in range(4)}}
    assert aws.calls["s3:ListBuckets"] == 3  # the full listing, then us-east-1 and ap-south-1
    assert aws.calls["s3:GetBucketLocation"] == 2  # only the eu-west-1 buckets, outside the scanned regions


def test_an_endpoint_ignoring_the_region_filter_never_misplaces_a_bucket(aws: AwsTarget) -> None:
    """If every filtered listing returns every bucket, the answer is void and each bucket's location is read."""
    _far_and_near(aws, 2, 2)
    s3 = aws.client("s3")

    def drop_filter(params: dict, **_: object) -> None:  # an S3-compatible store without the filter
        params.pop("BucketRegion", None)

    s3.meta.events.register("provide-client-params.s3.ListBuckets", drop_filter)
    try:
        found = {r.id: r.region for r in buckets(s3, _scope(aws))}
    finally:
        s3.meta.events.unregister("provide-client-params.s3.ListBuckets", drop_filter)
    assert found == {"far-away-0": "eu-west-1", "far-away-1": "eu-west-1",
                     "close-by-0": "us-east-1", "close-by-1": "us-east-1"}
    assert aws.calls["s3:GetBucketLocation"] == 4


CRITICAL = {"TagSet": [{"Key": "Criticality", "Value": "high"}]}
SENSITIVE = {"TagSet": [{"Key": "DataClassification", "Value": "Confidential"}]}


def test_replication_read_only_for_critical_buckets_ever_versioned(aws: AwsTarget) -> None:
    """A never-versioned bucket cannot replicate (None, no read); a versioned one is read only if tagged critical."""
    s3 = aws.client("s3")
    for name in ("plain", "kept", "paused", "ordinary"):
        s3.create_bucket(Bucket=name)
        if name != "ordinary":
            s3.put_bucket_tagging(Bucket=name, Tagging=CRITICAL)
    for name in ("kept", "paused", "ordinary"):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="paused", VersioningConfiguration={"Status": "Suspended"})
    found = {r.id: r.properties for r in buckets(s3, _scope(aws))}
    assert found["plain"]["VersioningConfiguration"] is None and found["plain"]["ReplicationConfiguration"] is None
    assert found["paused"]["VersioningConfiguration"] == {"Status": "Suspended"}
    assert found["kept"]["ReplicationConfiguration"] is None  # read: no rule
    ordinary = found["ordinary"]["ReplicationConfiguration"]
    assert isinstance(ordinary, Unknown) and "not tagged critical" in ordinary.reason
    assert aws.calls["s3:GetBucketReplication"] == 2  # kept, paused


def test_encryption_read_only_for_buckets_tagged_sensitive(aws: AwsTarget) -> None:
    """Default encryption is judged only for sensitive buckets: read for them, Unknown with the reason for others."""
    s3 = aws.client("s3")
    for name in ("secret", "public-site", "untagged"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket="secret", Tagging=SENSITIVE)
    s3.put_bucket_tagging(Bucket="public-site", Tagging={"TagSet": [{"Key": "DataClassification", "Value": "public"}]})
    found = {r.id: r.properties["BucketEncryption"] for r in buckets(s3, _scope(aws))}
    assert not isinstance(found["secret"], Unknown)  # read (moto's new buckets answer "no configuration")
    for name in ("public-site", "untagged"):
        assert isinstance(found[name], Unknown) and "not tagged sensitive" in found[name].reason
    assert aws.calls["s3:GetBucketEncryption"] == 1


def test_settings_decide_which_buckets_are_sensitive(aws: AwsTarget) -> None:
    """The scan's Settings (tag key and values) choose the buckets whose encryption is read, as the check does."""
    from wasp.checks.context import Settings

    s3 = aws.client("s3")
    s3.create_bucket(Bucket="ledger")
    s3.put_bucket_tagging(Bucket="ledger", Tagging={"TagSet": [{"Key": "data-tier", "Value": "Tier1"}]})
    scope = Scope(aws.account_id(), "us-east-1", aws,
                  settings=Settings(classification_tag="data-tier", sensitive_values=("tier1",)))
    [ledger] = buckets(s3, scope)
    assert not isinstance(ledger.properties["BucketEncryption"], Unknown) and aws.calls["s3:GetBucketEncryption"] == 1


def test_bucket_region_named_by_the_listing_spares_the_location_call(aws: AwsTarget) -> None:
    """A BucketRegion from a paginated ListBuckets is used as is, with no GetBucketLocation call."""
    aws.client("s3", "eu-west-1").create_bucket(
        Bucket="far-away", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    resource = _bucket(aws.client("s3"), _scope(aws), "far-away",
                       placement=lambda: Placement(regions={"far-away": "eu-west-1"}))
    assert resource.region == "eu-west-1"
    assert aws.calls["s3:GetBucketLocation"] == 0
    assert aws.calls["s3:GetBucketVersioning"] == 1


def test_acls_disabled_spare_the_acl_read_and_object_lock_needs_versioning(aws):
    """Ownership controls are read for every bucket; a bucket with ACLs disabled (BucketOwnerEnforced) gets the
    owner-only ACL AWS guarantees without a GetBucketAcl; Object Lock is not read for unversioned buckets (AWS
    requires versioning Enabled for it) and is then known to be off."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="enforced")
    s3.put_bucket_ownership_controls(Bucket="enforced",
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.create_bucket(Bucket="classic", ACL="public-read")
    found = {r.id: r for r in buckets(s3, _scope(aws))}
    assert aws.calls["s3:GetBucketOwnershipControls"] == 2 and aws.calls["s3:GetObjectLockConfiguration"] == 0
    assert aws.calls["s3:GetBucketAcl"] == 1
    for bucket in found.values():
        assert bucket.properties["ObjectLockEnabled"] is False
    assert found["enforced"].properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    enforced = found["enforced"].properties["AclGrants"]
    assert [g["Permission"] for g in enforced] == ["FULL_CONTROL"] and "URI" not in enforced[0]["Grantee"]
    classic = found["classic"].properties["AclGrants"]
    assert any((g["Grantee"].get("URI") or "").endswith("/AllUsers") for g in classic)


def test_object_lock_read_only_for_versioned_retention_buckets(aws):
    """Object Lock is read for a versioned bucket tagged for retention, not for a versioned untagged one (Unknown
    naming why), and event notifications only for critical or sensitive buckets."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="vault", ObjectLockEnabledForBucket=True)
    s3.put_bucket_tagging(Bucket="vault", Tagging={"TagSet": [{"Key": "Retention", "Value": "7y"}]})
    s3.create_bucket(Bucket="scratch")
    s3.put_bucket_versioning(Bucket="scratch", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="ledger")
    s3.put_bucket_tagging(Bucket="ledger", Tagging={"TagSet": [{"Key": "Criticality", "Value": "critical"}]})
    found = {r.id: r for r in buckets(s3, _scope(aws))}
    assert aws.calls["s3:GetObjectLockConfiguration"] == 1
    assert found["vault"].properties["ObjectLockEnabled"] is True
    skipped = found["scratch"].properties["ObjectLockEnabled"]
    assert isinstance(skipped, Unknown) and "retention" in skipped.reason
    assert aws.calls["s3:GetBucketNotificationConfiguration"] == 1
    assert found["ledger"].properties["NotificationConfiguration"] is None
    assert "critical nor sensitive" in found["vault"].properties["NotificationConfiguration"].reason


def test_tags_of_buckets_come_from_one_tagging_api_listing_per_region(aws: AwsTarget) -> None:
    """Placed buckets get their tags (none for never-tagged ones) from GetResources, not one GetBucketTagging each."""
    _far_and_near(aws, 0, 3)
    s3 = aws.client("s3")
    s3.put_bucket_tagging(Bucket="close-by-0", Tagging={"TagSet": [{"Key": "data-class", "Value": "secret"}]})
    s3.put_bucket_tagging(Bucket="close-by-1", Tagging={"TagSet": [{"Key": "owner", "Value": "ops"}]})
    found = {r.id: (r.tags, r.observed.get("Tags")) for r in buckets(s3, _scope(aws))}
    assert found == {"close-by-0": ({"data-class": "secret"}, None), "close-by-1": ({"owner": "ops"}, None),
                     "close-by-2": ({}, None)}
    assert aws.calls["resourcegroupstaggingapi:GetResources"] == 1
    assert aws.calls["s3:GetBucketTagging"] == 0


def test_a_denied_tagging_api_falls_back_to_each_buckets_own_tags(aws: AwsTarget) -> None:
    """When GetResources fails, every bucket's tags are read with GetBucketTagging: none is taken as untagged."""
    _far_and_near(aws, 0, 3)
    s3 = aws.client("s3")
    s3.put_bucket_tagging(Bucket="close-by-2", Tagging={"TagSet": [{"Key": "data-class", "Value": "public"}]})
    tagging = aws.client("resourcegroupstaggingapi")

    def deny(**_: object) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "GetResources")

    tagging.meta.events.register("before-call.resource-groups-tagging-api.GetResources", deny)
    try:
        found = {r.id: r.tags for r in buckets(s3, _scope(aws))}
    finally:
        tagging.meta.events.unregister("before-call.resource-groups-tagging-api.GetResources", deny)
    assert found == {"close-by-0": {}, "close-by-1": {}, "close-by-2": {"data-class": "public"}}
    assert aws.calls["s3:GetBucketTagging"] == 3


def test_buckets_whose_tags_cannot_be_read_get_every_tag_gated_read(aws: AwsTarget) -> None:
    """Unreadable tags may hide a sensitive or critical bucket: its encryption and replication are read."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="opaque")
    s3.put_bucket_versioning(Bucket="opaque", VersioningConfiguration={"Status": "Enabled"})

    def deny(**_: object) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetBucketTagging")

    s3.meta.events.register("before-call.s3.GetBucketTagging", deny)
    try:
        [opaque] = buckets(s3, _scope(aws))
    finally:
        s3.meta.events.unregister("before-call.s3.GetBucketTagging", deny)
    assert isinstance(opaque.observed["Tags"], Unknown)
    # one bucket in one region: its own tag read beats a tagging-API listing, every lifecycle beats listing trails
    assert aws.calls["resourcegroupstaggingapi:GetResources"] == 0 and aws.calls["cloudtrail:DescribeTrails"] == 0
    assert opaque.properties["LifecycleConfiguration"] is None  # read: no rules
    assert not isinstance(opaque.properties["BucketEncryption"], Unknown)
    assert opaque.properties["ReplicationConfiguration"] is None  # read: no rule
    assert aws.calls["s3:GetBucketEncryption"] == 1 and aws.calls["s3:GetBucketReplication"] == 1


def test_lifecycle_read_for_critical_buckets_and_trail_destinations_only(aws: AwsTarget) -> None:
    """With more buckets than regions, lifecycle is read for critical buckets and trail buckets, not the others."""
    s3 = aws.client("s3")
    for name in ("trail-logs", "crown-jewels", "scratch"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket="crown-jewels", Tagging=CRITICAL)
    aws.client("cloudtrail").create_trail(Name="main", S3BucketName="trail-logs")
    found = {r.id: r.properties["LifecycleConfiguration"] for r in buckets(s3, _scope(aws))}
    assert found["trail-logs"] is None and found["crown-jewels"] is None  # read: no rules
    assert isinstance(found["scratch"], Unknown) and "trail's destination" in found["scratch"].reason
    assert aws.calls["s3:GetBucketLifecycleConfiguration"] == 2
    assert aws.calls["cloudtrail:DescribeTrails"] == 1


def test_unlisted_trails_mean_every_lifecycle_is_read(aws: AwsTarget) -> None:
    """If the trails cannot be listed, any bucket may be a trail's: every lifecycle is read."""
    s3 = aws.client("s3")
    for name in ("a-bucket", "b-bucket"):
        s3.create_bucket(Bucket=name)
    trail_client = aws.client("cloudtrail")

    def deny(**_: object) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "DescribeTrails")

    trail_client.meta.events.register("before-call.cloudtrail.DescribeTrails", deny)
    try:
        found = {r.id: r.properties["LifecycleConfiguration"] for r in buckets(s3, _scope(aws))}
    finally:
        trail_client.meta.events.unregister("before-call.cloudtrail.DescribeTrails", deny)
    assert found == {"a-bucket": None, "b-bucket": None}
    assert aws.calls["s3:GetBucketLifecycleConfiguration"] == 2


def test_the_scans_settings_reach_the_bucket_reads(aws: AwsTarget) -> None:
    """scan_live hands its Settings to the collectors: a bucket sensitive under them has its encryption read."""
    from wasp.checks.context import Settings
    from wasp.scan import scan_live

    s3 = aws.client("s3")
    s3.create_bucket(Bucket="ledger")
    s3.put_bucket_tagging(Bucket="ledger", Tagging={"TagSet": [{"Key": "data-tier", "Value": "Tier1"}]})
    settings = Settings(classification_tag="data-tier", sensitive_values=("tier1",))
    result = scan_live(aws, regions=["us-east-1"], services=["s3"], settings=settings,
                       check_ids=["s3_bucket_sensitive_kms_encryption"])
    assert aws.calls["s3:GetBucketEncryption"] == 1
    [finding] = [f for f in result.findings if f.resource.id == "ledger"]
    assert finding.status.value == "FAIL" and "Tier1" in finding.reason  # sensitive and not under a KMS key
