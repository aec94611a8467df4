"""One check of a feed at a time: two cron jobs, a systemd timer and the open window may all
try. A lock file in the feed's processing/ folder names its holder (pid and start time); a lock
whose process is gone (killed, crashed, or a reused pid) is taken over."""
from __future__ import annotations

import os
from pathlib import Path

from desktop_app.core.errors import StocksheetError
from desktop_app.engine.store_lock import process_start


class FeedBusyError(StocksheetError):
    """Another process is running this feed right now."""


class FeedLock:
    """One run of a feed at a time (two cron jobs, the window and a timer): a lock file with the
    owner's pid; a lock whose process is gone is taken over."""

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.name = path, name

    def acquire(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    pid_text, _, started = self.path.read_text().strip().partition(" ")
                    pid = int(pid_text or 0)
                except (OSError, ValueError):
                    pid, started = 0, ""
                # the holder still runs: the same pid with the same start (a reused pid is not it)
                if pid and pid != os.getpid() and process_start(pid) is not None and \
                        (not started or process_start(pid) == started):
                    raise FeedBusyError(f"Feed '{self.name}' is being run by another Stocksheet process (pid "
                                        f"{pid}); this check is skipped.") from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()} {process_start(os.getpid()) or ''}")
            return
        raise FeedBusyError(f"Feed '{self.name}' could not take its lock {self.path}.")

    def release(self) -> None:
        self.path.unlink(missing_ok=True)
