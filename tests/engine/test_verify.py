"""Applied means verified: after writing, the engine reads the levels back (``engine.verify``).

Each test runs against every platform's sandbox over loopback HTTP. The stores here are real
emulators wrapped so that the store itself misbehaves the way a real one can: it answers a write
as done and keeps the old level (a store-side rule, a lost write), or it stops answering reads
right after the writes.
"""
from __future__ import annotations

import json
import threading

import pytest

from desktop_app.core.results import Status
from desktop_app.engine import runs
from desktop_app.engine.journal import FINISHED, INTERRUPTED, Journal
from desktop_app.engine.prepare import prepare
from desktop_app.engine.retry import Backoff
from desktop_app.engine.submit import submit
from desktop_app.sandbox.http import Request, Response

from .conftest import PLATFORMS, write_sheet

FAST = Backoff(base=0.001, cap=0.004, attempts=3)


def sku(i: int) -> str:
    return f"SKU-{i + 1:06d}"


class Levels:
    """Read and set one SKU's level through each emulator's own test hooks."""

    def __init__(self, app, platform: str, location: str) -> None:
        self.app, self.platform, self.location = app, platform, location

    def get(self, s: str):
        if self.platform == "zettle":
            return self.app.level(s)
        if self.platform == "marketplacer":
            return self.app.level(s)
        return self.app.level(s, self.location)

    def set(self, s: str, qty) -> None:
        if self.platform == "zettle":
            self.app.set_level(s, qty)
        elif self.platform == "marketplacer":
            self.app.set_level(s, qty)
        else:
            self.app.set_level(s, self.location, qty)


class ForgetfulApp:
    """Answers every request as the emulator does, then puts the old level of ``forget`` back."""

    def __init__(self, app, levels: Levels, forget: set[str]) -> None:
        self.app, self.levels, self.forget = app, levels, forget
        self.platform, self.token = app.platform, app.token
        self.kept = {s: levels.get(s) for s in forget}      # the levels it keeps, whatever is written
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        if request.method == "GET":
            return self.app.handle(request)
        response = self.app.handle(request)
        with self._lock:                       # requests run concurrently: put back the kept levels
            for s, level in self.kept.items():
                if self.levels.get(s) != level:
                    self.levels.set(s, level)
        return response

    def __getattr__(self, name):
        return getattr(self.app, name)


def _is_write(platform: str, request: Request) -> bool:
    if platform == "zettle":
        return request.method == "POST" and request.path.endswith("/inventory/bulk")
    if platform == "marketplacer":
        return request.method in ("POST", "PUT") and "/variants" in request.path
    if platform == "shoplazza":
        return request.method in ("POST", "PUT", "DELETE") and ("/inventory_levels" in request.path
                                                               or "/variants/" in request.path)
    return request.method == "PUT" and "/inventory/" in request.path


def _is_read(platform: str, request: Request) -> bool:
    if platform == "zettle":
        return request.method == "GET" or request.path.endswith("/inventory/products")
    return request.method == "GET"


class BlindAfterWritesApp:
    """Once a write went through, every read answers 503 until ``healed``."""

    def __init__(self, app) -> None:
        self.app, self.platform, self.token = app, app.platform, app.token
        self.wrote = False
        self.healed = False

    def handle(self, request: Request) -> Response:
        if self.wrote and not self.healed and _is_read(self.platform, request):
            return Response(503, {"error": "Service Unavailable"})
        response = self.app.handle(request)
        if _is_write(self.platform, request) and response is not None and response.status < 400:
            self.wrote = True
        return response

    def __getattr__(self, name):
        return getattr(self.app, name)


def _open(open_store, platform: str, wrap):
    store = open_store(platform, catalog="synthetic:8x1")
    store.server.app = wrap(store.app, store)
    return store


