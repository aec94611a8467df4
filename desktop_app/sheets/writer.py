"""``write_table``: headers and rows → XLSX (openpyxl write-only), CSV or TSV, formula-safe.

* XLSX: header bold and frozen; a string a spreadsheet would evaluate is stored as an explicit
  string cell, so the text is unchanged but never runs. ``CellError`` values are written back as
  error cells.
* CSV/TSV/TXT: UTF-8 with a BOM (so Excel shows accents), dangerous strings prefixed with ``'``
  (``text`` strips it again when reading). CSV is comma-delimited unless a delimiter is given
  (a report for a ``;`` sheet should open in the same Excel locale); TSV and TXT use tabs.

The file is written next to its destination and renamed over it at the end, so a failed or
interrupted export never leaves half a file under the real name. A destination that exists and is
not a regular file — a device, a FIFO, a socket, a folder — is refused (``check_destination``),
never written into nor replaced; a symlink to a regular file is followed.
"""
from __future__ import annotations

import csv
import os
import stat
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterable, Sequence

from desktop_app.core.errors import InputError
from desktop_app.core.models import CellError
from desktop_app.sheets.cells import is_formula_like, neutralise

WRITABLE_EXTENSIONS = (".xlsx", ".csv", ".tsv", ".txt")
#: Excel's limit on a sheet name, and characters it refuses there
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def check_destination(path: str | os.PathLike[str]) -> Path:
    """``path`` if a sheet may be written there (absent, or a regular file), else ``InputError``."""
    target = Path(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise InputError(f"Can't write '{target}' ({exc.strerror or exc}). Choose another file name.") from None
    if stat.S_ISREG(mode):
        return target
    kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a special file")
    raise InputError(f"Can't write '{target}': it is {kind}, not a regular file, and Stocksheet never writes into "
                     "or replaces one. Choose a file name such as stock.xlsx in one of your folders.")


def write_table(path: str | os.PathLike[str], headers: list[str], rows: Iterable[Sequence[Any]], *,
                sheet_name: str = "Stock", delimiter: str | None = None) -> None:
    """Write one table; the format follows the extension of ``path``."""
    target = Path(path)
    ext = target.suffix.lower()
    if ext not in WRITABLE_EXTENSIONS:
        raise InputError(f"Can't write '{target.name}': Stocksheet writes {', '.join(WRITABLE_EXTENSIONS)} "
                         "files. Choose a name ending in one of those.")
    check_destination(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=ext, dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise InputError(f"Can't write to the folder {target.parent} ({exc.strerror or exc}). "
                         "Choose another folder.") from None
    temp = Path(temp_name)
    try:
        if ext == ".xlsx":
            _write_xlsx(temp, headers=headers, rows=rows, sheet_name=sheet_name)
        else:
            sep = "\t" if ext in (".tsv", ".txt") and delimiter is None else (delimiter or ",")
            _write_text(temp, headers=headers, rows=rows, delimiter=sep)
        os.replace(temp, target)
    except PermissionError:
        raise InputError(f"Can't save '{target.name}': the file is locked. If it is open in Excel or "
                         "another program, close it there and try again.") from None
    except OSError as exc:
        raise InputError(f"Can't save '{target.name}' ({exc.strerror or exc}). Check the disk has space "
                         "and the folder is writable.") from None
    finally:
        temp.unlink(missing_ok=True)


def _write_xlsx(path: Path, *, headers: list[str], rows: Iterable[Sequence[Any]], sheet_name: str) -> None:
    # openpyxl is imported when a workbook is written, not with the package: importing it costs
    # ~50 ms that reading a sheet (``engine.prepare``) shouldn't pay
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name.translate(_SHEET_NAME_BAD)[:_SHEET_NAME_MAX] or "Stock")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        if is_formula_like(text):
            cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    try:
        _append_rows(sheet, rows)
    except BaseException:
        _discard(sheet)
        raise
    book.save(path)


def _discard(sheet: Any) -> None:
    """Close a write-only sheet abandoned mid-way and remove openpyxl's temporary file."""
    try:
        sheet.close()
        sheet._writer.cleanup()
    except Exception:  # best effort: openpyxl also removes its temporary files at exit
        pass


def _append_rows(sheet: Any, rows: Iterable[Sequence[Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell

    for row in rows:
        out: list[Any] = list(row)
        for i, value in enumerate(out):
            kind = type(value)
            if kind is str:
                if value and value[0] in "=+-@\t\r'" and is_formula_like(value):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # after the value: assigning "=..." would make it a formula
                    out[i] = cell
            elif kind is CellError:
                cell = WriteOnlyCell(sheet, value=value.text)
                cell.data_type = "e"
                out[i] = cell
            elif value is not None and kind not in (int, float, bool, datetime, date, time):
                out[i] = str(value)
        sheet.append(out)


def _text_value(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, CellError):
        return value.text
    return neutralise(value)


def _write_text(path: Path, *, headers: list[str], rows: Iterable[Sequence[Any]], delimiter: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow([_text_value(h) for h in headers])
        convert = _text_value
        for row in rows:
            writer.writerow([convert(v) for v in row])
