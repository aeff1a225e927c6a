"""`wasp scan --org --engine spark`: accounts scanned as tasks on a local Spark, findings back via Parquet."""

from __future__ import annotations

import pytest

from wasp.org.runner import OrgOptions, scan_organization

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_spark_engine_matches_local_engine(aws, moto, tmp_path, spark):
    """The Spark engine (local[2]) yields the same findings per account as the local engine, via Parquet; a Spark
    session already running (a notebook's) is used and left running."""
    from conftest_org import build_org

    org = build_org(aws, moto, enforce=False)
    opts = OrgOptions(regions=["us-east-1"], check_ids=["iam_root_mfa_enabled", "s3_*", "org_*"])
    local = scan_organization(org.scanner, opts)
    on_spark = scan_organization(org.scanner, opts, engine="spark", spark_master="local[2]",
                              parquet_dir=tmp_path / "findings")
    assert list((tmp_path / "findings").glob("*.parquet"))
    assert not spark.sparkContext._jsc.sc().isStopped()

    def key(result):
        return sorted((f.check_id, f.resource.account, f.resource.id, f.status.value) for f in result.findings)

    assert key(on_spark) == key(local)
    assert {a["id"] for a in on_spark.organization["accounts"]} == {a["id"] for a in local.organization["accounts"]}
    # the Parquet folder alone is a report; --save puts it in the store, whose report keeps the org section
    import subprocess
    import sys

    db = tmp_path / "w.duckdb"
    cmd = [sys.executable, "-m", "wasp", "report", "--parquet", str(tmp_path / "findings"), "--db", str(db)]
    shown = subprocess.run([*cmd, "--save"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "Organization" in shown.stdout and org.members["prod"] in shown.stdout
    stored = subprocess.run([sys.executable, "-m", "wasp", "report", "--db", str(db)], capture_output=True,
                            text=True, timeout=120)
    assert stored.returncode == 0 and "the same fix in several accounts" in stored.stdout
    broken = subprocess.run([*cmd[:4], str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
