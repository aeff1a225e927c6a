"""ElastiCache cache clusters and replication groups (AWS::ElastiCache::CacheCluster / ::ReplicationGroup).

One listing of each, no call per resource. A replication group's description carries no engine version:
it is taken from its member clusters (the listing read anyway), and is Unknown when that listing failed or
the members disagree (an upgrade in progress). Tags are not read (a call per resource that no check needs
yet): they are marked Unknown rather than empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service

ELASTICACHE = Service("elasticache", label="elasticache", actions=[
    "elasticache:DescribeCacheClusters", "elasticache:DescribeReplicationGroups",
])
TAGS_NOT_READ = "tags of ElastiCache resources are not read by wasp"


@ELASTICACHE.collects("AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup")
def caches(client: Any, scope: Scope) -> Iterator[Resource]:
    listed = scope.fetch_all(client, "describe_cache_clusters", "CacheClusters")
    if isinstance(listed, Unknown):
        members: dict[str, dict[str, Any]] | Unknown = Unknown(f"cache clusters: {listed.reason}")
    else:
        members = {c["CacheClusterId"]: c for c in listed}
        for c in listed:
            yield _cluster(c)
    for g in scope.paginate(client, "describe_replication_groups", "ReplicationGroups"):
        yield _group(g, members)


def _cluster(c: dict[str, Any]) -> Resource:
    cid = c["CacheClusterId"]
    subnet_group = c.get("CacheSubnetGroupName")
    props = {
        "ClusterName": cid,
        "Engine": c.get("Engine"),
        "EngineVersion": c.get("EngineVersion"),
        "CacheNodeType": c.get("CacheNodeType"),
        "NumCacheNodes": c.get("NumCacheNodes"),
        "AutoMinorVersionUpgrade": c.get("AutoMinorVersionUpgrade"),
        "SnapshotRetentionLimit": c.get("SnapshotRetentionLimit", 0),
        # every cluster in a VPC names its subnet group ("default" included): no name is not "custom"
        "CacheSubnetGroupName": subnet_group if subnet_group else Unknown(
            "DescribeCacheClusters returned no CacheSubnetGroupName for this cluster"),
        "TransitEncryptionEnabled": bool(c.get("TransitEncryptionEnabled", False)),
        "VpcSecurityGroupIds": [g.get("SecurityGroupId") for g in c.get("SecurityGroups") or []],
        "ReplicationGroupId": c.get("ReplicationGroupId"),
        "LogDeliveryConfigurations": _log_delivery(c),
    }
    return Resource.of("AWS::ElastiCache::CacheCluster", cid, arn=c.get("ARN", ""), properties=props,
                       observed={"CacheClusterStatus": c.get("CacheClusterStatus"),
                                 "AuthTokenEnabled": c.get("AuthTokenEnabled"), "Tags": Unknown(TAGS_NOT_READ)})


def _group(g: dict[str, Any], members: dict[str, dict[str, Any]] | Unknown) -> Resource:
    gid = g["ReplicationGroupId"]
    failover = str(g.get("AutomaticFailover", "disabled")).lower()
    props = {
        "ReplicationGroupId": gid,
        "ReplicationGroupDescription": g.get("Description"),
        "Engine": g.get("Engine", "redis"),
        "EngineVersion": _version(g, members),
        "CacheNodeType": g.get("CacheNodeType"),
        "AutomaticFailoverEnabled": failover in ("enabled", "enabling"),
        "MultiAZEnabled": str(g.get("MultiAZ", "disabled")).lower() == "enabled",
        "AtRestEncryptionEnabled": bool(g.get("AtRestEncryptionEnabled", False)),
        "KmsKeyId": g.get("KmsKeyId"),
        "TransitEncryptionEnabled": bool(g.get("TransitEncryptionEnabled", False)),
        "TransitEncryptionMode": g.get("TransitEncryptionMode"),
        "AuthTokenEnabled": bool(g.get("AuthTokenEnabled", False)),
        "UserGroupIds": list(g.get("UserGroupIds") or []),
        "SnapshotRetentionLimit": g.get("SnapshotRetentionLimit", 0),
        "AutoMinorVersionUpgrade": g.get("AutoMinorVersionUpgrade"),
        "LogDeliveryConfigurations": _log_delivery(g),
    }
    return Resource.of("AWS::ElastiCache::ReplicationGroup", gid, arn=g.get("ARN", ""), properties=props,
                       observed={"Status": g.get("Status"), "MemberClusters": list(g.get("MemberClusters") or []),
                                 "Tags": Unknown(TAGS_NOT_READ)})


def _log_delivery(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Slow-log and engine-log delivery in the CloudFormation shape (disabled deliveries left out)."""
    return [{"LogType": d.get("LogType"), "DestinationType": d.get("DestinationType"),
             "DestinationDetails": d.get("DestinationDetails"), "LogFormat": d.get("LogFormat")}
            for d in item.get("LogDeliveryConfigurations") or []
            if str(d.get("Status", "active")).lower() != "disabling"]


def _version(group: dict[str, Any], members: dict[str, dict[str, Any]] | Unknown) -> str | Unknown:
    if isinstance(members, Unknown):
        return members
    versions = {str(members[m]["EngineVersion"]) for m in group.get("MemberClusters") or []
                if m in members and members[m].get("EngineVersion")}
    if len(versions) == 1:
        return str(versions.pop())
    if versions:
        return Unknown(f"member clusters run different engine versions: {', '.join(sorted(versions))}")
    return Unknown("no member cluster of this replication group reports an engine version")
