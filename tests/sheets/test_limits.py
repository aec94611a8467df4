"""Reading within bounds, in-process and quick (the bombs themselves are in tests/hostile, read in a
child under a memory limit): special files, the documented limits, workbook parts, encodings."""
from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

from desktop_app.core.errors import SheetReadError
from desktop_app.sheets import read_sheet
from desktop_app.sheets.bounds import check_archive
from desktop_app.sheets.limits import LIMITS, Limits
from desktop_app.sheets.text import decode, read_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from generators import GOOD_ROWS, ods_cell, ods_row, sheet_xml, write_ods, write_xlsx  # noqa: E402


def refused(path: Path) -> str:
    with pytest.raises(SheetReadError) as info:
        read_sheet(path)
    return str(info.value)


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "feed.csv")
    assert "'feed.csv' is a pipe (FIFO), not a regular file" in refused(tmp_path / "feed.csv")


def test_dev_zero_behind_a_symlink_is_refused_as_a_device(tmp_path):
    os.symlink("/dev/zero", tmp_path / "stock.csv")
    assert "'stock.csv' is a device, not a regular file" in refused(tmp_path / "stock.csv")


def test_a_folder_named_like_a_sheet_is_refused(tmp_path):
    (tmp_path / "stock.xlsx").mkdir()
    assert "is a folder, not a sheet file" in refused(tmp_path / "stock.xlsx")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.write(b"SKU,Available\n")
        fh.truncate(LIMITS.file_bytes + 1)   # sparse: no disk used
    message = refused(path)
    assert message.startswith("'huge.csv' is 256 MB; Stocksheet reads at most 256 MB per file")


def rows_of(text: str, limits: Limits, *, delimiter: str = ",") -> list:
    rows, _, _ = read_text(text.encode(), extension=".csv", name="'s.csv'", limits=limits)
    return list(rows)


def test_csv_rows_columns_cells_and_cell_size_are_checked_while_parsing():
    small = Limits(rows=3, columns=4, cells=10, cell_chars=5)
    assert len(rows_of("a,b\n1,2\n3,4\n", small)) == 3
    with pytest.raises(SheetReadError, match=r"'s.csv' has more than 3 rows; Stocksheet reads at most 3 rows"):
        rows_of("a,b\n1,2\n3,4\n5,6\n", small)
    with pytest.raises(SheetReadError, match=r"has 5 columns in row 2; .* at most 4 columns"):
        rows_of("a,b\n1,2,3,4,5\n", Limits(columns=4))
    with pytest.raises(SheetReadError, match=r"more than 10 cells by row 3 \(4 columns\)"):
        rows_of("a,b,c,d\n1,2,3,4\n5,6,7,8\n", small)
    with pytest.raises(SheetReadError, match=r"a cell of 6 characters in row 2, column 2; .* 5 characters per cell"):
        rows_of("a,b\n1,123456\n", small)


def test_a_line_with_more_delimiters_than_columns_is_refused_before_the_csv_module_splits_it():
    limits = Limits(columns=16_384)
    with pytest.raises(SheetReadError, match=r"has 1,000,001 columns on line 2; .* 16,384 columns \(Excel's own"):
        rows_of("SKU,Available\n" + "," * 1_000_000 + "\n", limits)


def archive_error(path: Path, limits: Limits = LIMITS) -> str:
    with open(path, "rb") as fh, pytest.raises(SheetReadError) as info:
        check_archive(fh, name=f"'{path.name}'", limits=limits)
    return str(info.value)


def test_the_archive_directory_is_checked_entries_sizes_and_ratio(tmp_path):
    path = write_xlsx(tmp_path / "stock.xlsx", extra={"xl/media/pad.bin": b"\0" * 3_000_000})
    assert "'stock.xlsx' has a part (xl/media/pad.bin) that inflates" in archive_error(path)
    assert "at most 100× compression" in archive_error(path)
    assert "at most 1 MB per part" in archive_error(path, Limits(part_bytes=1 << 20))
    assert "at most 3 files in a workbook" in archive_error(path, Limits(archive_entries=3, ratio=10**6))


