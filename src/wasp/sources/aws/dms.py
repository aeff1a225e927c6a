"""DMS replication instances, endpoints and replication tasks (AWS::DMS::*), one listing call each.

Endpoint settings blocks are copied as DescribeEndpoints returns them, minus any password field, so the
SSL mode, Neptune IAM authentication, MongoDB authentication and Redis TLS can be judged; task settings
(a JSON text in both the API and CloudFormation) are parsed here, and stay Unknown when they are not JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

DMS = Service("dms", label="dms", actions=[
    "dms:DescribeReplicationInstances", "dms:DescribeEndpoints", "dms:DescribeReplicationTasks"])
SETTINGS_BLOCKS = ("NeptuneSettings", "MongoDbSettings", "RedisSettings", "DocDbSettings")


@DMS.collects("AWS::DMS::ReplicationInstance")
def replication_instances(client: Any, scope: Scope) -> Iterator[Resource]:
    for ri in scope.paginate(client, "describe_replication_instances", "ReplicationInstances"):
        name = ri["ReplicationInstanceIdentifier"]
        yield Resource.of("AWS::DMS::ReplicationInstance", name, arn=ri.get("ReplicationInstanceArn", ""),
                          account=scope.account, region=scope.region, properties={
                              "ReplicationInstanceIdentifier": name,
                              "ReplicationInstanceClass": ri.get("ReplicationInstanceClass"),
                              "EngineVersion": ri.get("EngineVersion"),
                              "PubliclyAccessible": ri.get("PubliclyAccessible"),
                              "MultiAZ": ri.get("MultiAZ"),
                              "AutoMinorVersionUpgrade": ri.get("AutoMinorVersionUpgrade"),
                              "KmsKeyId": ri.get("KmsKeyId"),
                          })


@DMS.collects("AWS::DMS::Endpoint")
def endpoints(client: Any, scope: Scope) -> Iterator[Resource]:
    for ep in scope.paginate(client, "describe_endpoints", "Endpoints"):
        name = ep["EndpointIdentifier"]
        props: dict[str, Any] = {
            "EndpointIdentifier": name,
            # the API says SOURCE/TARGET, CloudFormation source/target: one spelling for rules
            "EndpointType": str(ep.get("EndpointType") or "").lower() or None,
            "EngineName": ep.get("EngineName"),
            "SslMode": ep.get("SslMode"),
            "ServerName": ep.get("ServerName"),
            "Port": ep.get("Port"),
        }
        for block in SETTINGS_BLOCKS:
            if isinstance(ep.get(block), dict):
                props[block] = {k: v for k, v in ep[block].items() if "password" not in k.lower()}
        yield Resource.of("AWS::DMS::Endpoint", name, arn=ep.get("EndpointArn", ""), account=scope.account,
                          region=scope.region, properties=props)


@DMS.collects("AWS::DMS::ReplicationTask")
def replication_tasks(client: Any, scope: Scope) -> Iterator[Resource]:
    for task in scope.paginate(client, "describe_replication_tasks", "ReplicationTasks"):
        name = task["ReplicationTaskIdentifier"]
        yield Resource.of("AWS::DMS::ReplicationTask", name, arn=task.get("ReplicationTaskArn", ""),
                          account=scope.account, region=scope.region, properties={
                              "ReplicationTaskIdentifier": name,
                              "MigrationType": task.get("MigrationType"),
                              "ReplicationInstanceArn": task.get("ReplicationInstanceArn"),
                              "SourceEndpointArn": task.get("SourceEndpointArn"),
                              "TargetEndpointArn": task.get("TargetEndpointArn"),
                              "ReplicationTaskSettings": task_settings(task.get("ReplicationTaskSettings")),
                          })


def task_settings(text: Any) -> Any:
    """The task settings document; DescribeReplicationTasks returns it as JSON text."""
    if text is None or isinstance(text, dict):
        return text
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        return Unknown(f"ReplicationTaskSettings is not JSON: {exc}")
    return value if isinstance(value, dict) else Unknown("ReplicationTaskSettings is not a JSON object")
