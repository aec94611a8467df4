"""What the run journal holds: its tables (``SCHEMA``, and the columns each must have), the states
a run and a change go through, and the records its rows read as (``RunRecord``, ``Entry``).

The tables and the meaning of their columns are described in ``engine.journal``, which writes
and reads them; ``engine.journal_file`` refuses a file whose tables lack ``COLUMNS``;
``engine.journal_codec`` turns rows into these records and back. Definitions only: no SQLite
connection, no file.

May import: core, the standard library.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.models import Change, Level

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, parent TEXT, created REAL NOT NULL, updated REAL NOT NULL,
    platform TEXT NOT NULL, url TEXT NOT NULL, sheet TEXT, options TEXT NOT NULL, totals TEXT NOT NULL,
    state TEXT NOT NULL, pid INTEGER, requests INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS chunks (
    run_id TEXT NOT NULL, idx INTEGER NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL, PRIMARY KEY (run_id, idx));
CREATE TABLE IF NOT EXISTS changes (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, chunk INTEGER, change TEXT NOT NULL, state TEXT NOT NULL,
    base TEXT, target TEXT, level_after TEXT, code TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS notes (run_id TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS store_locks (
    store TEXT PRIMARY KEY, holder TEXT NOT NULL, run_id TEXT, what TEXT NOT NULL, host TEXT NOT NULL,
    pid INTEGER NOT NULL, pid_started TEXT NOT NULL, acquired REAL NOT NULL, heartbeat REAL NOT NULL);
CREATE INDEX IF NOT EXISTS changes_by_chunk ON changes (run_id, chunk);
"""

#: the columns each table must have (an older or foreign file without them is set aside)
COLUMNS = {"runs": {"id", "kind", "parent", "created", "updated", "platform", "url", "sheet", "options", "totals",
                    "state", "pid", "requests"},
           "chunks": {"run_id", "idx", "request", "state", "attempts", "updated"},
           "changes": {"run_id", "seq", "chunk", "change", "state", "base", "target", "level_after", "code",
                       "message"},
           "notes": {"run_id", "outcome"},
           "store_locks": {"store", "holder", "run_id", "what", "host", "pid", "pid_started", "acquired",
                           "heartbeat"}}

#: run states; the last three can be resumed
FINISHED, RUNNING, CANCELLED, INTERRUPTED = "finished", "running", "cancelled", "interrupted"
#: change states beyond the final Status values
PLANNED, SENDING = "planned", "sending"
#: change states that leave a run unfinished: ``Status.PENDING`` (not sent) and
#: ``Status.UNVERIFIED`` (sent, never read back) by their values
OPEN = (PLANNED, SENDING, "pending", "unverified")


@dataclass(slots=True)
class RunRecord:
    id: str
    kind: str                      # "import" or "undo"
    parent: str | None             # the run an undo restores
    created: float
    updated: float
    platform: str
    url: str
    sheet: str | None
    options: dict[str, Any]
    totals: dict[str, int]         # rows, valid, invalid, … of the sheet, and the change counts so far
    state: str
    pid: int | None
    requests: int

    @property
    def resumable(self) -> bool:
        return self.state != FINISHED


@dataclass(slots=True)
class Entry:
    """One journalled change and where it stands."""

    seq: int
    chunk: int | None
    change: Change
    state: str                     # PLANNED, SENDING or a Status value
    base: Level = None             # live level right before the last write of it
    target: Level = None           # what that write aimed for
    written: bool = False          # base/target are set: a write of it was (about to be) sent
    level_after: Level = None
    code: str = ""
    message: str = ""
