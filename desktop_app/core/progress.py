"""Progress reports and cancellation, shared by every long job (Qt-free, thread-safe).

A long job is a plain function ``run(..., progress=callback, cancel=token)``: it calls
``progress(Progress(...))`` now and then and polls ``cancel.cancelled`` between units of work.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, slots=True)
class Progress:
    stage: str                      # "read", "validate", "fetch", "diff", "submit", ...
    done: int
    total: int
    rate: float | None = None       # units (requests) per second, when meaningful
    eta_seconds: float | None = None
    chunk: int | None = None        # current chunk index (submit)
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    return None


class CancelToken:
    """Set from any thread; polled by the worker between units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True early if cancelled (used by backoff waits)."""
        return self._event.wait(seconds)


class SmoothedEta:
    """Time left from the *measured* rate, smoothed: an exponentially weighted rate of done units
    per second over the samples seen (``half_life`` seconds), no estimate before ``warmup``
    seconds or a few units — never the first seconds' burst extrapolated to the whole run."""

    def __init__(self, *, half_life: float = 10.0, warmup: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self._half_life, self._warmup, self._clock = half_life, warmup, clock
        self._start: float | None = None
        self._last: tuple[float, int] | None = None
        self._rate: float | None = None

    def update(self, done: int, total: int) -> float | None:
        now = self._clock()
        if self._start is None or self._last is None or done < self._last[1]:
            self._start, self._last, self._rate = now, (now, done), None
            return None
        t0, d0 = self._last
        dt = now - t0
        if dt <= 0:
            return self.eta(done, total)
        if dt >= 0.25 or done - d0 >= 5:
            sample = (done - d0) / dt
            weight = 1 - 0.5 ** (dt / self._half_life)
            self._rate = sample if self._rate is None else self._rate + weight * (sample - self._rate)
            self._last = (now, done)
        return self.eta(done, total)

    def eta(self, done: int, total: int) -> float | None:
        if self._start is None or self._rate is None or self._rate <= 0:
            return None
        if self._clock() - self._start < self._warmup:
            return None
        return max(0.0, (total - done) / self._rate)
