"""Crash safety: ``kill -9`` the CLI in the middle of an import, resume, and find every level at
its target with nothing applied twice — on all four platforms, under both of Shoplazza's
behaviours (``adding``, what live stores do, and ``absolute``, as documented) and every other
reading whose write path differs, with faults injected (commit-then-drop included).

The sandbox is served by the test process (``create_app(platform, reading=…)``), so each kill
point is a precise moment on the store's side, with no race against the importer: a write request
is held — unapplied ("while the first chunk is being sent", "after the first change", "half
way"), or applied with its answer held back ("a write applied, its answer lost"; Shoplazza's
roundabout decrease cut between its disconnect and its connect, or between its connect and its
add) — while the importer is killed. The journal must then show that write as being sent.

After ``stocksheet resume``: every level is at its target, read through the emulator's own hooks;
a row is applied in the journal exactly when the store shows its target; ``verified == applied``
and nothing is unverified; the emulator's ledger shows each level changed exactly once and no
other level touched. A row the reading is documented to refuse (Shoplazza's ``no-disconnect``:
a decrease away from the default location) is failed with its level left alone.

Marketplacer mixes bulk chunks of own stock with seller rows, which are one PUT each inside a
chunk (test_soak: ``test_a_multi_request_chunk_keeps_what_landed_when_a_later_request_fails``,
``test_one_seller_row_does_not_make_the_run_read_every_variants_seller_stock``).
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from desktop_app.core.results import Status
from desktop_app.engine.journal import Journal
from desktop_app.engine.prepare import prepare
from desktop_app.platforms.registry import connect
from desktop_app.sandbox.faults import FaultyApp
from desktop_app.sandbox.http import Hangup, Request, Response, SandboxServer
from desktop_app.sandbox.registry import create_app

from .conftest import (
    DEFAULT_READINGS, PLATFORMS, fault_seed, level_changes, sandbox_level, untracked, write_sheet,
)

#: mild enough that the CLI's own retry budget (8 tries) never runs out. No 429s: one empties the
#: client's bucket, after which Genstore and Shoplazza run at 2 requests a second (the soak has them)
CRASH_FAULTS = "5xx=0.03,timeout=0.02,reset=0.03,spike=0.02,drop=0.05,hold_ms=40,spike_ms=25"
WRITES = ("PUT", "POST", "DELETE")


def wait_until(condition: Callable[[], bool], *, timeout: float = 60.0, what: str = "condition") -> None:
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


class Trap:
    """The served app, which catches one write request: the first for which ``catch(number,
    request)`` is true (``number`` counts the write requests that reached the store, faults
    aside). A ``before`` trap holds it unapplied; an ``after`` trap lets the store apply it (a 2xx
    answer) and holds the answer. Either way the request hangs until ``release()``, and the test
    kills the importer in between: the write was in flight when the process died."""

    def __init__(self, app: Any, catch: Callable[[int, Request], bool], *, after: bool) -> None:
        self.app = app
        self.catch = catch
        self.after = after
        self.writes = 0
        self.caught = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response | Hangup | None:
        if request.method not in WRITES or self.caught.is_set():
            return self.app.handle(request)
        with self._lock:
            self.writes += 1
            hit = not self.caught.is_set() and self.catch(self.writes, request)
        if hit and not self.after:
            self.caught.set()
            self._released.wait(60)              # the importer is killed meanwhile; nothing applied
            return Hangup()
        # the caught write reaches the store past the injected faults: a fault drawn on it would leave
        # no write in flight to kill the importer on (a sheet with one roundabout row then finishes)
        response = (self.app.app if hit and isinstance(self.app, FaultyApp) else self.app).handle(request)
        if hit and isinstance(response, Response) and 200 <= response.status < 300:
            self.caught.set()
            self._released.wait(60)              # applied; the answer dies with the importer
            return Hangup()
        return response

    def release(self) -> None:
        self._released.set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


def _levels(method: str) -> Callable[[int, Request], bool]:
    return lambda number, request: request.method == method and request.path.removesuffix(".json").endswith(
        "/inventory_levels")


@dataclass(frozen=True)
class Point:
    """A kill point: which write request is in flight when the importer dies (``chunks``: how
    many chunks the plan has), and whether the store applied it first."""

    catch: Callable[[int, int], Callable[[int, Request], bool]]
    after: bool = False
    roundabout: bool = False                 # Shoplazza's adding decrease only


KILL_POINTS = {
    "while the first chunk is being sent": Point(lambda chunks: lambda number, request: number >= 1),
    "after the first change": Point(lambda chunks: lambda number, request: number >= 2),
    "a write applied, its answer lost": Point(lambda chunks: lambda number, request: number >= 2, after=True),
    "half way": Point(lambda chunks: lambda number, request: number >= chunks // 2 + 1),
    "between disconnect and connect": Point(lambda chunks: _levels("DELETE"), after=True, roundabout=True),
    "between connect and add": Point(lambda chunks: _levels("POST"), after=True, roundabout=True),
    # the first row goes to 0 at the default location: PUT /variants/{id} inventory_quantity 0
    # (which switches tracking off), then PUT /inventory_items/{id} tracking on
    "between quantity 0 and tracking on": Point(
        lambda chunks: lambda number, request: request.method == "PUT" and "/variants/" in request.path,
        after=True, roundabout=True),
}


@dataclass(frozen=True)
class Case:
    """What a platform's crash test imports: ``own`` rows at the first location and ``away`` at
    the second (where there is one); enough chunks for every kill point, few enough requests
    that the resume fits the client's rate-limit burst (40 on Genstore and Shoplazza)."""

    own: int
    away: int = 0
    locations: int = 2


