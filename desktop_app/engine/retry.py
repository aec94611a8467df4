"""Retries for the submitter: the backoff policy, the request gate, and retrying whole reads.

Two levels, one policy:

* every HTTP request the submitter's connector calls make passes ``Gate`` (installed per thread
  through ``platforms.http.REQUEST_GATE``): the rate limiter before it, 429 feedback after it,
  and this module's backoff for the HTTP client's own waits (429s; 5xx and resets on reads);
* ``retrying(fn)`` re-runs a whole idempotent connector call — a read, or a set-style write —
  when it still failed transiently (429s exhausted, 5xx, timeouts, resets).

A write that may have been applied (``AmbiguousWriteError``) is never resent blindly here: the
submitter decides (``engine.chunks``). A 4xx that names a row's problem never reaches this
module — it comes back as a failed ``ChangeOutcome``.
"""
from __future__ import annotations

import random
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

from desktop_app.core.errors import (
    AmbiguousWriteError, AuthError, CancelledError, PlatformError, ProtocolError, RateLimitedError, UnreachableError,
)
from desktop_app.core.progress import CancelToken
from desktop_app.engine.limiter import RateLimiter, Unlimited
from desktop_app.platforms.http import REQUEST_GATE

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff with full jitter: attempt n waits U(0, min(cap, base·2ⁿ)),
    never less than ``floor``; a ``Retry-After`` is honoured up to ``max_retry_after``."""

    base: float = 0.25
    cap: float = 8.0
    floor: float = 0.01
    attempts: int = 8                  # tries of one call before giving up (the run stops, resumable)
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.cap, self.base * 2 ** attempt)
        return max(self.floor, self.rng.uniform(0, ceiling))


def is_transient(exc: BaseException, *, write: bool = False) -> bool:
    """Worth another try later: 429s, 5xx, no answer. Not: refused token, gibberish, row errors."""
    if isinstance(exc, (AuthError, ProtocolError, CancelledError)):
        return False
    if isinstance(exc, AmbiguousWriteError):
        return not write                # a read without an answer is simply read again
    if isinstance(exc, (RateLimitedError, UnreachableError)):
        return True
    return isinstance(exc, PlatformError) and exc.status is not None and exc.status >= 500


#: server errors (5xx) answered in a row, by any request of a run, before the run gives up on the
#: store; and the longest wait between them (a store that keeps failing is told in seconds, not minutes)
SERVER_ERRORS_IN_A_ROW = 10
SERVER_ERROR_WAIT_CAP = 2.0


class Gate:
    """``platforms.http.RequestGate`` for one run: limiter, backoff, cancel token, counters.

    A store that answers ``SERVER_ERRORS_IN_A_ROW`` requests in a row with a server error is
    given up on: the next wait or send raises ``UnreachableError`` saying so (``failing``)."""

    def __init__(self, *, limiter: RateLimiter | Unlimited, backoff: Backoff, cancel: CancelToken) -> None:
        self.limiter = limiter
        self.policy = backoff
        self.cancel = cancel
        self.transient_retries = backoff.attempts   # a read can always be repeated
        self.requests = 0
        self.writes = 0
        self.rate_limited = 0
        self.server_errors = 0          # answered in a row; any other answer resets it
        self.last_status = 0
        self._local = threading.local()
        self._lock = threading.Lock()

    # the RequestGate protocol ---------------------------------------------------------------
    def before_send(self, *, write: bool) -> None:
        self.give_up_if_failing()
        if not self.limiter.acquire(self.cancel):
            raise CancelledError("The run was cancelled.")
        with self._lock:
            self.requests += 1
            self.writes += write
        self._local.writes = getattr(self._local, "writes", 0) + write
        self._local.requests = getattr(self._local, "requests", 0) + 1

    def after_response(self, status: int, retry_after: float | None) -> None:
        with self._lock:
            self.server_errors = self.server_errors + 1 if status >= 500 else 0
            self.last_status = status
        if status == 429:
            with self._lock:
                self.rate_limited += 1
            self.limiter.throttled(retry_after)

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        self.give_up_if_failing()
        delay = self.policy.delay(attempt, retry_after)
        return min(delay, SERVER_ERROR_WAIT_CAP) if self.server_errors else delay

    def failing(self) -> str | None:
        """Why the run gives up on the store, once it answered too many server errors in a row."""
        if self.server_errors < SERVER_ERRORS_IN_A_ROW:
            return None
        return (f"The store answered {self.server_errors} requests in a row with a server error (HTTP "
                f"{self.last_status}), so Stocksheet stopped trying. The store may be down: try again later "
                "(a run that was writing can be finished with `stocksheet resume RUN_ID`).")

    def give_up_if_failing(self) -> None:
        reason = self.failing()
        if reason is not None:
            raise UnreachableError(reason, status=self.last_status)

    # per-thread bookkeeping -------------------------------------------------------------------
    def writes_on_this_thread(self) -> int:
        """Write requests sent by the calling thread so far (did a cancelled call send anything?)."""
        return getattr(self._local, "writes", 0)

    def requests_on_this_thread(self) -> int:
        return getattr(self._local, "requests", 0)

    def add_requests(self, n: int) -> None:
        """Count requests another gate made for this run (a read-back after a cancel)."""
        with self._lock:
            self.requests += n

    @contextmanager
    def installed(self) -> Iterator["Gate"]:
        token = REQUEST_GATE.set(self)
        try:
            yield self
        finally:
            REQUEST_GATE.reset(token)

    def wait(self, seconds: float) -> None:
        if self.cancel.wait(seconds):
            raise CancelledError("The run was cancelled.")


def retrying(fn: Callable[[], T], *, gate: Gate, write: bool = False,
             on_retry: Callable[[BaseException, int], None] | None = None) -> T:
    """Call ``fn`` under ``gate``; on a transient failure wait (cancellable) and call it again,
    up to ``gate.policy.attempts`` times. The last failure is raised as is."""
    attempt = 0
    while True:
        try:
            with gate.installed():
                return fn()
        except Exception as exc:
            attempt += 1
            reason = gate.failing()
            if reason is not None and not isinstance(exc, CancelledError):
                raise UnreachableError(reason, status=gate.last_status) from exc
            if not is_transient(exc, write=write) or attempt >= gate.policy.attempts:
                raise
            if on_retry is not None:
                on_retry(exc, attempt)
            retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
            gate.wait(gate.policy.delay(attempt, retry_after))


def patiently(fn: Callable[[], T], *, cancel: CancelToken | None = None) -> T:
    """A read outside a run (preview, export, catalogue): no client-side pacing, but the run's
    patience — the HTTP client's waits use the run's backoff, and a read that still failed
    transiently (5xx, reset, 429s) is read again, up to ``Backoff.attempts`` times."""
    gate = Gate(limiter=Unlimited(), backoff=Backoff(), cancel=cancel or CancelToken())
    return retrying(fn, gate=gate)
