"""The DuckDB store: scans saved from real live scans, read back, listed, resolved and compared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpers import live_scan
from report.report_samples import HOSTILE, evolve, iac_finding, synthetic_result
from wasp.errors import InputError
from wasp.model import Status
from wasp.store import Store, finding_from_json


def test_live_scan_round_trips_through_the_store(aws, tmp_path):
    """A real live scan saved and loaded back has the same findings, resources, gaps and metadata."""
    aws.client("s3").create_bucket(Bucket="kept-bucket")
    result = live_scan(aws)
    store = Store(tmp_path / "w.duckdb")
    scan_id = store.save(result)
    assert result.scan_id == scan_id
    loaded = store.load(scan_id)
    assert [f.to_json() for f in loaded.findings] == [f.to_json() for f in result.findings]
    assert sorted(r.key for r in loaded.inventory) == sorted(r.key for r in result.inventory)
    assert {r.type for r in loaded.inventory} >= {"AWS::S3::Bucket", "WASP::Account"}
    assert loaded.account == result.account and loaded.regions == ["us-east-1"]
    info = store.scans()[0]
    assert info.state == "complete" and info.resources == len(result.inventory)
    assert sum(info.counts.values()) == len(result.findings)


def test_resources_are_stored_without_properties(tmp_path):
    """Resource properties (which can hold secrets) never reach the store; identity and tags do."""
    result = synthetic_result(20)
    next(iter(result.inventory)).properties["UserData"] = "password=hunter2"
    store = Store(tmp_path / "w.duckdb")
    store.save(result)
    with store.connect(read_only=True) as con:
        for table in ("scans", "resources", "findings", "gaps"):
            assert "hunter2" not in repr(con.execute(f"SELECT * FROM {table}").fetchall())
    res = next(iter(store.load().inventory))
    assert res.properties == {} and res.tags


def test_hostile_text_and_locations_survive_storage(tmp_path):
    """Markup in names and template file:line locations are stored verbatim and rebuilt exactly."""
    result = synthetic_result(60)
    result.findings.append(iac_finding())
    store = Store(tmp_path / "w.duckdb")
    store.save(result)
    loaded = store.load()
    assert any(f.resource.name == HOSTILE for f in loaded.findings)
    iac = next(f for f in loaded.findings if f.check_id == "synthetic_iac_bucket")
    assert str(iac.resource.location) == "templates/app.yaml:12 (Logs)"
    assert [f.to_json() for f in loaded.findings] == [f.to_json() for f in result.findings]


def test_refs_resolve_latest_previous_prefix(tmp_path):
    """Scans resolve by `latest`, `previous`, `latest~N` and unique prefix; bad refs are one clear error."""
    store = Store(tmp_path / "w.duckdb")
    first = store.save(synthetic_result(10, started=datetime(2026, 1, 1, tzinfo=UTC)))
    second = store.save(synthetic_result(10, started=datetime(2026, 2, 1, tzinfo=UTC)))
    assert store.resolve() == second and store.resolve("latest") == second
    assert store.resolve("previous") == first == store.resolve("latest~1")
    assert store.resolve(first[:18]) == first
    with pytest.raises(InputError, match="no scan"):
        store.resolve("1999")
    with pytest.raises(InputError, match="ambiguous"):
        store.resolve("2026")
    with pytest.raises(InputError, match="only 2 scan"):
        store.resolve("latest~5")
    assert store.previous(second) == first and store.previous(first) is None


def test_diff_reports_new_fixed_and_still_failing(tmp_path):
    """The diff of two scans names new failures, fixed ones (passing or gone) and those still failing."""
    store = Store(tmp_path / "w.duckdb")
    before = synthetic_result(300, started=datetime(2026, 1, 1, tzinfo=UTC))
    store.save(before)
    after, expected = evolve(before, datetime(2026, 1, 2, tzinfo=UTC))
    store.save(after)
    diff = store.diff()
    assert (diff.old, diff.new) == (before.scan_id, after.scan_id)
    assert {f["id"] for f in diff.new_failures} == expected["new"]
    assert {f["id"] for f in diff.fixed} == expected["fixed"]
    assert {f["id"] for f in diff.still_failing} == expected["still"]
    assert {f["after"] for f in diff.fixed} == {"PASS", "ABSENT"}


def test_diff_without_earlier_scan_is_a_clear_error(tmp_path):
    """Diffing the only scan of an account says there is nothing to compare with."""
    store = Store(tmp_path / "w.duckdb")
    store.save(synthetic_result(5))
    with pytest.raises(InputError, match="no earlier scan"):
        store.diff()


def test_finding_history_across_scans(tmp_path):
    """`show` finds a finding by id prefix and lists its status in every scan that holds it."""
    store = Store(tmp_path / "w.duckdb")
    before = synthetic_result(50, started=datetime(2026, 1, 1, tzinfo=UTC))
    store.save(before)
    after, expected = evolve(before, datetime(2026, 1, 2, tzinfo=UTC))
    store.save(after)
    fid = sorted(expected["fixed"] & {f.id for f in after.findings})[0]
    data, history = store.finding(fid[:10])
    assert data["id"] == fid and data["scan_id"] == after.scan_id
    assert [h["status"] for h in history] == ["PASS", "FAIL"]
    assert finding_from_json(data).status is Status.PASS
    with pytest.raises(InputError, match="no finding"):
        store.finding("ffffffffff")


def test_filtered_paged_findings_query(tmp_path):
    """Findings filter by status, area, question, text and muted, page with a total, worst first."""
    store = Store(tmp_path / "w.duckdb")
    result = synthetic_result(400)
    result.findings[3].muted, result.findings[3].mute_reason = True, "accepted"
    sid = store.save(result)
    total, page = store.findings(sid, status="FAIL", limit=10, offset=0)
    assert total == sum(f.status is Status.FAIL for f in result.findings) and len(page) == 10
    assert [p["severity"] for p in page] == sorted((p["severity"] for p in page),
                                                   key=["critical", "high", "medium", "low", "info"].index)
    total_q, rows = store.findings(sid, question="SEC03")
    assert total_q == len(rows) > 0 and all(any(b.startswith("SEC03-") for b in r["best_practices"]) for r in rows)
    _, hostile = store.findings(sid, text="<SCRIPT>")
    assert hostile and all("<script>" in (r["resource"]["name"] + r["reason"]).lower() for r in hostile)
    assert store.findings(sid, muted=True)[0] == 1


def test_missing_or_foreign_file_is_a_clear_error(tmp_path):
    """Reading a missing store or a file that is not DuckDB gives one clear InputError."""
    with pytest.raises(InputError, match="no wasp store"):
        Store(tmp_path / "absent.duckdb").scans()
    junk = tmp_path / "junk.duckdb"
    junk.write_text("this is not a database\n" * 100)
    with pytest.raises(InputError, match=r"junk\.duckdb"):
        Store(junk).scans()
    empty = Store(tmp_path / "new.duckdb")
    with empty.connect():
        pass
    with pytest.raises(InputError, match="no scans"):
        empty.resolve()


def test_sql_summary_matches_python_summary(tmp_path):
    """Scores computed in SQL for the dashboard equal those every report computes in Python."""
    from wasp.report.summary import summarize

    result = synthetic_result(700)
    for f in result.findings[::9]:
        f.muted, f.mute_reason = True, "accepted"
    result.findings[1].best_practices = ["SEC02-BP01", "SEC02-BP02", "SEC03-BP01"]
    store = Store(tmp_path / "w.duckdb")
    sid = store.save(result)
    expected, got = summarize(result.findings), store.summary(sid)
    assert {a: t.counts for a, t in got.areas.items()} == {a: t.counts for a, t in expected.areas.items()}
    assert {q: t.counts for q, t in got.questions.items()} == {q: t.counts for q, t in expected.questions.items()}
    assert {b: t.counts for b, t in got.practices.items()} == {b: t.counts for b, t in expected.practices.items()}
    assert got.total.counts == expected.total.counts


def test_holding_serves_every_connection_from_one_and_still_commits(aws, tmp_path, monkeypatch):
    """Inside holding() a save opens the file once; what it wrote is committed and readable afterwards."""
    import duckdb

    result = live_scan(aws)
    store = Store(tmp_path / "w.duckdb")
    store.save(result)  # the schema exists: count only the save's own opens
    opened = []
    real = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
    writer = store.begin("live")
    with store.holding():
        writer.write_result(result)
        assert store.previous(writer.scan_id) is not None
    assert len(opened) == 2  # begin, then the held connection
    monkeypatch.setattr(duckdb, "connect", real)
    assert Store(tmp_path / "w.duckdb").load(writer.scan_id).findings


def test_a_save_in_the_background_is_waited_for_and_its_failure_raised(aws, tmp_path):
    """Recorder.save(wait=False) writes while the caller goes on; wait() joins it and raises what it raised."""
    from wasp.cli.store import Recorder

    result = live_scan(aws)
    with Recorder(tmp_path / "w.duckdb", True, None) as recorder:
        recorder.save(result, wait=False)
        assert result.scan_id == recorder.writer.scan_id  # known before the write ends
        recorder.wait()
    assert Store(tmp_path / "w.duckdb").scans()[0].state == "complete"

    def broken(_result):
        raise InputError("the store is locked by another process")

    with pytest.raises(InputError, match="locked"), Recorder(tmp_path / "w.duckdb", True, None) as recorder:
        recorder.writer.write_result = broken
        recorder.save(result, wait=False)
        recorder.wait()
    assert [s.state for s in Store(tmp_path / "w.duckdb").scans()] == ["complete"]  # the failed one discarded


def _iac_result(started: datetime):
    """A template scan (source iac) of one bucket, as `wasp iac` saves it."""
    from wasp.model import Inventory
    from wasp.scan import ScanResult

    finding = iac_finding()
    return ScanResult(findings=[finding], inventory=Inventory([finding.resource]), source="iac", started=started,
                      finished=started, targets=["templates/app.yaml"])


def _crashed(store: Store, started: datetime) -> str:
    """A live scan that died half-way: some findings committed, then the process raised."""
    writer = store.begin("live", account="123456789012", started=started)
    with pytest.raises(RuntimeError), writer:
        writer.add_findings(synthetic_result(20, seed=3).findings)
        raise RuntimeError("collector blew up")
    return writer.scan_id


def test_crashed_scan_never_becomes_latest(tmp_path):
    """A scan that crashed after the last complete one is listed but `latest`, `previous` and load skip it."""
    store = Store(tmp_path / "w.duckdb")
    first = store.save(synthetic_result(10, started=datetime(2026, 1, 1, tzinfo=UTC)))
    second = store.save(synthetic_result(10, started=datetime(2026, 2, 1, tzinfo=UTC)))
    crashed = _crashed(store, datetime(2026, 3, 1, tzinfo=UTC))
    assert store.scans()[0].scan_id == crashed and store.scans()[0].state == "incomplete"
    assert store.resolve() == second and store.resolve("previous") == first
    assert store.load().scan_id == second and store.previous(crashed) == second
    assert store.resolve(crashed[:18]) == crashed  # named explicitly, it is still reachable
    diff = store.diff()
    assert (diff.old, diff.new) == (first, second)


def test_latest_is_the_newest_complete_scan_of_one_source(tmp_path):
    """After a live scan, a template run does not replace `latest`; --source iac names it; iac alone is default."""
    only_iac = Store(tmp_path / "iac.duckdb")
    alone = only_iac.save(_iac_result(datetime(2026, 1, 1, tzinfo=UTC)))
    assert only_iac.default_source() == "iac" and only_iac.resolve() == alone
    store = Store(tmp_path / "w.duckdb")
    live = store.save(synthetic_result(10, started=datetime(2026, 1, 1, tzinfo=UTC)))
    iac = store.save(_iac_result(datetime(2026, 2, 1, tzinfo=UTC)))
    assert store.default_source() == "live" and store.resolve() == live and store.load().source == "live"
    assert store.resolve("latest", source="iac") == iac and store.defaults() == {"live": live, "iac": iac}
    with pytest.raises(InputError, match="no complete trail scan"):
        store.resolve(source="trail")
    with pytest.raises(InputError, match="no scan"):
        store.resolve(iac[:18], source="live")


def test_diff_never_compares_a_scan_with_itself_or_across_sources(tmp_path):
    """The default diff pairs the two newest live scans around an iac run; same-scan and cross-source pairs fail."""
    store = Store(tmp_path / "w.duckdb")
    first = store.save(synthetic_result(50, started=datetime(2026, 1, 1, tzinfo=UTC)))
    iac = store.save(_iac_result(datetime(2026, 1, 2, tzinfo=UTC)))
    later, _ = evolve(synthetic_result(50, started=datetime(2026, 1, 1, tzinfo=UTC)), datetime(2026, 1, 3,
                                                                                                tzinfo=UTC))
    second = store.save(later)
    store.save(_iac_result(datetime(2026, 1, 4, tzinfo=UTC)))
    _crashed(store, datetime(2026, 1, 5, tzinfo=UTC))
    d = store.diff()
    assert (d.old, d.new) == (first, second)
    assert (store.diff("latest").old, store.diff("latest").new) == (first, second)  # "what changed in latest"
    assert (store.diff(first).old, store.diff(first).new) == (first, second)
    d = store.diff(source="iac")
    assert d.old == iac and d.new != iac
    with pytest.raises(InputError, match="nothing to compare"):
        store.diff(second, second)
    with pytest.raises(InputError, match="compare scans of one source"):
        store.diff(iac, second)


def test_a_scan_that_read_nothing_is_not_complete(tmp_path):
    """A template run whose every file failed to parse is kept as incomplete and never becomes the default."""
    from wasp.model import Inventory
    from wasp.scan import ScanResult

    store = Store(tmp_path / "w.duckdb")
    good = store.save(_iac_result(datetime(2026, 1, 1, tzinfo=UTC)))
    broken = ScanResult(findings=[], inventory=Inventory(), source="iac", started=datetime(2026, 1, 2, tzinfo=UTC),
                        targets=["bad.yaml"], errors=["bad.yaml:3: could not parse"])
    bad = store.save(broken)
    assert store.scan(bad).state == "incomplete" and "nothing could be read" in store.scan(bad).state_reason
    assert store.resolve() == good


def test_show_takes_a_finding_from_the_newest_complete_scan(tmp_path):
    """`show` reads a finding from the newest complete scan holding it, not from a later crashed scan."""
    import copy

    store = Store(tmp_path / "w.duckdb")
    done = synthetic_result(30, started=datetime(2026, 1, 1, tzinfo=UTC))
    target = next(f for f in done.findings if f.status is Status.FAIL)
    complete = store.save(done)
    flipped = copy.deepcopy(target)
    flipped.status = Status.PASS
    writer = store.begin("live", account="123456789012", started=datetime(2026, 1, 2, tzinfo=UTC))
    with pytest.raises(RuntimeError), writer:
        writer.add_findings([flipped])
        raise RuntimeError("crash")
    data, history = store.finding(target.id[:10])
    assert data["scan_id"] == complete and data["status"] == "FAIL"
    assert [h["scan_id"] for h in history] == [writer.scan_id, complete]
    assert store.finding(target.id, writer.scan_id)[0]["status"] == "PASS"  # asked for by id, it is shown
