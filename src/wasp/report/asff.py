"""AWS Security Finding Format: findings ready for Security Hub ``BatchImportFindings``.

Security Hub needs a product ARN in the account and region it imports into, so global resources
(IAM, the account itself) are reported in a home region. Texts are cut to the service's limits
(title 256, description 1024, recommendation 512 characters); ProductFields carry what ASFF has no
field for (WA best practices, area, responsibility).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from wasp.errors import InputError
from wasp.model import Finding, Severity, Status
from wasp.report.sanitize import json_text_safe

SCHEMA_VERSION = "2018-10-08"
SEVERITY_LABELS = {Severity.CRITICAL: "CRITICAL", Severity.HIGH: "HIGH", Severity.MEDIUM: "MEDIUM",
                   Severity.LOW: "LOW", Severity.INFO: "INFORMATIONAL"}
COMPLIANCE = {Status.PASS: "PASSED", Status.FAIL: "FAILED", Status.UNKNOWN: "NOT_AVAILABLE"}
# CloudFormation type -> ASFF resource type where the names differ from the Aws<Service><Type> rule
ASFF_TYPES = {
    "WASP::Account": "AwsAccount", "WASP::Region": "Other", "AWS::EC2::VPC": "AwsEc2Vpc",
    "AWS::EC2::Volume": "AwsEc2Volume", "AWS::RDS::DBInstance": "AwsRdsDbInstance",
    "AWS::RDS::DBCluster": "AwsRdsDbCluster", "AWS::IAM::ManagedPolicy": "AwsIamPolicy",
    "AWS::KMS::Key": "AwsKmsKey", "AWS::ElasticLoadBalancingV2::LoadBalancer": "AwsElbv2LoadBalancer",
    "AWS::CloudFront::Distribution": "AwsCloudFrontDistribution", "AWS::DynamoDB::Table": "AwsDynamoDbTable",
    "AWS::SecretsManager::Secret": "AwsSecretsManagerSecret", "AWS::ECR::Repository": "AwsEcrRepository",
    "AWS::EKS::Cluster": "AwsEksCluster", "AWS::Logs::LogGroup": "Other", "AWS::CloudWatch::Alarm": "Other",
}


def resource_type(cfn_type: str) -> str:
    """ASFF's resource type for a CloudFormation type: AWS::S3::Bucket -> AwsS3Bucket."""
    if cfn_type in ASFF_TYPES:
        return ASFF_TYPES[cfn_type]
    parts = cfn_type.split("::")
    if len(parts) == 3 and parts[0] == "AWS":
        return "Aws" + parts[1].capitalize() + parts[2]
    return "Other"


def _cut(text: str, limit: int) -> str:
    text = text or "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def finding_to_asff(finding: Finding, account: str, home_region: str, when: datetime,
                    partition: str = "aws") -> dict[str, Any]:
    res = finding.resource
    region = res.region or home_region
    account = res.account or account
    product_arn = f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"
    requirements = ([f"AWS Well-Architected {bp}" for bp in finding.best_practices]
                    + [f"CIS AWS Foundations {c}" for c in finding.cis]
                    + [f"AWS Foundational Security Best Practices {c}" for c in finding.fsbp])
    rec: dict[str, str] = {"Text": _cut(finding.remediation.text, 512)}
    if finding.remediation.url:
        rec["Url"] = finding.remediation.url
    resource: dict[str, Any] = {"Type": resource_type(res.type), "Id": res.arn or res.key,
                                "Partition": partition, "Region": region}
    tags = {str(k)[:128]: str(v)[:256] for k, v in list((res.tags or {}).items())[:50]}
    if tags:
        resource["Tags"] = tags
    details = {"wasp_type": res.type, "wasp_id": res.id, "wasp_name": res.name or res.id}
    if res.location is not None and res.location.source != "live":
        details["wasp_location"] = str(res.location)
    resource["Details"] = {"Other": {k: _cut(v, 1024) for k, v in details.items()}}
    fields = {
        "wasp/check_id": finding.check_id, "wasp/finding_id": finding.id, "wasp/area": finding.area.value,
        "wasp/best_practices": ",".join(finding.best_practices) or "-",
        "wasp/responsibility": finding.responsibility.value, "wasp/status": finding.status.value,
        "wasp/source": finding.source,
    }
    if finding.muted:
        fields["wasp/mute_reason"] = _cut(finding.mute_reason, 1024)
    if finding.status is Status.PASS:
        workflow = "RESOLVED"
    elif finding.muted:
        workflow = "SUPPRESSED"
    else:
        workflow = "NEW"
    stamp = _iso(when)
    out: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": f"wasp/{account}/{region}/{finding.id}",
        "ProductArn": product_arn,
        "ProductName": "wasp",
        "CompanyName": "wasp",
        "GeneratorId": f"wasp/{finding.check_id}",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "FirstObservedAt": stamp,
        "CreatedAt": stamp,
        "UpdatedAt": stamp,
        "Severity": {"Label": SEVERITY_LABELS[finding.severity], "Original": finding.severity.value},
        "Title": _cut(finding.title, 256),
        "Description": _cut(finding.reason, 1024),
        "Remediation": {"Recommendation": rec},
        "ProductFields": fields,
        "Resources": [resource],
        "Compliance": {"Status": COMPLIANCE[finding.status]},
        "Workflow": {"Status": workflow},
        "RecordState": "ACTIVE",
    }
    if requirements:
        out["Compliance"]["RelatedRequirements"] = [_cut(r, 128) for r in requirements[:32]]
    return out


def findings(result: Any, account: str | None = None, home_region: str | None = None) -> list[dict[str, Any]]:
    account = account or result.account or next((f.resource.account for f in result.findings
                                                 if f.resource.account), "")
    if not account:
        raise InputError("ASFF needs an AWS account id and this scan has none (a template scan?): pass --account")
    home = home_region or (result.regions[0] if result.regions else "us-east-1")
    when = result.finished or result.started or datetime.now(UTC)
    return [finding_to_asff(f, account, home, when) for f in result.findings]


def render(result: Any, account: str | None = None, home_region: str | None = None, **_: Any) -> str:
    """The JSON array `aws securityhub batch-import-findings --findings file://...` accepts, one finding a line."""
    account = account or result.account or next((f.resource.account for f in result.findings
                                                 if f.resource.account), "")
    if not account:
        raise InputError("ASFF needs an AWS account id and this scan has none (a template scan?): pass --account")
    home = home_region or (result.regions[0] if result.regions else "us-east-1")
    when = result.finished or result.started or datetime.now(UTC)
    lines = [json.dumps(finding_to_asff(f, account, home, when), ensure_ascii=False) for f in result.findings]
    return json_text_safe("[\n" + ",\n".join(lines) + "\n]\n")
