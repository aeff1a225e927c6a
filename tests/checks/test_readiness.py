"""Readiness for wasp's playbooks: responder permissions, quarantine groups, forensics key (live path)."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status
from wasp.respond import respond_actions

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})


def _status(result, check_id, resource_id=None):
    hits = [f for f in result.findings if f.check_id == check_id and (resource_id is None or
                                                                      f.resource.id == resource_id)]
    assert hits, f"no finding for {check_id}"
    return hits[0]


def test_responder_with_playbook_policy_passes(aws):
    """A responder role holding exactly `wasp permissions --respond` is allowed every playbook action."""
    iam = aws.client("iam")
    iam.create_role(RoleName="incident-responder", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="incident-responder", PolicyName="wasp", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": sorted(respond_actions()),
                                                "Resource": "*"}]}))
    f = _status(live_scan(aws, checks=["ir_playbook_permissions_grantable"]), "ir_playbook_permissions_grantable")
    assert f.status is Status.PASS, f.reason


def test_responder_missing_actions_fails_naming_them(aws):
    """A responder role with read-only rights fails, naming actions the playbooks would be denied."""
    iam = aws.client("iam")
    iam.create_role(RoleName="incident-responder", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="incident-responder", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    f = _status(live_scan(aws, checks=["ir_playbook_permissions_grantable"]), "ir_playbook_permissions_grantable")
    assert f.status is Status.FAIL
    assert "ec2:ModifyInstanceAttribute" in f.evidence["missing"]
    assert "ec2:DescribeInstances" not in f.evidence["missing"]


def test_responder_with_explicit_deny_fails(aws):
    """An explicit deny on one playbook action beats an Allow of everything."""
    iam = aws.client("iam")
    iam.create_role(RoleName="incident-responder", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="incident-responder", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:UpdateAccessKey", "Resource": "*"}]}))
    f = _status(live_scan(aws, checks=["ir_playbook_permissions_grantable"]), "ir_playbook_permissions_grantable")
    assert f.status is Status.FAIL and f.evidence["missing"] == ["iam:UpdateAccessKey"]


def test_quarantine_group_without_rules_passes_and_with_egress_fails(aws):
    """A VPC whose 'quarantine' group has no rules passes; one whose group keeps default egress fails."""
    ec2 = aws.client("ec2")
    ready = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.create_security_group(GroupName="quarantine", Description="ir", VpcId=ready)["GroupId"]
    ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    leaky = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    ec2.create_security_group(GroupName="quarantine-leaky", Description="ir", VpcId=leaky)
    result = live_scan(aws, checks=["ir_quarantine_group_ready"])
    assert _status(result, "ir_quarantine_group_ready", ready).status is Status.PASS
    assert _status(result, "ir_quarantine_group_ready", leaky).status is Status.FAIL


def test_forensics_key_found_by_alias(aws):
    """A KMS key aliased 'forensics' satisfies the evidence-destination check; none fails."""
    assert _status(live_scan(aws, checks=["ir_forensics_key_or_account"]),
                   "ir_forensics_key_or_account").status is Status.FAIL
    kms = aws.client("kms")
    key = kms.create_key(Description="evidence")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/forensics-evidence", TargetKeyId=key)
    f = _status(live_scan(aws, checks=["ir_forensics_key_or_account"]), "ir_forensics_key_or_account")
    assert f.status is Status.PASS, f.reason
