"""Fault soak: thousands of changes through a store failing in every way at once.

Every registered sandbox, under every reading of its platform's docs (``sandbox.readings``), with
10% each of 5xx, 429 bursts, timeouts, connection resets, latency spikes and commit-then-drop.
The last rows go to a second location where the platform has one, and about half of the rows
lower a level, so every write path runs (Shoplazza's adding store: the variant at the default
location, disconnect + connect + add elsewhere). Afterwards, read through the emulator's own hooks
(not the API): every row reported applied is at its target, every failed row left its level alone
and is one the reading is documented to refuse, nothing is unverified, ``verified == applied``;
the emulator's own ledger shows each applied level changed exactly once and no other level
touched; every sheet row is accounted for.

The default suite runs 600 changes per platform on its default reading (the one a real store was
last reported to have) and a short soak (60–200 changes, one change a request) on every other
reading; ``pytest -m soak`` runs 5,000 changes on every reading. ``STOCKSHEET_TEST_SEED=N`` shifts
every fault seed (to shake out flakiness with other fault sequences).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import Callable

import pytest

from desktop_app.core.models import Change
from desktop_app.core.plan import make_plan
from desktop_app.core.results import Status
from desktop_app.engine.prepare import prepare
from desktop_app.engine.retry import Backoff
from desktop_app.engine.submit import submit
from desktop_app.platforms import registry as platform_registry
from desktop_app.sandbox.http import Hangup, Response, SandboxServer
from desktop_app.sandbox.registry import create_app

from .conftest import (
    ALL_FAULTS, DEFAULT_READINGS, PLATFORMS, READING_CASES, Store, fault_seed, level_changes, sandbox_level,
    untracked, write_sheet,
)


def _lowered_away_from_default(store: Store) -> Callable[[Change], bool]:
    default = next(loc.id for loc in store.locations if loc.default)
    return lambda c: c.location_id != default and isinstance(c.before, int) and c.after < c.before


#: rows a reading is documented to refuse (the connector fails them with a sentence; nothing is
#: written): Shoplazza's adding store that refuses to disconnect cannot lower a level away from
#: the default location.
REFUSED: dict[tuple[str, str], Callable[[Store], Callable[[Change], bool]]] = {
    ("shoplazza", "no-disconnect"): _lowered_away_from_default,
}
REFUSED_WORDS = {("shoplazza", "no-disconnect"): "refused to disconnect"}

OTHER_READINGS = [case for case in READING_CASES if DEFAULT_READINGS[case[0]] != case[1]]
#: changes in the default suite's soak of a non-default reading: enough requests (well over 100)
#: that every fault kind is drawn, at one change per request (Zettle: one product per request)
SMALL = {"genstore": 60, "marketplacer": 60, "zettle": 200, "shoplazza": 60}
#: the share of rows at the second location in the 600-change soak (Marketplacer's seller rows
#: are one PUT each inside a bulk chunk: a part-way failure keeps what landed, see
#: ``test_a_multi_request_chunk_keeps_what_landed_when_a_later_request_fails``)
AWAY_600: dict[str, float] = {}


def soak(open_store, tmp_path, platform: str, n: int, *, reading: str, seed: int, chunk: int = 4,
         away: float = 0.1) -> dict[str, object]:
    """``away``: the share of rows (the last ones) at the second location, where there is one."""
    store = open_store(platform, catalog=f"synthetic:{n}x2", faults=ALL_FAULTS, seed=fault_seed(seed),
                       reading=reading)
    locations = [loc.name for loc in store.locations][:2]
    second = n - int(n * away) if len(locations) > 1 else n
    rows = [(f"SKU-{i + 1:06d}", locations[i >= second], (i * 37) % 200) for i in range(n)]
    rows += [("NO-SUCH-SKU-1", locations[0], 5), ("SKU-000001", locations[0], "lots")]      # two invalid rows
    preview = prepare(write_sheet(tmp_path / "soak.csv", rows), store.connector)
    # bulk platforms would send 600 changes in a handful of requests: chunks of at most ``chunk``
    # let the faults hit every platform often
    preview.plan = make_plan(preview.changes, replace(preview.capabilities,
                                                      max_chunk=min(chunk, preview.capabilities.max_chunk)))
    planned = preview.plan.changes
    refused = REFUSED.get((platform, reading), lambda _: lambda c: False)(store)
    expected_failures = {(c.variant_id, c.location_id) for c in planned if refused(c)}
    store.faults(True)
    started = time.monotonic()
    # About 45% of requests fail here (six fault kinds at 10%, 429 bursts longer): with 12 tries a
    # call gives up about once in 10^4, i.e. now and then in a 600-chunk run — the run then stops,
    # resumable, which is right for a real store but not what this test measures. 30 tries: ~1e-10.
    result = submit(preview, store.connector, rate=None, backoff=Backoff(base=0.005, cap=0.05, attempts=30))
    elapsed = time.monotonic() - started
    store.faults(False)

    statuses = Counter(o.status for o in result.outcomes)
    assert not result.cancelled and statuses[Status.PENDING] == 0 and statuses[Status.UNVERIFIED] == 0
    assert result.unverified == 0 and result.verified == result.applied
    assert all(o.message for o in result.outcomes if o.status is Status.FAILED)
    by_key = {(c.variant_id, c.location_id): c for c in planned}
    applied = {(o.variant_id, o.location_id) for o in result.outcomes if o.status is Status.APPLIED}
    failed = {(o.variant_id, o.location_id): o for o in result.outcomes if o.status is Status.FAILED}
    # the verification contract, read through the emulator's own hooks: applied means at the target
    held = {key: sandbox_level(store.app, c) for key, c in by_key.items()}
    wrong = [(c.sku, c.location_name, c.after, held[key]) for key, c in by_key.items()
             if key in applied and held[key] != c.after]
    assert wrong == []
    assert set(failed) == expected_failures, [(o.sku, o.message) for o in failed.values()][:5]
    assert all(REFUSED_WORDS[(platform, reading)] in o.message for o in failed.values())
    touched = [(by_key[key].sku, by_key[key].before, held[key]) for key in failed if held[key] != by_key[key].before]
    assert touched == []                                                  # a refused row wrote nothing
    assert applied | set(failed) == set(by_key)
    assert result.applied == len(planned) - len(expected_failures)
    changed = level_changes(store.app.ledger())
    assert max(changed.values()) == 1                                     # nothing applied twice
    assert sum(changed.values()) == result.applied                        # and nothing else changed
    if platform == "shoplazza":          # a level set to 0 through the variant is still tracked
        assert untracked(store.app, planned) == []
    accounted = {o.row for o in result.outcomes}
    assert accounted == {row for row, _ in preview.sheet.rows} and result.invalid == 2
    assert store.app.counts["drop"] > 0 and store.app.counts["reset"] > 0
    figures = {"platform": platform, "reading": reading, "changes": len(planned), "requests": result.requests,
               "faults": dict(store.app.counts), "seconds": round(elapsed, 1)}
    print(figures)
    return figures


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_600_change_run_through_every_fault_lands_exactly_once(open_store, tmp_path, platform):
    soak(open_store, tmp_path, platform, 600, reading=DEFAULT_READINGS[platform], seed=600,
         away=AWAY_600.get(platform, 0.1))


@pytest.mark.parametrize("platform, reading", OTHER_READINGS)
def test_a_short_run_through_every_fault_lands_exactly_once_on_every_reading(open_store, tmp_path, platform, reading):
    soak(open_store, tmp_path, platform, SMALL[platform], reading=reading,
         seed=100 + READING_CASES.index((platform, reading)), chunk=1, away=0.2)


@pytest.mark.soak
@pytest.mark.parametrize("platform, reading", READING_CASES)
def test_a_5000_change_run_through_every_fault_lands_exactly_once(open_store, tmp_path, platform, reading):
    # Marketplacer's seller rows one to a chunk until a multi-request chunk keeps what landed
    soak(open_store, tmp_path, platform, 5000, reading=reading, seed=5000 + READING_CASES.index((platform, reading)),
         chunk=1 if platform == "marketplacer" else 4, away=0.2)


class EveryNthWriteFails:
    """The sandbox, except that every ``n``-th write request is answered 503 (applied: no)."""

    def __init__(self, app, n: int) -> None:
        self.app, self.n, self.writes, self.failed = app, n, 0, 0

    def handle(self, request):
        if request.method in ("PUT", "POST", "DELETE"):
            self.writes += 1
            if self.writes % self.n == 0:
                self.failed += 1
                return Response(503, {"error": "Service Unavailable"})
        return self.app.handle(request)

    def __getattr__(self, name):
        return getattr(self.app, name)


def test_a_multi_request_chunk_keeps_what_landed_when_a_later_request_fails(tmp_path):
    """Marketplacer writes each seller level with its own PUT, all inside one chunk (up to 500
    changes). Every 10th write failing must not stop a 20-change chunk: the 9 that landed before
    a failure are kept (read back), and only the rest is sent again."""
    app = EveryNthWriteFails(create_app("marketplacer", catalog="synthetic:20x2", rate="none"), 10)
    with SandboxServer(app) as server:
        connector = platform_registry.connect("marketplacer", server.url, app.token)
        try:
            seller = next(loc for loc in connector.list_locations() if loc.id != "self")
            rows = [(f"SKU-{i + 1:06d}", seller.name, 100 + i) for i in range(20)]
            preview = prepare(write_sheet(tmp_path / "sellers.csv", rows), connector)
            assert len(preview.plan.chunks) == 1 and len(preview.plan.changes) == 20
            result = submit(preview, connector, rate=None, backoff=Backoff(base=0.001, cap=0.005, attempts=8))
            levels = [app.level(f"SKU-{i + 1:06d}", seller.name) for i in range(20)]
        finally:
            connector.close()
    assert not result.cancelled and (result.applied, result.failed) == (20, 0)
    assert levels == [100 + i for i in range(20)]
    assert app.writes <= 20 + 2 * app.failed            # a landed PUT is not sent again and again


def test_the_ledger_count_takes_a_roundabout_decrease_as_one_change_and_still_sees_a_second_write(
        open_store, tmp_path):
    """Shoplazza's adding store lowers a level away from the default location by disconnect +
    connect + adjust: three ledger entries, one change (also when the target is 0, and no adjust
    follows). A second write of the same level still counts twice."""
    store = open_store("shoplazza", catalog="synthetic:4x2", reading="adding")
    away = next(loc for loc in store.locations if not loc.default).name
    first = submit(prepare(write_sheet(tmp_path / "down.csv", [("SKU-000001", away, 3), ("SKU-000002", away, 0)]),
                           store.connector), store.connector, rate=None)
    assert first.applied == 2
    ledger = store.app.ledger()
    assert [e["op"] for e in ledger if e["sku"] == "SKU-000001"] == ["disconnect", "connect", "adjust"]
    assert [e["op"] for e in ledger if e["sku"] == "SKU-000002"] == ["disconnect", "connect"]
    one, two = (next(e["variant_id"] for e in ledger if e["sku"] == sku) for sku in ("SKU-000001", "SKU-000002"))
    assert level_changes(ledger) == {(one, away): 1, (two, away): 1}

    again = submit(prepare(write_sheet(tmp_path / "up.csv", [("SKU-000001", away, 10)]), store.connector),
                   store.connector, rate=None)
    assert again.applied == 1 and store.app.level("SKU-000001", away) == 10
    assert level_changes(store.app.ledger()) == {(one, away): 2, (two, away): 1}     # the second adjust counts


def test_one_seller_row_does_not_make_the_run_read_every_variants_seller_stock(open_store, tmp_path):
    """200 own-stock rows are one bulk write and a few reads; one more row at a seller must add a
    few requests, not one per variant of the sheet."""
    store = open_store("marketplacer", catalog="synthetic:200x2")
    own, seller = (loc.name for loc in store.locations[:2])
    rows = [(f"SKU-{i + 1:06d}", own, 100 + i) for i in range(200)]
    alone = submit(prepare(write_sheet(tmp_path / "own.csv", rows), store.connector), store.connector, rate=None)
    assert alone.applied == 200
    rows = [(sku, where, qty + 1) for sku, where, qty in rows] + [("SKU-000001", seller, 7)]
    mixed = submit(prepare(write_sheet(tmp_path / "mixed.csv", rows), store.connector), store.connector, rate=None)
    assert mixed.applied == 201
    print(f"alone {alone.requests} requests, with one seller row {mixed.requests}")
    assert mixed.requests <= alone.requests + 10, (alone.requests, mixed.requests)


class LosesOneAnswer:
    """The sandbox, except that the first request ``matches`` picks is applied and its answer lost."""

    def __init__(self, app, matches) -> None:
        self.app, self.matches, self.lost = app, matches, 0

    def handle(self, request):
        response = self.app.handle(request)
        if not self.lost and self.matches(request):
            self.lost += 1
            return Hangup()
        return response

    def __getattr__(self, name):
        return getattr(self.app, name)


def test_a_level_lowered_to_0_through_the_variant_stays_tracked_when_the_answer_is_lost(tmp_path):
    """On Shoplazza's adding store a level at the default location goes to 0 by ``PUT /variants/{id}``
    ``inventory_quantity: 0``, which also switches tracking off; Stocksheet switches it back on
    with ``PUT /inventory_items/{id}``. When the first write lands but its answer is lost (a
    commit-then-drop, or a kill -9 before the answer), the item must still end tracked."""
    app = LosesOneAnswer(create_app("shoplazza", catalog="synthetic:4x2", rate="none", reading="adding"),
                         lambda request: request.method == "PUT" and "/variants/" in request.path)
    with SandboxServer(app) as server:
        connector = platform_registry.connect("shoplazza", server.url, app.token)
        try:
            default = next(loc for loc in connector.list_locations() if loc.default).name
            preview = prepare(write_sheet(tmp_path / "zero.csv", [("SKU-000001", default, 0)]), connector)
            result = submit(preview, connector, rate=None)
            level, tracked = app.level("SKU-000001", default), app.tracking("SKU-000001")
        finally:
            connector.close()
    assert app.lost == 1 and result.applied == 1 and level == 0
    assert tracked
