"""The error report of a journalled run (an import, its resume, an undo), written again from the
journal: the run's own sheet when it is still there, else a sheet of the journalled levels.

``write_run_report(run_id, result)`` is what ``resume`` and ``undo`` write for their failed rows,
and what ``stocksheet report RUN_ID -o FILE`` writes on demand.
"""
from __future__ import annotations

from pathlib import Path

from desktop_app.core.errors import InputError
from desktop_app.core.models import RawSheet
from desktop_app.core.results import RunResult
from desktop_app.engine.importer import write_problem_report
from desktop_app.engine.journal import Journal, RunRecord
from desktop_app.engine.paths import reports_dir
from desktop_app.sheets.report import default_report_path


def write_run_report(record: RunRecord, result: RunResult, *, path: Path | None = None) -> str | None:
    """Write the report of ``result`` (the run's outcomes); returns its path, None when no row
    needs attention. An undo's report is named apart from its import's."""
    sheet = run_sheet(record, result)
    default = None
    if not sheet.path:
        default = reports_dir() / f"{record.id}.errors.csv"
    elif record.kind == "undo":
        own = default_report_path(sheet.path)
        default = own.with_name(own.name.replace(".errors.", f".undo-{record.id}.errors.", 1))
    return write_problem_report(sheet, result, path, default=default)


def run_sheet(record: RunRecord, result: RunResult) -> RawSheet:
    """The sheet the run was made from, read again; when it is gone (moved, deleted, edited past
    recognition), a sheet of the run's levels: row, SKU, location, the target."""
    from desktop_app.sheets.reader import read_sheet
    if record.sheet and Path(record.sheet).is_file():
        try:
            return read_sheet(record.sheet, sheet=record.options.get("sheet"))
        except InputError:
            pass
    rows = {}
    for o in sorted(result.outcomes, key=lambda o: o.row):
        rows.setdefault(o.row, (o.sku or o.variant_id, o.location or o.location_id, o.after))
    return RawSheet(path="", format="csv", sheet_name=None, header_row=1, headers=["SKU", "Location", "Available"],
                    rows=sorted(rows.items()))


def journal_report(run_id: str, *, path: Path, journal: Journal | None = None) -> tuple[RunResult, str | None]:
    """``stocksheet report RUN_ID -o FILE``: the run's result as journalled, and the report written."""
    from desktop_app.engine.runs import journal_result, run_record
    record = run_record(run_id, journal)
    own = journal or Journal()
    try:
        result = journal_result(own, run_id)
    finally:
        if journal is None:
            own.close()
    return result, write_run_report(record, result, path=path)
