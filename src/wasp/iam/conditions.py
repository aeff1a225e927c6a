"""Condition operators, exactly as the IAM reference defines them.

Rules implemented (IAM User Guide, "Condition operators" and "Multivalued context keys"):
- several operators in a block, and several keys under one operator, are ANDed;
- several values for one key are ORed for positive operators and NORed for negated ones
  (``StringNotEquals`` with [a, b] means "neither a nor b");
- a key absent from the request makes a positive operator false and a negated operator true;
  ``...IfExists`` makes any operator true when the key is absent; ``Null`` tests presence;
- ``ForAllValues:`` is true when every request value matches (vacuously true when the key is
  absent or empty); ``ForAnyValue:`` needs at least one matching value (false when absent);
- policy variables are substituted in String* and Arn* values (not in other operators).
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from wasp.iam.policy import Condition, Unresolved, arn_matches, glob_match, substitute

_BASE = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
    "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
    "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "DateNotEquals",
            "NotIpAddress", "ArnNotEquals", "ArnNotLike"}
_BASE_LOWER = {b.lower(): b for b in _BASE}


@lru_cache(maxsize=4096)
def split_operator(operator: str) -> tuple[str, str, bool]:
    """(set qualifier '', 'forallvalues' or 'foranyvalue'; base operator; IfExists)."""
    qualifier = ""
    rest = operator
    if ":" in operator:
        qualifier, _, rest = operator.partition(":")
        qualifier = qualifier.lower()
        if qualifier not in ("forallvalues", "foranyvalue"):
            raise ValueError(f"Invalid Condition type : {operator}")
    if_exists = False
    if rest.lower().endswith("ifexists") and rest.lower() != "ifexists":
        if_exists = True
        rest = rest[: -len("IfExists")]
    base = _BASE_LOWER.get(rest.lower())
    if base is None or base != rest:
        # IAM operator names are case-sensitive: 'stringequals' is rejected like an unknown name
        raise ValueError(f"Invalid Condition type : {operator}")
    if base == "Null" and (if_exists or qualifier):
        raise ValueError(f"Invalid Condition type : {operator}")
    return qualifier, base, if_exists


def evaluate_all(conditions: tuple[Condition, ...], context: Mapping[str, Any], variables: bool = True) -> bool:
    """True when every condition holds for the request context (keys lower-cased)."""
    return all(evaluate(c, context, variables) for c in conditions)


def evaluate(cond: Condition, context: Mapping[str, Any], variables: bool = True) -> bool:
    qualifier, base, if_exists = split_operator(cond.operator)
    raw = context.get(cond.key)
    present = raw is not None and not (isinstance(raw, list | tuple) and len(raw) == 0 and not qualifier)
    if base == "Null":
        wants_absent = str(cond.values[0]).lower() == "true"
        absent = raw is None or (isinstance(raw, list | tuple) and len(raw) == 0)
        return absent if wants_absent else not absent
    negated = base in _NEGATED
    if qualifier == "forallvalues":
        if raw is None:
            return True
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        if not items:
            return True
        return all(_one(base, negated, item, cond.values, context, variables) for item in items)
    if qualifier == "foranyvalue":
        if raw is None:
            return if_exists
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        return any(_one(base, negated, item, cond.values, context, variables) for item in items)
    if not present:
        return if_exists or negated
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    if negated:
        # a multivalued key under a negated single-value operator: no request value may match
        return all(_one(base, True, item, cond.values, context, variables) for item in items)
    return any(_one(base, False, item, cond.values, context, variables) for item in items)


def _one(base: str, negated: bool, item: Any, values: tuple[Any, ...], context: Mapping[str, Any],
         variables: bool) -> bool:
    """One request value against the policy values: any-of for positive, none-of for negated."""
    matcher = _MATCHERS[base]
    hit = False
    for v in values:
        try:
            if matcher(item, v, context, variables):
                hit = True
                break
        except (ValueError, TypeError, InvalidOperation, Unresolved):
            continue  # a value that cannot be compared (bad number, date, CIDR) does not match
    return not hit if negated else hit


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _policy_text(value: Any, context: Mapping[str, Any], variables: bool) -> str:
    text = _text(value)
    if variables and "${" in text:
        return "".join(t for _, t in substitute(text, context, as_pattern=False))
    return text


def _string_equals(item: Any, value: Any, ctx: Mapping[str, Any], variables: bool) -> bool:
    return _text(item) == _policy_text(value, ctx, variables)


def _string_equals_ic(item: Any, value: Any, ctx: Mapping[str, Any], variables: bool) -> bool:
    return _text(item).lower() == _policy_text(value, ctx, variables).lower()


def _string_like(item: Any, value: Any, ctx: Mapping[str, Any], variables: bool) -> bool:
    text = _text(value)
    if variables and "${" in text:
        regex = _arn_regex_any(substitute(text, ctx, as_pattern=True))
        return regex.fullmatch(_text(item)) is not None
    return glob_match(text, _text(item))


def _arn_regex_any(pieces: list[tuple[str, str]]) -> re.Pattern[str]:
    return re.compile("".join(
        (".*" if t == "*" else ".") if k == "wild" else re.escape(t) for k, t in pieces), re.S)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("not a number")
    return Decimal(str(value).strip())


def _numeric(op: Callable[[Decimal, Decimal], bool]) -> Callable[..., bool]:
    return lambda item, value, ctx, variables: op(_number(item), _number(value))


def parse_date(value: Any) -> datetime:
    """ISO 8601 (date, date-time, with or without zone) or epoch seconds, as IAM accepts."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(op: Callable[[datetime, datetime], bool]) -> Callable[..., bool]:
    return lambda item, value, ctx, variables: op(parse_date(item), parse_date(value))


