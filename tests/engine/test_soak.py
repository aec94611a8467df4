"""Fault soak: thousands of changes through a store failing in every way at once.

Every registered sandbox, with 10% each of 5xx, 429 bursts, timeouts, connection resets, latency
spikes and commit-then-drop. Afterwards the live levels equal the targets for every valid row,
the emulator's own ledger shows no level changed twice, and every sheet row is accounted for.
The default run uses 600 changes per platform; ``pytest -m soak`` runs 5,000.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

import pytest

from desktop_app.core.plan import make_plan
from desktop_app.core.results import Status
from desktop_app.engine.prepare import prepare
from desktop_app.engine.retry import Backoff
from desktop_app.engine.submit import submit

from .conftest import (ALL_FAULTS, DEFAULT_READINGS, PLATFORMS, READING_CASES, level_changes, sandbox_level,
                       write_sheet)

#: every reading but each platform's default (which runs the full-size soak)
OTHER_READINGS = [pytest.param(p, r, id=f"{p}-{r}") for p, r in READING_CASES if r != DEFAULT_READINGS[p]]


def soak(open_store, tmp_path, platform: str, n: int, reading: str | None = None) -> dict[str, object]:
    store = open_store(platform, catalog=f"synthetic:{n}x2", faults=ALL_FAULTS, seed=n,
                       reading=reading or DEFAULT_READINGS[platform])
    location = store.locations[0].name
    rows = [(f"SKU-{i + 1:06d}", location, (i * 37) % 200) for i in range(n)]
    rows += [("NO-SUCH-SKU-1", location, 5), ("SKU-000001", location, "lots")]      # two invalid rows
    preview = prepare(write_sheet(tmp_path / "soak.csv", rows), store.connector)
    # bulk platforms would send 600 changes in a handful of requests: chunks of at most 4 let
    # the faults hit every platform often
    preview.plan = make_plan(preview.changes, replace(preview.capabilities, max_chunk=min(4, preview.capabilities.max_chunk)))
    planned = preview.plan.changes
    store.faults(True)
    started = time.monotonic()
    # About 45% of requests fail here (six fault kinds at 10%, 429 bursts longer): with 12 tries a
    # call gives up about once in 10^4, i.e. now and then in a 600-chunk run — the run then stops,
    # resumable, which is right for a real store but not what this test measures. 30 tries: ~1e-10.
    result = submit(preview, store.connector, rate=None, backoff=Backoff(base=0.005, cap=0.05, attempts=30))
    elapsed = time.monotonic() - started
    live = store.live(planned)

    statuses = Counter(o.status for o in result.outcomes)
    assert not result.cancelled and statuses[Status.PENDING] == 0
    assert all(o.message for o in result.outcomes if o.status is Status.FAILED)
    applied = {(o.variant_id, o.location_id) for o in result.outcomes if o.status is Status.APPLIED}
    wrong = [(c.sku, c.after, live.get((c.variant_id, c.location_id))) for c in planned
             if (c.variant_id, c.location_id) in applied and live.get((c.variant_id, c.location_id)) != c.after]
    assert wrong == []
    # … and the store's own state (its test hooks, not the connector) shows every applied target
    assert [c.sku for c in planned if sandbox_level(store.app, c) != c.after] == []
    assert result.applied == result.verified == len(planned) and result.failed == 0 and result.unverified == 0
    assert max(level_changes(store.app.ledger()).values()) == 1            # nothing applied twice
    accounted = {o.row for o in result.outcomes}
    assert accounted == {row for row, _ in preview.sheet.rows} and result.invalid == 2
    assert store.app.counts["drop"] > 0 and store.app.counts["reset"] > 0
    figures = {"platform": platform, "changes": len(planned), "requests": result.requests,
               "faults": dict(store.app.counts), "seconds": round(elapsed, 1)}
    print(figures)
    return figures


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_600_change_run_through_every_fault_lands_exactly_once(open_store, tmp_path, platform):
    soak(open_store, tmp_path, platform, 600)


@pytest.mark.soak
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_5000_change_run_through_every_fault_lands_exactly_once(open_store, tmp_path, platform):
    soak(open_store, tmp_path, platform, 5000)


@pytest.mark.parametrize(("platform", "reading"), OTHER_READINGS)
def test_a_short_run_through_every_fault_lands_exactly_once_on_every_reading_of_the_docs(
        open_store, tmp_path, platform, reading):
    soak(open_store, tmp_path, platform, 80, reading)


@pytest.mark.soak
@pytest.mark.parametrize(("platform", "reading"), OTHER_READINGS)
def test_a_5000_change_run_lands_exactly_once_on_every_reading_of_the_docs(open_store, tmp_path, platform, reading):
    soak(open_store, tmp_path, platform, 5000, reading)
