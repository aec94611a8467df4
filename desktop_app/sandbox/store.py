"""A small SQLite home for emulator state, shared by the server's threads.

One connection behind one re-entrant lock (the ThreadingHTTPServer serves each request on its
own thread). A file-backed store runs in WAL mode and survives restarts; ``path=None`` keeps
everything in memory. ``seeded`` tells an emulator whether it still has to load its catalogue —
seeding happens inside one transaction, so an interrupted seed is simply redone next time.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


class SqliteStore:
    def __init__(self, path: Path | None, *, schema: str) -> None:
        self.path = path
        self.lock = threading.RLock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(":memory:" if path is None else str(path),
                                   check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_META + schema)

    @property
    def seeded(self) -> bool:
        return self.meta("seeded") == "1"

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and one write transaction; rolled back if the block raises."""
        with self.lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a consistent multi-statement read."""
        with self.lock:
            yield self._db

    def meta(self, key: str) -> str | None:
        with self.lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    @staticmethod
    def set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))

    def close(self) -> None:
        with self.lock:
            self._db.close()