CASES = {
    "genstore": Case(8, 8),
    "marketplacer": Case(1600, 8),            # bulk chunks of 500; seller rows one PUT each
    "zettle": Case(1200, locations=1),        # one location; bulk chunks of 100 products
    "shoplazza": Case(8, 8),
}
#: readings whose write path differs from the default reading's (the crash matters there);
#: every reading of every platform runs under ``pytest -m soak``
WRITE_READINGS = {"shoplazza": ["absolute", "adding-refuses-400", "adding-echo", "adding-then-absolute",
                                "absolute-then-adding", "variant-price-required", "no-disconnect"],
                  "zettle": ["dedupe-external-uuid", "string-balances-in-writes"], "genstore": ["numbers"]}
#: readings on which Shoplazza lowers a level away from the default location the roundabout way
ROUNDABOUT = {"adding", "adding-refuses-400", "adding-echo", "adding-then-absolute", "variant-price-required"}


def _points(platform: str, reading: str) -> list[str]:
    return [name for name, p in KILL_POINTS.items()
            if not p.roundabout or (platform == "shoplazza" and reading in ROUNDABOUT)]


def _cases(full: bool) -> list[Any]:
    from desktop_app.sandbox.registry import readings
    out = []
    for platform in PLATFORMS:
        names = [r.name for r in readings(platform)] if full else \
            [DEFAULT_READINGS[platform], *WRITE_READINGS.get(platform, [])]
        for reading in names:
            every = full or reading in (DEFAULT_READINGS[platform], "absolute")
            for point in _points(platform, reading) if every else ["a write applied, its answer lost"]:
                out.append(pytest.param(platform, reading, point, id=f"{platform}-{reading}-{point}"))
    return out


@pytest.fixture
def served():
    opened: list[tuple[Trap, SandboxServer]] = []

    def start(platform: str, reading: str, *, catalog: str, seed: int) -> tuple[Trap, str]:
        app = create_app(platform, catalog=catalog, rate="none", faults=CRASH_FAULTS, seed=seed, reading=reading)
        app.enabled = False                   # set up against a healthy store; faults go on for the import
        trap = Trap(app, lambda number, request: False, after=False)
        server = SandboxServer(trap, latency_ms=20).start()
        opened.append((trap, server))
        return trap, server.url

    yield start
    for trap, server in opened:
        trap.release()
        server.stop()
        trap.close()


def crash_and_resume(served, tmp_path: Path, home: Path, platform: str, reading: str, point_name: str) -> None:
    case, point = CASES[platform], KILL_POINTS[point_name]
    n = case.own + case.away
    seed = fault_seed(sum(map(ord, f"{platform}/{reading}/{point_name}")))
    store, url = served(platform, reading, catalog=f"synthetic:{n}x{case.locations}", seed=seed)
    faulty: FaultyApp = store.app
    connector = connect(platform, url, store.token)
    try:
        _crash_and_resume(store, faulty, connector, url, tmp_path, home, platform, reading, point_name)
    finally:
        connector.close()


