"""DAX collector: encryption at rest and of the endpoint, in AWS::DAX::Cluster property names."""

from __future__ import annotations

from wasp.model import Unknown
from wasp.sources.aws.collect import collect


def test_cluster_shape(aws):
    """A DAX cluster reports SSESpecification.SSEEnabled and ClusterEndpointEncryptionType as the API states them,
    and its unread tags as Unknown, not empty."""
    aws.client("dax", "us-east-1").create_cluster(
        ClusterName="cache", NodeType="dax.t3.small", ReplicationFactor=1,
        IamRoleArn="arn:aws:iam::123456789012:role/dax", SSESpecification={"Enabled": True},
        ClusterEndpointEncryptionType="TLS")
    [cluster] = collect(aws, ["us-east-1"], services=["dax"]).inventory.of_type("AWS::DAX::Cluster")
    assert cluster.properties["SSESpecification"] == {"SSEEnabled": True}
    assert cluster.properties["ClusterEndpointEncryptionType"] == "TLS"
    assert isinstance(cluster.observed["Tags"], Unknown) and cluster.arn.endswith(":cache/cache")
