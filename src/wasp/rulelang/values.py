"""Reading values out of a resource by path, and the coercions rule operators apply to them.

A path is dotted: ``VersioningConfiguration.Status`` reads ``Resource.properties``; the first segment
``tags``, ``observed`` or ``resource`` reads the resource's tags, live-only facts or its own fields
(``resource.account``). Digits index lists. A path that meets an ``Unknown`` yields that ``Unknown``;
a path that meets nothing yields ``MISSING`` (the setting is not configured).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from wasp.model import Resource, Unknown, dig

ROOTS = ("tags", "observed", "resource")
RESOURCE_FIELDS = ("id", "name", "arn", "account", "region", "type")


class _Missing:
    """Nothing at the path (absent or null): falsy, and distinct from every real value."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def absent(value: Any) -> bool:
    return value is MISSING or value is None


def walk(current: Any, parts: list[str]) -> Any:
    """model.dig's walk (an Unknown on the way is the answer), with MISSING for a path that is not there."""
    return dig(current, ".".join(parts), MISSING) if parts else current


def resolve(resource: Resource, path: str) -> Any:
    """The value at ``path`` on the resource (see the module docstring)."""
    parts = path.split(".") if path else []
    head = parts[0] if parts else ""
    if head == "tags":
        unread = resource.observed.get("Tags")
        if len(parts) > 1 and parts[1] in resource.tags:
            return walk(resource.tags, parts[1:])
        if isinstance(unread, Unknown):  # an unreadable tag set is not an empty one
            return unread
        return walk(resource.tags, parts[1:])
    if head == "observed":
        return walk(resource.observed, parts[1:])
    if head == "resource":
        if len(parts) == 2 and parts[1] in RESOURCE_FIELDS:
            return getattr(resource, parts[1]) or MISSING
        return MISSING
    return walk(resource.properties, parts)


def as_bool(value: Any) -> bool | None:
    """CloudFormation writes booleans as true/"true"; None when the value is not a boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def truthy(value: Any) -> bool:
    flag = as_bool(value)
    if flag is not None:
        return flag
    return not absent(value) and bool(value)


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def same(value: Any, expected: Any) -> bool:
    """Equality as a template author means it: "true" equals true, "7" equals 7, null equals absent."""
    if expected is None:
        return absent(value)
    if absent(value) or isinstance(value, Unknown):
        return False
    if isinstance(expected, bool):
        return as_bool(value) is expected
    if isinstance(expected, int | float):
        number = as_number(value)
        return number is not None and number == float(expected)
    if isinstance(expected, str) and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value) == expected
    return bool(value == expected)


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def when(spec: Any, now: datetime, number: Any) -> datetime | None:
    """A date operand: "now", an ISO date, {days_from_now: N} or {days_ago: N} (N may name a setting)."""
    if spec == "now":
        return now
    if isinstance(spec, Mapping):
        if "days_from_now" in spec:
            return now + timedelta(days=float(number(spec["days_from_now"])))
        if "days_ago" in spec:
            return now - timedelta(days=float(number(spec["days_ago"])))
    return as_datetime(spec)


def show(value: Any) -> str:
    """A value as a reason shows it: true/false, dates as days, lists comma-separated."""
    if absent(value):
        return ""
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, default=str, separators=(",", ":"))
    return str(value)
