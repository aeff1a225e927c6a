"""The Spark engine runs the same compiled rules as DuckDB and finds the same detections (local Spark)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.ingest import ingest, write_delivery_file
from wasp.trail.rules import RuleSet, expand_case, load_rules
from wasp.trail.store import connect, export_parquet

pytestmark = [pytest.mark.slow, pytest.mark.spark]
KINDS = ["trail_cloudtrail_tampering", "trail_secrets_enumeration", "trail_failed_logins_then_success",
         "trail_unusual_region", "trail_s3_bucket_made_public", "trail_login_profile_for_other_user"]


def outcome(run: Any) -> set[tuple[str, str, int]]:
    return {(f.check_id, f.resource.key, f.evidence["events_matched"]) for f in run.findings}


def test_spark_matches_duckdb_on_raw_files_and_parquet(spark: Any, tmp_path: Path, shared: Path) -> None:
    """Match, threshold, sequence and rare rules plus a community rule give identical findings on both engines."""
    from wasp.trail.spark import SparkEngine, load_events

    pack = {r.id: r for r in load_rules().rules}
    community = load_rules([shared / "data/sigma/rules/cloud/aws/cloudtrail/aws_sts_assumerole_misuse.yml"],
                           builtin=False).rules
    rules = RuleSet([pack[k] for k in KINDS] + community, [])
    events: list[dict[str, Any]] = []
    for n, rule in enumerate(pack[k] for k in KINDS):
        for m, case in enumerate(rule.tests["positive"] + rule.tests["negative"]):
            events += expand_case(case, start=n * 100_000 + m * 1000)
    raw = tmp_path / "raw"
    raw.mkdir()
    write_delivery_file(raw / "a.json.gz", events[: len(events) // 2])
    (raw / "b.jsonl").write_text("\n".join(json.dumps(e) for e in events[len(events) // 2:]) + "\n")
    (raw / "otrf.json").write_text((shared / "data/cloudtrail/otrf-security-datasets/"
                                              "ec2_proxy_s3_exfiltration_2020-09-14011940.json").read_text())
    con = connect(tmp_path / "e.duckdb")
    assert ingest(con, [str(raw)]).errors == []
    expected = outcome(run_rules(DuckDBEngine(con), rules))
    assert {c for c, _, _ in expected} >= {*KINDS, "aws_sts_assumerole_misuse"}

    assert load_events(spark, [str(raw)]) == len(events) + 103
    on_raw = run_rules(SparkEngine(spark), rules)
    assert on_raw.problems == [] and outcome(on_raw) == expected

    export_parquet(con, tmp_path / "pq")
    assert load_events(spark, [str(tmp_path / "pq")]) == len(events) + 103
    assert outcome(run_rules(SparkEngine(spark), rules)) == expected

    # Parquet exported before the identity columns existed: they are derived from the event JSON
    (tmp_path / "legacy").mkdir()
    con.execute(f"COPY (SELECT * EXCLUDE (principal_id, user_name, invoked_by, issuer_type, console_session, "
                f"vpc_endpoint_id, event), CAST(event AS VARCHAR) AS event FROM trail_events) "
                f"TO '{tmp_path / 'legacy' / 'events.parquet'}' (FORMAT parquet)")
    assert load_events(spark, [str(tmp_path / "legacy")]) == len(events) + 103
    assert outcome(run_rules(SparkEngine(spark), rules)) == expected


def _envelope(event: dict[str, Any]) -> dict[str, Any]:
    """An EventBridge delivery of a CloudTrail event (AWS docs: "AWS API Call via CloudTrail" events)."""
    return {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.iam", "account": event["recipientAccountId"], "time": event["eventTime"],
            "region": "us-east-1", "resources": [], "detail": event}


def test_spark_matches_duckdb_on_every_builtin_rule(spark: Any, tmp_path: Path) -> None:
    """Every built-in rule's test events, in every file shape: Spark and DuckDB give the same findings."""
    from wasp.trail.spark import SparkEngine, load_events

    rules = RuleSet([r for r in load_rules().rules if r.kind != "new_value" and not r.flow], [])  # DuckDB-only
    events: list[dict[str, Any]] = []
    for n, rule in enumerate(rules.rules):
        for m, case in enumerate(rule.tests.get("positive", []) + rule.tests.get("negative", [])):
            events += expand_case(case, start=n * 100_000 + m * 1000)
    raw = tmp_path / "raw"
    raw.mkdir()
    q = len(events) // 4
    write_delivery_file(raw / "a.json.gz", events[:q])
    (raw / "b.jsonl").write_text("\n".join(json.dumps(e) for e in events[q:2 * q]) + "\n")
    (raw / "c.json").write_text(json.dumps(events[2 * q:3 * q]))
    (raw / "d.jsonl").write_text("\n".join(json.dumps(_envelope(e)) for e in events[3 * q:]) + "\n")
    (raw / "e.jsonl").write_text("\n".join(json.dumps(e) for e in events[:20]) + "\n")  # delivered twice
    con = connect(tmp_path / "e.duckdb")
    assert ingest(con, [str(raw)]).errors == []
    duck = run_rules(DuckDBEngine(con), rules)
    expected = outcome(duck)
    assert {c for c, _, _ in expected} >= {r.id for r in rules.rules if r.tests.get("positive")}

    assert load_events(spark, [str(raw)], rules.rules) == len(events)
    on_raw = run_rules(SparkEngine(spark), rules)
    assert on_raw.problems == [] and outcome(on_raw) == expected
    ids = {e["eventID"] for e in events}
    for f in on_raw.findings:  # evidence is read back by row id: real events, as many as DuckDB shows
        shown = f.evidence["events"]
        assert shown and {e["eventID"] for e in shown} <= ids
        twin = next(d for d in duck.findings if (d.check_id, d.resource.key) == (f.check_id, f.resource.key))
        assert len(shown) == len(twin.evidence["events"])

    # Parquet changes how events are loaded, not how rules run: the rules of KINDS (one of each kind: match,
    # threshold, sequence, rare...) on the Parquet export give the findings they gave on the raw files
    export_parquet(con, tmp_path / "pq")
    assert load_events(spark, [str(tmp_path / "pq")], rules.rules) == len(events)
    sample = RuleSet([r for r in rules.rules if r.id in KINDS], [])
    assert len(sample.rules) == len(KINDS)
    assert outcome(run_rules(SparkEngine(spark), sample)) == {o for o in expected if o[0] in KINDS}


def test_spark_reports_new_value_rules(spark: Any) -> None:
    """New-value rules keep their baseline in the DuckDB store: on Spark each is reported by name, not run."""
    from wasp.trail.spark import SparkEngine

    nv = [r for r in load_rules().rules if r.kind == "new_value"]
    run = run_rules(SparkEngine(spark), RuleSet(nv, []))
    assert nv and run.rules_run == 0 and run.findings == []
    assert sorted(p.split(":")[1] for p in run.problems) == sorted(r.path.split(":")[1] for r in nv)
    assert all("not supported on Spark" in p for p in run.problems)
