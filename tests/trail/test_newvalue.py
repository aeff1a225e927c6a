"""New-value rules: first sightings against a baseline kept in the store, learnt incrementally, never on Spark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from trail_helpers import fired, store_with

from wasp.cli import main
from wasp.trail.detect import DuckDBEngine, query, run_rules
from wasp.trail.ingest import ingest, write_delivery_file
from wasp.trail.rules import RuleSet, expand_case, load_rules, parse_rule
from wasp.trail.sigma import SPARK, UnsupportedRule

RULE = """
title: Access key from a new IP
logsource: {product: aws, service: cloudtrail}
detection: {selection: {userIdentity.accessKeyId|startswith: AKIA}, condition: selection}
wasp:
  id: nv_test
  new_value: {by: [userIdentity.accessKeyId], value: sourceIPAddress, baseline: 30d, learn: 7d}
"""


def days(ip: str, n: int, start: int = 0, name: str = "ListBuckets") -> list[dict[str, Any]]:
    """n daily calls by alice's key from ip, event ids from `start` (so batches do not collide)."""
    return expand_case({"events": [{"eventSource": "s3.amazonaws.com", "eventName": name, "sourceIPAddress": ip}],
                        "repeat": n, "every": "1d"}, start=start)


def shifted(events: list[dict[str, Any]], day: int) -> list[dict[str, Any]]:
    """The events moved `day` days later (a later delivery)."""
    from datetime import datetime, timedelta

    out = []
    for e in events:
        t = datetime.strptime(e["eventTime"], "%Y-%m-%dT%H:%M:%SZ") + timedelta(days=day)
        out.append({**e, "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ")})
    return out


def add(con: Any, tmp: Path, name: str, events: list[dict[str, Any]]) -> None:
    write_delivery_file(tmp / f"{name}.json.gz", events)
    report = ingest(con, [str(tmp / f"{name}.json.gz")])
    assert not report.errors


def detections(con: Any) -> list[tuple[str, str]]:
    return con.execute("SELECT v, strftime(event_time, '%Y-%m-%d') FROM trail_new_values ORDER BY 2").fetchall()


def test_new_value_fires_and_known_value_does_not(tmp_path: Path) -> None:
    """A value unseen in the baseline fires; the value seen every day does not; one finding per key owner."""
    rule = parse_rule(RULE, "nv.yml")
    con = store_with(tmp_path, days("198.51.100.7", 9) + shifted(days("203.0.113.66", 1, start=100), 9))
    run = run_rules(DuckDBEngine(con), RuleSet([rule], []))
    assert [f.check_id for f in run.findings] == ["nv_test"]
    assert run.findings[0].evidence["events"][0]["sourceIPAddress"] == "203.0.113.66"
    assert "not seen in the 30d baseline of its userIdentity.accessKeyId" in run.findings[0].reason
    assert detections(con) == [("203.0.113.66", "2024-03-10")]


def test_value_older_than_the_window_is_new_again(tmp_path: Path) -> None:
    """A value last seen before the baseline window counts as new again."""
    rule = parse_rule(RULE, "nv.yml")
    events = days("203.0.113.66", 1) + shifted(days("198.51.100.7", 40, start=10), 1) + \
        shifted(days("203.0.113.66", 1, start=100), 41)
    con = store_with(tmp_path, events)
    assert fired(con, RuleSet([rule], [])) == {"nv_test"}
    assert detections(con) == [("203.0.113.66", "2024-04-11")]


def test_nothing_fires_while_learning(tmp_path: Path) -> None:
    """Before the store has observed `learn` (7d), new values only build the baseline."""
    rule = parse_rule(RULE, "nv.yml")
    con = store_with(tmp_path, days("198.51.100.7", 3) + shifted(days("203.0.113.66", 1, start=100), 3))
    assert fired(con, RuleSet([rule], [])) == set()


def test_second_run_uses_the_stored_baseline(tmp_path: Path) -> None:
    """A later run reads only the newly ingested files: with the first batch's events gone from the store,
    the baseline still knows its IP; the new IP of the second batch fires, and re-running reads nothing."""
    rule = parse_rule(RULE, "nv.yml")
    engine = DuckDBEngine(store_with(tmp_path, days("198.51.100.7", 9), name="batch1"))
    con = engine.con
    first = engine.update_baseline(rule, "trail_events")
    assert first == {"events_read": 9, "incremental": False}
    con.execute("DELETE FROM trail_events")  # the baseline must not depend on rereading these
    add(con, tmp_path, "batch2", shifted(days("198.51.100.7", 1, start=50) + days("203.0.113.66", 1, start=60), 10))
    run = run_rules(engine, RuleSet([rule], []))
    assert detections(con) == [("203.0.113.66", "2024-03-11")]
    assert len(run.findings) == 1 and run.findings[0].evidence["events_matched"] == 1
    assert engine.update_baseline(rule, "trail_events") == {"events_read": 0, "incremental": True}
    again = run_rules(engine, RuleSet([rule], []))  # the detection stays a finding, not raised twice
    assert [f.evidence["events_matched"] for f in again.findings] == [1]
    seen = con.execute("SELECT v, first_seen, last_seen FROM trail_baseline ORDER BY v").fetchall()
    assert [(v, str(a)[:10], str(b)[:10]) for v, a, b in seen] == [
        ("198.51.100.7", "2024-03-01", "2024-03-11"), ("203.0.113.66", "2024-03-11", "2024-03-11")]


