"""One name per concept: each old spelling still works for one release, warns once, and equals the new one.

Also the one duration syntax (``wasp.duration`` and the ``Since`` click type) and its usage errors.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from wasp.cli import main
from wasp.duration import parse_duration, parse_when
from wasp.trail.ingest import write_delivery_file
from wasp.trail.rules import expand_case, seconds

# the CloudFormation example of AWS::S3::Bucket, without encryption or versioning: it yields FAIL findings
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: example-logs
"""
# CloudTrail's StopLogging record shape (AWS CloudTrail User Guide, "CloudTrail record contents")
STOP = {"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "sourceIPAddress": "203.0.113.66",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/mallory",
                         "accessKeyId": "AKIAEXAMPLEMALLORY01"},
        "requestParameters": {"name": "main"}}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def warned(err: str, old: str, new: str) -> bool:
    """The one deprecation line: the old spelling, the release that removes it, the new spelling."""
    lines = [line for line in err.splitlines() if line.startswith("wasp: warning:") and "deprecated" in line]
    return len(lines) == 1 and old in lines[0] and "removed in wasp 0.3" in lines[0] and f"use {new}" in lines[0]


@pytest.fixture
def stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A findings store holding one template scan (no AWS needed)."""
    (tmp_path / "bucket.yaml").write_text(TEMPLATE, encoding="utf-8")
    db = tmp_path / "wasp.duckdb"
    code, _, err = run(capsys, "iac", str(tmp_path / "bucket.yaml"), "--db", str(db), "--output", "json")
    assert code == 0 and "saved scan" in err
    return db


@pytest.fixture
def events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """An event store holding one StopLogging call, filled with the new spelling --events."""
    logs = tmp_path / "logs"
    logs.mkdir()
    write_delivery_file(logs / "111122223333_CloudTrail_us-east-1_a.json.gz", expand_case({"events": [STOP]}))
    path = tmp_path / "events.duckdb"
    code, out, err = run(capsys, "trail", "ingest", str(logs), "--events", str(path))
    assert code == 0 and "1 new event(s)" in out and "deprecated" not in err
    return path


def _scans(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT source FROM scans ORDER BY started").fetchall()]


def test_report_format_is_the_old_spelling_of_output(stored: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`report --format json` warns and prints what `report --output json` prints; both at once is exit 2."""
    code, new, err = run(capsys, "report", "--db", str(stored), "--output", "json")
    assert code == 0 and "deprecated" not in err
    code, old, err = run(capsys, "report", "--db", str(stored), "--format", "json")
    assert code == 0 and warned(err, "--format", "--output")
    assert json.loads(old)["findings"] == json.loads(new)["findings"] != []
    code, _, err = run(capsys, "report", "--db", str(stored), "--format", "json", "--output", "csv")
    assert code == 2 and "--format is the old spelling of --output" in err


def test_clean_room_format_is_the_old_spelling_of_output(capsys: pytest.CaptureFixture[str]) -> None:
    """`respond clean-room --format json` warns and writes the JSON template `--output json` writes."""
    code, new, err = run(capsys, "respond", "clean-room", "--case", "case-x", "--output", "json")
    assert code == 0 and "deprecated" not in err
    code, old, err = run(capsys, "respond", "clean-room", "--case", "case-x", "--format", "json")
    assert code == 0 and warned(err, "--format", "--output")
    assert json.loads(old) == json.loads(new) and "Resources" in json.loads(new)


