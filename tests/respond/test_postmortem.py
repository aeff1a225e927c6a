"""`wasp respond report`: a game-day case run with --apply against moto, then its postmortem."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from wasp.sources.aws.session import AwsTarget
from workload import build_workload


def wasp(*args):
    return subprocess.run([sys.executable, "-m", "wasp", *args], capture_output=True, text=True, timeout=180)


def _event(when, name, instance, agent, **extra):
    return {"eventVersion": "1.08", "eventID": f"{name}-{instance}-{when:%H%M}",
            "eventTime": f"{when:%Y-%m-%dT%H:%M:%SZ}",
            "eventSource": "ec2.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.9", "userAgent": agent, "recipientAccountId": "123456789012",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/mallory",
                             "accessKeyId": "AKIAEXAMPLEEXAMPLE1"},
            "requestParameters": {"instanceId": instance, **extra}}


@pytest.fixture(scope="module")
def game_day(moto_server, tmp_path_factory):
    """An attacker changes the instance's user data 2 hours ago (CloudTrail), wasp detects it and scans EC2,
    then the responder contains the instance with --apply. Once for the module: its tests only read the stores."""
    moto_server.reset()
    moto_server.enforce_iam(False)
    moto, tmp_path = moto_server, tmp_path_factory.mktemp("gameday")
    workload = build_workload(AwsTarget(moto.session(), endpoint_url=moto.url))
    db, events = str(tmp_path / "w.duckdb"), str(tmp_path / "trail.duckdb")
    now = datetime.now(UTC)
    logs = tmp_path / "logs"
    logs.mkdir()
    records = [_event(now - timedelta(hours=2), "ModifyInstanceAttribute", workload.instance_id,
                      "<script>alert(1)</script>", userData="<sensitiveDataRemoved>"),
               _event(now - timedelta(hours=1), "DescribeInstances", "i-0unrelated000000", "aws-cli/2"),
               _event(now - timedelta(days=3), "StopInstances", workload.instance_id, "aws-cli/2")]
    (logs / "trail.json").write_text(json.dumps({"Records": records}))
    for args in (("trail", "ingest", str(logs), "--events", events),
                 ("trail", "detect", "--events", events, "--db", db),
                 ("scan", "--services", "ec2", "--regions", "us-east-1", "--endpoint-url", moto.url, "--db", db),
                 ("respond", "contain-instance", "--target", workload.instance_id, "--apply", "--yes",
                  "--endpoint-url", moto.url, "--db", db)):
        proc = wasp(*args)
        assert proc.returncode in (0, 1), (args, proc.stderr)  # scan and detect exit 1 on findings
    case = re.search(r"case (case-[\w-]+)", proc.stderr).group(1)
    return {"db": db, "events": events, "case": case, "instance": workload.instance_id}


def test_markdown_postmortem_of_a_game_day(game_day):
    """The Markdown report merges the journal, the attacker's event and the detection; shows the snapshot
    with its tags, time to detect/contain, open findings, failed best practices and the team's sections."""
    g = game_day
    proc = wasp("respond", "report", g["case"], "--db", g["db"], "--events", g["events"])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"# Postmortem: {g['case']}" in out
    assert "ModifyInstanceAttribute (ec2.amazonaws.com)" in out and "from 203.0.113.9" in out
    assert "arn:aws:iam::123456789012:user/mallory" in out
    assert "i-0unrelated" not in out and "StopInstances" not in out  # other resources, outside the window
    assert "trail_ec2_userdata_modified" in out
    timeline = out.split("## Timeline")[1].split("## What was contained")[0]
    # the attack comes before the response
    assert timeline.index("ModifyInstanceAttribute") < timeline.index("Move the instance to the quarantine group")
    evidence = out.split("## Evidence preserved")[1].split("##")[0]
    assert re.search(r"\| EBS snapshot \| snap-\w+ \| vol-\w+ \| done \|.*wasp:case=" + g["case"], evidence)
    ttd = out.split("## Time to detect and contain")[1].split("##")[0]
    assert re.search(r"\| 2h 0\dm \d\ds \| 2h 0\dm \d\ds \|", ttd), ttd
    assert "SEC04-BP01" in out and "Compare the user data" in out
    findings = out.split("## Open findings on the resources involved")[1].split("##")[0]
    assert "ec2_" in findings and g["instance"] in findings
    for team in ("## Impact", "## Root cause", "## Follow-ups"):
        assert team in out
    assert "<script>" not in out and "&lt;script&gt;" in out  # Markdown renders inline HTML
    assert "[https://docs.aws.amazon.com/wellarchitected/" in out


def test_html_postmortem_escapes_attacker_text(game_day, tmp_path):
    """The HTML report escapes what the attacker chose (a user agent with a script tag) and writes --out."""
    g = game_day
    page = tmp_path / "pm.html"
    proc = wasp("respond", "report", g["case"], "--db", g["db"], "--events", g["events"], "--output", "html",
                "--out", str(page))
    assert proc.returncode == 0, proc.stderr
    text = page.read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert text.startswith("<!DOCTYPE html>") and "<h2>Root cause</h2>" in text


def test_report_without_stores_says_what_it_cannot_know(game_day, tmp_path):
    """Without an event store the timeline is the response alone, and the report says so."""
    g = game_day
    proc = wasp("respond", "report", g["case"], "--db", g["db"])
    assert proc.returncode == 0, proc.stderr
    assert "no CloudTrail event store given" in proc.stdout and "ModifyInstanceAttribute (" not in proc.stdout


@pytest.mark.parametrize("args, message", [
    (("case-nope",), "no response case 'case-nope'"),
    (("case-nope", "--before", "soon"), "--before: bad duration"),
    (("case-nope", "--output", "pdf"), "Invalid value for '--output'"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, args, message):
    """An unknown case, a bad duration or format: one line on stderr, exit 2, no traceback."""
    proc = wasp("respond", "report", *args, "--db", str(tmp_path / "w.duckdb"))
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_journal_times_in_every_shape_are_read_as_utc():
    """ISO with Z or offset, epoch seconds (the emulated EventBridge's time) and garbage (None, not a guess)."""
    from wasp.respond.postmortem import _utc

    assert _utc("2026-12-05T20:00:00Z") == datetime(2026, 12, 5, 20, 0, 0)
    assert _utc("2026-12-05T21:00:00+01:00") == datetime(2026, 12, 5, 20, 0, 0)
    assert _utc("1796500800") == datetime(2026, 12, 5, 20, 0, 0)
    assert _utc("soon") is None and _utc(None) is None
