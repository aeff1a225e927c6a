"""`wasp scan --org --engine spark`: accounts scanned as tasks on a local Spark, findings back via Parquet."""

from __future__ import annotations

import pytest

from wasp.org.runner import OrgOptions, scan_organization

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_spark_engine_matches_local_engine(aws, moto, tmp_path):
    """The Spark engine (local[2]) yields the same findings per account as the local engine, via Parquet."""
    from conftest_org import build_org

    org = build_org(aws, moto, enforce=False)
    opts = OrgOptions(regions=["us-east-1"], check_ids=["iam_root_mfa_enabled", "s3_*", "org_*"])
    local = scan_organization(org.scanner, opts)
    spark = scan_organization(org.scanner, opts, engine="spark", spark_master="local[2]",
                              parquet_dir=tmp_path / "findings")
    assert list((tmp_path / "findings").glob("*.parquet"))

    def key(result):
        return sorted((f.check_id, f.resource.account, f.resource.id, f.status.value) for f in result.findings)

    assert key(spark) == key(local)
    assert {a["id"] for a in spark.organization["accounts"]} == {a["id"] for a in local.organization["accounts"]}
