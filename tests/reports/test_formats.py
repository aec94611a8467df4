"""What a person sees when they open a report: XLSX styling, text ids, number formats,
conditional formats, the Summary sheet and its chart; CSV encodings and delimiters; formula-like
text neutralised while numbers (negative stock included) stay numbers."""
from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from desktop_app.engine.export import ExportOptions, write_stock_report
from desktop_app.sheets.reader import read_sheet

from .conftest import assert_imports_unchanged, read_csv

FORMULA_NAME = '=HYPERLINK("http://evil","Free gift")'


@pytest.fixture
def genstore(demo_store):
    store = demo_store("genstore")
    store.app.set_level("TS-NVY-S", "Main Warehouse", -3)      # negative stock: a number, not text
    store.app.set_level("MUG-CHAR", "Main Warehouse", 0)
    return store


def test_the_xlsx_stock_sheet_is_styled_filtered_and_frozen(genstore, tmp_path):
    path = tmp_path / "stock.xlsx"
    write_stock_report(genstore.connector, path, options=ExportOptions(low_stock=6))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Stock", "Summary"]
    sheet = book["Stock"]
    header = sheet[1]
    assert [c.value for c in header][:8] == ["Product", "Variant title", "SKU", "Barcode", "Variant ID", "Product ID",
                                              "Location", "Available"]
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("1F4E5A") for c in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["A"] > widths["H"] >= 8       # product names are wider than levels
    rows = {(r[2].value, r[6].value): r for r in sheet.iter_rows(min_row=2)}
    row = rows[("MUG-SAGE", "Main Warehouse")]
    for cell in row[2:6]:                       # SKU, barcode, ids: text cells, text-formatted
        assert cell.data_type == "s" and cell.number_format == "@"
    assert row[3].value == "0012345600074"      # leading zeros kept
    negative = rows[("TS-NVY-S", "Main Warehouse")][7]
    assert negative.value == -3 and negative.data_type == "n" and negative.number_format == "0;-0;0"
    rules = [r.formula[0] for rng in sheet.conditional_formatting for r in rng.rules]
    assert rules == ["AND(ISNUMBER($H2),$H2<0)", "AND(ISNUMBER($H2),$H2=0)",
                     "AND(ISNUMBER($H2),ISNUMBER($J2),$H2<=$J2)"]
    assert [str(rng.sqref) for rng in sheet.conditional_formatting] == [f"A2:J{sheet.max_row}"]


def test_a_formula_like_name_is_a_quote_prefixed_string_and_reads_back_exactly(genstore, tmp_path):
    path = tmp_path / "stock.xlsx"
    write_stock_report(genstore.connector, path)
    sheet = openpyxl.load_workbook(path)["Stock"]
    cell = next(r[0] for r in sheet.iter_rows(min_row=2) if r[2].value == "FREE-GIFT")
    assert cell.value == FORMULA_NAME and cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")       # no formula anywhere
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Stock").to_python()
    assert [FORMULA_NAME] == [r[0] for r in values if r[2] == "FREE-GIFT"]
    assert_imports_unchanged(path, genstore.connector)


