"""Submitting against real sandboxes over loopback HTTP: journal, sales during the run, lost
answers, cancel and resume, undo."""
from __future__ import annotations

from collections import Counter

import pytest

from desktop_app.core.progress import CancelToken
from desktop_app.core.results import Status
from desktop_app.engine import runs
from desktop_app.engine.journal import CANCELLED, FINISHED, Journal
from desktop_app.engine.prepare import ImportOptions, prepare
from desktop_app.engine.retry import Backoff
from desktop_app.engine.submit import submit
from desktop_app.sandbox.http import Request, Response

from .conftest import level_changes, write_sheet

FAST = Backoff(base=0.005, cap=0.02, attempts=10)


def sheet_for(store, tmp_path, *, n: int, header=("SKU", "Location", "Available"), qty=lambda i: 50 + i):
    location = store.locations[0].name
    return write_sheet(tmp_path / "stock.csv", [(f"SKU-{i + 1:06d}", location, qty(i)) for i in range(n)], header)


def by_sku(result):
    return {o.variant_id: o for o in result.outcomes}


def test_a_run_applies_every_change_and_the_journal_records_it(open_store, tmp_path):
    store = open_store("genstore")
    preview = prepare(sheet_for(store, tmp_path, n=12), store.connector)
    result = submit(preview, store.connector, backoff=FAST)
    assert (result.applied, result.failed, result.cancelled) == (12, 0, False)
    assert store.app.level("SKU-000003", "Warehouse 1") == 52
    [summary] = runs.history()
    assert (summary.id, summary.state, summary.applied, summary.platform) == (result.run_id, FINISHED, 12, "genstore")


def test_a_sale_between_preview_and_submit_is_not_overwritten(open_store, tmp_path):
    store = open_store("genstore")
    preview = prepare(sheet_for(store, tmp_path, n=6), store.connector)
    store.app.set_level("SKU-000002", "Warehouse 1", 3)         # a customer buys meanwhile
    result = submit(preview, store.connector, backoff=FAST)
    stale = [o for o in result.outcomes if o.status is Status.STALE]
    assert len(stale) == 1 and "now 3" in stale[0].message and result.applied == 5
    assert store.app.level("SKU-000002", "Warehouse 1") == 3
    assert result.exit_code() == 1


def test_forcing_stale_rows_writes_over_the_sale(open_store, tmp_path):
    store = open_store("genstore")
    preview = prepare(sheet_for(store, tmp_path, n=3), store.connector, ImportOptions(force_stale=True))
    store.app.set_level("SKU-000002", "Warehouse 1", 3)
    result = submit(preview, store.connector, backoff=FAST)
    assert result.applied == 3 and store.app.level("SKU-000002", "Warehouse 1") == 51


def test_an_import_forcing_stale_rows_skips_the_pre_write_read_on_an_idempotent_set(open_store, tmp_path):
    store = open_store("genstore")
    checked = prepare(sheet_for(store, tmp_path, n=5), store.connector)
    before = store.app.request_count
    submit(checked, store.connector, backoff=FAST)
    protected = store.app.request_count - before
    forced = prepare(sheet_for(store, tmp_path, n=5, qty=lambda i: 80 + i), store.connector,
                     ImportOptions(force_stale=True))
    before = store.app.request_count
    result = submit(forced, store.connector, backoff=FAST)
    assert result.applied == 5 and store.app.level("SKU-000005", "Warehouse 1") == 84
    # five writes, no pre-write reads; one read of the inventory list verifies all five
    assert store.app.request_count - before == 6 < protected


def test_an_adjust_row_whose_level_moved_still_adds_its_delta(open_store, tmp_path):
    store = open_store("genstore")
    sheet = sheet_for(store, tmp_path, n=3, header=("SKU", "Location", "Adjust"), qty=lambda i: 5)
    preview = prepare(sheet, store.connector)
    store.app.set_level("SKU-000001", "Warehouse 1", 40)
    result = submit(preview, store.connector, backoff=FAST)
    assert result.applied == 3 and store.app.level("SKU-000001", "Warehouse 1") == 45


def test_a_movement_that_landed_but_got_no_answer_is_not_sent_again(open_store, tmp_path):
    store = open_store("zettle", catalog="synthetic:30x1")
    preview = prepare(sheet_for(store, tmp_path, n=30), store.connector)
    store.app.fail_next("drop-after-commit", path_contains="bulk")
    result = submit(preview, store.connector, backoff=FAST)
    assert result.applied == len(preview.plan.changes) and result.failed == 0
    live = store.live(preview.plan.changes)
    assert all(live[(c.variant_id, c.location_id)] == c.after for c in preview.plan.changes)
    assert max(level_changes(store.app.ledger()).values()) == 1


