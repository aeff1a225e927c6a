"""Risk-category checks (iam_*_no_<category>) live on the emulator and on CloudFormation and Terraform files.

Policies are written from the IAM User Guide's examples (Resource "*" grants, Deny statements, permissions
boundaries, aws:SourceIp conditions)."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.iac import scan_iac
from wasp.iam.risk_actions import CATEGORIES
from wasp.model import Status

CATEGORY_IDS = [c.id for c in CATEGORIES]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


BROAD = {"Effect": "Allow", "Action": ["ec2:*", "s3:*", "lambda:*"], "Resource": "*"}
# one action of each category, on every resource of its type
EACH = {
    "data_exfiltration": {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
    "resource_exposure": {"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::*"},
    "credentials_exposure": {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"},
    "infrastructure_modification": {"Effect": "Allow", "Action": "dynamodb:DeleteTable", "Resource": "*"},
    "service_wildcard": {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
}
NARROW = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutBucketPolicy", "dynamodb:DeleteTable"],
          "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*",
                       "arn:aws:dynamodb:us-east-1:123456789012:table/jobs"]}


def status_of(result, check_id, name):
    hits = [f for f in result.findings if f.check_id == check_id and name in (f.resource.name, f.resource.id)]
    assert len(hits) == 1, [(f.check_id, f.resource.id) for f in result.findings if f.check_id == check_id]
    return hits[0]


def test_broad_inline_policy_fails_every_data_and_infrastructure_category_live(aws):
    """ec2:*, s3:*, lambda:* on * (not admin, no escalation path) fails exfiltration, exposure, modification and
    wildcard checks live; a policy naming its resources passes them all."""
    iam = aws.client("iam")
    iam.create_role(RoleName="broad", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="broad", PolicyName="ops", PolicyDocument=doc(BROAD))
    iam.create_user(UserName="narrow")
    iam.put_user_policy(UserName="narrow", PolicyName="p", PolicyDocument=doc(NARROW))
    result = live_scan(aws, checks=["iam_role_no_*", "iam_user_no_*"], services=["iam"])
    for category in ("data_exfiltration", "resource_exposure", "infrastructure_modification", "service_wildcard"):
        broad = status_of(result, f"iam_role_no_{category}", "broad")
        assert broad.status is Status.FAIL, (category, broad.reason)
        assert status_of(result, f"iam_user_no_{category}", "narrow").status is Status.PASS
    assert "s3:GetObject" in status_of(result, "iam_role_no_data_exfiltration", "broad").reason
    assert "ec2:*" in status_of(result, "iam_role_no_service_wildcard", "broad").reason
    assert status_of(result, "iam_role_no_privilege_escalation", "broad").status is Status.PASS


def test_each_category_fails_on_its_own_action_and_passes_otherwise(aws):
    """One user per category holds one action of it on *: that category fails, the unrelated ones pass."""
    iam = aws.client("iam")
    for category, statement in EACH.items():
        iam.create_user(UserName=category.replace("_", "-"))
        iam.put_user_policy(UserName=category.replace("_", "-"), PolicyName="p", PolicyDocument=doc(statement))
    result = live_scan(aws, checks=[f"iam_user_no_{c}" for c in CATEGORY_IDS], services=["iam"])
    for category in EACH:
        user = category.replace("_", "-")
        assert status_of(result, f"iam_user_no_{category}", user).status is Status.FAIL, category
    # a read of secrets is neither an exposure nor a wildcard; a single write is not a wildcard
    assert status_of(result, "iam_user_no_resource_exposure", "data-exfiltration").status is Status.PASS
    assert status_of(result, "iam_user_no_service_wildcard", "infrastructure-modification").status is Status.PASS
    assert status_of(result, "iam_user_no_data_exfiltration", "credentials-exposure").status is Status.PASS


def test_deny_and_boundary_remove_a_category(aws):
    """An explicit Deny of s3:GetObject* on *, or a boundary that allows only ec2, removes data exfiltration."""
    iam = aws.client("iam")
    account = aws.client("sts").get_caller_identity()["Account"]
    iam.create_user(UserName="denied")
    iam.put_user_policy(UserName="denied", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["s3:GetObject*"], "Resource": "*"}))
    boundary = iam.create_policy(PolicyName="ec2-only", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}))["Policy"]["Arn"]
    trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    for name, extra in (("bounded", {"PermissionsBoundary": boundary}), ("unbounded", {})):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **extra)
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["s3:*", "secretsmanager:GetSecretValue"], "Resource": "*"}))
    result = live_scan(aws, checks=["iam_user_no_data_exfiltration", "iam_user_no_service_wildcard",
                                    "iam_role_no_data_exfiltration"], services=["iam"])
    assert status_of(result, "iam_user_no_data_exfiltration", "denied").status is Status.PASS
    assert status_of(result, "iam_user_no_service_wildcard", "denied").status is Status.PASS  # not every s3 action
    assert status_of(result, "iam_role_no_data_exfiltration", "bounded").status is Status.PASS
    assert status_of(result, "iam_role_no_data_exfiltration", "unbounded").status is Status.FAIL
    assert account


def test_condition_gated_grant_passes_and_names_the_condition(aws):
    """s3:GetObject on * only from one network passes, and the reason names aws:SourceIp and the action."""
    iam = aws.client("iam")
    iam.create_user(UserName="office")
    iam.put_user_policy(UserName="office", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}))
    result = live_scan(aws, checks=["iam_user_no_data_exfiltration"], services=["iam"])
    office = status_of(result, "iam_user_no_data_exfiltration", "office")
    assert office.status is Status.PASS
    assert "aws:sourceip" in office.reason.lower() and "s3:GetObject" in office.reason


def test_customer_managed_policy_checks_and_group_checks(aws):
    """A customer managed policy granting s3:* on * fails the policy checks; a group holding it fails too."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="s3-all", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))["Policy"]["Arn"]
    iam.create_policy(PolicyName="reports", PolicyDocument=doc(NARROW))
    iam.create_group(GroupName="storage")
    iam.attach_group_policy(GroupName="storage", PolicyArn=arn)
    result = live_scan(aws, checks=["iam_policy_no_*", "iam_group_no_*"], services=["iam"])
    wildcard = status_of(result, "iam_policy_no_service_wildcard", "s3-all")
    assert wildcard.status is Status.FAIL and "s3:*" in wildcard.reason
    assert status_of(result, "iam_policy_no_data_exfiltration", "s3-all").status is Status.FAIL
    assert status_of(result, "iam_policy_no_service_wildcard", "reports").status is Status.PASS
    assert status_of(result, "iam_group_no_resource_exposure", "storage").status is Status.FAIL
    assert status_of(result, "iam_policy_no_privilege_escalation", "s3-all").status is Status.PASS


