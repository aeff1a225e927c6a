"""A memoizing decorator that computes each value once even when many threads ask at the same time.

``functools.cache`` lets concurrent first callers each compute the value: an organization scan runs
several accounts at once, and every one of them built the IAM action catalog (seconds of CPU) again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def once(func: F) -> F:
    """Cache by arguments; the first caller computes under a lock, the others wait for it."""
    results: dict[Hashable, Any] = {}
    lock = threading.RLock()

    @wraps(func)
    def wrapper(*args: Hashable, **kwargs: Hashable) -> Any:
        key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        try:
            return results[key]
        except KeyError:
            pass
        with lock:
            if key not in results:
                results[key] = func(*args, **kwargs)
            return results[key]

    return cast(F, wrapper)
