"""Security as code and automation (SEC01-BP06, SEC04-BP04, SEC05-BP04, SEC11-BP07): stacks free of drift,
network protections owned by a stack, findings wired to automatic remediation, pipelines that are not
administrators.

All rules here read live-only facts (drift status, the tags CloudFormation stamps on what it creates,
Config remediation configurations, the IAM model of service roles), hence ``sources=LIVE``.
"""

from __future__ import annotations

from typing import Any

from wasp.checks.context import Context
from wasp.checks.iam_policies import escalation_verdict
from wasp.checks.registry import check
from wasp.iam.escalation import MODEL_TYPES
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown

LIVE = ("live", "snapshot")
STACK = "AWS::CloudFormation::Stack"
RULE = "AWS::Events::Rule"
# tags naming the IaC owner of a resource: CloudFormation stamps the first; the others are common conventions
STACK_TAG = "aws:cloudformation:stack-name"
IAC_TAGS = ("managedby", "managed-by", "managed_by", "iac")
FINDING_SOURCES = ("aws.guardduty", "aws.securityhub", "aws.config", "aws.inspector2", "aws.access-analyzer",
                   "aws.macie")
# EventBridge target ARNs that act: Lambda, SSM Automation, Step Functions, SSM Run Command documents
ACTING_TARGETS = (":lambda:", ":automation-definition/", ":states:", ":document/")