def test_trail_db_is_the_old_spelling_of_events(events: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Under ingest/query/who/timeline/export, --db still names the event store, with a warning."""
    sql = "SELECT count(*) AS n FROM trail_events"
    code, new, err = run(capsys, "trail", "query", sql, "--events", str(events), "--output", "json")
    assert code == 0 and json.loads(new) == [{"n": 1}] and "deprecated" not in err
    code, old, err = run(capsys, "trail", "query", sql, "--db", str(events), "--output", "json")
    assert code == 0 and json.loads(old) == [{"n": 1}] and warned(err, "--db", "--events")
    code, out, err = run(capsys, "trail", "who", "--ip", "203.0.113.66", "--db", str(events), "--output", "json")
    assert code == 0 and json.loads(out)["events"] == 1 and warned(err, "--db", "--events")
    code, out, err = run(capsys, "trail", "ingest", str(tmp_path / "logs"), "--db", str(tmp_path / "old.duckdb"))
    assert code == 0 and "1 new event(s)" in out and warned(err, "--db", "--events")


def test_detect_new_spelling_events_and_db(events: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`trail detect --events E --db S` reads E and saves the detections in S, without a warning."""
    store = tmp_path / "findings.duckdb"
    code, out, err = run(capsys, "trail", "detect", "--events", str(events), "--db", str(store), "--output", "json")
    assert code == 0 and "deprecated" not in err
    assert any(f["check_id"] == "trail_cloudtrail_tampering" for f in json.loads(out)["findings"])
    assert _scans(store) == ["trail"]


def test_detect_old_db_and_store_keep_their_old_meaning(events: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`trail detect --db E --store S` (0.1's spelling) still reads events from E and saves in S, warning twice."""
    store = tmp_path / "findings.duckdb"
    code, out, err = run(capsys, "trail", "detect", "--db", str(events), "--store", str(store), "--output", "json")
    assert code == 0 and any(f["check_id"] == "trail_cloudtrail_tampering" for f in json.loads(out)["findings"])
    assert _scans(store) == ["trail"]
    notes = [line for line in err.splitlines() if "deprecated" in line]
    assert len(notes) == 2 and "--store" in notes[0] and "use --db" in notes[0]
    assert "use --events EVENTS --db FINDINGS" in notes[1]
    with duckdb.connect(str(events), read_only=True) as con:  # the event store did not become a findings store
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'scans'").fetchone() \
            == (0,)


def test_detect_db_naming_an_event_store_reads_it_as_before(events: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`trail detect --db E` alone, E an event store: E is read as the events (not silently ignored), with a warning."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code, out, err = run(capsys, "trail", "detect", "--db", str(events), "--output", "json")
    assert code == 0 and any(f["check_id"] == "trail_cloudtrail_tampering" for f in json.loads(out)["findings"])
    assert "holds CloudTrail events, so it was read as the event store" in err and f"use --events {events}" in err
    assert _scans(tmp_path / "data" / "wasp" / "wasp.duckdb") == ["trail"]  # findings: the default store


def test_detect_db_naming_a_findings_store_is_the_findings_store(events: Path, stored: Path,
                                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`trail detect --db S`, S a findings store: the detections are saved in S; the events are the default store."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default_events = tmp_path / "data" / "wasp" / "trail.duckdb"
    default_events.parent.mkdir(parents=True)
    events.rename(default_events)
    code, _, err = run(capsys, "trail", "detect", "--db", str(stored), "--output", "json")
    assert code == 0 and "deprecated" not in err
    assert _scans(stored) == ["iac", "trail"]


def test_detect_no_save_is_the_old_spelling_of_no_store(events: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`trail detect --no-save` warns and saves nothing, as `--no-store` does."""
    store = tmp_path / "findings.duckdb"
    code, _, err = run(capsys, "trail", "detect", "--events", str(events), "--db", str(store), "--no-store")
    assert code == 0 and "deprecated" not in err and not store.exists()
    code, _, err = run(capsys, "trail", "detect", "--events", str(events), "--db", str(store), "--no-save")
    assert code == 0 and warned(err, "--no-save", "--no-store") and not store.exists()


def test_deliver_store_is_the_old_spelling_of_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`trail deliver --store S` reads the findings store S as `--db S` does (a missing one: named in the error)."""
    empty = tmp_path / "empty.duckdb"
    args = ("trail", "deliver", "--webhook", "http://127.0.0.1:9/hook")
    code, _, err = run(capsys, *args, "--db", str(empty))
    assert code == 2 and str(empty) in err and "deprecated" not in err
    code, _, err = run(capsys, *args, "--store", str(empty))
    assert code == 2 and str(empty) in err and warned(err, "--store", "--db")


@pytest.mark.parametrize(("text", "delta"), [("45s", timedelta(seconds=45)), ("30m", timedelta(minutes=30)),
                                             ("12h", timedelta(hours=12)), ("14d", timedelta(days=14)),
                                             ("2w", timedelta(weeks=2)), (" 2W ", timedelta(weeks=2)),
                                             (600, timedelta(minutes=10))])
def test_one_duration_syntax(text: str | int, delta: timedelta) -> None:
    """s, m (minutes), h, d and w, any case; a bare int (rule files) is seconds."""
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["", "30", "m", "1.5h", "3mo", "-2d", "2 weeks", "1y"])
def test_bad_durations_are_refused(text: str) -> None:
    """Anything but a whole number and one known unit is an error naming the syntax."""
    with pytest.raises(ValueError, match="30m, 12h, 14d, 2w"):
        parse_duration(text)


def test_when_is_a_duration_before_now_or_an_iso_time() -> None:
    """parse_when: `2w` is two weeks before now; an ISO time is itself (naive read as UTC, offsets honoured)."""
    now = datetime(2026, 3, 15, 12, tzinfo=UTC)
    assert parse_when("2w", now) == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_when("2026-03-01T12:00", now) == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_when("2026-03-01T14:00+02:00", now) == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_rule_windows_share_the_syntax() -> None:
    """Trail rule files keep `window: 30m` (minutes) and may now say `2w` too."""
    assert seconds("30m") == 1800 and seconds("1h") == 3600 and seconds("2w") == 14 * 86400 and seconds(90) == 90


def test_iam_generate_reads_m_as_minutes() -> None:
    """`wasp iam generate --since 3m` is three minutes now, as everywhere (it was 90 days)."""
    from wasp.iam.generate import parse_since

    now = datetime(2026, 3, 15, 12, tzinfo=UTC)
    assert parse_since("3m", now) == now - timedelta(minutes=3)
    assert parse_since("2w", now) == now - timedelta(weeks=2)


@pytest.mark.parametrize("args", [("trail", "timeline", "--principal", "x", "--since", "3fortnights"),
                                  ("trail", "timeline", "--principal", "x", "--until", "soon"),
                                  ("iam", "generate", "--principal", "arn:aws:iam::111122223333:user/a",
                                   "--activity", ".", "--since", "1y")])
def test_a_bad_duration_is_a_usage_error(args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    """Every duration option refuses a bad value before running: exit 2 and a line naming the option and syntax."""
    code, _, err = run(capsys, *args)
    assert code == 2 and f"Invalid value for '{args[-2]}'" in err and "30m, 12h, 14d, 2w" in err


def test_iam_generate_warns_that_m_is_minutes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--since 3m` on iam generate runs (3 minutes) but says m meant months there before; 90d says nothing."""
    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps({"Records": []}), encoding="utf-8")
    base = ("iam", "generate", "--principal", "arn:aws:iam::111122223333:user/a", "--activity", str(trail))
    code, _, err = run(capsys, *base, "--since", "3m")
    assert code == 0 and "--since 3m means minutes" in err
    code, _, err = run(capsys, *base, "--since", "90d")
    assert code == 0 and "warning" not in err


def _parsed(path: tuple[str, ...], args: list[str]) -> dict[str, object]:
    """The parameters click hands the command at ``path`` for ``args`` (parsed only, nothing run)."""
    import click

    from wasp.cli import app

    cmd: click.Command = app
    ctx = click.Context(app, info_name="wasp")
    for name in path:
        assert isinstance(cmd, click.Group)
        sub = cmd.get_command(ctx, name)
        assert sub is not None
        cmd = sub
        ctx = click.Context(cmd, info_name=name, parent=ctx)
    return dict(cmd.make_context(path[-1], list(args), parent=ctx.parent).params)


ALIASES = [  # command, old spelling, new spelling, value, parameter, parsed value
    (("report",), "--format", "--output", "csv", "fmt", "csv"),
    (("respond", "clean-room"), "--format", "--output", "json", "fmt", "json"),
    (("trail", "ingest"), "--db", "--events", "e.duckdb", "events", Path("e.duckdb")),
    (("trail", "query"), "--db", "--events", "e.duckdb", "events", Path("e.duckdb")),
    (("trail", "who"), "--db", "--events", "e.duckdb", "events", Path("e.duckdb")),
    (("trail", "timeline"), "--db", "--events", "e.duckdb", "events", Path("e.duckdb")),
    (("trail", "export"), "--db", "--events", "e.duckdb", "events", Path("e.duckdb")),
    (("trail", "detect"), "--source", "--spark-input", "logs/", "spark_sources", ("logs/",)),
    (("trail", "detect"), "--no-save", "--no-store", None, "no_save", True),
    (("trail", "deliver"), "--store", "--db", "w.duckdb", "store_path", Path("w.duckdb")),
    (("iam", "generate"), "--trail", "--activity", "logs/", "trail", Path("logs/")),
    (("scan",), "--parquet-dir", "--parquet", "pq", "parquet_dir", Path("pq")),
]
REQUIRED = {("trail", "ingest"): ["logs/"], ("trail", "query"): ["SELECT 1"],
            ("trail", "timeline"): ["--principal", "x"], ("trail", "export"): ["--parquet", "pq"],
            ("iam", "generate"): ["--principal", "x"]}


@pytest.mark.parametrize(("path", "old", "new", "value", "param", "parsed"), ALIASES,
                         ids=[f"{' '.join(a[0])} {a[1]}" for a in ALIASES])
def test_every_old_spelling_parses_as_the_new_one(path: tuple[str, ...], old: str, new: str, value: str | None,
                                                  param: str, parsed: object,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Each renamed option: the old spelling gives the command the same value as the new one, and warns once."""
    base = REQUIRED.get(path, [])
    given = [value] if value is not None else []
    assert _parsed(path, [*base, new, *given])[param] == parsed
    assert "deprecated" not in capsys.readouterr().err
    assert _parsed(path, [*base, old, *given])[param] == parsed
    assert warned(capsys.readouterr().err, old, new)
