"""Secrets left in clear where anyone with read access to the configuration can see them.

EC2 user data, Lambda environment variables and CloudFormation outputs/parameters are readable with
Describe/Get permissions that many roles hold; a credential there is as good as published inside
the account. Detection is ``wasp.secrets`` (detect-secrets plugins); findings carry only redacted
values: kind, length and location.
"""

from __future__ import annotations

from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown
from wasp.secrets import SecretHit, scan_mapping, scan_text


def _report(hits: list[SecretHit], where: str) -> Result:
    if not hits:
        return Result.passed(f"no secret found in {where}")
    kinds = sorted({h.kind for h in hits})
    places = sorted({h.where for h in hits})
    return Result.failed(f"{len(hits)} secret(s) in {where} ({', '.join(kinds)}) at {', '.join(places[:5])}"
                         f"{' ...' if len(places) > 5 else ''}", {"secrets": [h.to_json() for h in hits]})


@check(id="ec2_instance_user_data_secrets", title="EC2 user data holds no secrets", area=Area.DATA,
       severity=Severity.HIGH, resource="AWS::EC2::Instance", best_practices=["SEC02-BP03"], task="app",
       remediation=Remediation(text="Move the secret to Secrets Manager or SSM Parameter Store (SecureString), read "
                                    "it at boot with the instance role, rotate the exposed value now.",
                               url="https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html"))
def user_data_secrets(instance: Resource, ctx: Context) -> Result:
    """User data is readable by anyone with ec2:DescribeInstanceAttribute and from inside the instance (IMDS)."""
    text: Any = instance.prop("UserData")
    if is_unknown(text):
        return Result.unknown(text)
    if not text:
        return Result.passed("the instance has no user data")
    if not isinstance(text, str):
        return Result.unknown("user data is not text (unresolved template expression or binary)")
    return _report(scan_text(text, "UserData"), "user data")


@check(id="lambda_function_environment_secrets", title="Lambda environment variables hold no secrets",
       area=Area.DATA, severity=Severity.HIGH, resource="AWS::Lambda::Function", best_practices=["SEC02-BP03"],
       task="app",
       remediation=Remediation(text="Store the secret in Secrets Manager and fetch it at run time (or use the "
                                    "Parameters and Secrets extension); rotate the exposed value now."))
def lambda_environment_secrets(function: Resource, ctx: Context) -> Result:
    """Environment variables are shown in clear to anyone with lambda:GetFunctionConfiguration."""
    env: Any = function.prop("Environment.Variables")
    if is_unknown(env):
        return Result.unknown(env)
    if not env:
        return Result.passed("the function has no environment variables")
    if not isinstance(env, dict):
        return Result.unknown("environment variables are not a name/value map")
    return _report(scan_mapping(env, "Environment.Variables"), "environment variables")


@check(id="cloudformation_stack_output_secrets", title="CloudFormation stack outputs and parameters hold no secrets",
       area=Area.DATA, severity=Severity.HIGH, resource="AWS::CloudFormation::Stack", best_practices=["SEC02-BP03"],
       task="app", sources=("live", "snapshot"),
       remediation=Remediation(text="Do not output secrets; use NoEcho parameters or dynamic references "
                                    "({{resolve:secretsmanager:...}}) and rotate the exposed value."))
def stack_output_secrets(stack: Resource, ctx: Context) -> Result:
    """Stack outputs and plain parameters are visible to anyone with cloudformation:DescribeStacks."""
    outputs, params = stack.prop("Outputs"), stack.prop("Parameters")
    for value in (outputs, params):
        if is_unknown(value):
            return Result.unknown(value)
    hits = scan_mapping({str(o.get("OutputKey")): o.get("OutputValue") for o in outputs or []
                         if isinstance(o, dict)}, "Outputs")
    hits += scan_mapping({k: v for k, v in (params or {}).items() if v != "****"}, "Parameters")
    return _report(hits, "stack outputs and parameters")


@check(id="template_hardcoded_secrets",
       title="Templates hold no secrets in parameter defaults, variable defaults or provider blocks",
       area=Area.DATA, severity=Severity.HIGH, resource="WASP::Template", best_practices=["SEC02-BP03"],
       task="app", sources=("cloudformation", "terraform"),
       remediation=Remediation(
           text="Remove the value from the template and rotate it. Read secrets at deploy time: CloudFormation "
                "dynamic references ({{resolve:secretsmanager:...}}), Terraform data sources "
                "(aws_secretsmanager_secret_version) or variables given at apply time; let the AWS provider read "
                "credentials from the environment or a profile, never from the provider block.",
           cloudformation="MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'",
           terraform='data "aws_secretsmanager_secret_version" "db" { secret_id = "prod/db" }',
           url="https://docs.aws.amazon.com/secretsmanager/latest/userguide/cfn-example_reference-secret.html"))
def template_secrets(template: Resource, ctx: Context) -> Result:
    """A default or provider key ships with every clone of the repository; NoEcho and sensitive hide it only
    in consoles and plans, not in the file."""
    literals = template.prop("Literals")
    if is_unknown(literals):
        return Result.unknown(literals)
    return _report(scan_mapping(literals or {}), f"{template.name} (parameters, variables, providers)")
