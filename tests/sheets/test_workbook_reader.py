"""XLSX/XLSM written by openpyxl, XLS by xlwt and ODS by odfpy, read by read_sheet (calamine)."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl.styles import Font

from desktop_app.core.errors import SheetReadError
from desktop_app.core.models import CellError
from desktop_app.sheets import read_sheet


def put_error(ws, ref, text):
    cell = ws[ref]
    cell.value = text
    cell.data_type = "e"


def values(sheet):
    return [cells for _, cells in sheet.rows]


@pytest.fixture
def offset_xlsx(tmp_path):
    """Title in A1, header on row 3 starting in column C, typed values, errors, a gap row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Stock"
    ws["A1"] = "Stock count — March"
    for col, text in zip("CDEFG", ["SKU", "Barcode", "Available", "Counted", "Active"]):
        ws[f"{col}3"] = text
    ws.append([])  # keeps openpyxl's row pointer honest; row 4 is filled below
    ws["C4"], ws["D4"], ws["E4"], ws["F4"], ws["G4"] = "  A-1 ", 4006381333931.0, 319.0, dt.date(2024, 3, 1), True
    ws["C5"], ws["D5"], ws["F5"], ws["G5"] = "A-2", 1.23457e12, dt.datetime(2024, 3, 1, 9, 30), False
    put_error(ws, "E5", "#N/A")
    ws["C7"], ws["E7"] = "A-3", 2.5
    put_error(ws, "D7", "#REF!")
    put_error(ws, "F7", "#DIV/0!")
    ws["J3"].font = Font(bold=True)  # a styled but empty cell far to the right
    path = tmp_path / "stock.xlsx"
    wb.save(path)
    return path


def test_xlsx_header_on_row_3_in_column_c_keeps_excel_row_numbers(offset_xlsx):
    sheet = read_sheet(offset_xlsx)
    assert sheet.format == "xlsx" and sheet.sheet_name == "Stock" and sheet.sheet_names == ["Stock"]
    assert sheet.header_row == 3
    assert sheet.headers == ["SKU", "Barcode", "Available", "Counted", "Active"]
    assert [n for n, _ in sheet.rows] == [4, 5, 7]


def test_xlsx_values_whole_floats_become_ints_and_types_are_kept(offset_xlsx):
    first, second, third = values(read_sheet(offset_xlsx))
    assert first == ("A-1", 4006381333931, 319, dt.date(2024, 3, 1), True)
    assert type(first[1]) is int and type(first[2]) is int
    assert second[:2] == ("A-2", 1234570000000) and type(second[1]) is int
    assert second[3:] == (dt.datetime(2024, 3, 1, 9, 30), False)
    assert third[0] == "A-3" and third[2] == 2.5 and third[4] is None


def test_xlsx_error_cells_arrive_as_cell_errors_in_the_right_column(offset_xlsx):
    _, second, third = values(read_sheet(offset_xlsx))
    assert second[2] == CellError("#N/A")
    assert third[1] == CellError("#REF!") and third[3] == CellError("#DIV/0!")


def test_data_starting_at_row_3_column_c_without_a_title(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "SKU", "Available"
    ws["C4"], ws["D4"] = "A-1", 5
    put_error(ws, "D5", "#N/A")
    ws["C5"] = "A-2"
    wb.save(tmp_path / "s.xlsx")
    sheet = read_sheet(tmp_path / "s.xlsx")
    assert sheet.header_row == 3 and sheet.headers == ["SKU", "Available"]
    assert sheet.rows == [(4, ("A-1", 5)), (5, ("A-2", CellError("#N/A")))]


@pytest.fixture
def multi_sheet_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["Read me first"])
    notes.append(["SKU"])  # a weak header: score 1
    stock = wb.create_sheet("Stock levels")
    stock.append(["SKU", "Location", "Available"])
    stock.append(["A-1", "Main", 5])
    other = wb.create_sheet("Archive")
    other.append(["SKU", "Location", "Available"])
    other.append(["OLD-1", "Main", 9])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_multi_sheet_workbook_picks_the_sheet_with_the_best_header_first_on_ties(multi_sheet_xlsx):
    sheet = read_sheet(multi_sheet_xlsx)
    assert sheet.sheet_name == "Stock levels"
    assert sheet.sheet_names == ["Notes", "Stock levels", "Archive"]
    assert sheet.rows == [(2, ("A-1", "Main", 5))]


