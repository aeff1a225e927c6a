"""The continuous-assessment stack: a Lambda container image run on a schedule and on AWS Config changes.

One CloudFormation template (and the same resources as a Terraform module, and the image's Dockerfile):

- an EventBridge schedule rule (``rate(...)`` or ``cron(...)``, daily by default) and a rule on AWS Config's
  configuration-item change events, both targeting the function;
- the function: wasp's image, whose handler (``wasp.deploy.assessment_handler``) scans what the event names;
- its execution role: exactly the read-only scan policy ``wasp permissions --scan`` prints (one customer
  managed policy per part, as that command splits it), plus the writes the handler makes and nothing else:
  ``securityhub:BatchImportFindings`` on the account's own product, ``dynamodb:Query``/``BatchWriteItem`` on
  the state table, ``sns:Publish`` on the topic, ``logs:CreateLogStream``/``PutLogEvents`` on its log group,
  ``lambda:InvokeFunction`` on itself (the schedule's one-invocation-per-region fan-out);
- the SNS topic, the state table (the FAILs already reported, so fixed ones can be archived), the log group.

Why Lambda, and why for both triggers, is in docs/automation.md ("Continuous assessment").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from wasp.deploy.assessment_events import CHANGE_MESSAGES, CONFIG_CHANGE
from wasp.errors import InputError

SCHEDULE = re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]{9,200}\))$")
HANDLER = "wasp.deploy.assessment_handler.handler"
BASE_IMAGE = "amazon/aws-lambda-python:3.11"  # AWS's Lambda base image for Python (the lock's Python)


@dataclass(frozen=True)
class Settings:
    schedule: str = "rate(1 day)"
    regions: tuple[str, ...] = ()  # empty: every region enabled for the account
    prefix: str = "wasp"
    memory: int = 2048  # MB; Lambda's CPU share grows with it, and a scan is CPU-bound on parsing
    concurrency: int = 4  # at most this many scans at once: a burst of Config changes queues, it does not fan out

    def __post_init__(self) -> None:
        if not SCHEDULE.match(self.schedule):
            raise InputError(f"--schedule: {self.schedule!r}: use rate(N minutes|hours|days) or cron(...) "
                             "(EventBridge's schedule expressions)")
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,30}", self.prefix):
            raise InputError(f"--prefix: {self.prefix!r}: lower-case letters, digits and '-', at most 31")

    @property
    def function_name(self) -> str:
        return f"{self.prefix}-assessment"


def change_pattern() -> dict[str, Any]:
    """AWS Config's change events (full items and the summaries of oversized ones)."""
    return {"source": ["aws.config"], "detail-type": [CONFIG_CHANGE],
            "detail": {"messageType": list(CHANGE_MESSAGES)}}


def scan_policies() -> list[dict[str, Any]]:
    """The documents `wasp permissions --scan` prints, one managed policy each."""
    from wasp.permissions import policy_documents

    return policy_documents(["scan"])


def write_statements(table_arn: Any, topic_arn: Any, log_group_arn: Any, function_arn: Any,
                     product_arn: Any) -> list[dict[str, Any]]:
    """The handler's writes, each on its one resource (references in the caller's language)."""
    return [
        {"Sid": "ImportFindings", "Effect": "Allow", "Action": ["securityhub:BatchImportFindings"],
         "Resource": product_arn},
        {"Sid": "State", "Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:BatchWriteItem"],
         "Resource": table_arn},
        {"Sid": "Notify", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": topic_arn},
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": log_group_arn},
        {"Sid": "RegionFanOut", "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": function_arn},
    ]


def environment(settings: Settings, table: Any, topic: Any, region: Any) -> dict[str, Any]:
    return {"WASP_STATE_TABLE": table, "WASP_TOPIC_ARN": topic, "WASP_HOME_REGION": region,
            "WASP_REGIONS": ",".join(settings.regions)}


