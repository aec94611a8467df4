"""Progress reports and cancellation, shared by every long job (Qt-free, thread-safe).

A long job is a plain function ``run(..., progress=callback, cancel=token)``: it calls
``progress(Progress(...))`` now and then and polls ``cancel.cancelled`` between units of work.
"""
from __future__ import annotations

import threading
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