def _crash_and_resume(store: Trap, faulty: FaultyApp, connector: Any, url: str, tmp_path: Path, home: Path,
                      platform: str, reading: str, point_name: str) -> None:
    case, point = CASES[platform], KILL_POINTS[point_name]
    n = case.own + case.away
    locations = connector.list_locations()[:case.locations]
    default = next((loc for loc in locations if loc.default), locations[0])
    other = next((loc for loc in locations if loc is not default), default)
    rows = [(f"SKU-{i + 1:06d}", (default if i < case.own else other).name, (i * 37) % 200) for i in range(n)]
    sheet = write_sheet(tmp_path / "stock.csv", rows)
    chunks = len(prepare(sheet, connector).plan.chunks)      # the plan the importer will make
    store.catch, store.after = point.catch(chunks), point.after
    env = {**os.environ, "STOCKSHEET_HOME": str(home), "STOCKSHEET_TOKEN": store.token}

    faulty.enabled = True
    run = cli("import", str(sheet), "--platform", platform, "--url", url, "--json", env=env)
    wait_until(lambda: store.caught.is_set() or run.poll() is not None, what=point_name)
    run.kill()
    run.wait(timeout=10)
    store.release()
    out, err = run.communicate()
    assert run.returncode == -9, f"the import finished before it could be killed: {out} {err}"
    assert journal_count(home, "sending") >= 1         # the write in flight was journalled before it went out

    history = json.loads(subprocess.run([sys.executable, "-m", "desktop_app", "history", "--json"], env=env,
                                        capture_output=True, text=True, check=True).stdout)
    [killed] = history
    assert killed["state"] == "interrupted" and killed["applied"] < n

    resumed = subprocess.run([sys.executable, "-m", "desktop_app", "resume", killed["id"], "--json"], env=env,
                             capture_output=True, text=True, timeout=180)
    faulty.enabled = False
    summary = json.loads(resumed.stdout) if resumed.stdout.strip() else {}

    # the journal's own account of every change, and what the emulator holds (its hooks, not the API)
    journal = Journal(home / "journal.sqlite3")
    try:
        entries = journal.entries(killed["id"])
    finally:
        journal.close()
    assert len(entries) == n
    refused = {e.seq for e in entries if _refused(platform, reading, e.change, default.id)}
    targets = {e.change.sku: e.change.after for e in entries}
    held = {e.change.sku: sandbox_level(store, e.change) for e in entries}
    wrong = [(e.change.sku, e.change.location_name, e.state, e.change.before, e.change.after, held[e.change.sku])
             for e in entries if (e.state == Status.APPLIED) != (held[e.change.sku] == e.change.after)
             or (e.seq in refused) != (e.state == Status.FAILED)]
    assert wrong == [], (resumed.stderr[-2000:], summary)
    assert resumed.returncode == (1 if refused else 0), resumed.stderr
    assert (summary["applied"], summary["failed"], summary["cancelled"]) == (n - len(refused), len(refused), False)
    assert summary["verified"] == summary["applied"] and summary["unverified"] == 0
    assert {sku for sku, level in held.items() if level != targets[sku]} == \
        {e.change.sku for e in entries if e.seq in refused}
    assert all(held[e.change.sku] == e.change.before for e in entries if e.seq in refused)   # left alone
    changes = level_changes(store.ledger())
    assert max(changes.values()) == 1 and sum(changes.values()) == n - len(refused)     # nothing applied twice
    if platform == "shoplazza":          # a level set to 0 through the variant is still tracked
        assert untracked(store, [e.change for e in entries]) == []


def _refused(platform: str, reading: str, change: Any, default: str) -> bool:
    """Rows the reading is documented to refuse: an adding Shoplazza store that refuses to
    disconnect cannot lower a level away from the default location."""
    return (platform, reading) == ("shoplazza", "no-disconnect") and change.location_id != default \
        and change.after < change.before


@pytest.mark.parametrize("platform, reading, point", _cases(full=False))
def test_a_killed_import_resumes_to_the_exact_targets_with_nothing_applied_twice(
        served, tmp_path, stocksheet_home, platform, reading, point):
    crash_and_resume(served, tmp_path, stocksheet_home, platform, reading, point)


@pytest.mark.soak
@pytest.mark.parametrize("platform, reading, point", _cases(full=True))
def test_a_killed_import_resumes_on_every_reading_at_every_kill_point(
        served, tmp_path, stocksheet_home, platform, reading, point):
    crash_and_resume(served, tmp_path, stocksheet_home, platform, reading, point)
