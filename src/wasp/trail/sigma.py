"""wasp's Sigma-to-SQL compiler: pySigma parses the rule, this module owns the semantics.

Sigma semantics that generic backends get wrong, and that this compiler guarantees on every engine:
- equality and wildcards ignore case (real CloudTrail says ``MFAUsed: "No"``, rules say ``'NO'``);
- a condition over a field the event does not have is false, so ``not filter`` over an absent field
  is true. A leaf over an absent field is SQL NULL, which AND/OR and WHERE already treat as false (the
  formula is monotone up to a NOT), so only a NOT makes it two-valued: ``NOT COALESCE(x, FALSE)``. Leaves
  stay bare so that DuckDB pushes tests on typed columns into the scan and reads the event JSON only for
  the rows that pass them (wrapping every leaf in COALESCE made a rule read all 1M events: 1.6 s, not 7 ms);
- nested fields (``userIdentity.type``) are addressed inside the event JSON.
The SQL is written for a dialect (DuckDB or Spark SQL) so one rule runs unchanged on both engines.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from wasp.trail.store import FIELD_COLUMNS

ESCAPE = "!"  # LIKE escape character; the same on DuckDB and Spark, and free of backslash quoting rules
_SAFE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class UnsupportedRule(Exception):
    """The rule uses a construct wasp cannot compile faithfully (it is reported, never guessed)."""


@dataclass(frozen=True)
class Dialect:
    """The few places DuckDB and Spark SQL differ."""

    name: str

    def literal(self, text: str) -> str:
        if self.name == "spark":  # Spark SQL literals use backslash escapes ('' would concatenate)
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + text.replace("'", "''") + "'"

    def json_path(self, field: str) -> str:
        parts = field.split(".")
        if self.name == "spark":
            return "$" + "".join(f".{p}" if _SAFE_KEY.match(p) else f"['{p}']" for p in parts)
        return "$" + "".join(f".{p}" if _SAFE_KEY.match(p) else f'."{p}"' for p in parts)

    def field(self, field: str) -> str:
        """SQL text of a field's value as a string (NULL when absent or JSON null)."""
        if field in FIELD_COLUMNS:
            return FIELD_COLUMNS[field]
        path = self.literal(self.json_path(field))
        if self.name == "spark":
            return f"get_json_object(event, {path})"
        return f"json_extract_string(event, {path})"

    def event_text(self) -> str:
        return "CAST(event AS STRING)" if self.name == "spark" else "CAST(event AS VARCHAR)"

    def regex(self, expr: str, pattern: str) -> str:
        if self.name == "spark":
            return f"({expr} RLIKE {self.literal(pattern)})"
        return f"regexp_matches({expr}, {self.literal(pattern)})"

    def epoch(self, expr: str) -> str:
        return f"unix_timestamp({expr})" if self.name == "spark" else f"epoch({expr})"

    def collect(self, expr: str, limit: int) -> str:
        """The first ``limit`` values of expr in a group, ordered by event time where the engine allows."""
        if self.name == "spark":
            return (f"slice(transform(array_sort(collect_list(named_struct('t', event_time, 'e', {expr}))), "
                    f"x -> x.e), 1, {limit})")
        # a top-n heap (no list of every match is built); the row id breaks ties in time, so that the same
        # store always shows the same evidence however the parallel aggregation interleaves
        return f"min_by({expr}, row(event_time, {expr}), {limit})"

    def evidence(self) -> str:
        """What a rule query keeps of each matching event: its row id, and the few events shown as evidence
        are read back afterwards (carrying every match's JSON through the aggregations doubled DuckDB's peak
        memory over 1M events, and made Spark shuffle 1.4 KB per match); Spark numbers the events it loads."""
        return "rid" if self.name == "spark" else "rowid"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


