"""Policy-evaluation identity checks through the live path (real moto server) and on template inventories."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.checks import select
from wasp.model import Inventory, Location, Resource, Status
from wasp.scan import evaluate

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
NOT_ACTION_ADMIN = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "NotAction": "billingconductor:*", "Resource": "*"}]}
NARROW = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                  "Resource": "arn:aws:s3:::reports/*"}]}
EC2_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}


def finding(result, check_id, name):
    hits = [f for f in result.findings if f.check_id == check_id and (f.resource.name == name or f.resource.id == name)]
    assert len(hits) == 1, [(f.check_id, f.resource.id, f.status) for f in result.findings if f.check_id == check_id]
    return hits[0]


def test_managed_policy_full_admin_fails_and_narrow_passes(aws):
    """A customer managed policy allowing * on * (also via NotAction) fails; a scoped one passes."""
    iam = aws.client("iam")
    iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(ADMIN))
    iam.create_policy(PolicyName="sneaky", PolicyDocument=json.dumps(NOT_ACTION_ADMIN))
    iam.create_policy(PolicyName="reports", PolicyDocument=json.dumps(NARROW))
    result = live_scan(aws, checks=["iam_policy_no_full_admin"], services=["iam"])
    assert finding(result, "iam_policy_no_full_admin", "everything").status is Status.FAIL
    assert finding(result, "iam_policy_no_full_admin", "sneaky").status is Status.FAIL
    assert finding(result, "iam_policy_no_full_admin", "reports").status is Status.PASS


def test_inline_admin_policy_on_user_fails(aws):
    """An inline policy granting * on * to a user fails; a user with a scoped inline policy passes."""
    iam = aws.client("iam")
    iam.create_user(UserName="ops")
    iam.put_user_policy(UserName="ops", PolicyName="all", PolicyDocument=json.dumps(ADMIN))
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="r", PolicyDocument=json.dumps(NARROW))
    result = live_scan(aws, checks=["iam_user_inline_policy_no_full_admin"], services=["iam"])
    failed = finding(result, "iam_user_inline_policy_no_full_admin", "ops")
    assert failed.status is Status.FAIL and "all" in failed.reason
    assert finding(result, "iam_user_inline_policy_no_full_admin", "reader").status is Status.PASS


def test_role_trust_policy_checks(aws):
    """Trust to anyone or to another account without ExternalId fails; ExternalId or a service passes."""
    iam = aws.client("iam")

    def trust(principal, condition=None):
        st = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        if condition:
            st["Condition"] = condition
        return json.dumps({"Version": "2012-10-17", "Statement": [st]})

    iam.create_role(RoleName="open", AssumeRolePolicyDocument=trust({"AWS": "*"}))
    iam.create_role(RoleName="vendor", AssumeRolePolicyDocument=trust({"AWS": "arn:aws:iam::444455556666:root"}))
    iam.create_role(RoleName="vendor-ok", AssumeRolePolicyDocument=trust(
        {"AWS": "arn:aws:iam::444455556666:root"}, {"StringEquals": {"sts:ExternalId": "a1b2"}}))
    iam.create_role(RoleName="instance", AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    result = live_scan(aws, checks=["iam_role_trust_restricted"], services=["iam"])
    assert "anyone" in finding(result, "iam_role_trust_restricted", "open").reason
    vendor = finding(result, "iam_role_trust_restricted", "vendor")
    assert vendor.status is Status.FAIL and "444455556666" in vendor.reason
    assert finding(result, "iam_role_trust_restricted", "vendor-ok").status is Status.PASS
    assert finding(result, "iam_role_trust_restricted", "instance").status is Status.PASS


def test_privilege_escalation_paths_are_findings_with_steps(aws):
    """A self-granting user and a user who can assume an admin role fail with the path; a reader passes."""
    iam = aws.client("iam")
    account = aws.client("sts").get_caller_identity()["Account"]
    iam.create_user(UserName="selfgrant")
    iam.put_user_policy(UserName="selfgrant", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PutUserPolicy",
                                                "Resource": f"arn:aws:iam::{account}:user/selfgrant"}]}))
    iam.create_user(UserName="hopper")
    iam.put_user_policy(UserName="hopper", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    iam.create_role(RoleName="breakglass", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "AWS": f"arn:aws:iam::{account}:user/hopper"}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="breakglass", PolicyName="all", PolicyDocument=json.dumps(ADMIN))
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="r", PolicyDocument=json.dumps(NARROW))
    result = live_scan(aws, checks=["iam_user_no_privilege_escalation", "iam_role_no_privilege_escalation"],
                       services=["iam"])
    selfgrant = finding(result, "iam_user_no_privilege_escalation", "selfgrant")
    assert selfgrant.status is Status.FAIL and "admin-equivalent" in selfgrant.reason
    assert selfgrant.evidence[0]["method"] == "iam-007"
    hopper = finding(result, "iam_user_no_privilege_escalation", "hopper")
    assert hopper.status is Status.FAIL and "breakglass" in hopper.reason
    assert hopper.evidence["steps"][0]["permissions"][0]["action"] == "sts:AssumeRole"
    assert finding(result, "iam_user_no_privilege_escalation", "reader").status is Status.PASS
    assert finding(result, "iam_role_no_privilege_escalation", "breakglass").status is Status.PASS


def test_bucket_and_queue_exposure(aws):
    """A public bucket and a queue shared with another account fail; a private bucket passes."""
    s3, sqs = aws.client("s3"), aws.client("sqs")
    for name in ("public-site", "private-data"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket="public-site", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-site/*"}]}))
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sqs:SendMessage",
         "Resource": qarn}]})})
    result = live_scan(aws, services=["s3", "sqs"], checks=["iam_s3_bucket_not_externally_accessible",
                                                            "iam_sqs_queue_not_externally_accessible"])
    public = finding(result, "iam_s3_bucket_not_externally_accessible", "public-site")
    assert public.status is Status.FAIL and "s3:GetObject" in public.reason
    assert finding(result, "iam_s3_bucket_not_externally_accessible", "private-data").status is Status.PASS
    queue = finding(result, "iam_sqs_queue_not_externally_accessible", "jobs")
    assert queue.status is Status.FAIL and "444455556666" in queue.reason


def test_checks_run_on_template_inventories():
    """The same checks judge template resources (no ARN, no account): admin role policy and open trust fail."""
    loc = Location("cloudformation", "template.yaml", 12, "AppRole")
    role = Resource.of("AWS::IAM::Role", "AppRole", location=loc, properties={
        "RoleName": "AppRole", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "all", "PolicyDocument": ADMIN}], "ManagedPolicyArns": []})
    worker = Resource.of("AWS::IAM::Role", "Worker", location=loc, properties={
        "RoleName": "Worker", "AssumeRolePolicyDocument": EC2_TRUST, "ManagedPolicyArns": [],
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*"}]}}]})
    checks = select(ids=["iam_role_*", "iam_policy_no_full_admin"], source="cloudformation")
    findings = evaluate(Inventory([role, worker]), checks, source="cloudformation")
    status = {(f.check_id, f.resource.id): f.status for f in findings}
    assert status[("iam_role_inline_policy_no_full_admin", "AppRole")] is Status.FAIL
    assert status[("iam_role_trust_restricted", "AppRole")] is Status.FAIL
    assert status[("iam_role_no_privilege_escalation", "Worker")] is Status.FAIL
    assert status[("iam_role_no_privilege_escalation", "AppRole")] is Status.PASS


def test_secret_resource_policy_exposure(aws):
    """A secret shared with another account fails; a secret without a resource policy passes."""
    sm = aws.client("secretsmanager")
    shared = sm.create_secret(Name="shared-db", SecretString="not-a-real-secret")["ARN"]
    sm.create_secret(Name="private-db", SecretString="not-a-real-secret")
    sm.put_resource_policy(SecretId=shared, ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
    result = live_scan(aws, services=["secretsmanager"], checks=["iam_secret_not_externally_accessible"])
    failed = finding(result, "iam_secret_not_externally_accessible", "shared-db")
    assert failed.status is Status.FAIL and "444455556666" in failed.reason
    assert "not-a-real-secret" not in json.dumps(failed.to_json())
    assert finding(result, "iam_secret_not_externally_accessible", "private-db").status is Status.PASS
