"""`wasp trail ...` end to end: ingest, detect into the store, query, who, timeline, export; clean input errors."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from trail_helpers import run

from wasp.trail.ingest import write_delivery_file
from wasp.trail.rules import expand_case

ROLE_SESSION = {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Ops/bob",
                "accessKeyId": "ASIAEXAMPLEBOB000001", "principalId": "AROAOPS:bob",
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/Ops"}}}




@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """A folder of delivery files: alice reads a bucket, bob (a role session) stops CloudTrail."""
    folder = tmp_path / "logs"
    folder.mkdir()
    alice = [{"eventSource": "s3.amazonaws.com", "eventName": "GetObject",
              "requestParameters": {"bucketName": "payroll", "key": f"k{i}"}} for i in range(3)]
    bob = [{"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "userIdentity": ROLE_SESSION,
            "sourceIPAddress": "203.0.113.66", "requestParameters": {"name": "main"}}]
    events = expand_case({"events": alice + bob, "every": "1m"})
    write_delivery_file(folder / "111122223333_CloudTrail_us-east-1_a.json.gz", events)
    return folder


def test_ingest_detect_and_store(tmp_path: Path, logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Ingest then detect: the tampering finding is in the JSON report and saved as a 'trail' scan in the store."""
    db, store = tmp_path / "events.duckdb", tmp_path / "wasp.duckdb"
    code, out, _ = run(["trail", "ingest", str(logs), "--events", str(db), "--batch-mb", "1"], capsys)
    assert code == 0 and "4 new event(s)" in out
    code, _, _ = run(["trail", "detect", "--events", str(db), "--db", str(store), "--output", "json",
                          "--out", str(tmp_path / "d.json"), "--fail-on", "high"], capsys)
    assert code == 1  # a high-severity detection with --fail-on high
    report = json.loads((tmp_path / "d.json").read_text())
    assert report["scan"]["source"] == "trail"
    tamper = [f for f in report["findings"] if f["check_id"] == "trail_cloudtrail_tampering"]
    assert len(tamper) == 1 and tamper[0]["status"] == "FAIL" and tamper[0]["area"] == "detection"
    assert tamper[0]["resource"]["arn"] == ROLE_SESSION["arn"]
    assert tamper[0]["evidence"]["events"][0]["eventName"] == "StopLogging"
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM findings WHERE check_id = 'trail_cloudtrail_tampering' "
                           "AND source = 'trail'").fetchone()[0] == 1


def test_query_who_timeline_export(tmp_path: Path, logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The investigation commands answer from the store, and export writes Parquet with every event."""
    db = str(tmp_path / "events.duckdb")
    run(["trail", "ingest", str(logs), "--events", db], capsys)
    code, out, _ = run(["trail", "query", "SELECT event_name, count(*) AS n FROM trail_events GROUP BY 1 ORDER BY 1",
                        "--events", db, "--output", "json"], capsys)
    assert code == 0 and json.loads(out) == [{"event_name": "GetObject", "n": 3}, {"event_name": "StopLogging", "n": 1}]
    code, out, _ = run(["trail", "who", "--access-key", "AKIAEXAMPLEALICE0001", "--events", db, "--output", "json"],
                       capsys)
    answer = json.loads(out)
    assert answer["events"] == 3 and answer["principals"][0]["value"].endswith("user/alice")
    code, out, _ = run(["trail", "who", "--principal", "arn:aws:iam::111122223333:role/Ops", "--events", db], capsys)
    assert "1 event(s)" in out and "203.0.113.66" in out and "cloudtrail.amazonaws.com:StopLogging" in out
    code, out, _ = run(["trail", "who", "--resource", "payroll", "--events", db, "--output", "json"], capsys)
    assert json.loads(out)["events"] == 3
    code, out, _ = run(["trail", "who", "--ip", "203.0.113.66", "--events", db, "--output", "json"], capsys)
    assert json.loads(out)["principals"][0]["value"] == ROLE_SESSION["arn"]
    code, out, _ = run(["trail", "timeline", "--principal", "arn:aws:iam::111122223333:user/alice",
                        "--since", "2024-03-01T00:00", "--events", db, "--output", "json"], capsys)
    timeline = json.loads(out)["events"]
    assert [e["target"] for e in timeline] == ["payroll"] * 3
    assert timeline == sorted(timeline, key=lambda e: e["time"])
    code, out, _ = run(["trail", "timeline", "--principal", "arn:aws:iam::111122223333:user/alice", "--since", "24h",
                        "--events", db], capsys)
    assert "latest event of this principal is at 2024-03-01" in out
    code, out, _ = run(["trail", "export", "--parquet", str(tmp_path / "pq"), "--events", db], capsys)
    assert code == 0
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM '{tmp_path / 'pq' / 'events.parquet'}'").fetchone()[0] == 4


def test_input_errors_are_one_line(tmp_path: Path, logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad SQL, a missing store, a missing source and a corrupt file exit 2 with one line, no traceback."""
    db = str(tmp_path / "events.duckdb")
    code, _, err = run(["trail", "query", "SELECT 1", "--events", str(tmp_path / "none.duckdb")], capsys)
    assert code == 2 and "no event store" in err
    (logs / "bad.json.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    code, out, err = run(["trail", "ingest", str(logs), "--events", db], capsys)
    assert code == 2 and "4 new event(s)" in out and "1 file(s) could not be read" in out and "Traceback" not in err
    assert [line for line in err.splitlines() if "bad.json.gz" in line] == [  # said once, on stderr only
        next(line for line in err.splitlines() if line.startswith("wasp: error:"))] and "bad.json.gz" not in out
    code, _, err = run(["trail", "query", "SELECT nope FROM trail_events", "--events", db], capsys)
    assert code == 2 and err.startswith("wasp: error: query failed") and len(err.strip().splitlines()) == 1
    code, _, err = run(["trail", "ingest", str(tmp_path / "missing"), "--events", db], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run(["trail", "timeline", "--principal", "x", "--since", "yesterday-ish", "--events", db], capsys)
    assert code == 2 and "--since" in err


def test_query_of_empty_sql_is_an_input_error(tmp_path, capsys):
    """An empty or comment-only SQL statement is one error line (exit 2), not an unexpected error."""
    db = str(tmp_path / "t.duckdb")
    from wasp.trail.store import connect

    connect(db).close()
    for sql in ("", "  ", "/* nothing */"):
        code, _, err = run(["trail", "query", sql, "--events", db], capsys)
        assert code == 2 and "wasp: error: query:" in err and "unexpected" not in err, (sql, err)
