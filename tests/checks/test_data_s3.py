"""S3 data-protection checks through the live path (real collectors against the moto server)."""

from __future__ import annotations

import json

import pytest

from helpers import live_scan
from wasp.model import Status

BPA_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _policy(bucket: str, *statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _public_read(bucket: str, **extra) -> dict:
    return {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*", **extra}


def _finding(result, check_id, resource_id):
    [f] = [f for f in result.findings if f.check_id == check_id and f.resource.id == resource_id]
    return f


def _s3control(aws):
    return aws.client("s3control", "us-east-1")


def test_account_block_public_access_fails_when_off_and_passes_when_on(aws):
    """Account-level BPA fails while unset and passes once all four settings are on."""
    result = live_scan(aws, checks=["s3_account_public_access_block"], services=["s3"])
    [f] = [f for f in result.findings if f.check_id == "s3_account_public_access_block"]
    assert f.status is Status.FAIL and "BlockPublicAcls" in f.reason
    _s3control(aws).put_public_access_block(AccountId="123456789012", PublicAccessBlockConfiguration=BPA_ON)
    result = live_scan(aws, checks=["s3_account_public_access_block"], services=["s3"])
    [f] = [f for f in result.findings if f.check_id == "s3_account_public_access_block"]
    assert f.status is Status.PASS


def test_bucket_block_public_access(aws):
    """A bucket with all four BPA settings passes; one with none (and no account BPA) fails naming them."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="blocked")
    s3.put_public_access_block(Bucket="blocked", PublicAccessBlockConfiguration=BPA_ON)
    s3.create_bucket(Bucket="open")
    result = live_scan(aws, checks=["s3_bucket_public_access_block"], services=["s3"])
    assert result.status_of("blocked", "s3_bucket_public_access_block") is Status.PASS
    f = _finding(result, "s3_bucket_public_access_block", "open")
    assert f.status is Status.FAIL and "RestrictPublicBuckets" in f.reason


def test_public_read_through_acl_and_policy_fails(aws):
    """A public-read ACL and an Allow * s3:GetObject policy both make the bucket fail the public-read check."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="acl-public")
    s3.put_bucket_acl(Bucket="acl-public", ACL="public-read")
    s3.create_bucket(Bucket="policy-public")
    s3.put_bucket_policy(Bucket="policy-public", Policy=_policy("policy-public", _public_read("policy-public")))
    s3.create_bucket(Bucket="auth-users")
    s3.put_bucket_acl(Bucket="auth-users", ACL="authenticated-read")
    s3.create_bucket(Bucket="private")
    result = live_scan(aws, checks=["s3_bucket_not_publicly_readable"], services=["s3"])
    assert "AllUsers" in _finding(result, "s3_bucket_not_publicly_readable", "acl-public").reason
    f = _finding(result, "s3_bucket_not_publicly_readable", "policy-public")
    assert f.status is Status.FAIL and "s3:GetObject" in f.reason and "Public" in f.reason
    assert "AuthenticatedUsers" in _finding(result, "s3_bucket_not_publicly_readable", "auth-users").reason
    assert result.status_of("private", "s3_bucket_not_publicly_readable") is Status.PASS


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
    {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}},
    {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
])
def test_restrictive_condition_keeps_bucket_private(aws, condition):
    """Allow * with a condition that really restricts the caller (VPC endpoint, org, IP, account) is not public."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="restricted")
    s3.put_bucket_policy(Bucket="restricted", Policy=_policy("restricted", _public_read("restricted",
                                                                                        Condition=condition)))
    result = live_scan(aws, checks=["s3_bucket_not_publicly_readable"], services=["s3"])
    assert result.status_of("restricted", "s3_bucket_not_publicly_readable") is Status.PASS


def test_non_restrictive_condition_and_wildcards_stay_public(aws):
    """SecureTransport conditions, s3:Get* wildcards and NotAction do not stop a public grant."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="tls-only-public")
    s3.put_bucket_policy(Bucket="tls-only-public", Policy=_policy("tls-only-public", _public_read(
        "tls-only-public", Action="s3:Get*", Condition={"Bool": {"aws:SecureTransport": "true"}})))
    s3.create_bucket(Bucket="notaction")
    s3.put_bucket_policy(Bucket="notaction", Policy=_policy("notaction", {
        "Effect": "Allow", "Principal": {"AWS": "*"}, "NotAction": "s3:DeleteObject",
        "Resource": ["arn:aws:s3:::notaction", "arn:aws:s3:::notaction/*"]}))
    result = live_scan(aws, checks=["s3_bucket_not_publicly_readable", "s3_bucket_not_publicly_writable"],
                       services=["s3"])
    assert result.status_of("tls-only-public", "s3_bucket_not_publicly_readable") is Status.FAIL
    assert result.status_of("tls-only-public", "s3_bucket_not_publicly_writable") is Status.PASS
    assert result.status_of("notaction", "s3_bucket_not_publicly_writable") is Status.FAIL
    assert "s3:PutObject" in _finding(result, "s3_bucket_not_publicly_writable", "notaction").reason


