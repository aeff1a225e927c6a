"""Hostile and broken detection input: the Sigma loader and the CloudTrail ingester.

A folder of Sigma rules with broken files still loads and runs every good rule, and names each bad one in one
line; an ingest of several log files with a truncated gzip, UTF-16 or Latin-1 bytes, 10,000-level nesting, a
10+ MB string or binary garbage keeps every event of the good files and names the bad file. The commands say
so without a traceback.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hardening.hostile import assert_clean_failure, deep_json, run_wasp, scalars, trees
from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.ingest import ingest, write_delivery_file
from wasp.trail.rules import expand_case, load_rules
from wasp.trail.store import connect

# -- Sigma ------------------------------------------------------------------------------------------------
FIELDS = ["eventName", "eventSource", "userIdentity.type", "userIdentity.arn", "sourceIPAddress", "errorCode",
          "requestParameters.bucketName", "awsRegion", "readOnly", "nope.deep.field", ""]
MODIFIERS = ["", "|contains", "|startswith", "|endswith", "|re", "|cidr", "|all", "|contains|all", "|base64",
             "|base64offset|contains", "|windash", "|exists", "|gt", "|lte", "|bogus", "|re|i", "|expand", "|cased",
             "|fieldref", "|"]
SIGMA_VALUES = st.one_of(scalars, st.sampled_from(["*", "?", "\\", "\\*", "a*b?c", "(", "[a-", "10.0.0.0/8",
                                                   "::1/64", "300.1.1.1/33", "%placeholder%", "'; DROP TABLE x;--",
                                                   "ConsoleLogin", "x" * 500]))
CONDITIONS = ["selection", "selection and not filter", "1 of sel*", "all of them", "1 of them", "sel | count() > 5",
              "selection and", "(", "nonexistent", "selection or 1 of filter*", "not", "selection and (filter",
              "all of sel* and not 1 of filter*", "", "selection | near filter"]
selection = st.one_of(
    st.dictionaries(st.builds(lambda f, m: f + m, st.sampled_from(FIELDS), st.sampled_from(MODIFIERS)),
                    st.one_of(SIGMA_VALUES, st.lists(SIGMA_VALUES, max_size=3), trees(3)), max_size=3),
    st.lists(st.one_of(SIGMA_VALUES, st.dictionaries(st.sampled_from(FIELDS), SIGMA_VALUES, max_size=2)), max_size=3),
    trees(3))
VALID_LOGSOURCE = {"product": "aws", "service": "cloudtrail"}
good_selection = st.dictionaries(st.builds(lambda f, m: f + m, st.sampled_from(FIELDS[:7]),
                                           st.sampled_from(MODIFIERS[:10])),
                                 st.one_of(SIGMA_VALUES, st.lists(SIGMA_VALUES, min_size=1, max_size=3)),
                                 min_size=1, max_size=3)
wasp_blocks = st.fixed_dictionaries({}, optional={
    "attack": st.one_of(st.lists(st.text(max_size=8), max_size=2), trees(2)),
    "threshold": st.one_of(trees(3), st.fixed_dictionaries(
        {"count": st.one_of(st.integers(-5, 10**12), scalars)},
        optional={"window": st.one_of(st.sampled_from(["30s", "10m", "1h", "7d", "0s", "zz", "-1h"]), scalars),
                  "by": st.one_of(st.lists(st.sampled_from(FIELDS), max_size=2), scalars),
                  "distinct": st.one_of(st.sampled_from(FIELDS), scalars)})),
    "then": st.one_of(trees(3), st.fixed_dictionaries({"condition": st.one_of(st.just("selection"), scalars,
                                                                              trees(2))},
                                                      optional={"within": scalars})),
    "rare": st.one_of(trees(2), scalars), "best_practices": trees(2), "cis": trees(2),
    "remediation": scalars, "resource": scalars})
valid_rules = st.fixed_dictionaries({
    "title": st.just("t"), "logsource": st.just(VALID_LOGSOURCE), "level": st.sampled_from(["low", "high"]),
    "detection": st.one_of(
        st.fixed_dictionaries({"selection": good_selection, "condition": st.just("selection")}),
        st.fixed_dictionaries({"selection": good_selection, "filter": good_selection,
                               "condition": st.sampled_from([*CONDITIONS[:4], "selection and not 1 of filter*"])}))},
    optional={"wasp": wasp_blocks})
MUTABLE = ["title", "logsource", "detection", "level", "tags", "id", "wasp", "description", "falsepositives"]
wrong_detection = st.fixed_dictionaries(
    {"condition": st.one_of(st.sampled_from(CONDITIONS), st.lists(st.sampled_from(CONDITIONS), max_size=2), scalars)},
    optional={"selection": selection, "filter": selection, "sel_a": selection, "filter_b": selection})


def _mutate(rule: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**rule, key: value}


# a valid rule (so compiling and running it is exercised) with its wasp block of any shape, or with one top-level
# part replaced by a value of any shape
sigma_rules = st.one_of(valid_rules, st.builds(_mutate, valid_rules, st.sampled_from(MUTABLE),
                                               st.one_of(trees(4), wrong_detection, scalars)))
GOOD_RULE = {"title": "Console login by the tester", "logsource": {"product": "aws", "service": "cloudtrail"},
             "detection": {"selection": {"eventName": "ConsoleLogin"}, "condition": "selection"}, "level": "high",
             "wasp": {"id": "hostile_good_rule"}}
GOOD_EVENTS = expand_case({"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin"})
BROKEN_RULES: dict[str, bytes] = {
    "utf16.yml": yaml.safe_dump({**GOOD_RULE, "wasp": {"id": "u16"}}).encode("utf-16"),
    "latin1.yml": yaml.safe_dump({**GOOD_RULE, "title": "acc\xe8s", "wasp": {"id": "l1"}},
                                 allow_unicode=True).encode("latin-1"),
    "deep.yml": ("title: deep\nlogsource: {product: aws}\ndetection:\n  condition: selection\n  selection: "
                 + "[" * 10_000 + "]" * 10_000 + "\n").encode(),
    "garbage.yml": bytes(range(256)) * 8,
    "truncated.yml": b"title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n"
                     b"  selection: {eventName: [",
    "python.yml": b"title: !!python/object/apply:os.system ['true']\nlogsource: {product: aws}\n",
    "zz-dupe.yml": yaml.safe_dump(GOOD_RULE).encode(),
}
_STORE: dict[str, Any] = {}


def _store() -> Any:
    """One read-only event store with the good rule's event, shared by the examples (detection only reads)."""
    if "con" not in _STORE:
        _STORE["tmp"] = tempfile.TemporaryDirectory()
        folder = Path(_STORE["tmp"].name)
        write_delivery_file(folder / "events.json.gz", GOOD_EVENTS)
        con = connect(folder / "events.duckdb")
        assert not ingest(con, [str(folder / "events.json.gz")]).errors
        _STORE["con"] = con
    return _STORE["con"]


