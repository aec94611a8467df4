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


def logs_dir() -> Path:
    d = home() / "logs"
    d.mkdir(exist_ok=True)
    return d


def profiles_dir() -> Path:
    d = home() / "profiles"
    d.mkdir(exist_ok=True)
    return d


def journal_path() -> Path:
    return home() / "journal.sqlite3"


def demo_state_path() -> Path:
    d = home() / "demo"
    d.mkdir(exist_ok=True)
    return d


def reports_dir() -> Path:
    """Error reports that could not be written next to their sheet."""
    d = home() / "reports"
    d.mkdir(exist_ok=True)
    return d
