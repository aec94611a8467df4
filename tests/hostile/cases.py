"""The hostile corpus: each ``Case`` is ``build(folder) -> Path`` (from ``generators``) and what the
clean outcome must show — ``expect``: substrings of the refusal sentence (None: the file may also be
read), ``issues``: substrings some row issue must contain, ``first``: the first data row."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from generators import (GOOD_ROWS, WORKBOOK_RELS, fifo, good_ods_rows, ods_cell, ods_row,
                        shared_strings_xml, sheet_xml, sparse_file, workbook_xml, write_ods, write_xlsx,
                        xlsx_many_entries, xlsx_shared_strings_bomb, xlsx_sheet_bomb, xlsx_whitespace_bomb)


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    #: substrings the one-sentence message must contain; None: the file may also read cleanly
    expect: tuple[str, ...] | None
    #: substrings that some row issue (``RowIssue.text()``) must contain when the file is read
    issues: tuple[str, ...] = ()
    #: the first data row's first cells, as text, when the file is read
    first: tuple[str, ...] | None = None


def _csv(text: str, *, encoding: str = "utf-8", name: str = "stock.csv") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        return path
    return build


def _bytes(data: bytes, name: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return build


def _xlsx(name: str = "stock.xlsx", **parts: object) -> Callable[[Path], Path]:
    return lambda folder: write_xlsx(folder / name, **parts)  # type: ignore[arg-type]


def _ods(rows_xml: str, *, prolog: str = "") -> Callable[[Path], Path]:
    return lambda folder: write_ods(folder / "stock.ods", rows_xml, prolog=prolog)


def _cut(build: Callable[[Path], Path], fraction: float) -> Callable[[Path], Path]:
    def cut(folder: Path) -> Path:
        path = build(folder)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])
        return path
    return cut


def _garble(build: Callable[[Path], Path]) -> Callable[[Path], Path]:
    def garble(folder: Path) -> Path:
        path = build(folder)
        data = bytearray(path.read_bytes())
        for i in range(40, len(data) - 40, 7):  # keep the zip signature, damage everything behind it
            data[i] ^= 0x5A
        path.write_bytes(bytes(data))
        return path
    return garble


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>")
SECRET = "SECRET-MARKER-7f3a"


def _entities(part: str, *, kind: str) -> Callable[[Path], Path]:
    """An entity attack on one workbook part: billion laughs, an external entity naming a local
    file, or an out-of-band DTD from a local file that defines one."""
    def build(folder: Path) -> Path:
        (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
        (folder / "evil.dtd").write_text(f'<!ENTITY oob SYSTEM "file://{folder / "secret.txt"}">', encoding="utf-8")
        if kind == "laughs":
            prolog, ref = LAUGHS, "&lol9;"
        elif kind == "external":
            prolog, ref = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{folder / "secret.txt"}">]>', "&xxe;"
        else:
            prolog, ref = f'<!DOCTYPE x SYSTEM "file://{folder / "evil.dtd"}">', "&oob;"
        rows = [["SKU", "Location", "Available"], [f"A-{ref}", "Main", 5]]
        if part == "sheet":
            return write_xlsx(folder / "stock.xlsx", sheet=sheet_xml(rows, prolog=prolog))
        if part == "strings":
            sheet = sheet_xml([["SKU", "Location", "Available"]], extra_rows='<row r="2"><c r="A2" t="s"><v>0</v></c>'
                              '<c r="B2" t="inlineStr"><is><t>Main</t></is></c><c r="C2"><v>5</v></c></row>')
            return write_xlsx(folder / "stock.xlsx", sheet=sheet, strings=shared_strings_xml([f"A-{ref}"], prolog=prolog))
        if part == "workbook":
            return write_xlsx(folder / "stock.xlsx", workbook=workbook_xml(prolog=prolog).replace(
                'name="Stock"', f'name="Stock{ref}"'))
        if part == "rels":
            return write_xlsx(folder / "stock.xlsx", rels=WORKBOOK_RELS.replace(
                "<Relationships", prolog + "<Relationships", 1).replace("worksheets/sheet1.xml", f"worksheets/sheet1.xml{ref}"))
        return write_ods(folder / "stock.ods", good_ods_rows().replace("A-1", f"A-{ref}"), prolog=prolog)
    return build


def _openpyxl(kind: str) -> Callable[[Path], Path]:
    """Odd but legal workbooks written by openpyxl itself."""
    def build(folder: Path) -> Path:
        import datetime

        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Stock"
        if kind == "dates-and-booleans":
            for row in (["SKU", "Location", "Available"], ["A-1", "Main", datetime.date(2024, 3, 1)],
                        ["A-2", "Main", True], ["A-3", "Main", 4]):
                ws.append(row)
        elif kind == "merged-header":
            ws.append(["Stock", None, None])
            ws.merge_cells("A1:C1")
            for row in (["SKU", "Location", "Available"], ["A-1", "Main", 5]):
                ws.append(row)
        elif kind == "hidden":
            junk = wb.create_sheet("Old", 0)
            junk.append(["SKU", "Location", "Available"])
            junk.append(["OLD-1", "Main", 1])
            junk.sheet_state = "hidden"
            for row in (["SKU", "Location", "Available"], ["A-1", "Main", 5], ["A-2", "Main", 6]):
                ws.append(row)
            ws.row_dimensions[3].hidden = True
        path = folder / "stock.xlsx"
        wb.save(path)
        return path
    return build


def _far_xls(folder: Path) -> Path:
    """An old .xls (written by xlwt) with one cell at the format's last row and column: 65,536 × 256
    cells for the reader, the most an .xls can make (~1.2 GB at the worst, so it is read)."""
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("Stock")
    for row, values in enumerate(GOOD_ROWS):
        for column, value in enumerate(values):
            sheet.write(row, column, value)
    sheet.write(65535, 255, 1)
    book.save(str(folder / "far.xls"))
    return folder / "far.xls"


def _wide_csv(columns: int) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        extra = ",".join(f"C{i}" for i in range(4, columns + 1))
        path = folder / "wide.csv"
        path.write_text(f"SKU,Location,Available,{extra}\nA-1,Main,5{',' * (columns - 3)}\n", encoding="utf-8")
        return path
    return build


def _long_csv(rows: int) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / "long.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write("SKU,Location,Available\n")
            for start in range(0, rows, 65536):
                fh.write("".join(f"S-{i},Main,{i % 90}\n" for i in range(start, min(rows, start + 65536))))
        return path
    return build


def _symlink(target: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / "stock.csv"
        os.symlink(target, path)
        return path
    return build


def _folder(folder: Path) -> Path:
    path = folder / "stock.csv"
    path.mkdir()
    return path


def _ole_encrypted(folder: Path) -> Path:
    """A real password-protected .xlsx, as Excel saves one: a workbook written by openpyxl, then
    encrypted (ECMA-376 agile encryption, password "pw") by msoffcrypto-tool into an OLE compound
    file holding ``EncryptionInfo`` and ``EncryptedPackage``."""
    import openpyxl
    from msoffcrypto.format.ooxml import OOXMLFile
    plain, path = folder / "plain.xlsx", folder / "secret.xlsx"
    book = openpyxl.Workbook()
    for row in GOOD_ROWS:
        book.active.append(row)
    book.save(plain)
    with plain.open("rb") as f, path.open("wb") as out:
        OOXMLFile(f).encrypt("pw", out)
    plain.unlink()
    return path


STOCK = "SKU,Location,Available\r\n"

CASES: list[Case] = [
    # damaged archives
    Case("truncated-xlsx", _cut(_xlsx(), 0.5), ("stock.xlsx",)),
    Case("corrupt-xlsx", _garble(_xlsx()), ("stock.xlsx",)),
    Case("truncated-ods", _cut(_ods(good_ods_rows()), 0.6), ("stock.ods",)),
    Case("not-a-zip-behind-pk", _bytes(b"PK\x03\x04" + os.urandom(2000), "stock.xlsx"), ("stock.xlsx",)),
    # zip bombs
    Case("zip-bomb-1gb-sheet", lambda f: xlsx_sheet_bomb(f / "bomb.xlsx"), ("bomb.xlsx", "256 MB")),
    Case("zip-bomb-lying-directory", lambda f: xlsx_sheet_bomb(f / "liar.xlsx", gigabytes=0.5, declared_size=5000),
         ("liar.xlsx",)),
    Case("zip-bomb-many-entries", lambda f: xlsx_many_entries(f / "many.xlsx"), ("many.xlsx", "10,000 files")),
    Case("shared-strings-bomb", lambda f: xlsx_shared_strings_bomb(f / "strings.xlsx"), ("strings.xlsx", "cell text")),
    Case("whitespace-bomb", lambda f: xlsx_whitespace_bomb(f / "spaces.xlsx"), ("spaces.xlsx",)),
    # declared and real dimensions
    Case("cell-at-XFD1048576", _xlsx(sheet=sheet_xml(GOOD_ROWS, extra_rows='<row r="1048576"><c r="XFD1048576">'
                                                     '<v>1</v></c></row>')), ("stock.xlsx", "5,000,000 cells")),
    Case("cell-at-CV1048576", _xlsx(sheet=sheet_xml(GOOD_ROWS, extra_rows='<row r="1048576"><c r="CV1048576">'
                                                    '<v>1</v></c></row>')), ("stock.xlsx", "5,000,000 cells")),
    Case("cells-at-ZZ4-and-A99999", _xlsx(sheet=sheet_xml(GOOD_ROWS, extra_rows='<row r="4"><c r="ZZ4"><v>1</v></c>'
                                                          '</row><row r="99999"><c r="A99999"><v>1</v></c></row>')),
         ("stock.xlsx", "5,000,000 cells")),
    Case("row-beyond-excel", _xlsx(sheet=sheet_xml(GOOD_ROWS, extra_rows='<row r="1048577"><c r="A1048577">'
                                                   '<v>1</v></c></row>')), ("stock.xlsx", "1,048,576 rows")),
    Case("xls-cell-at-IV65536", _far_xls, None, first=("A-1", "Main", "5")),
    Case("declared-dimension-XFD1048576", _xlsx(sheet=sheet_xml(GOOD_ROWS, dimension="A1:XFD1048576")), None),
    Case("cells-without-references", _xlsx(sheet=sheet_xml([]).replace(
        "<sheetData>", "<sheetData><row><c t=\"inlineStr\"><is><t>SKU</t></is></c><c t=\"inlineStr\"><is><t>Available"
        "</t></is></c></row>" + "<row>" + "<c><v>1</v></c>" * 20_000 + "</row>")), ("stock.xlsx", "16,384 columns")),
    Case("ods-repeated-rows", _ods(good_ods_rows() + ods_row(ods_cell("A-1") + ods_cell("Main") + ods_cell(5),
                                                             repeat=1_048_000)), ("stock.ods", "10,000 repeats")),
    Case("ods-repeated-columns", _ods(good_ods_rows() + ods_row(ods_cell("A-1") + ods_cell(5, repeat=1_000_000))),
         ("stock.ods", "16,384 columns")),
    Case("ods-libreoffice-trailing-rows", _ods(good_ods_rows(trailing=True)), None),
    # entities in every part
    *[Case(f"entities-{kind}-{part}", _entities(part, kind=kind), ("stock.", "DTD"))
      for part in ("sheet", "strings", "workbook", "rels", "ods") for kind in ("laughs", "external", "oob-dtd")],
    # protected, formulas, error cells, odd cells
    Case("password-protected", _ole_encrypted, ("secret.xlsx", "password")),
    Case("formula-without-cached-value", _xlsx(sheet=sheet_xml([["SKU", "Location", "Available"]], extra_rows=(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A-1</t></is></c><c r="B2" t="inlineStr"><is><t>Main</t></is></c>'
        '<c r="C2"><f>SUM(D2:D9)</f></c></row>'))), None, ("row 2", "'Available'")),
    Case("error-cell", _xlsx(sheet=sheet_xml([["SKU", "Location", "Available"]], extra_rows=(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A-1</t></is></c><c r="B2" t="inlineStr"><is><t>Main</t></is></c>'
        '<c r="C2" t="e"><v>#N/A</v></c></row>'))), None, ("row 2, column 'Available'", "#N/A")),
    Case("dates-and-booleans", _openpyxl("dates-and-booleans"), None, ("row 2, column 'Available'",
                                                                        "row 3, column 'Available'")),
    Case("merged-header", _openpyxl("merged-header"), None),
    Case("hidden-sheet-and-row", _openpyxl("hidden"), None, first=("A-1", "Main", "5")),
    # text files
    Case("csv-really-binary", _bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, "stock.csv"),
         ("stock.csv", "not a text file")),
    Case("nul-bytes", _csv(STOCK + "A-\x001,Main,5\r\nA-2,Main,6\r\n"), None),
    Case("empty-file", _csv(""), ("stock.csv", "empty")),
    Case("blank-lines-only", _csv("\r\n \r\n\t\r\n"), ("stock.csv", "empty")),
    Case("header-only", _csv(STOCK), None),
    Case("16384-columns", _wide_csv(16_384), None),
    Case("16385-columns", _wide_csv(16_385), ("wide.csv", "16,384 columns")),
    Case("a-million-columns", _csv("," * 1_000_000 + "\n", name="wide.csv"), ("wide.csv", "16,384 columns")),
    Case("1048576-rows", _long_csv(1_048_575), None),
    Case("mixed-line-endings", _csv("SKU,Location,Available\r\nA-1,Main,5\nA-2,Main,6\rA-3,Main,7\r\n"), None),
    Case("mixed-encodings", _bytes(b"SKU;Location;Available\r\nM\xc3\xbcsli;Main;5\r\nK\xe4se;K\xf6ln;3\r\n",
                                   "stock.csv"), None, first=("Müsli", "Main", "5")),
    Case("bom-inside-header", _csv("SKU,\ufeffLocation,Available\r\nA-1,Main,5\r\n"), None, first=("A-1", "Main", "5")),
    Case("cell-too-long", _csv(STOCK + "A-1,Main," + "9" * 40_000 + "\r\n"), ("stock.csv", "row 2", "column 3")),
    Case("unclosed-quote", _csv(STOCK + 'A-1,"Main,5\r\n' + "x" * 200_000), ("stock.csv", "quote")),
    Case("10000-identical-rows", _csv(STOCK + "A-1,Main,5\r\n" * 10_000), None, ("9,999 other rows (first:",)),
    Case("short-windows-1252", _csv("SKU;Lager;Bestand\r\nMÜLLER-1;Köln Süd;5\r\n", encoding="cp1252"), None,
         first=("MÜLLER-1", "Köln Süd", "5")),
    # not regular files
    Case("a-folder", _folder, ("stock.csv", "folder")),
    Case("a-fifo", lambda f: fifo(f / "stock.csv"), ("stock.csv", "pipe")),
    Case("dev-zero-behind-symlink", _symlink("/dev/zero"), ("stock.csv", "device")),
    Case("2gb-csv", lambda f: sparse_file(f / "huge.csv", size=2 << 30), ("huge.csv", "256 MB")),
    Case("symlink-loop", lambda f: (os.symlink(f / "b.csv", f / "stock.csv"), os.symlink(f / "stock.csv", f / "b.csv"),
                                    f / "stock.csv")[2], ("stock.csv",)),
]