def _sheet(store, tmp_path, n: int, qty=lambda i: 70 + i):
    location = store.locations[0].name
    return write_sheet(tmp_path / "stock.csv", [(sku(i), location, qty(i)) for i in range(n)])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_write_the_store_accepted_but_did_not_keep_is_a_verify_mismatch_not_applied(open_store, tmp_path, platform):
    store = open_store(platform, catalog="synthetic:8x1")
    levels = Levels(store.app, platform, store.locations[0].name)
    forgotten = {sku(1), sku(4)}
    old = {s: levels.get(s) for s in forgotten}
    preview = prepare(_sheet(store, tmp_path, 6), store.connector)
    store.server.app = ForgetfulApp(store.app, levels, forgotten)
    journal = Journal(tmp_path / "journal.db")
    result = submit(preview, store.connector, backoff=FAST, journal=journal)

    mismatched = [o for o in result.outcomes if o.code == "verify-mismatch"]
    assert (result.applied, result.verified, result.failed, len(mismatched)) == (4, 4, 2, 2)
    assert result.exit_code() == 1 and not result.cancelled
    name = store.connector.capabilities.display_name
    shown = {o.variant_id: o for o in mismatched}
    assert len(shown) == 2
    for o in mismatched:
        assert o.status is Status.FAILED and name in o.message
        assert f"write of {o.after} " in o.message                       # the target …
        assert any(f"shows {old[s]}." in o.message for s in forgotten)   # … and what the store kept
    assert all(levels.get(s) == old[s] for s in forgotten)
    assert json.loads(json.dumps(result.summary()))["verified"] == 4
    journal.close()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_level_that_cannot_be_read_back_is_unverified_and_resume_verifies_it(open_store, tmp_path, platform):
    store = open_store(platform, catalog="synthetic:8x1")
    levels = Levels(store.app, platform, store.locations[0].name)
    preview = prepare(_sheet(store, tmp_path, 5), store.connector)
    blind = BlindAfterWritesApp(store.app)
    store.server.app = blind
    journal = Journal(tmp_path / "journal.db")
    result = submit(preview, store.connector, backoff=FAST, journal=journal)

    assert blind.wrote
    assert result.applied == 0 and result.unverified >= 1 and result.exit_code() in (1, 3)
    unverified = [o for o in result.outcomes if o.status is Status.UNVERIFIED]
    assert all(o.code == "unverified" and "could not read the level back" in o.message for o in unverified)
    assert journal.run(result.run_id).state == INTERRUPTED          # resumable, never "finished"
    assert {levels.get(sku(i)) for i in range(5)} & {70 + i for i in range(5)}   # the writes did land

    blind.healed = True
    resumed = runs.resume(result.run_id, store.connector, journal=journal, backoff=FAST)
    assert resumed.applied == 5 and resumed.unverified == 0 and resumed.failed == 0
    assert journal.run(result.run_id).state == FINISHED
    assert [levels.get(sku(i)) for i in range(5)] == [70 + i for i in range(5)]
    journal.close()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_undo_is_verified_the_same_way(open_store, tmp_path, platform):
    store = open_store(platform, catalog="synthetic:8x1")
    levels = Levels(store.app, platform, store.locations[0].name)
    old = [levels.get(sku(i)) for i in range(4)]
    preview = prepare(_sheet(store, tmp_path, 4), store.connector)
    journal = Journal(tmp_path / "journal.db")
    result = submit(preview, store.connector, backoff=FAST, journal=journal)
    assert result.applied == result.verified == 4
    store.server.app = ForgetfulApp(store.app, levels, {sku(2)})
    undone = runs.undo(result.run_id, store.connector, journal=journal, backoff=FAST)
    assert undone.applied == 3 and undone.failed == 1
    [bad] = [o for o in undone.outcomes if o.status is Status.FAILED]
    assert bad.code in ("verify-mismatch", "stale")     # Shoplazza's connector sees it in its own answer first
    assert [levels.get(sku(i)) for i in (0, 1, 3)] == [old[0], old[1], old[3]]
    journal.close()
