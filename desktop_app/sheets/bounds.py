"""Reading within bounds: what is checked before a reader holds a sheet in memory.

* ``open_sheet``: regular files only (a folder, a FIFO, ``/dev/zero`` behind a symlink are refused
  without blocking: the file is opened non-blocking and checked with ``fstat``), at most
  ``Limits.file_bytes``; ``read_capped`` never reads past that, even from a file that grows.
* ``check_archive``: a workbook's zip directory (entries, inflated sizes, ratios), then every XML
  part a reader parses, streamed through ``zipfile`` — which stops at the declared size and checks
  the CRC, so a directory that lies is caught — while counting what the reader would build: the
  rectangle of each worksheet (rows × columns, from cell references, LibreOffice's repeated
  rows and columns), and the text shared strings would be copied into.

Everything raises ``SheetReadError`` with a sentence from ``limits.too_big``.
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from desktop_app.core.errors import SheetReadError
from desktop_app.sheets.limits import LIMITS, Limits, size, too_big

_CHUNK = 1 << 20


def open_sheet(file: Path, *, name: str, limits: Limits = LIMITS) -> BinaryIO:
    """``file`` opened for reading, once it is known to be a regular file within the size limit."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SheetReadError(f"The file {file} does not exist. Check the name and folder.") from None
    except IsADirectoryError:
        raise SheetReadError(f"{file} is a folder, not a sheet file. Pick a file inside it.") from None
    except OSError as exc:
        raise SheetReadError(f"{name} can't be opened ({exc.strerror or exc}). If it is open in another "
                             "program, close it there and try again.") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SheetReadError(f"{file} is a folder, not a sheet file. Pick a file inside it.")
        if not stat.S_ISREG(info.st_mode):
            kind = ("a pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a device" if
                    stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket or special file")
            raise SheetReadError(f"{name} is {kind}, not a regular file, so it is not read (it could be endless). "
                                 "Save the sheet as a file and pick that.")
        if info.st_size > limits.file_bytes:
            raise SheetReadError(too_big(name, f"is {size(info.st_size)}", limit=f"{size(limits.file_bytes)} per file",
                                         reason="a sheet of 1,048,576 rows is far smaller; larger files are usually "
                                                "not stock sheets"))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(fh: BinaryIO, *, name: str, limits: Limits = LIMITS) -> bytes:
    """The rest of ``fh``, refusing a file that grew past the limit while it was read."""
    data = fh.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:
        raise SheetReadError(too_big(name, f"is larger than {size(limits.file_bytes)}",
                                     limit=f"{size(limits.file_bytes)} per file", reason="it kept growing while read"))
    return data


# ---- archives ----------------------------------------------------------------------------
_PARSED = (".xml", ".rels")
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
#: references (of a row or a cell) beyond column Z or row 99,999
_SUSPECT = re.compile(rb' r="([A-Z]{2,}\d*|[A-Z]?\d{6,})"')
_ROW_NUMBER = re.compile(rb' r="[A-Z]{0,3}(\d+)"')
_ODS_TOKEN = re.compile(rb"<table:(table-row|table-cell|covered-table-cell)\b([^>]*?)(/?)>|</table:(table-row|table)>")
_SHARED_INDEX = re.compile(rb"<(?:\w+:)?c\s[^>]*?\bt=\"s\"[^>]*>\s*<(?:\w+:)?v>(\d+)<")
_ROWS_REPEATED = re.compile(rb"table:number-rows-repeated=\"(\d+)\"")
_COLS_REPEATED = re.compile(rb"table:number-columns-repeated=\"(\d+)\"")


@dataclass(slots=True)
class _Extent:
    rows: int = 0
    columns: int = 0
    shared_cells: int = 0    # cells whose value is a shared string (each gets its own copy)

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def check_archive(fh: BinaryIO, *, name: str, limits: Limits = LIMITS) -> None:
    """Refuse a workbook archive that would inflate or expand past the limits (see module doc)."""
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetReadError(f"{name} can't be opened as a workbook ({exc}). The file may be damaged or not "
                             "really a spreadsheet; open it in your spreadsheet program and save it again as .xlsx "
                             "or .csv.") from None
    with archive:
        entries = archive.infolist()
        _check_directory(entries, name=name, limits=limits)
        lengths: list[int] = []
        sheets: list[zipfile.ZipInfo] = []
        shared_cells = 0
        shared = [i for i in entries if i.filename.lower().endswith("sharedstrings.xml")]
        for info in shared:
            lengths += _shared_string_sizes(_chunks(archive, info, name=name))
        sheet_bytes = sum(i.file_size for i in entries if "worksheets/" in i.filename.lower())
        # a shared-string cell is at least 12 bytes of XML: below this bound no count is needed
        count_shared = bool(lengths) and max(lengths) * sheet_bytes // 12 > limits.shared_text_bytes
        for info in entries:
            lower = info.filename.lower()
            if info.is_dir() or not lower.endswith(_PARSED):
                continue
            if lower.endswith("sharedstrings.xml"):
                continue   # measured above
            chunks = _chunks(archive, info, name=name)
            if "worksheets/" in lower:
                extent = _xlsx_extent(lambda info=info: _chunks(archive, info, name=name), limits=limits,
                                      count_shared=count_shared)
                _check_extent(extent, where=f"{name} ({info.filename})", limits=limits)
                shared_cells += extent.shared_cells
                sheets.append(info)
            elif lower == "content.xml":
                for extent in _ods_extents(chunks, name=name, limits=limits):
                    _check_extent(extent, where=f"{name} (content.xml)", limits=limits)
            else:
                for _ in chunks:
                    pass
        _check_shared_text(archive, sheets, lengths, shared_cells, name=name, limits=limits)


def _check_shared_text(archive: zipfile.ZipFile, sheets: list[zipfile.ZipInfo], lengths: list[int],
                       shared_cells: int, *, name: str, limits: Limits) -> None:
    """Every cell holding a shared string gets its own copy of it: a long string used by many
    cells is a memory bomb in a small file. Counted exactly only when the quick bound says so."""
    if not lengths:
        return
    longest = max(lengths)
    if longest > 6 * limits.cell_chars + 64:  # XML bytes: up to 6 per character ("&quot;")
        raise SheetReadError(too_big(name, f"has a cell longer than {limits.cell_chars:,} characters",
                                     limit=f"{limits.cell_chars:,} characters per cell", reason="Excel's own limit"))
    if shared_cells * longest <= limits.shared_text_bytes:
        return
    total = 0
    count = len(lengths)
    for info in sheets:
        for piece in _pieces(_chunks(archive, info, name=name)):
            for index in _SHARED_INDEX.findall(piece):
                i = int(index)
                total += lengths[i] if i < count else 0
    if total > limits.shared_text_bytes:
        raise SheetReadError(too_big(name, f"repeats shared text in its cells: about {size(total)} once each cell "
                                     "holds its own copy", limit=f"{size(limits.shared_text_bytes)} of cell text",
                                     reason="each cell's text is held in memory",
                                     advice="Open it in your spreadsheet program and save it again as .csv, or split "
                                            "the sheet."))


def _check_directory(entries: list[zipfile.ZipInfo], *, name: str, limits: Limits) -> None:
    if len(entries) > limits.archive_entries:
        raise SheetReadError(too_big(name, f"is an archive of {len(entries):,} files",
                                     limit=f"{limits.archive_entries:,} files in a workbook",
                                     reason="a real workbook holds a few dozen; this looks like a zip bomb",
                                     advice="Open it in your spreadsheet program and save it again as .xlsx or .csv."))
    total = 0
    for info in entries:
        total += info.file_size
        if info.file_size > limits.part_bytes:
            raise SheetReadError(too_big(name, f"has a part ({info.filename}) that inflates to {size(info.file_size)}",
                                         limit=f"{size(limits.part_bytes)} per part",
                                         reason="larger parts do not fit in memory safely; this may be a zip bomb"))
        if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise SheetReadError(too_big(name, f"has a part ({info.filename}) that inflates {ratio:,} times, to "
                                         f"{size(info.file_size)}", limit=f"{limits.ratio}× compression",
                                         reason="real sheets compress 5 to 30 times; this looks like a zip bomb",
                                         advice="Open it in your spreadsheet program and save it again as .xlsx or "
                                                ".csv; if it came from outside, do not open it."))
    if total > limits.archive_bytes:
        raise SheetReadError(too_big(name, f"inflates to {size(total)} in all", limit=f"{size(limits.archive_bytes)}",
                                     reason="larger workbooks do not fit in memory safely"))


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str) -> Iterator[bytes]:
    """The inflated part in chunks, never more than its declared size (the CRC is checked at the
    end). A document type declaration is refused: no spreadsheet program writes one into a
    workbook, and it is how entity expansion and external entities get in."""
    damaged = (f"{name} is damaged: its part {info.filename} can't be read", "Open it in your spreadsheet program "
               "and save it again as .xlsx or .csv.")
    try:
        with archive.open(info) as stream:
            first = True
            while chunk := stream.read(_CHUNK):
                if first and (b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk):
                    raise SheetReadError(
                        f"{name} declares a document type (a DTD) in its part {info.filename}. Spreadsheet programs "
                        "never write one; it is how XML attacks (entity expansion, external entities) work, so the "
                        "file is not read. If you trust it, open it in your spreadsheet program and save it again.")
                first = False
                yield chunk
    except SheetReadError:
        raise
    except Exception as exc:  # BadZipFile (a CRC or size that lies), zlib.error, EOFError, OSError …
        raise SheetReadError(f"{damaged[0]} ({exc}). {damaged[1]}") from None


