"""Neptune, Redshift, Redshift Serverless, ElastiCache, DAX and Backup vault rules on CloudFormation and Terraform."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasp.iac import scan_iac
from wasp.model import Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iac"
# logical id prefix (Good/Bad + this) -> checks judged on it from templates
CHECKS = {
    "Graph": ["neptune_cluster_storage_encrypted", "neptune_cluster_audit_logs_to_cloudwatch",
              "neptune_cluster_deletion_protection", "neptune_cluster_backup_retention", "neptune_cluster_iam_auth",
              "neptune_cluster_copy_tags_to_snapshot"],
    "Warehouse": ["redshift_cluster_not_public", "redshift_cluster_automatic_snapshots",
                  "redshift_cluster_audit_logging", "redshift_cluster_version_upgrade",
                  "redshift_cluster_enhanced_vpc_routing", "redshift_cluster_not_default_admin",
                  "redshift_cluster_encrypted", "redshift_cluster_multi_az"],
    "Workgroup": ["redshiftserverless_workgroup_enhanced_vpc_routing", "redshiftserverless_workgroup_requires_ssl",
                  "redshiftserverless_workgroup_not_public"],
    "Namespace": ["redshiftserverless_namespace_not_default_admin", "redshiftserverless_namespace_logs_to_cloudwatch"],
    "Cache": ["elasticache_cluster_automatic_backups", "elasticache_cluster_auto_minor_version_upgrade",
              "elasticache_cluster_not_default_subnet_group"],
    "Group": ["elasticache_replication_group_automatic_backups", "elasticache_replication_group_auto_failover",
              "elasticache_replication_group_encrypted_at_rest", "elasticache_replication_group_encrypted_in_transit"],
    "Dax": ["dax_cluster_encrypted_at_rest", "dax_cluster_encrypted_in_transit"],
}
TF_TYPES = {"Graph": "aws_neptune_cluster", "Warehouse": "aws_redshift_cluster", "Workgroup":
            "aws_redshiftserverless_workgroup", "Namespace": "aws_redshiftserverless_namespace",
            "Cache": "aws_elasticache_cluster", "Group": "aws_elasticache_replication_group", "Dax": "aws_dax_cluster",
            "Vault": "aws_backup_vault"}


def _id(fmt: str, kind: str, good: bool) -> str:
    """The resource id a reader gives the fixture's resource: logical id or Terraform address."""
    if fmt == "cfn":
        return ("Closed" if good else "Open") + kind if kind == "Vault" else ("Good" if good else "Bad") + kind
    label = ("closed" if good else "open") if kind == "Vault" else ("good" if good else "bad")
    return f"{TF_TYPES[kind]}.{label}"


def _verdicts(path: Path) -> dict[tuple[str, str], Status]:
    return {(f.resource.id, f.check_id): f.status for f in scan_iac([path]).findings}


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_hardened_resources_pass_and_careless_ones_fail(fmt):
    """Each template-judged rule passes on the hardened resource of its type and fails on the careless one, in
    CloudFormation and Terraform alike (vault policy and cluster logging attached from their own Terraform
    resources); an AUTH token given by a parameter without a value is UNKNOWN for a Redis 5 group, never PASS."""
    verdicts = _verdicts(FIXTURES / fmt / ("databases.yaml" if fmt == "cfn" else ""))
    for kind, checks in {**CHECKS, "Vault": ["iam_backup_vault_not_externally_accessible"]}.items():
        for check_id in checks:
            assert verdicts.get((_id(fmt, kind, True), check_id)) is Status.PASS, (kind, check_id)
            assert verdicts.get((_id(fmt, kind, False), check_id)) is Status.FAIL, (kind, check_id)
    auth = "elasticache_replication_group_redis_auth"
    assert verdicts[(_id(fmt, "Group", True), auth)] is Status.UNKNOWN
    assert verdicts[(_id(fmt, "Group", False), auth)] is Status.FAIL
