"""Compile a rule's condition tree into a function of (resource, context) -> Outcome.

A node is ``all: [...]``, ``any: [...]``, ``not: {...}``, or a leaf ``path: P`` with one operator
(``OPERATORS``). Any node may carry ``pass:``, ``fail:`` and ``unknown:`` message templates. Compiled
once per rule: evaluation does no parsing, so breadth does not slow the scan per resource.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wasp.model import Resource, Unknown
from wasp.rulelang.logic import FAIL, PASS, UNKNOWN, Outcome, conjoin, disjoin, negate
from wasp.rulelang.messages import render
from wasp.rulelang.predicates import ARGUMENTS, PREDICATES
from wasp.rulelang.values import (
    MISSING,
    absent,
    as_datetime,
    as_number,
    resolve,
    same,
    show,
    truthy,
    walk,
    when,
)

COMPARISONS = ("gt", "gte", "lt", "lte")
DATES = ("before", "after", "older_than_days", "newer_than_days")
ELEMENTS = ("any_element", "every_element")
OPERATORS = ("exists", "equals", "in", "regex", "truthy", "empty", "contains", *COMPARISONS, *DATES, *ELEMENTS,
             "is")
LOGICAL = ("all", "any", "not")
MESSAGES = ("pass", "fail", "unknown")
LEAF_EXTRAS = ("path", "default", "missing", "with", *MESSAGES)


class RuleError(ValueError):
    """A rule that cannot be compiled; ``node`` is where (the loader turns it into file:line)."""

    def __init__(self, message: str, node: Any = None) -> None:
        super().__init__(message)
        self.node = node


@dataclass
class Env:
    resource: Resource
    ctx: Any
    element: Any = MISSING  # inside any_element/every_element: the element paths are relative to
    prefix: str = ""  # the element's own path, for messages


Node = Callable[[Env], Outcome]


def compile_condition(node: Any) -> Node:
    if not isinstance(node, Mapping):
        raise RuleError(f"a condition is a mapping, not {type(node).__name__}", node)
    logical = [k for k in LOGICAL if k in node]
    messages = {k: str(node[k]) for k in MESSAGES if k in node}
    if logical:
        extra = set(node) - {*logical, *MESSAGES}
        if len(logical) > 1 or extra:
            raise RuleError(f"a logical node has one of all/any/not and nothing else (found "
                            f"{', '.join(sorted({*logical, *extra}))})", node)
        inner = _logical(logical[0], node[logical[0]], node)
    elif "path" in node:
        inner = _leaf(node)
    else:
        raise RuleError(f"unknown condition {', '.join(map(str, node)) or '{}'}: use all/any/not or path with one "
                        f"of {', '.join(OPERATORS)}", node)
    return _with_messages(inner, messages) if messages else inner


def _with_messages(inner: Node, messages: dict[str, str]) -> Node:
    def node(env: Env) -> Outcome:
        out = inner(env)
        template = messages.get(out.status.value.lower())
        if template is None:
            return out
        text = render(template, out.vars, env.resource, env.ctx.settings)
        return Outcome(out.status, out.vars, text, True)

    return node


def _logical(op: str, body: Any, node: Any) -> Node:
    if op == "not":
        child = compile_condition(body)
        return lambda env: negate(child(env))
    if not isinstance(body, list) or not body:
        raise RuleError(f"{op} takes a non-empty list of conditions", node)
    children = [compile_condition(c) for c in body]
    combine = conjoin if op == "all" else disjoin
    return lambda env: combine(c(env) for c in children)


# ---------------------------------------------------------------- leaves
def _leaf(node: Mapping[str, Any]) -> Node:
    ops = [k for k in node if k not in LEAF_EXTRAS]
    unknown_ops = [k for k in ops if k not in OPERATORS]
    if unknown_ops:
        raise RuleError(f"unknown operator {unknown_ops[0]!r}: use one of {', '.join(OPERATORS)}", node)
    if len(ops) != 1:
        raise RuleError(f"a leaf has exactly one operator besides path (found {', '.join(ops) or 'none'})", node)
    op = ops[0]
    path = node["path"]
    if not isinstance(path, str):
        raise RuleError("path is a dotted string", node)
    if "with" in node and op != "is":
        raise RuleError("with: gives arguments to an `is:` predicate only", node)
    test = _operator(op, node[op], node)
    default = node.get("default", MISSING)
    missing = str(node["missing"]) if "missing" in node else None  # absent key: not collected, so UNKNOWN
    templated = "{" in path

    def leaf(env: Env) -> Outcome:
        where = render(path, {}, env.resource, env.ctx.settings) if templated else path
        if env.element is not MISSING:
            value = env.element if where in ("", "@") else walk(env.element, where.split("."))
            shown = env.prefix if where in ("", "@") else f"{env.prefix}.{where}"
        else:
            value, shown = resolve(env.resource, where), where
        key = shown.rsplit(".", 1)[-1]
        base = {"path": shown, "key": key}
        if isinstance(value, Unknown):
            return Outcome(UNKNOWN, {**base, "reason": value.reason}, value.reason)
        if value is MISSING and missing is not None:
            return Outcome(UNKNOWN, {**base, "reason": missing}, missing, True)
        if absent(value) and default is not MISSING:
            value = default
        status, extra = test(value, env, shown)
        vars = {**base, "value": value, **extra}
        if status is UNKNOWN:
            reason = str(extra.get("reason", f"{shown} cannot be judged"))
            return Outcome(UNKNOWN, {**vars, "reason": reason}, reason, bool(extra.get("explicit")))
        if extra.get("message"):
            return Outcome(status, vars, str(extra["message"]), bool(extra.get("explicit")))
        text = f"{shown} is {show(value)}" if not absent(value) else f"{shown} is not set"
        return Outcome(status, vars, text)

    return leaf


Test = Callable[[Any, Env, str], tuple[Any, dict[str, Any]]]


def _holds(flag: bool) -> Any:
    return PASS if flag else FAIL


def _operand(spec: Any, node: Any) -> Callable[[Env], Any]:
    """A literal, {setting: NAME} or {path: P} (another value of the resource)."""
    if isinstance(spec, Mapping):
        if set(spec) == {"setting"}:
            name = str(spec["setting"])
            return lambda env: getattr(env.ctx.settings, name, MISSING)
        if set(spec) == {"path"}:
            other = str(spec["path"])
            return lambda env: resolve(env.resource, other)
    return lambda env: spec


def _number(spec: Any, node: Any) -> Callable[[Env], float | None]:
    get = _operand(spec, node)
    if not isinstance(spec, Mapping) and as_number(spec) is None:
        raise RuleError(f"{spec!r} is not a number", node)
    return lambda env: as_number(get(env))


def _operator(op: str, arg: Any, node: Any) -> Test:
    if op == "exists":
        want = bool(arg)
        return lambda v, env, shown: (_holds((not absent(v)) is want), {"expected": "set" if want else "not set"})
    if op == "truthy":
        want = bool(arg)
        return lambda v, env, shown: (_holds(truthy(v) is want), {"expected": want})
    if op == "empty":
        want = bool(arg)
        return lambda v, env, shown: (_holds((absent(v) or (hasattr(v, "__len__") and len(v) == 0)) is want), {})
    if op == "equals":
        get = _operand(arg, node)
        return lambda v, env, shown: (_holds(same(v, get(env))), {"expected": get(env)})
    if op == "in":
        if not isinstance(arg, list):
            raise RuleError("in: takes a list of values", node)
        return lambda v, env, shown: (_holds(any(same(v, a) for a in arg)), {"expected": arg})
    if op == "contains":
        get = _operand(arg, node)
        return lambda v, env, shown: _contains(v, get(env))
    if op == "regex":
        try:
            pattern = re.compile(str(arg))
        except re.error as exc:
            raise RuleError(f"regex {arg!r} does not compile: {exc}", node) from None
        return lambda v, env, shown: _regex(pattern, v)
    if op in COMPARISONS:
        number = _number(arg, node)
        return lambda v, env, shown: _compare(op, v, number(env))
    if op in ("older_than_days", "newer_than_days"):
        days = _number(arg, node)
        return lambda v, env, shown: _age(op, v, days(env), env.ctx.now)
    if op in ("before", "after"):
        if not (arg == "now" or as_datetime(arg) is not None
                or (isinstance(arg, Mapping) and set(arg) <= {"days_from_now", "days_ago"} and len(arg) == 1)):
            raise RuleError(f"{op}: takes now, an ISO date, {{days_from_now: N}} or {{days_ago: N}}", node)
        inner = next(iter(arg.values())) if isinstance(arg, Mapping) else 0
        days = _number(inner, node)
        return lambda v, env, shown: _date(op, v, when(arg, env.ctx.now, lambda _: days(env) or 0))
    if op in ELEMENTS:
        child = compile_condition(arg)
        return lambda v, env, shown: _elements(op, v, child, env, shown)
    if op == "is":
        name = str(arg)
        if name not in PREDICATES:
            raise RuleError(f"unknown predicate {name!r}: use one of {', '.join(PREDICATES)}", node)
        args = node.get("with") or {}
        allowed = ARGUMENTS.get(name, ())
        bad = [a for a in args if a not in allowed]
        if bad:
            raise RuleError(f"predicate {name} takes no argument {bad[0]!r}" +
                            (f" (it takes {', '.join(allowed)})" if allowed else ""), node)
        return lambda v, env, shown: _predicate(name, v, env, args)
    raise RuleError(f"unknown operator {op!r}", node)  # pragma: no cover - OPERATORS is checked first


def _contains(value: Any, wanted: Any) -> tuple[Any, dict[str, Any]]:
    if absent(value):
        return FAIL, {"expected": wanted}
    if isinstance(value, str):
        return _holds(str(wanted) in value), {"expected": wanted}
    if isinstance(value, Mapping):
        return _holds(wanted in value), {"expected": wanted}
    if isinstance(value, list):
        return _holds(any(same(v, wanted) for v in value)), {"expected": wanted}
    return UNKNOWN, {"reason": f"{show(value)} is not a list, text or map"}


def _regex(pattern: re.Pattern[str], value: Any) -> tuple[Any, dict[str, Any]]:
    if absent(value):
        return FAIL, {"expected": pattern.pattern}
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return _holds(pattern.search(str(value)) is not None), {"expected": pattern.pattern}
    return UNKNOWN, {"reason": f"{show(value)} is not text (unresolved template expression?)"}


def _compare(op: str, value: Any, limit: float | None) -> tuple[Any, dict[str, Any]]:
    if limit is None:
        return UNKNOWN, {"reason": "the comparison's limit is not a number"}
    if absent(value):
        return FAIL, {"expected": limit}
    number = as_number(value)
    if number is None:
        return UNKNOWN, {"reason": f"{show(value)} is not a number (unresolved template expression?)"}
    held = {"gt": number > limit, "gte": number >= limit, "lt": number < limit, "lte": number <= limit}[op]
    return _holds(held), {"expected": limit}


def _age(op: str, value: Any, days: float | None, now: datetime) -> tuple[Any, dict[str, Any]]:
    if absent(value):
        return FAIL, {"expected": days}
    moment = as_datetime(value)
    if moment is None or days is None:
        return UNKNOWN, {"reason": f"{show(value)} is not a date"}
    age = (now - moment).total_seconds() / 86400
    held = age > days if op == "older_than_days" else age < days
    return _holds(held), {"expected": days, "age": int(age)}


def _date(op: str, value: Any, ref: datetime | None) -> tuple[Any, dict[str, Any]]:
    if absent(value):
        return FAIL, {"expected": ref}
    moment = as_datetime(value)
    if moment is None or ref is None:
        return UNKNOWN, {"reason": f"{show(value)} is not a date"}
    held = moment < ref if op == "before" else moment > ref
    return _holds(held), {"expected": ref}


def _elements(op: str, value: Any, child: Node, env: Env, shown: str) -> tuple[Any, dict[str, Any]]:
    if absent(value):
        value = []
    if not isinstance(value, list):
        return UNKNOWN, {"reason": f"{show(value)} is not a list"}
    if not value:
        return (FAIL if op == "any_element" else PASS), {"count": 0}
    each = (child(Env(env.resource, env.ctx, item, f"{shown}.{i}")) for i, item in enumerate(value))
    out = disjoin(each) if op == "any_element" else conjoin(each)
    return out.status, {**out.vars, "message": out.message, "explicit": out.explicit,
                        "reason": out.vars.get("reason", out.message)}


def _predicate(name: str, value: Any, env: Env, args: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    held, vars = PREDICATES[name](value, env.resource, env.ctx, args)
    if isinstance(held, Unknown):
        return UNKNOWN, {**vars, "reason": held.reason}
    extra = {**vars}
    if vars.get("detail"):
        extra["message"] = str(vars["detail"])
    return _holds(bool(held)), extra
