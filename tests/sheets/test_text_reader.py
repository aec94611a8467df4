"""CSV/TSV/TXT files written by Python's csv module in real encodings, read by read_sheet."""
from __future__ import annotations

import csv

import pytest

from desktop_app.core.errors import SheetReadError
from desktop_app.core.models import CellError
from desktop_app.sheets import read_sheet

FRENCH = [["SKU", "Title", "Location", "Available"],
          ["A-1", "Café crème 5€", "Entrepôt", "5"],
          ["A-2", "Thé glacé", "Entrepôt", "-3"]]


def write_csv(path, rows, *, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def values(sheet):
    return [cells for _, cells in sheet.rows]


def test_utf8_csv_reads_headers_rows_and_sheet_row_numbers(tmp_path):
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", FRENCH))
    assert sheet.format == "csv" and sheet.encoding == "utf-8" and sheet.delimiter == ","
    assert sheet.header_row == 1
    assert sheet.headers == ["SKU", "Title", "Location", "Available"]
    assert sheet.rows == [(2, ("A-1", "Café crème 5€", "Entrepôt", "5")), (3, ("A-2", "Thé glacé", "Entrepôt", "-3"))]
    assert sheet.sheet_name is None and sheet.path.endswith("stock.csv")


def test_utf8_bom_is_stripped_from_the_first_header(tmp_path):
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", FRENCH, encoding="utf-8-sig"))
    assert sheet.encoding == "utf-8-sig"
    assert sheet.headers[0] == "SKU"
    assert values(sheet)[0][1] == "Café crème 5€"


@pytest.mark.parametrize("encoding, expected", [("utf-16", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_excel_unicode_text_export_utf16_tab_delimited_is_read(tmp_path, encoding, expected):
    path = tmp_path / "stock.txt"
    with open(path, "w", encoding=encoding, newline="") as fh:
        if encoding == "utf-16-be":
            fh.write("\ufeff")  # Python's explicit-endian codecs don't write the BOM themselves
        csv.writer(fh, delimiter="\t", lineterminator="\r\n").writerows(FRENCH)
    sheet = read_sheet(path)
    assert (sheet.encoding, sheet.delimiter, sheet.format) == (expected, "\t", "tsv")
    assert sheet.headers == FRENCH[0]
    assert values(sheet) == [tuple(r) for r in FRENCH[1:]]


def test_windows_1252_with_accents_and_euro_sign_is_detected(tmp_path):
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", FRENCH, encoding="cp1252"))
    assert sheet.encoding == "cp1252"
    assert values(sheet)[0] == ("A-1", "Café crème 5€", "Entrepôt", "5")


def test_latin1_file_decodes_accented_letters(tmp_path):
    rows = [["SKU", "Title", "Available"], ["B-1", "Größe ñ façade", "2"], ["B-2", "Thé glacé", "4"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows, encoding="latin-1"))
    assert values(sheet) == [("B-1", "Größe ñ façade", "2"), ("B-2", "Thé glacé", "4")]


def test_central_european_windows_1250_is_not_forced_into_1252(tmp_path):
    rows = [["SKU", "Title", "Available"], ["P-1", "Zażółć gęślą jaźń", "2"], ["P-2", "Łódź magazyn", "4"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows, encoding="cp1250"))
    assert values(sheet)[0][1] == "Zażółć gęślą jaźń"
    assert values(sheet)[1][1] == "Łódź magazyn"


@pytest.mark.parametrize("encoding, title, location", [
    ("gbk", "绿茶饮料五百毫升", "上海仓库"),
    ("shift_jis", "緑茶のペットボトル", "東京倉庫"),
])
def test_east_asian_legacy_encodings_are_detected(tmp_path, encoding, title, location):
    rows = [["SKU", "Title", "Location", "Available"], ["Z-1", title, location, "5"],
            ["Z-2", "红烧牛肉面" if encoding == "gbk" else "カップラーメン醤油味", location, "3"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows, encoding=encoding))
    assert values(sheet)[0] == ("Z-1", title, location, "5")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected_even_when_cells_contain_other_candidates(tmp_path, delimiter):
    rows = [["SKU", "Title", "Location", "Available"],
            ["S-1", "Shirt, blue; size M | cotton", "Main", "5"],
            ["S-2", "Socks", "Outlet", "7"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows, delimiter=delimiter))
    assert sheet.delimiter == delimiter
    assert sheet.headers == rows[0]
    assert values(sheet)[0][1] == "Shirt, blue; size M | cotton"


def test_tsv_extension_always_uses_tabs(tmp_path):
    rows = [["SKU", "Available"], ["a,b", "1"], ["c,d", "2"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.tsv", rows, delimiter="\t"))
    assert sheet.delimiter == "\t" and sheet.format == "tsv"
    assert values(sheet) == [("a,b", "1"), ("c,d", "2")]


def test_title_and_blank_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(tmp_path):
    rows = [["Stock count, March"], [], ["SKU", "Location", "Available"], ["A-1", "Main", "5"], [], ["A-2", "Main", "6"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert sheet.header_row == 3
    assert sheet.rows == [(4, ("A-1", "Main", "5")), (6, ("A-2", "Main", "6"))]


def test_trailing_empty_rows_and_columns_are_dropped(tmp_path):
    rows = [["SKU", "Available", "", ""], ["A-1", "5", "", ""], ["A-2", "", "", ""], ["", "", "", ""], [" ", "", "", ""]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert sheet.headers == ["SKU", "Available"]
    assert sheet.rows == [(2, ("A-1", "5")), (3, ("A-2", None))]


def test_data_beyond_the_header_keeps_its_column_with_a_blank_name(tmp_path):
    rows = [["SKU", "Available"], ["A-1", "5", "note"], ["A-2"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert sheet.headers == ["SKU", "Available", ""]
    assert values(sheet) == [("A-1", "5", "note"), ("A-2", None, None)]


def test_embedded_newlines_count_as_one_spreadsheet_row(tmp_path):
    rows = [["SKU", "Title", "Available"], ["A-1", "two\nlines", "5"], ["A-2", "three\r\nlines\nhere", "6"], ["A-3", "x", "7"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert [n for n, _ in sheet.rows] == [2, 3, 4]
    assert values(sheet)[1][1] == "three\r\nlines\nhere"


def test_cells_are_stripped_and_blank_cells_are_none(tmp_path):
    rows = [[" SKU ", "Available "], ["  A-1 ", "   "]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert sheet.headers == ["SKU", "Available"]
    assert values(sheet) == [("A-1", None)]


def test_our_csv_formula_neutralisation_is_reversed_but_other_apostrophes_stay(tmp_path):
    rows = [["SKU", "Title", "Available"], ["A-1", "'=HYPERLINK(\"http://x\",\"y\")", "5"],
            ["A-2", "'@SUM(A1)", "'-2+3"], ["A-3", "'tis the season", "''=x"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert values(sheet) == [("A-1", '=HYPERLINK("http://x","y")', "5"), ("A-2", "@SUM(A1)", "-2+3"),
                             ("A-3", "'tis the season", "'=x")]


def test_spreadsheet_error_text_becomes_a_cell_error(tmp_path):
    rows = [["SKU", "Available"], ["#N/A", "#DIV/0!"], ["A-2", "#NAME? is fine"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert values(sheet) == [(CellError("#N/A"), CellError("#DIV/0!")), ("A-2", "#NAME? is fine")]


def test_no_recognisable_header_is_a_sentence_naming_the_file_and_expected_columns(tmp_path):
    rows = [["zebra", "quux"], ["1", "2"]]
    with pytest.raises(SheetReadError) as info:
        read_sheet(write_csv(tmp_path / "prices.csv", rows))
    message = str(info.value)
    assert "couldn't find a header row in the first 30 rows of 'prices.csv'" in message.lower()
    assert "SKU, Barcode, Location, Available" in message


def test_header_below_the_first_30_non_empty_rows_is_not_found(tmp_path):
    rows = [[f"note {i}"] for i in range(30)] + [["SKU", "Available"], ["A-1", "1"]]
    with pytest.raises(SheetReadError, match="first 30 rows"):
        read_sheet(write_csv(tmp_path / "stock.csv", rows))


def test_the_header_with_most_known_columns_wins_over_an_earlier_weaker_one(tmp_path):
    rows = [["Stock", "export"], ["SKU", "Location", "Available"], ["A-1", "Main", "1"]]
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows))
    assert sheet.header_row == 2 and sheet.headers == ["SKU", "Location", "Available"]


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n  "])
def test_empty_file_is_reported_as_empty(tmp_path, content):
    path = tmp_path / "stock.csv"
    path.write_bytes(content)
    with pytest.raises(SheetReadError, match="'stock.csv' is empty"):
        read_sheet(path)


def test_missing_file_folder_and_unsupported_extension_are_sentences(tmp_path):
    with pytest.raises(SheetReadError, match="does not exist"):
        read_sheet(tmp_path / "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(SheetReadError, match="is a folder"):
        read_sheet(tmp_path / "dir.csv")
    (tmp_path / "stock.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(SheetReadError) as info:
        read_sheet(tmp_path / "stock.pdf")
    assert ".csv, .tsv, .txt, .xlsx, .xlsm, .xls, .ods" in str(info.value)


def test_unclosed_quote_names_the_last_good_row(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text('SKU,Available\nA-1,5\nA-2,"6\n' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(SheetReadError, match="after row 2.*quote"):
        read_sheet(path)


def test_csv_text_saved_with_an_xls_name_is_read_as_text(tmp_path):
    sheet = read_sheet(write_csv(tmp_path / "export.xls", FRENCH, delimiter="\t"))
    assert sheet.format == "tsv"
    assert sheet.headers == FRENCH[0]


def test_html_saved_with_an_xls_name_gets_a_clear_message(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><table><tr><td>SKU</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(SheetReadError, match="web page"):
        read_sheet(path)


def test_accents_that_first_appear_deep_in_a_large_windows_1252_file_are_decoded(tmp_path):
    rows = [["SKU", "Title", "Available"]] + [[f"S-{i}", "plain ascii title", str(i)] for i in range(5000)]
    rows.append(["S-last", "Crème brûlée 5€", "1"])
    sheet = read_sheet(write_csv(tmp_path / "stock.csv", rows, encoding="cp1252"))
    assert sheet.encoding == "cp1252"
    assert sheet.rows[-1] == (5002, ("S-last", "Crème brûlée 5€", "1"))
