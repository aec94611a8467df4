"""write_report: the user's sheet plus Row/Status/Error/Hint, in the input's format, re-importable."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from desktop_app.core.results import RowOutcome, Status, sheet_status
from desktop_app.sheets import REPORT_COLUMNS, default_report_path, read_sheet, write_report


def wide_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Levels"
    ws.append(["Inventory export"])
    ws.append([])
    ws.append(["SKU", "Title", "Outlet", "Main"])
    ws.append(["A-1", "Tea", 5, 7])
    ws.append(["A-2", "=cheap", -2, 4])
    ws.append(["A-3", "Coffee", 3, 1])
    ws.append(["A-4", "Mugs", 0, 2])
    ws["B5"].data_type = "s"  # text that looks like a formula, as Excel keeps a '-prefixed entry
    wb.save(path)
    return path


def outcomes_for_wide_sheet():
    return sheet_status([
        RowOutcome(row=4, status=Status.APPLIED, column="Outlet"),
        RowOutcome(row=4, status=Status.APPLIED, column="Main"),
        RowOutcome(row=5, status=Status.INVALID, column="Outlet", code="negative",
                   message="-2 is not a stock level", hint="Use a number of 0 or more."),
        RowOutcome(row=5, status=Status.FAILED, column="Main", code="http-500",
                   message="the store answered 500", hint="Run the import again to retry."),
        RowOutcome(row=6, status=Status.STALE, column="Outlet", message="changed in the store since export",
                   hint="Export again."),
        RowOutcome(row=6, status=Status.UNCHANGED, column="Main"),
        RowOutcome(row=7, status=Status.UNCHANGED, column="Outlet"),
    ])


def read_rows(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_xlsx_report_has_the_sheet_columns_plus_row_status_error_hint_for_problem_rows(tmp_path):
    sheet = read_sheet(wide_xlsx(tmp_path / "levels.xlsx"))
    out = default_report_path(sheet.path)
    assert out == tmp_path / "levels.errors.xlsx"
    written = write_report(out, sheet, outcomes_for_wide_sheet())
    assert written == 2
    rows = read_rows(out)
    assert rows[0] == ["SKU", "Title", "Outlet", "Main", "Row", "Status", "Error", "Hint"]
    assert rows[1] == ["A-2", "=cheap", -2, 4, 5, "invalid",
                       "Outlet: -2 is not a stock level; Main: the store answered 500",
                       "Outlet: Use a number of 0 or more.; Main: Run the import again to retry."]
    assert rows[2] == ["A-3", "Coffee", 3, 1, 6, "stale", "changed in the store since export", "Export again."]


def test_fixed_report_reimports_with_the_same_columns_and_values(tmp_path):
    sheet = read_sheet(wide_xlsx(tmp_path / "levels.xlsx"))
    out = tmp_path / "levels.errors.xlsx"
    write_report(out, sheet, outcomes_for_wide_sheet())
    again = read_sheet(out)
    assert again.headers[:4] == sheet.headers and again.headers[4:] == REPORT_COLUMNS
    assert [cells[:4] for _, cells in again.rows] == [sheet.rows[1][1], sheet.rows[2][1]]
    assert type(again.rows[0][1][2]) is int


def test_report_of_a_report_replaces_the_old_status_columns(tmp_path):
    sheet = read_sheet(wide_xlsx(tmp_path / "levels.xlsx"))
    first = tmp_path / "levels.errors.xlsx"
    write_report(first, sheet, outcomes_for_wide_sheet())
    report_sheet = read_sheet(first)
    assert default_report_path(first) == first
    second = tmp_path / "second.xlsx"
    write_report(second, report_sheet, {5: [RowOutcome(row=2, status=Status.FAILED, message="timeout")]})
    assert read_rows(second) == [["SKU", "Title", "Outlet", "Main", "Row", "Status", "Error", "Hint"]]
    write_report(second, report_sheet, {2: [RowOutcome(row=2, status=Status.FAILED, message="timeout")]})
    assert read_rows(second)[1] == ["A-2", "=cheap", -2, 4, 2, "failed", "timeout", None]


def test_all_rows_report_includes_rows_without_problems(tmp_path):
    sheet = read_sheet(wide_xlsx(tmp_path / "levels.xlsx"))
    out = tmp_path / "all.xlsx"
    assert write_report(out, sheet, outcomes_for_wide_sheet(), only_problems=False) == 4
    rows = read_rows(out)
    assert [r[4:6] for r in rows[1:]] == [[4, "applied"], [5, "invalid"], [6, "stale"], [7, "unchanged"]]
    assert rows[1][6] is None  # applied rows carry no error text


def test_csv_report_keeps_the_inputs_semicolon_and_neutralises_formulas(tmp_path):
    source = tmp_path / "stock.csv"
    with open(source, "w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([
            ["SKU", "Title", "Available"], ["A-1", "Thé", "5"], ["A-2", "=1+1", "-3"], ["A-3", "Café", "x"]])
    sheet = read_sheet(source)
    out = default_report_path(source)
    assert out.name == "stock.errors.csv"
    outcomes = sheet_status([
        RowOutcome(row=3, status=Status.PENDING, column="Available", message="not sent (dry run)"),
        RowOutcome(row=4, status=Status.INVALID, column="Available", message="'x' is not a number",
                   hint="Type a whole number."),
    ])
    assert write_report(out, sheet, outcomes) == 2
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0] == "SKU;Title;Available;Row;Status;Error;Hint"
    assert lines[1] == "A-2;'=1+1;-3;3;pending;not sent (dry run);"
    again = read_sheet(out)
    assert again.delimiter == ";"
    assert again.rows == [(2, ("A-2", "=1+1", "-3", "3", "pending", "not sent (dry run)", None)),
                          (3, ("A-3", "Café", "x", "4", "invalid", "'x' is not a number", "Type a whole number."))]


def test_same_hint_for_several_columns_is_said_once(tmp_path):
    sheet = read_sheet(wide_xlsx(tmp_path / "levels.xlsx"))
    out = tmp_path / "r.csv"
    outcomes = sheet_status([
        RowOutcome(row=4, status=Status.FAILED, column="Outlet", message="timeout", hint="Retry."),
        RowOutcome(row=4, status=Status.FAILED, column="Main", message="timeout", hint="Retry."),
    ])
    write_report(out, sheet, outcomes)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row = list(csv.reader(fh))[1]
    assert row[-3:] == ["failed", "Outlet: timeout; Main: timeout", "Retry."]


@pytest.mark.parametrize("source, expected", [
    ("/d/stock.csv", "/d/stock.errors.csv"),
    ("/d/stock.TSV", "/d/stock.errors.tsv"),
    ("/d/stock.txt", "/d/stock.errors.txt"),
    ("/d/stock.xls", "/d/stock.xls.errors.xlsx"),
    ("/d/stock.xlsm", "/d/stock.xlsm.errors.xlsx"),
    ("/d/stock.ods", "/d/stock.ods.errors.xlsx"),
    ("/d/stock.errors.csv", "/d/stock.errors.csv"),
])
def test_default_report_path_sits_next_to_the_input(source, expected):
    assert default_report_path(source) == Path(expected)