def _pieces(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Chunks cut after their last ``>``, so no tag is split between two pieces."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b">") + 1
        if cut <= 0:
            carry = data[-4096:]  # no tag end in a megabyte: text, which no regex below needs
            continue
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _xlsx_extent(reopen: Callable[[], Iterator[bytes]], *, limits: Limits, count_shared: bool) -> _Extent:
    """The rectangle calamine fills for one worksheet: the largest row and column any cell or row
    reference names; cells and rows without a reference count one after another.

    A few C-level passes per megabyte: references beyond row 99,999 or column Z are parsed (below
    both a sheet is within every limit); the exact last row is looked for only in a sheet wider than
    Z, the rightmost single-letter column only in one long enough for it to matter — from its start,
    so a second pass reads the pieces before the one where that became known."""
    extent = _Extent()
    row_tags = 0
    prefix: bytes | None = None
    letters = 0                      # the rightmost single-letter column seen
    exact_rows_from = letters_from = None
    for index, piece in enumerate(_pieces(reopen())):
        if prefix is None:
            found = _ROOT.search(piece)
            prefix = (found.group(1) or b"") if found else b""
            cell_open, row_open = (b"<" + prefix + b"c ", b"<" + prefix + b"c>"), b"<" + prefix + b"row"
            unreferenced = re.compile(re.escape(b"<" + prefix + b"c") + rb"(?:>| (?!r=\"))")
        row_tags += piece.count(row_open)
        if count_shared:
            extent.shared_cells += piece.count(b't="s"')
        for ref in set(_SUSPECT.findall(piece)):
            column, number = _split_ref(ref)
            extent.rows = max(extent.rows, number)
            extent.columns = max(extent.columns, column)
        if extent.columns > 26:      # wide: every row number counts (ZZ1 and A99999 make 70 million cells)
            exact_rows_from = index if exact_rows_from is None else exact_rows_from
            extent.rows = max(extent.rows, _last_row(piece))
        elif max(extent.rows, row_tags) * 26 > limits.cells:
            letters_from = index if letters_from is None else letters_from
            letters = _rightmost_letter(piece, letters)
        if unreferenced.search(piece):  # a cell without a reference: count them per row
            for row in piece.split(b"</" + prefix + b"row>"):
                extent.columns = max(extent.columns, row.count(cell_open[0]) + row.count(cell_open[1]))
    extent.rows = max(extent.rows, row_tags)  # rows without a number count one by one
    again_rows = bool(exact_rows_from) and extent.columns > 26
    again_letters = bool(letters_from) and extent.columns <= 26
    if again_rows or again_letters:
        for index, piece in enumerate(_pieces(reopen())):
            if index >= max(exact_rows_from or 0, letters_from or 0):
                break
            if again_rows:
                extent.rows = max(extent.rows, _last_row(piece))
            else:
                letters = _rightmost_letter(piece, letters)
    if extent.columns < 26:
        extent.columns = max(extent.columns, letters if extent.rows * 26 > limits.cells else 26)
    return extent


def _last_row(piece: bytes) -> int:
    """The largest row number any reference in ``piece`` names."""
    return max(map(int, _ROW_NUMBER.findall(piece)), default=0)


def _split_ref(ref: bytes) -> tuple[int, int]:
    """``b"XFD1048576"`` → (16384, 1048576); a row's own reference has no letters (column 0)."""
    cut = 0
    while cut < len(ref) and ref[cut] >= 65:
        cut += 1
    return _column_number(ref[:cut]), int(ref[cut:] or 0)


def _rightmost_letter(piece: bytes, known: int) -> int:
    """The rightmost single-letter column a reference names, found by halving the alphabet."""
    lo, hi = known + 1, 26
    while lo <= hi:
        mid = (lo + hi) // 2
        pattern = _LETTER_RANGE.get((mid, hi))
        if pattern is None:
            pattern = _LETTER_RANGE[(mid, hi)] = re.compile(rb' r="[%c-%c]\d' % (64 + mid, 64 + hi))
        if pattern.search(piece):
            known, lo = mid, mid + 1
        else:
            hi = mid - 1
    return known


_LETTER_RANGE: dict[tuple[int, int], re.Pattern[bytes]] = {}


def _repeat(attrs: bytes, pattern: re.Pattern[bytes]) -> int:
    m = pattern.search(attrs)
    return int(m.group(1)) if m else 1


def _ods_extents(chunks: Iterator[bytes], *, name: str, limits: Limits) -> list[_Extent]:
    """Each ODS table's rectangle with repeated rows and columns expanded, up to its last row and
    column holding a value (LibreOffice ends sheets with a million repeated *empty* rows)."""
    tables: list[_Extent] = []
    current, rows = _Extent(), 0
    repeat = width = filled = 0
    for piece in _pieces(chunks):
        for token in _ODS_TOKEN.finditer(piece):
            tag, attrs, closed, end = token.groups()
            if tag == b"table-row":
                repeat, width, filled = _repeat(attrs, _ROWS_REPEATED), 0, 0
                if not closed:
                    continue
                end = b"table-row"
            elif tag:  # a cell
                width += _repeat(attrs, _COLS_REPEATED)
                if not closed or b"office:value" in attrs:
                    filled = width
                continue
            if end == b"table-row":
                rows += repeat
                if filled:
                    if repeat > limits.repeated_rows:
                        raise SheetReadError(too_big(
                            f"{name} (content.xml)", f"repeats one row of values {repeat:,} times",
                            limit=f"{limits.repeated_rows:,} repeats of a row",
                            reason="a repeated row expands a tiny file into a huge sheet, and no stock sheet "
                                   "needs one row that often"))
                    current.rows = rows
                    current.columns = max(current.columns, filled)
            elif end == b"table":
                tables.append(current)
                current, rows = _Extent(), 0
    tables.append(current)
    return tables


def _check_extent(extent: _Extent, *, where: str, limits: Limits) -> None:
    if extent.rows > limits.rows:
        raise SheetReadError(too_big(where, f"reaches row {extent.rows:,}", limit=f"{limits.rows:,} rows",
                                     reason="Excel's own maximum"))
    if extent.columns > limits.columns:
        raise SheetReadError(too_big(where, f"reaches column {extent.columns:,}", limit=f"{limits.columns:,} columns",
                                     reason="Excel's own maximum"))
    if extent.cells > limits.cells:
        raise SheetReadError(too_big(
            where, f"spans {extent.rows:,} rows × {extent.columns:,} columns = {extent.cells:,} cells (a cell far "
                   "below or right of the data counts, blanks and all)",
            limit=f"{limits.cells:,} cells", reason="each cell takes memory, blank or not",
            advice="Delete the rows and columns beyond your data (select them, Delete) and save again, or split "
                   "the sheet."))


def _shared_string_sizes(chunks: Iterator[bytes]) -> list[int]:
    """The XML size of each shared string, in order (an upper bound of its length)."""
    sizes: list[int] = []
    carry = b""
    for chunk in chunks:
        parts = (carry + chunk).split(b"<si")
        carry = parts.pop()
        sizes += map(len, parts)
    if carry:
        sizes.append(len(carry))
    return sizes[1:]  # what precedes the first <si> is the table's own header
