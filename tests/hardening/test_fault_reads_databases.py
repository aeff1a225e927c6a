"""Single failed reads of the database collectors never flip a verdict: a verdict that the failed read decides
becomes UNKNOWN naming the failure (Redshift parameter group, Neptune snapshot sharing)."""

from __future__ import annotations

from hardening.faultproxy import FaultProxy
from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.session import AwsTarget

SSL = "redshift_cluster_requires_ssl"
SHARED = "neptune_cluster_snapshot_not_public"


def _faulted(moto, action: str, check: str, service: str):
    with FaultProxy(moto.url, rate=1.0, kinds=["500"], only=lambda call: call.action == action) as proxy:
        result = live_scan(AwsTarget(moto.session(), endpoint_url=proxy.url, max_attempts=1, backoff=0.0,
                                     retry_mode="standard"), checks=[check], services=[service])
    assert proxy.injected["500"] >= 1
    return result


def test_failed_parameter_group_read_gives_unknown_not_fail(aws, moto):
    """A cluster on a group whose require_ssl is false fails; when DescribeClusterParameters keeps failing the
    cluster is UNKNOWN naming the group, never FAIL (nor PASS)."""
    aws.client("redshift", "us-east-1").create_cluster(
        ClusterIdentifier="dwh", NodeType="ra3.xlplus", MasterUsername="dwh_admin",
        MasterUserPassword="Not-a-real-passw0rd", ClusterType="single-node")
    assert live_scan(aws, checks=[SSL], services=["redshift"]).status_of("dwh", SSL) is Status.FAIL
    [finding] = [f for f in _faulted(moto, "DescribeClusterParameters", SSL, "redshift").findings if f.check_id == SSL]
    assert finding.status is Status.UNKNOWN and "default.redshift-1.0" in finding.reason


def test_failed_snapshot_attribute_read_gives_unknown_not_pass(aws, moto):
    """A public Neptune snapshot fails; when its restore attribute cannot be read it is UNKNOWN, never private."""
    neptune = aws.client("neptune", "us-east-1")
    neptune.create_db_cluster(DBClusterIdentifier="graph", Engine="neptune")
    neptune.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="shared", DBClusterIdentifier="graph")
    neptune.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier="shared", AttributeName="restore",
                                                 ValuesToAdd=["all"])
    assert live_scan(aws, checks=[SHARED], services=["neptune"]).status_of("shared", SHARED) is Status.FAIL
    faulted = _faulted(moto, "DescribeDBClusterSnapshotAttributes", SHARED, "neptune")
    assert faulted.status_of("shared", SHARED) is Status.UNKNOWN
