"""Neptune cluster and cluster snapshot checks through the live path (the neptune API on the emulator)."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

CLUSTER_CHECKS = ["neptune_cluster_storage_encrypted", "neptune_cluster_audit_logs_to_cloudwatch",
                  "neptune_cluster_deletion_protection", "neptune_cluster_backup_retention",
                  "neptune_cluster_copy_tags_to_snapshot"]
SNAPSHOT_CHECKS = ["neptune_cluster_snapshot_not_public", "neptune_cluster_snapshot_encrypted"]


def test_neptune_cluster_and_snapshot_checks_pass_and_fail(aws):
    """A hardened Neptune cluster passes encryption, audit export, deletion protection, retention and tag copy, a
    careless one fails them; a snapshot shared with 'all' fails, a private one passes; RDS clusters are not judged."""
    neptune = aws.client("neptune", "us-east-1")
    neptune.create_db_cluster(DBClusterIdentifier="graph-good", Engine="neptune", StorageEncrypted=True,
                              EnableCloudwatchLogsExports=["audit"], DeletionProtection=True,
                              BackupRetentionPeriod=7, CopyTagsToSnapshot=True)
    neptune.create_db_cluster(DBClusterIdentifier="graph-bad", Engine="neptune", StorageEncrypted=False,
                              BackupRetentionPeriod=1)
    aws.client("rds", "us-east-1").create_db_cluster(
        DBClusterIdentifier="aurora", Engine="aurora-postgresql", MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1")
    neptune.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="shared", DBClusterIdentifier="graph-bad")
    neptune.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="private", DBClusterIdentifier="graph-good")
    neptune.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier="shared", AttributeName="restore",
                                                 ValuesToAdd=["all"])
    result = live_scan(aws, checks=CLUSTER_CHECKS + SNAPSHOT_CHECKS + ["neptune_cluster_iam_auth"],
                       services=["neptune"])
    for check_id in CLUSTER_CHECKS:
        assert result.status_of("graph-good", check_id) is Status.PASS, check_id
        assert result.status_of("graph-bad", check_id) is Status.FAIL, check_id
    assert result.status_of("aurora") is None
    assert result.status_of("graph-bad", "neptune_cluster_iam_auth") is Status.FAIL
    assert result.status_of("shared", "neptune_cluster_snapshot_not_public") is Status.FAIL
    assert result.status_of("private", "neptune_cluster_snapshot_not_public") is Status.PASS
    assert result.status_of("private", "neptune_cluster_snapshot_encrypted") is Status.PASS
    assert result.status_of("shared", "neptune_cluster_snapshot_encrypted") is Status.FAIL