def _one_line(message: str) -> None:
    assert message.strip() and "\n" not in message, repr(message[:500])


def _check_ruleset(folder: Path, files: list[Path]) -> None:
    ruleset = load_rules([folder], builtin=False)
    for problem in ruleset.problems:
        _one_line(problem)
    loaded = {r.path for r in ruleset.rules}
    good = str(folder / "good.yml")
    assert good in loaded, ruleset.problems
    for f in files:  # every file is either a rule or a named problem
        assert str(f) in loaded or any(p.startswith(str(f)) for p in ruleset.problems), (f, ruleset.problems)
    run = run_rules(DuckDBEngine(_store()), ruleset)
    for problem in run.problems:
        _one_line(problem)
    assert "hostile_good_rule" in {f.check_id for f in run.findings}, run.problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(st.one_of(sigma_rules, trees(6)), min_size=1, max_size=4))
@example(rules=[{"logsource": 1.0}, {**GOOD_RULE, "wasp": [1]}])  # regression: AttributeError stopped all loading
def test_sigma_folder_with_wrong_rules_loads_and_runs_the_good_one(rules: list[Any]) -> None:
    """Rules with wrong types, bad modifiers, broken conditions and bad wasp blocks are named; the good rule runs."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "good.yml").write_text(yaml.safe_dump(GOOD_RULE), encoding="utf-8")
        files = []
        for i, rule in enumerate(rules):
            files.append(folder / f"r{i}.yml")
            files[-1].write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
        _check_ruleset(folder, files)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken=st.lists(st.sampled_from(sorted(set(BROKEN_RULES) - {"deep.yml"})), min_size=1, max_size=4,
                       unique=True))  # deep.yml costs 2 s to parse: the command-line test below reads it once
def test_sigma_folder_with_broken_files_names_them(broken: list[str]) -> None:
    """Rule files in UTF-16, Latin-1, 10,000 deep, binary, truncated or with python tags are named; good rule runs."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "good.yml").write_text(yaml.safe_dump(GOOD_RULE), encoding="utf-8")
        for name in broken:
            (folder / name).write_bytes(BROKEN_RULES[name])
        _check_ruleset(folder, [folder / n for n in broken])


