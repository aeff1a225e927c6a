"""ElastiCache collector: clusters and replication groups, the group's engine version taken from its members."""

from __future__ import annotations

from helpers import denying, restricted_target
from wasp.model import Unknown
from wasp.sources.aws.collect import collect
from wasp.sources.aws.elasticache import _version

NODE = {"CacheNodeType": "cache.t3.micro"}


def test_group_version_comes_from_its_member_clusters(aws):
    """A replication group's EngineVersion is its member cluster's version; a cluster without a subnet group name in
    the answer has CacheSubnetGroupName Unknown, not 'custom'."""
    ec = aws.client("elasticache", "us-east-1")
    ec.create_replication_group(ReplicationGroupId="same", ReplicationGroupDescription="same", Engine="redis",
                                NumCacheClusters=1, **NODE)
    ec.create_cache_cluster(CacheClusterId="same-001", ReplicationGroupId="same", Engine="redis",
                            EngineVersion="5.0.6", NumCacheNodes=1, **NODE)
    inv = collect(aws, ["us-east-1"], services=["elasticache"]).inventory
    [group] = inv.of_type("AWS::ElastiCache::ReplicationGroup")
    assert group.properties["EngineVersion"] == "5.0.6" and group.properties["LogDeliveryConfigurations"] == []
    clusters = {c.id: c for c in inv.of_type("AWS::ElastiCache::CacheCluster")}
    assert clusters["same-001"].properties["ReplicationGroupId"] == "same"
    assert isinstance(clusters["same-001"].properties["CacheSubnetGroupName"], Unknown)


def test_members_on_different_versions_give_unknown():
    """Members disagreeing on the engine version (an upgrade under way) make the group's version Unknown naming
    both, and a group none of whose members report one is Unknown too (the emulator lists one member per group)."""
    members = {"g-001": {"EngineVersion": "5.0.6"}, "g-002": {"EngineVersion": "6.2"}}
    mixed = _version({"MemberClusters": ["g-001", "g-002"]}, members)
    assert isinstance(mixed, Unknown) and "5.0.6, 6.2" in mixed.reason
    assert isinstance(_version({"MemberClusters": ["g-009"]}, members), Unknown)


def test_denied_cluster_listing_leaves_groups_with_unknown_version(aws, moto):
    """When DescribeCacheClusters is denied the replication groups are still reported, their engine version
    Unknown naming the denial."""
    aws.client("elasticache", "us-east-1").create_replication_group(
        ReplicationGroupId="rg", ReplicationGroupDescription="rg", Engine="redis", NumCacheClusters=1, **NODE)
    with restricted_target(aws, moto, denying("elasticache:DescribeCacheClusters")) as target:
        inv = collect(target, ["us-east-1"], services=["elasticache"]).inventory
    [group] = inv.of_type("AWS::ElastiCache::ReplicationGroup")
    version = group.properties["EngineVersion"]
    assert isinstance(version, Unknown) and "denied" in version.reason.lower()