def test_deny_outside_vpc_endpoint_cancels_public_allow(aws):
    """An Allow * cancelled by Deny StringNotEquals aws:SourceVpce is not public."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="vpce-only")
    arns = ["arn:aws:s3:::vpce-only", "arn:aws:s3:::vpce-only/*"]
    s3.put_bucket_policy(Bucket="vpce-only", Policy=_policy("vpce-only",
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": arns},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": arns,
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}))
    result = live_scan(aws, checks=["s3_bucket_not_publicly_readable", "s3_bucket_not_publicly_writable"],
                       services=["s3"])
    assert result.status_of("vpce-only", "s3_bucket_not_publicly_readable") is Status.PASS
    assert result.status_of("vpce-only", "s3_bucket_not_publicly_writable") is Status.PASS


def test_public_write_acl_fails_and_block_public_access_neutralises_it(aws):
    """An ACL granting WRITE to AllUsers fails the write check, unless IgnorePublicAcls is on for the bucket."""
    s3 = aws.client("s3", "us-east-1")
    for name in ("rw-open", "rw-blocked"):
        s3.create_bucket(Bucket=name)
        # explicit grant: the emulator turns the canned public-read-write ACL into READ only
        s3.put_bucket_acl(Bucket=name, GrantWrite="uri=http://acs.amazonaws.com/groups/global/AllUsers")
    s3.put_public_access_block(Bucket="rw-blocked", PublicAccessBlockConfiguration=BPA_ON)
    result = live_scan(aws, checks=["s3_bucket_not_publicly_writable"], services=["s3"])
    f = _finding(result, "s3_bucket_not_publicly_writable", "rw-open")
    assert f.status is Status.FAIL and "WRITE" in f.reason
    assert result.status_of("rw-blocked", "s3_bucket_not_publicly_writable") is Status.PASS


def test_bucket_requires_tls(aws):
    """A Deny on aws:SecureTransport=false for bucket and objects passes; no policy or objects-only fails."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="tls")
    s3.put_bucket_policy(Bucket="tls", Policy=_policy("tls", {
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::tls", "arn:aws:s3:::tls/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    s3.create_bucket(Bucket="objects-only")
    s3.put_bucket_policy(Bucket="objects-only", Policy=_policy("objects-only", {
        "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::objects-only/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    s3.create_bucket(Bucket="plain")
    result = live_scan(aws, checks=["s3_bucket_requires_tls"], services=["s3"])
    assert result.status_of("tls", "s3_bucket_requires_tls") is Status.PASS
    assert "the bucket" in _finding(result, "s3_bucket_requires_tls", "objects-only").reason
    assert result.status_of("plain", "s3_bucket_requires_tls") is Status.FAIL


def test_sensitive_bucket_needs_kms(aws):
    """A bucket tagged confidential with SSE-S3 fails, with SSE-KMS passes; an untagged one is not judged."""
    s3 = aws.client("s3", "us-east-1")
    for name, algo in (("conf-s3", "AES256"), ("conf-kms", "aws:kms"), ("untagged", "AES256")):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algo}}]})
        if name != "untagged":
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "DataClassification",
                                                                   "Value": "Confidential"}]})
    result = live_scan(aws, checks=["s3_bucket_sensitive_kms_encryption"], services=["s3"])
    f = _finding(result, "s3_bucket_sensitive_kms_encryption", "conf-s3")
    assert f.status is Status.FAIL and "AES256" in f.reason
    assert result.status_of("conf-kms", "s3_bucket_sensitive_kms_encryption") is Status.PASS
    assert result.status_of("untagged", "s3_bucket_sensitive_kms_encryption") is None


def test_versioning_and_access_logging(aws):
    """Versioning and access logging pass when configured and fail when not."""
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="logs")
    s3.put_bucket_acl(Bucket="logs", GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
                      GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery")
    s3.create_bucket(Bucket="good")
    s3.put_bucket_versioning(Bucket="good", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_logging(Bucket="good", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "logs",
                                                                                 "TargetPrefix": "good/"}})
    s3.create_bucket(Bucket="bare")
    result = live_scan(aws, checks=["s3_bucket_versioning", "s3_bucket_access_logging"], services=["s3"])
    assert result.status_of("good", "s3_bucket_versioning") is Status.PASS
    assert result.status_of("good", "s3_bucket_access_logging") is Status.PASS
    assert result.status_of("bare", "s3_bucket_versioning") is Status.FAIL
    assert result.status_of("bare", "s3_bucket_access_logging") is Status.FAIL


def test_critical_bucket_replication_and_archive(aws):
    """A bucket tagged critical needs replication and an archive transition; untagged buckets are not judged."""
    s3 = aws.client("s3", "us-east-1")
    for name in ("crit-good", "crit-bad", "ordinary", "replica"):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for name in ("crit-good", "crit-bad"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "Criticality", "Value": "critical"}]})
    s3.put_bucket_replication(Bucket="crit-good", ReplicationConfiguration={
        "Role": "arn:aws:iam::123456789012:role/replication",
        "Rules": [{"ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
                   "DeleteMarkerReplication": {"Status": "Disabled"},
                   "Destination": {"Bucket": "arn:aws:s3:::replica"}}]})
    s3.put_bucket_lifecycle_configuration(Bucket="crit-good", LifecycleConfiguration={"Rules": [
        {"ID": "archive", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}]}]})
    checks = ["s3_critical_bucket_replication", "s3_critical_bucket_lifecycle_archive"]
    result = live_scan(aws, checks=checks, services=["s3"])
    for check_id in checks:
        assert result.status_of("crit-good", check_id) is Status.PASS
        assert result.status_of("crit-bad", check_id) is Status.FAIL
        assert result.status_of("ordinary", check_id) is None
