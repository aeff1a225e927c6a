"""EMR: active clusters with their primary node's public addresses, security configurations, and the
region's block public access configuration (WASP::Region.EmrBlockPublicAccess).

Only clusters that are starting or up are listed (terminated ones stay listed for two months and hold no
nodes). The primary node's public IP is read from ListInstances for clusters RUNNING or WAITING, the
states the FSBP control judges; a running cluster whose listing shows no primary node is Unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import REGION, Scope, Service

EMR = Service("emr", label="emr", actions=[
    "elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster", "elasticmapreduce:ListInstances",
    "elasticmapreduce:ListSecurityConfigurations", "elasticmapreduce:DescribeSecurityConfiguration",
    "elasticmapreduce:GetBlockPublicAccessConfiguration"])
ACTIVE = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]
UP = ("RUNNING", "WAITING")


@EMR.collects("AWS::EMR::Cluster", fan_out=True)
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_clusters", "Clusters", ClusterStates=ACTIVE):
        cid = item["Id"]
        state = (item.get("Status") or {}).get("State")
        d = scope.fetch(client.describe_cluster, ClusterId=cid, pick=lambda r: r.get("Cluster", {}))
        props: dict[str, Any] = {"Name": item.get("Name")}
        if isinstance(d, Unknown):
            props.update({"ReleaseLabel": d, "SecurityConfiguration": d, "Instances": d})
            fleet: Any = d
        else:
            props.update({"ReleaseLabel": d.get("ReleaseLabel"),
                          "SecurityConfiguration": d.get("SecurityConfiguration"),
                          "Instances": {"Ec2SubnetId": (d.get("Ec2InstanceAttributes") or {}).get("Ec2SubnetId")}})
            fleet = d.get("InstanceCollectionType") == "INSTANCE_FLEET"
        props["ClusterState"] = state
        props["PrimaryNodePublicIps"] = primary_public_ips(client, scope, cid, fleet) if state in UP else None
        yield Resource.of("AWS::EMR::Cluster", cid, name=item.get("Name") or cid, arn=item.get("ClusterArn", ""),
                          account=scope.account, region=scope.region, properties=props)


def primary_public_ips(client: Any, scope: Scope, cluster_id: str, fleet: Any) -> list[str] | Unknown:
    """Public IPs of the primary (master) node(s) of a running cluster."""
    if isinstance(fleet, Unknown):
        return fleet
    kind = {"InstanceFleetType": "MASTER"} if fleet else {"InstanceGroupTypes": ["MASTER"]}
    nodes = scope.fetch_all(client, "list_instances", "Instances", ClusterId=cluster_id, **kind)
    if isinstance(nodes, Unknown):
        return nodes
    if not nodes:
        return Unknown("ListInstances returned no primary node for a running cluster")
    return [n["PublicIpAddress"] for n in nodes if n.get("PublicIpAddress")]


@EMR.collects("AWS::EMR::SecurityConfiguration", fan_out=True)
def security_configurations(client: Any, scope: Scope) -> Iterator[Resource]:
    for item in scope.paginate(client, "list_security_configurations", "SecurityConfigurations"):
        name = item["Name"]
        d = scope.fetch(client.describe_security_configuration, Name=name)
        yield Resource.of("AWS::EMR::SecurityConfiguration", name, arn="", account=scope.account,
                          region=scope.region, properties={
                              "Name": name,
                              "SecurityConfiguration": d if isinstance(d, Unknown)
                              else parse_json(d.get("SecurityConfiguration"), "SecurityConfiguration"),
                          })


@EMR.collects(REGION, provides=["EmrBlockPublicAccess"])
def block_public_access(client: Any, scope: Scope) -> Iterator[Resource]:
    d = scope.fetch(client.get_block_public_access_configuration,
                    pick=lambda r: r.get("BlockPublicAccessConfiguration") or {})
    value: Any = d
    if not isinstance(d, Unknown):
        if "BlockPublicSecurityGroupRules" not in d:
            value = Unknown("GetBlockPublicAccessConfiguration returned no BlockPublicSecurityGroupRules")
        else:
            value = {"BlockPublicSecurityGroupRules": bool(d["BlockPublicSecurityGroupRules"]),
                     "PermittedPublicSecurityGroupRuleRanges": d.get("PermittedPublicSecurityGroupRuleRanges")
                     or []}
    yield Resource.of(REGION, scope.region, account=scope.account, region=scope.region,
                      properties={"EmrBlockPublicAccess": value})


def parse_json(text: Any, what: str) -> Any:
    if text is None or isinstance(text, dict):
        return text
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        return Unknown(f"{what} is not JSON: {exc}")
