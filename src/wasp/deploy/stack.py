"""The automated-response stack: state machines, EventBridge rules, least-privilege roles, journal, logs.

One CloudFormation template (and the same resources as a Terraform module). EventBridge rules route
GuardDuty findings, Security Hub findings and wasp's own findings (source ``wasp``) by finding type and
resource to the playbook's state machine; an input transformer turns each event into the machine's input
``{"Target", "Time", "Finding"}``. Each machine's role allows exactly the actions its steps declare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wasp.deploy.machines import AUTOMATIONS, definition, machine_actions

SEVERITIES = ("low", "medium", "high", "critical")
GUARDDUTY_FLOOR = {"low": 1, "medium": 4, "high": 7, "critical": 9}  # GuardDuty's numeric bands
# CloudWatch Logs delivery for Step Functions is authorized on "*" only (the actions are still named)
LOG_DELIVERY = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups"]


@dataclass(frozen=True)
class Settings:
    playbooks: tuple[str, ...] = ("contain-instance",)
    severity: str = "high"  # the lowest severity that triggers a response
    approval: bool = False  # wait for a human (SNS + task token) before the first change
    sources: tuple[str, ...] = ("guardduty", "securityhub", "wasp")
    prefix: str = "wasp"


@dataclass(frozen=True)
class Route:
    source: str
    playbook: str
    pattern: dict[str, Any]
    paths: dict[str, str]
    template: str


def _labels(severity: str, upper: bool) -> list[str]:
    labels = list(SEVERITIES[SEVERITIES.index(severity):])
    return [s.upper() for s in labels] if upper else labels


def routes(settings: Settings) -> list[Route]:
    """Which events go to which machine, and how the target is read from each."""
    out: list[Route] = []
    time = {"time": "$.time"}
    # string variables inside quotes: inserted as they are, by EventBridge and by emulators alike
    template = '{"Target": "<target>", "Time": "<time>", "Finding": <aws.events.event.json>}'
    floor = GUARDDUTY_FLOOR[settings.severity]
    for playbook in settings.playbooks:
        if playbook in EXPOSURE_ROUTES:
            out.extend(_exposure_routes(playbook, settings, template, time))
            continue
        instance = playbook in ("contain-instance", "snapshot-volumes")
        if "guardduty" in settings.sources:
            severity = {"severity": [{"numeric": [">=", floor]}]}
            kinds: list[tuple[str, dict[str, Any], str, str]]
            if instance:
                kinds = [("", {"resourceType": ["Instance"]}, "$.detail.resource.instanceDetails.instanceId",
                          template)]
            else:  # access-key findings name the user, or the role of an assumed-role session
                kinds = [(kind, {"resourceType": ["AccessKey"], "accessKeyDetails": {"userType": [user_type]}},
                          "$.detail.resource.accessKeyDetails.userName",
                          template.replace('"<target>"', f'"{kind.lower()}/<target>"'))
                         for kind, user_type in (("User", "IAMUser"), ("Role", "AssumedRole"))]
            for kind, resource, path, tmpl in kinds:
                out.append(Route("guardduty" + kind, playbook, {
                    "source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                    "detail": {**severity, "resource": resource}}, {"target": path, **time}, tmpl))
        if "securityhub" in settings.sources:
            types = ["AwsEc2Instance"] if instance else ["AwsIamUser", "AwsIamRole"]
            out.append(Route("securityhub", playbook, {
                "source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
                "detail": {"findings": {"Resources": {"Type": types},
                                        "Severity": {"Label": _labels(settings.severity, True)},
                                        "Workflow": {"Status": ["NEW"]}}}},
                {"target": "$.detail.findings[0].Resources[0].Id", **time}, template))
        if "wasp" in settings.sources:
            types = ["AWS::EC2::Instance"] if instance else ["AWS::IAM::User", "AWS::IAM::Role"]
            out.append(Route("wasp", playbook, {
                "source": ["wasp"], "detail-type": ["wasp finding"],
                "detail": {"status": ["fail"], "resource": {"type": types},
                           "severity": _labels(settings.severity, False)}},
                {"target": "$.detail.resource.id" if instance else "$.detail.resource.arn", **time}, template))
    return out


# the other playbooks: (GuardDuty resource pattern, path to the target or a constant target), Security Hub
# resource types, wasp resource types
EXPOSURE_ROUTES: dict[str, tuple[tuple[dict[str, Any], str] | None, list[str], list[str]]] = {
    "contain-bucket": (({"resource": {"resourceType": ["S3Bucket"]}}, "$.detail.resource.s3BucketDetails[0].name"),
                       ["AwsS3Bucket"], ["AWS::S3::Bucket"]),
    "unshare": (None, [], ["AWS::EC2::Snapshot", "AWS::EC2::Image", "AWS::RDS::DBSnapshot"]),
    "restore-logging": (({"type": ["Stealth:IAMUser/CloudTrailLoggingDisabled"]}, "all"), [],
                        ["AWS::CloudTrail::Trail"]),
}


def _exposure_routes(playbook: str, settings: Settings, template: str, time: dict[str, str]) -> list[Route]:
    guardduty, hub_types, wasp_types = EXPOSURE_ROUTES[playbook]
    out: list[Route] = []
    if guardduty and "guardduty" in settings.sources:
        detail, target = guardduty
        paths = {"target": target, **time} if target.startswith("$") else dict(time)
        tmpl = template if target.startswith("$") else template.replace("<target>", target)
        out.append(Route("guardduty", playbook, {
            "source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
            "detail": {"severity": [{"numeric": [">=", GUARDDUTY_FLOOR[settings.severity]]}], **detail}}, paths, tmpl))
    if hub_types and "securityhub" in settings.sources:
        out.append(Route("securityhub", playbook, {
            "source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
            "detail": {"findings": {"Resources": {"Type": hub_types},
                                    "Severity": {"Label": _labels(settings.severity, True)},
                                    "Workflow": {"Status": ["NEW"]}}}},
            {"target": "$.detail.findings[0].Resources[0].Id", **time}, template))
    if wasp_types and "wasp" in settings.sources:
        out.append(Route("wasp", playbook, {
            "source": ["wasp"], "detail-type": ["wasp finding"],
            "detail": {"status": ["fail"], "resource": {"type": wasp_types},
                       "severity": _labels(settings.severity, False)}},
            {"target": "$.detail.resource.id", **time}, template))
    return out


def _name(playbook: str) -> str:
    return AUTOMATIONS[playbook].machine_name


def template(settings: Settings) -> dict[str, Any]:
    """The CloudFormation template (JSON-shaped dict)."""
    resources: dict[str, Any] = {
        "JournalTable": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                         "Properties": {
                             "BillingMode": "PAY_PER_REQUEST",
                             "AttributeDefinitions": [{"AttributeName": "case_id", "AttributeType": "S"},
                                                      {"AttributeName": "seq", "AttributeType": "S"}],
                             "KeySchema": [{"AttributeName": "case_id", "KeyType": "HASH"},
                                           {"AttributeName": "seq", "KeyType": "RANGE"}],
                             "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                             "SSESpecification": {"SSEEnabled": True}}},
        "LogGroup": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                     "Properties": {"LogGroupName": f"/aws/vendedlogs/states/{settings.prefix}-response",
                                    "RetentionInDays": 365}},
        "EventsRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": _trust("events.amazonaws.com"),
            "Policies": [{"PolicyName": "start-response", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["states:StartExecution"],
                 "Resource": [{"Ref": f"{_name(p)}StateMachine"} for p in settings.playbooks]}]}}]}},
    }
    substitutions: dict[str, Any] = {"JournalTable": {"Ref": "JournalTable"}}
    if settings.approval:
        resources["ApprovalTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {
            "TopicName": f"{settings.prefix}-response-approval", "KmsMasterKeyId": "alias/aws/sns"}}
        substitutions["ApprovalTopic"] = {"Ref": "ApprovalTopic"}
    for playbook in settings.playbooks:
        name = _name(playbook)
        resources[f"{name}Role"] = {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": _trust("states.amazonaws.com"),
            "Policies": [{"PolicyName": "playbook-steps", "PolicyDocument": role_policy(playbook, settings.approval)}]}}
        resources[f"{name}StateMachine"] = {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineName": f"{settings.prefix}-{playbook}",
            "RoleArn": {"Fn::GetAtt": [f"{name}Role", "Arn"]},
            "DefinitionString": json.dumps(definition(playbook, approval=settings.approval), indent=1),
            "DefinitionSubstitutions": substitutions,
            "LoggingConfiguration": {"Level": "ALL", "IncludeExecutionData": False, "Destinations": [
                {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["LogGroup", "Arn"]}}}]},
            "TracingConfiguration": {"Enabled": True}}}
    for route in routes(settings):
        resources[f"{_name(route.playbook)}From{route.source[0].upper()}{route.source[1:]}Rule"] = {
            "Type": "AWS::Events::Rule", "Properties": {
                "Description": f"{route.source} findings to wasp respond {route.playbook}",
                "EventPattern": route.pattern, "State": "ENABLED",
                "Targets": [{"Id": "playbook", "Arn": {"Ref": f"{_name(route.playbook)}StateMachine"},
                             "RoleArn": {"Fn::GetAtt": ["EventsRole", "Arn"]},
                             "InputTransformer": {"InputPathsMap": route.paths, "InputTemplate": route.template}}]}}
    outputs = {"JournalTable": {"Description": "wasp respond show/undo --journal-table",
                                "Value": {"Ref": "JournalTable"}},
               **{f"{_name(p)}StateMachine": {"Value": {"Ref": f"{_name(p)}StateMachine"}} for p in settings.playbooks}}
    return {"AWSTemplateFormatVersion": "2010-09-09",
            "Description": "wasp automated incident response: playbooks as Step Functions state machines",
            "Resources": resources, "Outputs": outputs}


def _trust(service: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def role_policy(playbook: str, approval: bool) -> dict[str, Any]:
    """Least privilege, from the steps' declared actions: never a ``*`` action."""
    actions = machine_actions(playbook, approval)
    journal = [a for a in actions if a.startswith("dynamodb:")]
    sns = [a for a in actions if a.startswith("sns:")]
    steps = [a for a in actions if a not in journal and a not in sns]
    statements: list[dict[str, Any]] = [
        {"Sid": "PlaybookSteps", "Effect": "Allow", "Action": steps, "Resource": "*"},
        {"Sid": "Journal", "Effect": "Allow", "Action": journal, "Resource": {"Fn::GetAtt": ["JournalTable", "Arn"]}},
        {"Sid": "Logs", "Effect": "Allow", "Action": LOG_DELIVERY, "Resource": "*"},
        {"Sid": "Tracing", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
         "Resource": "*"}]
    if sns:
        statements.append({"Sid": "Approval", "Effect": "Allow", "Action": sns, "Resource": {"Ref": "ApprovalTopic"}})
    return {"Version": "2012-10-17", "Statement": statements}
