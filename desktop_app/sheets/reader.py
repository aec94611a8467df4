"""``read_sheet``: any supported stock sheet on disk → ``core.models.RawSheet``.

The file's *content* decides how it is read, the extension only breaks ties: shop back-ends
often save CSV text with an ``.xls`` name, and an ``.xlsx`` that is really an old ``.xls``
opens all the same. Every failure is a ``SheetReadError`` whose message is a sentence.
"""
from __future__ import annotations

import os
from pathlib import Path

from desktop_app.core.errors import SheetReadError
from desktop_app.core.models import RawSheet
from desktop_app.sheets.table import Probe, assemble, probe
from desktop_app.sheets.text import read_text
from desktop_app.sheets.workbook import Book

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")
BOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS + BOOK_EXTENSIONS

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def read_sheet(path: str | os.PathLike[str], *, sheet: str | None = None, header_row: int | None = None) -> RawSheet:
    """Read a CSV/TSV/TXT/XLSX/XLSM/XLS/ODS stock sheet.

    ``sheet`` picks a workbook sheet by name; without it the sheet whose header is most
    recognisable is used (the first one on ties). Ignored for text files. ``header_row`` is the
    1-based row holding the header (default: the most recognisable of the first rows).
    """
    file = Path(path)
    name = f"'{file.name}'"
    ext = file.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise SheetReadError(f"{name} is not a supported sheet type. Save it as one of: "
                             f"{', '.join(SUPPORTED_EXTENSIONS)}.")
    try:
        with open(file, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise SheetReadError(f"The file {file} does not exist. Check the name and folder.") from None
    except IsADirectoryError:
        raise SheetReadError(f"{file} is a folder, not a sheet file. Pick a file inside it.") from None
    except OSError as exc:
        raise SheetReadError(f"{name} can't be opened ({exc.strerror or exc}). If it is open in another "
                             "program, close it there and try again.") from None
    if not head:
        raise SheetReadError(f"{name} is empty (0 bytes). Check that you picked the right file.")
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        return _read_book(file, ext=ext, head=head, name=name, sheet=sheet, header_row=header_row)
    if ext in BOOK_EXTENSIONS:
        kind = _content_kind(file)
        if kind == "markup":
            raise SheetReadError(f"{name} is a web page or XML document saved with a {ext} name, not a "
                                 "workbook. Open it in your spreadsheet program and save it as .xlsx or .csv.")
        if kind == "binary":
            raise SheetReadError(f"{name} is not a valid {ext[1:].upper()} workbook: the file is damaged or "
                                 "was saved in another format. Open it in your spreadsheet program and save "
                                 "it again as .xlsx or .csv.")
    return _read_text(file, ext=ext, name=name, header_row=header_row)


def _content_kind(file: Path) -> str:
    """Classify a file that is neither zip nor OLE as "text", "markup" (HTML/XML) or "binary"."""
    with open(file, "rb") as fh:
        sample = fh.read(4096)
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if sample.lstrip().startswith(b"<"):
        return "markup"
    return "binary" if b"\x00" in sample else "text"


def _read_text(file: Path, *, ext: str, name: str, header_row: int | None) -> RawSheet:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise SheetReadError(f"{name} can't be read ({exc.strerror or exc}).") from None
    rows, encoding, delimiter = read_text(data, extension=ext, name=name)
    fmt = "tsv" if delimiter == "\t" else "csv"
    return assemble(_probe(rows, header_row, where=name), path=str(file), fmt=fmt, where=name,
                    encoding=encoding, delimiter=delimiter)


def _probe(rows, header_row: int | None, *, where: str) -> Probe:
    found = probe(rows, header_row=header_row)
    if header_row is not None and found.header_index is None:
        raise SheetReadError(f"Row {header_row} of {where} is empty or past the top of the sheet, so it cannot "
                             "be the header row. Choose the row that names the columns.")
    return found


def _read_book(file: Path, *, ext: str, head: bytes, name: str, sheet: str | None,
               header_row: int | None) -> RawSheet:
    if head.startswith(_OLE_MAGIC):
        if ext in (".xlsx", ".xlsm") and _ENCRYPTED_PACKAGE in file.read_bytes():
            raise SheetReadError(f"{name} is password-protected (encrypted). Open it in your spreadsheet "
                                 "program, remove the password (or save an unprotected copy) and try again.")
        fmt = "xls"
    elif ext == ".xls":
        fmt = "xlsx"  # a zip package saved with the old extension
    else:
        fmt = ext[1:] if ext in BOOK_EXTENSIONS else "xlsx"
    book = Book(file, name=name)
    try:
        if sheet is not None or header_row is not None:
            chosen = _named_sheet(book, sheet) if sheet is not None else _best_sheet(book)[0]
            found = _probe(book.rows(chosen), header_row, where=f"sheet '{chosen}' of {name}")
        else:
            chosen, found = _best_sheet(book)
        where = f"sheet '{chosen}' of {name}" if sheet is not None else _where(book, chosen, found)
        return assemble(found, path=str(file), fmt=fmt, where=where,
                        sheet_name=chosen, sheet_names=book.sheet_names)
    finally:
        book.close()


def _named_sheet(book: Book, wanted: str) -> str:
    if wanted in book.sheet_names:
        return wanted
    folded = {n.strip().casefold(): n for n in book.sheet_names}
    match = folded.get(wanted.strip().casefold())
    if match is not None:
        return match
    listed = ", ".join(f"'{n}'" for n in book.sheet_names)
    raise SheetReadError(f"{book.name} has no sheet named '{wanted}'. Its sheets are: {listed}. "
                         "Pick one of those.")


def _best_sheet(book: Book) -> tuple[str, Probe]:
    """The worksheet with the best header score; the first one on ties (and when none scores)."""
    names = book.worksheet_names or book.sheet_names
    if not names:
        raise SheetReadError(f"{book.name} has no worksheets. Open it in your spreadsheet program "
                             "and check that it contains a sheet with your stock.")
    best_name, best = names[0], probe(book.rows(names[0]))
    for other in names[1:]:
        candidate = probe(book.rows(other))
        if candidate.score > best.score:
            best_name, best = other, candidate
    return best_name, best


def _where(book: Book, chosen: str, found: Probe) -> str:
    """How messages name the sheet: all of them when none had a header."""
    names = book.worksheet_names or book.sheet_names
    if found.header_index is None and len(names) > 1:
        return f"any sheet of {book.name} ({', '.join(repr(n) for n in names)})"
    return f"sheet '{chosen}' of {book.name}"
