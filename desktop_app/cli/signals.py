"""Ctrl+C (and SIGTERM) without locks: the first press asks the job to stop, a second aborts at once.

A Python signal handler runs on the main thread between two bytecodes — possibly while that
thread holds a lock (an ``Event``'s, the logging module's, a buffered stream's). A handler that
sets an ``Event`` can then wait forever for a lock its own thread holds: the deadlock a real
import once hit. So the handler here takes no lock and calls nothing that does: the interpreter's
C-level handler writes the signal's number to a socket (``signal.set_wakeup_fd``), and a watcher
thread reading that socket calls ``on_first`` from outside the interrupted thread. The Python
handler only counts presses; on the second it raises ``KeyboardInterrupt``, which aborts the
command at once (the journal keeps the run resumable: ``cli.main`` says so).
"""
from __future__ import annotations

import signal
import socket
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

_STOP = b"\0"     # no signal has number 0: the watcher's own "we are done"


@contextmanager
def stop_on_signals(on_first: Callable[[], None], *, signals: tuple[int, ...] = (signal.SIGINT,),
                    ) -> Iterator[None]:
    """While the block runs, the first of ``signals`` calls ``on_first()`` (from a watcher thread);
    a second raises KeyboardInterrupt in the main thread. Off the main thread (where handlers
    cannot be installed) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    presses = [0]
    called: list[bool] = []

    def handler(signum: int, frame: object) -> None:   # no locks, no I/O: the watcher does the work
        presses[0] += 1
        if presses[0] > 1:
            raise KeyboardInterrupt

    def watch() -> None:
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data or _STOP in data:
                return
            if any(b in signals for b in data) and not called:
                called.append(True)
                on_first()

    previous = {s: signal.signal(s, handler) for s in signals}
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="signal-watcher", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        for s, h in previous.items():
            signal.signal(s, h)
        try:
            writer.send(_STOP)
        except OSError:
            pass
        watcher.join(timeout=5)
        writer.close()
        reader.close()
