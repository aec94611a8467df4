"""Generators of hostile sheet files: every case is built here at test time, no binary blobs.

``cases.py`` lists the corpus built from these. XLSX and ODS packages are written with ``zipfile`` from XML text, so
every byte of a case is visible here; the zip bombs are deflate streams repeated after a full
flush (``_repeated_deflate``), so building a 1 GB bomb costs a megabyte and a second.
"""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

from desktop_app.core.columns import column_letter as column_letters  # 0 → A, 26 → AA

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
