"""A token bucket per key: ``per_minute`` requests a minute, bursts up to the same number."""

from __future__ import annotations

import math
import threading
import time

from assistant.errors import RateLimitedError


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise RateLimitedError(
                    "Quá nhiều yêu cầu trong một phút với khóa này.",
                    retry_after=wait,
                    hint=f"Hãy thử lại sau {wait} giây.",
                )
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # forget idle callers
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}