def test_changed_rule_relearns(tmp_path: Path) -> None:
    """When a rule's detection or value changes, its stored baseline is dropped and learnt again."""
    rule = parse_rule(RULE, "nv.yml")
    con = store_with(tmp_path, days("198.51.100.7", 9))
    DuckDBEngine(con).update_baseline(rule, "trail_events")
    other = parse_rule(RULE.replace("value: sourceIPAddress", "value: userAgent"), "nv.yml")
    assert DuckDBEngine(con).update_baseline(other, "trail_events") == {"events_read": 9, "incremental": False}
    assert [r[0] for r in con.execute("SELECT DISTINCT v FROM trail_baseline").fetchall()] == ["aws-cli/2.15.0"]


def test_extract_and_baseline_condition(tmp_path: Path) -> None:
    """`extract` keeps a regex group as the value (a /16 here); `baseline_condition` learns from other events."""
    text = RULE.replace("{selection: {userIdentity.accessKeyId|startswith: AKIA}, condition: selection}",
                        "{whoami: {eventName: GetCallerIdentity}, any: {eventName|exists: true}, condition: whoami}")
    text = text.replace("{by: [userIdentity.accessKeyId], value: sourceIPAddress,",
                        "{value: sourceIPAddress, extract: '^(\\d+\\.\\d+)\\.', baseline_condition: any,")
    rule = parse_rule(text, "nv.yml")
    base = days("198.51.100.7", 9)
    same16 = shifted(days("198.51.7.1", 1, start=100, name="GetCallerIdentity"), 9)
    other16 = shifted(days("203.0.113.66", 1, start=200, name="GetCallerIdentity"), 9)
    assert fired(store_with(tmp_path / "a", base + same16), RuleSet([rule], [])) == set()
    con = store_with(tmp_path / "b", base + other16)
    assert fired(con, RuleSet([rule], [])) == {"nv_test"}
    assert detections(con) == [("203.0", "2024-03-10")]


@pytest.mark.parametrize(("block", "why"), [
    ("{by: [userIdentity.accessKeyId]}", "needs value"),
    ("{value: sourceIPAddress, extract: '[0-9]+'}", "capturing group"),
    ("{value: sourceIPAddress, baseline: forever}", "bad duration"),
    ("{value: sourceIPAddress, baseline_condition: nothere}", "baseline_condition"),
    ("{value: sourceIPAddress, window: 30d}", "unknown key"),
])
def test_bad_new_value_blocks(block: str, why: str) -> None:
    """A new_value block without a value, with a group-less regex, a bad duration, an unknown selection or an
    unknown key is refused with the reason."""
    text = RULE.replace("{by: [userIdentity.accessKeyId], value: sourceIPAddress, baseline: 30d, learn: 7d}", block)
    with pytest.raises(ValueError, match=why):
        parse_rule(text, "nv.yml")


class SparkDialectOnly:
    """An engine speaking Spark SQL; new-value rules must be refused before any SQL reaches it."""

    dialect = SPARK

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        raise AssertionError("a new-value rule reached the engine")

    def events(self, refs: list[Any], table: str) -> dict[Any, Any]:
        return {}


def test_spark_reports_new_value_rules_unsupported() -> None:
    """On Spark every new-value rule is reported by name as not supported, never silently skipped."""
    pack = load_rules()
    nv = [r for r in pack.rules if r.kind == "new_value"]
    assert len(nv) >= 5
    with pytest.raises(UnsupportedRule, match="not supported on Spark"):
        query(nv[0], SPARK)
    run = run_rules(SparkDialectOnly(), RuleSet(nv, []))
    assert run.rules_run == 0 and len(run.problems) == len(nv)
    assert all("not supported on Spark" in p for p in run.problems)


def test_detect_cli_learns_in_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`wasp trail detect` runs the built-in new-value rules on the store (opened writable for the baseline)."""
    logs, db = tmp_path / "logs", tmp_path / "events.duckdb"
    logs.mkdir()
    write_delivery_file(logs / "a.json.gz", days("198.51.100.7", 9) + shifted(days("203.0.113.66", 1, start=100), 9))
    with pytest.raises(SystemExit):
        main(["trail", "ingest", str(logs), "--db", str(db)])
    capsys.readouterr()
    try:
        main(["trail", "detect", "--db", str(db), "--no-save", "--output", "json"])
    except SystemExit as exc:
        assert not exc.code
    report = json.loads(capsys.readouterr().out)
    ids = {f["check_id"] for f in report["findings"]}
    assert "trail_nv_access_key_new_source_ip" in ids
    finding = next(f for f in report["findings"] if f["check_id"] == "trail_nv_access_key_new_source_ip")
    assert "wasp trail who --ip 203.0.113.66" in finding["evidence"]["investigate"]
    assert finding["evidence"]["playbook"] == "contain-principal"


def test_detect_on_a_store_open_elsewhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """While another process reads the store, detect runs the other rules and names each new-value rule as not
    run (its baseline needs the store writable), instead of failing or skipping it quietly."""
    import subprocess
    import sys

    db = tmp_path / "events.duckdb"
    store_with(tmp_path, days("198.51.100.7", 2), name="events").close()
    reader = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; "
                               f"c = duckdb.connect({str(db)!r}, read_only=True); print('open', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        try:
            main(["trail", "detect", "--db", str(db), "--no-save", "--output", "json"])
        except SystemExit as exc:
            assert not exc.code
    finally:
        reader.kill()
        reader.wait()
    err = capsys.readouterr().err
    nv = [r for r in load_rules().rules if r.new_value]
    assert err.count("not run: the event store is open in another process") == len(nv)
    assert f"{len(load_rules().rules) - len(nv)} rule(s) run, {len(nv)} skipped" in err
