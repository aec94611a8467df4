"""Shared fixtures. Qt runs offscreen; Stocksheet's own files go to a per-test STOCKSHEET_HOME."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

import pytest


@pytest.fixture(autouse=True)
def stocksheet_home(tmp_path, monkeypatch):
    home = tmp_path / "stocksheet-home"
    monkeypatch.setenv("STOCKSHEET_HOME", str(home))
    monkeypatch.delenv("STOCKSHEET_TOKEN", raising=False)
    return home


@pytest.fixture
def server(app):
    """Serve the test module's own ``app`` fixture (an emulator) on loopback for the test."""
    from desktop_app.sandbox.http import SandboxServer
    with SandboxServer(app) as running:
        yield running
