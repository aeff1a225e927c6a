"""Redshift provisioned clusters (AWS::Redshift::Cluster), with what their parameter group and logging say.

``require_ssl`` lives in the cluster's parameter group, not on the cluster: it is read from the group
(DescribeClusterParameters, once per group however many clusters share it) and stored as the wasp property
``RequireSsl``; a group that could not be read, or that does not list the parameter, gives Unknown, never a
default. Audit logging is read per cluster (DescribeLoggingStatus) into the CloudFormation ``LoggingProperties``
shape (None when logging is off).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

REDSHIFT = Service("redshift", label="redshift", actions=[
    "redshift:DescribeClusters", "redshift:DescribeClusterParameters", "redshift:DescribeLoggingStatus",
])


@REDSHIFT.collects("AWS::Redshift::Cluster", fan_out=True)
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    groups: dict[str, Any] = {}
    for c in scope.paginate(client, "describe_clusters", "Clusters"):
        cid = c["ClusterIdentifier"]
        group = next((g.get("ParameterGroupName") for g in c.get("ClusterParameterGroups") or []), None)
        if group is None:
            require_ssl: Any = Unknown("DescribeClusters named no cluster parameter group")
        else:
            if group not in groups:
                groups[group] = _require_ssl(client, scope, group)
            require_ssl = groups[group]
        props = {
            "ClusterIdentifier": cid,
            "NodeType": c.get("NodeType"),
            "MasterUsername": c.get("MasterUsername"),
            "DBName": c.get("DBName"),
            "PubliclyAccessible": bool(c.get("PubliclyAccessible", False)),
            "Encrypted": bool(c.get("Encrypted", False)),
            "KmsKeyId": c.get("KmsKeyId"),
            "AutomatedSnapshotRetentionPeriod": c.get("AutomatedSnapshotRetentionPeriod", 0),
            "AllowVersionUpgrade": c.get("AllowVersionUpgrade"),
            "EnhancedVpcRouting": bool(c.get("EnhancedVpcRouting", False)),
            "MultiAZ": _multi_az(c),
            "Port": (c.get("Endpoint") or {}).get("Port") or Unknown(
                f"DescribeClusters returned no endpoint port (cluster {c.get('ClusterStatus', 'status unknown')})"),
            "ClusterParameterGroupName": group,
            "ClusterSubnetGroupName": c.get("ClusterSubnetGroupName"),
            "VpcSecurityGroupIds": [g.get("VpcSecurityGroupId") for g in c.get("VpcSecurityGroups") or []],
            "LoggingProperties": scope.fetch(client.describe_logging_status, ClusterIdentifier=cid, pick=_logging),
            "RequireSsl": require_ssl,
        }
        yield Resource.of("AWS::Redshift::Cluster", cid, arn=scope.arn("redshift", f"cluster:{cid}"),
                          properties=props, tags=tags_of(c.get("Tags", [])),
                          observed={"ClusterStatus": c.get("ClusterStatus")})


def _multi_az(cluster: dict[str, Any]) -> bool | Unknown:
    """DescribeClusters says MultiAZ "Enabled"/"Disabled"; an answer without it is not "single AZ"."""
    value = cluster.get("MultiAZ")
    if value is None:
        return Unknown("DescribeClusters returned no MultiAZ for this cluster")
    return str(value).lower() in ("enabled", "true")


def _logging(status: dict[str, Any]) -> dict[str, Any] | None:
    if not status.get("LoggingEnabled"):
        return None
    return {"BucketName": status.get("BucketName") or None, "S3KeyPrefix": status.get("S3KeyPrefix") or None,
            "LogDestinationType": status.get("LogDestinationType") or None,
            "LogExports": list(status.get("LogExports") or [])}


def _require_ssl(client: Any, scope: Scope, group: str) -> bool | Unknown:
    params = scope.fetch_all(client, "describe_cluster_parameters", "Parameters", ParameterGroupName=group)
    if isinstance(params, Unknown):
        return Unknown(f"parameter group {group}: {params.reason}")
    for p in params:
        if p.get("ParameterName") == "require_ssl":
            return str(p.get("ParameterValue", "")).strip().lower() == "true"
    return Unknown(f"parameter group {group} does not list require_ssl")
