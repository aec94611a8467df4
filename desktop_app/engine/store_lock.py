"""One writing run per store at a time: a lock in the journal, tied to the store's identity.

    with store_lock(journal, platform=caps.platform, url=connector.url, what="import of stock.csv",
                    wait=0.0, progress=progress, cancel=cancel) as lock:
        run_id = journal.start_run(...)
        lock.attach(run_id)            # a second run's refusal now names it
        ...                            # write

Two runs writing to one store at once (two windows, a window and a cron job) each re-read a
level, each write what is missing, and the store ends with the change twice. The lock is a row
of the journal's ``store_locks`` table — one SQLite file per ``STOCKSHEET_HOME``, shared by
every Stocksheet process that uses it — keyed by ``store_key(platform, url[, account])``.

A second run waits up to ``wait`` seconds (None: as long as it takes; ``progress`` says whom
it waits for, ``cancel`` ends the wait) and is then refused with ``StoreBusyError``, naming the
other run: "Another Stocksheet run (run 20261201-140312-abc123, import of stock.csv, process
4242, started 14:03) is writing to this store; wait for it to finish or stop it."

A holder that died does not keep the store. Its row records the host, the pid and the process'
start time (a pid the system has since given to another program does not count); a process
gone, or a zombie, is dead (``engine.processes``; ``process_start`` and ``process_alive`` are
importable from here too). Its heartbeat, refreshed every ``heartbeat_seconds``, is the one sign
of life that can be judged from another host (or a container with pids of its own): such a row
is stale ``STALE_AFTER`` seconds after its last beat. A dead holder's row is replaced in
the transaction that found it dead, so two runs cannot both take it over.

Within one process the lock is re-entrant for the thread that holds it (a run nested in its
command's lock), and held against every other thread as against another process (two windows
of one app run on two threads).

    StoreBusyError(InputError)     the store is held by another live run
    journal.JournalError           the lock could not be recorded (a full disk)
    CancelledError                 cancelled while waiting
"""
from __future__ import annotations

import logging
import math
import os
import secrets
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from desktop_app.core.errors import CancelledError, InputError
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from desktop_app.engine.journal import Journal, JournalError
from desktop_app.engine.processes import own_start, process_alive, process_start

log = logging.getLogger(__name__)

#: how often a holder refreshes its heartbeat, and when a silent holder on another host is dead
HEARTBEAT_SECONDS = 10.0
STALE_AFTER = 120.0
#: how often a waiting run looks again
POLL_SECONDS = 0.25

_HOST = socket.gethostname()


class StoreBusyError(InputError):
    """Another live run holds the store; ``holder`` says which."""

    def __init__(self, holder: Holder, *, waited: float | None = None) -> None:
        if waited:
            message = (f"Another Stocksheet run ({holder.describe()}) is still writing to this store after "
                       f"{_duration(waited)} of waiting; wait for it to finish or stop it.")
        else:
            message = (f"Another Stocksheet run ({holder.describe()}) is writing to this store; wait for it to "
                       "finish or stop it.")
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True, slots=True)
class Holder:
    """The run holding a store, as its lock row has it."""

    store: str
    token: str
    run_id: str | None
    what: str                      # "import of stock.csv", "undo of run …"
    host: str
    pid: int
    pid_started: str               # process_start(pid) when it took the lock ("" unknown)
    acquired: float                # epoch seconds
    heartbeat: float

    def describe(self) -> str:
        parts = [f"run {self.run_id}"] if self.run_id else []
        if self.what:
            parts.append(self.what)
        parts.append(f"process {self.pid}" + ("" if self.host == _HOST else f" on {self.host}"))
        parts.append(f"started {_clock(self.acquired)}")
        return ", ".join(parts)


def store_identity(connector: Any) -> str:
    """What a store's runs belong to: the connector's ``identity`` when it has one (the demo
    store, whose port changes at every launch), else its URL."""
    return getattr(connector, "identity", None) or connector.url


