"""ECS clusters, services, task sets and task definitions in their CloudFormation shapes.

Only the latest ACTIVE revision of each task-definition family is read (what Security Hub judges with its
default ``SkipInactiveTaskDefinitions``; older revisions cannot start new services). Container environment
values are kept for the secrets rules, which never print them. Task sets come with DescribeServices, so they
cost no call of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

ECS = Service("ecs", label="ecs", actions=[
    "ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices",
    "ecs:ListTaskDefinitionFamilies", "ecs:DescribeTaskDefinition",
])
CLUSTER = "AWS::ECS::Cluster"
SERVICE = "AWS::ECS::Service"
TASK_SET = "AWS::ECS::TaskSet"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"


@ECS.collects(CLUSTER, SERVICE, TASK_SET, fan_out=True)
def clusters(client: Any, scope: Scope) -> Iterator[Resource]:
    arns = list(scope.paginate(client, "list_clusters", "clusterArns"))
    for i in range(0, len(arns), 100):  # DescribeClusters takes at most 100 clusters
        for c in client.describe_clusters(clusters=arns[i:i + 100], include=["SETTINGS", "TAGS"]).get("clusters", []):
            yield Resource.of(CLUSTER, c["clusterName"], arn=c.get("clusterArn", ""), account=scope.account,
                              region=scope.region, tags=tags_of(c.get("tags"), key="key", value="value"),
                              properties={"ClusterName": c["clusterName"],
                                          "ClusterSettings": [{"Name": s.get("name"), "Value": s.get("value")}
                                                              for s in c.get("settings") or []]},
                              observed={"Status": c.get("status")})
            yield from _services(client, scope, c)


def _services(client: Any, scope: Scope, cluster: dict[str, Any]) -> Iterator[Resource]:
    arns = list(scope.paginate(client, "list_services", "serviceArns", cluster=cluster["clusterArn"]))
    for i in range(0, len(arns), 10):  # DescribeServices takes at most 10 services
        page = client.describe_services(cluster=cluster["clusterArn"], services=arns[i:i + 10], include=["TAGS"])
        for s in page.get("services", []):
            yield Resource.of(SERVICE, f"{cluster['clusterName']}/{s['serviceName']}", name=s["serviceName"],
                              arn=s.get("serviceArn", ""), account=scope.account, region=scope.region,
                              tags=tags_of(s.get("tags"), key="key", value="value"), properties={
                                  "ServiceName": s["serviceName"],
                                  "Cluster": cluster["clusterArn"],
                                  "LaunchType": s.get("launchType"),
                                  "CapacityProviderStrategy": [{"CapacityProvider": p.get("capacityProvider")}
                                                               for p in s.get("capacityProviderStrategy") or []],
                                  "PlatformVersion": s.get("platformVersion"),
                                  "TaskDefinition": s.get("taskDefinition"),
                                  "DeploymentController": {"Type": (s.get("deploymentController") or {}).get(
                                      "type", "ECS")},
                                  "NetworkConfiguration": _network(s.get("networkConfiguration")),
                              }, observed={"PlatformFamily": s.get("platformFamily"), "Status": s.get("status")})
            for ts in s.get("taskSets") or []:
                yield Resource.of(TASK_SET, f"{cluster['clusterName']}/{s['serviceName']}/{ts.get('id')}",
                                  name=ts.get("id"), arn=ts.get("taskSetArn", ""), account=scope.account,
                                  region=scope.region, properties={
                                      "Cluster": cluster["clusterArn"], "Service": s.get("serviceArn"),
                                      "TaskDefinition": ts.get("taskDefinition"),
                                      "LaunchType": ts.get("launchType"),
                                      "PlatformVersion": ts.get("platformVersion"),
                                      "ExternalId": ts.get("externalId"),
                                      "NetworkConfiguration": _network(ts.get("networkConfiguration")),
                                  }, observed={"Status": ts.get("status")})


def _network(cfg: dict[str, Any] | None) -> dict[str, Any] | None:
    vpc = (cfg or {}).get("awsvpcConfiguration")
    if not vpc:
        return None
    return {"AwsvpcConfiguration": {"AssignPublicIp": vpc.get("assignPublicIp", "DISABLED"),
                                    "Subnets": vpc.get("subnets", []), "SecurityGroups": vpc.get("securityGroups", [])}}


@ECS.collects(TASK_DEFINITION, fan_out=True)
def task_definitions(client: Any, scope: Scope) -> Iterator[Resource]:
    families = list(scope.paginate(client, "list_task_definition_families", "families", status="ACTIVE"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        for record in pool.map(lambda f: _task_definition(client, scope, f), families):
            if record is not None:
                yield record


def _task_definition(client: Any, scope: Scope, family: str) -> Resource | None:
    """The latest ACTIVE revision of ``family`` (DescribeTaskDefinition with the family alone names it)."""
    got = scope.fetch(client.describe_task_definition, taskDefinition=family, include=["TAGS"])
    if isinstance(got, Unknown):
        return Resource.of(TASK_DEFINITION, family, account=scope.account, region=scope.region,
                           properties={"Family": family, "NetworkMode": got, "PidMode": got,
                                       "ContainerDefinitions": got})
    td = got.get("taskDefinition") or {}
    if td.get("status", "ACTIVE") != "ACTIVE":
        return None
    return Resource.of(TASK_DEFINITION, family, arn=td.get("taskDefinitionArn", ""), account=scope.account,
                       region=scope.region, tags=tags_of(got.get("tags"), key="key", value="value"), properties={
                           "Family": family,
                           "NetworkMode": td.get("networkMode", "bridge"),
                           "PidMode": td.get("pidMode"),
                           "IpcMode": td.get("ipcMode"),
                           "RequiresCompatibilities": td.get("requiresCompatibilities", []),
                           "ExecutionRoleArn": td.get("executionRoleArn"),
                           "TaskRoleArn": td.get("taskRoleArn"),
                           "ContainerDefinitions": [_container(c) for c in td.get("containerDefinitions") or []],
                       }, observed={"Revision": td.get("revision"), "Status": td.get("status")})


def _container(c: dict[str, Any]) -> dict[str, Any]:
    log = c.get("logConfiguration")
    return {
        "Name": c.get("name"),
        "Image": c.get("image"),
        "Privileged": c.get("privileged"),
        "User": c.get("user"),
        "ReadonlyRootFilesystem": c.get("readonlyRootFilesystem"),
        "Environment": [{"Name": e.get("name"), "Value": e.get("value")} for e in c.get("environment") or []],
        "Secrets": [{"Name": s.get("name"), "ValueFrom": s.get("valueFrom")} for s in c.get("secrets") or []],
        "LogConfiguration": {"LogDriver": log.get("logDriver"), "Options": log.get("options") or {}} if log else None,
    }
