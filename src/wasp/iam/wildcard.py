"""Questions about sets of requests, answered with the ordinary evaluator.

- *A wildcard resource* (``arn:aws:s3:::*/AWSLogs/*``): is some concrete ARN matching the pattern
  allowed? An Allow's ``Resource`` counts when some ARN matches both it and the asked pattern
  (pattern intersection, wasp.iam.lint_rules.overlap); a Deny's ``Resource`` counts only when it
  covers the whole asked pattern (otherwise some ARN escapes it); ``NotResource`` the other way
  round. The statements are rewritten to name the asked pattern (or nothing) and evaluated as usual,
  so every other rule (layers, principals, conditions) applies unchanged.
- *Discovery*: is there any request context under which the request is allowed? Conditions of Allow
  statements are taken as satisfiable unless they contradict each other (two different required
  values of one single-valued key, a key both required and required absent...), conditions of Deny
  statements as avoidable; the answer lists the conditions that gate the allow.

Neither touches the evaluator's hot path: both build a rewritten PolicySet and call ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from wasp.iam.conditions import split_operator
from wasp.iam.evaluate import Decision, PolicySet, Request, evaluate
from wasp.iam.lint_rules import covers, key_type, overlap, pattern_tokens
from wasp.iam.policy import Condition, Policy, Statement, any_action_matches

NOWHERE = "arn:wasp:none:::matches-nothing"


def is_pattern(resource: str) -> bool:
    """A resource with wildcards; a lone "*" stays the usual "no particular resource"."""
    return resource != "*" and ("*" in resource or "?" in resource)


@dataclass
class PatternResult:
    decision: Decision
    overlaps: list[tuple[Statement, str]] = field(default_factory=list)  # (statement, its pattern that overlaps)
    gates: list[str] = field(default_factory=list)  # discovery: conditions the allow depends on
    contradictions: list[str] = field(default_factory=list)  # discovery: allow statements that can never apply

    def to_json(self) -> dict[str, Any]:
        out = self.decision.to_json()
        if self.overlaps:
            out["overlaps"] = [{**s.ref(), "pattern": p} for s, p in self.overlaps]
        if self.gates or self.contradictions:
            out["conditions"] = self.gates
            out["contradictions"] = self.contradictions
        return out


def _rewrite(policies: PolicySet, change: Callable[[Statement], Statement]) -> PolicySet:
    def one(p: Policy) -> Policy:
        return replace(p, statements=tuple(change(s) for s in p.statements))

    def many(items: Sequence[Any]) -> list[Any]:
        return [one(i) if isinstance(i, Policy) else [one(p) for p in i] for i in items]

    return PolicySet(identity=many(policies.identity), resource=many(policies.resource),
                     boundary=one(policies.boundary) if policies.boundary else None,
                     session=many(policies.session), scps=many(policies.scps), rcps=many(policies.rcps),
                     endpoint=many(policies.endpoint))


def _resource_account(pattern: str) -> str | None:
    parts = pattern.split(":")
    if len(parts) > 4 and is_pattern(parts[4]):
        return ""  # any account: decided as the caller's own
    return None


def evaluate_pattern(request: Request, policies: PolicySet) -> PatternResult:
    """Decide a request whose resource is a pattern: is some ARN matching it allowed?"""
    asked = request.resource
    tokens = pattern_tokens(asked)
    overlaps: list[tuple[Statement, str]] = []

    def change(s: Statement) -> Statement:
        if s.resources is not None:
            if s.effect == "Allow":
                hit = next((p for p in s.resources if overlap(pattern_tokens(p), tokens)), None)
            else:
                hit = next((p for p in s.resources if covers(p, asked)), None)
            if hit is not None:
                overlaps.append((s, hit))
            return replace(s, resources=(asked,) if hit is not None else (NOWHERE,))
        if s.not_resources is not None:
            if s.effect == "Allow":
                applies = not any(covers(p, asked) for p in s.not_resources)
            else:
                applies = not any(overlap(pattern_tokens(p), tokens) for p in s.not_resources)
            return replace(s, not_resources=(NOWHERE,) if applies else (asked,))
        return s

    rewritten = _rewrite(policies, change)
    account = request.resource_account if request.resource_account is not None else _resource_account(asked)
    decision = evaluate(Request(request.action, asked, request.principal, request.context, account), rewritten)
    # the overlaps of the statements that decided (their rewritten copies keep the policy name and index)
    deciding = {(d.policy, d.index) for d in decision.statements}
    return PatternResult(decision, [(s, p) for s, p in overlaps if (s.policy, s.index) in deciding])


# -- discovery -------------------------------------------------------------------------------------------------
_POSITIVE = ("StringEquals", "StringEqualsIgnoreCase", "Bool", "NumericEquals", "DateEquals", "ArnEquals")
_NEGATIVE = ("StringNotEquals", "StringNotEqualsIgnoreCase", "NumericNotEquals", "DateNotEquals", "ArnNotEquals")


def contradiction(conditions: Sequence[Condition]) -> str | None:
    """Why no request context satisfies all these conditions together, or None when one may."""
    required: dict[str, set[str]] = {}
    excluded: dict[str, set[str]] = {}
    null: dict[str, bool] = {}
    for cond in conditions:
        qualifier, base, if_exists = split_operator(cond.operator)
        if qualifier or if_exists:
            continue
        ktype = key_type(cond.key) or "String"
        if ktype.startswith("ArrayOf"):
            continue  # several values: two required values may both be present
        fold = base.endswith("IgnoreCase") or base == "Bool"
        values = {str(v).lower() if fold else str(v) for v in cond.values}
        if base == "Null":
            wants_absent = {str(v).lower() for v in cond.values}
            if len(wants_absent) == 1:
                absent = wants_absent.pop() == "true"
                if cond.key in null and null[cond.key] != absent:
                    return f"{cond.key} must be both absent and present"
                null[cond.key] = absent
        elif base in _POSITIVE:
            known = required.get(cond.key)
            required[cond.key] = values if known is None else known & values
            if not required[cond.key]:
                return f"{cond.key} cannot equal two different values at once"
        elif base in _NEGATIVE:
            excluded.setdefault(cond.key, set()).update(values)
    for key, values in required.items():
        if not values - excluded.get(key, set()):
            return f"every value {key} must equal is also excluded"
        if null.get(key) is True:
            return f"{key} must be both absent and equal to a value"
    return None


def _describe(cond: Condition) -> str:
    values = ", ".join(map(str, cond.values))
    return f"{cond.operator} {cond.key} {values}"


def _names_action(s: Statement, action: str) -> bool:
    if s.actions is not None:
        return any_action_matches(s.actions, action)
    return not any_action_matches(s.not_actions or (), action)


def discover(request: Request, policies: PolicySet, resource_policy_required: bool | None = None) -> PatternResult:
    """Is there a request context under which the request is allowed? Gating conditions listed.

    ``resource_policy_required=False`` asks about the identity side alone (a key or trust policy aside)."""
    contradictions: list[str] = []
    originals: dict[tuple[str, int], Statement] = {}
    action = request.action.lower()

    def change(s: Statement) -> Statement:
        originals[(s.policy, s.index)] = s
        if not s.conditions:
            return s
        if s.effect == "Deny":
            return replace(s, resources=(NOWHERE,), not_resources=None)  # a conditional deny can be avoided
        why = contradiction(s.conditions)
        if why is not None:
            if _names_action(s, action):
                contradictions.append(f"{s}: {why}")
            return replace(s, resources=(NOWHERE,), not_resources=None)
        return replace(s, conditions=())

    rewritten = _rewrite(policies, change)
    if is_pattern(request.resource):
        result = evaluate_pattern(request, rewritten)
    else:
        result = PatternResult(evaluate(request, rewritten, resource_policy_required))
    gates: list[str] = []
    if result.decision.allowed:
        for s in result.decision.statements:
            original = originals.get((s.policy, s.index))
            gates += [f"{original}: {_describe(c)}" for c in (original.conditions if original else ())]
        for original in originals.values():
            if original.effect == "Deny" and original.conditions and _names_action(original, action):
                gates.append(f"{original} must not apply: " + "; ".join(_describe(c) for c in original.conditions))
    result.gates = gates
    result.contradictions = contradictions
    return result
