"""DynamoDB Accelerator (DAX) clusters (AWS::DAX::Cluster): encryption at rest and of the cluster endpoint.

One listing, no call per cluster. Tags are not read (a call per cluster that no check needs yet): they are
marked Unknown rather than empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

DAX = Service("dax", label="dax", actions=["dax:DescribeClusters"])


@DAX.collects("AWS::DAX::Cluster")
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    for c in scope.paginate(client, "describe_clusters", "Clusters"):
        name = c["ClusterName"]
        sse = (c.get("SSEDescription") or {}).get("Status")
        endpoint = c.get("ClusterEndpointEncryptionType")
        props = {
            "ClusterName": name,
            "NodeType": c.get("NodeType"),
            # ENABLING counts: the key is set and the cluster is being encrypted; DISABLING does not
            "SSESpecification": {"SSEEnabled": sse in ("ENABLED", "ENABLING")} if sse else Unknown(
                "DescribeClusters returned no SSEDescription status for this cluster"),
            "ClusterEndpointEncryptionType": endpoint if endpoint else Unknown(
                "DescribeClusters returned no ClusterEndpointEncryptionType for this cluster"),
            "SubnetGroupName": c.get("SubnetGroup"),
            "SecurityGroupIds": [g.get("SecurityGroupIdentifier") for g in c.get("SecurityGroups") or []],
            "IAMRoleARN": c.get("IamRoleArn"),
        }
        yield Resource.of("AWS::DAX::Cluster", name, arn=c.get("ClusterArn", ""), properties=props,
                          observed={"Status": c.get("Status"),
                                    "Tags": Unknown("tags of DAX clusters are not read by wasp")})
