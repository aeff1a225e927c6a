"""Flow-log rules: the rule model refuses what a flow rule cannot mean, the allow-list and --allowed-ports, the
volume baseline, and flow rules on other engines and stores."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from trail_helpers import flow_store_with

from wasp.trail.detect import DuckDBEngine, run_rules
from wasp.trail.flowrules import expand_flow_case, parse_ports, with_allowed_ports
from wasp.trail.rules import RuleSet, load_rules, parse_rule

RULE = """
title: t
logsource: {product: aws, service: vpcflowlogs}
detection: {selection: {action: ACCEPT, flow-direction: egress}, condition: selection}
wasp:
  resource: srcaddr
  investigate: ["wasp trail who --ip {srcaddr}"]
"""


def test_flow_rule_parses_with_aws_field_spelling(tmp_path: Path) -> None:
    """A flow rule may name fields as AWS spells them (flow-direction) and fires on the matching record only."""
    rule = parse_rule(RULE, "f.yml")
    assert rule.flow and rule.kind == "match"
    con = flow_store_with(tmp_path, expand_flow_case({"flow_direction": "egress"})
                          + expand_flow_case({"flow_direction": "ingress", "srcaddr": "10.9.9.9"}))
    run = run_rules(DuckDBEngine(con), RuleSet([rule], []))
    assert [f.resource.id for f in run.findings] == ["10.0.1.5"]


@pytest.mark.parametrize(("old", "new", "why"), [
    ("  resource: srcaddr", "  new_value: {value: srcaddr}", "not new_value or rare"),
    ("  resource: srcaddr", "  threshold: {count: 2}", "needs by:"),
    ("{srcaddr}", "{sourceIPAddress}", "not a flow-log field"),
    ("  resource: srcaddr", "  volume: {sum: action}", "not a number field"),
    ("  resource: srcaddr", "  volume: {by: [host]}", "host is not a flow-log field"),
    ("  resource: srcaddr", "  allow: {field: dstport}", "wasp.allow must be"),
    ("service: vpcflowlogs", "service: cloudwatch", "not aws/cloudtrail or aws/vpcflowlogs"),
])
def test_flow_rule_mistakes_are_refused(old: str, new: str, why: str) -> None:
    """A flow rule with a CloudTrail-only kind, a threshold without a group, a CloudTrail placeholder or a bad
    volume/allow block is refused with the reason."""
    with pytest.raises(ValueError, match=why):
        parse_rule(RULE.replace(old, new), "f.yml")


def test_volume_and_allow_are_flow_only() -> None:
    """A CloudTrail rule with a volume block is refused: there is no traffic to add up."""
    text = RULE.replace("vpcflowlogs", "cloudtrail").replace("{srcaddr}", "{sourceIPAddress}")
    with pytest.raises(ValueError, match="vpcflowlogs"):
        parse_rule(text.replace("  resource: srcaddr", "  volume: {}"), "c.yml")


def test_parse_ports() -> None:
    """Ports and ranges are expanded; anything else is a ValueError naming the part."""
    assert parse_ports("80, 443,8000-8002") == ["80", "443", "8000", "8001", "8002"]
    for bad in ("http", "70000", "9-1", "1-9999"):
        with pytest.raises(ValueError):
            parse_ports(bad)


def test_allowed_ports_replace_only_dstport_allow_lists() -> None:
    """--allowed-ports replaces the allow-list of the rules that have one and leaves every other rule as it is."""
    pack = load_rules().rules
    changed = with_allowed_ports(pack, ["8443"])
    assert [r.id for r in changed if r.allow] == ["flow_inbound_port_not_allowed"]
    assert next(r for r in changed if r.allow).allow == {"field": "dstport", "values": ["8443"]}
    assert [r for r in changed if not r.allow] == [r for r in pack if not r.allow]


def test_volume_baseline_follows_each_host(tmp_path: Path) -> None:
    """The spike is measured against the same host's history: a host that always sends a lot does not fire, a
    quiet host sending the same amount does."""
    rule = next(r for r in load_rules().rules if r.id == "flow_bytes_out_spike")
    busy = {"records": [{"srcaddr": "10.0.1.5", "dstaddr": "198.51.100.20", "bytes": 800_000_000,
                         "flow_direction": "egress"}], "repeat": 48, "every": "1h"}
    quiet = {"records": [{"srcaddr": "10.0.1.6", "dstaddr": "198.51.100.20", "bytes": 1_000_000,
                          "flow_direction": "egress"}], "repeat": 48, "every": "1h",
             "then": [{"srcaddr": "10.0.1.6", "dstaddr": "203.0.113.9", "bytes": 800_000_000,
                       "start": "2024-03-03T12:30:00Z", "flow_direction": "egress"}]}
    con = flow_store_with(tmp_path, expand_flow_case(busy) + expand_flow_case(quiet))
    run = run_rules(DuckDBEngine(con), RuleSet([rule], []))
    assert [(f.resource.id, f.evidence["events_matched"]) for f in run.findings] == [("10.0.1.6", 800_000_000)]
    assert "over 10.0x the mean of its 7d baseline" in run.findings[0].reason


def test_store_without_flow_table_skips_flow_rules(tmp_path: Path) -> None:
    """A store written before flow logs were read has no flow table: flow rules are left out, not failed."""
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:
        old.execute("CREATE TABLE trail_events (event_id VARCHAR)")
    with duckdb.connect(str(path), read_only=True) as con:
        run = run_rules(DuckDBEngine(con), RuleSet([r for r in load_rules().rules if r.flow], []))
    assert (run.rules_run, run.problems, run.findings) == (0, [], [])


def test_spark_reports_flow_rules_by_name() -> None:
    """On Spark a flow rule is not compiled: it is reported by name as a DuckDB-only rule."""
    from wasp.trail.detect import query
    from wasp.trail.sigma import SPARK, UnsupportedRule

    with pytest.raises(UnsupportedRule, match="DuckDB event store"):
        query(parse_rule(RULE, "f.yml"), SPARK)