def test_cli_detect_names_broken_rule_and_runs_the_good_one(tmp_path: Path) -> None:
    """`wasp trail detect --rules DIR` names each broken rule in one stderr line and still reports the good rule."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "good.yml").write_text(yaml.safe_dump(GOOD_RULE), encoding="utf-8")
    for name in ("utf16.yml", "deep.yml", "truncated.yml"):
        (rules / name).write_bytes(BROKEN_RULES[name])
    write_delivery_file(tmp_path / "events.json.gz", GOOD_EVENTS)
    db = tmp_path / "events.duckdb"
    assert run_wasp("trail", "ingest", str(tmp_path / "events.json.gz"), "--events", str(db)).returncode == 0
    proc = run_wasp("trail", "detect", "--events", str(db), "--rules", str(rules), "--no-builtin", "--no-store",
                    "--output", "json")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    for name in ("utf16.yml", "deep.yml", "truncated.yml"):
        assert len([line for line in proc.stderr.splitlines() if name in line]) == 1, proc.stderr
    assert "hostile_good_rule" in {f["check_id"] for f in json.loads(proc.stdout)["findings"]}
    missing = run_wasp("trail", "detect", "--events", str(db), "--rules", str(tmp_path / "typo"), "--no-store")
    assert_clean_failure(missing, "typo")


# -- CloudTrail ingest ------------------------------------------------------------------------------------
def _events(prefix: str, n: int) -> list[dict[str, Any]]:
    return [{"eventVersion": "1.08", "eventID": f"{prefix}-{i}", "eventTime": "2024-03-01T12:00:00Z",
             "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
             "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"},
             "requestParameters": {"bucketName": "b", "key": f"k{i}"}} for i in range(n)]


def _write_good(path: Path, form: str, events: list[dict[str, Any]]) -> None:
    if form == "gzip":
        write_delivery_file(path, events)
    elif form == "records":
        path.write_text(json.dumps({"Records": events}), encoding="utf-8")
    elif form == "lines":
        path.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    elif form == "array":
        path.write_text(json.dumps(events), encoding="utf-8")
    else:  # EventBridge envelopes, one per line
        path.write_text("\n".join(json.dumps({"detail-type": "AWS API Call via CloudTrail", "detail": e})
                                  for e in events) + "\n", encoding="utf-8")


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data)


_RECORD = json.dumps({"Records": _events("bad", 3)})
BROKEN_LOGS: dict[str, bytes] = {
    "truncated.json.gz": _gzip(_RECORD.encode())[:60],
    "utf16.json": _RECORD.encode("utf-16"),
    "latin1.json": _RECORD.replace('"k0"', '"acc\xe8s"').encode("latin-1"),
    "deep.json": deep_json(10_000).encode(),
    "deep-event.json": json.dumps({"Records": [{"eventID": "deep", "eventName": "X", "requestParameters": "PLACE"}]})
    .replace('"PLACE"', deep_json(10_000)).encode(),
    "garbage.json.gz": b"\x1f\x8b" + bytes(range(256)) * 8,
    "garbage.json": b"{" + bytes(range(256)) * 8,
    "truncated.json": _RECORD[: len(_RECORD) // 2].encode(),
}
BAD_NAMED = {"truncated.json.gz", "utf16.json", "latin1.json", "garbage.json.gz", "garbage.json", "truncated.json"}
VALID_DEEP = {"deep.json": 0, "deep-event.json": 1}  # valid JSON 10,000 deep: no event, and one event
FORMS = ["gzip", "records", "lines", "array", "eventbridge"]


def _per_file(con: Any) -> dict[str, int]:
    return {Path(f).name: n for f, n in con.execute("SELECT file, count(*) FROM trail_events GROUP BY file").fetchall()}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(good=st.lists(st.tuples(st.sampled_from(FORMS), st.integers(1, 30)), min_size=1, max_size=3),
       broken=st.lists(st.sampled_from(sorted(BROKEN_LOGS)), min_size=1, max_size=3, unique=True),
       shaped=st.lists(st.one_of(trees(10), st.fixed_dictionaries({"Records": st.one_of(trees(4), st.lists(
           st.one_of(trees(4), st.fixed_dictionaries({"eventID": scalars, "eventName": scalars},
                                                     optional={"eventTime": scalars, "userIdentity": trees(3)})),
           max_size=4))})), max_size=2))
def test_ingest_keeps_every_good_event_and_names_bad_files(good: list[tuple[str, int]], broken: list[str],
                                                           shaped: list[Any]) -> None:
    """Truncated gzip, UTF-16, Latin-1, deep nesting, garbage and odd shapes: good files fully kept, bad ones named."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "logs"
        folder.mkdir()
        expected = {}
        for i, (form, n) in enumerate(good):
            name = f"good{i}.json" + (".gz" if form == "gzip" else "")
            _write_good(folder / name, form, _events(f"g{i}", n))
            expected[name] = n
        for name in broken:
            (folder / name).write_bytes(BROKEN_LOGS[name])
        for i, doc in enumerate(shaped):
            (folder / f"shaped{i}.json").write_text(json.dumps(doc), encoding="utf-8")
        con = connect(Path(tmp) / "events.duckdb")
        report = ingest(con, [str(folder)], batch_bytes=1)  # one batch per file, then all in one batch below
        for line in report.errors:
            _one_line(line)
        per_file = _per_file(con)
        for name, n in expected.items():
            assert per_file.get(name) == n, (name, per_file, report.errors)
        for name in broken:
            named = any(Path(e.split(": ")[0]).name == name for e in report.errors)
            if name in VALID_DEEP:  # valid JSON 10,000 deep: read, its event (if any) stored
                assert not named and per_file.get(name, 0) == VALID_DEEP[name], (name, per_file, report.errors)
            else:
                assert named, (name, report.errors)
        con.close()
        con = connect(Path(tmp) / "again.duckdb")
        report = ingest(con, [str(folder)])  # one batch holding the good and the bad files together
        assert {n: c for n, c in _per_file(con).items() if n in expected} == expected, report.errors
        assert {Path(e.split(": ")[0]).name for e in report.errors} >= set(broken) & BAD_NAMED
        con.close()


