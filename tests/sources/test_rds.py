"""RDS collector: instances, clusters and snapshots with their restore (sharing) attribute."""

from __future__ import annotations

from wasp.sources.aws.collect import collect


def test_instance_cluster_and_snapshot_shapes(aws):
    """Instances and clusters carry CloudFormation-named settings; manual snapshots list who may restore them."""
    rds = aws.client("rds", "us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="not-a-real-password-1", AllocatedStorage=20,
                           StorageEncrypted=True, BackupRetentionPeriod=9, DeletionProtection=True,
                           Tags=[{"Key": "team", "Value": "shop"}])
    rds.create_db_snapshot(DBSnapshotIdentifier="shared", DBInstanceIdentifier="db1")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="shared", AttributeName="restore",
                                     ValuesToAdd=["210987654321"])
    rds.create_db_cluster(DBClusterIdentifier="cl1", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="not-a-real-password-1", StorageEncrypted=True)
    inv = collect(aws, ["us-east-1"], services=["rds"]).inventory
    db = {r.id: r for r in inv.of_type("AWS::RDS::DBInstance")}["db1"]
    assert db.properties["StorageEncrypted"] is True and db.properties["BackupRetentionPeriod"] == 9
    assert db.properties["DeletionProtection"] is True and db.properties["PubliclyAccessible"] is False
    assert db.tags == {"team": "shop"} and db.arn.endswith(":db:db1") and db.region == "us-east-1"
    [cluster] = inv.of_type("AWS::RDS::DBCluster")
    assert cluster.id == "cl1" and cluster.properties["StorageEncrypted"] is True
    snaps = {r.id: r for r in inv.of_type("AWS::RDS::DBSnapshot")}
    assert snaps["shared"].properties["RestoreAttribute"] == ["210987654321"]
    automated = [s for s in snaps.values() if s.properties["SnapshotType"] == "automated"]
    assert all(s.properties["RestoreAttribute"] == [] for s in automated)
    assert not inv.gaps