def test_broad_inline_policy_fails_on_cloudformation_and_terraform(tmp_path):
    """The same ec2:*, s3:*, lambda:* inline role policy fails the risk checks in a template and a .tf file."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    policy = {"Version": "2012-10-17", "Statement": [BROAD]}
    (tmp_path / "stack.json").write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "AppRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": trust,
            "Policies": [{"PolicyName": "ops", "PolicyDocument": policy}]}}}}))
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name = "app"\n'
        f"  assume_role_policy = jsonencode({json.dumps(trust)})\n}}\n"
        'resource "aws_iam_role_policy" "ops" {\n  name = "ops"\n  role = aws_iam_role.app.id\n'
        f"  policy = jsonencode({json.dumps(policy)})\n}}\n")
    result = scan_iac([tmp_path])
    got = {(f.check_id, f.resource.id.rsplit(".", 1)[-1]): f.status for f in result.findings
           if f.check_id.startswith("iam_role_no_")}
    for category in ("data_exfiltration", "resource_exposure", "infrastructure_modification", "service_wildcard"):
        assert got[(f"iam_role_no_{category}", "AppRole")] is Status.FAIL, category
        assert got[(f"iam_role_no_{category}", "app")] is Status.FAIL, category
    assert got[("iam_role_no_privilege_escalation", "AppRole")] is Status.PASS