def test_cancel_stops_after_the_requests_in_flight_and_resume_finishes_exactly_once(open_store, tmp_path):
    store = open_store("genstore", catalog="synthetic:60x1")
    preview = prepare(sheet_for(store, tmp_path, n=60), store.connector)
    cancel = CancelToken()
    result = submit(preview, store.connector, rate=None, backoff=FAST, cancel=cancel,
                    progress=lambda p: cancel.cancel() if p.done >= 10 else None)
    pending = [o for o in result.outcomes if o.status is Status.PENDING]
    assert result.cancelled and result.exit_code() == 3 and pending
    assert all(o.code == "not-applied" for o in pending) and result.applied + len(pending) == 60
    assert Journal().run(result.run_id).state == CANCELLED
    untouched = store.live([c for c in preview.plan.changes if c.variant_id in {o.variant_id for o in pending}])
    assert all(untouched[(o.variant_id, o.location_id)] == o.before for o in pending)

    resumed = runs.resume(result.run_id, store.connector, backoff=FAST)
    assert (resumed.applied, resumed.cancelled, resumed.run_id) == (60, False, result.run_id)
    assert max(level_changes(store.app.ledger()).values()) == 1
    with pytest.raises(Exception, match="already finished"):
        runs.resume(result.run_id, store.connector)


def test_undo_restores_the_before_values_as_a_run_that_can_itself_be_undone(open_store, tmp_path):
    store = open_store("genstore")
    preview = prepare(sheet_for(store, tmp_path, n=5), store.connector)
    before = {c.sku: c.before for c in preview.plan.changes}
    result = submit(preview, store.connector, backoff=FAST)
    undone = runs.undo(result.run_id, store.connector, backoff=FAST)
    assert undone.applied == 5 and {s: store.app.level(s, "Warehouse 1") for s in before} == before
    redone = runs.undo(undone.run_id, store.connector, backoff=FAST)
    assert redone.applied == 5 and store.app.level("SKU-000001", "Warehouse 1") == 50
    kinds = {r.id: (r.kind, r.undoes) for r in runs.history()}
    assert kinds[undone.run_id] == ("undo", result.run_id) and kinds[redone.run_id] == ("undo", undone.run_id)


def test_undo_leaves_levels_that_sold_since_the_run_alone_unless_forced(open_store, tmp_path):
    store = open_store("genstore")
    preview = prepare(sheet_for(store, tmp_path, n=3), store.connector)
    result = submit(preview, store.connector, backoff=FAST)
    store.app.set_level("SKU-000001", "Warehouse 1", 49)         # sold one after the import
    undone = runs.undo(result.run_id, store.connector, backoff=FAST)
    assert (undone.applied, undone.stale) == (2, 1) and store.app.level("SKU-000001", "Warehouse 1") == 49
    forced = runs.undo(result.run_id, store.connector, force=True, backoff=FAST)
    original = next(c.before for c in preview.plan.changes if c.sku == "SKU-000001")
    assert forced.applied == 1 and store.app.level("SKU-000001", "Warehouse 1") == original


class StatusCount:
    """Counts the statuses a sandbox answers (to see whether any 429 happened)."""

    def __init__(self, app) -> None:
        self.app, self.statuses = app, Counter()
        self.platform, self.token = app.platform, app.token

    def handle(self, request: Request) -> Response:
        response = self.app.handle(request)
        self.statuses[response.status] += 1
        return response

    def __getattr__(self, name):
        return getattr(self.app, name)


def test_the_limiter_keeps_a_rate_limited_store_from_answering_429(open_store, tmp_path):
    store = open_store("genstore", catalog="synthetic:80x1", rate="5/40")
    preview = prepare(sheet_for(store, tmp_path, n=80), store.connector)
    counting = StatusCount(store.app)
    store.server.app = counting
    result = submit(preview, store.connector, rate=(5, 40.0), backoff=FAST)
    # prepare's reads drained the store's bucket just before; at most the first requests in flight
    # meet a 429 (and are retried), then the limiter is in step with the store
    assert result.applied == 80 and counting.statuses[429] <= store.connector.capabilities.max_in_flight


def test_the_journal_holds_every_row_of_the_run_unchanged_ones_too_in_sheet_order(open_store, tmp_path):
    store = open_store("genstore")
    location = store.locations[0].name
    live = [store.app.level(f"SKU-{i + 1:06d}", location) for i in range(6)]
    preview = prepare(sheet_for(store, tmp_path, n=6, qty=lambda i: live[i] if i % 2 else live[i] + 5),
                      store.connector)
    result = submit(preview, store.connector, backoff=FAST)
    assert (result.applied, result.unchanged) == (3, 3)
    journal = Journal()
    try:
        entries = journal.entries(result.run_id)
    finally:
        journal.close()
    assert [e.seq for e in entries] == list(range(6))
    assert [e.change.row for e in entries] == [c.row for c in preview.changes]
    assert [e.state for e in entries] == ["applied", "unchanged"] * 3
