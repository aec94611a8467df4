"""Backoff and the retry rules: transient failures are retried, row problems and unknown writes never."""
from __future__ import annotations

import random

import pytest

from desktop_app.core.errors import (
    AmbiguousWriteError, AuthError, CancelledError, PlatformError, RateLimitedError, UnreachableError,
)
from desktop_app.core.progress import CancelToken
from desktop_app.engine.limiter import Unlimited
from desktop_app.engine.retry import Backoff, Gate, is_transient, retrying
from desktop_app.platforms.http import REQUEST_GATE


def test_backoff_grows_exponentially_up_to_the_cap_with_jitter_below_it():
    policy = Backoff(base=0.5, cap=4.0, floor=0.0, rng=random.Random(3))
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (9, 4.0)]:
        delays = [policy.delay(attempt) for _ in range(200)]
        assert max(delays) <= ceiling and min(delays) < ceiling / 2 < max(delays)


def test_backoff_honours_retry_after_up_to_its_limit():
    policy = Backoff(max_retry_after=30)
    assert policy.delay(0, retry_after=7.0) == 7.0
    assert policy.delay(0, retry_after=600.0) == 30


@pytest.mark.parametrize("exc, write, expected", [
    (RateLimitedError("429"), True, True),
    (PlatformError("503", status=503), False, True),
    (UnreachableError("reset"), False, True),
    (AmbiguousWriteError("no answer"), True, False),     # resending could apply it twice
    (AuthError("401", status=401), False, False),
    (PlatformError("422 row problem", status=422), True, False),
])
def test_what_counts_as_transient(exc, write, expected):
    assert is_transient(exc, write=write) is expected


def _gate(attempts: int = 5, cancel: CancelToken | None = None) -> Gate:
    return Gate(limiter=Unlimited(), backoff=Backoff(base=0.001, cap=0.002, floor=0.0, attempts=attempts),
                cancel=cancel or CancelToken())


def test_retrying_calls_again_after_transient_failures_with_the_gate_installed():
    failures = [PlatformError("500", status=500), RateLimitedError("429")]
    seen = []

    def call():
        seen.append(REQUEST_GATE.get())
        if failures:
            raise failures.pop(0)
        return "ok"

    gate = _gate()
    assert retrying(call, gate=gate) == "ok"
    assert seen == [gate, gate, gate]
    assert REQUEST_GATE.get() is None


def test_retrying_gives_up_after_the_attempts_and_raises_the_last_failure():
    calls = []

    def call():
        calls.append(1)
        raise UnreachableError("down")

    with pytest.raises(UnreachableError):
        retrying(call, gate=_gate(attempts=3))
    assert len(calls) == 3


def test_retrying_never_repeats_a_refused_token():
    calls = []

    def call():
        calls.append(1)
        raise AuthError("no", status=401)

    with pytest.raises(AuthError):
        retrying(call, gate=_gate())
    assert len(calls) == 1


def test_a_cancel_during_the_backoff_wait_stops_the_retries():
    cancel = CancelToken()

    def call():
        cancel.cancel()
        raise PlatformError("503", status=503)

    with pytest.raises(CancelledError):
        retrying(call, gate=_gate(cancel=cancel))
