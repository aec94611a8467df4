"""write_table: formula neutralisation, real files read back by openpyxl, calamine and read_sheet."""
from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from desktop_app.core.errors import InputError
from desktop_app.core.models import CellError
from desktop_app.sheets import is_formula_like, neutralise, read_sheet, write_table

HYPERLINK = '=HYPERLINK("http://x","y")'
HEADERS = ["SKU", "Title", "Available"]
DANGEROUS_ROWS = [
    ["A-1", HYPERLINK, 5],
    ["A-2", "-2+3", -5],
    ["A-3", "@SUM(A1)", "-5"],
    ["A-4", "+3", "-1.5"],
    ["A-5", "\tcmd", 0],
]


@pytest.mark.parametrize("value, expected", [
    (HYPERLINK, "'" + HYPERLINK),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("'=1", "''=1"),
    ("-", "'-"),
    (-5, -5),
    (2.5, 2.5),
    ("-5", "-5"),
    ("+3", "+3"),
    ("-1.5", "-1.5"),
    ("1e5", "1e5"),
    ("Café", "Café"),
    ("", ""),
    (None, None),
])
def test_neutralise_prefixes_only_strings_a_spreadsheet_would_evaluate(value, expected):
    assert neutralise(value) == expected
    assert is_formula_like(value) == (expected != value)


def test_xlsx_stores_dangerous_strings_as_plain_text_cells_read_back_by_openpyxl(tmp_path):
    path = tmp_path / "out.xlsx"
    write_table(path, HEADERS, DANGEROUS_ROWS)
    ws = openpyxl.load_workbook(path)["Stock"]
    cells = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows(min_row=2)]
    assert cells[0][1] == (HYPERLINK, "s")
    assert cells[1][1:] == [("-2+3", "s"), (-5, "n")]
    assert cells[2][1:] == [("@SUM(A1)", "s"), ("-5", "s")]
    assert cells[3][1:] == [("+3", "s"), ("-1.5", "s")]
    assert cells[4][1] == ("\tcmd", "s")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_xlsx_dangerous_strings_read_back_by_calamine_as_the_original_text(tmp_path):
    path = tmp_path / "out.xlsx"
    write_table(path, HEADERS, DANGEROUS_ROWS)
    with CalamineWorkbook.from_path(str(path)) as wb:
        rows = wb.get_sheet_by_name("Stock").to_python()
    assert rows[1][1] == HYPERLINK and rows[2][1] == "-2+3" and rows[3][1] == "@SUM(A1)"
    assert rows[2][2] == -5 and rows[3][2] == "-5"


def test_xlsx_header_is_bold_and_frozen(tmp_path):
    path = tmp_path / "out.xlsx"
    write_table(path, HEADERS, [["A-1", "x", 1]], sheet_name="Report: March/April")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == "Report_ March_April"
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])


def test_csv_is_utf8_with_bom_and_prefixes_dangerous_strings_only(tmp_path):
    path = tmp_path / "out.csv"
    write_table(path, HEADERS, DANGEROUS_ROWS + [["É-1", "Café crème", 3]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADERS
    assert rows[1] == ["A-1", "'" + HYPERLINK, "5"]
    assert rows[2] == ["A-2", "'-2+3", "-5"]
    assert rows[3] == ["A-3", "'@SUM(A1)", "-5"]
    assert rows[4] == ["A-4", "+3", "-1.5"]
    assert rows[6] == ["É-1", "Café crème", "3"]


def test_csv_round_trip_gives_back_the_original_text(tmp_path):
    path = tmp_path / "out.csv"
    rows = DANGEROUS_ROWS[:4] + [["A-6", "'=already quoted", None], ["A-7", "#N/A", True]]
    write_table(path, HEADERS, rows)
    sheet = read_sheet(path)
    assert sheet.headers == HEADERS
    assert [cells for _, cells in sheet.rows] == [
        ("A-1", HYPERLINK, "5"), ("A-2", "-2+3", "-5"), ("A-3", "@SUM(A1)", "-5"), ("A-4", "+3", "-1.5"),
        ("A-6", "'=already quoted", None), ("A-7", CellError("#N/A"), "TRUE")]
    assert [n for n, _ in sheet.rows] == [2, 3, 4, 5, 6, 7]


def test_xlsx_round_trip_keeps_values_and_types(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = DANGEROUS_ROWS[:4] + [
        ["A-6", "Café", 4006381333931],
        ["A-7", None, 2.5],
        ["A-8", dt.date(2024, 3, 1), True],
        ["A-9", dt.datetime(2024, 3, 1, 9, 30), CellError("#N/A")],
    ]
    write_table(path, HEADERS, rows)
    sheet = read_sheet(path)
    assert sheet.format == "xlsx" and sheet.headers == HEADERS
    assert [cells for _, cells in sheet.rows] == [tuple(r) for r in rows]
    assert type(sheet.rows[1][1][2]) is int


def test_tsv_and_explicit_delimiter(tmp_path):
    write_table(tmp_path / "out.tsv", HEADERS, [["A-1", "a,b", 1]])
    assert (tmp_path / "out.tsv").read_text(encoding="utf-8-sig").splitlines()[1] == "A-1\ta,b\t1"
    write_table(tmp_path / "semi.csv", HEADERS, [["A-1", "a,b", 1]], delimiter=";")
    assert (tmp_path / "semi.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "A-1;a,b;1"


def test_rows_can_be_a_generator_and_an_existing_file_is_replaced(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old content", encoding="utf-8")
    write_table(path, HEADERS, ([f"S-{i}", "t", i] for i in range(3)))
    assert read_sheet(path).rows[-1] == (4, ("S-2", "t", "2"))
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


def test_unsupported_output_extension_is_a_sentence(tmp_path):
    with pytest.raises(InputError, match="writes .xlsx, .csv, .tsv, .txt"):
        write_table(tmp_path / "out.ods", HEADERS, [])


def test_failed_write_leaves_no_partial_file(tmp_path):
    class Boom(Exception):
        pass

    def rows():
        yield ["A-1", "x", 1]
        raise Boom

    with pytest.raises(Boom):
        write_table(tmp_path / "out.xlsx", HEADERS, rows())
    assert list(tmp_path.iterdir()) == []
