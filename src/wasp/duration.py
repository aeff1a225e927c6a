"""One duration syntax for the whole tool: ``30s``, ``30m``, ``12h``, ``14d``, ``2w``.

Command-line options (through the click types in ``wasp.cli.options``), ``--since`` windows and the
``window:``/``within:`` keys of trail rule files all read durations here, so ``m`` means minutes
everywhere (it once meant 30-day months under ``wasp iam generate``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
SYNTAX = "a number and a unit: s, m (minutes), h, d or w, e.g. 30m, 12h, 14d, 2w"


def parse_duration(text: str | int) -> timedelta:
    """``'10m'`` -> 10 minutes; an int is seconds (rule files may say ``window: 600``). ValueError if neither."""
    if isinstance(text, int) and not isinstance(text, bool):
        return timedelta(seconds=text)
    m = _DURATION.match(str(text).strip().lower())
    if not m:
        raise ValueError(f"bad duration {text!r}: use {SYNTAX}")
    return timedelta(seconds=int(m.group(1)) * UNITS[m.group(2)])


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """A duration before ``now`` or an ISO date/time (naive times are UTC); an aware UTC datetime."""
    now = now or datetime.now(UTC)
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r}: use a duration ({SYNTAX}) or an ISO date/time (2024-03-01T12:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
