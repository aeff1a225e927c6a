"""Neptune DB clusters (AWS::Neptune::DBCluster) and their cluster snapshots, read through the neptune API.

The neptune API shares its endpoint with RDS and answers for RDS and DocumentDB clusters too: both listings
keep engine ``neptune`` only (filtered server side where the API documents a filter, and always here, since a
filter is a convenience, not a contract). Snapshot sharing lives behind one call per manual snapshot;
automated snapshots cannot be shared.
The neptune API returns no tags with either listing and no check needs them yet: they are marked Unknown
rather than empty, so a tag-keyed check says UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

NEPTUNE = Service("neptune", label="neptune", actions=[
    "rds:DescribeDBClusters", "rds:DescribeDBClusterSnapshots", "rds:DescribeDBClusterSnapshotAttributes",
])
ENGINE = [{"Name": "engine", "Values": ["neptune"]}]
TAGS_NOT_READ = "tags of Neptune resources are not read by wasp"


@NEPTUNE.collects("AWS::Neptune::DBCluster")
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    for c in scope.paginate(client, "describe_db_clusters", "DBClusters", Filters=ENGINE):
        if c.get("Engine") != "neptune":
            continue
        props = {
            "DBClusterIdentifier": c["DBClusterIdentifier"],
            "EngineVersion": c.get("EngineVersion"),
            "StorageEncrypted": bool(c.get("StorageEncrypted", False)),
            "KmsKeyId": c.get("KmsKeyId"),
            "EnableCloudwatchLogsExports": list(c.get("EnabledCloudwatchLogsExports") or []),
            "DeletionProtection": bool(c.get("DeletionProtection", False)),
            "BackupRetentionPeriod": c.get("BackupRetentionPeriod", 0),
            "IamAuthEnabled": bool(c.get("IAMDatabaseAuthenticationEnabled", False)),
            "CopyTagsToSnapshot": bool(c.get("CopyTagsToSnapshot", False)),
            "DBSubnetGroupName": c.get("DBSubnetGroup"),
            "VpcSecurityGroupIds": [g.get("VpcSecurityGroupId") for g in c.get("VpcSecurityGroups", [])],
        }
        yield Resource.of("AWS::Neptune::DBCluster", c["DBClusterIdentifier"], arn=c.get("DBClusterArn", ""),
                          properties=props, observed={"Status": c.get("Status"), "Tags": Unknown(TAGS_NOT_READ)})


@NEPTUNE.collects("AWS::Neptune::DBClusterSnapshot", fan_out=True)
def cluster_snapshots(client: Any, scope: Scope) -> Iterator[Resource]:
    """Snapshots have no CloudFormation type; AWS::Neptune::DBClusterSnapshot follows AWS::RDS::DBClusterSnapshot."""
    # the neptune API documents no filter for this listing: RDS and DocumentDB snapshots are skipped here
    for s in scope.paginate(client, "describe_db_cluster_snapshots", "DBClusterSnapshots"):
        if s.get("Engine") != "neptune":
            continue
        sid = s["DBClusterSnapshotIdentifier"]
        props = {
            "DBClusterSnapshotIdentifier": sid,
            "DBClusterIdentifier": s.get("DBClusterIdentifier"),
            "SnapshotType": s.get("SnapshotType"),
            "Encrypted": bool(s.get("StorageEncrypted", False)),
            "KmsKeyId": s.get("KmsKeyId"),
            "RestoreAttribute": _restore(client, scope, sid, s.get("SnapshotType")),
        }
        yield Resource.of("AWS::Neptune::DBClusterSnapshot", sid, arn=s.get("DBClusterSnapshotArn", ""),
                          properties=props, observed={"SnapshotCreateTime": s.get("SnapshotCreateTime"),
                                                      "Tags": Unknown(TAGS_NOT_READ)})


def _restore(client: Any, scope: Scope, sid: str, snapshot_type: str | None) -> list[str] | Unknown:
    """Account ids (or "all" for public) allowed to restore the snapshot; [] for automated snapshots."""
    if snapshot_type == "automated":
        return []
    attrs = scope.fetch(client.describe_db_cluster_snapshot_attributes, DBClusterSnapshotIdentifier=sid,
                        pick=lambda r: r.get("DBClusterSnapshotAttributesResult", {})
                        .get("DBClusterSnapshotAttributes", []))
    if isinstance(attrs, Unknown):
        return attrs
    for attr in attrs:
        if attr.get("AttributeName") == "restore":
            return list(attr.get("AttributeValues") or [])
    return []
