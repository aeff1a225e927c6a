"""Neptune collector: only neptune-engine clusters and snapshots, in AWS::Neptune::DBCluster property names."""

from __future__ import annotations

from helpers import denying, restricted_target
from wasp.model import Unknown
from wasp.sources.aws.collect import collect


def test_cluster_shape_and_engine_filter(aws):
    """A Neptune cluster carries CloudFormation-named settings, its unread tags Unknown (not empty); an Aurora
    cluster on the same endpoint is left to the RDS collector; automated snapshots are never read for sharing."""
    aws.client("neptune", "us-east-1").create_db_cluster(
        DBClusterIdentifier="graph", Engine="neptune", StorageEncrypted=True, EnableCloudwatchLogsExports=["audit"],
        BackupRetentionPeriod=9, CopyTagsToSnapshot=True, Tags=[{"Key": "team", "Value": "kg"}])
    aws.client("rds", "us-east-1").create_db_cluster(
        DBClusterIdentifier="aurora", Engine="aurora-postgresql", MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1")
    aws.calls.clear()
    inv = collect(aws, ["us-east-1"], services=["neptune"]).inventory
    [cluster] = inv.of_type("AWS::Neptune::DBCluster")
    assert cluster.id == "graph" and isinstance(cluster.observed["Tags"], Unknown)
    assert cluster.properties["EnableCloudwatchLogsExports"] == ["audit"]
    assert cluster.properties["BackupRetentionPeriod"] == 9 and cluster.properties["IamAuthEnabled"] is False
    snapshots = inv.of_type("AWS::Neptune::DBClusterSnapshot")
    assert snapshots and all(s.properties["SnapshotType"] == "automated" for s in snapshots)
    assert all(s.properties["RestoreAttribute"] == [] for s in snapshots)
    assert aws.calls["neptune:DescribeDBClusterSnapshotAttributes"] == 0


def test_unreadable_snapshot_sharing_is_unknown(aws, moto):
    """A manual snapshot whose restore attribute cannot be read is Unknown (naming the denial), never private."""
    neptune = aws.client("neptune", "us-east-1")
    neptune.create_db_cluster(DBClusterIdentifier="graph", Engine="neptune")
    neptune.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="manual", DBClusterIdentifier="graph")
    with restricted_target(aws, moto, denying("rds:DescribeDBClusterSnapshotAttributes")) as target:
        inv = collect(target, ["us-east-1"], services=["neptune"]).inventory
    [manual] = [s for s in inv.of_type("AWS::Neptune::DBClusterSnapshot") if s.id == "manual"]
    restore = manual.properties["RestoreAttribute"]
    assert isinstance(restore, Unknown) and "denied" in restore.reason.lower()
