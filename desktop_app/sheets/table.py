"""From a stream of cleaned rows to a ``RawSheet``: find the header, drop empty rows and unused
columns, align every row with the headers.

Both readers (``text`` and ``workbook``) produce ``(row_number, cells)`` pairs where
``row_number`` is the 1-based row the user sees and ``cells`` is a list of cleaned values
(``None`` for blank). Nothing here touches files.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from desktop_app.core.errors import HeaderNotFoundError, SheetReadError
from desktop_app.core.mapping import header_score
from desktop_app.core.models import RawSheet
from desktop_app.sheets.cells import header_text

#: how many non-empty rows from the top may hold the header
HEADER_SEARCH_ROWS = 30

#: what the "no header" message suggests
EXPECTED_COLUMNS = "SKU, Barcode, Location, Available"

Row = tuple[int, list[Any]]


class ColumnarRows(Iterator[Row]):
    """A row stream that can also hand over all its remaining rows at once, cleaned a column at
    a time (``columns[j][i]`` is cell ``j`` of row ``numbers[i]``, every column as long as
    ``numbers``). Readers of rectangular data (workbooks) provide it; ``assemble`` then builds
    the body without a Python loop per cell."""

    def take_columns(self) -> tuple[Sequence[int], list[Sequence[Any]]]:
        raise NotImplementedError


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


def probe(rows: Iterator[Row], *, header_row: int | None = None) -> Probe:
    """Read up to ``HEADER_SEARCH_ROWS`` non-empty rows and pick the first best-scoring header,
    or the row numbered ``header_row`` (the user's choice) when it is given and not empty."""
    head: list[Row] = []
    best_index: int | None = None
    best_score = 0
    for number, cells in rows:
        if is_empty(cells):
            continue
        score = header_score(cells)
        if header_row is not None:
            if number == header_row:
                best_index, best_score = len(head), max(score, 1)
            elif number > header_row and best_index is None:
                break
        elif score > best_score:
            best_index, best_score = len(head), score
        head.append((number, cells))
        if len(head) >= HEADER_SEARCH_ROWS and (header_row is None or best_index is not None):
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
        raise HeaderNotFoundError(
            f"Couldn't find a header row in the first {HEADER_SEARCH_ROWS} rows of {where}. "
            f"Expected columns such as {EXPECTED_COLUMNS}. Add a header row naming the columns "
            "and try again.", first_row=found.head[0][0],
            table_like=len(found.head) > 1 and sum(v is not None for v in found.head[0][1]) > 1)
    header_number, header_cells = found.head[found.header_index]
    bounds = _bounds(header_cells)
    assert bounds is not None  # a scored header has at least one text cell
    lo, hi = bounds
    body: list[Row] = []
    for number, cells in found.head[found.header_index + 1:]:
        span = _bounds(cells)
        if span is None:
            continue
        lo, hi = min(lo, span[0]), max(hi, span[1])
        body.append((number, cells))
    block = found.rest.take_columns() if isinstance(found.rest, ColumnarRows) else None
    if block is None:
        for number, cells in found.rest:
            span = _bounds(cells)
            if span is None:
                continue
            if span[0] < lo:
                lo = span[0]
            if span[1] > hi:
                hi = span[1]
            body.append((number, cells))
    else:
        used = [j for j, column in enumerate(block[1])
                if column[0] is not None or column.count(None) != len(column)]
        if used:
            lo, hi = min(lo, used[0]), max(hi, used[-1] + 1)
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
    if block is not None:
        rows += _block_rows(*block, lo=lo, hi=hi)
    above = [(number, tuple(cells)) for number, cells in found.head[:found.header_index]]
    return RawSheet(path=path, format=fmt, sheet_name=sheet_name, header_row=header_number,
                    headers=headers, rows=rows, encoding=encoding, delimiter=delimiter,
                    sheet_names=list(sheet_names or []), above=above)


def _block_rows(numbers: Sequence[int], columns: list[Sequence[Any]], *, lo: int, hi: int,
                ) -> list[tuple[int, tuple[Any, ...]]]:
    """The rows of a ``ColumnarRows`` block cut to columns ``lo:hi``, empty rows dropped."""
    if not numbers:
        return []
    kept = list(columns[lo:hi])
    kept += [(None,) * len(numbers)] * (hi - lo - len(kept))
    rows = list(zip(numbers, zip(*kept)))
    if all(None in column for column in kept):  # only then can a row be empty
        width = hi - lo
        rows = [row for row in rows if row[1].count(None) != width]
    return rows
