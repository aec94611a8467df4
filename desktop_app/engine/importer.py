"""One import, start to finish: prepare → (dry run stops) → submit → error report.

Used by the CLI and, step by step, by the window (which shows the preview between prepare and
submit).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from desktop_app.core.errors import InputError
from desktop_app.core.mapping import parse_override
from desktop_app.core.models import KeyKind, RawSheet
from desktop_app.core.progress import CancelToken, ProgressCallback, no_progress
from desktop_app.core.resolve import DuplicatePolicy
from desktop_app.core.results import RowOutcome, RunResult, Status, sheet_status
from desktop_app.engine import profile_store
from desktop_app.engine.guards import GuardLimits, check as check_guards, describe as describe_guards, parse_share
from desktop_app.engine.paths import reports_dir
from desktop_app.engine.prepare import ImportOptions, Preview, prepare
from desktop_app.platforms.base import Connector
from desktop_app.sheets.report import default_report_path, write_report
from desktop_app.sheets.writer import write_table

SHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
PROBLEMS = {Status.INVALID, Status.FAILED, Status.STALE, Status.PENDING, Status.UNVERIFIED}


@dataclass(slots=True)
class ImportRequest:
    file: Path
    options: ImportOptions = field(default_factory=ImportOptions)
    dry_run: bool = False
    report: Path | None = None
    save_profile: str | None = None
    mapped_headers: list[str] = field(default_factory=list)   # headers named by --map (not by a profile)
    guards: GuardLimits = field(default_factory=GuardLimits)

    @classmethod
    def from_cli(cls, args: argparse.Namespace) -> "ImportRequest":
        overrides = dict(parse_override(spec) for spec in args.map)
        options = import_options(key=args.key, sheet=args.sheet, duplicates=args.duplicates,
                                 force_stale=args.force_stale, profile=args.profile, overrides=overrides,
                                 locations=parse_locations(args.location), encoding=getattr(args, "encoding", None))
        return cls(file=args.file, options=options, dry_run=args.dry_run, report=args.report,
                   save_profile=args.save_profile, mapped_headers=list(overrides), guards=guard_limits_from_cli(args))

    def check_file(self) -> None:
        """A folder, or a file that is not there, is refused before the store is contacted."""
        if self.file.is_dir():
            sheets = sorted(p.name for p in self.file.iterdir() if p.suffix.lower() in SHEET_SUFFIXES)[:3]
            inside = f" (it holds {', '.join(sheets)})" if sheets else ""
            raise InputError(f"{self.file} is a folder{inside}: give the stock sheet file itself, e.g. "
                             f"{self.file / (sheets[0] if sheets else 'stock.xlsx')}.")


def import_options(*, key: str | None = None, sheet: str | None = None, duplicates: str = "error",
                   force_stale: bool = False, profile: str | None = None, overrides: dict[str, str] | None = None,
                   locations: dict[str, str] | None = None, encoding: str | None = None) -> ImportOptions:
    """The options of an import (the CLI's flags, a feed's recipe): a saved profile first, then
    the explicit column roles and location matches on top of it."""
    options = ImportOptions(key=KeyKind(key) if key else None, sheet=sheet,
                            duplicates=DuplicatePolicy(duplicates), force_stale=force_stale, encoding=encoding)
    if profile:
        saved = profile_store.load(profile)
        options.overrides.update(saved.overrides)
        options.location_aliases.update(saved.location_aliases)
        options.key = options.key or saved.key
    options.overrides.update(overrides or {})
    options.location_aliases.update(locations or {})
    return options


def parse_locations(specs: list[str]) -> dict[str, str]:
    """``--location 'Name in sheet=Store location'`` values."""
    out = {}
    for spec in specs:
        name, sep, target = spec.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise InputError(f"--location '{spec}' must look like 'Name in sheet=Store location'.")
        out[name.strip()] = target.strip()
    return out


def guard_limits_from_cli(args: argparse.Namespace) -> GuardLimits:
    """``--max-zero-share``, ``--max-drop-share``, ``--allow-mass-change`` (defaults where absent)."""
    limits: dict[str, float] = {}
    for flag in ("max_zero_share", "max_drop_share"):
        value = getattr(args, flag, None)
        if value is not None:
            limits[flag] = parse_share(value)
    return GuardLimits(allow_mass_change=bool(getattr(args, "allow_mass_change", False)), **limits)


def run_import(request: ImportRequest, connector: Connector, *, progress: ProgressCallback = no_progress,
               cancel: CancelToken | None = None) -> RunResult:
    request.check_file()
    preview = prepare(request.file, connector, resolved_aliases(request.options, connector), progress=progress,
                      cancel=cancel)
    _check_flags(request, preview)
    saved = None
    if request.save_profile:
        profile_store.save_from_preview(request.save_profile, preview)
        saved = (f"Saved this mapping as the profile '{request.save_profile}': reuse it with "
                 f"--profile '{request.save_profile}'.")
    result = apply_preview(preview, connector, guards=request.guards, dry_run=request.dry_run, report=request.report,
                           progress=progress, cancel=cancel)
    if saved:
        result.notices.append(saved)
    if (result.report is None and result.report_error is None and request.report is None and not result.dry_run
            and not result.guards):
        removed = remove_stale_report(preview.sheet)
        if removed:
            result.notices.append(f"Removed the error report {removed} an earlier import wrote: every row "
                                  "is fine now.")
    return result


def apply_preview(preview: Preview, connector: Connector, *, guards: GuardLimits, dry_run: bool = False,
                  report: Path | None = None, usual_rows: int | None = None, progress: ProgressCallback = no_progress,
                  cancel: CancelToken | None = None) -> RunResult:
    """The guards, then (unless a guard tripped or it is a dry run) the submit, then the error
    report. A tripped guard writes nothing: the result carries the guards with their numbers."""
    from desktop_app.engine.submit import submit  # the submitter grows its own dependencies (journal)
    tripped = check_guards(preview, guards, usual_rows=usual_rows)
    if dry_run or tripped:             # a tripped guard turns the import into its own dry run
        result = preview.result()
    else:
        result = submit(preview, connector, progress=progress, cancel=cancel)
    if tripped:
        result.guards = [t.as_json() for t in tripped]
        said = {t.message for t in tripped}       # a guard's sentence that is also a notice is said once
        result.notices = [describe_guards(tripped)] + [n for n in result.notices if n not in said]
    label_rows(preview, result.outcomes)
    from desktop_app.engine.reading import describe_reading, estimate
    result.reading = describe_reading(preview)
    if dry_run:
        result.estimate = estimate(preview, connector)
    try:
        result.report = write_problem_report(preview, result, report)
    except (InputError, OSError) as exc:   # what was applied stays applied: the summary still says so
        result.report_error = (f"Could not save the error report to {report or preview.sheet.path}: "
                               f"{exc} The rows it would list are in the summary"
                               + (f" and in the journal (`stocksheet report {result.run_id} -o FILE`)."
                                  if result.run_id else "."))
    return result


def write_problem_report(source: Preview | RawSheet, result: RunResult, path: Path | None, *,
                         default: Path | None = None, avoid: Sequence[Path] = ()) -> str | None:
    """Write the error report when any row needs attention; returns its path. ``source`` is the
    preview (or the sheet) the result's rows come from.

    ``path``: where the user chose. Otherwise ``default`` or ``SHEET.errors.<ext>`` next to the
    sheet — unless that folder is read-only or one of ``avoid`` (a watched inbox: a report dropped
    there would be picked up as a sheet), then under ``STOCKSHEET_HOME/reports``."""
    sheet = source.sheet if isinstance(source, Preview) else source
    planned_only = result.dry_run or bool(result.guards)     # nothing was sent
    if not any(o.status in PROBLEMS and not (planned_only and o.status is Status.PENDING) for o in result.outcomes):
        return None
    outcomes = result.outcomes
    if planned_only:  # planned changes are fine in a dry run; only real problems go in its report
        outcomes = [o for o in outcomes if o.status is not Status.PENDING]
    by_row = sheet_status(outcomes)
    if path is not None:
        write_report(path, sheet, by_row)
        return str(path)
    target = default or default_report_path(Path(sheet.path))
    if not _may_write_beside(target.parent, avoid):
        target = reports_dir() / target.name
    try:
        write_report(target, sheet, by_row)
    except (InputError, OSError):  # next to the sheet failed after all (a share, a mounted drive): keep it ours
        target = reports_dir() / target.name
        write_report(target, sheet, by_row)
    return str(target)


def remove_stale_report(sheet: RawSheet) -> str | None:
    """Delete the default report of ``sheet`` (beside it, or under STOCKSHEET_HOME) when it is one
    of ours — its header ends with Row, Status, Error, Hint — and not the sheet itself."""
    from desktop_app.sheets.reader import read_sheet
    from desktop_app.sheets.report import REPORT_COLUMNS
    own = default_report_path(Path(sheet.path))
    for target in (own, reports_dir() / own.name):
        if not target.is_file() or target.resolve() == Path(sheet.path).resolve():
            continue
        try:
            if read_sheet(target).headers[-len(REPORT_COLUMNS):] != REPORT_COLUMNS:
                continue
            target.unlink()
        except (InputError, OSError):
            continue
        return str(target)
    return None


def _check_flags(request: ImportRequest, preview: Preview) -> None:
    """Flags that cannot apply to this sheet are bad usage, said before anything is written."""
    from desktop_app.core.mapping import normalise
    sheet = preview.sheet
    if request.options.sheet and sheet.format in ("csv", "tsv", "txt"):
        raise InputError(f"--sheet '{request.options.sheet}': {Path(sheet.path).name} is a {sheet.format.upper()} "
                         "file, which has no sheets. Leave --sheet out (it picks a workbook's sheet).")
    have = {normalise(h) for h in sheet.headers}
    for header in request.mapped_headers:
        if normalise(header) not in have:
            raise InputError(f"--map '{header}=…': {Path(sheet.path).name} has no column '{header}' (its header, on "
                             f"row {sheet.header_row}, is: {', '.join(h for h in sheet.headers if h)}). Name one of "
                             "those.")


def label_rows(preview: Preview, outcomes: list[RowOutcome]) -> None:
    """Give rows that never became a change (invalid, skipped) the identity and location the
    sheet shows, so a table of outcomes can name them."""
    keys = preview.mapping.key_columns()
    location = preview.mapping.location_column()
    cells = dict(preview.sheet.rows)
    for o in outcomes:
        row = cells.get(o.row)
        if row is None:
            continue
        if o.sku is None:
            o.sku = next((str(row[c.index]).strip() for c in keys
                          if c.index < len(row) and row[c.index] not in (None, "")), None)
        if o.location is None:
            wide = next((c.location for c in preview.mapping.quantity_columns() if c.header == o.column), None)
            if wide:
                o.location = wide
            elif location is not None and location.index < len(row) and row[location.index] not in (None, ""):
                o.location = str(row[location.index]).strip()


def _may_write_beside(folder: Path, avoid: Sequence[Path]) -> bool:
    """Whether a report may go into the sheet's own folder: writable by us (for root too: its mode
    bits, which root would ignore, say whether the user meant it read-only) and not watched."""
    try:
        resolved = folder.resolve()
        if any(resolved == Path(a).resolve() or Path(a).resolve() in resolved.parents for a in avoid):
            return False
        return os.access(resolved, os.W_OK) and bool(resolved.stat().st_mode & 0o222)
    except OSError:
        return False


def resolved_aliases(options: ImportOptions, connector: Connector) -> ImportOptions:
    """--location values may name a store location by name or id; the resolver wants ids."""
    if not options.location_aliases:
        return options
    from desktop_app.core.mapping import normalise
    locations = connector.list_locations()
    by_key = {n: loc.id for loc in locations if (n := normalise(loc.name))} | {loc.id: loc.id for loc in locations}
    resolved = {}
    for sheet_name, target in options.location_aliases.items():
        loc_id = by_key.get(target) or by_key.get(normalise(target))
        if loc_id is None:
            names = ", ".join(loc.name for loc in locations)
            raise InputError(f"--location '{sheet_name}={target}': the store has no location '{target}'. "
                             f"Its locations are: {names}.")
        resolved[sheet_name] = loc_id
    options.location_aliases = resolved
    return options


def write_corrected_sheet(preview: Preview, path: str | Path) -> Path:
    """A copy of the sheet with the cells fixed in place (``options.edits``): the sheet's own
    header and data rows, in the format of ``path``'s extension. The original file is untouched."""
    target = Path(path)
    if preview.sheet.path and target.resolve() == Path(preview.sheet.path).resolve():
        raise InputError(f"'{target.name}' is the sheet itself, which Stocksheet never changes. "
                         "Choose another name for the corrected copy.")
    write_table(target, list(preview.sheet.headers), [cells for _, cells in preview.sheet.rows],
                sheet_name=preview.sheet.sheet_name or "Stock", delimiter=preview.sheet.delimiter)
    return target