def like_pattern(value: SigmaString) -> tuple[str, bool]:
    """A lower-cased LIKE pattern for a Sigma string and whether it holds any wildcard."""
    out, wild = [], False
    for part in value.s:
        if part == SpecialChars.WILDCARD_MULTI:
            out.append("%")
            wild = True
        elif part == SpecialChars.WILDCARD_SINGLE:
            out.append("_")
            wild = True
        elif isinstance(part, str):
            out.append(part.lower().replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_"))
        else:
            raise UnsupportedRule(f"placeholder or special value {part!r}")
    return "".join(out), wild


def plain(value: SigmaString) -> str:
    if value.contains_special():
        raise UnsupportedRule(f"wildcard where a plain value is needed: {value}")
    return str(value)


def _ipv4_number(expr: str) -> str:
    parts = [f"TRY_CAST(split_part({expr}, '.', {i}) AS BIGINT)" for i in range(1, 5)]
    return f"({parts[0]} * 16777216 + {parts[1]} * 65536 + {parts[2]} * 256 + {parts[3]})"


def compile_leaf(field: str | None, value: Any, d: Dialect) -> str:
    """One field/value test; NULL when the field is absent, which counts as false (see compile_condition)."""
    if field is None:  # keyword: search anywhere in the event
        if not isinstance(value, SigmaString | SigmaNumber):
            raise UnsupportedRule(f"keyword of type {type(value).__name__}")
        pattern = like_pattern(value)[0] if isinstance(value, SigmaString) else str(value).lower()
        return f"(lower({d.event_text()}) LIKE {d.literal('%' + pattern + '%')} ESCAPE '{ESCAPE}')"
    expr = d.field(field)
    if isinstance(value, SigmaNull):
        return f"({expr} IS NULL)"
    if isinstance(value, SigmaExists):
        return f"({expr} IS {'NOT ' if value.exists else ''}NULL)"
    if isinstance(value, SigmaCasedString):
        pattern, wild = like_pattern(value)
        if wild:
            raw = "".join("%" if p == SpecialChars.WILDCARD_MULTI else "_" if p == SpecialChars.WILDCARD_SINGLE
                          else str(p).replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
                          for p in value.s)
            return f"({expr} LIKE {d.literal(raw)} ESCAPE '{ESCAPE}')"
        return f"({expr} = {d.literal(str(value))})"
    if isinstance(value, SigmaString):
        pattern, wild = like_pattern(value)
        if wild:
            return f"(lower({expr}) LIKE {d.literal(pattern)} ESCAPE '{ESCAPE}')"
        return f"(lower({expr}) = {d.literal(str(value).lower())})"
    if isinstance(value, SigmaBool):
        return f"(lower({expr}) = {d.literal('true' if value.boolean else 'false')})"
    if isinstance(value, SigmaNumber):
        return f"(TRY_CAST({expr} AS DOUBLE) = {float(value.number)!r})"
    if isinstance(value, SigmaCompareExpression):
        ops = {CompareOperators.LT: "<", CompareOperators.LTE: "<=", CompareOperators.GT: ">",
               CompareOperators.GTE: ">="}
        return f"(TRY_CAST({expr} AS DOUBLE) {ops[value.op]} {float(value.number.number)!r})"
    if isinstance(value, SigmaRegularExpression):
        flags = {SigmaRegularExpressionFlag.IGNORECASE: "i", SigmaRegularExpressionFlag.MULTILINE: "m",
                 SigmaRegularExpressionFlag.DOTALL: "s"}
        inline = "".join(sorted(flags[f] for f in value.flags))
        pattern = (f"(?{inline})" if inline else "") + str(value.regexp)
        return f"({d.regex(expr, pattern)})"
    if isinstance(value, SigmaCIDRExpression):
        net = value.network
        if not isinstance(net, ipaddress.IPv4Network):
            raise UnsupportedRule(f"IPv6 CIDR {value.cidr}")
        num = _ipv4_number(expr)
        low, high = int(net.network_address), int(net.broadcast_address)
        return f"({num} BETWEEN {low} AND {high})"
    if isinstance(value, SigmaFieldReference):
        other = d.field(value.field)
        if value.starts_with or value.ends_with:  # portable prefix/suffix test: no LIKE, so no escaping issue
            side = "left" if value.starts_with else "right"
            return f"({side}(lower({expr}), length({other})) = lower({other}) AND length({other}) > 0)"
        return f"(lower({expr}) = lower({other}))"
    raise UnsupportedRule(f"value type {type(value).__name__} on field {field}")


def compile_condition(node: Any, d: Dialect) -> str:
    if isinstance(node, ConditionAND):
        return "(" + " AND ".join(compile_condition(a, d) for a in node.args) + ")"
    if isinstance(node, ConditionOR):
        return "(" + " OR ".join(compile_condition(a, d) for a in node.args) + ")"
    if isinstance(node, ConditionNOT):
        return f"(NOT COALESCE({compile_condition(node.args[0], d)}, FALSE))"  # absent field: NOT is true
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return compile_leaf(node.field, node.value, d)
    if isinstance(node, ConditionValueExpression):
        return compile_leaf(None, node.value, d)
    raise UnsupportedRule(f"condition element {type(node).__name__}")


def compile_detection(rule: Any, d: Dialect, condition: str | None = None) -> str:
    """The SQL predicate of a parsed Sigma rule (or of one named condition text within it).

    It is meant for a WHERE clause (or an AND inside one): where the rule does not match it may be NULL
    rather than FALSE; wrap it in ``COALESCE(..., FALSE)`` to use it as a value.
    """
    if condition is not None:
        from sigma.conditions import SigmaCondition

        parsed = [SigmaCondition(condition, rule.detection)]
    else:
        parsed = rule.detection.parsed_condition
    parts = [compile_condition(c.parse(), d) for c in parsed]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