def test_the_summary_sheet_names_store_time_filters_and_counts_per_location(genstore, tmp_path):
    path = tmp_path / "stock.xlsx"
    write_stock_report(genstore.connector, path, options=ExportOptions(low_stock=6, locations=("Main Warehouse", "Outlet Store")))
    sheet = openpyxl.load_workbook(path)["Summary"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    meta = {r[0]: r[1] for r in rows if r[0] and r[1] is not None and not isinstance(r[1], int)}
    assert meta["Store"] == genstore.url and meta["Platform"] == "Genstore"
    assert meta["Exported"][:4].isdigit() and meta["Locations"] == "Main Warehouse, Outlet Store"
    assert meta["Low stock at or below"] == "6" and meta["Layout"] == "long"
    head = next(i for i, r in enumerate(rows) if r[0] == "Location")
    table = {r[0]: r[1:] for r in rows[head + 1:] if r[0]}
    stock = read_sheet(path).rows
    main = [c[7] for _, c in stock if c[6] == "Main Warehouse"]
    units, stocked, zero, negative, low = table["Main Warehouse"][:5]
    assert (units, stocked, zero, negative) == (sum(main), len(main), main.count(0), 1)
    assert low == len([q for q in main if 0 < q <= 6])
    assert "Pop-up" not in table and table["Total"][0] == sum(c[7] for _, c in stock)
    chart, = sheet._charts
    assert chart.tagname == "barChart"


def test_csv_has_a_bom_by_default_and_none_with_no_bom(genstore, tmp_path):
    with_bom, without = tmp_path / "a.csv", tmp_path / "b.csv"
    write_stock_report(genstore.connector, with_bom)
    write_stock_report(genstore.connector, without, options=ExportOptions(bom=False))
    assert with_bom.read_bytes().startswith(codecs.BOM_UTF8)
    assert not without.read_bytes().startswith(codecs.BOM_UTF8)
    assert without.read_bytes() == with_bom.read_bytes()[3:]
    assert "Ünïcode Enamel Pin — 日本" in without.read_text(encoding="utf-8")
    assert_imports_unchanged(without, genstore.connector)


def test_csv_with_a_semicolon_keeps_plain_values_and_neutralises_formulas(genstore, tmp_path):
    path = tmp_path / "stock.csv"
    write_stock_report(genstore.connector, path, options=ExportOptions(delimiter=";"))
    rows = read_csv(path, delimiter=";")
    assert rows[0][:3] == ["Product", "Variant title", "SKU"]
    by_sku = {(r[2], r[6]): r for r in rows[1:]}
    assert by_sku[("FREE-GIFT", "Main Warehouse")][0] == "'" + FORMULA_NAME
    assert by_sku[("TS-NVY-S", "Main Warehouse")][7] == "-3"           # a number, not '-3
    assert by_sku[("MUG-SAGE", "Main Warehouse")][3] == "0012345600074"
    sheet = read_sheet(path)
    assert sheet.delimiter == ";" and FORMULA_NAME in [c[0] for _, c in sheet.rows]
    assert_imports_unchanged(path, genstore.connector)


def test_a_negative_title_that_is_text_stays_text_and_round_trips(demo_store, tmp_path):
    store = demo_store("shoplazza")
    store.app.set_level("TOTE-NAT", "Outlet Store", -2)
    for ext in (".xlsx", ".csv"):
        path = tmp_path / f"stock{ext}"
        write_stock_report(store.connector, path)
        rows = [c for _, c in read_sheet(path).rows if c[2] == "TOTE-NAT"]
        assert {(c[0], c[1]) for c in rows} == {("@Canvas Tote Bag =SUM(A1)", "-1 Natural (seconds)")}
        assert sorted(int(c[7]) for c in rows) == [-2, 9, 60]
        assert_imports_unchanged(path, store.connector)
    text = (tmp_path / "stock.csv").read_text(encoding="utf-8-sig")
    assert "'-1 Natural (seconds)" in text and "'@Canvas Tote Bag" in text and ",-2," in text


def test_committed_and_on_hand_appear_where_the_store_reports_them(demo_store, tmp_path):
    store = demo_store("genstore", reading="stock-states")
    path = tmp_path / "stock.xlsx"
    write_stock_report(store.connector, path)
    sheet = read_sheet(path)
    assert sheet.headers[7:11] == ["Available", "Location ID (not editable)", "On hand (not editable)", "Committed"]
    row = next(c for _, c in sheet.rows if c[2] == "MUG-SAGE" and c[6] == "Main Warehouse")
    assert (row[7], row[9], row[10]) == (48, 50, 2)        # available, on hand = available + committed, committed
    assert_imports_unchanged(path, store.connector)
    plain = demo_store("genstore")                         # the docs' examples show available only
    write_stock_report(plain.connector, tmp_path / "plain.xlsx")
    assert "Committed" not in read_sheet(tmp_path / "plain.xlsx").headers
