"""The store's typed columns (responsibility, escalation) and the shared read connection of a burst of reads."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import duckdb
import pytest

from report.report_samples import synthetic_result
from wasp.store import ESCALATION_JSON, Store, has_escalation_steps

# evidence shapes, from the IAM engine's escalation paths to the odd values a check may attach
EVIDENCE = [
    None, "text", 3, [], ["a"], {}, {"value": 1},
    {"steps": [{"from": "arn:aws:iam::1:user/a", "to": "admin", "method": "iam:PutUserPolicy"}]},
    {"steps": []}, {"steps": None}, {"steps": 0},
    [{"from": "arn:aws:iam::1:role/r", "to": "arn:aws:iam::1:role/admin"}], [{"from": None}], [{"to": "x"}],
    [{"from": 0}], [[{"from": "x"}]],
]
# the columns a store had before `responsibility` and `escalation` existed (schema 1)
OLD_FINDINGS = """CREATE TABLE findings (
    scan_id VARCHAR, finding_id VARCHAR, check_id VARCHAR, title VARCHAR, status VARCHAR, severity VARCHAR,
    area VARCHAR, best_practices VARCHAR[], resource_key VARCHAR, resource_type VARCHAR, resource_id VARCHAR,
    resource_name VARCHAR, resource_arn VARCHAR, account VARCHAR, region VARCHAR, reason VARCHAR,
    muted BOOLEAN, mute_reason VARCHAR, source VARCHAR, data JSON)"""


def _with_escalations(n: int = 120):
    """A scan whose failures include escalation paths in both stored shapes, and every responsibility."""
    result = synthetic_result(n)
    for i, f in enumerate(result.findings):
        f.evidence = EVIDENCE[i % len(EVIDENCE)]
    return result


def _answers(store: Store, scan_id: str) -> tuple:
    return store.special_counts(scan_id), store.responsibility(scan_id)


def _schema_1(path, result) -> str:
    """``result`` saved, then the store taken back to schema 1: the typed columns dropped, as an older wasp left it."""
    store = Store(path)
    scan_id = store.save(result)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE old AS SELECT * EXCLUDE (responsibility, escalation) FROM findings")
        con.execute("DROP TABLE findings")
        con.execute(OLD_FINDINGS)
        con.execute("INSERT INTO findings SELECT * FROM old")
        con.execute("DROP TABLE old")
    return scan_id


def test_escalation_column_agrees_with_the_json_it_replaces():
    """``has_escalation_steps`` (written at save) answers what ``ESCALATION_JSON`` asks of the stored JSON."""
    con = duckdb.connect()
    for evidence in EVIDENCE:
        doc = json.dumps({} if evidence is None else {"evidence": evidence})
        (sql,) = con.execute(f"SELECT {ESCALATION_JSON} FROM (SELECT ?::JSON AS data)", [doc]).fetchone()
        assert has_escalation_steps(evidence) is bool(sql), evidence


def test_saved_findings_carry_their_typed_columns(tmp_path):
    """Each stored finding's responsibility and escalation columns hold what its JSON says."""
    store = Store(tmp_path / "w.duckdb")
    store.save(_with_escalations())
    with store.connect(read_only=True) as con:
        rows = con.execute("SELECT responsibility, escalation, json_extract_string(data, '$.responsibility'), "
                           f"{ESCALATION_JSON} FROM findings").fetchall()
    assert rows and all(r[0] == r[2] and r[1] == r[3] for r in rows)
    assert {r[0] for r in rows} == {"customer", "shared", "aws"} and {r[1] for r in rows} == {True, False}


def test_a_store_from_before_the_columns_reads_the_same_then_upgrades(tmp_path):
    """A schema-1 store answers the overview's counts from its JSON read-only, and identically once upgraded."""
    result = _with_escalations()
    expected_store = Store(tmp_path / "new.duckdb")
    expected = _answers(expected_store, expected_store.save(_with_escalations()))
    assert expected[0]["escalations"] > 0
    path = tmp_path / "old.duckdb"
    scan_id = _schema_1(path, result)
    old = Store(path)
    assert _answers(old, scan_id) == expected  # never written: the reads fall back on the JSON
    assert old.upgrade()
    with old.connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM findings WHERE escalation IS NULL").fetchone() == (0,)
    assert _answers(Store(path), scan_id) == expected


def test_rows_an_older_wasp_adds_to_an_upgraded_store_still_count(tmp_path):
    """Findings inserted without the typed columns (NULL there) are counted from their JSON, not as customer/none."""
    result = _with_escalations()
    store = Store(tmp_path / "w.duckdb")
    scan_id = store.save(result)
    expected = _answers(store, scan_id)
    with store.connect() as con:
        con.execute("UPDATE findings SET responsibility = NULL, escalation = NULL WHERE rowid % 2 = 0")
    assert _answers(Store(tmp_path / "w.duckdb"), scan_id) == expected


def test_upgrade_never_waits_for_a_writer(tmp_path):
    """While another process writes the store, ``upgrade`` gives up at once (reads fall back), then succeeds."""
    path = tmp_path / "old.duckdb"
    _schema_1(path, _with_escalations(30))
    # DuckDB's write lock is per process: another process holds it the way a running `wasp scan` would
    script = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert Store(path, lock_timeout=60).upgrade() is False
    finally:
        holder.kill()
        holder.wait()
    assert Store(path).upgrade() is True


def test_a_burst_of_reads_shares_one_connection_and_closes_it(tmp_path):
    """Inside ``reading()`` read-only connects are one connection; writes still get their own; it closes on exit."""
    store = Store(tmp_path / "w.duckdb")
    scan_id = store.save(synthetic_result(20))
    with store.reading():
        with store.connect(read_only=True) as a, store.connect(read_only=True) as b:
            assert a is b
        store.summary(scan_id)
        with store.connect(read_only=True) as c:
            assert c is a
    with pytest.raises(duckdb.ConnectionException):
        a.execute("SELECT 1")
    with store.connect() as con:  # nothing holds the file: a writer opens it at once
        con.execute("UPDATE scans SET state_reason = 'x'")


def test_concurrent_bursts_never_share_a_connection(tmp_path):
    """Two threads each in their own ``reading()`` get different connections (a DuckDB connection is not shared)."""
    store = Store(tmp_path / "w.duckdb")
    store.save(synthetic_result(20))
    seen: list[duckdb.DuckDBPyConnection] = []
    barrier = threading.Barrier(2)

    def burst() -> None:
        with store.reading(), store.connect(read_only=True) as con:
            barrier.wait(timeout=10)
            con.execute("SELECT count(*) FROM findings").fetchone()
            seen.append(con)
            barrier.wait(timeout=10)

    threads = [threading.Thread(target=burst) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert len(seen) == 2 and seen[0] is not seen[1]
