"""Automation checks (stack drift, SGs as code, auto-remediation, pipeline roles) on moto and synthetic data."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.checks import select
from wasp.model import Inventory, Resource, Status
from wasp.scan import evaluate

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _findings(result, check_id):
    return {f.resource.id: (f.status, f.reason) for f in result.findings if f.check_id == check_id}


def _stack(aws, name: str) -> None:
    template = {"Resources": {"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web"}}}}
    aws.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_stack_drift_unknown_on_moto(aws):
    """moto's DescribeStacks carries no DriftInformation: the stack is UNKNOWN with the reason, never PASS."""
    _stack(aws, "network")
    got = _findings(live_scan(aws, checks=["cloudformation_stack_drift"]), "cloudformation_stack_drift")
    status, reason = got["network"]
    assert status is Status.UNKNOWN and "DriftInformation" in reason


def test_stack_drift_verdicts():
    """IN_SYNC passes; DRIFTED and NOT_CHECKED fail, naming the status."""
    def stack(name: str, status: str) -> Resource:
        return Resource.of("AWS::CloudFormation::Stack", name, account=ACCOUNT, region="us-east-1",
                           properties={"StackName": name},
                           observed={"DriftInformation": {"StackDriftStatus": status}})
    inv = Inventory([stack("a", "IN_SYNC"), stack("b", "DRIFTED"), stack("c", "NOT_CHECKED")])
    got = {f.resource.id: f for f in evaluate(inv, select(ids=["cloudformation_stack_drift"]), account=ACCOUNT)}
    assert got["a"].status is Status.PASS
    assert got["b"].status is Status.FAIL and "DRIFTED" in got["b"].reason
    assert got["c"].status is Status.FAIL and "never ran" in got["c"].reason


def test_security_group_managed_as_code(aws):
    """A group created by a stack passes naming the stack; a hand-made one fails; the default group is not judged."""
    _stack(aws, "network")
    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    manual = ec2.create_security_group(GroupName="manual", Description="by hand", VpcId=vpc)["GroupId"]
    got = _findings(live_scan(aws, checks=["ec2_security_group_managed_as_code"]),
                    "ec2_security_group_managed_as_code")
    stacked = [v for k, v in got.items() if k != manual]
    assert stacked == [(Status.PASS, "managed by CloudFormation stack network")]
    assert got[manual][0] is Status.FAIL


def test_security_group_in_drifted_stack_fails():
    """A group owned by a stack whose drift status is DRIFTED fails."""
    sg = Resource.of("AWS::EC2::SecurityGroup", "sg-1", account=ACCOUNT, region="us-east-1",
                     properties={"GroupName": "web"}, tags={"aws:cloudformation:stack-name": "net"})
    stack = Resource.of("AWS::CloudFormation::Stack", "net", account=ACCOUNT, region="us-east-1",
                        properties={"StackName": "net"}, observed={"DriftInformation": {"StackDriftStatus": "DRIFTED"}})
    [f] = evaluate(Inventory([sg, stack]), select(ids=["ec2_security_group_managed_as_code"]), account=ACCOUNT)
    assert f.status is Status.FAIL and "DRIFTED" in f.reason


def test_security_group_owner_tags():
    """A ManagedBy tag or an AWS service tag counts as an owner; an unrelated tag does not."""
    def sg(gid: str, tags: dict[str, str]) -> Resource:
        return Resource.of("AWS::EC2::SecurityGroup", gid, account=ACCOUNT, region="us-east-1",
                           properties={"GroupName": gid}, tags=tags)
    inv = Inventory([sg("tf", {"ManagedBy": "terraform"}), sg("eks", {"aws:eks:cluster-name": "prod"}),
                     sg("team", {"Team": "payments"})])
    got = {f.resource.id: f for f in evaluate(inv, select(ids=["ec2_security_group_managed_as_code"]),
                                              account=ACCOUNT)}
    assert got["tf"].status is Status.PASS and "ManagedBy=terraform" in got["tf"].reason
    assert got["eks"].status is Status.PASS and "AWS service" in got["eks"].reason
    assert got["team"].status is Status.FAIL


