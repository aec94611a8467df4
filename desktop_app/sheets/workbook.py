"""XLSX/XLSM/XLS/ODS through python-calamine: about 19x faster than openpyxl read-only on a
100k-row sheet (0.27 s against 5.1 s; run bench/read_formats.py).

What calamine does that we correct for:

* ``iter_rows()`` yields one list per row from row 1, but each list starts at the sheet's first
  *used column* (``sheet.start[1]``): rows keep their numbers, columns are shifted. That is
  harmless here because cells are aligned with the header found in the same rows.
* numbers come back as float: whole floats become ints (``cells.clean_book_value``).
* error cells (``#N/A``) come back as empty strings, indistinguishable from blanks. For
  XLSX/XLSM we find them in the sheet's XML (``_xlsx_errors``) and put a ``CellError`` back; XLS
  and ODS error cells stay blank (ODS usually stores the error's text, which is recognised).
* ``iter_rows()`` on a sheet with no cells fails, so empty sheets are checked first.

Below the header a sheet is cleaned a column at a time (``cells.clean_book_column``): a column
of one type costs a few C-level passes instead of a Python call per cell.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, Sequence
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from desktop_app.core.errors import SheetReadError
from desktop_app.core.models import CellError
from desktop_app.sheets.cells import clean_book_column, clean_book_value
from desktop_app.sheets.table import ColumnarRows, Row

_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?\bt=\"e\"[^>]*)>(.*?)</(?:\w+:)?c>", re.S)
_CELL_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _reraise_interrupts(exc: BaseException) -> None:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc


def _short(exc: BaseException) -> str:
    """A reader's complaint for a sentence: its first line, cut short."""
    if isinstance(exc, MemoryError):
        return "not enough memory"
    text = (str(exc) or type(exc).__name__).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


class Book:
    """An open workbook: its sheet names and a row stream per sheet."""

    def __init__(self, path: Path, fh: BinaryIO, *, name: str) -> None:
        """``fh``: the file, opened by ``bounds.open_sheet`` and checked by ``bounds.check_archive``."""
        self.path = path
        self.name = name
        try:
            self._book = CalamineWorkbook.from_filelike(fh)
        except PasswordError:
            raise SheetReadError(f"{name} is password-protected. Open it in your spreadsheet "
                                 "program, remove the password (or save an unprotected copy) and try again.") from None
        except BaseException as exc:  # CalamineError, OSError … and a Rust panic (pyo3 PanicException)
            _reraise_interrupts(exc)
            raise SheetReadError(f"{name} can't be opened as a workbook ({_short(exc)}). The file may be damaged "
                                 "or not really a spreadsheet; open it in your spreadsheet program and "
                                 "save it again as .xlsx or .csv.") from None
        meta = self._book.sheets_metadata
        self.sheet_names: list[str] = [m.name for m in meta]
        self.worksheet_names: list[str] = [m.name for m in meta if m.typ == SheetTypeEnum.WorkSheet]
        #: hidden and very hidden sheets: read only when named, or when no visible sheet has a header
        self.hidden: set[str] = {m.name for m in meta if m.visible != SheetVisibleEnum.Visible}
        fh.seek(0)
        self._is_zip = zipfile.is_zipfile(fh)

    def close(self) -> None:
        self._book.close()

    def rows(self, sheet_name: str) -> Iterator[Row]:
        try:
            sheet = self._book.get_sheet_by_name(sheet_name)
            if sheet.start is None:  # no cells at all
                return iter(())
            raw = list(sheet.iter_rows())
        except BaseException as exc:  # CalamineError … and a Rust panic (pyo3 PanicException)
            _reraise_interrupts(exc)
            raise SheetReadError(f"Sheet '{sheet_name}' of {self.name} can't be read ({_short(exc)}). The file may "
                                 "be damaged; open it in your spreadsheet program and save it again.") from None
        path = self.path if self._is_zip else None
        return _SheetRows(raw, first_col=sheet.start[1],
                          find_errors=lambda: _xlsx_errors(path, sheet_name) if path else {})