def test_ingest_reads_files_with_a_byte_order_mark(tmp_path: Path) -> None:
    """In a folder, a UTF-8 file with a BOM is ingested and a UTF-16 one is named as an error (regression)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"Records": _events("bom", 3)}).encode())
    (logs / "utf16.json").write_bytes(BROKEN_LOGS["utf16.json"])
    con = connect(tmp_path / "events.duckdb")
    report = ingest(con, [str(logs)])
    assert _per_file(con) == {"bom.json": 3} and not report.skipped
    assert [Path(e.split(": ")[0]).name for e in report.errors] == ["utf16.json"]
    con.close()


def test_ingest_huge_string_field_is_kept(tmp_path: Path) -> None:
    """An event with a 12 MB field is ingested whole beside the other files (not dropped, not truncated)."""
    big = _events("big", 1)
    big[0]["requestParameters"]["policy"] = "p" * 12_000_000
    (tmp_path / "big.json").write_text(json.dumps({"Records": big}), encoding="utf-8")
    write_delivery_file(tmp_path / "small.json.gz", _events("small", 5))
    con = connect(tmp_path / "events.duckdb")
    report = ingest(con, [str(tmp_path)])
    assert not report.errors, report.errors
    assert _per_file(con) == {"big.json": 1, "small.json.gz": 5}
    size = con.execute("SELECT length(event->>'$.requestParameters.policy') FROM trail_events "
                       "WHERE event_id = 'big-0'").fetchone()[0]
    assert size == 12_000_000
    con.close()


@pytest.mark.parametrize("name", ["truncated.json.gz", "utf16.json", "latin1.json"])
def test_cli_ingest_names_bad_file_on_stderr(tmp_path: Path, name: str) -> None:
    """`wasp trail ingest` exits 2, names the bad file in one stderr line, no traceback, and keeps the good file."""
    write_delivery_file(tmp_path / "good.json.gz", _events("good", 4))
    (tmp_path / name).write_bytes(BROKEN_LOGS[name])
    db = tmp_path / "events.duckdb"
    errors = assert_clean_failure(run_wasp("trail", "ingest", str(tmp_path / "good.json.gz"), str(tmp_path / name),
                                           "--events", str(db)), name)
    assert len(errors) == 1
    proc = run_wasp("trail", "query", "SELECT count(*) AS n FROM trail_events", "--events", str(db), "--output", "json")
    assert json.loads(proc.stdout)[0]["n"] == 4, proc.stdout
