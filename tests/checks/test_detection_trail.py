"""CloudTrail checks through the live path: real collectors against the moto server."""

from __future__ import annotations

import json

from helpers import denying, live_scan, restricted_target
from wasp.demo import detection as build
from wasp.model import Status

SERVICES = ["cloudtrail", "s3", "logs"]


def finding(result, check_id, resource_id=None):
    hits = [f for f in result.findings if f.check_id == check_id and (resource_id is None or f.resource.id ==
                                                                        resource_id)]
    assert len(hits) == 1, [(f.check_id, f.resource.id) for f in result.findings]
    return hits[0]


def scan(aws, *checks):
    return live_scan(aws, checks=list(checks), services=SERVICES)


def test_multi_region_logging_trail_passes(aws):
    """A multi-region trail that is logging with default selectors passes the CIS 4.1 check."""
    build.trail(aws, "main", build.trail_bucket(aws))
    f = finding(scan(aws, "cloudtrail_multi_region_logging"), "cloudtrail_multi_region_logging")
    assert f.status is Status.PASS and "'main'" in f.reason


def test_no_trail_fails(aws):
    """An account without any trail fails the multi-region check."""
    f = finding(scan(aws, "cloudtrail_multi_region_logging"), "cloudtrail_multi_region_logging")
    assert f.status is Status.FAIL and "no CloudTrail trail" in f.reason


def test_single_region_or_stopped_trails_fail(aws):
    """Single-region and stopped trails do not qualify, and the reason names each."""
    bucket = build.trail_bucket(aws)
    build.trail(aws, "local", bucket, multi_region=False)
    build.trail(aws, "stopped", bucket, logging=False)
    f = finding(scan(aws, "cloudtrail_multi_region_logging"), "cloudtrail_multi_region_logging")
    assert f.status is Status.FAIL
    assert "'local' is single-region" in f.reason and "'stopped' is not logging" in f.reason


def test_write_only_management_events_fail(aws):
    """A trail recording only write management events fails (CIS wants read and write)."""
    build.trail(aws, "writes", build.trail_bucket(aws), selectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True, "DataResources": []}])
    f = finding(scan(aws, "cloudtrail_multi_region_logging"), "cloudtrail_multi_region_logging")
    assert f.status is Status.FAIL and "only write management events" in f.reason


def test_read_and_write_split_over_advanced_selectors_passes(aws):
    """Advanced selectors for management events (read and write in two selectors) satisfy the check."""
    build.trail(aws, "adv", build.trail_bucket(aws), advanced=[
        {"Name": "reads", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                             {"Field": "readOnly", "Equals": ["true"]}]},
        {"Name": "writes", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                              {"Field": "readOnly", "Equals": ["false"]}]}])
    f = finding(scan(aws, "cloudtrail_multi_region_logging"), "cloudtrail_multi_region_logging")
    assert f.status is Status.PASS


def test_log_validation_kms_and_cloudwatch(aws):
    """Validation, KMS and CloudWatch Logs delivery pass on a hardened trail and fail on a bare one."""
    bucket = build.trail_bucket(aws)
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    build.trail(aws, "hardened", bucket, kms_key=key, group_arn=build.log_group(aws))
    build.trail(aws, "bare", bucket, validation=False)
    result = scan(aws, "cloudtrail_log_file_validation", "cloudtrail_kms_encryption", "cloudtrail_cloudwatch_logs")
    for check_id in ("cloudtrail_log_file_validation", "cloudtrail_kms_encryption", "cloudtrail_cloudwatch_logs"):
        assert finding(result, check_id, "hardened").status is Status.PASS, check_id
        assert finding(result, check_id, "bare").status is Status.FAIL, check_id
    assert "EnableLogFileValidation is false" in finding(result, "cloudtrail_log_file_validation", "bare").reason


def test_private_trail_bucket_passes_public_acl_fails(aws):
    """A trail bucket with CloudTrail's own policy passes; one with a public-read ACL fails naming AllUsers."""
    build.trail(aws, "private", build.trail_bucket(aws, "private-trail-logs"))
    public = build.trail_bucket(aws, "public-trail-logs")
    aws.client("s3").put_bucket_acl(Bucket=public, ACL="public-read")
    build.trail(aws, "public", public)
    result = scan(aws, "cloudtrail_bucket_not_public")
    assert finding(result, "cloudtrail_bucket_not_public", "private").status is Status.PASS
    f = finding(result, "cloudtrail_bucket_not_public", "public")
    assert f.status is Status.FAIL and "AllUsers" in f.reason


