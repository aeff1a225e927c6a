"""The shared responsibility model: who owns a security task for a given service.

Backed by the packaged ``shared_responsibility.json`` table (one letter per service and task).
Services absent from the table (IAM, CloudTrail, Config, account settings...) are configuration the
customer owns: the catalog's ``always_customer`` list says so.
"""

from __future__ import annotations

from functools import cache

from wasp.catalog import load
from wasp.model import Responsibility

# CloudFormation service segment -> row of the shared responsibility table
SERVICE_ROWS = {
    "EC2": "EC2", "EBS": "EBS", "VPC": "VPC", "ElasticLoadBalancing": "ELB",
    "ElasticLoadBalancingV2": "ELB", "EKS": "ECS/EKS on EC2 nodes", "ECS": "ECS/EKS on EC2 nodes",
    "RDS": "RDS", "EMR": "EMR", "ElasticBeanstalk": "Elastic Beanstalk", "S3": "S3",
    "Glacier": "Glacier", "DynamoDB": "DynamoDB", "SQS": "SQS", "SNS": "SNS", "SES": "SES",
    "Lambda": "Lambda", "KMS": "KMS",
}
_LETTER = {"C": Responsibility.CUSTOMER, "A": Responsibility.AWS, "S": Responsibility.SHARED}


@cache
def table() -> dict[str, dict[str, str]]:
    return {row["service"]: row for row in load("shared_responsibility")["table"]}


def row_for(resource_type: str) -> dict[str, str] | None:
    parts = resource_type.split("::")
    service = parts[1] if len(parts) > 1 else resource_type
    if service == "EC2" and len(parts) > 2 and parts[2] in {"Volume", "Snapshot", "EBSEncryptionByDefault"}:
        service = "EBS"
    if service == "EC2" and len(parts) > 2 and parts[2] in {"VPC", "Subnet", "SecurityGroup", "NetworkAcl",
                                                            "RouteTable", "FlowLog", "InternetGateway"}:
        service = "VPC"
    name = SERVICE_ROWS.get(service)
    return table().get(name) if name else None


def responsibility_for(resource_type: str, task: str, default: Responsibility) -> Responsibility:
    row = row_for(resource_type)
    if row is None:
        return default
    return _LETTER.get(row.get(task, ""), default)
