"""Every layout of every platform's demo store imports back: unedited, zero changes; with some
levels edited (in openpyxl or the csv module, as a person's spreadsheet would), exactly those."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop_app.core.issues import FOOTER

from desktop_app.engine.export import ExportOptions, write_stock_report
from desktop_app.engine.prepare import prepare
from desktop_app.sheets.reader import read_sheet

from .conftest import PLATFORMS, assert_imports_unchanged, changes, read_csv, write_csv

LAYOUTS = ["long", "wide", "low-stock"]


@pytest.mark.parametrize("ext", [".xlsx", ".csv"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_unedited_report_imports_back_as_zero_changes(demo_store, tmp_path, platform, layout, ext):
    store = demo_store(platform)
    path = tmp_path / f"stock{ext}"
    result = write_stock_report(store.connector, path, options=ExportOptions(layout=layout, low_stock=8))
    assert result.rows > 0
    preview = assert_imports_unchanged(path, store.connector)
    assert len(preview.changes) == result.levels


def _edits(headers: list[str], rows: list[list[Any]], *, layout: str) -> tuple[list[tuple[int, int, int]], dict]:
    """Three level cells to change: (row index, column index, new value), and the expected changes."""
    vid = headers.index("Variant ID")
    if layout == "wide":
        cells = [(i, headers.index(h), h.removeprefix("Available: ")) for h in headers
                 if h not in ("Product", "Variant title", "SKU", "Barcode", "Variant ID", "External ID", "Product ID",
                              "Total", "Low stock at") for i in range(len(rows))]
    else:
        loc, qty = headers.index("Location"), headers.index("Available")
        cells = [(i, qty, rows[i][loc]) for i in range(len(rows))]
    edits, expected = [], {}
    for i, col, location in cells:
        value = rows[i][col]
        if not rows[i][vid] or isinstance(value, str) and not value.lstrip("-").isdigit() or value in (None, ""):
            continue
        new = int(value) + 5 if len(edits) != 1 else max(int(value) - 1, 0)
        if new == int(value):
            continue
        edits.append((i, col, new))
        expected[(str(rows[i][vid]), location)] = new
        if len(edits) == 3:
            break
    assert len(edits) == 3
    return edits, expected


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_editing_levels_in_an_xlsx_report_changes_exactly_those(demo_store, tmp_path, platform, layout):
    store = demo_store(platform)
    path = tmp_path / "stock.xlsx"
    write_stock_report(store.connector, path, options=ExportOptions(layout=layout, low_stock=8))
    book = openpyxl.load_workbook(path)
    sheet = book["Stock"]
    grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    edits, expected = _edits([str(h) for h in grid[0]], grid[1:], layout=layout)
    for i, col, new in edits:
        sheet.cell(row=i + 2, column=col + 1, value=new)
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    assert changes(prepare(edited, store.connector)) == expected


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_editing_levels_in_a_csv_report_changes_exactly_those(demo_store, tmp_path, platform, layout):
    store = demo_store(platform)
    path = tmp_path / "stock.csv"
    write_stock_report(store.connector, path, options=ExportOptions(layout=layout, low_stock=8, delimiter=";"))
    grid = read_csv(path, delimiter=";")
    edits, expected = _edits(grid[0], grid[1:], layout=layout)
    for i, col, new in edits:
        grid[i + 1][col] = str(new)
    edited = tmp_path / "edited.csv"
    write_csv(edited, grid, delimiter=";")
    assert changes(prepare(edited, store.connector)) == expected


def test_the_wide_total_row_is_not_a_row_without_a_sku(demo_store, tmp_path):
    store = demo_store("genstore")
    path = tmp_path / "wide.csv"
    write_stock_report(store.connector, path, options=ExportOptions(layout="wide"))
    last = read_csv(path)[-1]
    assert last[0] == "Total" and last[2:5] == ["", "", ""]
    preview = prepare(path, store.connector)
    total_row = read_sheet(path).rows[-1][0]
    footers = [i.row for i in preview.issues if i.code == FOOTER]        # skipped with a note
    assert (total_row in preview.skipped or footers == [total_row]) and \
        [i for i in preview.issues if i.code != FOOTER] == []


def test_a_product_named_like_a_formula_survives_export_and_import(demo_store, tmp_path):
    store = demo_store("zettle")
    for ext in (".xlsx", ".csv"):
        path = tmp_path / f"stock{ext}"
        write_stock_report(store.connector, path)
        sheet = read_sheet(path)
        products = [cells[0] for _, cells in sheet.rows]
        assert "=SUM(A1)" in products
        assert_imports_unchanged(path, store.connector)
