"""Filters and low stock: --locations, --changed-since where the platform can filter by update
time (and a clear sentence where it cannot), --low-stock, --only-low, per-variant thresholds."""
from __future__ import annotations

from datetime import datetime, timezone

import httpx
import openpyxl
import pytest

from desktop_app.cli import main
from desktop_app.core.errors import InputError
from desktop_app.engine.export import ExportOptions, write_stock_report
from desktop_app.sheets.reader import read_sheet

from .conftest import PLATFORMS, assert_imports_unchanged, changes, read_csv


def _levels(path) -> list[tuple[str, str, object]]:
    """(SKU, location, Available) of a long report."""
    sheet = read_sheet(path)
    sku, loc, qty = (sheet.headers.index(h) for h in ("SKU", "Location", "Available"))
    return [(c[sku], c[loc], c[qty]) for _, c in sheet.rows]


def test_locations_keeps_only_the_named_locations_in_every_layout(demo_store, tmp_path):
    store = demo_store("genstore")
    long, wide = tmp_path / "long.xlsx", tmp_path / "wide.csv"
    write_stock_report(store.connector, long, options=ExportOptions(locations=("outlet store", "Pop-up")))
    assert {loc for _, loc, _ in _levels(long)} == {"Outlet Store", "Pop-up"}
    write_stock_report(store.connector, wide, options=ExportOptions(layout="wide", locations=("Pop-up",)))
    assert read_csv(wide)[0][-2:] == ["Pop-up", "Total"]
    for path in (long, wide):
        assert_imports_unchanged(path, store.connector)


def test_an_unknown_location_is_refused_with_the_store_locations_named(demo_store, tmp_path):
    store = demo_store("shoplazza")
    with pytest.raises(InputError) as caught:
        write_stock_report(store.connector, tmp_path / "x.xlsx", options=ExportOptions(locations=("Main Warehouse", "Attic")))
    message = str(caught.value)
    assert "no location 'Attic'" in message and "Main Warehouse, Outlet Store, Pop-up" in message
    assert not (tmp_path / "x.xlsx").exists()


def test_changed_since_on_shoplazza_asks_the_store_for_the_levels_changed_since(demo_store, tmp_path):
    store = demo_store("shoplazza")
    since = datetime.now(timezone.utc).replace(microsecond=0)
    store.app.set_level("MUG-CHAR", "Outlet Store", 11)      # changed now; the rest were seeded in January
    store.app.set_level("TOTE-NAT", "Main Warehouse", 59)
    path = tmp_path / "changed.xlsx"
    result = write_stock_report(store.connector, path, options=ExportOptions(changed_since=since))
    assert sorted(_levels(path)) == [("MUG-CHAR", "Outlet Store", 11), ("TOTE-NAT", "Main Warehouse", 59)]
    assert result.levels == 2
    sheet = read_sheet(path)
    updated = sheet.headers.index("Last updated")
    assert all(c[updated] >= since.strftime("%Y-%m-%dT%H:%M:%SZ") for _, c in sheet.rows)
    assert_imports_unchanged(path, store.connector)
    floor = since.strftime("%Y-%m-%dT%H:%M:%SZ")           # the store itself filters (updated_at_min)
    answer = httpx.get(f"{store.url}/openapi/2026-01/inventory_levels", params={"updated_at_min": floor},
                       headers={"Access-Token": store.app.token}).json()
    assert len(answer["data"]["inventory_levels"]) == 2
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Changed since"].startswith(since.astimezone().strftime("%Y-%m-%d %H:%M"))


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p != "shoplazza"])
def test_changed_since_where_the_platform_cannot_filter_says_so_before_reading_stock(demo_store, tmp_path, platform):
    store = demo_store(platform)
    with pytest.raises(InputError) as caught:
        write_stock_report(store.connector, tmp_path / "x.csv", options=ExportOptions(changed_since=datetime(2026, 1, 1).astimezone()))
    assert "--changed-since can't be used" in str(caught.value)
    assert store.connector.capabilities.display_name in str(caught.value)


def test_low_stock_highlights_and_only_low_keeps_levels_at_or_below_it(demo_store, tmp_path):
    store = demo_store("genstore")
    store.app.set_level("TS-BLK-S", "Main Warehouse", -1)
    path = tmp_path / "low.xlsx"
    write_stock_report(store.connector, path, options=ExportOptions(low_stock=4, only_low=True))
    levels = _levels(path)
    assert levels and all(q <= 4 for _, _, q in levels) and ("TS-BLK-S", "Main Warehouse", -1) in levels
    everything = tmp_path / "all.xlsx"
    write_stock_report(store.connector, everything, options=ExportOptions(low_stock=4))
    assert sorted(levels) == sorted(x for x in _levels(everything) if isinstance(x[2], int) and x[2] <= 4)
    low_layout = tmp_path / "layout.csv"
    write_stock_report(store.connector, low_layout, options=ExportOptions(layout="low-stock", low_stock=4))
    ordered = [int(r[7]) for r in read_csv(low_layout)[1:]]
    assert ordered == sorted(ordered) and ordered[0] == -1
    summary = openpyxl.load_workbook(path)["Summary"]
    main = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Main Warehouse")
    assert main[4] == 1                               # below zero, counted apart from low


def test_per_variant_thresholds_come_back_from_a_previous_report(demo_store, tmp_path):
    store = demo_store("genstore")
    first = tmp_path / "first.xlsx"
    write_stock_report(store.connector, first, options=ExportOptions(low_stock=2))
    book = openpyxl.load_workbook(first)
    sheet = book["Stock"]
    headers = [c.value for c in sheet[1]]
    sku, threshold = headers.index("SKU") + 1, headers.index("Low stock at") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, sku).value == "CANDLE-CREME":
            sheet.cell(row, threshold, 100)          # the buyer wants to know early for candles
    book.save(first)
    second = tmp_path / "second.csv"
    write_stock_report(store.connector, second, options=ExportOptions(thresholds=first, low_stock=2, only_low=True))
    assert {("CANDLE-CREME", "Main Warehouse", "35"), ("CANDLE-CREME", "Outlet Store", "8")} <= \
        {(r[2], r[6], r[7]) for r in read_csv(second)[1:]}
    assert_imports_unchanged(second, store.connector)


def test_the_cli_export_flags_reach_the_report(demo_store, tmp_path, monkeypatch, capsys):
    store = demo_store("genstore")
    monkeypatch.setenv("STOCKSHEET_TOKEN", store.app.token)
    out = tmp_path / "wide.csv"
    code = main(["export", "--platform", "genstore", "--url", store.url, "-o", str(out), "--layout", "wide",
                 "--locations", "Main Warehouse,Outlet Store", "--no-bom", "--delimiter", ";", "--json"])
    assert code == 0
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_csv(out, delimiter=";")[0][-3:] == ["Main Warehouse", "Outlet Store", "Total"]
    assert changes(assert_imports_unchanged(out, store.connector)) == {}
    code = main(["export", "--platform", "genstore", "--url", store.url, "-o", str(out), "--changed-since", "2026-01-01"])
    err = capsys.readouterr().err
    assert code == 2 and "Genstore cannot tell which stock levels changed" in err
    code = main(["export", "--platform", "genstore", "--url", store.url, "-o", str(out), "--changed-since", "yesterday"])
    assert code == 2 and "is not a date" in capsys.readouterr().err
    code = main(["export", "--platform", "genstore", "--url", store.url, "-o", str(out), "--only-low"])
    assert code == 2 and "needs a threshold" in capsys.readouterr().err