def _bool(item: Any, value: Any, ctx: Mapping[str, Any], variables: bool) -> bool:
    return _text(item).lower() == _text(value).lower()


def _binary(item: Any, value: Any, ctx: Mapping[str, Any], variables: bool) -> bool:
    left = item if isinstance(item, bytes) else base64.b64decode(_text(item), validate=True)
    return left == base64.b64decode(_text(value), validate=True)


def _ip(item: Any, value: Any, ctx: Mapping[str, Any], variables: bool) -> bool:
    address = ipaddress.ip_address(_text(item).strip())
    network = ipaddress.ip_network(_text(value).strip(), strict=False)
    return address.version == network.version and address in network


def _arn(item: Any, value: Any, ctx: Mapping[str, Any], variables: bool) -> bool:
    return arn_matches(_text(value), _text(item), ctx, variables)


_MATCHERS: dict[str, Callable[..., bool]] = {
    "StringEquals": _string_equals,
    "StringNotEquals": _string_equals,
    "StringEqualsIgnoreCase": _string_equals_ic,
    "StringNotEqualsIgnoreCase": _string_equals_ic,
    "StringLike": _string_like,
    "StringNotLike": _string_like,
    "NumericEquals": _numeric(lambda a, b: a == b),
    "NumericNotEquals": _numeric(lambda a, b: a == b),
    "NumericLessThan": _numeric(lambda a, b: a < b),
    "NumericLessThanEquals": _numeric(lambda a, b: a <= b),
    "NumericGreaterThan": _numeric(lambda a, b: a > b),
    "NumericGreaterThanEquals": _numeric(lambda a, b: a >= b),
    "DateEquals": _date(lambda a, b: a == b),
    "DateNotEquals": _date(lambda a, b: a == b),
    "DateLessThan": _date(lambda a, b: a < b),
    "DateLessThanEquals": _date(lambda a, b: a <= b),
    "DateGreaterThan": _date(lambda a, b: a > b),
    "DateGreaterThanEquals": _date(lambda a, b: a >= b),
    "Bool": _bool,
    "BinaryEquals": _binary,
    "IpAddress": _ip,
    "NotIpAddress": _ip,
    "ArnEquals": _arn,
    "ArnLike": _arn,
    "ArnNotEquals": _arn,
    "ArnNotLike": _arn,
}

__all__ = ["evaluate", "evaluate_all", "parse_date", "split_operator"]
