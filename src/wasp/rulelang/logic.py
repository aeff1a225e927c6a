"""Three-valued logic of rule conditions: PASS (holds), FAIL (does not hold), UNKNOWN (cannot be told).

Unknown is never PASS. The truth tables (docs/rules.md prints them):

* ``not``: PASS -> FAIL, FAIL -> PASS, UNKNOWN -> UNKNOWN.
* ``all``: FAIL if any child FAILs, else UNKNOWN if any child is UNKNOWN, else PASS (empty: PASS).
* ``any``: PASS if any child PASSes, else UNKNOWN if any child is UNKNOWN, else FAIL (empty: FAIL).

A FAIL beside an UNKNOWN in ``all`` is a FAIL: whatever the unknown value is, the conjunction cannot
hold, so the finding is certain (Kleene's strong logic). Each outcome keeps the leaf that decided it
(its ``vars``: path, value, ...) so the message can name the offending value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wasp.model import Status

PASS, FAIL, UNKNOWN = Status.PASS, Status.FAIL, Status.UNKNOWN


@dataclass
class Outcome:
    """A condition's truth value, the variables of the leaf that decided it, and its message."""

    status: Status
    vars: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    explicit: bool = False  # the message comes from a template the rule wrote (not a default description)


def negate(outcome: Outcome) -> Outcome:
    """``not``: swaps PASS and FAIL; UNKNOWN stays UNKNOWN (with the same reason)."""
    if outcome.status is UNKNOWN:
        return outcome
    flipped = FAIL if outcome.status is PASS else PASS
    return Outcome(flipped, outcome.vars, outcome.message, False)


def conjoin(outcomes: Iterable[Outcome]) -> Outcome:
    """``all``: the first FAIL decides; otherwise the first UNKNOWN; otherwise PASS (the last child's vars)."""
    first_unknown: Outcome | None = None
    last: Outcome | None = None
    for o in outcomes:
        if o.status is FAIL:
            return o
        if o.status is UNKNOWN and first_unknown is None:
            first_unknown = o
        last = o
    if first_unknown is not None:
        return first_unknown
    return last if last is not None else Outcome(PASS, {}, "no condition to meet")


def disjoin(outcomes: Iterable[Outcome]) -> Outcome:
    """``any``: the first PASS decides; otherwise the first UNKNOWN; otherwise FAIL (the first child's vars)."""
    first_unknown: Outcome | None = None
    first: Outcome | None = None
    for o in outcomes:
        if o.status is PASS:
            return o
        if o.status is UNKNOWN and first_unknown is None:
            first_unknown = o
        if first is None:
            first = o
    if first_unknown is not None:
        return first_unknown
    return first if first is not None else Outcome(FAIL, {}, "no alternative holds")