def template(settings: Settings) -> dict[str, Any]:
    """The CloudFormation template (JSON-shaped dict)."""
    function_arn = {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
                               + settings.function_name}
    policies = scan_policies()
    resources: dict[str, Any] = {
        "StateTable": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                       "Properties": {
                           "TableName": f"{settings.prefix}-assessment-state", "BillingMode": "PAY_PER_REQUEST",
                           "AttributeDefinitions": [{"AttributeName": "account", "AttributeType": "S"},
                                                    {"AttributeName": "finding", "AttributeType": "S"}],
                           "KeySchema": [{"AttributeName": "account", "KeyType": "HASH"},
                                         {"AttributeName": "finding", "KeyType": "RANGE"}],
                           "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                           "SSESpecification": {"SSEEnabled": True}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {
            "TopicName": f"{settings.prefix}-assessment", "KmsMasterKeyId": "alias/aws/sns"}},
        "LogGroup": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                     "Properties": {"LogGroupName": f"/aws/lambda/{settings.function_name}", "RetentionInDays": 365}},
    }
    for n, doc in enumerate(policies, 1):
        resources[f"ScanPolicy{n}"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "Description": f"wasp permissions --scan, part {n} of {len(policies)} (read-only)",
            "PolicyDocument": doc}}
    resources["Role"] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": _trust("lambda.amazonaws.com"),
        "ManagedPolicyArns": [{"Ref": f"ScanPolicy{n}"} for n in range(1, len(policies) + 1)],
        "Policies": [{"PolicyName": "assessment-writes", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": write_statements(
                {"Fn::GetAtt": ["StateTable", "Arn"]}, {"Ref": "Topic"}, {"Fn::GetAtt": ["LogGroup", "Arn"]},
                function_arn,
                {"Fn::Sub": "arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default"},
            )}}]}}
    resources["Function"] = {"Type": "AWS::Lambda::Function", "Properties": {
        "FunctionName": settings.function_name, "PackageType": "Image", "Code": {"ImageUri": {"Ref": "ImageUri"}},
        "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "MemorySize": settings.memory, "Timeout": 900,
        "ReservedConcurrentExecutions": settings.concurrency,
        "Environment": {"Variables": environment(settings, {"Ref": "StateTable"}, {"Ref": "Topic"},
                                                 {"Ref": "AWS::Region"})},
        "LoggingConfig": {"LogGroup": {"Ref": "LogGroup"}, "LogFormat": "Text"},
        "Description": "wasp continuous assessment: scans what changed, or everything on schedule"}}
    rules: dict[str, dict[str, Any]] = {
        "ScheduleRule": {"Description": "wasp assessment: full scan on schedule",
                         "ScheduleExpression": settings.schedule},
        "ChangeRule": {"Description": "wasp assessment: scan what AWS Config saw change",
                       "EventPattern": change_pattern()}}
    for name, props in rules.items():
        resources[name] = {"Type": "AWS::Events::Rule", "Properties": {
            **props, "State": "ENABLED",
            "Targets": [{"Id": "scanner", "Arn": {"Fn::GetAtt": ["Function", "Arn"]},
                         "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 86400}}]}}
        resources[f"{name}Permission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Function"},
            "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": [name, "Arn"]}}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "wasp continuous assessment: scheduled and change-triggered scans to Security Hub and SNS",
        "Parameters": {"ImageUri": {"Type": "String", "Description": "The wasp assessment image in your ECR "
                                    "repository (built from the Dockerfile beside this template)"}},
        "Resources": resources,
        "Outputs": {"Topic": {"Description": "subscribe the team here", "Value": {"Ref": "Topic"}},
                    "StateTable": {"Value": {"Ref": "StateTable"}},
                    "Function": {"Value": {"Ref": "Function"}}}}


def dockerfile() -> str:
    """The image: the lock's entries for wasp's runtime closure (hashes checked), then wasp without dependencies."""
    from wasp.deploy.runtime_closure import closure

    names = closure()
    rows = [" ".join(names[i:i + 8]) for i in range(0, len(names), 8)]
    listed = " \\\n      ".join(rows)
    return f"""# wasp continuous assessment (generated by `wasp deploy assessment`): the Lambda container image.
# Build from a wasp checkout (the context must hold requirements.lock, pyproject.toml, README.md and src/):
#   docker build -f {{THIS_FILE}} -t wasp-assessment /path/to/wasp
FROM {BASE_IMAGE}
WORKDIR /build
COPY requirements.lock pyproject.toml README.md ./
COPY src ./src
# from the lock, the entries of wasp's run-time dependencies ({len(names)} packages; the lock also pins the test
# and docs tools), each download checked against its hash (--require-hashes), no resolution (--no-deps);
# then wasp itself with the build backend the lock installed; pip check proves nothing is missing
RUN python src/wasp/deploy/lock_filter.py requirements.lock \\
      {listed} \\
      > runtime.lock \\
 && pip install --no-cache-dir --require-hashes --no-deps -r runtime.lock \\
 && pip install --no-cache-dir --no-deps --no-build-isolation . \\
 && pip check \\
 && python -m compileall -q "$(python -c 'import wasp, os; print(os.path.dirname(wasp.__file__))')" \\
 && rm -rf /build
WORKDIR ${{LAMBDA_TASK_ROOT}}
# the handler: one EventBridge event (schedule or AWS Config change) per invocation
CMD ["{HANDLER}"]
"""


def _trust(service: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def main_tf(settings: Settings) -> str:
    """The same resources as a Terraform module (JSON documents as ``jsonencode``)."""
    policies = scan_policies()
    account = "${data.aws_caller_identity.current.account_id}"
    partition = "${data.aws_partition.current.partition}"
    writes = write_statements(
        "${aws_dynamodb_table.state.arn}", "${aws_sns_topic.assessment.arn}",
        "${aws_cloudwatch_log_group.assessment.arn}:*",
        f"arn:{partition}:lambda:${{data.aws_region.current.name}}:{account}:function:{settings.function_name}",
        f"arn:{partition}:securityhub:*:{account}:product/{account}/default")
    env = environment(settings, "${aws_dynamodb_table.state.name}", "${aws_sns_topic.assessment.arn}",
                      "${data.aws_region.current.name}")
    out = [f"# wasp continuous assessment (generated by `wasp deploy assessment`), schedule {settings.schedule}", "",
           'variable "image_uri" {', '  description = "The wasp assessment image in your ECR repository"',
           "  type        = string", "}", "",
           'data "aws_caller_identity" "current" {}', 'data "aws_partition" "current" {}',
           'data "aws_region" "current" {}', "",
           'resource "aws_dynamodb_table" "state" {', f'  name         = "{settings.prefix}-assessment-state"',
           '  billing_mode = "PAY_PER_REQUEST"', '  hash_key     = "account"', '  range_key    = "finding"',
           '  attribute {\n    name = "account"\n    type = "S"\n  }',
           '  attribute {\n    name = "finding"\n    type = "S"\n  }',
           '  point_in_time_recovery {\n    enabled = true\n  }', '  server_side_encryption {\n    enabled = true\n  }',
           "}", "",
           'resource "aws_sns_topic" "assessment" {', f'  name              = "{settings.prefix}-assessment"',
           '  kms_master_key_id = "alias/aws/sns"', "}", "",
           'resource "aws_cloudwatch_log_group" "assessment" {',
           f'  name              = "/aws/lambda/{settings.function_name}"', "  retention_in_days = 365", "}", "",
           'resource "aws_iam_role" "assessment" {', f'  name_prefix        = "{settings.function_name[:32]}"',
           "  assume_role_policy = jsonencode(" + _hcl(_trust("lambda.amazonaws.com")) + ")", "}", ""]
    for n, doc in enumerate(policies, 1):
        out += [f'resource "aws_iam_policy" "scan_{n}" {{',
                f'  name_prefix = "{settings.prefix}-scan-{n}-"',
                f'  description = "wasp permissions --scan, part {n} of {len(policies)} (read-only)"',
                "  policy      = jsonencode(" + _hcl(doc) + ")", "}", "",
                f'resource "aws_iam_role_policy_attachment" "scan_{n}" {{',
                "  role       = aws_iam_role.assessment.name", f"  policy_arn = aws_iam_policy.scan_{n}.arn", "}", ""]
    out += ['resource "aws_iam_role_policy" "writes" {', "  role   = aws_iam_role.assessment.id",
            "  policy = jsonencode(" + _hcl({"Version": "2012-10-17", "Statement": writes}) + ")", "}", "",
            'resource "aws_lambda_function" "assessment" {', f'  function_name                  = '
            f'"{settings.function_name}"', '  package_type                   = "Image"',
            "  image_uri                      = var.image_uri",
            "  role                           = aws_iam_role.assessment.arn",
            f"  memory_size                    = {settings.memory}", "  timeout                        = 900",
            f"  reserved_concurrent_executions = {settings.concurrency}",
            "  environment {", "    variables = " + _hcl(env).replace("\n", "\n    "), "  }",
            "  logging_config {", "    log_format = \"Text\"",
            "    log_group  = aws_cloudwatch_log_group.assessment.name", "  }", "}", ""]
    rules = {"schedule": ("wasp assessment: full scan on schedule",
                          f"  schedule_expression = {json.dumps(settings.schedule)}"),
             "change": ("wasp assessment: scan what AWS Config saw change",
                        "  event_pattern       = jsonencode(" + _hcl(change_pattern()) + ")")}
    for name, (description, trigger) in rules.items():
        out += [f'resource "aws_cloudwatch_event_rule" "{name}" {{',
                f'  name                = "{settings.prefix}-assessment-{name}"',
                f'  description         = "{description}"', trigger, "}", "",
                f'resource "aws_cloudwatch_event_target" "{name}" {{',
                f"  rule = aws_cloudwatch_event_rule.{name}.name", "  arn  = aws_lambda_function.assessment.arn",
                "  retry_policy {", "    maximum_retry_attempts       = 4",
                "    maximum_event_age_in_seconds = 86400", "  }", "}", "",
                f'resource "aws_lambda_permission" "{name}" {{', '  action        = "lambda:InvokeFunction"',
                "  function_name = aws_lambda_function.assessment.function_name",
                '  principal     = "events.amazonaws.com"',
                f"  source_arn    = aws_cloudwatch_event_rule.{name}.arn", "}", ""]
    out += ['output "topic_arn" {', '  description = "subscribe the team here"',
            "  value       = aws_sns_topic.assessment.arn", "}", ""]
    return "\n".join(out)


def _hcl(value: Any) -> str:
    return json.dumps(value, indent=2)
