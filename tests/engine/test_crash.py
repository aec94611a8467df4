"""Crash safety: ``kill -9`` the CLI in the middle of an import, resume, and find every level at
its target with nothing applied twice — at several kill points, on all four platforms and on both
of Shoplazza's behaviours (movements on Zettle and Shoplazza's adding writes would double if resent).
Every level resumed is also verified: read back at its target."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from desktop_app.platforms.registry import connect
from desktop_app.sandbox.registry import create_app

from .conftest import level_changes, write_sheet


def wait_until(condition: Callable[[], bool], *, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        pause.wait(0.002)


def cli(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "desktop_app", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def journal_count(home: Path, state: str) -> int:
    path = home / "journal.sqlite3"
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM changes WHERE state = ?", (state,)).fetchone()[0]
    except sqlite3.OperationalError:          # the schema is not there yet
        return 0
    finally:
        db.close()


@pytest.fixture
def sandbox(tmp_path, stocksheet_home):
    procs = []

    def start(platform: str, variants: int, reading: str) -> tuple[str, str, Path]:
        state = tmp_path / f"{platform}-store.sqlite3"
        proc = cli("sandbox", "--platform", platform, "--latency", "20", "--catalog", f"synthetic:{variants}x1",
                   "--state", str(state), "--reading", reading,
                   env={**os.environ, "STOCKSHEET_HOME": str(stocksheet_home)})
        procs.append(proc)
        info = json.loads(proc.stdout.readline())
        return info["url"], info["token"], state

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


KILL_POINTS = {
    "after the first change": lambda home: journal_count(home, "applied") >= 1,
    "while a chunk is being sent": lambda home: journal_count(home, "sending") >= 1,
    "half way": lambda home: journal_count(home, "applied") >= 15,
}


#: every platform, and both of Shoplazza's behaviours (its adding one would double a resent write)
CRASH_CASES = [("genstore", "default", 30), ("zettle", "default", 1200), ("marketplacer", "default", 1500),
               ("shoplazza", "adding", 30), ("shoplazza", "absolute", 30)]


@pytest.mark.parametrize("platform, reading, variants", CRASH_CASES, ids=[f"{p}-{r}" for p, r, _ in CRASH_CASES])
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_killed_import_resumes_to_the_exact_targets_with_nothing_applied_twice(
        sandbox, tmp_path, stocksheet_home, platform, reading, variants, point):
    url, token, state = sandbox(platform, variants, reading)
    connector = connect(platform, url, token)
    location = connector.list_locations()[0]
    sheet = write_sheet(tmp_path / "stock.csv",
                        [(f"SKU-{i + 1:06d}", location.name, 100 + i) for i in range(variants)])
    env = {**os.environ, "STOCKSHEET_HOME": str(stocksheet_home), "STOCKSHEET_TOKEN": token}

    run = cli("import", str(sheet), "--platform", platform, "--url", url, "--json", env=env)
    wait_until(lambda: KILL_POINTS[point](stocksheet_home) or run.poll() is not None, what=point)
    run.kill()
    run.wait(timeout=10)
    assert run.returncode == -9, "the import finished before it could be killed"

    history = json.loads(subprocess.run([sys.executable, "-m", "desktop_app", "history", "--json"], env=env,
                                        capture_output=True, text=True, check=True).stdout)
    [killed] = history
    assert killed["state"] == "running" and killed["applied"] < variants

    resumed = subprocess.run([sys.executable, "-m", "desktop_app", "resume", killed["id"], "--json"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert (summary["applied"], summary["failed"], summary["cancelled"]) == (variants, 0, False)
    assert summary["verified"] == variants and summary["unverified"] == 0

    variants_by_sku = {v.sku: v.id for v in connector.list_variants()}
    live = connector.read_levels(variants_by_sku.values(), [location.id])
    assert {sku: live[(vid, location.id)] for sku, vid in variants_by_sku.items()} == \
        {f"SKU-{i + 1:06d}": 100 + i for i in range(variants)}
    store = create_app(platform, state=state)
    try:
        changes = level_changes(store.ledger())
    finally:
        store.close()
    assert len(changes) == variants and max(changes.values()) == 1
    connector.close()