class _SheetRows(ColumnarRows):
    """A sheet's rows, cleaned (``cells.clean_book_value``) with error cells put back: one at a
    time for the header probe, then the rest a column at a time.

    An error cell reads as "", like a blank one, so the sheet's XML is searched for errors only
    once a "" turns up: a sheet without blanks can have no error cells."""

    def __init__(self, raw: list[list[Any]], *, first_col: int,
                 find_errors: Callable[[], dict[tuple[int, int], str]]) -> None:
        self._raw = raw
        self._next = 0
        self._first_col = first_col
        self._find_errors = find_errors
        self._errors: dict[tuple[int, int], str] | None = None
        self._error_rows: set[int] = set()

    def __next__(self) -> Row:
        index = self._next
        if index >= len(self._raw):
            raise StopIteration
        self._next = index + 1
        raw = self._raw[index]
        cells = [clean_book_value(v) for v in raw]
        if "" in raw:
            errors, error_rows = self._load_errors()
            if index in error_rows:
                for (r, c), text in errors.items():
                    if r == index and 0 <= c - self._first_col < len(cells):
                        cells[c - self._first_col] = CellError(text)
        return index + 1, cells

    def take_columns(self) -> tuple[Sequence[int], list[Sequence[Any]]]:
        start, end = self._next, len(self._raw)
        rest, self._raw, self._next = self._raw[start:], [], 0  # handed over: the stream is exhausted
        width = max(map(len, rest), default=0)
        if min(map(len, rest), default=0) != width:  # calamine's rows are all as wide; just in case
            rest = [cells + [None] * (width - len(cells)) for cells in rest]
        raw_columns = list(zip(*rest))
        del rest
        columns = [clean_book_column(column) for column in raw_columns]
        if any("" in column for column in raw_columns):
            patched: dict[int, list[Any]] = {}
            for (r, c), text in self._load_errors()[0].items():
                j = c - self._first_col
                if r >= start and 0 <= j < width:
                    if j not in patched:
                        patched[j] = columns[j] = list(columns[j])
                    patched[j][r - start] = CellError(text)
        return range(start + 1, end + 1), columns

    def _load_errors(self) -> tuple[dict[tuple[int, int], str], set[int]]:
        """``({(row0, col0): text}, rows with errors)``, read from the file on first use."""
        if self._errors is None:
            self._errors = self._find_errors()
            self._error_rows = {r for r, _ in self._errors}
        return self._errors, self._error_rows


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding ``sheet_name``'s cells (via workbook.xml and its relationships)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    rel_id = None
    for sheet in book.iter(f"{_MAIN_NS}sheet"):
        if sheet.get("name") == sheet_name:
            rel_id = sheet.get(f"{_REL_NS}id")
            break
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


def _xlsx_errors(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """``{(row0, col0): "#N/A"}`` for the error cells of one XLSX sheet, streamed in chunks.

    Sheets without errors (nearly all) cost one decompression and a substring search.
    """
    found: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet_name)
            if part is None or part not in archive.namelist():
                return found
            with archive.open(part) as stream:
                carry = b""
                while True:
                    chunk = stream.read(1 << 20)
                    data = carry + chunk
                    if not chunk:
                        _scan_errors(data, found)
                        break
                    cut = data.rfind(b"</row>")
                    if cut < 0:
                        carry = data
                        continue
                    cut += len(b"</row>")
                    _scan_errors(data[:cut], found)
                    carry = data[cut:]
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}
    return found


def _scan_errors(data: bytes, found: dict[tuple[int, int], str]) -> None:
    if b't="e"' not in data:
        return
    for match in _ERROR_CELL.finditer(data):
        ref = _CELL_REF.search(match.group(1))
        value = _VALUE.search(match.group(2))
        if ref is None:
            continue
        text = value.group(1).decode("utf-8", "replace") if value else "#N/A"
        found[(int(ref.group(2)) - 1, _column_index(ref.group(1)))] = text
