"""The client-side limiter grants the platform's bucket shape and falls in step with a 429."""
from __future__ import annotations

import threading

from desktop_app.core.progress import CancelToken
from desktop_app.engine.limiter import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_limiter_grants_the_burst_then_one_request_per_refill_interval():
    clock = Clock()
    limiter = RateLimiter(burst=5, per_second=2.0, headroom=0.0, clock=clock)
    assert [limiter.try_acquire() for _ in range(5)] == [0.0] * 5
    assert limiter.try_acquire() == 0.5            # the sixth waits for the next token
    clock.now += 0.5
    assert limiter.try_acquire() == 0.0
    clock.now += 10                                # a long idle refills to the burst, not beyond
    assert sum(limiter.try_acquire() == 0.0 for _ in range(8)) == 5


def test_headroom_refills_slightly_slower_than_the_store_allows():
    clock = Clock()
    limiter = RateLimiter(burst=1, per_second=10.0, headroom=0.02, clock=clock)
    limiter.try_acquire()
    clock.now += 0.1
    assert limiter.try_acquire() > 0               # 98% of 10/s: not yet a whole token after 0.1 s
    clock.now += 0.0021
    assert limiter.try_acquire() == 0.0


def test_a_429_empties_the_bucket_and_retry_after_holds_every_sender():
    clock = Clock()
    limiter = RateLimiter(burst=10, per_second=1.0, headroom=0.0, clock=clock)
    limiter.throttled(retry_after=3.0)
    assert limiter.try_acquire() == 3.0
    clock.now += 3.0                               # the store refilled meanwhile, and so did we
    assert [limiter.try_acquire() for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert limiter.throttles == 1


def test_a_cancel_ends_a_wait_for_a_token_at_once():
    limiter = RateLimiter(burst=1, per_second=0.001)
    limiter.try_acquire()
    cancel = CancelToken()
    result: list[bool] = []
    worker = threading.Thread(target=lambda: result.append(limiter.acquire(cancel)))
    worker.start()
    cancel.cancel()
    worker.join(timeout=5)
    assert result == [False]


def test_allowed_counts_the_burst_plus_the_refill():
    limiter = RateLimiter(burst=40, per_second=50.0)
    assert limiter.allowed(2.0) == 140
