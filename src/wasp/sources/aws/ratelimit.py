"""A per-account, per-service request budget, so an organization scan cannot starve production of quota.

Token buckets keyed by (account, service): each API call waits for a token. Botocore's adaptive retry
mode still backs off on throttling on top of this ceiling.
"""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, per_second: float, burst: int | None = None) -> None:
        if per_second <= 0:
            raise ValueError("rate must be positive")
        self.rate = per_second
        self.burst = burst or max(1, int(per_second))
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()
        self.waited = 0.0

    def acquire(self, account: str, service: str) -> None:
        key = (account, service)
        while True:
            with self._lock:
                now = time.monotonic()
                tokens, stamp = self._buckets.get(key, (float(self.burst), now))
                tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
                if tokens >= 1.0:
                    self._buckets[key] = (tokens - 1.0, now)
                    return
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
                self.waited += wait
            time.sleep(wait)
