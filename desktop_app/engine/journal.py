"""The run journal: every submission, durably, in SQLite under ``paths.journal_path()``.

What is kept (never the access token):

* ``runs``    id, kind (import / undo), the run it undoes, created / updated, platform, store URL,
              sheet path, options, sheet totals, state (running / finished / cancelled /
              interrupted), pid, the number of requests sent;
* ``changes`` every diffed level of the run — its chunk, the change (before value, target,
              mode, the variant), and its state: planned → sending → applied / failed / stale /
              unchanged / pending, with ``base`` (the live level re-read right before the write)
              and ``target`` (what that write aims for) recorded *before* the request goes out,
              then the level after it, and its code and message;
* ``chunks``  planned → sending → done, with the request's description and the attempts;
* ``notes``   the rows that never became changes (invalid, skipped), for the final report;
* ``store_locks`` the one writing run of each store (``engine.store_lock``).

Each state change is one transaction in WAL mode with ``synchronous=FULL``: once a method
returns, the record survives a crash or ``kill -9`` of the process (and a power cut). A chunk
found in ``sending`` after a crash was maybe applied: ``resume`` re-reads its levels first.

A write the journal cannot record (a full disk, a read-only folder) raises ``JournalError`` and
records nothing of that transaction: the executor stops before its next request, and the run
stays resumable. ``finish`` never records a run *finished* while any of its changes is still
planned, sending, pending or unverified: it records it *interrupted* instead. ``Journal(max_pages=N)`` (or
setting ``journal.max_pages``) caps the file at N pages, ``PRAGMA max_page_count``: past it
every write fails with SQLite's own "database or disk is full", the way the tests fill the disk.

A journal that cannot be read — truncated, garbage, another program's tables — is never deleted:
``Journal()`` moves it aside to ``journal.sqlite3.unreadable-<time>`` (with its ``-wal``) and
starts a new one; ``unreadable_runs()`` lists what can still be made out of every file set aside
(``history`` shows those runs as *unreadable*; a run whose values alone are damaged is listed so
in place). A home folder that cannot be written, or a full disk, still lets the journal be read:
it is opened read-only (``readonly``), and a write then fails with ``JournalError`` saying why;
with no journal at all it reads as empty.

The file-level mechanics live in ``engine.journal_file``; the tables' definitions, the states
and the records (``RunRecord``, ``Entry``) in ``engine.journal_schema``; the JSON of changes,
levels and row outcomes in ``engine.journal_codec``. Their public names are importable from here.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Iterator

from desktop_app.core.errors import StocksheetError
from desktop_app.core.redaction import redact
from desktop_app.core.models import Level
from desktop_app.core.results import RowOutcome, Status
from desktop_app.engine import paths
from desktop_app.engine.journal_codec import (
    change_from_json, change_to_json, entry_from_row, level_to_json, outcome_from_json, outcome_to_json,
    record_from_row,
)
from desktop_app.engine.journal_file import (
    DAMAGED, UnreadableRun, cannot_write, check_schema, explain, move_aside, open_readonly,
    unreadable_runs,
)
from desktop_app.engine.journal_schema import (
    CANCELLED, FINISHED, INTERRUPTED, OPEN, PLANNED, RUNNING, SCHEMA, SENDING, Entry, RunRecord,
)

log = logging.getLogger(__name__)

#: SQLite's default page cap (``max_pages = None``)
_NO_CAP = 4294967294


class JournalError(StocksheetError):
    """The journal could not read or record something; ``str()`` says where, why and what to do.

    ``run_id`` is the run concerned (None when none was recorded yet), ``reason`` the short
    cause ("the disk is full")."""

    def __init__(self, message: str, *, path: Path, reason: str, run_id: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
        self.run_id = run_id


class Journal:
    def __init__(self, path: Path | None = None, *, max_pages: int | None = None) -> None:
        self.path = path or paths.journal_path()
        self._lock = threading.RLock()
        self.readonly = False           # the folder or file cannot be written (or the disk is full): reads only
        self._readonly_because: tuple[str, str] | None = None      # (why, what to do), said by a refused write
        self.set_aside: Path | None = None   # where an unreadable journal was moved by this open
        try:
            self._open()
        except JournalError as exc:
            if exc.reason == DAMAGED:
                self.set_aside_damaged()
            elif cannot_write(exc.__cause__):
                self._readonly_because = explain(exc.__cause__)
                self._open_readonly()
            else:
                raise
        if max_pages is not None:
            self.max_pages = max_pages

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise self._error(exc, doing="open") from exc
        self._db.row_factory = sqlite3.Row
        try:
            with self._guard(doing="open"):
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                check_schema(self._db)
                self._db.executescript(SCHEMA)
                self._db.execute("SELECT max(length(options)) FROM runs").fetchone()   # its runs read
        except JournalError:
            self._db.close()
            raise

    def _open_readonly(self) -> None:
        """Read what there is without writing anything (a read-only or full home folder)."""
        self.readonly = True
        self._db = open_readonly(self.path, SCHEMA)

    def set_aside_damaged(self) -> Path:
        """Move the (unreadable) journal aside — never delete it — and start a new one there."""
        with self._lock:
            try:
                self._db.close()
            except (AttributeError, sqlite3.Error):
                pass
            try:
                aside = move_aside(self.path)
            except OSError as exc:
                reason, fix = explain(exc)
                raise JournalError(
                    f"Stocksheet's journal ({self.path}) cannot be read ({DAMAGED}) and cannot be moved aside "
                    f"({reason}): {fix}, or move the file elsewhere yourself; Stocksheet then starts a new journal.",
                    path=self.path, reason=DAMAGED) from exc
            log.warning("The journal %s could not be read (%s); it was moved to %s and a new journal started.",
                        self.path, DAMAGED, aside)
            self.set_aside = aside
            self._open()
            return aside

    def set_aside_notice(self) -> str | None:
        """The sentence for the user when this open moved an unreadable journal aside."""
        if self.set_aside is None:
            return None
        return (f"Stocksheet's journal could not be read; it was moved to {self.set_aside} (kept, not deleted) and "
                "a new journal started. `stocksheet history` lists the runs still legible in it as unreadable.")

    def unreadable_runs(self) -> list[UnreadableRun]:
        """What can still be read of every journal set aside beside this one (``journal_file``)."""
        return unreadable_runs(self.path)

    # ---- size cap (a full disk, for real) ---------------------------------------------------
    @property
    def page_count(self) -> int:
        """Pages the journal holds now (``PRAGMA page_count``)."""
        with self._guard(doing="read"):
            return int(self._db.execute("PRAGMA page_count").fetchone()[0])

    @property
    def max_pages(self) -> int | None:
        with self._guard(doing="read"):
            cap = int(self._db.execute("PRAGMA max_page_count").fetchone()[0])
        return None if cap >= _NO_CAP else cap

    @max_pages.setter
    def max_pages(self, pages: int | None) -> None:
        """Cap the journal at ``pages`` (never below its present size); None lifts the cap."""
        with self._guard(doing="open"):
            self._db.execute(f"PRAGMA max_page_count = {_NO_CAP if pages is None else max(1, int(pages))}")

    # ---- transactions ------------------------------------------------------------------------
    @contextmanager
    def _guard(self, *, run_id: str | None = None, doing: str = "record") -> Iterator[None]:
        """Turn SQLite's failures into ``JournalError`` (under the connection's lock)."""
        damaged = (ValueError, KeyError, TypeError) if doing == "read" else ()   # values that do not decode
        with self._lock:
            try:
                yield
            except (sqlite3.Error, *damaged) as exc:
                raise self._error(exc, run_id=run_id, doing=doing) from exc

    @contextmanager
    def _tx(self, run_id: str | None = None, *, doing: str = "record") -> Iterator[sqlite3.Connection]:
        """One transaction: all of it is recorded, or (JournalError) none of it."""
        with self._guard(run_id=run_id, doing=doing):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # SQLite rolls some failures back by itself (SQLITE_FULL does): roll back only
                # what is still open, and never let that hide the first error
                if self._db.in_transaction:
                    try:
                        self._db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise

    def transaction(self, run_id: str | None = None) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction for the engine's own tables (``engine.store_lock``); failures
        raise ``JournalError`` and record nothing."""
        return self._tx(run_id)

    def _error(self, exc: BaseException, *, run_id: str | None = None, doing: str = "record") -> JournalError:
        reason, fix = explain(exc)
        if self.readonly and self._readonly_because and getattr(exc, "sqlite_errorname", "").startswith(
                "SQLITE_READONLY"):
            reason, fix = self._readonly_because       # why it was opened read-only: the folder, a full disk
        if reason == DAMAGED and doing == "read" and run_id is not None:
            message = (f"Run {run_id} cannot be read from the journal ({self.path}): its record is damaged, so it "
                       "cannot be resumed or undone. Export the store's stock to see where its levels stand.")
            return JournalError(message, path=self.path, reason=reason, run_id=run_id)
        if reason == DAMAGED and doing in ("open", "read"):
            message = (f"Stocksheet could not read its journal ({self.path}): {reason}. {fix[0].upper()}{fix[1:]}; "
                       "`stocksheet history` then lists the runs it held as unreadable.")
            return JournalError(message, path=self.path, reason=reason, run_id=run_id)
        where = f"its journal ({self.path})"
        if doing == "open":
            message = f"Stocksheet could not open {where}: {reason}; {fix} and try again."
        elif doing == "read":
            message = f"Stocksheet could not read {where}: {reason}; {fix} and try again."
        elif doing == "finish":
            message = (f"Stocksheet could not record the end of run {run_id} in {where}: {reason}. {fix[0].upper()}"
                       f"{fix[1:]} and run `stocksheet resume {run_id}` to confirm what it wrote.")
        elif run_id is None:
            message = (f"Stocksheet could not record the run in {where}: {reason}. Nothing was written to the "
                       f"store; {fix} and start the run again.")
        else:
            message = (f"Stocksheet could not record the run in {where}: {reason}. The run stopped before its "
                       f"next write; {fix} and run `stocksheet resume {run_id}`.")
        return JournalError(message, path=self.path, reason=reason, run_id=run_id)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- writing ---------------------------------------------------------------------------
    def start_run(self, *, kind: str, platform: str, url: str, sheet: str | None, options: dict[str, Any],
                  totals: dict[str, int], entries: Iterable[Entry], chunks: dict[int, str],
                  notes: list[RowOutcome] = (), parent: str | None = None) -> str:
        """Record a run and its whole plan in one transaction; returns the new run id."""
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        now = time.time()
        with self._tx() as db:   # no run id yet: its failure means nothing was recorded, nor written
            db.execute("INSERT INTO runs (id, kind, parent, created, updated, platform, url, sheet, options, totals, "
                       "state, pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (run_id, kind, parent, now, now, platform, redact(url), sheet,
                        redact(json.dumps(options, default=str)),
                        json.dumps(totals), RUNNING, os.getpid()))
            db.executemany("INSERT INTO chunks (run_id, idx, request, state, updated) VALUES (?,?,?,?,?)",
                           ((run_id, idx, request, PLANNED, now) for idx, request in chunks.items()))
            db.executemany("INSERT INTO changes (run_id, seq, chunk, change, state, code, message) VALUES (?,?,?,?,?,?,?)",
                           ((run_id, e.seq, e.chunk, json.dumps(change_to_json(e.change)), e.state, e.code,
                             redact(e.message))
                            for e in entries))   # generators: a 100k-row plan is never held twice in memory
            db.executemany("INSERT INTO notes (run_id, outcome) VALUES (?, ?)",
                           ((run_id, redact(outcome_to_json(o))) for o in notes))
        return run_id

    def claim(self, run_id: str) -> None:
        """Mark a run as running in this process (resume)."""
        with self._tx(run_id) as db:
            db.execute("UPDATE runs SET state = ?, pid = ?, updated = ? WHERE id = ?", (RUNNING, os.getpid(), time.time(), run_id))

    def sending(self, run_id: str, chunk: int, writes: list[tuple[int, Level, Level]]) -> None:
        """Before a request: these changes (seq, base, target) are about to be written. When this
        raises ``JournalError`` the request must not go out."""
        now = time.time()
        with self._tx(run_id) as db:
            db.execute("UPDATE chunks SET state = ?, attempts = attempts + 1, updated = ? WHERE run_id = ? AND idx = ?",
                       (SENDING, now, run_id, chunk))
            db.executemany("UPDATE changes SET state = ?, base = ?, target = ? WHERE run_id = ? AND seq = ?",
                           [(SENDING, level_to_json(base), level_to_json(target), run_id, seq)
                            for seq, base, target in writes])

    def settle(self, run_id: str, chunk: int | None, results: list[tuple[int, Status, Level, str, str]],
               *, requests: int = 0) -> None:
        """After a request (or a re-read): (seq, status, level_after, code, message) per change,
        and the chunk (unless None) is done. When this raises ``JournalError`` the changes stay as
        they were (``sending``: resume re-reads their levels before anything else)."""
        now = time.time()
        with self._tx(run_id) as db:
            if chunk is not None:
                db.execute("UPDATE chunks SET state = 'done', updated = ? WHERE run_id = ? AND idx = ?",
                           (now, run_id, chunk))
            db.executemany("UPDATE changes SET state = ?, level_after = ?, code = ?, message = ? "
                           "WHERE run_id = ? AND seq = ?",
                           [(str(status), level_to_json(level), code, redact(message), run_id, seq)
                            for seq, status, level, code, message in results])
            if requests:
                db.execute("UPDATE runs SET requests = requests + ?, updated = ? WHERE id = ?", (requests, now, run_id))

    def finish(self, run_id: str, state: str, *, requests: int = 0) -> str:
        """Record how the run ended and return the state recorded: FINISHED becomes INTERRUPTED
        while any change is still planned, sending, pending or unverified (a finished run cannot
        be resumed, and those changes would be lost to resume and undo)."""
        with self._tx(run_id, doing="finish") as db:
            if state == FINISHED and db.execute(
                    f"SELECT 1 FROM changes WHERE run_id = ? AND state IN ({','.join('?' * len(OPEN))}) LIMIT 1",
                    (run_id, *OPEN)).fetchone():
                state = INTERRUPTED
            db.execute("UPDATE runs SET state = ?, requests = requests + ?, updated = ? WHERE id = ?",
                       (state, requests, time.time(), run_id))
        return state

    # ---- reading ---------------------------------------------------------------------------
    def run_ids(self, *, limit: int = 100) -> list[str]:
        """The newest runs' ids (readable even when a run's own fields are damaged)."""
        with self._guard(doing="read"):
            rows = self._db.execute("SELECT id FROM runs ORDER BY created DESC, id DESC LIMIT ?", (limit,)).fetchall()
        return [str(r["id"]) for r in rows]

    def runs(self, *, limit: int = 100) -> list[RunRecord]:
        with self._guard(doing="read"):
            rows = self._db.execute("SELECT * FROM runs ORDER BY created DESC, id DESC LIMIT ?", (limit,)).fetchall()
            return [record_from_row(r) for r in rows]

    def run(self, run_id: str) -> RunRecord | None:
        with self._guard(run_id=run_id, doing="read"):
            row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            return record_from_row(row) if row else None

    def entries(self, run_id: str) -> list[Entry]:
        with self._guard(run_id=run_id, doing="read"):
            rows = self._db.execute("SELECT * FROM changes WHERE run_id = ? ORDER BY seq", (run_id,)).fetchall()
            return [entry_from_row(r) for r in rows]

    def landed(self, run_id: str) -> dict[int, str]:
        """seq → state of the run's planned changes that have settled so far (one small query: a
        face can show rows turning Applied as they land)."""
        with self._guard(doing="read"):
            rows = self._db.execute("SELECT seq, state FROM changes WHERE run_id = ? AND chunk IS NOT NULL "
                                    "AND state NOT IN (?, ?)", (run_id, PLANNED, SENDING)).fetchall()
        return {r["seq"]: r["state"] for r in rows}

    def chunk_requests(self, run_id: str) -> dict[int, str]:
        with self._guard(doing="read"):
            rows = self._db.execute("SELECT idx, request FROM chunks WHERE run_id = ? ORDER BY idx", (run_id,)).fetchall()
        return {r["idx"]: r["request"] for r in rows}

    def notes(self, run_id: str) -> list[RowOutcome]:
        with self._guard(run_id=run_id, doing="read"):
            rows = self._db.execute("SELECT outcome FROM notes WHERE run_id = ? ORDER BY rowid", (run_id,)).fetchall()
            return [outcome_from_json(r["outcome"]) for r in rows]

    def undone_by(self, run_id: str) -> list[str]:
        with self._guard(doing="read"):
            rows = self._db.execute("SELECT id FROM runs WHERE parent = ? ORDER BY created", (run_id,)).fetchall()
        return [r["id"] for r in rows]


__all__ = ["Journal", "JournalError", "RunRecord", "Entry", "SCHEMA", "OPEN", "FINISHED", "RUNNING", "CANCELLED",
           "INTERRUPTED", "PLANNED", "SENDING", "change_to_json", "change_from_json", "UnreadableRun"]
