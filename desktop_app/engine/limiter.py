"""The client-side rate limiter: a token bucket shaped like the platform's own, kept in step with it.

A store that allows a bucket of ``burst`` requests refilled at ``per_second`` accepts at most
``burst + per_second × t`` requests in any ``t`` seconds. The limiter grants exactly that shape,
minus a small ``headroom`` on the refill so the store's bucket slowly gains slack against network
jitter (a request sent on time may arrive early relative to the one before it). When the store
answers 429 anyway — another app shares the allowance, or the bucket was drained just before
the run — ``throttled`` empties our bucket (the store's is empty) and, with ``Retry-After``,
holds every sender until then.

Thread-safe; waits go through ``CancelToken.wait`` so a cancel ends them at once.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from desktop_app.core.progress import CancelToken


class RateLimiter:
    def __init__(self, *, burst: int, per_second: float, headroom: float = 0.02,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if burst < 1 or per_second <= 0:
            raise ValueError("a rate limit needs a burst of at least 1 and a positive refill rate")
        self.burst = burst
        self.per_second = per_second
        self.refill = per_second * (1 - headroom)
        self.granted = 0
        self.throttles = 0
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._hold_until = 0.0
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """Take a token if one is there (returns 0.0); else the seconds until one will be."""
        with self._lock:
            now = self._clock()
            if now < self._hold_until:
                return self._hold_until - now
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.refill)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                self.granted += 1
                return 0.0
            return (1 - self._tokens) / self.refill

    def acquire(self, cancel: CancelToken | None = None) -> bool:
        """Block until a request may be sent; False if cancelled while waiting."""
        while True:
            wait = self.try_acquire()
            if wait <= 0:
                return True
            if cancel is not None:
                if cancel.wait(wait):
                    return False
            else:
                time.sleep(wait)

    def throttled(self, retry_after: float | None = None) -> None:
        """The store answered 429: its bucket is empty, so is ours; honour ``Retry-After``."""
        with self._lock:
            now = self._clock()
            self.throttles += 1
            self._tokens = min(self._tokens, 0.0)
            self._last = now
            if retry_after is not None and retry_after > 0:
                self._hold_until = max(self._hold_until, now + retry_after)

    def allowed(self, seconds: float) -> float:
        """Requests the platform's documented bucket accepts in ``seconds`` from full."""
        return self.burst + self.per_second * seconds


class Unlimited:
    """The limiter for a store without a limit (``sandbox --rate none``)."""

    burst = 0
    per_second = float("inf")
    granted = 0
    throttles = 0

    def try_acquire(self) -> float:
        return 0.0

    def acquire(self, cancel: CancelToken | None = None) -> bool:
        return not (cancel is not None and cancel.cancelled)

    def throttled(self, retry_after: float | None = None) -> None:
        self.throttles += 1

    def allowed(self, seconds: float) -> float:
        return float("inf")
