"""ElastiCache cache cluster and replication group checks through the live path."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status

GROUP_CHECKS = ["elasticache_replication_group_automatic_backups", "elasticache_replication_group_auto_failover",
                "elasticache_replication_group_encrypted_at_rest", "elasticache_replication_group_encrypted_in_transit"]
CLUSTER_CHECKS = ["elasticache_cluster_automatic_backups", "elasticache_cluster_auto_minor_version_upgrade",
                  "elasticache_cluster_not_default_subnet_group"]


def test_elasticache_checks_pass_and_fail(aws):
    """A hardened replication group and cluster pass backups, failover, encryption, upgrades and subnet group checks,
    careless ones fail them; a memcached cluster is not judged for backups; a Redis 5 group passes AUTH with a token
    and fails without, its version taken from its member cluster; one whose version cannot be told is UNKNOWN."""
    ec = aws.client("elasticache", "us-east-1")
    ec2 = aws.client("ec2", "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    ec.create_cache_subnet_group(CacheSubnetGroupName="private-cache", CacheSubnetGroupDescription="private",
                                 SubnetIds=[subnet])
    group = {"Engine": "redis", "CacheNodeType": "cache.t3.micro", "NumCacheClusters": 2}
    ec.create_replication_group(ReplicationGroupId="rg-good", ReplicationGroupDescription="good",
                                AutomaticFailoverEnabled=True, AtRestEncryptionEnabled=True,
                                TransitEncryptionEnabled=True, SnapshotRetentionLimit=7, **group)
    ec.create_replication_group(ReplicationGroupId="rg-bad", ReplicationGroupDescription="bad",
                                AutomaticFailoverEnabled=False, SnapshotRetentionLimit=0, **group)
    cluster = {"Engine": "redis", "CacheNodeType": "cache.t3.micro", "NumCacheNodes": 1}
    ec.create_cache_cluster(CacheClusterId="cache-good", CacheSubnetGroupName="private-cache",
                            SnapshotRetentionLimit=3, AutoMinorVersionUpgrade=True, **cluster)
    ec.create_cache_cluster(CacheClusterId="cache-bad", CacheSubnetGroupName="default", SnapshotRetentionLimit=0,
                            AutoMinorVersionUpgrade=False, **cluster)
    ec.create_cache_cluster(CacheClusterId="memcache", Engine="memcached", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1, CacheSubnetGroupName="private-cache")
    for name, auth in (("redis5-auth", {"AuthToken": "not-a-real-token-0123456789", "TransitEncryptionEnabled": True}),
                       ("redis5-open", {})):
        ec.create_replication_group(ReplicationGroupId=name, ReplicationGroupDescription=name, EngineVersion="5.0.6",
                                    **group, **auth)
        # the emulator lists a member name but no member cluster: create it, as AWS would, with its version
        ec.create_cache_cluster(CacheClusterId=f"{name}-001", ReplicationGroupId=name, EngineVersion="5.0.6", **cluster)
    result = live_scan(aws, checks=[*GROUP_CHECKS, *CLUSTER_CHECKS, "elasticache_replication_group_redis_auth"],
                       services=["elasticache"])
    for check_id in GROUP_CHECKS:
        assert result.status_of("rg-good", check_id) is Status.PASS, check_id
        assert result.status_of("rg-bad", check_id) is Status.FAIL, check_id
    for check_id in CLUSTER_CHECKS:
        assert result.status_of("cache-good", check_id) is Status.PASS, check_id
        assert result.status_of("cache-bad", check_id) is Status.FAIL, check_id
    assert result.status_of("memcache", "elasticache_cluster_automatic_backups") is None
    assert result.status_of("memcache", "elasticache_cluster_not_default_subnet_group") is Status.PASS
    # rg-bad's member cluster does not exist on the emulator: its engine version is unknown, so is AUTH's verdict
    assert result.status_of("rg-bad", "elasticache_replication_group_redis_auth") is Status.UNKNOWN
    assert result.status_of("redis5-auth", "elasticache_replication_group_redis_auth") is Status.PASS
    assert result.status_of("redis5-open", "elasticache_replication_group_redis_auth") is Status.FAIL
    assert result.status_of("redis5-open-001", "elasticache_cluster_automatic_backups") is None  # judged at its group
    assert not [f for f in result.findings if "not-a-real-token" in f.reason]
