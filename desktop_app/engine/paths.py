"""Where Stocksheet keeps its own files. ``STOCKSHEET_HOME`` relocates all of them.

Default: the platform's user data dir (``platformdirs``), e.g. ``~/.local/share/Stocksheet``
on Linux, ``%LOCALAPPDATA%\\Stocksheet`` on Windows, ``~/Library/Application Support/Stocksheet``.
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def home() -> Path:
    root = os.environ.get("STOCKSHEET_HOME")
    path = Path(root).expanduser() if root else Path(platformdirs.user_data_dir("Stocksheet", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _folder(name: str) -> Path:
    d = home() / name
    d.mkdir(exist_ok=True)
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
    return home() / "journal.sqlite3"
