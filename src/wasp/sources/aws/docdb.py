"""Amazon DocumentDB clusters (with the ``tls`` parameter of their cluster parameter group) and their snapshots.

DocumentDB shares the RDS control plane: its API answers DescribeDBClusters for every engine unless told
``engine=docdb``, and its IAM actions are ``rds:*``. The ``rds`` collector skips ``docdb`` clusters and
snapshots so each is judged once, here, as ``AWS::DocDB::DBCluster`` / ``AWS::DocDB::DBClusterSnapshot``
(CloudFormation has no snapshot type; the name follows ``AWS::RDS::DBClusterSnapshot``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of
from wasp.sources.aws.rds import parameter_reader

DOCDB = Service("docdb", label="docdb", actions=[
    "rds:DescribeDBClusters", "rds:DescribeDBClusterParameters", "rds:DescribeDBClusterSnapshots",
    "rds:DescribeDBClusterSnapshotAttributes",
])
ONLY_DOCDB = [{"Name": "engine", "Values": ["docdb"]}]


def _is_docdb(item: dict[str, Any]) -> bool:
    """The engine filter is applied by AWS; checked again so an endpoint that ignores it cannot mislabel RDS."""
    return str(item.get("Engine") or "docdb") == "docdb"


@DOCDB.collects("AWS::DocDB::DBCluster", fan_out=True)
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    """One DescribeDBClusterParameters walk per distinct cluster parameter group, for its ``tls`` value."""
    params = parameter_reader(scope, client.describe_db_cluster_parameters, "DBClusterParameterGroupName")
    for c in scope.paginate(client, "describe_db_clusters", "DBClusters", Filters=ONLY_DOCDB):
        if not _is_docdb(c):
            continue
        group = c.get("DBClusterParameterGroup")
        pending = next((m.get("DBClusterParameterGroupStatus") for m in c.get("DBClusterMembers", [])
                        if m.get("DBClusterParameterGroupStatus") not in (None, "in-sync")), None)
        props = {
            "DBClusterIdentifier": c["DBClusterIdentifier"],
            "EngineVersion": c.get("EngineVersion"),
            "StorageEncrypted": bool(c.get("StorageEncrypted", False)),
            "KmsKeyId": c.get("KmsKeyId"),
            "BackupRetentionPeriod": c.get("BackupRetentionPeriod", 0),
            "DeletionProtection": bool(c.get("DeletionProtection", False)),
            "EnableCloudwatchLogsExports": list(c.get("EnabledCloudwatchLogsExports") or []),
            "Port": c.get("Port"),
            "VpcSecurityGroupIds": [g.get("VpcSecurityGroupId") for g in c.get("VpcSecurityGroups", [])],
            "DBClusterParameterGroupName": group,
            "DBClusterParameters": params(group, ("tls",), pending),
        }
        yield Resource.of("AWS::DocDB::DBCluster", c["DBClusterIdentifier"], arn=c.get("DBClusterArn", ""),
                          properties=props, tags=tags_of(c.get("TagList", [])),
                          observed={"Status": c.get("Status")})


@DOCDB.collects("AWS::DocDB::DBClusterSnapshot", fan_out=True)
def cluster_snapshots(client: Any, scope: Scope) -> Iterator[Resource]:
    """Who may restore each manual snapshot ('all' = public); automated snapshots cannot be shared."""
    for s in scope.paginate(client, "describe_db_cluster_snapshots", "DBClusterSnapshots", Filters=ONLY_DOCDB):
        if not _is_docdb(s):
            continue
        sid = s["DBClusterSnapshotIdentifier"]
        restore: Any = []
        if s.get("SnapshotType") != "automated":
            attrs = scope.fetch(client.describe_db_cluster_snapshot_attributes, DBClusterSnapshotIdentifier=sid,
                                pick=lambda r: r.get("DBClusterSnapshotAttributesResult", {})
                                .get("DBClusterSnapshotAttributes", []))
            restore = attrs if isinstance(attrs, Unknown) else next(
                (list(a.get("AttributeValues") or []) for a in attrs if a.get("AttributeName") == "restore"), [])
        yield Resource.of("AWS::DocDB::DBClusterSnapshot", sid, arn=s.get("DBClusterSnapshotArn", ""), properties={
            "DBClusterSnapshotIdentifier": sid,
            "DBClusterIdentifier": s.get("DBClusterIdentifier"),
            "SnapshotType": s.get("SnapshotType"),
            "Encrypted": bool(s.get("StorageEncrypted", False)),
            "RestoreAttribute": restore,
        }, observed={"SnapshotCreateTime": s.get("SnapshotCreateTime")})
