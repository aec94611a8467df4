"""Generators of hostile sheet files: every case is built here at test time, no binary blobs.

Each ``CASES`` entry is ``name -> build(folder) -> Path`` and, for the test, what the clean
outcome must mention (``expect``: substrings of the message, or ``None`` when the file may be
read without complaint). XLSX and ODS packages are written with ``zipfile`` from XML text, so
every byte of a case is visible here; the zip bombs are deflate streams repeated after a full
flush (``_repeated_deflate``), so building a 1 GB bomb costs a megabyte and a second.
"""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

#: the memory goal per input, resident (README: Limits); the time goal is 30 s
GOAL_MB = 1536

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
             f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
                 f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                 f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
                 '</Relationships>')


def workbook_xml(*, state: str = "", prolog: str = "") -> str:
    hidden = f' state="{state}"' if state else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            f'<sheets><sheet name="Stock" sheetId="1" r:id="rId1"{hidden}/></sheets></workbook>')


def cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def sheet_xml(rows: list[list[object]], *, dimension: str | None = None, prolog: str = "",
              extra_rows: str = "") -> str:
    body = []
    for i, values in enumerate(rows, start=1):
        cells = "".join(cell(f"{column_letters(j)}{i}", v) for j, v in enumerate(values) if v is not None)
        body.append(f'<row r="{i}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">{dim}<sheetData>'
            f'{"".join(body)}{extra_rows}</sheetData></worksheet>')


def shared_strings_xml(strings: list[str], *, prolog: str = "") -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<sst xmlns="{MAIN}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{items}</sst>')


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


GOOD_ROWS: list[list[object]] = [["SKU", "Location", "Available"], ["A-1", "Main", 5], ["A-2", "Main", 7]]


def write_xlsx(path: Path, *, sheet: str | None = None, strings: str | None = None, workbook: str | None = None,
               rels: str | None = None, extra: dict[str, bytes | str] | None = None) -> Path:
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook if workbook is not None else workbook_xml(),
        "xl/_rels/workbook.xml.rels": rels if rels is not None else WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(GOOD_ROWS),
        "xl/sharedStrings.xml": strings if strings is not None else shared_strings_xml([]),
    }
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


# ---- ODS ------------------------------------------------------------------------------------
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods_cell(value: object, *, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{rep}/>"
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}"{rep}>'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{value}</text:p></table:table-cell>'