def test_named_sheet_is_used_and_matched_case_insensitively(multi_sheet_xlsx):
    assert read_sheet(multi_sheet_xlsx, sheet="Archive").rows == [(2, ("OLD-1", "Main", 9))]
    assert read_sheet(multi_sheet_xlsx, sheet="archive ").sheet_name == "Archive"


def test_missing_named_sheet_lists_the_sheets(multi_sheet_xlsx):
    with pytest.raises(SheetReadError) as info:
        read_sheet(multi_sheet_xlsx, sheet="Inventory")
    assert "no sheet named 'Inventory'" in str(info.value)
    assert "'Notes', 'Stock levels', 'Archive'" in str(info.value)


def test_workbook_without_any_header_names_its_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["zebra", "quux"])
    wb.create_sheet("Second").append(["zebra", "quux"])
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(SheetReadError) as info:
        read_sheet(tmp_path / "b.xlsx")
    message = str(info.value)
    assert "Couldn't find a header row in the first 30 rows of any sheet of 'b.xlsx'" in message
    assert "'Second'" in message and "Expected columns such as SKU, Barcode, Location, Available" in message


def test_named_sheet_without_header_names_that_sheet(multi_sheet_xlsx, tmp_path):
    wb = openpyxl.load_workbook(multi_sheet_xlsx)
    wb["Notes"]["A2"] = "nothing here"
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(SheetReadError, match="rows of sheet 'Notes' of 'c.xlsx'"):
        read_sheet(tmp_path / "c.xlsx", sheet="Notes")


def test_empty_workbook_sheet_is_reported_as_empty(tmp_path):
    openpyxl.Workbook().save(tmp_path / "e.xlsx")
    with pytest.raises(SheetReadError, match="is empty"):
        read_sheet(tmp_path / "e.xlsx")


def test_xlsm_saved_by_openpyxl_is_read_as_xlsm(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["SKU", "Available"])
    wb.active.append(["A-1", 3.0])
    wb.save(tmp_path / "macro.xlsm")
    sheet = read_sheet(tmp_path / "macro.xlsm")
    assert sheet.format == "xlsm" and sheet.rows == [(2, ("A-1", 3))]


def test_xls_written_by_xlwt_with_offset_header_dates_booleans_and_errors(tmp_path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Stock")
    wb.add_sheet("Empty")
    ws.write(0, 0, "Exported stock")
    for col, text in enumerate(["SKU", "Available", "Counted", "Active"], start=2):
        ws.write(2, col, text)
    ws.write(3, 2, "A-1")
    ws.write(3, 3, 12.0)
    ws.write(3, 4, dt.date(2024, 3, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    ws.write(3, 5, True)
    ws.write(5, 2, "A-2")
    ws.write(5, 3, 7.5)
    ws.row(5).set_cell_error(4, 0x2A)  # #N/A
    wb.save(str(tmp_path / "old.xls"))
    sheet = read_sheet(tmp_path / "old.xls")
    assert sheet.format == "xls" and sheet.sheet_names == ["Stock", "Empty"]
    assert sheet.header_row == 3 and sheet.headers == ["SKU", "Available", "Counted", "Active"]
    assert sheet.rows[0] == (4, ("A-1", 12, dt.date(2024, 3, 1), True))
    # calamine reports XLS error cells as blanks; the row and its other cells are intact
    assert sheet.rows[1] == (6, ("A-2", 7.5, None, None))


def test_old_xls_saved_with_an_xlsx_name_is_read_by_content(tmp_path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("S")
    ws.write(0, 0, "SKU")
    ws.write(0, 1, "Qty")
    ws.write(1, 0, "A-1")
    ws.write(1, 1, 4)
    wb.save(str(tmp_path / "renamed.xlsx"))
    sheet = read_sheet(tmp_path / "renamed.xlsx")
    assert sheet.format == "xls" and sheet.rows == [(2, ("A-1", 4))]


def write_ods(path, rows):
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Stock")
    for values_ in rows:
        tr = TableRow()
        for value in values_:
            if value is None:
                cell = TableCell()
            elif isinstance(value, bool):
                cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
                cell.addElement(P(text=str(value).upper()))
            elif isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            elif isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.isoformat()))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))


