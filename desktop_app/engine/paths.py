"""Where Stocksheet keeps its own files. ``STOCKSHEET_HOME`` relocates all of them.

Default: the platform's user data dir (``platformdirs``), e.g. ``~/.local/share/Stocksheet``
on Linux, ``%LOCALAPPDATA%\\Stocksheet`` on Windows, ``~/Library/Application Support/Stocksheet``.

Folders are created when something is written there; a folder that cannot be created raises
``HomeError`` with a sentence naming it, why, and what to do. Reading needs no writable home
(``journal_path()`` creates nothing).
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

import platformdirs

from desktop_app.core.errors import StocksheetError


class HomeError(StocksheetError):
    """Stocksheet's own folder cannot be created or written; ``str()`` says where, why, what to do."""

    def __init__(self, path: Path, exc: OSError) -> None:
        self.path = path
        self.reason = describe_os_error(exc)
        super().__init__(f"Stocksheet cannot write to its folder {path} ({self.reason}). Make it writable, free "
                         "some space, or set STOCKSHEET_HOME to a folder you can write to.")


def describe_os_error(exc: OSError) -> str:
    """An OSError in words: "it is read-only", "the disk is full", …"""
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "it is read-only for you"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "the disk is full"
    if exc.errno == errno.ENOTDIR:
        return "a file is in the way of the folder"
    return (exc.strerror or str(exc)).lower()


def root() -> Path:
    """Stocksheet's folder, whether or not it exists yet."""
    configured = os.environ.get("STOCKSHEET_HOME")
    return Path(configured).expanduser() if configured else Path(platformdirs.user_data_dir("Stocksheet",
                                                                                             appauthor=False))


def home() -> Path:
    """Stocksheet's folder, created if need be (``HomeError`` when it cannot be)."""
    path = root()
    _mkdir(path, parents=True)
    return path


def _mkdir(path: Path, *, parents: bool = False) -> None:
    try:
        path.mkdir(parents=parents, exist_ok=True)
    except OSError as exc:
        raise HomeError(path, exc) from exc


def _folder(name: str) -> Path:
    d = home() / name
    _mkdir(d)
    return d


def logs_dir() -> Path:
    return _folder("logs")


def profiles_dir() -> Path:
    return _folder("profiles")


def reports_dir() -> Path:
    """Error reports that could not be written next to their sheet."""
    return _folder("reports")


def demo_state_path() -> Path:
    """The embedded demo store's state (one SQLite file per platform)."""
    return _folder("demo")


def journal_path() -> Path:
    """The run journal (not created here: reading it needs no writable home)."""
    return root() / "journal.sqlite3"

