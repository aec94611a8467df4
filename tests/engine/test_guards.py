"""What the preview checks before anything is written, end to end against the sandboxes:
a token that cannot write, "on hand" columns, variants whose stock the store does not manage,
and the write paths a connector has to announce (Shoplazza) or report afterwards (Zettle)."""
from __future__ import annotations

import json

import pytest

from desktop_app.core.errors import AuthError
from desktop_app.core.results import Status
from desktop_app.engine.journal import Journal
from desktop_app.engine.prepare import prepare
from desktop_app.engine.retry import Backoff
from desktop_app.engine.submit import submit

from .conftest import write_sheet

FAST = Backoff(base=0.001, cap=0.004, attempts=3)
SHOPIFY = ["Handle", "Title", "Option1 Name", "Option1 Value", "SKU", "Location", "Committed (not editable)",
           "Available (not editable)", "On hand (current)", "On hand (new)"]


def test_a_token_that_cannot_write_is_said_in_the_dry_run_and_refused_before_any_write(open_store, tmp_path):
    store = open_store("genstore", catalog="synthetic:6x1", scopes="read_products")
    location = store.locations[0].name
    before = store.app.level("SKU-000001", location)
    preview = prepare(write_sheet(tmp_path / "s.csv", [("SKU-000001", location, before + 5)]), store.connector)
    assert preview.write_problem and "write_products" in preview.write_problem
    assert preview.write_problem in preview.result().notices          # the dry run says so
    journal = Journal(tmp_path / "journal.db")
    with pytest.raises(AuthError, match="write_products"):
        submit(preview, store.connector, backoff=FAST, journal=journal)
    assert journal.runs() == [] and store.app.level("SKU-000001", location) == before
    journal.close()


def test_an_on_hand_column_is_written_as_on_hand_minus_committed_and_is_not_stale(open_store, tmp_path):
    store = open_store("genstore", catalog="synthetic:6x1", reading="stock-states")
    location = store.locations[0].name
    available = store.app.level("SKU-000002", location)
    store.app.set_committed("SKU-000002", location, 3)
    on_hand = available + 3
    rows = [("tee", "Tee", "Size", "S", "SKU-000002", location, 3, available, on_hand, 20)]
    preview = prepare(write_sheet(tmp_path / "inventory_export.csv", rows, tuple(SHOPIFY)), store.connector)
    [change] = preview.plan.changes
    assert (change.before, change.after) == (available, 17)             # on hand 20 = 17 available + 3 committed
    result = submit(preview, store.connector, backoff=FAST, journal=Journal(tmp_path / "j.db"))
    assert result.applied == result.verified == 1 and result.stale == 0
    assert store.app.level("SKU-000002", location) == 17


def test_where_the_store_reports_no_committed_stock_the_on_hand_column_is_said_to_be_written_as_available(
        open_store, tmp_path):
    store = open_store("genstore", catalog="synthetic:6x1")
    location = store.locations[0].name
    live = store.app.level("SKU-000003", location)
    rows = [("tee", "Tee", "Size", "S", "SKU-000003", location, 0, live, live, 20)]
    preview = prepare(write_sheet(tmp_path / "inventory_export.csv", rows, tuple(SHOPIFY)), store.connector)
    assert any("does not report committed stock" in n and "On hand" in n for n in preview.result().notices)


def test_a_variant_whose_stock_the_store_does_not_manage_is_reported_not_written(open_store, tmp_path):
    store = open_store("genstore", catalog="synthetic:6x1")
    location = store.locations[0].name
    store.app.set_managed("SKU-000004", False)
    before = store.app.level("SKU-000004", location)
    sheet = write_sheet(tmp_path / "s.csv", [("SKU-000004", location, 99), ("SKU-000005", location, 98)])
    preview = prepare(sheet, store.connector)
    [issue] = [i for i in preview.issues if i.code == "stock-not-managed"]
    assert issue.row == 2 and "inventory management is off" in issue.message
    result = submit(preview, store.connector, backoff=FAST, journal=Journal(tmp_path / "j.db"))
    assert result.applied == 1 and result.invalid == 1 and result.exit_code() == 1
    assert store.app.level("SKU-000004", location) == before and store.app.level("SKU-000005", location) == 98


def test_the_preview_says_when_shoplazza_lowers_a_level_by_disconnecting_and_reconnecting(open_store, tmp_path):
    store = open_store("shoplazza", catalog="demo", reading="adding")
    outlet = next(loc for loc in store.locations if not loc.default)
    variants = store.connector.list_variants()
    live = store.connector.read_levels([v.id for v in variants], [outlet.id])
    vid, level = next(((v, lvl) for (v, _), lvl in live.items() if isinstance(lvl, int) and lvl > 1))
    sku = next(v.sku for v in variants if v.id == vid)
    preview = prepare(write_sheet(tmp_path / "s.csv", [(sku, outlet.name, level - 1)]), store.connector)
    assert any("disconnects and reconnects" in n for n in preview.result().notices)
    result = submit(preview, store.connector, backoff=FAST, journal=Journal(tmp_path / "j.db"))
    assert result.applied == result.verified == 1
    assert store.connector.read_levels([vid], [outlet.id])[(vid, outlet.id)] == level - 1


def test_zettle_says_in_the_result_which_variants_outside_the_sheet_it_set_to_0_when_tracking_started(
        open_store, tmp_path):
    catalog = tmp_path / "zettle.json"
    catalog.write_text(json.dumps({"locations": [{"name": "STORE"}], "variants": [   # hidden old balances
        {"product": "Tee", "title": "Red", "sku": "TEE-RED", "levels": {"STORE": 5}, "tracked": False},
        {"product": "Tee", "title": "Blue", "sku": "TEE-BLU", "levels": {"STORE": 3}, "tracked": False},
        {"product": "Mug", "title": "Sage", "sku": "MUG-SAGE", "levels": {"STORE": 48}}]}), encoding="utf-8")
    store = open_store("zettle", catalog=str(catalog))
    preview = prepare(write_sheet(tmp_path / "s.csv", [("TEE-RED", "STORE", 4)]), store.connector)
    [change] = preview.plan.changes
    assert change.before == "NOT_TRACKED"                         # not 0: its own state
    result = submit(preview, store.connector, backoff=FAST, journal=Journal(tmp_path / "j.db"))
    assert result.applied == result.verified == 1
    assert any("TEE-BLU" in n and "set to 0" in n for n in result.notices)
    assert (store.app.level("TEE-RED"), store.app.level("TEE-BLU")) == (4, 0)
