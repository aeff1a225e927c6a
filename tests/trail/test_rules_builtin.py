"""The built-in rule pack: every rule fires on its positive events and stays silent on its negative ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from trail_helpers import fired, store_with

from wasp.catalog import best_practices, cis_ids
from wasp.trail.rules import RuleSet, expand_case, load_rules

PACK = load_rules()
CASES = [(rule, kind, n, case) for rule in PACK.rules for kind in ("positive", "negative")
         for n, case in enumerate(rule.tests.get(kind, []))]


def test_pack_loads_cleanly() -> None:
    """All built-in rules parse, compile-ready, with no problems reported."""
    assert PACK.problems == []
    assert len(PACK.rules) >= 33


@pytest.mark.parametrize("rule", PACK.rules, ids=[r.id for r in PACK.rules])
def test_rule_has_tests_and_mappings(rule) -> None:
    """Each rule has positive and negative events, ATT&CK ids and catalogued best practices / CIS ids."""
    assert rule.tests.get("positive") and rule.tests.get("negative")
    assert rule.attack and all(a.startswith("T") for a in rule.attack)
    assert set(rule.best_practices) <= set(best_practices())
    assert set(rule.cis) <= cis_ids()


def test_fifteen_cis_monitoring_patterns() -> None:
    """CIS 5.1 to 5.15 (the monitoring section) each have a rule."""
    covered = {c for r in PACK.rules for c in r.cis}
    assert {f"5.{n}" for n in range(1, 16)} <= covered


@pytest.mark.parametrize(("rule", "kind", "n", "case"), CASES,
                         ids=[f"{r.id}-{k}{n}" for r, k, n, _ in CASES])
def test_rule_case(tmp_path: Path, rule, kind: str, n: int, case) -> None:
    """A positive case raises a finding of the rule; a negative case raises none."""
    con = store_with(tmp_path, expand_case(case))
    hits = fired(con, RuleSet([rule], []))
    assert (rule.id in hits) is (kind == "positive")
