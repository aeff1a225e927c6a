"""Detection evidence: the earliest matching events, whole and in time order, read back from the store."""

from __future__ import annotations

from pathlib import Path

from trail_helpers import store_with

from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.rules import RuleSet, expand_case, load_rules, parse_rule

RULE = """title: bucket listing
logsource: {product: aws, service: cloudtrail}
detection:
  s: {eventName: ListBuckets}
  condition: s
"""


def _event(i: int, name: str = "ListBuckets") -> dict[str, object]:
    return {"eventVersion": "1.08", "eventID": f"id-{i}", "eventTime": f"2026-11-0{1 + i % 9}T10:00:{i:02d}Z",
            "eventSource": "s3.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333", "sourceIPAddress": "198.51.100.7",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice",
                             "accessKeyId": "AKIAEXAMPLE"}}


def test_match_evidence_is_the_five_earliest_events_whole(tmp_path: Path) -> None:
    """Eight matches among noise: the evidence is the five earliest matching events, as full documents."""
    events = [_event(i) for i in range(8)] + [_event(100 + i, "GetObject") for i in range(5)]
    con = store_with(tmp_path, events[::-1])  # stored in reverse: evidence order must come from event time
    run = run_rules(DuckDBEngine(con), RuleSet([parse_rule(RULE, "list.yml")], []))
    [finding] = run.findings
    evidence = finding.evidence["events"]
    assert finding.evidence["events_matched"] == 8
    assert [e["eventID"] for e in evidence] == sorted((f"id-{i}" for i in range(8)),
                                                      key=lambda x: events[int(x[3:])]["eventTime"])[:5]
    assert all(e["userIdentity"]["arn"].endswith("user/alice") for e in evidence)


def test_sequence_evidence_includes_the_follow_up_event(tmp_path: Path) -> None:
    """A burst-then-follow-up rule shows the failed sign-ins and the successful one that followed."""
    rule = next(r for r in load_rules().rules if r.id == "trail_failed_logins_then_success")
    positive = rule.tests["positive"][0]
    con = store_with(tmp_path, expand_case(positive))
    [finding] = run_rules(DuckDBEngine(con), RuleSet([rule], [])).findings
    outcomes = {e.get("responseElements", {}).get("ConsoleLogin") for e in finding.evidence["events"]}
    assert {"Failure", "Success"} <= outcomes


def test_evidence_is_read_from_the_table_the_rules_ran_on(tmp_path: Path) -> None:
    """Rules run on another table of the store show that table's events, not rows of the default table."""
    con = store_with(tmp_path, [_event(i) for i in range(3)])
    con.execute("CREATE TABLE archived AS SELECT * FROM trail_events")
    con.execute("DELETE FROM trail_events")
    [finding] = run_rules(DuckDBEngine(con), RuleSet([parse_rule(RULE, "list.yml")], []), table="archived").findings
    assert [e["eventID"] for e in finding.evidence["events"]] == ["id-0", "id-1", "id-2"]


def test_evidence_ties_in_time_are_broken_by_position(tmp_path: Path) -> None:
    """300k matches at one instant (several row groups, aggregated in parallel): every run shows the first
    five stored, in storage order."""
    from wasp.trail.store import connect

    con = connect(tmp_path / "ties.duckdb")
    con.execute("INSERT INTO trail_events (event_id, event_time, event_name, principal_arn, event) "
                "SELECT 'id-' || range, TIMESTAMP '2026-11-01 10:00:00', 'ListBuckets', "
                "'arn:aws:iam::111122223333:user/alice', json_object('eventID', 'id-' || range) FROM range(300000)")
    con.execute("CHECKPOINT")
    shown = set()
    for _ in range(3):
        [finding] = run_rules(DuckDBEngine(con), RuleSet([parse_rule(RULE, "list.yml")], [])).findings
        shown.add(tuple(e["eventID"] for e in finding.evidence["events"]))
    assert shown == {("id-0", "id-1", "id-2", "id-3", "id-4")}
