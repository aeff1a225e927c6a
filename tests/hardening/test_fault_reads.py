"""Single reads that fail beyond retries never flip a verdict: regressions for the three bugs fault injection found
(an unreadable tag set read as 'no tags'; an unreadable AWS managed policy hiding an escalation path; an unreadable
function URL configuration hiding a public URL grant)."""

from __future__ import annotations

import json

from hardening.faultproxy import FaultProxy
from helpers import lambda_function, live_scan
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget

CHECK = "dynamodb_table_classification_tag"
ESCALATION = "iam_user_no_privilege_escalation"
LAMBDA_PUBLIC = "lambda_policy_not_public"


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


def test_unreadable_function_url_config_gives_unknown_not_pass(aws, moto):
    """A function whose policy lets anyone invoke its auth-NONE URL is public; when its URL configuration cannot be
    read, the verdict is UNKNOWN naming the URL configuration, not a PASS."""
    lambda_function(aws, "webhook")
    lam = aws.client("lambda")
    lam.create_function_url_config(FunctionName="webhook", AuthType="NONE")
    lam.add_permission(FunctionName="webhook", StatementId="public-url", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="NONE")
    assert live_scan(aws, checks=[LAMBDA_PUBLIC]).status_of("webhook", LAMBDA_PUBLIC) is Status.FAIL
    with FaultProxy(moto.url, rate=1.0, kinds=["500"],
                    only=lambda call: call.service == "lambda" and "/url" in call.path) as proxy:
        faulted = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                      retry_mode="standard"), checks=[LAMBDA_PUBLIC])
    [finding] = [f for f in faulted.findings if f.check_id == LAMBDA_PUBLIC]
    assert proxy.total_injected >= 2
    assert finding.status is Status.UNKNOWN and "URL configuration could not be read" in finding.reason, \
        finding.reason


def test_pipeline_role_that_can_pass_an_unreadable_role_is_unknown_not_pass(aws, moto):
    """A CodeBuild service role able to pass an AdministratorAccess role to Lambda fails; when that managed policy
    cannot be read, the project is UNKNOWN naming the role (the pipeline check shares the escalation verdict)."""
    iam = aws.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "codebuild.amazonaws.com"]},
         "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="deploy-admin", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="deploy-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    build = iam.create_role(RoleName="build", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="build", PolicyName="build", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/deploy-*"}]}))
    aws.client("codebuild").create_project(
        name="release", source={"type": "S3", "location": "artifacts/src.zip"}, artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL"}, serviceRole=build)
    pipeline_check = "codebuild_role_not_admin"
    assert live_scan(aws, checks=[pipeline_check]).status_of("release", pipeline_check) is Status.FAIL
    with FaultProxy(moto.url, rate=1.0, kinds=["503"],
                    only=lambda call: call.service == "iam" and call.action == "GetPolicy") as proxy:
        faulted = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                      retry_mode="standard"), checks=[pipeline_check])
    [finding] = [f for f in faulted.findings if f.check_id == pipeline_check]
    assert finding.status is Status.UNKNOWN and "deploy-admin" in finding.reason, finding.reason
