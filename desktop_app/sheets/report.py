"""The error report: the user's own sheet, with ``Row``, ``Status``, ``Error`` and ``Hint`` appended.

It keeps the input's columns in order, with the same header text and the values as read, so a
user can fix the cells in the report and import the report itself. Reading a report and
reporting on it again replaces the old four columns rather than adding four more.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

from desktop_app.core.models import RawSheet
from desktop_app.core.results import RowOutcome, Status
from desktop_app.sheets.writer import write_table

REPORT_COLUMNS = ["Row", "Status", "Error", "Hint"]

#: statuses that put a row into a problems-only report
PROBLEMS = frozenset({Status.INVALID, Status.FAILED, Status.STALE, Status.PENDING, Status.UNVERIFIED})


def default_report_path(sheet_path: str | os.PathLike[str]) -> Path:
    """``<stem>.errors.<ext>`` next to the input: CSV/TSV/TXT keep their extension, workbooks
    get ``.xlsx`` (we write no XLS/XLSM/ODS) — ``stock.ods.errors.xlsx`` for an ODS, so the reports
    of ``stock.xls``, ``stock.ods`` and ``stock.xlsx`` never overwrite each other. A report of a report
    doesn't grow a second tag."""
    source = Path(sheet_path)
    ext = source.suffix.lower()
    out_ext = ext if ext in (".csv", ".tsv", ".txt") else ".xlsx"
    stem = source.stem
    if stem.lower().endswith(".errors"):
        stem = stem[: -len(".errors")]
    if ext in (".xls", ".xlsm", ".ods"):     # stock.xls and stock.ods beside stock.xlsx: three reports, not one
        stem = f"{stem}{ext}"
    return source.with_name(f"{stem}.errors{out_ext}")


def _joined(parts: list[tuple[str | None, str]], *, labelled: bool) -> str:
    seen: list[str] = []
    for column, text in parts:
        if not text:
            continue
        item = f"{column}: {text}" if labelled and column else text
        if item not in seen:
            seen.append(item)
    return "; ".join(seen)


def describe(outcomes: list[RowOutcome]) -> tuple[str, str, str]:
    """Status, Error and Hint cells for one sheet row (outcomes worst-first)."""
    if not outcomes:
        return "", "", ""
    status = str(outcomes[0].status)
    problems = [o for o in outcomes if o.status in PROBLEMS]
    columns = {o.column for o in problems if o.column}
    labelled = len(columns) > 1
    error = _joined([(o.column, o.message) for o in problems], labelled=labelled)
    hints = [(o.column, o.hint) for o in problems]
    # the same advice for every column is said once, unlabelled
    if len({h for _, h in hints if h}) <= 1:
        hint = _joined([(None, h) for _, h in hints], labelled=False)
    else:
        hint = _joined(hints, labelled=labelled)
    return status, error, hint


def _own_columns(sheet: RawSheet) -> int:
    """How many of the sheet's columns are its own (a re-read report ends with ours)."""
    n = len(sheet.headers)
    if n >= len(REPORT_COLUMNS) and sheet.headers[-len(REPORT_COLUMNS):] == REPORT_COLUMNS:
        return n - len(REPORT_COLUMNS)
    return n


def write_report(path: str | os.PathLike[str], sheet: RawSheet, outcomes: dict[int, list[RowOutcome]], *,
                 only_problems: bool = True) -> int:
    """Write the report to ``path`` (format from its extension); returns the rows written."""
    own = _own_columns(sheet)
    headers = list(sheet.headers[:own]) + REPORT_COLUMNS
    written = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal written
        for number, cells in sheet.rows:
            row_outcomes = outcomes.get(number, [])
            if only_problems and not (row_outcomes and row_outcomes[0].status in PROBLEMS):
                continue
            status, error, hint = describe(row_outcomes)
            written += 1
            yield [*cells[:own], number, status, error, hint]

    target = Path(path)
    write_table(target, headers, rows(), sheet_name=sheet.sheet_name or "Report",
                delimiter=_delimiter_for(target, sheet))
    return written


def _delimiter_for(target: Path, sheet: RawSheet) -> str | None:
    """The input's delimiter where the output format allows it (``;`` CSVs open in the same
    Excel locale as the input did); None lets ``write_table`` choose from the extension."""
    ext = target.suffix.lower()
    if ext == ".csv" and sheet.delimiter in (",", ";", "|"):
        return sheet.delimiter
    if ext == ".txt" and sheet.delimiter:
        return sheet.delimiter
    return None