def test_a_cell_far_from_the_data_is_counted_by_the_rectangle_it_makes(tmp_path):
    far = sheet_xml(GOOD_ROWS, extra_rows='<row r="900"><c r="AB900"><v>1</v></c></row>')
    message = archive_error(write_xlsx(tmp_path / "far.xlsx", sheet=far), Limits(cells=10_000))
    assert "'far.xlsx' (xl/worksheets/sheet1.xml) spans 900 rows × 28 columns = 25,200 cells" in message
    with open(write_xlsx(tmp_path / "fine.xlsx", sheet=far), "rb") as fh:
        check_archive(fh, name="'fine.xlsx'", limits=Limits(cells=30_000))


def test_single_letter_columns_are_told_apart_in_a_long_sheet(tmp_path):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c><c r="D{i}"><v>2</v></c></row>' for i in range(4, 400))
    path = write_xlsx(tmp_path / "long.xlsx", sheet=sheet_xml(GOOD_ROWS, extra_rows=rows))
    assert "spans 399 rows × 4 columns" in archive_error(path, Limits(cells=1_000))


def test_a_document_type_declaration_in_any_part_is_refused(tmp_path):
    prolog = '<!DOCTYPE x [<!ENTITY e "boom">]>'
    path = write_xlsx(tmp_path / "dtd.xlsx", sheet=sheet_xml(GOOD_ROWS, prolog=prolog))
    assert "'dtd.xlsx' declares a document type (a DTD) in its part xl/worksheets/sheet1.xml" in refused(path)


def test_an_ods_row_of_values_repeated_too_often_is_refused_but_trailing_empty_rows_are_not(tmp_path):
    row = ods_row(ods_cell("A-1") + ods_cell("Main") + ods_cell(5), repeat=LIMITS.repeated_rows + 1)
    header = ods_row(ods_cell("SKU") + ods_cell("Location") + ods_cell("Available"))
    assert "repeats one row of values 10,001 times" in refused(write_ods(tmp_path / "rep.ods", header + row))
    empty = ods_row(ods_cell(None, repeat=1024), repeat=1_048_000)
    sheet = read_sheet(write_ods(tmp_path / "ok.ods", header + ods_row(ods_cell("A-1") + ods_cell("Main") + ods_cell(5))
                                 + empty))
    assert sheet.rows == [(2, ("A-1", "Main", 5))]