def test_trail_bucket_with_open_policy_fails(aws):
    """A policy allowing s3:GetObject to Principal '*' without a condition makes the trail bucket public."""
    bucket = build.trail_bucket(aws, "open-trail-logs")
    aws.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    build.trail(aws, "open", bucket)
    f = finding(scan(aws, "cloudtrail_bucket_not_public"), "cloudtrail_bucket_not_public")
    assert f.status is Status.FAIL and "Principal '*'" in f.reason


def test_trail_bucket_access_logging(aws):
    """The trail bucket passes with server access logging and fails without it."""
    logged = build.trail_bucket(aws, "logged-trail-logs")
    target = build.trail_bucket(aws, "access-log-sink")
    aws.client("s3").put_bucket_acl(Bucket=target, GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
                                    GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery")
    aws.client("s3").put_bucket_logging(Bucket=logged, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": target, "TargetPrefix": "trail/"}})
    build.trail(aws, "logged", logged)
    build.trail(aws, "unlogged", build.trail_bucket(aws, "unlogged-trail-logs"))
    result = scan(aws, "cloudtrail_bucket_access_logging")
    assert finding(result, "cloudtrail_bucket_access_logging", "logged").status is Status.PASS
    f = finding(result, "cloudtrail_bucket_access_logging", "unlogged")
    assert f.status is Status.FAIL and "unlogged-trail-logs" in f.reason


def test_s3_data_events_all_buckets_pass_and_write_only_fails_reads(aws):
    """An all-buckets write-only data selector passes the write check and fails the read check."""
    build.trail(aws, "data", build.trail_bucket(aws, "data-bucket"), selectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []},
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    result = scan(aws, "s3_object_write_events_logged", "s3_object_read_events_logged")
    assert finding(result, "s3_object_write_events_logged", "data-bucket").status is Status.PASS
    f = finding(result, "s3_object_read_events_logged", "data-bucket")
    assert f.status is Status.FAIL and "read events" in f.reason


def test_s3_data_events_via_advanced_selectors_for_one_bucket(aws):
    """An advanced selector on one bucket's ARN prefix covers that bucket only."""
    covered = build.trail_bucket(aws, "covered-bucket")
    build.trail_bucket(aws, "other-bucket")
    build.trail(aws, "adv", covered, advanced=[
        {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {"Name": "s3", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                          {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                                          {"Field": "resources.ARN", "StartsWith": [f"arn:aws:s3:::{covered}/"]}]}])
    result = scan(aws, "s3_object_read_events_logged")
    assert finding(result, "s3_object_read_events_logged", "covered-bucket").status is Status.PASS
    assert finding(result, "s3_object_read_events_logged", "other-bucket").status is Status.FAIL


def test_denied_cloudtrail_makes_trail_checks_unknown(aws, moto):
    """When CloudTrail reads are denied, the account-level trail checks answer UNKNOWN, never FAIL or PASS."""
    with restricted_target(aws, moto, denying("cloudtrail:*")) as auditor:
        result = live_scan(auditor, checks=["cloudtrail_multi_region_logging", "monitor_root_usage"],
                           services=["cloudtrail", "logs", "cloudwatch", "sns"])
    for check_id in ("cloudtrail_multi_region_logging", "monitor_root_usage"):
        f = finding(result, check_id)
        assert f.status is Status.UNKNOWN and "cloudtrail" in f.reason.lower(), f.reason


def test_multi_region_trail_homed_in_unscanned_region_is_unknown(aws):
    """A multi-region trail whose home region was not scanned makes the check UNKNOWN, not FAIL."""
    build.trail(aws, "far", build.trail_bucket(aws, "far-trail-logs", region="us-west-2"), "us-west-2")
    f = finding(scan(aws, "cloudtrail_multi_region_logging"), "cloudtrail_multi_region_logging")
    assert f.status is Status.UNKNOWN and "far (home us-west-2)" in f.reason


def test_trail_bucket_outside_inventory_is_unknown(aws):
    """A trail delivering to a bucket wasp cannot see (another account's archive) gets UNKNOWN, not PASS."""
    bucket = build.trail_bucket(aws, "gone-trail-logs")
    build.trail(aws, "elsewhere", bucket)
    aws.client("s3").delete_bucket_policy(Bucket=bucket)
    aws.client("s3").delete_bucket(Bucket=bucket)
    result = scan(aws, "cloudtrail_bucket_not_public", "cloudtrail_bucket_access_logging")
    for check_id in ("cloudtrail_bucket_not_public", "cloudtrail_bucket_access_logging"):
        f = finding(result, check_id, "elsewhere")
        assert f.status is Status.UNKNOWN and "not in this account's inventory" in f.reason
