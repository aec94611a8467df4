"""Extraction: sheet rows become StockRows, blanks are skipped or reported, bad rows are issues."""
from __future__ import annotations

import pytest

from desktop_app.core import issues
from desktop_app.core.errors import MappingError
from desktop_app.core.mapping import detect_mapping
from desktop_app.core.models import CellError, KeyKind, Mode
from desktop_app.core.rows import clean_key, extract_rows

SHOPIFY = ["Handle", "Title", "Option1 Name", "Option1 Value", "SKU", "Location", "Available (not editable)",
           "On hand (current)", "On hand (new)"]


def extract(sheet, **kw):
    locations = kw.pop("location_names", ())
    return extract_rows(sheet, detect_mapping(sheet.headers, location_names=locations), **kw)


def test_shopify_rows_with_blank_on_hand_new_are_skipped_not_invalid(sheet):
    s = sheet(SHOPIFY, [
        ["tee", "Tee", "Size", "S", "TS-RED-S", "Main Warehouse", 3, 5, 7],
        ["tee", "Tee", "Size", "M", "TS-RED-M", "Main Warehouse", 1, 2, None],
        ["tee", "Tee", "Size", "L", "TS-RED-L", "Berlin Store", 0, "not stocked", "4"],
    ])
    rows, found, skipped = extract(s)
    assert found == [] and skipped == [3]
    assert [(r.row, r.key, r.location_ref, r.mode, r.quantity, r.seen) for r in rows] == [
        (2, "TS-RED-S", "Main Warehouse", Mode.SET, 7, 5),
        (4, "TS-RED-L", "Berlin Store", Mode.SET, 4, None),
    ]
    assert rows[0].column == "On hand (new)" and rows[0].key_column == "SKU" and rows[0].location_column == "Location"


def test_shopify_not_stocked_target_is_carried_as_none(sheet):
    s = sheet(SHOPIFY, [["tee", "Tee", "Size", "S", "TS-RED-S", "Main Warehouse", 3, 5, "not stocked"]])
    rows, found, _ = extract(s)
    assert found == [] and rows[0].quantity is None


def test_wide_row_yields_one_stock_row_per_filled_location_and_skips_all_blank_rows(sheet):
    s = sheet(["SKU", "Main Warehouse", "Berlin Store", "Adjust: Lyon"], [
        ["TS-RED-S", 5, None, "+2"],
        ["TS-RED-M", None, None, None],
        ["TS-BLUE-S", None, "0", None],
    ])
    rows, found, skipped = extract(s, location_names=["Main Warehouse", "Berlin Store"])
    assert found == [] and skipped == [3]
    assert [(r.row, r.location_ref, r.mode, r.quantity, r.location_column) for r in rows] == [
        (2, "Main Warehouse", Mode.SET, 5, None), (2, "Lyon", Mode.ADJUST, 2, None),
        (4, "Berlin Store", Mode.SET, 0, None)]


def test_long_sheet_blank_quantity_is_an_issue_unless_told_blanks_skip(sheet):
    s = sheet(["SKU", "Location", "Available"], [["TS-RED-S", "Main Warehouse", None]])
    rows, found, skipped = extract(s)
    assert rows == [] and skipped == []
    assert (found[0].row, found[0].column, found[0].code) == (2, "Available", issues.QTY_BLANK)
    assert "delete the row" in found[0].hint
    assert extract(s, blank_skips=True)[2] == [2]


def test_bad_quantity_in_one_location_column_makes_the_whole_row_invalid(sheet):
    s = sheet(["SKU", "Available: Main", "Available: Lyon"], [["TS-RED-S", 5, "2.5"], ["TS-RED-M", 1, 2]])
    rows, found, _ = extract(s)
    assert [r.row for r in rows] == [3, 3]
    assert [(i.row, i.column, i.code) for i in found] == [(2, "Available: Lyon", issues.QTY_NOT_INTEGER)]
    assert "'2.5' is not a whole number" in found[0].message


def test_set_and_adjust_filled_on_one_row_is_a_conflict_but_either_alone_is_fine(sheet):
    s = sheet(["SKU", "Location", "Available", "Adjust"], [
        ["TS-RED-S", "Main", 5, -1], ["TS-RED-M", "Main", 5, None], ["TS-BLUE-S", "Main", None, "-1"]])
    rows, found, _ = extract(s)
    assert [(i.row, i.code) for i in found] == [(2, issues.QTY_CONFLICT)]
    assert "Both 'Available' (5) and 'Adjust' (-1) are filled" in found[0].message
    assert [(r.row, r.mode, r.quantity) for r in rows] == [(3, Mode.SET, 5), (4, Mode.ADJUST, -1)]


def test_key_is_the_first_filled_of_sku_barcode_variant_id_and_the_others_are_alt_keys(sheet):
    s = sheet(["Variant ID", "Barcode", "SKU", "Location", "Qty"], [
        ["1001", "0012345678905", "TS-RED-S", "Main", 1],
        [1002, 4006381333931, None, "Main", 1],
        ["1003", None, None, "Main", 1],
    ])
    rows, found, _ = extract(s)
    assert found == []
    assert [(r.key_kind, r.key, r.key_column) for r in rows] == [
        (KeyKind.SKU, "TS-RED-S", "SKU"), (KeyKind.BARCODE, "4006381333931", "Barcode"),
        (KeyKind.VARIANT_ID, "1003", "Variant ID")]
    assert rows[0].alt_keys == {KeyKind.BARCODE: "0012345678905", KeyKind.VARIANT_ID: "1001"}


