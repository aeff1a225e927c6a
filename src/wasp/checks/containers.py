"""Container, serverless and build checks that need a table, a second resource type or a filter, not one property.

EKS versions are judged against the EKS release calendar (kept here, dated); a VPC Lambda function's
Availability Zones come from the subnets it names, so that check reads ``AWS::EC2::Subnet`` records; CodeBuild
variables are scanned for secrets only where they hold clear text (PLAINTEXT), not secret-store references.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown
from wasp.secrets import scan_mapping

# EKS end of standard support by Kubernetes minor version (Amazon EKS release calendar); extended support
# lasts twelve months more. Versions before the first entry left every support long ago.
EKS_STANDARD_SUPPORT_END = {
    "1.23": "2023-10-11", "1.24": "2024-01-31", "1.25": "2024-05-01", "1.26": "2024-06-11",
    "1.27": "2024-07-24", "1.28": "2024-11-26", "1.29": "2025-03-23", "1.30": "2025-07-23",
    "1.31": "2025-11-26", "1.32": "2026-03-23", "1.33": "2026-07-29", "1.34": "2026-12-02",
    "1.35": "2027-03-27",
}
LAMBDA_MIN_AZS = 2  # Security Hub's default for Lambda.5 (parameter availabilityZones)


def _minor(version: str) -> tuple[int, int] | None:
    m = re.match(r"^(\d+)\.(\d+)", version)
    return (int(m.group(1)), int(m.group(2))) if m else None


@check(
    id="eks_cluster_supported_version", title="EKS clusters run a Kubernetes version in standard support",
    area=Area.INFRASTRUCTURE, severity=Severity.HIGH, resource="AWS::EKS::Cluster",
    best_practices=["SEC06-BP01"], fsbp=["EKS.2"], task="platform_patch",
    remediation=Remediation(
        text="Upgrade the control plane one minor version at a time to a version in standard support, then the "
             "node groups and add-ons.",
        cli="aws eks update-cluster-version --name <cluster> --kubernetes-version <next-minor>",
        cloudformation="Version: '1.35'", terraform='version = "1.35"',
        url="https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html"),
)
def eks_supported_version(cluster: Resource, ctx: Context) -> Result:
    """A version past standard support gets fixes only under paid extended support, and is upgraded by force
    when that ends. wasp fails a version once its standard support has ended (the EKS release calendar, kept
    in wasp), as Security Hub's EKS.2 does; a version newer than wasp's calendar passes."""
    version: Any = cluster.prop("Version")
    if is_unknown(version):
        return Result.unknown(version)
    if version is None:
        return Result.passed("Version not set: EKS creates the cluster on its default version (in standard support)")
    minor = _minor(str(version))
    if minor is None:
        return Result.unknown(f"Version {version!r} is not a Kubernetes version")
    known = sorted((_minor(v), v, end) for v, end in EKS_STANDARD_SUPPORT_END.items())
    if minor > known[-1][0]:  # type: ignore[operator]
        return Result.passed(f"Kubernetes {version} is newer than every version of wasp's calendar")
    if minor < known[0][0]:  # type: ignore[operator]
        return Result.failed(f"Kubernetes {version} left EKS support before {known[0][2]}", {"Version": version})
    end = EKS_STANDARD_SUPPORT_END.get(f"{minor[0]}.{minor[1]}")
    if end is None:
        return Result.unknown(f"Kubernetes {version} is not in wasp's EKS calendar")
    extended = f"{int(end[:4]) + 1}{end[4:]}"
    if ctx.now.date() >= date.fromisoformat(end):
        return Result.failed(f"Kubernetes {version} left standard support on {end} (extended support until "
                             f"{extended})", {"Version": version, "standard_support_end": end})
    return Result.passed(f"Kubernetes {version} is in standard support until {end}")


@check(
    id="lambda_vpc_multi_az", title="VPC Lambda functions run in at least two Availability Zones",
    area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource="AWS::Lambda::Function",
    best_practices=["SEC05-BP01"], fsbp=["Lambda.5"], task="network", uses=["AWS::EC2::Subnet"],
    remediation=Remediation(
        text="Attach the function to subnets in at least two Availability Zones.",
        cli="aws lambda update-function-configuration --function-name <fn> "
            "--vpc-config SubnetIds=<subnet-az-a>,<subnet-az-b>,SecurityGroupIds=<sg>",
        cloudformation="VpcConfig: {SubnetIds: [!Ref SubnetA, !Ref SubnetB], SecurityGroupIds: [...]}",
        terraform="vpc_config { subnet_ids = [aws_subnet.a.id, aws_subnet.b.id] ... }",
        url="https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html"),
)
def lambda_vpc_multi_az(fn: Resource, ctx: Context) -> Result | None:
    """A VPC function whose subnets all sit in one Availability Zone stops when that zone fails, security
    responders' automation included. Functions outside a VPC are not judged (Security Hub's Lambda.5)."""
    subnets: Any = fn.prop("VpcConfig.SubnetIds")
    if is_unknown(subnets):
        return Result.unknown(subnets)
    if not subnets:
        return None
    if not isinstance(subnets, list):
        return Result.unknown("VpcConfig.SubnetIds is not a list")
    known = {s.id: s for s in ctx.of_type("AWS::EC2::Subnet", region=fn.region or None)}
    zones: set[str] = set()
    for sid in subnets:
        subnet = known.get(str(sid)) if isinstance(sid, str) else None
        zone = subnet.prop("AvailabilityZone") if subnet is not None else None
        if subnet is None or is_unknown(zone) or not isinstance(zone, str):
            return Result.unknown(f"the Availability Zone of subnet {sid} is not known")
        zones.add(zone)
    if len(zones) >= LAMBDA_MIN_AZS:
        return Result.passed(f"subnets span {len(zones)} Availability Zones ({', '.join(sorted(zones))})")
    return Result.failed(f"every subnet of the function is in {', '.join(sorted(zones))} "
                         f"(fewer than {LAMBDA_MIN_AZS} Availability Zones)", {"zones": sorted(zones)})


CODEBUILD_KEY_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


@check(
    id="codebuild_project_environment_no_secrets", title="CodeBuild environment variables hold no clear-text "
    "credentials", area=Area.DATA, severity=Severity.CRITICAL, resource="AWS::CodeBuild::Project",
    best_practices=["SEC02-BP03", "SEC11-BP07"], fsbp=["CodeBuild.2"], task="app",
    remediation=Remediation(
        text="Store the value in Secrets Manager or SSM Parameter Store and reference it with Type SECRETS_MANAGER "
             "or PARAMETER_STORE; give AWS access through the service role, never keys; rotate the exposed value.",
        cloudformation="EnvironmentVariables: [{Name: DB_PASSWORD, Type: SECRETS_MANAGER, Value: 'prod/db:password'}]",
        terraform='environment_variable { name = "DB_PASSWORD" type = "SECRETS_MANAGER" value = "prod/db:password" }',
        url="https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager"),
)
def codebuild_environment_secrets(project: Resource, ctx: Context) -> Result:
    """PLAINTEXT variables are shown to anyone who can read the project and in every build's details. As
    Security Hub, wasp fails AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in clear; it also scans every PLAINTEXT
    value for credentials (wasp.secrets). Variables that reference a secret store are not secrets."""
    variables: Any = project.prop("Environment.EnvironmentVariables")
    if is_unknown(variables):
        return Result.unknown(variables)
    if not variables:
        return Result.passed("the project has no environment variables")
    if not isinstance(variables, list):
        return Result.unknown("Environment.EnvironmentVariables is not a list")
    plain: dict[str, Any] = {}
    for v in variables:
        kind = v.get("Type", "PLAINTEXT") if isinstance(v, dict) else None
        if is_unknown(kind) or not isinstance(v, dict) or not isinstance(v.get("Name"), str):
            return Result.unknown("an environment variable could not be resolved")
        if kind in (None, "PLAINTEXT"):
            plain[v["Name"]] = v.get("Value")
    named = sorted(n for n in plain if n.upper() in CODEBUILD_KEY_NAMES)
    unresolved = [n for n, value in plain.items() if is_unknown(value)]
    hits = scan_mapping({n: v for n, v in plain.items() if not is_unknown(v)}, "Environment.EnvironmentVariables")
    if named or hits:
        kinds = sorted({h.kind for h in hits})
        places = sorted({h.where for h in hits} | {f"Environment.EnvironmentVariables.{n}" for n in named})
        return Result.failed(f"clear-text credentials in {', '.join(places[:5])}"
                             f"{' (' + ', '.join(kinds) + ')' if kinds else ''}",
                             {"secrets": [h.to_json() for h in hits], "names": named})
    if unresolved:
        return Result.unknown(f"the value of {', '.join(sorted(unresolved))} could not be resolved")
    return Result.passed(f"no clear-text credential in {len(plain)} PLAINTEXT variable(s)")
