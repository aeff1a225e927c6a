"""DynamoDB tables with point-in-time recovery, server-side encryption, deletion protection and auto scaling.

Auto scaling is not a table setting: it is an Application Auto Scaling scalable target plus a scaling policy
per capacity dimension. Both are listed once per region, and only when some table uses provisioned capacity
(on-demand tables scale by themselves); the table's read and write dimensions are then looked up in them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

DYNAMODB = Service("dynamodb", label="dynamodb", actions=[
    "dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups",
    "dynamodb:ListTagsOfResource", "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
])
DIMENSIONS = {"ReadCapacityUnits": "dynamodb:table:ReadCapacityUnits",
              "WriteCapacityUnits": "dynamodb:table:WriteCapacityUnits"}


@DYNAMODB.collects("AWS::DynamoDB::Table")
def tables(client: Any, scope: Scope) -> Iterator[Resource]:
    scaling: _Scaling | None = None
    for name in scope.paginate(client, "list_tables", "TableNames"):
        table = scope.fetch(client.describe_table, TableName=name, pick=lambda r: r["Table"])
        if isinstance(table, Unknown):
            yield Resource.of("AWS::DynamoDB::Table", name, arn=scope.arn("dynamodb", f"table/{name}"),
                              properties={"TableName": name, "SSESpecification": table,
                                          "PointInTimeRecoverySpecification": table, "BillingMode": table,
                                          "DeletionProtectionEnabled": table},
                              observed={"Tags": table})
            continue
        arn = table.get("TableArn", "")
        sse = table.get("SSEDescription") or {}
        pitr = scope.fetch(client.describe_continuous_backups, TableName=name,
                           pick=lambda r: _pitr(r["ContinuousBackupsDescription"]))
        tags = scope.fetch(client.list_tags_of_resource, ResourceArn=arn, default={},
                           pick=lambda r: tags_of(r.get("Tags", [])))
        props = {
            "TableName": name,
            # absent SSEDescription = encrypted with an AWS owned key (DynamoDB always encrypts at rest)
            "SSESpecification": {"SSEEnabled": sse.get("Status") in {"ENABLED", "ENABLING", "UPDATING"},
                                 "SSEType": sse.get("SSEType"), "KMSMasterKeyId": sse.get("KMSMasterKeyArn")},
            "PointInTimeRecoverySpecification": pitr,
            "DeletionProtectionEnabled": bool(table.get("DeletionProtectionEnabled", False)),
            "BillingMode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
        }
        if props["BillingMode"] == "PROVISIONED":
            scaling = scaling or _Scaling(scope)
            props["AutoScaling"] = scaling.of(name)
        yield Resource.of("AWS::DynamoDB::Table", name, arn=arn, properties=props,
                          tags=tags if isinstance(tags, dict) else {},
                          observed={"TableStatus": table.get("TableStatus"), "ItemCount": table.get("ItemCount"),
                                    # unreadable tags are not "no tags": tag-keyed checks must say UNKNOWN
                                    **({"Tags": tags} if isinstance(tags, Unknown) else {})})


def _pitr(desc: dict[str, Any]) -> dict[str, Any]:
    status = (desc.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    return {"PointInTimeRecoveryEnabled": status == "ENABLED"}


class _Scaling:
    """The region's DynamoDB scalable targets and scaling policies, read once on first need."""

    def __init__(self, scope: Scope) -> None:
        client = scope.client("application-autoscaling")
        self.targets = scope.fetch_all(client, "describe_scalable_targets", "ScalableTargets",
                                       ServiceNamespace="dynamodb")
        self.policies = scope.fetch_all(client, "describe_scaling_policies", "ScalingPolicies",
                                        ServiceNamespace="dynamodb")

    def of(self, table: str) -> dict[str, bool] | Unknown:
        """Per capacity dimension: a scalable target with at least one scaling policy (a target alone never scales)."""
        for listed in (self.targets, self.policies):
            if isinstance(listed, Unknown):
                return Unknown(f"auto scaling: {listed.reason}")
        rid = f"table/{table}"
        targets = {t.get("ScalableDimension") for t in self.targets if t.get("ResourceId") == rid}  # type: ignore[union-attr]
        policies = {p.get("ScalableDimension") for p in self.policies if p.get("ResourceId") == rid}  # type: ignore[union-attr]
        return {key: dim in targets and dim in policies for key, dim in DIMENSIONS.items()}
