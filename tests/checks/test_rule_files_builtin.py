"""Every built-in rule carries its own pass, fail and unknown examples, and every example holds."""

from __future__ import annotations

import pytest

from wasp.rulelang.casetest import run_case
from wasp.rulelang.loader import BUILTIN_DIR, CompiledRule, compile_rule, read, rule_files

RULES: list[CompiledRule] = [compile_rule(raw, path) for path in rule_files([BUILTIN_DIR])
                             for raw in read(path)["rules"]]


@pytest.mark.parametrize("rule", RULES, ids=[r.check.id for r in RULES])
def test_built_in_rule_examples(rule: CompiledRule) -> None:
    """The rule has at least one pass, fail and unknown case, and each gives its expected status and reason."""
    cases = rule.raw.get("tests") or {}
    assert all(cases.get(kind) for kind in ("pass", "fail", "unknown")), rule.check.id
    for expected, items in cases.items():
        for i, case in enumerate(items):
            result = run_case(rule, expected, i, case)
            assert result.ok, result.line()
