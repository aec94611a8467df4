"""From a stream of cleaned rows to a ``RawSheet``: find the header, drop empty rows and unused
columns, align every row with the headers.

Both readers (``text`` and ``workbook``) produce ``(row_number, cells)`` pairs where
``row_number`` is the 1-based row the user sees and ``cells`` is a list of cleaned values
(``None`` for blank). Nothing here touches files.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any, Iterator

from desktop_app.core.errors import SheetReadError
from desktop_app.core.mapping import header_score
from desktop_app.core.models import RawSheet
from desktop_app.sheets.cells import header_text

#: how many non-empty rows from the top may hold the header
HEADER_SEARCH_ROWS = 30

#: what the "no header" message suggests
EXPECTED_COLUMNS = "SKU, Barcode, Location, Available"

Row = tuple[int, list[Any]]


@dataclass(slots=True)
class Probe:
    """The top of one sheet, looked at once: the rows read so far and the best header among them.

    ``rest`` continues the same row stream, so the sheet is never read twice.
    """

    head: list[Row]
    rest: Iterator[Row]
    header_index: int | None
    score: int


def is_empty(cells: list[Any]) -> bool:
    for value in cells:
        if value is not None:
            return False
    return True


def probe(rows: Iterator[Row]) -> Probe:
    """Read up to ``HEADER_SEARCH_ROWS`` non-empty rows and pick the first best-scoring header."""
    head: list[Row] = []
    best_index: int | None = None
    best_score = 0
    for number, cells in rows:
        if is_empty(cells):
            continue
        score = header_score(cells)
        if score > best_score:
            best_index, best_score = len(head), score
        head.append((number, cells))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    return Probe(head=head, rest=rows, header_index=best_index, score=best_score)


def _bounds(cells: list[Any]) -> tuple[int, int] | None:
    """Index of the first non-empty cell and one past the last, or None for an empty row."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    if not end:
        return None
    start = 0
    while cells[start] is None:
        start += 1
    return start, end


def assemble(found: Probe, *, path: str, fmt: str, where: str, sheet_name: str | None = None,
             sheet_names: list[str] | None = None, encoding: str | None = None,
             delimiter: str | None = None) -> RawSheet:
    """Build the RawSheet below the probed header; ``where`` names the sheet in messages."""
    if not found.head:
        raise SheetReadError(f"{where} is empty: there are no rows to import. "
                             "Check that you picked the right file or sheet.")
    if found.header_index is None:
        raise SheetReadError(
            f"Couldn't find a header row in the first {HEADER_SEARCH_ROWS} rows of {where}. "
            f"Expected columns such as {EXPECTED_COLUMNS}. Add a header row naming the columns "
            "and try again.")
    header_number, header_cells = found.head[found.header_index]
    bounds = _bounds(header_cells)
    assert bounds is not None  # a scored header has at least one text cell
    lo, hi = bounds
    body: list[Row] = []
    for number, cells in chain(found.head[found.header_index + 1:], found.rest):
        span = _bounds(cells)
        if span is None:
            continue
        if span[0] < lo:
            lo = span[0]
        if span[1] > hi:
            hi = span[1]
        body.append((number, cells))
    width = hi - lo
    headers = [header_text(v) for v in header_cells[lo:hi]]
    headers += [""] * (width - len(headers))
    rows: list[tuple[int, tuple[Any, ...]]] = []
    append = rows.append
    for number, cells in body:
        part = cells[lo:hi]
        if len(part) < width:
            part += [None] * (width - len(part))
        append((number, tuple(part)))
    return RawSheet(path=path, format=fmt, sheet_name=sheet_name, header_row=header_number,
                    headers=headers, rows=rows, encoding=encoding, delimiter=delimiter,
                    sheet_names=list(sheet_names or []))
