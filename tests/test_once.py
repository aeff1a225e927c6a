"""The thread-safe memoizer: many threads asking for a value at once compute it once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from wasp.once import once


def test_concurrent_first_callers_compute_once() -> None:
    """Eight threads released together get one shared value from a single computation."""
    calls: list[int] = []
    start = threading.Barrier(8)

    @once
    def slow() -> object:
        calls.append(1)
        time.sleep(0.05)
        return object()

    def ask() -> object:
        start.wait()
        return slow()

    with ThreadPoolExecutor(max_workers=8) as pool:
        values = list(pool.map(lambda _: ask(), range(8)))
    assert len(calls) == 1
    assert all(v is values[0] for v in values)


def test_values_are_cached_per_argument() -> None:
    """Different arguments are different entries; a repeated argument is not recomputed."""
    seen: list[str] = []

    @once
    def load(name: str) -> str:
        seen.append(name)
        return name.upper()

    assert [load("a"), load("b"), load("a"), load(name="c"), load(name="c")] == ["A", "B", "A", "C", "C"]
    assert seen == ["a", "b", "c"]
