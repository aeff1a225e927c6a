"""RDS instances, clusters and their snapshots, with snapshot sharing (restore) attributes.

Snapshot sharing lives behind a separate call per snapshot; it is read for manual snapshots only
(automated ones cannot be shared), and a failed read becomes Unknown rather than "private".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

RDS = Service("rds", label="rds", actions=[
    "rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:DescribeDBSnapshots",
    "rds:DescribeDBClusterSnapshots", "rds:DescribeDBSnapshotAttributes",
    "rds:DescribeDBClusterSnapshotAttributes",
])


@RDS.collects("AWS::RDS::DBInstance")
def instances(client: Any, scope: Scope) -> Iterator[Resource]:
    for db in scope.paginate(client, "describe_db_instances", "DBInstances"):
        props = {
            "DBInstanceIdentifier": db["DBInstanceIdentifier"],
            "DBInstanceClass": db.get("DBInstanceClass"),
            "Engine": db.get("Engine"),
            "EngineVersion": db.get("EngineVersion"),
            "DBClusterIdentifier": db.get("DBClusterIdentifier"),
            "PubliclyAccessible": bool(db.get("PubliclyAccessible", False)),
            "StorageEncrypted": bool(db.get("StorageEncrypted", False)),
            "KmsKeyId": db.get("KmsKeyId"),
            "BackupRetentionPeriod": db.get("BackupRetentionPeriod", 0),
            "DeletionProtection": bool(db.get("DeletionProtection", False)),
            "MultiAZ": bool(db.get("MultiAZ", False)),
            "AutoMinorVersionUpgrade": db.get("AutoMinorVersionUpgrade"),
            "EnableIAMDatabaseAuthentication": db.get("IAMDatabaseAuthenticationEnabled"),
            "VPCSecurityGroups": [g.get("VpcSecurityGroupId") for g in db.get("VpcSecurityGroups", [])],
            "DBSubnetGroupName": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
        }
        yield Resource.of("AWS::RDS::DBInstance", db["DBInstanceIdentifier"], arn=db.get("DBInstanceArn", ""),
                          properties=props, tags=tags_of(db.get("TagList", [])),
                          observed={"DBInstanceStatus": db.get("DBInstanceStatus"),
                                    "Endpoint": db.get("Endpoint")})


@RDS.collects("AWS::RDS::DBCluster")
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    for c in scope.paginate(client, "describe_db_clusters", "DBClusters"):
        props = {
            "DBClusterIdentifier": c["DBClusterIdentifier"],
            "Engine": c.get("Engine"),
            "EngineVersion": c.get("EngineVersion"),
            "StorageEncrypted": bool(c.get("StorageEncrypted", False)),
            "KmsKeyId": c.get("KmsKeyId"),
            "BackupRetentionPeriod": c.get("BackupRetentionPeriod", 0),
            "DeletionProtection": bool(c.get("DeletionProtection", False)),
            "PubliclyAccessible": c.get("PubliclyAccessible"),
            "EnableIAMDatabaseAuthentication": c.get("IAMDatabaseAuthenticationEnabled"),
            "VpcSecurityGroupIds": [g.get("VpcSecurityGroupId") for g in c.get("VpcSecurityGroups", [])],
        }
        yield Resource.of("AWS::RDS::DBCluster", c["DBClusterIdentifier"], arn=c.get("DBClusterArn", ""),
                          properties=props, tags=tags_of(c.get("TagList", [])),
                          observed={"Status": c.get("Status"),
                                    "DBClusterMembers": [m.get("DBInstanceIdentifier")
                                                         for m in c.get("DBClusterMembers", [])]})


@RDS.collects("AWS::RDS::DBSnapshot")
def snapshots(client: Any, scope: Scope) -> Iterator[Resource]:
    """Snapshots have no CloudFormation type; AWS::RDS::DBSnapshot follows the naming of AWS::EC2::Snapshot."""
    for s in scope.paginate(client, "describe_db_snapshots", "DBSnapshots"):
        sid = s["DBSnapshotIdentifier"]
        restore = _restore(scope, client.describe_db_snapshot_attributes, s.get("SnapshotType"),
                           "DBSnapshotAttributesResult", "DBSnapshotAttributes", DBSnapshotIdentifier=sid)
        props = {
            "DBSnapshotIdentifier": sid,
            "DBInstanceIdentifier": s.get("DBInstanceIdentifier"),
            "SnapshotType": s.get("SnapshotType"),
            "Engine": s.get("Engine"),
            "Encrypted": bool(s.get("Encrypted", False)),
            "KmsKeyId": s.get("KmsKeyId"),
            "RestoreAttribute": restore,
        }
        yield Resource.of("AWS::RDS::DBSnapshot", sid, arn=s.get("DBSnapshotArn", ""), properties=props,
                          tags=tags_of(s.get("TagList", [])),
                          observed={"SnapshotCreateTime": s.get("SnapshotCreateTime")})


@RDS.collects("AWS::RDS::DBClusterSnapshot")
def cluster_snapshots(client: Any, scope: Scope) -> Iterator[Resource]:
    for s in scope.paginate(client, "describe_db_cluster_snapshots", "DBClusterSnapshots"):
        sid = s["DBClusterSnapshotIdentifier"]
        restore = _restore(scope, client.describe_db_cluster_snapshot_attributes, s.get("SnapshotType"),
                           "DBClusterSnapshotAttributesResult", "DBClusterSnapshotAttributes",
                           DBClusterSnapshotIdentifier=sid)
        props = {
            "DBClusterSnapshotIdentifier": sid,
            "DBClusterIdentifier": s.get("DBClusterIdentifier"),
            "SnapshotType": s.get("SnapshotType"),
            "Engine": s.get("Engine"),
            "Encrypted": bool(s.get("StorageEncrypted", False)),
            "KmsKeyId": s.get("KmsKeyId"),
            "RestoreAttribute": restore,
        }
        yield Resource.of("AWS::RDS::DBClusterSnapshot", sid, arn=s.get("DBClusterSnapshotArn", ""),
                          properties=props, tags=tags_of(s.get("TagList", [])),
                          observed={"SnapshotCreateTime": s.get("SnapshotCreateTime")})


def _restore(scope: Scope, call: Any, snapshot_type: str | None, result_key: str, list_key: str,
             **kwargs: Any) -> list[str] | Unknown:
    """Account ids (or "all" for public) allowed to restore the snapshot; [] for automated snapshots."""
    if snapshot_type == "automated":
        return []
    attrs = scope.fetch(call, pick=lambda r: r.get(result_key, {}).get(list_key, []), **kwargs)
    if isinstance(attrs, Unknown):
        return attrs
    for attr in attrs:
        if attr.get("AttributeName") == "restore":
            return list(attr.get("AttributeValues") or [])
    return []
