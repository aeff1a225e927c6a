"""The three-valued logic of rule conditions: every cell of the not/all/any truth tables."""

from __future__ import annotations

import itertools

import pytest

from wasp.model import Status
from wasp.rulelang.logic import Outcome, conjoin, disjoin, negate

P, F, U = Status.PASS, Status.FAIL, Status.UNKNOWN
VALUES = (P, F, U)


def _o(status: Status, tag: str = "") -> Outcome:
    return Outcome(status, {"tag": tag}, tag or status.value)


def _all(*statuses: Status) -> Status:
    return conjoin(_o(s) for s in statuses).status


def _any(*statuses: Status) -> Status:
    return disjoin(_o(s) for s in statuses).status


@pytest.mark.parametrize(("given", "expected"), [(P, F), (F, P), (U, U)])
def test_not_truth_table(given, expected):
    """not swaps PASS and FAIL and leaves UNKNOWN unknown."""
    assert negate(_o(given)).status is expected


ALL_TABLE = {(P, P): P, (P, F): F, (P, U): U, (F, P): F, (F, F): F, (F, U): F, (U, P): U, (U, F): F, (U, U): U}
ANY_TABLE = {(P, P): P, (P, F): P, (P, U): P, (F, P): P, (F, F): F, (F, U): U, (U, P): P, (U, F): U, (U, U): U}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(VALUES, VALUES)))
def test_all_and_any_two_operand_tables(a, b):
    """all and any of two operands follow the documented tables (Kleene's strong logic)."""
    assert _all(a, b) is ALL_TABLE[(a, b)]
    assert _any(a, b) is ANY_TABLE[(a, b)]


@pytest.mark.parametrize("values", list(itertools.product(VALUES, repeat=3)))
def test_all_and_any_rules_hold_for_three_operands(values):
    """all: FAIL if any FAIL, else UNKNOWN if any UNKNOWN, else PASS; any is the dual; both match not-duality."""
    expected_all = F if F in values else U if U in values else P
    expected_any = P if P in values else U if U in values else F
    assert _all(*values) is expected_all
    assert _any(*values) is expected_any
    flipped = [negate(_o(v)).status for v in values]
    assert negate(_o(_any(*values))).status is _all(*flipped)  # De Morgan holds in the three-valued logic


def test_unknown_is_never_pass():
    """No combination that contains an UNKNOWN and no PASS-deciding operand comes out PASS."""
    for values in itertools.product(VALUES, repeat=2):
        if U in values and P not in values:
            assert _all(*values) is not P and _any(*values) is not P


def test_deciding_operand_is_kept_for_the_message():
    """The outcome keeps the operand that decided it: the first FAIL of all, the first PASS of any."""
    out = conjoin([_o(P, "a"), _o(U, "b"), _o(F, "c"), _o(F, "d")])
    assert out.status is F and out.vars["tag"] == "c"
    out = disjoin([_o(F, "a"), _o(U, "b"), _o(P, "c")])
    assert out.status is P and out.vars["tag"] == "c"
    out = conjoin([_o(P, "a"), _o(U, "b")])
    assert out.status is U and out.vars["tag"] == "b"


def test_empty_lists():
    """An empty all holds (nothing to meet); an empty any does not (no alternative)."""
    assert conjoin([]).status is P and disjoin([]).status is F
