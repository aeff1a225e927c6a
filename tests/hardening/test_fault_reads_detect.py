"""Single reads of the S3 ownership, access point and Network Firewall collectors that fail beyond retries never
flip a verdict: the setting they carry is UNKNOWN, and what the other reads establish stays decided."""

from __future__ import annotations

import json

from hardening.faultproxy import FaultProxy
from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget


def _faulted(aws: AwsTarget, moto, checks: list[str], services: list[str], where: str):
    """A scan through a proxy answering 500 to every request whose path or operation names ``where``."""
    def hit(call) -> bool:  # type: ignore[no-untyped-def]
        return where in call.path or call.action == where

    with FaultProxy(moto.url, rate=1.0, kinds=["500"], only=hit) as proxy:
        result = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                     retry_mode="standard"), checks=checks, services=services)
    assert proxy.injected["500"] >= 1
    return {(f.check_id, f.resource.id): f for f in result.findings}


def test_unreadable_ownership_controls_leave_acls_disabled_unknown_and_read_the_acl(aws, moto):
    """With GetBucketOwnershipControls failing, 'ACLs disabled' is UNKNOWN naming the failure, while S3.12 is still
    decided from the ACL, which is then read (an owner-only ACL passes)."""
    aws.client("s3").create_bucket(Bucket="plain")
    found = _faulted(aws, moto, ["s3_bucket_acls_disabled", "s3_bucket_no_acl_user_access"], ["s3"],
                     "ownershipControls")
    disabled = found[("s3_bucket_acls_disabled", "plain")]
    assert disabled.status is Status.UNKNOWN and "InternalFailure on GetBucketOwnershipControls" in disabled.reason
    assert found[("s3_bucket_no_acl_user_access", "plain")].status is Status.PASS


def test_unreadable_access_point_policy_is_unknown_not_pass(aws, moto):
    """An access point whose policy cannot be read is UNKNOWN for its exposure (read normally, it fails: the policy
    grants another account)."""
    account = aws.account_id()
    aws.client("s3").create_bucket(Bucket="data")
    control = aws.client("s3control")
    control.create_access_point(AccountId=account, Name="shared", Bucket="data")
    control.put_access_point_policy(AccountId=account, Name="shared", Policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:us-east-1:{account}:accesspoint/shared/object/*"}]}))
    check = "iam_s3_access_point_not_externally_accessible"
    assert live_scan(aws, checks=[check], services=["s3"]).status_of("shared", check) is Status.FAIL
    found = _faulted(aws, moto, [check], ["s3"], "/policy")
    assert found[(check, "shared")].status is Status.UNKNOWN


def test_unreadable_firewall_logging_is_unknown_not_fail(aws, moto):
    """A firewall whose logging configuration cannot be read is UNKNOWN for logging, while its protections, read by
    another call, are still judged."""
    aws.client("network-firewall").create_firewall(
        FirewallName="fw", FirewallPolicyArn="arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/p",
        VpcId="vpc-1", SubnetMappings=[{"SubnetId": "s-1"}], DeleteProtection=True, SubnetChangeProtection=True)
    found = _faulted(aws, moto, ["networkfirewall_logging", "networkfirewall_deletion_protection"],
                     ["network-firewall"], "DescribeLoggingConfiguration")
    assert found[("networkfirewall_logging", "fw")].status is Status.UNKNOWN
    assert found[("networkfirewall_deletion_protection", "fw")].status is Status.PASS
