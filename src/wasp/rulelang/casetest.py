"""``wasp rules test``: run each rule on the example resources written beside it, as policy unit tests.

Cases live in the rule itself, under ``tests: {pass: [...], fail: [...], unknown: [...], skip: [...]}``;
one case is a resource (``properties``, ``tags``, ``observed``, ``id``, ``arn``, ``account``, ``region``)
plus optional ``settings`` overrides, ``now`` (an ISO time) and ``reason`` (text the reason must
contain). ``{unknown: REASON}`` anywhere stands for a value wasp could not read. ``skip`` cases must
produce no finding (the rule's ``applies`` does not hold).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from wasp.checks.context import Context, Settings
from wasp.model import Inventory, Resource, Result, Unknown
from wasp.rulelang.loader import CompiledRule
from wasp.rulelang.values import as_datetime
from wasp.rulelang.yamlfile import line_of

EXPECTED = ("pass", "fail", "unknown", "skip")


@dataclass
class CaseResult:
    rule: str
    expected: str
    index: int
    where: str  # file:line of the case
    got: str
    reason: str
    ok: bool
    problem: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        text = f"{mark} {self.rule} {self.expected}[{self.index}] -> {self.got}: {self.reason}"
        return text if self.ok else f"{text}\n     {self.where}: {self.problem}"


def thaw(value: Any) -> Any:
    """Case data as wasp holds it: ``{unknown: REASON}`` becomes Unknown(REASON)."""
    if isinstance(value, Mapping):
        if set(value) == {"unknown"}:
            return Unknown(str(value["unknown"]))
        return {str(k): thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    return value


def _resource(rule: CompiledRule, case: Mapping[str, Any]) -> Resource:
    rid = str(case.get("id", "example"))
    account = str(case.get("account", "123456789012"))
    return Resource.of(rule.check.resource, rid, properties=thaw(case.get("properties") or {}),
                       tags={str(k): str(v) for k, v in (case.get("tags") or {}).items()},
                       observed=thaw(case.get("observed") or {}), account=account,
                       region=str(case.get("region", "us-east-1")), arn=str(case.get("arn", "")))


def _settings(case: Mapping[str, Any]) -> Settings:
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                              for k, v in (case.get("settings") or {}).items() if k in known}
    return Settings(**values)


def run_case(rule: CompiledRule, expected: str, index: int, case: Mapping[str, Any]) -> CaseResult:
    resource = _resource(rule, case)
    now = as_datetime(case["now"]) if case.get("now") else None
    ctx = Context(Inventory(), settings=_settings(case), now=now or datetime.now(UTC), source="live",
                  account=resource.account)
    where = f"{rule.file}:{line_of(case) or rule.line}"
    produced = rule.check.func(resource, ctx)
    results = [] if produced is None else [produced] if isinstance(produced, Result) else list(produced)
    got, reason = ("skip", "no finding") if not results else (results[0].status.value.lower(), results[0].reason)
    if len(results) > 1:
        got, reason = "many", f"{len(results)} results"
    problem = ""
    if got != expected:
        problem = f"expected {expected}, got {got}"
    elif case.get("reason") and str(case["reason"]) not in reason:
        problem = f"reason does not contain {case['reason']!r}"
    return CaseResult(rule.check.id, expected, index, where, got, reason, not problem, problem)


def run_rules(rules: Iterable[CompiledRule]) -> list[CaseResult]:
    out: list[CaseResult] = []
    for rule in rules:
        cases = rule.raw.get("tests") or {}
        for expected in EXPECTED:
            for i, case in enumerate(cases.get(expected) or []):
                out.append(run_case(rule, expected, i, case))
    return out