def test_auto_remediation_event_route(aws):
    """A region with no route fails; a GuardDuty rule targeting an SSM Automation runbook makes it pass."""
    check = ["findings_auto_remediation"]
    [(status, _)] = _findings(live_scan(aws, checks=check), check[0]).values()
    assert status is Status.FAIL
    events = aws.client("events")
    events.put_rule(Name="gd-remediate", EventPattern=json.dumps({"source": ["aws.guardduty"]}))
    events.put_targets(Rule="gd-remediate", Targets=[{
        "Id": "1", "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/remediation",
        "Arn": f"arn:aws:ssm:us-east-1:{ACCOUNT}:automation-definition/AWS-DisablePublicAccessForSecurityGroup"}])
    events.put_rule(Name="gd-notify", EventPattern=json.dumps({"source": ["aws.guardduty"]}))
    [(status, reason)] = _findings(live_scan(aws, checks=check), check[0]).values()
    assert status is Status.PASS and "gd-remediate" in reason


def test_auto_remediation_unknown_when_config_remediations_unreadable(aws):
    """moto fails DescribeRemediationConfigurations once a Config rule exists: with no event route, UNKNOWN."""
    aws.client("config").put_config_rule(ConfigRule={
        "ConfigRuleName": "sg-open", "Source": {"Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"}})
    aws.backoff = 0.01  # the 500 is retried on the SDK schedule; shrink the waits, keep the retry logic
    [(status, reason)] = _findings(live_scan(aws, checks=["findings_auto_remediation"]),
                                   "findings_auto_remediation").values()
    assert status is Status.UNKNOWN and "Config remediation configurations" in reason


def test_auto_remediation_config_route():
    """An automatic Config remediation is a route (PASS); a manual-only one is not (FAIL)."""
    def region(automatic: bool) -> Resource:
        return Resource.of("WASP::Region", "us-east-1", account=ACCOUNT, region="us-east-1", properties={
            "RemediationConfigurations": [{"ConfigRuleName": "s3-public", "TargetType": "SSM_DOCUMENT",
                                           "TargetId": "AWS-DisableS3BucketPublicReadWrite", "Automatic": automatic}]})
    chk = select(ids=["findings_auto_remediation"])
    assert evaluate(Inventory([region(True)]), chk, account=ACCOUNT)[0].status is Status.PASS
    assert evaluate(Inventory([region(False)]), chk, account=ACCOUNT)[0].status is Status.FAIL


def _role(aws, name: str, policy: dict) -> str:
    iam = aws.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    return arn


def _project(aws, name: str, role: str) -> None:
    aws.client("codebuild").create_project(
        name=name, source={"type": "S3", "location": "artifacts/src.zip"}, artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL"}, serviceRole=role)


def test_codebuild_role_not_admin(aws):
    """A project running as a '*:*' role fails; one whose role only reads its source bucket passes."""
    admin = _role(aws, "build-admin", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    narrow = _role(aws, "build-narrow", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}]})
    _project(aws, "deploy", admin)
    _project(aws, "test", narrow)
    got = _findings(live_scan(aws, checks=["codebuild_role_not_admin"]), "codebuild_role_not_admin")
    assert got["deploy"][0] is Status.FAIL and "administrator" in got["deploy"][1]
    assert got["test"][0] is Status.PASS


def test_codepipeline_role_verdicts():
    """A pipeline role able to attach policies to itself fails (escalation); an unknown role is UNKNOWN."""
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/pipeline"
    role = Resource.of("AWS::IAM::Role", "pipeline", arn=role_arn, account=ACCOUNT, region="", properties={
        "RoleName": "pipeline", "Path": "/", "ManagedPolicyArns": [], "AssumeRolePolicyDocument": json.loads(TRUST),
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": role_arn}]}}]})
    pipes = [Resource.of("AWS::CodePipeline::Pipeline", name, account=ACCOUNT, region="us-east-1",
                         properties={"Name": name, "RoleArn": arn})
             for name, arn in (("release", role_arn), ("other", f"arn:aws:iam::{ACCOUNT}:role/missing"))]
    got = {f.resource.id: f for f in evaluate(Inventory([role, *pipes]), select(ids=["codepipeline_role_not_admin"]),
                                              account=ACCOUNT)}
    assert got["release"].status is Status.FAIL and "admin-equivalent" in got["release"].reason
    assert got["other"].status is Status.UNKNOWN and "not in the IAM inventory" in got["other"].reason
