"""The Sigma compiler: Sigma semantics (case, wildcards, modifiers, conditions, absent fields) on real DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest
from trail_helpers import store_with

from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.rules import RuleSet, expand_case, parse_rule
from wasp.trail.sigma import SPARK, UnsupportedRule, compile_detection

EVENTS = [
    {"eventName": "ConsoleLogin", "eventSource": "signin.amazonaws.com", "additionalEventData": {"MFAUsed": "No"},
     "responseElements": {"ConsoleLogin": "Success"}, "sourceIPAddress": "10.1.2.3"},
    {"eventName": "ConsoleLogin", "eventSource": "signin.amazonaws.com", "additionalEventData": {"MFAUsed": "Yes"},
     "responseElements": {"ConsoleLogin": "Success"}, "sourceIPAddress": "203.0.113.5"},
    {"eventName": "GetObject", "eventSource": "s3.amazonaws.com", "requestParameters": {"bucketName": "Prod_Data%x",
     "key": "a.txt"}, "sourceIPAddress": "203.0.113.5", "userAgent": "Boto3/1.34.0 Python/3.11.4"},
    {"eventName": "CreateAccessKey", "eventSource": "iam.amazonaws.com", "requestParameters": {"userName": "alice"}},
    {"eventName": "CreateAccessKey", "eventSource": "iam.amazonaws.com", "requestParameters": {"userName": "bob"}},
]


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    events = [e for n, case in enumerate(EVENTS) for e in expand_case(case, start=n)]
    return store_with(tmp_path_factory.mktemp("sigma"), events)


def names(con, detection: str) -> list[str]:
    """Event names (with the request's userName/bucket) matched by a one-selection Sigma rule."""
    text = f"title: t\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}"
    rule = parse_rule(text, "t.yml")
    where = compile_detection(rule.sigma, DuckDBEngine.dialect)
    rows = con.execute(f"SELECT event_name, coalesce(json_extract_string(event, '$.requestParameters.userName'), "
                       f"json_extract_string(event, '$.additionalEventData.MFAUsed'), '') FROM trail_events "
                       f"WHERE {where} ORDER BY event_id").fetchall()
    return [f"{a}:{b}" if b else a for a, b in rows]


def test_equality_ignores_case(con) -> None:
    """'NO' in a rule matches 'No' in the event (the real MFAUsed bug)."""
    assert names(con, "  s: {additionalEventData.MFAUsed: 'NO'}\n  condition: s") == ["ConsoleLogin:No"]


def test_wildcards_and_literal_percent(con) -> None:
    """'*' and '?' are wildcards; SQL's % and _ in values are literal characters."""
    assert names(con, "  s: {requestParameters.bucketName: 'prod?data%*'}\n  condition: s") == ["GetObject"]
    assert names(con, "  s: {requestParameters.bucketName: 'prod_data%x'}\n  condition: s") == ["GetObject"]
    assert names(con, "  s: {requestParameters.bucketName: 'prodXdata%x'}\n  condition: s") == []


def test_contains_startswith_endswith_all(con) -> None:
    """String modifiers match anywhere, at the start, at the end, and all-of-list."""
    assert names(con, "  s: {userAgent|contains: 'PYTHON'}\n  condition: s") == ["GetObject"]
    assert names(con, "  s: {userAgent|startswith: 'BOTO3'}\n  condition: s") == ["GetObject"]
    assert names(con, "  s: {eventSource|endswith: '.AMAZONAWS.COM', eventName|startswith: get}\n  condition: s") \
        == ["GetObject"]
    assert names(con, "  s: {userAgent|contains|all: [boto3, python]}\n  condition: s") == ["GetObject"]
    assert names(con, "  s: {userAgent|contains|all: [boto3, java]}\n  condition: s") == []


def test_regex_and_cidr(con) -> None:
    """re (with the i flag) and cidr modifiers."""
    assert names(con, "  s: {userAgent|re: '^Boto3/1\\.'}\n  condition: s") == ["GetObject"]
    assert names(con, "  s: {userAgent|re|i: '^BOTO3'}\n  condition: s") == ["GetObject"]
    assert names(con, "  s: {userAgent|re: '^BOTO3'}\n  condition: s") == []
    assert names(con, "  s: {sourceIPAddress|cidr: 10.0.0.0/8}\n  condition: s") == ["ConsoleLogin:No"]


def test_fieldref(con) -> None:
    """fieldref compares two fields of the same event, ignoring case."""
    assert names(con, "  s: {requestParameters.userName|fieldref: userIdentity.userName}\n  condition: s") \
        == ["CreateAccessKey:alice"]


def test_not_over_missing_field_is_true(con) -> None:
    """'not filter' where the event lacks the filter's field matches (SQL NULL would drop it)."""
    got = names(con, "  s: {eventName: CreateAccessKey}\n  f: {errorCode: AccessDenied}\n  condition: s and not f")
    assert got == ["CreateAccessKey:alice", "CreateAccessKey:bob"]


def test_not_over_combinations_with_missing_fields(con) -> None:
    """An absent field stays false inside OR/AND under NOT and under double NOT (bare leaves, NULL-safe NOT)."""
    det = ("  s: {eventName: CreateAccessKey}\n  f: {errorCode: AccessDenied}\n"
           "  g: {requestParameters.userName: alice}\n")
    assert names(con, det + "  condition: s and not (f or g)") == ["CreateAccessKey:bob"]
    assert names(con, det + "  condition: s and not (not f)") == []
    assert names(con, det + "  condition: s and not (f and g)") == ["CreateAccessKey:alice", "CreateAccessKey:bob"]
    assert names(con, det + "  condition: s and (f or g)") == ["CreateAccessKey:alice"]


def test_one_of_and_all_of_patterns(con) -> None:
    """'1 of selection_*' and 'all of selection_*' expand over the matching names."""
    det = ("  selection_a: {eventName: ConsoleLogin}\n  selection_b: {additionalEventData.MFAUsed: 'yes'}\n")
    assert names(con, det + "  condition: all of selection_*") == ["ConsoleLogin:Yes"]
    assert len(names(con, det + "  condition: 1 of selection_*")) == 2


def test_null_exists_and_keywords(con) -> None:
    """null matches an absent field, exists tests presence, bare keywords search the whole event."""
    assert names(con, "  s: {eventName: ConsoleLogin, errorCode: null}\n  condition: s") == \
        ["ConsoleLogin:No", "ConsoleLogin:Yes"]
    assert names(con, "  s: {requestParameters.key|exists: true}\n  condition: s") == ["GetObject"]
    assert names(con, "  kw: ['PROD_DATA']\n  condition: kw") == ["GetObject"]


def test_ipv6_cidr_is_reported_not_guessed() -> None:
    """A construct wasp cannot compile faithfully is an UnsupportedRule, reported by name."""
    rule = parse_rule("title: t\nlogsource: {product: aws, service: cloudtrail}\n"
                      "detection:\n  s: {sourceIPAddress|cidr: '2001:db8::/32'}\n  condition: s", "v6.yml")
    with pytest.raises(UnsupportedRule):
        compile_detection(rule.sigma, SPARK)
    run = run_rules(DuckDBEngine(None), RuleSet([rule], []))
    assert run.problems and "v6.yml" in run.problems[0]


def test_spark_literals_escape_quotes() -> None:
    """Spark SQL literals escape quotes with a backslash, so a quote in a value cannot break the query."""
    rule = parse_rule("title: t\nlogsource: {product: aws, service: cloudtrail}\n"
                      "detection:\n  s: {eventName: \"it's\"}\n  condition: s", "q.yml")
    assert "'it\\'s'" in compile_detection(rule.sigma, SPARK)


def test_malformed_and_aggregation_rules_are_reported(tmp_path: Path) -> None:
    """Bad YAML, missing condition and count() aggregation are problems with the file name, not crashes."""
    from wasp.trail.rules import load_rules

    (tmp_path / "bad.yml").write_text("title: [unclosed\n")
    (tmp_path / "nocond.yml").write_text("title: t\nlogsource: {product: aws, service: cloudtrail}\n"
                                         "detection:\n  s: {eventName: x}\n")
    (tmp_path / "agg.yml").write_text("title: t\nlogsource: {product: aws, service: cloudtrail}\n"
                                      "detection:\n  s: {eventName: x}\n  condition: s | count() > 5\n")
    (tmp_path / "win.yml").write_text("title: t\nlogsource: {product: windows}\ndetection:\n  s: {a: b}\n"
                                      "  condition: s\n")
    rs = load_rules([tmp_path], builtin=False)
    assert rs.rules == []
    problems = "\n".join(rs.problems)
    for name in ("bad.yml", "nocond.yml", "agg.yml", "win.yml"):
        assert name in problems
    assert "needs aggregation" in problems
