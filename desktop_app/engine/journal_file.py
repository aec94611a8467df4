"""The journal's file when it cannot be used as it is: what its failures mean, opening it
read-only, setting an unreadable one aside (never deleted), and what can still be read of one.

* ``explain(exc)`` — (why, what to do) for a failure of SQLite or the file system;
* ``cannot_write(exc)`` — the folder or file cannot be written, or the disk is full: the
  journal can still be read (``open_readonly``: ``?mode=ro``, else ``?immutable=1``, else an
  empty one; all ``query_only``);
* ``check_schema(db)`` — a table without the columns Stocksheet needs (``journal_schema.COLUMNS``:
  another program's file, another version's) is ``DAMAGED``;
* ``move_aside(path)`` — the file (and its ``-wal``/``-shm``) renamed to
  ``<name>.unreadable-<time>``; ``unreadable_runs(path)`` — the runs still legible in every file
  set aside beside ``path``.
"""
from __future__ import annotations

import errno
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from desktop_app.engine.journal_schema import COLUMNS

#: ``JournalError.reason`` of a journal that cannot be read as one (it is set aside)
DAMAGED = "the file is damaged or is not a Stocksheet journal"
UNREADABLE = "unreadable"          # ``UnreadableRun.state`` and the history's word for them
_ASIDE = ".unreadable-"


@dataclass(frozen=True, slots=True)
class UnreadableRun:
    """A run (or, with ``id`` None, a whole file) in a journal that was set aside as unreadable:
    what could still be read of it. It cannot be resumed or undone."""

    id: str | None
    file: Path
    created: float | None = None
    platform: str = ""
    url: str = ""
    sheet: str | None = None


def check_schema(db: sqlite3.Connection) -> None:
    """Raise ``sqlite3.DatabaseError`` when a table exists without the columns Stocksheet needs."""
    for table, wanted in COLUMNS.items():
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if have and not wanted <= have:
            raise sqlite3.DatabaseError(f"its table {table} lacks {', '.join(sorted(wanted - have))}")


def open_readonly(path: Path, schema: str) -> sqlite3.Connection:
    """The journal at ``path`` opened without writing anything; an empty one (``schema``) when
    there is none to read. Writes to it fail with SQLITE_READONLY (``query_only``)."""
    uri = path.resolve().as_uri()
    db: sqlite3.Connection | None = None
    for query in ("?mode=ro", "?immutable=1") if path.is_file() else ():
        try:
            db = sqlite3.connect(uri + query, uri=True, check_same_thread=False, isolation_level=None)
        except sqlite3.Error:
            continue
        try:
            check_schema(db)
            db.execute("SELECT count(*) FROM runs").fetchone()
            break
        except sqlite3.Error:
            db.close()
            db = None
    if db is None:      # no journal to read (nor a folder to make one in): an empty one that refuses writes
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(schema)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA query_only = 1")
    return db


def move_aside(path: Path) -> Path:
    """Rename the journal at ``path`` (its write-ahead log first) to ``<name>.unreadable-<time>``;
    returns the new name. Raises OSError when it cannot be moved."""
    aside = path.with_name(f"{path.name}{_ASIDE}{time.strftime('%Y%m%d-%H%M%S')}")
    while aside.exists():
        aside = aside.with_name(aside.name + "-" + secrets.token_hex(2))
    for suffix in ("-wal", "-shm", ""):        # the log first: the main file names the set
        part = Path(str(path) + suffix)
        if part.exists():
            os.replace(part, str(aside) + suffix)
    return aside


def unreadable_runs(path: Path) -> list[UnreadableRun]:
    """What can still be read of every journal set aside beside ``path``, newest file first: one
    entry per run found in it, or one for the file when no run can be made out."""
    out: list[UnreadableRun] = []
    files = sorted((p for p in path.parent.glob(f"{path.name}{_ASIDE}*") if not p.name.endswith(("-wal", "-shm"))),
                   reverse=True)
    for file in files:
        out += _salvage(file) or [UnreadableRun(id=None, file=file)]
    return out


def explain(exc: BaseException) -> tuple[str, str]:
    """(why, what to do) for a failure of the journal, in words."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or (isinstance(exc, OSError) and exc.errno == 28):
        return "the disk is full", "free some disk space"
    if name.startswith("SQLITE_READONLY") or isinstance(exc, PermissionError):
        return "the file or its folder is read-only", "make it writable"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "another program kept it locked", "close the other program"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (isinstance(exc, sqlite3.DatabaseError) and not name) \
            or isinstance(exc, (ValueError, KeyError, TypeError)):
        return DAMAGED, "run the command again: Stocksheet moves it aside (nothing is deleted) and starts a new journal"
    if name.startswith("SQLITE_IOERR"):
        return f"the disk reported an error ({exc})", "check the disk"
    if name.startswith("SQLITE_CANTOPEN") or isinstance(exc, OSError):
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"it cannot be opened there ({detail.lower()})", "check that folder (or set STOCKSHEET_HOME)"
    return str(exc) or type(exc).__name__, "fix that"


def cannot_write(exc: BaseException | None) -> bool:
    """A failure to open that means the folder or file cannot be written, or the disk is full:
    the journal can still be read."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return (isinstance(exc, PermissionError)
            or name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_IOERR"))
            or (isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC,
                                                           errno.EFBIG, errno.EDQUOT)))


def _salvage(file: Path) -> list[UnreadableRun]:
    """The runs that can still be made out of a journal set aside (read-only, nothing written)."""
    found: list[UnreadableRun] = []
    for query in ("?mode=ro", "?immutable=1"):
        try:
            db = sqlite3.connect(file.resolve().as_uri() + query, uri=True)
        except sqlite3.Error:
            continue
        try:
            try:
                rows = db.execute("SELECT id, created, platform, url, sheet FROM runs ORDER BY created DESC")
            except sqlite3.Error:
                rows = db.execute("SELECT id, NULL, '', '', NULL FROM runs")
            for run_id, created, platform, url, sheet in rows:
                found.append(UnreadableRun(id=str(run_id), file=file,
                                           created=created if isinstance(created, (int, float)) else None,
                                           platform=str(platform or ""), url=str(url or ""),
                                           sheet=None if sheet is None else str(sheet)))
        except sqlite3.Error:
            pass
        finally:
            db.close()
        if found:
            break
    return found
