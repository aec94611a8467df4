"""Where a feed's files come from: a folder (a file is taken once it has stopped growing) or an
https URL (a file is taken only when it changed: ETag, Last-Modified, then its SHA-256)."""
from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop_app.engine.feeds.recipe import Feed, FeedState

SHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
#: names a program writes while it is still copying or saving: never a finished sheet
_PARTIAL = (".tmp", ".part", ".partial", ".crdownload", ".download", ".filepart", ".swp")
SUBFOLDERS = ("processing", "done", "failed")


def candidates(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """The sheets directly inside ``folder`` (not its done/, failed/ …) with their stat, oldest
    first; temporary and hidden files, links and anything not a regular file are left alone, and
    a file that vanishes while we look is simply not there."""
    out = []
    for p in folder.iterdir():
        name = p.name
        if name.startswith((".", "~$")) or name.lower().endswith(_PARTIAL) or p.suffix.lower() not in SHEET_SUFFIXES:
            continue
        try:
            st = p.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISREG(st.st_mode):
            out.append((p, st))
    return sorted(out, key=lambda item: (item[1].st_mtime_ns, item[0].name))


def scan(folder: Path, state: FeedState, *, settle: float, clock: Callable[[], float] = time.time) -> tuple[
        list[Path], list[Path]]:
    """(ready, still growing). A file is ready when a scan at least ``settle`` seconds earlier saw
    it with the same size and modification time; ``state.seen`` keeps those sightings."""
    now = clock()
    ready, growing, seen = [], [], {}
    for p, st in candidates(folder):
        mark = [float(st.st_size), float(st.st_mtime_ns)]
        before = state.seen.get(p.name)
        if before is not None and before[:2] == mark and now - before[2] >= settle:
            ready.append(p)
        else:
            growing.append(p)
        keep = before is not None and before[:2] == mark
        seen[p.name] = mark + [before[2] if keep else now]
    state.seen = seen
    return ready, growing


@dataclass(frozen=True, slots=True)
class Download:
    changed: bool
    content: bytes = b""
    filename: str = ""
    reason: str = ""                 # why it was not taken (unchanged: 304, same hash)


def poll(feed: Feed, state: FeedState, *, fetch=None) -> Download:
    """Ask the feed's URL for its file, conditionally; remember the validators."""
    from desktop_app.platforms.download import fetch as http_fetch
    got = (fetch or http_fetch)(feed.url, etag=state.etag, last_modified=state.last_modified)
    if got.not_modified:
        return Download(False, reason="not modified (304)")
    digest = hashlib.sha256(got.content).hexdigest()
    state.etag, state.last_modified = got.etag, got.last_modified
    if digest == state.sha256:
        return Download(False, reason="same content as last time")
    state.sha256 = digest
    return Download(True, got.content, got.filename)
