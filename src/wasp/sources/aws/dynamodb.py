"""DynamoDB tables with point-in-time recovery and server-side encryption settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

DYNAMODB = Service("dynamodb", label="dynamodb", actions=[
    "dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups",
    "dynamodb:ListTagsOfResource",
])


@DYNAMODB.collects("AWS::DynamoDB::Table")
def tables(client: Any, scope: Scope) -> Iterator[Resource]:
    for name in scope.paginate(client, "list_tables", "TableNames"):
        table = scope.fetch(client.describe_table, TableName=name, pick=lambda r: r["Table"])
        if isinstance(table, Unknown):
            yield Resource.of("AWS::DynamoDB::Table", name, arn=scope.arn("dynamodb", f"table/{name}"),
                              properties={"TableName": name, "SSESpecification": table,
                                          "PointInTimeRecoverySpecification": table},
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
        yield Resource.of("AWS::DynamoDB::Table", name, arn=arn, properties=props,
                          tags=tags if isinstance(tags, dict) else {},
                          observed={"TableStatus": table.get("TableStatus"), "ItemCount": table.get("ItemCount"),
                                    # unreadable tags are not "no tags": tag-keyed checks must say UNKNOWN
                                    **({"Tags": tags} if isinstance(tags, Unknown) else {})})


def _pitr(desc: dict[str, Any]) -> dict[str, Any]:
    status = (desc.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    return {"PointInTimeRecoveryEnabled": status == "ENABLED"}
