"""The facade the window uses: one connected store and the operations on it.

``app.py`` builds a Workspace and hands it to the GUI, so the GUI never sees httpx or a
connector class. Every method is a plain blocking call meant to run off the main thread (the
GUI's runner does that); each takes a progress callback and a cancel token where it is long.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop_app.core.errors import HeaderNotFoundError
from desktop_app.core.models import Capabilities, Catalog, Location, RawSheet
from desktop_app.core.progress import CancelToken, ProgressCallback, no_progress
from desktop_app.core.results import RunResult
from desktop_app.engine.importer import write_corrected_sheet, write_problem_report
from desktop_app.engine.prepare import ImportOptions, Preview, fetch_catalog, prepare
from desktop_app.platforms.base import Connector


#: how long the connection test waits for a store before saying it does not answer
CONNECTION_TEST_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class StoreInfo:
    platform: str
    url: str
    name: str               # what the connection bar shows, e.g. "Demo store (Genstore sandbox)"
    is_demo: bool = False


class Workspace:
    def __init__(self, connector: Connector, info: StoreInfo) -> None:
        self.connector = connector
        self.info = info
        self._catalog: Catalog | None = None

    @property
    def identity(self) -> str:
        """What this store's runs are journalled under (``engine.store_lock.store_identity``)."""
        from desktop_app.engine.store_lock import store_identity
        return store_identity(self.connector)

    @property
    def capabilities(self) -> Capabilities:
        return self.connector.capabilities

    def test_connection(self, *, seconds: float | None = None) -> list[Location]:
        """The store's locations, read once, giving up after ``seconds`` (default
        ``CONNECTION_TEST_SECONDS``) on a refused or silent address: the connection dialog's test."""
        from desktop_app.platforms.http import answering_within
        with answering_within(CONNECTION_TEST_SECONDS if seconds is None else seconds):
            return self.connector.list_locations()

    def locations(self) -> list[Location]:
        return self.catalog().locations

    def catalog(self, *, refresh: bool = False) -> Catalog:
        if self._catalog is None or refresh:
            self._catalog = fetch_catalog(self.connector)
        return self._catalog

    def prepare(self, path: str | Path | RawSheet, options: ImportOptions | None = None, *,
                progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
                shown: Preview | None = None) -> Preview:
        """Check a sheet (a file, or one already read: ``Preview.original``) against the store.
        ``shown``: the preview this re-checks; its unchanged rows' objects are reused.

        Never a dead end: a mapping with no usable key or quantity column comes back as a Preview
        with ``mapping_problem`` (the window opens the mapping step), and a sheet whose header is
        not recognised is read with its top row as the header, every column unassigned."""
        # a sheet already read is a re-check seconds later (a fixed cell, another role): the store's
        # catalogue is reused (its live levels are read again); a file opened is checked afresh
        catalog = self.catalog(refresh=not isinstance(path, RawSheet))
        try:
            return prepare(path, self.connector, options, catalog=catalog, progress=progress,
                           cancel=cancel, keep_mapping_problem=True, shown=shown)
        except HeaderNotFoundError as exc:
            if isinstance(path, RawSheet) or not exc.table_like or (options is not None and options.header_row):
                raise
            retry = dataclasses.replace(options or ImportOptions(), header_row=exc.first_row)
            return prepare(path, self.connector, retry, catalog=self.catalog(), progress=progress,
                           cancel=cancel, keep_mapping_problem=True)

    def submit(self, preview: Preview, *, progress: ProgressCallback = no_progress,
               cancel: CancelToken | None = None,
               landed: Callable[[dict[int, str]], None] | None = None) -> RunResult:
        """Write the preview's plan. ``landed(seq → state)``: called from this thread now and then
        with the changes (``preview.changes[seq]``) that have settled so far."""
        from desktop_app.engine.runs import LandingWatch
        from desktop_app.engine.submit import submit
        if landed is None:
            return submit(preview, self.connector, progress=progress, cancel=cancel)
        watch = LandingWatch(self.identity)

        def report(p):
            progress(p)
            if p.stage == "submit" and (states := watch.poll()):
                landed(states)

        try:
            return submit(preview, self.connector, progress=report, cancel=cancel)
        finally:
            watch.close()

    def write_estimate(self, preview: Preview) -> tuple[int, float | None]:
        """(requests, seconds) the submit of ``preview`` should take at the platform's rate."""
        from desktop_app.engine.submit import write_estimate
        return write_estimate(preview, self.connector)

    def history(self) -> list:
        """Past runs (``engine.runs.RunSummary``), newest first."""
        from desktop_app.engine.runs import history
        return history()

    def run_result(self, run_id: str) -> RunResult:
        """A past run's rows, as journalled."""
        from desktop_app.engine.runs import run_result
        return run_result(run_id)

    def save_run_report(self, run_id: str, path: Path) -> str | None:
        """The error report of a past import (None: nothing needed attention)."""
        from desktop_app.engine.runs import write_run_report
        return write_run_report(run_id, path)

    def resume(self, run_id: str, *, progress: ProgressCallback = no_progress,
               cancel: CancelToken | None = None) -> RunResult:
        """Finish an interrupted run of this store exactly once."""
        from desktop_app.engine.runs import resume
        return resume(run_id, self.connector, progress=progress, cancel=cancel)

    def undo(self, run_id: str, *, force: bool = False, progress: ProgressCallback = no_progress,
             cancel: CancelToken | None = None) -> RunResult:
        """Restore the levels a run changed (levels moved since are stale unless ``force``)."""
        from desktop_app.engine.runs import undo
        return undo(run_id, self.connector, force=force, progress=progress, cancel=cancel)

    def save_report(self, preview: Preview, result: RunResult, path: Path) -> str | None:
        return write_problem_report(preview, result, path)

    def save_corrected(self, preview: Preview, path: Path) -> Path:
        """Write the sheet with the cells fixed in the window, as a new file."""
        return write_corrected_sheet(preview, path)

    def can_filter_changes(self) -> bool:
        """Whether an export can keep only the levels changed since a date on this store."""
        from desktop_app.engine.export.gather import filters_changes
        return filters_changes(self.connector)

    def export(self, path: str | Path, *, options=None, progress: ProgressCallback = no_progress):
        """Write a stock report (``engine.export.ExportOptions``); returns its ``ExportResult``."""
        from desktop_app.engine.export import write_stock_report
        return write_stock_report(self.connector, path, options=options, progress=progress)

    def close(self) -> None:
        self.connector.close()
