"""DocumentDB collector: clusters with their tls parameter, manual snapshots with who may restore them.

moto refuses the docdb engine (CreateDBCluster only knows the RDS engines), so the record shapes are proven on
botocore's Stubber with AWS's documented answers; the real moto server proves the collector runs clean there.
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from botocore.stub import ANY, Stubber

from wasp.model import Unknown
from wasp.sources.aws.base import Scope
from wasp.sources.aws.collect import collect
from wasp.sources.aws.docdb import cluster_snapshots, clusters

ONLY = {"Filters": [{"Name": "engine", "Values": ["docdb"]}]}


def _client():
    return boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1").client("docdb")


def _scope() -> Scope:
    return Scope(account="123456789012", region="us-east-1", target=None)


def test_cluster_shape_and_tls_parameter():
    """A cluster carries encryption, retention, deletion protection, exports and the tls value of its parameter
    group (read once for two clusters); a group that cannot be read, or is not yet in effect on the cluster
    (pending-reboot), makes the parameters Unknown."""
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("describe_db_clusters", {"DBClusters": [
            {"DBClusterIdentifier": "docs", "Engine": "docdb", "StorageEncrypted": True, "BackupRetentionPeriod": 7,
             "DeletionProtection": True, "EnabledCloudwatchLogsExports": ["audit"], "Port": 27017,
             "DBClusterParameterGroup": "tls-on", "DBClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:docs"},
            {"DBClusterIdentifier": "docs2", "Engine": "docdb", "DBClusterParameterGroup": "tls-on"},
            {"DBClusterIdentifier": "locked", "Engine": "docdb", "DBClusterParameterGroup": "secret"},
            {"DBClusterIdentifier": "rebooting", "Engine": "docdb", "DBClusterParameterGroup": "tls-on",
             "DBClusterMembers": [{"DBInstanceIdentifier": "r1", "DBClusterParameterGroupStatus": "pending-reboot"}]},
            {"DBClusterIdentifier": "pg", "Engine": "aurora-postgresql"}]}, ONLY)
        stub.add_response("describe_db_cluster_parameters", {"Parameters": [
            {"ParameterName": "audit_logs", "ParameterValue": "enabled"}], "Marker": "m1"},
            {"DBClusterParameterGroupName": "tls-on"})
        stub.add_response("describe_db_cluster_parameters", {"Parameters": [
            {"ParameterName": "tls", "ParameterValue": "enabled"}]},
            {"DBClusterParameterGroupName": "tls-on", "Marker": "m1"})
        stub.add_client_error("describe_db_cluster_parameters", "AccessDenied", "not allowed",
                               expected_params={"DBClusterParameterGroupName": "secret"})
        found = {r.id: r for r in clusters(client, _scope())}
        stub.assert_no_pending_responses()
    # an RDS engine answered despite the filter is not DocumentDB
    assert set(found) == {"docs", "docs2", "locked", "rebooting"}
    docs = found["docs"]
    assert docs.type == "AWS::DocDB::DBCluster" and docs.arn.endswith(":cluster:docs")
    assert docs.properties["StorageEncrypted"] is True and docs.properties["BackupRetentionPeriod"] == 7
    assert docs.properties["EnableCloudwatchLogsExports"] == ["audit"]
    assert docs.properties["DBClusterParameters"] == [{"ParameterName": "tls", "ParameterValue": "enabled"}]
    locked = found["locked"].properties["DBClusterParameters"]
    assert isinstance(locked, Unknown) and "AccessDenied" in locked.reason
    rebooting = found["rebooting"].properties["DBClusterParameters"]
    assert isinstance(rebooting, Unknown) and "pending-reboot" in rebooting.reason


def test_snapshot_restore_attribute():
    """A manual snapshot shared with 'all' lists it; automated snapshots are not asked (they cannot be shared)."""
    client = _client()
    when = datetime(2026, 1, 1, tzinfo=UTC)
    with Stubber(client) as stub:
        stub.add_response("describe_db_cluster_snapshots", {"DBClusterSnapshots": [
            {"DBClusterSnapshotIdentifier": "open", "DBClusterIdentifier": "docs", "SnapshotType": "manual",
             "Engine": "docdb", "StorageEncrypted": False, "SnapshotCreateTime": when},
            {"DBClusterSnapshotIdentifier": "rds:docs-auto", "SnapshotType": "automated", "Engine": "docdb"}]}, ONLY)
        stub.add_response("describe_db_cluster_snapshot_attributes", {"DBClusterSnapshotAttributesResult": {
            "DBClusterSnapshotIdentifier": "open", "DBClusterSnapshotAttributes": [
                {"AttributeName": "restore", "AttributeValues": ["all"]}]}}, {"DBClusterSnapshotIdentifier": ANY})
        found = {r.id: r for r in cluster_snapshots(client, _scope())}
        stub.assert_no_pending_responses()
    assert found["open"].properties["RestoreAttribute"] == ["all"]
    assert found["rds:docs-auto"].properties["RestoreAttribute"] == []


def test_runs_clean_on_the_emulator_and_rds_leaves_docdb_alone(aws):
    """Against the emulator the collector lists nothing and records no gap; RDS clusters stay RDS records."""
    aws.client("rds", "us-east-1").create_db_cluster(
        DBClusterIdentifier="pg", Engine="aurora-postgresql", MasterUsername="owner",
        MasterUserPassword="not-a-real-password-1")
    inv = collect(aws, ["us-east-1"], services=["rds", "docdb"]).inventory
    assert not inv.of_type("AWS::DocDB::DBCluster") and [c.id for c in inv.of_type("AWS::RDS::DBCluster")] == ["pg"]
    assert not inv.gaps
