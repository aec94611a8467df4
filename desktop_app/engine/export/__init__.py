"""Stock reports: the store's stock as a sheet people open, read and send on — and that imports
back as-is (zero changes; edit some levels and exactly those change).

    gather   read the store once: locations (``--locations``), variants, levels, what else the
             platform says about a level (committed stock, update times; ``--changed-since``)
    layouts  shape it: long, wide, low-stock; the Summary's figures per location
    xlsx     the XLSX writer (xlsxwriter, constant memory: styled, filtered, Summary and chart)
    (CSV goes through ``sheets.writer``: UTF-8 with or without BOM, ``,`` or ``;``)

Formula-like text (``=SUM(A1)``) is neutralised in both formats and the import reverses it;
numbers, negative stock included, stay numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop_app.core.errors import InputError
from desktop_app.core.progress import Progress, ProgressCallback, no_progress
from desktop_app.engine.export.gather import (
    DEFAULT_LOW_STOCK, LAYOUTS, THRESHOLD_HEADER, ExportOptions, Snapshot, gather,
)
from desktop_app.engine.export.layouts import kept_lines, summarise, table_for
from desktop_app.platforms.base import Connector
from desktop_app.sheets.writer import check_destination, replacing, write_table

__all__ = ["DEFAULT_LOW_STOCK", "LAYOUTS", "THRESHOLD_HEADER", "ExportOptions", "ExportResult", "FORMATS",
           "check_options", "default_file_name", "export_stock", "write_stock_report"]

FORMATS = (".xlsx", ".csv")
DELIMITERS = (",", ";")


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: int                 # data rows written (a wide report's total row not counted)
    levels: int               # stock levels shown


def default_file_name(store: str, *, ext: str = ".xlsx", day: date | None = None) -> str:
    """``stock-<store>-<YYYY-MM-DD>.xlsx``, the store's name made safe for any file system."""
    slug = re.sub(r"[^\w]+", "-", store.lower(), flags=re.UNICODE).strip("-")[:40] or "store"
    return f"stock-{slug}-{(day or date.today()).isoformat()}{ext}"


def check_options(path: str | Path, options: ExportOptions) -> None:
    """Refuse what can't be written, before the store is read."""
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise InputError(f"Can't export to '{target.name}': use a file name ending in .xlsx or .csv.")
    if options.layout not in LAYOUTS:
        raise InputError(f"There is no '{options.layout}' layout: choose one of {', '.join(LAYOUTS)}.")
    if options.delimiter not in DELIMITERS:
        raise InputError(f"A CSV report is delimited by ',' or ';', not {options.delimiter!r}.")
    if options.only_low and options.threshold is None and options.thresholds is None:
        raise InputError("Keeping only low stock needs a threshold: add --low-stock N (or --thresholds "
                         "with a previous report).")
    check_destination(target)        # a device or FIFO is refused before the store is read


def write_stock_report(connector: Connector, path: str | Path, *, options: ExportOptions | None = None,
                       progress: ProgressCallback = no_progress) -> ExportResult:
    """Read the store and write the report to ``path`` (.xlsx or .csv); the file appears whole
    or not at all."""
    options = options or ExportOptions()
    target = Path(path)
    check_options(target, options)
    snapshot = gather(connector, options, progress=progress)
    progress(Progress(stage="export", done=2, total=3, message="Writing the report…"))
    rows = write_snapshot(target, snapshot)
    levels = len(kept_lines(snapshot))
    progress(Progress(stage="export", done=3, total=3, message=f"{levels:,} stock levels written."))
    return ExportResult(target, rows, levels)


def write_snapshot(target: Path, snapshot: Snapshot) -> int:
    """Shape and write an already gathered snapshot (the benchmark times this part alone)."""
    lines = kept_lines(snapshot)
    table = table_for(snapshot, lines)
    options = snapshot.options
    if target.suffix.lower() == ".csv":
        rows = 0

        def counted():
            nonlocal rows
            for row in table.rows():
                rows += 1
                yield row

        write_table(target, [c.header for c in table.columns], counted(), delimiter=options.delimiter,
                    bom=options.bom)
        return rows - 1 if table.total_row and rows else rows
    from desktop_app.engine.export.xlsx import write_xlsx
    with replacing(target) as temp:
        return write_xlsx(temp, table=table, snapshot=snapshot, figures=summarise(snapshot, lines))


def export_stock(connector: Connector, path: str | Path, *, options: ExportOptions | None = None,
                 progress: ProgressCallback = no_progress) -> int:
    """``write_stock_report`` returning the number of stock levels written."""
    return write_stock_report(connector, path, options=options, progress=progress).levels
