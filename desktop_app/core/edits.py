"""Fixing cells in place: edits to a sheet's cells, made before the pipeline runs.

An edit is ``row number → {header: new value}`` (``Edits``), the row number the one the user
sees. ``apply_edits`` returns a *copy* of the sheet with those cells replaced — the file and
the RawSheet it was read into are never changed — so an edited sheet is checked by exactly the
same pipeline (``engine.prepare`` applies ``ImportOptions.edits`` right after reading) and the
journal records the edits with the run's options. Both faces can use it: the window's review
table writes edits, and ``edits_for_problem`` spreads one fix over every row with that problem.
"""
from __future__ import annotations

import dataclasses
from bisect import bisect_left
from operator import attrgetter
from typing import Any, Iterable, Mapping, TypeAlias, TypeVar

from desktop_app.core.errors import InputError
from desktop_app.core.models import RawSheet
from desktop_app.core.results import RowOutcome, Status

#: row number → {header → the value typed}
Edits: TypeAlias = dict[int, dict[str, Any]]


def apply_edits(sheet: RawSheet, edits: Mapping[int, Mapping[str, Any]]) -> RawSheet:
    """A copy of ``sheet`` whose edited cells hold the new values (``""`` clears a cell).

    Raises InputError naming the row or column when an edit points at neither."""
    if not edits:
        return sheet
    where = {h: i for i, h in reversed(list(enumerate(sheet.headers)))}   # first column of a header
    position = {number: i for i, (number, _) in enumerate(sheet.rows)}
    rows = list(sheet.rows)
    for number, cells in edits.items():
        number = int(number)
        if number not in position:
            raise InputError(f"Row {number} is not a data row of the sheet (its data rows are "
                             f"{sheet.rows[0][0] if sheet.rows else '–'} to {sheet.rows[-1][0] if sheet.rows else '–'}), "
                             "so it cannot be edited.")
        i = position[number]
        values = list(rows[i][1])
        for header, value in cells.items():
            if header not in where:
                raise InputError(f"The sheet has no column '{header}' to edit on row {number}. "
                                 f"Its columns are: {', '.join(h for h in sheet.headers if h)}.")
            values[where[header]] = None if value in ("", None) else value
        rows[i] = (number, tuple(values))
    return dataclasses.replace(sheet, rows=rows)


def merge_edits(edits: Mapping[int, Mapping[str, Any]], more: Mapping[int, Mapping[str, Any]]) -> Edits:
    """``edits`` with ``more`` on top (a new value for the same cell replaces the old one)."""
    out: Edits = {int(r): dict(c) for r, c in edits.items()}
    for r, cells in more.items():
        out.setdefault(int(r), {}).update(cells)
    return out


def edits_for_problem(outcomes: Iterable[RowOutcome], *, code: str, column: str | None, header: str,
                      value: Any) -> Edits:
    """The edit ``header = value`` for every invalid row with problem ``code`` in ``column``
    ("Replace in all rows with this problem")."""
    return {o.row: {header: value} for o in outcomes
            if o.status is Status.INVALID and o.code == code and o.column == column}


def edited_cells(sheet: RawSheet, original: RawSheet) -> int:
    """How many cells differ between an edited sheet and the sheet as read (for messages)."""
    before = dict(original.rows)
    return sum(1 for number, cells in sheet.rows for a, b in zip(cells, before.get(number, cells)) if a != b)


_ROW = attrgetter("row")
_T = TypeVar("_T")


def shown_equal(item: _T, shown: list[_T]) -> _T:
    """The object of ``shown`` (sorted by ``.row``) equal to ``item``, else ``item`` itself.

    A re-check after a fixed cell rebuilds every row, all but a few equal to what is shown:
    keeping the shown objects (``item`` is dropped at once) means the two checks never hold
    two copies of 100k rows."""
    k = bisect_left(shown, item.row, key=_ROW)  # type: ignore[attr-defined]
    while k < len(shown) and (old := shown[k]).row == item.row:  # type: ignore[attr-defined]
        if old == item:
            return old
        k += 1
    return item