def test_ods_written_by_odfpy_keeps_row_numbers_types_and_error_text(tmp_path):
    write_ods(tmp_path / "stock.ods", [
        [None],
        [None, "Inventory"],
        [None, "SKU", "Location", "Available", "Counted", "Active"],
        [None, "A-1", "Main", 5, dt.date(2024, 3, 1), True],
        [None],
        [None, "A-2", "Outlet", 2.5, None, False],
        [None, "A-3", "Outlet", "#N/A", None, None],
    ])
    sheet = read_sheet(tmp_path / "stock.ods")
    assert sheet.format == "ods" and sheet.header_row == 3
    assert sheet.headers == ["SKU", "Location", "Available", "Counted", "Active"]
    assert sheet.rows == [
        (4, ("A-1", "Main", 5, dt.date(2024, 3, 1), True)),
        (6, ("A-2", "Outlet", 2.5, None, False)),
        (7, ("A-3", "Outlet", CellError("#N/A"), None, None)),
    ]


def test_truncated_xlsx_is_a_sentence_not_a_traceback(offset_xlsx, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(offset_xlsx.read_bytes()[:400])
    with pytest.raises(SheetReadError) as info:
        read_sheet(broken)
    assert "'broken.xlsx' can't be opened as a workbook" in str(info.value)
    assert "save it again" in str(info.value)


def test_binary_junk_with_a_workbook_name_is_reported_as_damaged(tmp_path):
    path = tmp_path / "junk.ods"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SheetReadError, match="not a valid ODS workbook"):
        read_sheet(path)


def test_read_sheet_streams_a_large_sheet_without_losing_rows(tmp_path):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Stock")
    ws.append(["SKU", "Available"])
    for i in range(20_000):
        ws.append([f"S-{i}", i])
    wb.save(tmp_path / "big.xlsx")
    sheet = read_sheet(tmp_path / "big.xlsx")
    assert len(sheet.rows) == 20_000
    assert sheet.rows[-1] == (20_001, ("S-19999", 19999))


def test_error_cells_in_excels_own_form_with_style_and_cached_formula_are_found(tmp_path):
    """Excel writes ``<c r="B2" s="1" t="e"><f>VLOOKUP(..)</f><v>#N/A</v></c>``; openpyxl writes
    no formula there, so the saved sheet XML is rewritten into Excel's form."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["SKU", "Available", "Location"])
    ws.append(["A-1", None, "Main"])
    put_error(ws, "B2", "#N/A")
    ws.append(["A-2", 4, "Main"])
    put_error(ws, "C3", "#VALUE!")
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    excel_like = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(excel_like, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B2" t="e"><v>#N/A</v>',
                                    b'<c r="B2" s="0" t="e"><f>VLOOKUP(A2,Other!A:B,2,FALSE)</f><v>#N/A</v>')
                data = data.replace(b'<c r="C3" t="e">', b'<c t="e" r="C3">')
                assert b"VLOOKUP" in data and b'<c t="e" r="C3">' in data
            dst.writestr(item, data)
    sheet = read_sheet(excel_like)
    assert sheet.rows == [(2, ("A-1", CellError("#N/A"), "Main")), (3, ("A-2", 4, CellError("#VALUE!")))]
