"""Single reads that fail beyond retries never flip a verdict: regressions for the two bugs fault injection found
(an unreadable tag set read as 'no tags'; an unreadable AWS managed policy hiding an escalation path)."""

from __future__ import annotations

import json

from hardening.faultproxy import FaultProxy
from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget

CHECK = "dynamodb_table_classification_tag"
ESCALATION = "iam_user_no_privilege_escalation"


def _table(aws: AwsTarget) -> None:
    aws.client("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        Tags=[{"Key": "DataClassification", "Value": "confidential"}])


def test_dynamodb_tags_unreadable_give_unknown_not_fail(aws, moto):
    """A table whose ListTagsOfResource keeps failing is UNKNOWN for its classification tag, naming the failure;
    read normally, the same table passes."""
    _table(aws)
    assert live_scan(aws, checks=[CHECK]).status_of("orders", CHECK) is Status.PASS
    with FaultProxy(moto.url, rate=1.0, kinds=["500"], only=lambda call: call.action == "ListTagsOfResource") as proxy:
        faulted = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                      retry_mode="standard"), checks=[CHECK])
    [finding] = [f for f in faulted.findings if f.check_id == CHECK]
    assert proxy.injected["500"] == 2  # one call, retried once
    assert finding.status is Status.UNKNOWN and "tags unreadable" in finding.reason and "InternalFailure" in \
        finding.reason


def test_unreadable_managed_policy_on_a_passable_role_gives_unknown_not_pass(aws, moto):
    """A user who can pass an AdministratorAccess role to Lambda fails the escalation check; when that AWS managed
    policy cannot be read (GetPolicy fails), the user is UNKNOWN naming the role, not a clean PASS."""
    iam = aws.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="deploy-admin", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="deploy-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_user(UserName="builder")
    iam.put_user_policy(UserName="builder", PolicyName="build", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/deploy-*"}]}))
    assert live_scan(aws, checks=[ESCALATION]).status_of("builder", ESCALATION) is Status.FAIL
    with FaultProxy(moto.url, rate=1.0, kinds=["503"],
                    only=lambda call: call.service == "iam" and call.action == "GetPolicy") as proxy:
        faulted = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                      retry_mode="standard"), checks=[ESCALATION])
    [finding] = [f for f in faulted.findings if f.check_id == ESCALATION and f.resource.name == "builder"]
    assert proxy.total_injected >= 2
    assert finding.status is Status.UNKNOWN and "deploy-admin" in finding.reason, finding.reason
