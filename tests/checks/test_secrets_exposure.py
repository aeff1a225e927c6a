"""Secrets in EC2 user data, Lambda environment and CloudFormation outputs: found, and never shown in clear."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import zipfile

from helpers import live_scan
from wasp.model import Status
from wasp.report import render
from wasp.secrets import quiet_wire_logs

# fake credentials in the shapes AWS documents (the access key id is AWS's own documentation example)
FAKE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
FAKE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
FAKE_PASSWORD = "Tr0ub4dor-and-3-horses"
CLEAR_VALUES = (FAKE_KEY_ID, FAKE_SECRET, FAKE_PASSWORD)


def _assert_redacted(result, caplog_text: str = "") -> None:
    """No clear secret value in reasons, evidence, the JSON report, the terminal report or the logs."""
    outputs = [render(result, "json"), render(result, "terminal"), caplog_text]
    outputs += [f.reason + json.dumps(f.to_json()) for f in result.findings]
    for text in outputs:
        for value in CLEAR_VALUES:
            assert value not in text


def _lambda_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def _role(aws) -> str:
    iam = aws.client("iam", "us-east-1")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    return iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def test_user_data_with_aws_keys_fails_redacted(aws, caplog):
    """An instance whose user data exports an AWS key pair fails; a clean script passes; nothing leaks."""
    caplog.set_level(logging.DEBUG)
    quiet_wire_logs()  # as the CLI does: AWS response bodies never reach the logs
    ec2 = aws.client("ec2", "us-east-1")
    image = ec2.describe_images(Owners=["amazon"])["Images"]
    ami = image[0]["ImageId"] if image else "ami-12c6146b"
    dirty = f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={FAKE_KEY_ID}\nexport AWS_SECRET_ACCESS_KEY={FAKE_SECRET}\n"
    bad = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, UserData=dirty)["Instances"][0]["InstanceId"]
    good = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                             UserData="#!/bin/bash\nyum install -y httpd\n")["Instances"][0]["InstanceId"]
    result = live_scan(aws, checks=["ec2_instance_user_data_secrets"], services=["ec2"])
    [f] = [f for f in result.findings if f.check_id == "ec2_instance_user_data_secrets" and f.resource.id == bad]
    assert f.status is Status.FAIL and "AWS Access Key" in f.reason and "line 2" in f.reason
    assert {s["value"] for s in f.evidence["secrets"]} <= {"[REDACTED 20 chars]", "[REDACTED 40 chars]"}
    assert result.status_of(good, "ec2_instance_user_data_secrets") is Status.PASS
    _assert_redacted(result, caplog.text)


def test_lambda_environment_password_fails_redacted(aws, caplog):
    """A function with DB_PASSWORD in its environment fails; references to Secrets Manager pass; nothing leaks."""
    caplog.set_level(logging.DEBUG)
    quiet_wire_logs()  # as the CLI does: AWS response bodies never reach the logs
    lam = aws.client("lambda", "us-east-1")
    role = _role(aws)
    common = {"Runtime": "python3.12", "Role": role, "Handler": "handler.handler", "Code": {"ZipFile": _lambda_zip()}}
    lam.create_function(FunctionName="leaky", Environment={"Variables": {
        "DB_PASSWORD": FAKE_PASSWORD, "LOG_LEVEL": "info"}}, **common)
    lam.create_function(FunctionName="tidy", Environment={"Variables": {
        "DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "LOG_LEVEL": "info"}},
        **common)
    result = live_scan(aws, checks=["lambda_function_environment_secrets"], services=["lambda"])
    [f] = [f for f in result.findings if f.check_id == "lambda_function_environment_secrets"
           and f.resource.name == "leaky"]
    assert f.status is Status.FAIL and "Environment.Variables.DB_PASSWORD" in f.reason
    assert result.status_of("tidy", "lambda_function_environment_secrets") is Status.PASS
    _assert_redacted(result, caplog.text)


def test_stack_output_secret_fails_redacted(aws, caplog):
    """A stack that outputs an access key fails; a stack with harmless outputs passes; nothing leaks."""
    caplog.set_level(logging.DEBUG)
    quiet_wire_logs()  # as the CLI does: AWS response bodies never reach the logs
    cfn = aws.client("cloudformation", "us-east-1")
    resources = {"Queue": {"Type": "AWS::SQS::Queue"}}
    cfn.create_stack(StackName="leaky-stack", TemplateBody=json.dumps({
        "Resources": resources, "Outputs": {"DeployKeyId": {"Value": FAKE_KEY_ID},
                                            "DeployKeySecret": {"Value": FAKE_SECRET}}}))
    cfn.create_stack(StackName="tidy-stack", TemplateBody=json.dumps({
        "Resources": resources, "Outputs": {"QueueName": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}}}))
    result = live_scan(aws, checks=["cloudformation_stack_output_secrets"], services=["cloudformation"])
    [f] = [f for f in result.findings if f.check_id == "cloudformation_stack_output_secrets"
           and f.resource.id == "leaky-stack"]
    assert f.status is Status.FAIL and "Outputs.DeployKeyId" in f.reason and "Outputs.DeployKeySecret" in f.reason
    assert result.status_of("tidy-stack", "cloudformation_stack_output_secrets") is Status.PASS
    _assert_redacted(result, caplog.text)


def test_cli_debug_output_never_shows_the_secret(aws):
    """`wasp --debug scan --output json` on a stack leaking keys prints neither key, on stdout or stderr."""
    cfn = aws.client("cloudformation", "us-east-1")
    cfn.create_stack(StackName="leaky-stack", TemplateBody=json.dumps({
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"DeployKeyId": {"Value": FAKE_KEY_ID}, "DeployKeySecret": {"Value": FAKE_SECRET}}}))
    proc = subprocess.run([sys.executable, "-m", "wasp", "--debug", "scan", "--endpoint-url", aws.endpoint_url,
                           "--regions", "us-east-1", "--services", "cloudformation",
                           "--checks", "cloudformation_stack_output_secrets", "--output", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Outputs.DeployKeySecret" in proc.stdout
    for value in CLEAR_VALUES:
        assert value not in proc.stdout and value not in proc.stderr
