"""The one way the window runs long work: a plain, Qt-free callable off the main thread.

A job is ``fn(progress=callback, cancel=token) -> result`` (the engine's shape). ``JobRunner``
runs it in a worker thread and emits, always on the main thread:

* ``progressed(Progress)`` — coalesced: however fast the job reports, the event loop gets at most
  one pending progress event, carrying the latest report;
* ``slowed()`` — once, when the job has been running for ``SLOW_AFTER_MS`` (the moment to show
  progress UI: fast work never flashes a progress bar);
* ``finished(result)``, ``cancelled()`` or ``failed(exception)`` — exactly one of them, last.

The job never touches a widget or a model; its result is marshalled back through a queued
signal. ``cancel()`` sets the job's CancelToken; the job stops at its next check.

Garbage collection: a 100,000-row preview is a few million objects, and every full collection
of Python's cyclic GC walks them all while holding the GIL — 120-150 ms during which the event
loop cannot run (measured by bench/ui_stall.py). The runner therefore moves everything alive
into the GC's permanent generation (``gc.freeze()``) when a job starts and when its result
arrives: those objects are still freed by reference counting when the window drops them, but
full collections no longer rescan them. While a job runs, full collections are also held back
(``gc.set_threshold`` with a huge third threshold; young collections go on): a job builds its
own hundreds of thousands of objects (a submit's journal entries and outcomes), and a full
collection started in the worker holds the GIL as long — 150-400 ms measured during a submit of
5,000 changes. The thresholds are restored when the job ends.

The GIL: a job is pure Python and holds the GIL; every Qt call the window makes releases it and
takes it back, and taking it back from a busy worker waits for the worker's switch interval
(5 ms by default). A slot making twenty Qt calls (a progress update, a repaint of the table)
then waits 100 ms: the event loop stalled 390-500 ms during a 100k-row re-check while the
worker only ran bytecode (bench/ui_stall.py). While a job runs the interval is therefore
``JOB_SWITCH_INTERVAL`` (1 ms), and restored when it ends.
"""
from __future__ import annotations

import gc
import logging
import sys
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_app.core.errors import CancelledError
from desktop_app.core.progress import CancelToken, Progress

log = logging.getLogger(__name__)

SLOW_AFTER_MS = 600
#: the third GC threshold while a job runs: full collections wait for the job to end
_NO_FULL_COLLECTIONS = 1_000_000
#: seconds a busy worker keeps the GIL before the window's thread gets it back, while a job runs
JOB_SWITCH_INTERVAL = 0.001

Job = Callable[..., Any]


class _Bridge(QObject):
    """Lives in the main thread; the worker emits on it, Qt queues the calls across threads."""

    progress_ready = Signal()
    done = Signal(object, object)   # (result, exception)


class JobRunner(QObject):
    progressed = Signal(object)      # Progress
    slowed = Signal()
    finished = Signal(object)        # the job's return value
    cancelled = Signal()
    failed = Signal(object)          # the exception; gui.errors turns it into a sentence

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = _Bridge(self)
        self._bridge.progress_ready.connect(self._on_bridge_progress_ready)
        self._bridge.done.connect(self._on_bridge_done)
        self._slow_timer = QTimer(self)
        self._slow_timer.setSingleShot(True)
        self._slow_timer.setInterval(SLOW_AFTER_MS)
        self._slow_timer.timeout.connect(self.slowed)
        self._lock = threading.Lock()
        self._latest: Progress | None = None
        self._thread: threading.Thread | None = None
        self._token: CancelToken | None = None
        self._thresholds: tuple[int, ...] | None = None
        self._switch_interval: float | None = None
        self.name = ""

    # -- public -------------------------------------------------------------------------------
    def start(self, fn: Job, *, name: str = "job") -> None:
        """Run ``fn(progress=…, cancel=…)`` in the background. One job at a time per runner."""
        if self.is_running():
            raise RuntimeError(f"{self.name} is still running")
        self.name = name
        token = CancelToken()
        self._token = token
        self._latest = None
        bridge = self._bridge

        def report(p: Progress) -> None:
            with self._lock:
                pending = self._latest is not None
                self._latest = p
            if not pending:
                bridge.progress_ready.emit()

        def work() -> None:
            try:
                result = fn(progress=report, cancel=token)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread, never lost
                bridge.done.emit(None, exc)
            else:
                bridge.done.emit(result, None)

        gc.freeze()
        self._thresholds = gc.get_threshold()
        gc.set_threshold(self._thresholds[0], self._thresholds[1], _NO_FULL_COLLECTIONS)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, JOB_SWITCH_INTERVAL))
        self._thread = threading.Thread(target=work, name=f"stocksheet-{name}", daemon=True)
        self._slow_timer.start()
        self._thread.start()

    def cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()

    def is_running(self) -> bool:
        return self._thread is not None

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until the worker thread has ended (shutdown and tests). True when it has."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # -- main thread --------------------------------------------------------------------------
    @Slot()
    def _on_bridge_progress_ready(self) -> None:
        with self._lock:
            p, self._latest = self._latest, None
        if p is not None and self._thread is not None:
            self.progressed.emit(p)

    @Slot(object, object)
    def _on_bridge_done(self, result: object, exc: object) -> None:
        self._slow_timer.stop()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(5)  # it has already emitted its last signal: this returns at once
        token, self._token = self._token, None
        gc.freeze()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        if isinstance(exc, CancelledError) or (exc is None and token is not None and token.cancelled
                                               and result is None):
            self.cancelled.emit()
        elif exc is not None:
            if not isinstance(exc, Exception):
                raise exc  # KeyboardInterrupt/SystemExit belong to the main thread
            self.failed.emit(exc)
        else:
            self.finished.emit(result)
