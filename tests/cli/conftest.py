"""Shared by the CLI tests: a Genstore sandbox on loopback, sheets written by real libraries, and
``run`` — the CLI in-process, its exit status and its JSON (or text)."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app

STOCKSHEET = [sys.executable, "-m", "desktop_app"]


class Counting:
    """An emulator that counts the requests it answers (and can run a hook on the n-th)."""

    def __init__(self, app, on_request=None) -> None:
        self.app, self.count, self.on_request = app, 0, on_request
        self._lock = threading.Lock()
        self.platform, self.token = app.platform, app.token

    def handle(self, request):
        with self._lock:
            self.count += 1
            n = self.count
        if self.on_request is not None:
            self.on_request(n, request)
        return self.app.handle(request)

    def __getattr__(self, name):
        return getattr(self.app, name)


@pytest.fixture
def synthetic(monkeypatch):
    """``synthetic(variants, locations=1, **options)`` → (counting app, url) of a Genstore sandbox."""
    servers = []

    def start(variants: int, locations: int = 1, *, platform: str = "genstore", on_request=None, **options):
        app = Counting(create_app(platform, catalog=f"synthetic:{variants}x{locations}", state=None, rate="none",
                                  **options), on_request)
        server = SandboxServer(app)
        server.start()
        servers.append(server)
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        return app, server.url

    yield start
    for s in servers:
        s.stop()


def run_cli(capsys, *args: str) -> tuple[int, dict | list | str, str]:
    """(exit status, the JSON printed with --json or the text on stdout, stderr)."""
    code = main(list(args))
    out = capsys.readouterr()
    if "--json" in args and out.out.strip():
        return code, json.loads(out.out.strip().splitlines()[-1]), out.err
    return code, out.out, out.err


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def sku_sheet(path: Path, levels: dict[int, int], location: str = "Warehouse 1") -> Path:
    """A long sheet setting SKU-000001… (synthetic catalogue SKUs) to the given levels."""
    return write_csv(path, [["SKU", "Location", "Available"]]
                     + [[f"SKU-{i:06d}", location, level] for i, level in levels.items()])


def popen(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*STOCKSHEET, *args], env=env, text=True, **kwargs)