@check(
    id="cloudformation_stack_drift", title="CloudFormation stacks are checked for drift and in sync",
    area=Area.FOUNDATIONS, severity=Severity.LOW, resource=STACK, best_practices=["SEC01-BP06", "SEC05-BP04"],
    task="app", sources=LIVE,
    remediation=Remediation(
        text="Run drift detection regularly (the AWS Config rule cloudformation-stack-drift-detection-check does "
             "it on a schedule) and fold manual changes back into the template, or revert them by redeploying.",
        cli="aws cloudformation detect-stack-drift --stack-name <name>; "
            "aws cloudformation describe-stack-resource-drifts --stack-name <name> "
            "--stack-resource-drift-status-filters MODIFIED DELETED",
        url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"),
)
def stack_drift(stack: Resource, ctx: Context) -> Result:
    """Baseline controls deployed as code only stay the source of truth if hand edits are found: a drifted
    stack means the running controls differ from the reviewed template."""
    info = stack.observed.get("DriftInformation")
    if isinstance(info, Unknown):
        return Result.unknown(info)
    status = str((info or {}).get("StackDriftStatus") or "")
    if status == "IN_SYNC":
        return Result.passed(f"StackDriftStatus is IN_SYNC (checked {(info or {}).get('LastCheckTimestamp')})")
    if status == "DRIFTED":
        return Result.failed("StackDriftStatus is DRIFTED: resources were changed outside the template")
    if status == "NOT_CHECKED":
        return Result.failed("StackDriftStatus is NOT_CHECKED: drift detection never ran on this stack")
    return Result.unknown(f"StackDriftStatus is {status or 'missing'}")


def _iac_owner(tags: dict[str, str]) -> str | None:
    if tags.get(STACK_TAG):
        return f"CloudFormation stack {tags[STACK_TAG]}"
    for key, value in tags.items():
        if key.lower() in IAC_TAGS and value:
            return f"tag {key}={value}"
    for key in tags:  # AWS stamps aws:* tags on groups its services create for you (EKS, EMR, ...)
        if key.lower().startswith("aws:"):
            return f"an AWS service (tag {key})"
    return None


@check(
    id="ec2_security_group_managed_as_code", title="Security groups are managed as code (CloudFormation or IaC tag)",
    area=Area.INFRASTRUCTURE, severity=Severity.LOW, resource="AWS::EC2::SecurityGroup",
    best_practices=["SEC05-BP04"], task="network", uses=[STACK], sources=LIVE,
    remediation=Remediation(
        text="Define the security group in a CloudFormation stack (import it with a resource import change set) "
             "or in Terraform with a ManagedBy tag, and change it only through the pipeline.",
        cli="aws cloudformation create-change-set --change-set-type IMPORT --stack-name <stack> "
            "--resources-to-import file://import.json --template-body file://network.yaml",
        url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html"),
)
def security_group_as_code(group: Resource, ctx: Context) -> Result | None:
    """Network rules changed by hand escape review and cannot be rebuilt; owned by a stack, every change
    goes through the pipeline and drift detection shows the rest."""
    if group.prop("GroupName") == "default":
        return None  # created with the VPC by AWS; judged by the default-security-group rule
    owner = _iac_owner(group.tags)
    if owner is None:
        return Result.failed(f"no {STACK_TAG} tag and no ManagedBy/IaC tag: the group was created by hand "
                             "or by a tool that does not mark it")
    stack_name = group.tags.get(STACK_TAG)
    if stack_name:
        stacks = [s for s in ctx.of_type(STACK, region=group.region, account=group.account)
                  if s.prop("StackName") == stack_name]
        info = stacks[0].observed.get("DriftInformation") if stacks else None
        if isinstance(info, dict) and info.get("StackDriftStatus") == "DRIFTED":
            return Result.failed(f"managed by {owner}, but the stack has DRIFTED from its template")
    return Result.passed(f"managed by {owner}")


def _sources(pattern: Any) -> list[str]:
    src = pattern.get("source") if isinstance(pattern, dict) else None
    if isinstance(src, str):
        return [src]
    return [s for s in src if isinstance(s, str)] if isinstance(src, list) else []


@check(
    id="findings_auto_remediation", title="Security findings trigger automatic remediation in each region",
    area=Area.DETECTION, severity=Severity.LOW, resource="WASP::Region", best_practices=["SEC04-BP04"],
    task="logging", uses=[RULE], sources=LIVE,
    remediation=Remediation(
        text="Route findings to code that fixes them: attach automatic remediation (SSM Automation documents) to "
             "AWS Config rules, or add an EventBridge rule for GuardDuty / Security Hub / Config findings that "
             "targets an SSM Automation runbook, a Lambda function or a Step Functions state machine.",
        cli="aws configservice put-remediation-configurations --remediation-configurations "
            "ConfigRuleName=<rule>,TargetType=SSM_DOCUMENT,TargetId=AWS-DisablePublicAccessForSecurityGroup,"
            "Automatic=true,MaximumAutomaticAttempts=3,RetryAttemptSeconds=60",
        url="https://docs.aws.amazon.com/config/latest/developerguide/remediation.html"),
)
def auto_remediation(region: Resource, ctx: Context) -> Result:
    """Findings that wait for a human stay open for hours; well-understood ones (public bucket, open SSH)
    can be fixed by code within seconds of detection."""
    routes: list[str] = []
    unread: list[str] = []
    for rule in ctx.of_type(RULE, region=region.region, account=region.account):
        if rule.prop("State") != "ENABLED":
            continue
        found = [s for s in _sources(rule.prop("EventPattern")) if s in FINDING_SOURCES]
        if not found:
            continue
        targets = rule.prop("Targets")
        if isinstance(targets, Unknown):
            unread.append(f"targets of rule {rule.name}: {targets.reason}")
            continue
        acting = [t.get("Arn", "") for t in targets or [] if any(k in str(t.get("Arn", "")) for k in ACTING_TARGETS)]
        if acting:
            routes.append(f"EventBridge rule {rule.name} ({', '.join(found)}) -> {acting[0]}")
    remediations = region.prop("RemediationConfigurations")
    if isinstance(remediations, Unknown):
        unread.append(f"Config remediation configurations: {remediations.reason}")
    else:
        routes += [f"Config rule {r['ConfigRuleName']} -> {r.get('TargetId')}" for r in remediations or []
                   if r.get("Automatic")]
    if routes:
        return Result.passed(f"{len(routes)} automatic remediation route(s): " + "; ".join(routes[:3]))
    if unread:
        return Result.unknown("no remediation route found among what was read; could not read " +
                              "; ".join(unread[:2]))
    return Result.failed("no Config rule has automatic remediation and no enabled EventBridge rule sends "
                         "GuardDuty/Security Hub/Config findings to Lambda, SSM Automation or Step Functions")


def _role_judgement(role_arn: Any, what: str, ctx: Context) -> Result:
    """FAIL when the role is admin or admin-equivalent per the IAM engine; UNKNOWN when it cannot be told."""
    if isinstance(role_arn, Unknown):
        return Result.unknown(role_arn)
    if not role_arn:
        return Result.unknown(f"the {what} names no service role")
    facts = ctx.iam.analysis.principals.get(str(role_arn))
    if facts is None:
        return Result.unknown(f"service role {role_arn} is not in the IAM inventory (other account or unread)")
    if facts.full_admin:
        return Result.failed(f"service role {role_arn} is a full administrator")
    return escalation_verdict(ctx, str(role_arn), f"service role {role_arn}")


_PIPELINE_REMEDIATION = Remediation(
    text="Give the pipeline its own role scoped to the stacks, buckets and repositories it deploys; deploy "
         "through CloudFormation with a separate, narrowly trusted execution role instead of granting the "
         "pipeline administrator rights, and deny iam:* writes with a permissions boundary.",
    cli="aws iam detach-role-policy --role-name <role> --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
    url="https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html")


@check(
    id="codebuild_role_not_admin", title="CodeBuild projects do not run as an administrator",
    area=Area.APPSEC, severity=Severity.HIGH, resource="AWS::CodeBuild::Project", best_practices=["SEC11-BP07"],
    task="iam", uses=MODEL_TYPES, sources=LIVE, remediation=_PIPELINE_REMEDIATION,
)
def codebuild_role(project: Resource, ctx: Context) -> Result:
    """A build runs third-party dependencies and any code pushed to its source; with an admin role, one
    poisoned package or pull request owns the account."""
    return _role_judgement(project.prop("ServiceRole"), "project", ctx)


@check(
    id="codepipeline_role_not_admin", title="CodePipeline pipelines do not run as an administrator",
    area=Area.APPSEC, severity=Severity.HIGH, resource="AWS::CodePipeline::Pipeline", best_practices=["SEC11-BP07"],
    task="iam", uses=MODEL_TYPES, sources=LIVE, remediation=_PIPELINE_REMEDIATION,
)
def codepipeline_role(pipeline: Resource, ctx: Context) -> Result:
    """Whoever can change a pipeline's definition or its source acts with the pipeline's role."""
    return _role_judgement(pipeline.prop("RoleArn"), "pipeline", ctx)
