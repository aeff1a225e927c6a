"""Redshift collector: cluster settings in CloudFormation names, require_ssl from the parameter group, logging."""

from __future__ import annotations

from helpers import denying, restricted_target
from wasp.model import Unknown
from wasp.sources.aws.collect import collect

CLUSTER = {"NodeType": "ra3.xlplus", "MasterUsername": "dwh_admin", "MasterUserPassword": "Not-a-real-passw0rd",
           "ClusterType": "single-node"}


def test_cluster_shape_reads_each_parameter_group_once(aws):
    """Two clusters on one parameter group cost one DescribeClusterParameters; require_ssl is its value there,
    LoggingProperties follows DescribeLoggingStatus (None when off) and the cluster keeps its tags."""
    redshift = aws.client("redshift", "us-east-1")
    redshift.create_cluster(ClusterIdentifier="a", Encrypted=True, Tags=[{"Key": "team", "Value": "bi"}], **CLUSTER)
    redshift.create_cluster(ClusterIdentifier="b", **CLUSTER)
    redshift.enable_logging(ClusterIdentifier="a", BucketName="audit-logs", S3KeyPrefix="dwh/")
    aws.calls.clear()
    inv = collect(aws, ["us-east-1"], services=["redshift"]).inventory
    clusters = {r.id: r for r in inv.of_type("AWS::Redshift::Cluster")}
    a, b = clusters["a"], clusters["b"]
    assert a.properties["RequireSsl"] is False and a.properties["ClusterParameterGroupName"] == "default.redshift-1.0"
    assert a.properties["LoggingProperties"]["BucketName"] == "audit-logs" and b.properties["LoggingProperties"] is None
    assert a.properties["Encrypted"] is True and a.properties["Port"] == 5439 and a.tags == {"team": "bi"}
    assert a.arn == "arn:aws:redshift:us-east-1:123456789012:cluster:a"
    assert aws.calls["redshift:DescribeClusterParameters"] == 1
    assert aws.calls["redshift:DescribeLoggingStatus"] == 2


def test_unreadable_parameter_group_and_logging_are_unknown(aws, moto):
    """Denied DescribeClusterParameters and DescribeLoggingStatus make RequireSsl and LoggingProperties Unknown,
    naming the group and the denial, never false or None."""
    aws.client("redshift", "us-east-1").create_cluster(ClusterIdentifier="a", **CLUSTER)
    with restricted_target(aws, moto, denying("redshift:DescribeClusterParameters",
                                              "redshift:DescribeLoggingStatus")) as target:
        inv = collect(target, ["us-east-1"], services=["redshift"]).inventory
    [cluster] = inv.of_type("AWS::Redshift::Cluster")
    ssl, logging = cluster.properties["RequireSsl"], cluster.properties["LoggingProperties"]
    assert isinstance(ssl, Unknown) and "default.redshift-1.0" in ssl.reason and "denied" in ssl.reason.lower()
    assert isinstance(logging, Unknown) and "denied" in logging.reason.lower()
