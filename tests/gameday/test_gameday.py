"""A game day on the emulator proves detection, containment and cleanup for each scenario."""

from __future__ import annotations

import subprocess
import sys

from wasp.gameday.lab import prepare
from wasp.gameday.run import run_gameday


def test_detection_only_scenarios_pass_end_to_end(aws, tmp_path):
    """Credential persistence and stolen instance credentials are detected, contained and cleaned up."""
    lab = prepare(aws, "us-east-1")
    results = run_gameday(aws, lab, ["credential-persistence", "instance-credentials-abused"], tmp_path,
                          tmp_path / "journal.duckdb")
    for r in results:
        assert r.passed, r.to_json()
        assert r.events >= 1 and r.detect.seconds > 0 and r.contain.seconds > 0


def test_scenario_with_silent_detection_is_reported_missed(aws, tmp_path, monkeypatch):
    """When the expected rule does not fire, the detect stage is MISS, never a pass."""
    from wasp.gameday import scenarios

    broken = scenarios.SCENARIOS["credential-persistence"]
    monkeypatch.setitem(scenarios.SCENARIOS, "credential-persistence",
                        type(broken)(**{**broken.__dict__, "detections": ("trail_no_such_rule",)}))
    lab = prepare(aws, "us-east-1")
    [result] = run_gameday(aws, lab, ["credential-persistence"], tmp_path, tmp_path / "j.duckdb")
    assert not result.passed and "detect" in result.missed


def test_real_account_needs_explicit_flag():
    """Pointing a game day at an account (a profile) without the explicit flag is refused with exit 2."""
    proc = subprocess.run([sys.executable, "-m", "wasp", "gameday", "--profile", "prod"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "i-understand-this-changes-AWS" in proc.stderr


def test_every_scenario_passes_on_the_embedded_account(aws, tmp_path):
    """Every shipped scenario proves detection, posture, containment and cleanup on the emulated account."""
    from wasp.gameday.scenarios import SCENARIOS

    lab = prepare(aws, "us-east-1")
    results = run_gameday(aws, lab, list(SCENARIOS), tmp_path, tmp_path / "journal.duckdb")
    assert [r.name for r in results] == list(SCENARIOS)
    failed = {r.name: r.to_json() for r in results if not r.passed}
    assert not failed, failed
    # a scenario that expects a posture change saw it as a FAIL on the judged resource, not as "no check"
    trail = next(r for r in results if r.name == "trail-stopped")
    assert trail.posture is not None and trail.posture.ok and "sees the change" in trail.posture.detail


def test_trail_stopped_is_seen_in_an_account_with_its_own_trail(aws, tmp_path):
    """In an account already logging through another multi-region trail (the demo's), stopping the lab's trail
    is still seen by the posture stage, and the run passes."""
    aws.client("s3").create_bucket(Bucket="company-trail-logs")
    trails = aws.client("cloudtrail")
    trails.create_trail(Name="company-trail", S3BucketName="company-trail-logs", IsMultiRegionTrail=True)
    trails.start_logging(Name="company-trail")
    lab = prepare(aws, "us-east-1")
    [result] = run_gameday(aws, lab, ["trail-stopped"], tmp_path, tmp_path / "journal.duckdb")
    assert result.passed, result.to_json()
    assert trails.get_trail_status(Name="company-trail")["IsLogging"]  # the account's own trail was left alone
