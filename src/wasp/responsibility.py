"""The shared responsibility model: who owns a security task for a given service, and what wasp verified.

Backed by the packaged ``shared_responsibility.json`` table (one letter per service and task: C
customer, A AWS, S shared, - not applicable). Services that table does not list are mapped here, in
one visible place (``SUPPLEMENT``), following its own categories:

- *configuration services* (IAM, Organizations, IAM Identity Center, CloudTrail, Config, GuardDuty,
  Security Hub, Access Analyzer, CloudWatch, Logs, EventBridge, CloudFormation, Systems Manager,
  AWS Backup, CodeBuild, CodePipeline, and account/region settings): AWS runs the service; every security choice made in
  it is the customer's (the catalog's ``always_customer`` list: identities, logging, acting on
  findings, account settings);
- *abstracted services* (Secrets Manager, ACM, CloudFront, ECR, EFS, API Gateway, Cognito, WAF):
  AWS runs hosts, OS and platform; data, access policies, encryption and key choices stay with the
  customer, with encryption mechanisms supplied by AWS (shared) where they are always on;
- *container services* (ElastiCache, Redshift, OpenSearch, DocumentDB, Neptune): like RDS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wasp.catalog import load
from wasp.model import Responsibility, Status
from wasp.once import once

# CloudFormation service segment -> row of the shared responsibility table (packaged or SUPPLEMENT)
SERVICE_ROWS = {
    "EC2": "EC2", "EBS": "EBS", "VPC": "VPC", "ElasticLoadBalancing": "ELB",
    "ElasticLoadBalancingV2": "ELB", "EKS": "ECS/EKS on EC2 nodes", "ECS": "ECS/EKS on EC2 nodes",
    "RDS": "RDS", "EMR": "EMR", "ElasticBeanstalk": "Elastic Beanstalk", "S3": "S3",
    "Glacier": "Glacier", "DynamoDB": "DynamoDB", "SQS": "SQS", "SNS": "SNS", "SES": "SES",
    "Lambda": "Lambda", "KMS": "KMS",
    # services mapped in SUPPLEMENT below
    "IAM": "IAM", "Organizations": "Organizations", "SSO": "IAM Identity Center",
    "IdentityCenter": "IAM Identity Center", "AccessAnalyzer": "IAM Access Analyzer", "CloudTrail": "CloudTrail",
    "Config": "Config", "GuardDuty": "GuardDuty", "SecurityHub": "Security Hub", "CloudWatch": "CloudWatch",
    "Logs": "CloudWatch Logs", "Events": "EventBridge", "CloudFormation": "CloudFormation",
    "SSM": "Systems Manager", "Backup": "AWS Backup", "SecretsManager": "Secrets Manager",
    "CertificateManager": "ACM", "CloudFront": "CloudFront", "ECR": "ECR", "EFS": "EFS",
    "ApiGateway": "API Gateway", "ApiGatewayV2": "API Gateway", "Cognito": "Cognito", "WAFv2": "WAF",
    "ElastiCache": "ElastiCache", "Redshift": "Redshift", "OpenSearchService": "OpenSearch",
    "Elasticsearch": "OpenSearch", "DocDB": "DocumentDB", "Neptune": "Neptune",
    "CodeBuild": "CodeBuild", "CodePipeline": "CodePipeline",
    "Account": "Account and region settings", "Region": "Account and region settings",
    "MSK": "MSK", "Kinesis": "Kinesis", "KinesisFirehose": "Data Firehose", "SageMaker": "SageMaker",
    "AmazonMQ": "Amazon MQ", "FSx": "FSx", "RedshiftServerless": "Redshift", "DMS": "DMS", "Glue": "Glue",
    "Athena": "Athena", "DataSync": "DataSync", "AppSync": "API Gateway", "StepFunctions": "Step Functions",
    "Connect": "Connect", "ServiceCatalog": "Service Catalog", "Transfer": "Transfer Family",
    "WorkSpaces": "WorkSpaces", "NetworkFirewall": "Network Firewall", "Route53": "Route 53",
    "Route53Resolver": "Route 53", "Inspector": "Inspector", "InspectorV2": "Inspector", "Macie": "Macie",
    "ACMPCA": "Private CA", "AutoScaling": "EC2", "Shield": "Shield", "FMS": "Firewall Manager",
    "DirectConnect": "Direct Connect", "WAF": "WAF", "WAFRegional": "WAF", "EMRServerless": "EMR",
    "Template": "CloudFormation", "S3Express": "S3",
    "DAX": "DynamoDB Accelerator",
}
SERVICE_ROWS["KafkaConnect"] = "MSK"  # MSK Connect connectors: run by the MSK service, configured by the customer
TASKS = ("facilities_hw", "guest_os", "platform_patch", "network", "iam", "in_service_auth", "resource_policy",
         "enc_rest", "enc_transit", "keys", "data_class", "backup", "logging", "app")
TASK_TITLES = {
    "facilities_hw": "facilities, hardware, host OS", "guest_os": "guest OS patching and hardening",
    "platform_patch": "engine/runtime patching", "network": "network exposure", "iam": "IAM identities and policies",
    "in_service_auth": "in-service authentication and secrets", "resource_policy": "resource policies and sharing",
    "enc_rest": "encryption at rest", "enc_transit": "encryption in transit", "keys": "key management",
    "data_class": "data classification", "backup": "backup and recovery", "logging": "logging and monitoring",
    "app": "application code and configuration",
}
_LETTER = {"C": Responsibility.CUSTOMER, "A": Responsibility.AWS, "S": Responsibility.SHARED}


def _row(service: str, category: str, letters: str, notes: str) -> dict[str, str]:
    """A table row from 14 letters in TASKS order (kept compact so the whole mapping reads at a glance)."""
    assert len(letters) == len(TASKS), service
    return {"service": service, "category": category, **dict(zip(TASKS, letters, strict=True)), "notes": notes}


_LOGS = "AAA-C-CC-C-CC-"  # log-producing configuration services: KMS, retention and delivery are the customer's
_FINDINGS = "AAA-C-------C-"  # detective services: turning them on and acting on findings
_CONTAINER = "AASCCCCCCSCCCC"  # managed engines on an AWS-run OS, as RDS
SUPPLEMENT: dict[str, dict[str, str]] = {r["service"]: r for r in (
    _row("IAM", "configuration", "AAA-CCC-C---C-", "identities, credentials, policies, trust, MFA: all customer"),
    _row("Organizations", "configuration", "AAACC-C---CCC-", "account structure, SCPs/RCPs, tag/backup policies"),
    _row("IAM Identity Center", "configuration", "AAA-CC-S-S--C-", "workforce identities, permission sets, MFA"),
    _row("IAM Access Analyzer", "configuration", "AAA-C-C-----C-", "analyzers per region, acting on findings"),
    _row("CloudTrail", "configuration", _LOGS, "trails, log file validation, KMS, retention and monitoring"),
    _row("Config", "configuration", _LOGS, "recorders, rules, delivery channel"),
    _row("GuardDuty", "configuration", _FINDINGS, "enabling detectors and acting on findings"),
    _row("Security Hub", "configuration", _FINDINGS, "standards, aggregation, acting on findings"),
    _row("CloudWatch", "configuration", _FINDINGS, "alarms and their actions"),
    _row("CloudWatch Logs", "configuration", _LOGS, "retention, KMS, metric filters, subscriptions"),
    _row("EventBridge", "configuration", "AAA-C-C-----CC", "rules, targets and bus policies"),
    _row("CloudFormation", "configuration", "AAA-C-C---C-CC", "templates, outputs, stack roles: customer content"),
    _row("Systems Manager", "configuration", "ACA-CCCSSCC-CC", "patching managed instances is the customer's"),
    _row("AWS Backup", "configuration", "AAA-C-CC-CCCC-", "plans, selections, vault policy, lock and copies"),
    _row("CodeBuild", "configuration", "AAA-C-C-CSC-CC", "build specs, service roles, images, log and artifact keys"),
    _row("CodePipeline", "configuration", "AAA-C-C--SC-CC", "stages, service role, artifact store and its key"),
    _row("Account and region settings", "configuration", "A--CCCCC-CCCC-",
         "root user, contacts, password policy, account-wide defaults (S3 BPA, EBS encryption)"),
    _row("Secrets Manager", "abstracted", "AAA-CCCSSCC-CC", "AWS always encrypts; rotation and access are yours"),
    _row("ACM", "abstracted", "AAA-C-C-CS--C-", "AWS renews and stores private keys; using TLS is yours"),
    _row("CloudFront", "abstracted", "AAASC-C-C---CC", "viewer TLS policy, origins, WAF, logging"),
    _row("ECR", "abstracted", "AAA-C-CSSCC-CC", "image content, scanning and repository policies"),
    _row("EFS", "abstracted", "AAACC-CCCSCCC-", "mount targets and SGs, encryption, access points"),
    _row("API Gateway", "abstracted", "AAACCCCSCSC-CC", "authorizers, resource policies, TLS, logging"),
    _row("Cognito", "abstracted", "AAA-CCCSSSC-CC", "user pools, MFA, app clients"),
    _row("WAF", "abstracted", "AAA-C-C-----CC", "rules and their scope"),
    _row("ElastiCache", "container", _CONTAINER, "like RDS: AWS patches the OS; engine versions, auth, TLS"),
    _row("Redshift", "container", _CONTAINER, "like RDS"),
    _row("OpenSearch", "container", _CONTAINER, "like RDS"),
    _row("DocumentDB", "container", _CONTAINER, "like RDS"),
    _row("Neptune", "container", _CONTAINER, "like RDS"),
    _row("MSK", "container", _CONTAINER, "like RDS: AWS runs the brokers; client auth, TLS, versions are yours"),
    _row("Amazon MQ", "container", _CONTAINER, "like RDS: AWS runs the brokers; users, TLS, versions are yours"),
    _row("DMS", "container", _CONTAINER, "replication instances and endpoints: SSL mode, keys, exposure"),
    _row("Kinesis", "abstracted", "AAA-C-CCSCC-CC", "stream encryption, resource policies, consumers"),
    _row("Data Firehose", "abstracted", "AAA-C--CSCC-CC", "delivery stream encryption and destinations"),
    _row("SageMaker", "container", "ASSCCCCCSCCCCC", "notebooks, endpoints and models: network, keys, root access"),
    _row("FSx", "abstracted", "AAACC-CCCSCCC-", "like EFS: network, encryption, backups"),
    _row("Glue", "abstracted", "AAACC-CCSCC-CC", "security configurations, catalog policy, job code"),
    _row("Athena", "abstracted", "AAA-C--CSCC-CC", "workgroups, result encryption and location"),
    _row("DataSync", "abstracted", "AAACC--CSC--CC", "agents, locations and task logging"),
    _row("Step Functions", "abstracted", "AAA-C--C-C--CC", "state machine roles, logging and encryption"),
    _row("Connect", "abstracted", "AAA-CC-CSCC-CC", "instance storage, logging and agent access"),
    _row("Service Catalog", "configuration", "AAA-C-C-----CC", "portfolios and their sharing"),
    _row("Transfer Family", "abstracted", "AAACCCCCSCC-CC", "servers, protocols, identity providers"),
    _row("WorkSpaces", "container", "ACSCCCCCSCCCCC", "the desktop OS is the customer's; volumes and access"),
    _row("Network Firewall", "configuration", "AAAC--C-----CC", "firewall policies, rule groups, logging"),
    _row("Route 53", "configuration", "AAA-C-C-----CC", "zones, query logging, DNSSEC"),
    _row("Inspector", "configuration", _FINDINGS, "enabling scans and acting on findings"),
    _row("Macie", "configuration", _FINDINGS, "enabling discovery jobs and acting on findings"),
    _row("Private CA", "configuration", "AAA-C-C--C--C-", "CA hierarchy, key usage, revocation"),
    _row("Shield", "configuration", _FINDINGS, "Shield Advanced protections and response"),
    _row("Firewall Manager", "configuration", _FINDINGS, "organization-wide security policies"),
    _row("Direct Connect", "configuration", "AAAC----S---C-", "connections, MACsec or VPN encryption"),
    _row("DynamoDB Accelerator", "container", "AASCC--CCAC-CC", "subnets and SGs, encryption chosen at creation"),
)}
# sub-types of EC2 that the table lists as services of their own
_EC2_SPLIT = {"Volume": "EBS", "Snapshot": "EBS", "Image": "EBS", "EBSEncryptionByDefault": "EBS", "VPC": "VPC",
              "Subnet": "VPC", "SecurityGroup": "VPC", "NetworkAcl": "VPC", "RouteTable": "VPC",
              "FlowLog": "VPC", "InternetGateway": "VPC", "NatGateway": "VPC", "VPCEndpoint": "VPC",
              "TransitGateway": "VPC", "TransitGatewayAttachment": "VPC", "VPNConnection": "VPC",
              "ClientVpnEndpoint": "VPC", "VPCPeeringConnection": "VPC", "VPNGateway": "VPC",
              "CustomerGateway": "VPC", "EIP": "VPC"}


@once
def table() -> dict[str, dict[str, str]]:
    rows = {row["service"]: row for row in load("shared_responsibility")["table"]}
    return {**SUPPLEMENT, **rows}


def service_of(resource_type: str) -> str | None:
    """The row name of the shared responsibility table that governs a resource type."""
    parts = resource_type.split("::")
    service = parts[1] if len(parts) > 1 else resource_type
    if service == "EC2" and len(parts) > 2 and parts[2] in _EC2_SPLIT:
        return _EC2_SPLIT[parts[2]]
    return SERVICE_ROWS.get(service)


def row_for(resource_type: str) -> dict[str, str] | None:
    name = service_of(resource_type)
    return table().get(name) if name else None


def owner(resource_type: str, task: str) -> Responsibility | None:
    """Who owns the task for this type; None when the task does not apply (or the type is unmapped)."""
    row = row_for(resource_type)
    return _LETTER.get(row.get(task, "")) if row else None


def responsibility_for(resource_type: str, task: str, default: Responsibility) -> Responsibility:
    return owner(resource_type, task) or default


# ---- what wasp verified, per service and task -------------------------------------------------------------------

@dataclass
class TaskPosture:
    task: str
    owner: Responsibility | None
    checks: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)  # checks with at least one FAIL
    passed: int = 0
    failed: int = 0
    unknown: int = 0

    @property
    def status(self) -> str:
        """verified / failed / unknown / not verified (no check) / no resource judged / aws."""
        if self.owner is Responsibility.AWS:
            return "aws"
        if self.failed:
            return "failed"
        if self.unknown:
            return "unknown"
        if self.passed:
            return "verified"
        return "no check" if not self.checks else "not judged"

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "title": TASK_TITLES[self.task],
                "owner": self.owner.value if self.owner else None, "status": self.status,
                "pass": self.passed, "fail": self.failed, "unknown": self.unknown, "checks": self.checks,
                "failing_checks": sorted(self.failing)}


@dataclass
class ServicePosture:
    service: str
    category: str
    resource_types: list[str]
    resources: int
    tasks: list[TaskPosture]

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "category": self.category, "resource_types": self.resource_types,
                "resources": self.resources, "tasks": [t.to_json() for t in self.tasks]}


def posture(resource_types: Iterable[tuple[str, int]], findings: Iterable[Any],
            checks: Iterable[Any]) -> list[ServicePosture]:
    """For each service present (types with their resource counts), each applicable task with its owner
    and what the findings say about the customer's share of it."""
    by_service: dict[str, dict[str, int]] = {}
    for type_, count in resource_types:
        name = service_of(type_)
        if name is not None and count:
            by_service.setdefault(name, {})[type_] = count
    check_list = list(checks)
    findings = [f for f in findings if not getattr(f, "muted", False)]
    out: list[ServicePosture] = []
    for name in sorted(by_service):
        row = table()[name]
        types = by_service[name]
        tasks: list[TaskPosture] = []
        for task in TASKS:
            letter = row.get(task, "-")
            if letter not in _LETTER:
                continue
            tp = TaskPosture(task, _LETTER[letter])
            tp.checks = sorted({c.id for c in check_list if c.task == task and service_of(c.resource) == name})
            for f in findings:
                if f.check_id in tp.checks and service_of(f.resource.type) == name:
                    if f.status is Status.PASS:
                        tp.passed += 1
                    elif f.status is Status.FAIL:
                        tp.failed += 1
                        if f.check_id not in tp.failing:
                            tp.failing.append(f.check_id)
                    else:
                        tp.unknown += 1
            tasks.append(tp)
        out.append(ServicePosture(name, row.get("category", ""), sorted(types), sum(types.values()), tasks))
    return out