def ods_row(cells: str, *, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{cells}</table:table-row>"


def write_ods(path: Path, rows_xml: str, *, prolog: str = "") -> Path:
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {ODS_NS} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Stock">'
               f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def good_ods_rows(*, trailing: bool = False) -> str:
    xml = ods_row(ods_cell("SKU") + ods_cell("Location") + ods_cell("Available"))
    xml += ods_row(ods_cell("A-1") + ods_cell("Main") + ods_cell(5))
    if trailing:  # what LibreOffice writes below the data when a style reaches the sheet's end
        xml += ods_row(ods_cell(None, repeat=1024), repeat=1048574)
    return xml


# ---- zip bombs ------------------------------------------------------------------------------
def _repeated_deflate(prefix: bytes, chunk: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``prefix + chunk * times + suffix`` built without compressing it all:
    after a full flush the compressor forgets its history, so a repeated chunk compresses to the
    same bytes every time. Returns (stream, crc32, uncompressed size)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "the deflate block must not depend on what came before"
    tail = comp.compress(suffix) + comp.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    return head + block * times + tail, crc, len(prefix) + len(chunk) * times + len(suffix)


def _zip_with_raw_member(path: Path, parts: dict[str, str], *, name: str, stream: bytes, crc: int,
                         size: int, declared_size: int | None = None) -> Path:
    """A zip of ``parts`` plus one member whose deflate ``stream`` is written as is."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            z.writestr(part, data)
    declared = size if declared_size is None else declared_size
    assert declared < 0xFFFFFFFF and len(stream) < 0xFFFFFFFF, "no zip64 here"
    raw = path.read_bytes()
    end = raw.rfind(b"PK\x05\x06")
    (_, _, _, _, entries, cd_size, cd_offset, _) = struct.unpack("<IHHHHIIH", raw[end:end + 22])
    body, directory = raw[:cd_offset], raw[cd_offset:cd_offset + cd_size]
    encoded = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(stream), declared, len(encoded), 0)
    offset = len(body)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(stream), declared,
                          len(encoded), 0, 0, 0, 0, 0, offset)
    new_body = body + local + encoded + stream
    new_dir = directory + central + encoded
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries + 1, entries + 1, len(new_dir), len(new_body), 0)
    path.write_bytes(new_body + new_dir + eocd)
    return path


def _package_without(name: str) -> dict[str, str]:
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": workbook_xml(),
             "xl/_rels/workbook.xml.rels": WORKBOOK_RELS, "xl/worksheets/sheet1.xml": sheet_xml(GOOD_ROWS),
             "xl/sharedStrings.xml": shared_strings_xml([])}
    del parts[name]
    return parts


def xlsx_sheet_bomb(path: Path, *, gigabytes: float = 1.0, declared_size: int | None = None) -> Path:
    """A sheet of a header and then rows of inline-string cells, gigabytes of them."""
    prefix = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
              '<row><c t="inlineStr"><is><t>SKU</t></is></c><c t="inlineStr"><is><t>Available</t></is></c></row>'
              ).encode()
    chunk = b'<row><c t="inlineStr"><is><t>A-1</t></is></c><c><v>5</v></c></row>' * (1 << 14)
    times = int(gigabytes * (1 << 30) / len(chunk))
    stream, crc, size = _repeated_deflate(prefix, chunk, times, b"</sheetData></worksheet>")
    return _zip_with_raw_member(path, _package_without("xl/worksheets/sheet1.xml"), name="xl/worksheets/sheet1.xml",
                                stream=stream, crc=crc, size=size, declared_size=declared_size)


def xlsx_whitespace_bomb(path: Path) -> Path:
    """A good sheet whose one cell holds 320 MB of spaces (a few hundred KB on disk)."""
    prefix = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>SKU</t></is></c><c r="B1" t="inlineStr"><is><t>Available'
              '</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">A').encode()
    chunk = b" " * (1 << 24)
    stream, crc, size = _repeated_deflate(prefix, chunk, 20, b"</t></is></c><c r=\"B2\"><v>5</v></c></row>"
                                          b"</sheetData></worksheet>")
    return _zip_with_raw_member(path, _package_without("xl/worksheets/sheet1.xml"), name="xl/worksheets/sheet1.xml",
                                stream=stream, crc=crc, size=size)


def xlsx_shared_strings_bomb(path: Path) -> Path:
    """A 30,000-character shared string referenced by 200,000 cells: 6 GB once every cell has a copy."""
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>1</v></c><c r="B{i}"><v>5</v></c></row>'
                   for i in range(2, 200_002))
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Available</t></is></c></row>'
             f"{rows}</sheetData></worksheet>")
    return write_xlsx(path, sheet=sheet, strings=shared_strings_xml(["SKU", "x" * 30_000]))


def xlsx_many_entries(path: Path, *, entries: int = 20_000) -> Path:
    write_xlsx(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as z:
        for i in range(entries):
            z.writestr(f"xl/media/pad{i}.bin", b"")
    return path


# ---- text and special files ---------------------------------------------------------------
def sparse_file(path: Path, *, size: int, head: bytes = b"SKU,Available\nA-1,5\n") -> Path:
    """A file of ``size`` bytes that takes no disk space: a header, then a hole of NUL bytes."""
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


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
    """The start of an OLE compound file holding an ``EncryptedPackage`` stream: what Excel saves
    for a password-protected .xlsx (the encrypted content itself is random here)."""
    path = folder / "secret.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + os.urandom(4096))
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
    Case("row-beyond-excel", _xlsx(sheet=sheet_xml(GOOD_ROWS, extra_rows='<row r="1048577"><c r="A1048577">'
                                                   '<v>1</v></c></row>')), ("stock.xlsx", "1,048,576 rows")),
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
