"""EKS clusters in the AWS::EKS::Cluster shape: endpoint exposure, logging, secrets encryption, version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, tags_of

EKS = Service("eks", label="eks", actions=["eks:ListClusters", "eks:DescribeCluster"])
TYPE = "AWS::EKS::Cluster"


@EKS.collects(TYPE)
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    for name in scope.paginate(client, "list_clusters", "clusters"):
        yield _cluster(scope, client.describe_cluster(name=name)["cluster"])


def _cluster(scope: Scope, c: dict[str, Any]) -> Resource:
    vpc = c.get("resourcesVpcConfig") or {}
    enabled_logs = [t for entry in (c.get("logging") or {}).get("clusterLogging", []) if entry.get("enabled")
                    for t in entry.get("types", [])]
    props = {
        "Name": c["name"],
        "Version": c.get("version"),
        "RoleArn": c.get("roleArn"),
        "ResourcesVpcConfig": {
            "SubnetIds": vpc.get("subnetIds", []),
            "SecurityGroupIds": vpc.get("securityGroupIds", []),
            "EndpointPublicAccess": vpc.get("endpointPublicAccess", True),
            "EndpointPrivateAccess": vpc.get("endpointPrivateAccess", False),
            "PublicAccessCidrs": vpc.get("publicAccessCidrs", []),
        },
        "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": t} for t in enabled_logs]}},
        "EncryptionConfig": [{"Resources": e.get("resources", []),
                              "Provider": {"KeyArn": (e.get("provider") or {}).get("keyArn")}}
                             for e in c.get("encryptionConfig") or []],
    }
    return Resource.of(TYPE, c["name"], arn=c.get("arn", ""), account=scope.account, region=scope.region,
                       tags=tags_of(c.get("tags") or {}), properties=props,
                       observed={"Status": c.get("status"), "Endpoint": c.get("endpoint"),
                                 "PlatformVersion": c.get("platformVersion"), "VpcId": vpc.get("vpcId")})
