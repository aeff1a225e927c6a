"""The 57 community Sigma rules for CloudTrail load and run; aggregation rules are reported by name."""

from __future__ import annotations

from pathlib import Path

from trail_helpers import store_with

from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.rules import expand_case, load_rules


def test_all_57_community_rules_load_and_run(shared: Path, tmp_path: Path) -> None:
    """Every rule under sigma/rules/cloud/aws compiles and runs on DuckDB without a problem."""
    ruleset = load_rules([shared / "data/sigma/rules/cloud/aws"], builtin=False)
    assert ruleset.problems == []
    assert len(ruleset.rules) == 57
    con = store_with(tmp_path, expand_case({"eventSource": "s3.amazonaws.com", "eventName": "ListBuckets"}))
    run = run_rules(DuckDBEngine(con), ruleset)
    assert run.problems == [] and run.rules_run == 57


def test_unsupported_aggregation_rules_reported_by_name(shared: Path) -> None:
    """Sigma 1 'count() by' rules are listed as needing aggregation, the rest of the folder still loads."""
    ruleset = load_rules([shared / "data/sigma/unsupported"], builtin=False)
    names = {Path(p.split(":")[0]).name for p in ruleset.problems}
    assert {"aws_enum_listing.yml", "aws_macic_evasion.yml", "aws_enum_network.yml"} <= names
    assert all("aggregation" in p for p in ruleset.problems)


def test_console_login_without_mfa_matches_real_casing(shared: Path, tmp_path: Path) -> None:
    """The community rule says MFAUsed 'NO'; a real event says 'No'; it still fires (case-insensitive)."""
    ruleset = load_rules([shared / "data/sigma/rules/cloud/aws/cloudtrail/"
                                   "aws_cloudtrail_console_login_success_without_mfa.yml"], builtin=False)
    event = {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
             "additionalEventData": {"MFAUsed": "No"}, "responseElements": {"ConsoleLogin": "Success"}}
    con = store_with(tmp_path, expand_case(event))
    run = run_rules(DuckDBEngine(con), ruleset)
    assert [f.check_id for f in run.findings] == ["aws_cloudtrail_console_login_success_without_mfa"]


def test_real_breach_dataset_fires_instance_credential_rules(shared: Path, tmp_path: Path) -> None:
    """On the OTRF EC2-proxy/S3 exfiltration logs, the stolen instance-role session is detected."""
    from wasp.trail.ingest import ingest
    from wasp.trail.store import connect

    con = connect(tmp_path / "otrf.duckdb")
    report = ingest(con, [str(shared / "data/cloudtrail/otrf-security-datasets")])
    assert report.events_added == 103 and report.errors == []
    run = run_rules(DuckDBEngine(con), load_rules([shared / "data/sigma/rules/cloud/aws"]))
    fired = {(f.check_id, f.resource.name) for f in run.findings}
    assert ("trail_instance_credentials_outside_aws", "i-0317f6c6b66ae9c40") in fired
    finding = next(f for f in run.findings if f.check_id == "trail_instance_credentials_outside_aws")
    assert finding.evidence["events_matched"] == 11
    assert {e["eventName"] for e in finding.evidence["events"]} <= {"ListBuckets", "ListObjects", "GetObject"}
    assert "T1552.005" in finding.evidence["attack"]