def test_forced_key_uses_only_that_column(sheet):
    s = sheet(["SKU", "Barcode", "Location", "Qty"], [["TS-RED-S", None, "Main", 1]])
    rows, found, _ = extract(s, key=KeyKind.BARCODE)
    assert rows == [] and [(i.code, i.column) for i in found] == [(issues.KEY_MISSING, "Barcode")]
    assert found[0].message == "The row has no barcode."


def test_forced_key_without_its_column_is_a_mapping_error(sheet):
    s = sheet(["SKU", "Location", "Qty"], [["TS-RED-S", "Main", 1]], path="shop.csv")
    with pytest.raises(MappingError, match="The sheet in 'shop.csv' has no barcode column"):
        extract(s, key=KeyKind.BARCODE)


def test_row_without_any_key_or_with_an_error_cell_key_is_an_issue(sheet):
    s = sheet(["SKU", "Barcode", "Location", "Qty"], [[None, None, "Main", 1], [CellError("#N/A"), None, "Main", 1]])
    rows, found, _ = extract(s)
    assert rows == []
    assert [(i.row, i.code) for i in found] == [(2, issues.KEY_MISSING), (3, issues.KEY_MISSING)]
    assert found[0].message == "The row has no SKU or barcode."
    assert "#N/A" in found[1].message


def test_missing_location_cell_is_an_issue_with_a_hint_unless_single_location(sheet):
    s = sheet(["SKU", "Location", "Qty"], [["TS-RED-S", None, 1]])
    rows, found, _ = extract(s)
    assert rows == [] and found[0].code == issues.LOCATION_MISSING and found[0].hint
    rows, found, _ = extract(s, single_location=True)
    assert found == [] and rows[0].location_ref is None


def test_sheet_without_location_column_needs_a_single_location_store(sheet):
    s = sheet(["SKU", "Qty"], [["TS-RED-S", 1]], path="one.csv")
    with pytest.raises(MappingError, match="No location column found in 'one.csv'"):
        extract(s)
    rows, found, _ = extract(s, single_location=True)
    assert found == [] and rows[0].location_ref is None and rows[0].location_column is None


def test_seen_value_that_is_not_a_number_invalidates_the_row(sheet):
    s = sheet(SHOPIFY, [["tee", "Tee", "Size", "S", "TS-RED-S", "Main", 3, "five", 7]])
    rows, found, _ = extract(s)
    assert rows == [] and [(i.code, i.column) for i in found] == [(issues.SEEN_NOT_INTEGER, "On hand (current)")]


def test_infinite_is_read_only_when_the_platform_supports_it(sheet):
    s = sheet(["SKU", "Location", "Available"], [["TS-RED-S", "Main", "INFINITE"]])
    rows, found, _ = extract(s)
    assert rows == [] and found[0].code == issues.UNSUPPORTED
    rows, found, _ = extract(s, allow_infinite=True)
    assert found == [] and rows[0].quantity == "INFINITE"


def test_adjust_column_never_accepts_infinite(sheet):
    s = sheet(["SKU", "Location", "Adjust"], [["TS-RED-S", "Main", "INFINITE"]])
    rows, found, _ = extract(s, allow_infinite=True)
    assert rows == [] and found[0].code == issues.UNSUPPORTED


@pytest.mark.parametrize("value, expected", [
    ("  TS-RED-S ", "TS-RED-S"), ("", None), (None, None), (12345678905, "12345678905"),
    (1234570000000.0, "1234570000000"), (6.04253696473177e17, "604253696473177000"),
    ("'0012345678905", "0012345678905"), ('="0012345678905"', "0012345678905"),
    ("'s-Hertogenbosch", "'s-Hertogenbosch"), (12.5, "12.5"),
])
def test_clean_key_undoes_spreadsheet_formatting(value, expected):
    assert clean_key(value) == expected


def test_matrixify_sheet_blank_cells_mean_no_change_and_adjust_columns_are_deltas(sheet):
    s = sheet(["Variant SKU", "Variant Barcode", "Inventory Available: Main Warehouse",
               "Inventory Available Adjust: Berlin Store"], [
        ["TS-RED-S", "0012345678905", None, "-2"],
        ["TS-RED-M", None, None, None],
        [None, 5901234123457, 8, None],
    ])
    rows, found, skipped = extract(s)
    assert found == [] and skipped == [3]
    assert [(r.row, r.key_kind, r.key, r.location_ref, r.mode, r.quantity) for r in rows] == [
        (2, KeyKind.SKU, "TS-RED-S", "Berlin Store", Mode.ADJUST, -2),
        (4, KeyKind.BARCODE, "5901234123457", "Main Warehouse", Mode.SET, 8)]