def store_key(platform: str, url: str, account: str | None = None) -> str:
    """The store's identity: the platform and its URL without case, scheme, default port,
    ``www.``, trailing slash, query or credentials (and the account, where one URL serves many)."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    key = f"{platform.strip().lower()}|{netloc}{parts.path.rstrip('/')}"
    return key if account is None else f"{key}|{account}"


# ---- the lock ---------------------------------------------------------------------------------
@dataclass(eq=False)
class _Held:
    """A lock this process holds: which thread, how deeply nested, its heartbeat."""

    token: str
    thread: int
    depth: int = 1
    stop: threading.Event = field(default_factory=threading.Event)
    beat: threading.Event = field(default_factory=threading.Event)
    beating: threading.Thread | None = None


_REGISTRY = threading.Lock()
_HELD: dict[str, _Held] = {}             # by token: the locks of this process


class StoreLock:
    """``with StoreLock(...)`` (or ``store_lock(...)``) holds one store for one run."""

    def __init__(self, journal: Journal, *, platform: str, url: str, what: str = "", run_id: str | None = None,
                 account: str | None = None, wait: float | None = 0.0, poll: float = POLL_SECONDS,
                 progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.journal = journal
        self.key = store_key(platform, url, account)
        self.what = what
        self.run_id = run_id
        self.wait = wait
        self.poll = max(0.001, poll)
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.heartbeat_seconds = heartbeat_seconds
        self.token = ""
        self.waited = False        # another run held the store first: what was read before is old now
        self._held: _Held | None = None

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    @property
    def beat_event(self) -> threading.Event:
        """Set after each heartbeat recorded (clear it to wait for the next one)."""
        assert self._held is not None, "the lock is not held"
        return self._held.beat

    # ---- taking and giving back -----------------------------------------------------------------
    def acquire(self) -> StoreLock:
        started = time.monotonic()
        deadline = None if self.wait is None else started + max(0.0, self.wait)
        told: str | None = None
        while True:
            holder = self._try()
            if holder is None:
                return self
            self.waited = True
            if self.cancel.cancelled:
                raise CancelledError("The run was cancelled while it waited for another Stocksheet run to finish "
                                     "writing to this store.")
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise StoreBusyError(holder, waited=time.monotonic() - started if self.wait else None)
            if told != holder.token:
                told = holder.token
                self.progress(Progress(stage="lock", done=0, total=0, message=(
                    f"Waiting for another Stocksheet run ({holder.describe()}) to finish writing to this store…")))
            if self.cancel.wait(self.poll if left is None else min(self.poll, left)):
                raise CancelledError("The run was cancelled while it waited for another Stocksheet run to finish "
                                     "writing to this store.")

    def attach(self, run_id: str) -> None:
        """Name the run holding the lock (once the journal has given it an id)."""
        assert self._held is not None, "the lock is not held"
        self.run_id = run_id
        with self.journal.transaction(run_id) as db:
            db.execute("UPDATE store_locks SET run_id = ? WHERE holder = ?", (run_id, self._held.token))

    def release(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        with _REGISTRY:
            held.depth -= 1
            if held.depth > 0:
                return
            _HELD.pop(held.token, None)
        held.stop.set()
        if held.beating is not None:
            held.beating.join()
        try:
            with self.journal.transaction() as db:
                db.execute("DELETE FROM store_locks WHERE store = ? AND holder = ?", (self.key, held.token))
        except JournalError as exc:      # the row names this process without a live lock: the next run takes it
            log.warning("Could not clear the lock of %s: %s", self.key, exc)

    # ---- one look at the row ------------------------------------------------------------------
    def _try(self) -> Holder | None:
        """Take the store, or return the live run holding it."""
        me = threading.get_ident()
        token: str | None = None
        try:
            with self.journal.transaction(self.run_id) as db:
                row = db.execute("SELECT * FROM store_locks WHERE store = ?", (self.key,)).fetchone()
                if row is not None:
                    holder = _holder(row)
                    with _REGISTRY:
                        held = _HELD.get(holder.token)
                        if held is not None and held.thread == me:
                            held.depth += 1                # nested in this thread's own lock
                            self._held, self.token = held, held.token
                            return None
                    if _alive(holder, mine=held is not None):
                        return holder
                    log.warning("Taking over the lock of %s from a run that is gone (%s).", self.key,
                                holder.describe())
                    db.execute("DELETE FROM store_locks WHERE store = ? AND holder = ?", (self.key, holder.token))
                token, now = secrets.token_hex(8), time.time()
                db.execute("INSERT INTO store_locks (store, holder, run_id, what, host, pid, pid_started, acquired, "
                           "heartbeat) VALUES (?,?,?,?,?,?,?,?,?)",
                           (self.key, token, self.run_id, self.what, _HOST, os.getpid(), own_start(), now, now))
                held = _Held(token=token, thread=me)
                with _REGISTRY:                            # before the COMMIT: no other thread of this
                    _HELD[token] = held                    # process may see the row unclaimed
        except BaseException:
            if token is not None:
                with _REGISTRY:
                    _HELD.pop(token, None)
            raise
        self._held, self.token = held, token
        if self.heartbeat_seconds > 0:
            held.beating = threading.Thread(target=self._beat, args=(held,), name="store-lock-heartbeat", daemon=True)
            held.beating.start()
        return None

    def _beat(self, held: _Held) -> None:
        while not held.stop.wait(self.heartbeat_seconds):
            try:
                with self.journal.transaction() as db:
                    found = db.execute("UPDATE store_locks SET heartbeat = ? WHERE holder = ?",
                                       (time.time(), held.token)).rowcount
            except JournalError:
                continue                  # a full disk: the pid still says this process is alive
            if not found:
                log.warning("The lock of %s was taken over by another run while this one held it.", self.key)
                return
            held.beat.set()


def store_lock(journal: Journal, *, platform: str, url: str, what: str = "", run_id: str | None = None,
               account: str | None = None, wait: float | None = 0.0, poll: float = POLL_SECONDS,
               progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
               heartbeat_seconds: float = HEARTBEAT_SECONDS) -> StoreLock:
    """The lock of one store for one run; use it as ``with store_lock(...) as lock:``."""
    return StoreLock(journal, platform=platform, url=url, what=what, run_id=run_id, account=account, wait=wait,
                     poll=poll, progress=progress, cancel=cancel, heartbeat_seconds=heartbeat_seconds)


def _alive(holder: Holder, *, mine: bool) -> bool:
    if holder.host != _HOST:                        # its pid means nothing here: judge by its heartbeat
        return time.time() - holder.heartbeat < STALE_AFTER
    if holder.pid == os.getpid() and holder.pid_started == own_start():
        return mine                                 # another thread's live lock, or one left by a failed release
    started = process_start(holder.pid)
    if started is None:
        return False
    return not (started and holder.pid_started and started != holder.pid_started)   # else: the pid was reused


def _holder(row: sqlite3.Row) -> Holder:
    return Holder(store=row["store"], token=row["holder"], run_id=row["run_id"], what=row["what"], host=row["host"],
                  pid=row["pid"], pid_started=row["pid_started"], acquired=row["acquired"], heartbeat=row["heartbeat"])


def _clock(stamp: float) -> str:
    """Hours and minutes of the local clock; the date too when it was not today."""
    t = time.localtime(stamp)
    today = time.strftime("%Y-%m-%d") == time.strftime("%Y-%m-%d", t)
    return time.strftime("%H:%M" if today else "%Y-%m-%d %H:%M", t)


def _duration(seconds: float) -> str:
    return f"{math.ceil(seconds)} s" if seconds < 120 else f"{round(seconds / 60)} min"


__all__ = ["store_lock", "StoreLock", "StoreBusyError", "Holder", "store_key", "process_alive", "process_start"]