def test_a_visible_sheet_wins_a_tie_over_a_hidden_one(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    old = book.active
    old.title = "Old"
    for row in (["SKU", "Location", "Available"], ["OLD-1", "Main", 1]):
        old.append(row)
    old.sheet_state = "hidden"
    new = book.create_sheet("Stock")
    for row in (["SKU", "Location", "Available"], ["A-1", "Main", 5]):
        new.append(row)
    book.save(tmp_path / "two.xlsx")
    sheet = read_sheet(tmp_path / "two.xlsx")
    assert sheet.sheet_name == "Stock" and sheet.rows == [(2, ("A-1", "Main", 5))]
    assert read_sheet(tmp_path / "two.xlsx", sheet="Old").rows == [(2, ("OLD-1", "Main", 1))]


def test_a_short_windows_1252_sheet_is_read_as_windows_1252_with_the_other_readings_as_candidates():
    data = "SKU;Lager;Menge\r\nMÜLLER-1;Köln;5\r\n".encode("cp1252")   # charset detection alone says Johab
    decoded = decode(data)
    assert decoded.encoding == "cp1252" and "MÜLLER-1;Köln" in decoded.text
    assert len(decoded.candidates) > 1 and decoded.candidates[0] == "cp1252"


def test_short_east_asian_text_is_not_forced_into_windows_1252_and_the_catalogue_picks_its_reading(tmp_path):
    from desktop_app.core.models import Catalog, Location
    from desktop_app.engine.sheet_choice import choose_encoding
    path = tmp_path / "s.csv"
    path.write_bytes("SKU,Location,Available\r\nZ-1,上海仓库,5\r\n".encode("gbk"))
    sheet = read_sheet(path)   # so short that charset detection alone says Thai (cp874)
    assert sheet.encoding != "cp1252" and len(sheet.encodings) > 1
    store = Catalog(locations=[Location(id="1", name="上海仓库")], variants=[])
    chosen = choose_encoding(sheet, store, overrides={}, read=lambda codec: read_sheet(path, encoding=codec))
    assert chosen.rows[0][1][1] == "上海仓库" and chosen.encoding in ("gbk", "gb18030")
    assert chosen.encodings[0] == chosen.encoding and sheet.encoding in chosen.encodings


def test_an_encoding_can_be_forced_and_an_unknown_one_is_a_sentence(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("SKU;Location;Available\r\nŽĎÁR-1;Main;5\r\n".encode("cp1250"))
    assert read_sheet(path, encoding="cp1250").rows[0][1][0] == "ŽĎÁR-1"
    assert read_sheet(path, encoding="cp1252").encoding == "cp1252"
    with pytest.raises(SheetReadError, match="'klingon' is not an encoding Stocksheet knows"):
        read_sheet(path, encoding="klingon")


def test_a_bom_pasted_into_the_middle_of_a_header_does_not_hide_the_column(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("SKU,\ufeffLocation,Available\r\nA-1,Main,5\r\n", encoding="utf-8")
    assert read_sheet(path).headers == ["SKU", "Location", "Available"]


def test_a_csv_that_is_really_binary_is_refused_but_a_stray_nul_byte_is_not(tmp_path):
    (tmp_path / "pic.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert "'pic.csv' is not a text file" in refused(tmp_path / "pic.csv")
    (tmp_path / "nul.csv").write_bytes(b"SKU,Location,Available\r\nA-\x001,Main,5\r\n")
    assert read_sheet(tmp_path / "nul.csv").rows[0][1][1:] == ("Main", "5")


def test_workbook_archives_written_by_openpyxl_pass_the_checks(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    for i in range(2000):
        book.active.append([f"SKU-{i}", "Main", i, "x" * 40])
    book.save(tmp_path / "real.xlsx")
    with open(tmp_path / "real.xlsx", "rb") as fh:
        check_archive(fh, name="'real.xlsx'")
    assert zipfile.is_zipfile(tmp_path / "real.xlsx")


def test_a_csv_put_together_from_utf8_and_windows_1252_lines_reads_each_line_in_its_own(tmp_path):
    path = tmp_path / "joined.csv"
    path.write_bytes("SKU;Location;Available\r\nMüsli;Main;5\r\n".encode() + "Käse;Köln;3\r\n".encode("cp1252"))
    sheet = read_sheet(path)
    assert sheet.encoding == "utf-8+cp1252" and sheet.encodings[1] == "cp1252"
    assert [cells[:2] for _, cells in sheet.rows] == [("Müsli", "Main"), ("Käse", "Köln")]
    assert read_sheet(path, encoding="utf-8+cp1252").rows == sheet.rows


@pytest.mark.parametrize("order", ["wide first", "long first"])
def test_a_wide_cell_and_a_far_row_in_narrow_columns_make_their_rectangle_together(tmp_path, monkeypatch, order):
    import desktop_app.sheets.bounds as bounds
    monkeypatch.setattr(bounds, "_CHUNK", 256)   # many pieces: what is learnt late applies to early ones too
    wide, far = '<row r="4"><c r="ZZ4"><v>1</v></c></row>', '<row r="99999"><c r="A99999"><v>1</v></c></row>'
    filler = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(5, 60))
    extra = wide + filler + far if order == "wide first" else far + filler + wide
    path = write_xlsx(tmp_path / "sly.xlsx", sheet=sheet_xml(GOOD_ROWS, extra_rows=extra))
    assert "spans 99,999 rows × 702 columns = 70,199,298 cells" in archive_error(path)


def test_a_column_seen_only_early_still_counts_once_the_sheet_turns_out_long(tmp_path, monkeypatch):
    import desktop_app.sheets.bounds as bounds
    monkeypatch.setattr(bounds, "_CHUNK", 256)
    rows = '<row r="4"><c r="D4"><v>1</v></c></row>' + "".join(
        f'<row r="{i}"><c r="A{i}"><v>1</v></c><c r="C{i}"><v>2</v></c></row>' for i in range(5, 301))
    path = write_xlsx(tmp_path / "late.xlsx", sheet=sheet_xml(GOOD_ROWS, extra_rows=rows))
    assert "spans 300 rows × 4 columns" in archive_error(path, Limits(cells=1_000))
