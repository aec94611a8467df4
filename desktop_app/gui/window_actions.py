"""What the main window does beyond its pages' own flow, kept apart so the window stays small:
re-checking the sheet when the review page's choices change (one check at a time, the newest
choices winning), offering to resume a stopped run at launch, and rows landing as they are written.
Files the window saves: ``report_actions``.

Mixins of ``MainWindow``: they use its ``workspace``, ``runner``, ``settings``, ``_run`` and pages.
"""
from __future__ import annotations

import inspect
import threading
from pathlib import Path

from desktop_app.engine.prepare import ImportOptions
from desktop_app.gui.errors import Dialogs
from desktop_app.gui.result_view import Finished
from desktop_app.gui.review_model import ReviewData


class ReviewActions:
    """Re-checks queued behind the running job."""

    _queued_check: ImportOptions | None

    def _on_review_recheck_requested(self, options: ImportOptions) -> None:
        """The review page's choices changed: check again, replacing a check that is still running."""
        for name, loc_id in self.review_page.mapping.new_aliases().items():
            self.settings.remember_location_alias(store_url=self.workspace.info.url, sheet_name=name, location_id=loc_id)
        if self.current_file is None:
            return
        if self.runner.is_running():
            self._queued_check = options
            if self._doing.startswith("checking"):
                self.runner.cancel()
            return
        self.open_file(self.current_file, options)

    def _run_queued_check(self) -> None:
        options, self._queued_check = self._queued_check, None
        if options is not None and not self.runner.is_running() and self.current_file is not None:
            self.open_file(self.current_file, options)


class ResumeOffer:
    """At launch: the newest run of this store that stopped with changes not sent. And a past run
    opened from History: its rows, its error report, Undo."""

    def open_run(self, run_id: str) -> None:
        if not hasattr(self.workspace, "run_result") or self.runner.is_running():
            return
        ws = self.workspace
        runs = {r.id: r for r in getattr(self.history_view.model, "_runs", [])}
        run = runs.get(run_id)

        def job(*, progress, cancel):
            result = ws.run_result(run_id)
            undoable = run is None or (run.kind == "import" and not run.undone_by)
            return Finished(result, ReviewData.build(result.outcomes, ws.catalog()), undoable=undoable,
                            undoes=run.undoes if run is not None else None, past=True,
                            sheet=run.sheet if run is not None else None)

        self._run(job, doing="opening the run", title=f"Opening run {run_id}…", on_done=self._show_finished,
                  cancellable=False)

    def offer_resume(self) -> None:
        """Offer to resume this store's newest run that stopped with changes not sent."""
        if not self.has_history() or not hasattr(self.workspace, "resume") or self.runner.is_running():
            return
        ws = self.workspace
        identity = getattr(ws, "identity", ws.info.url)

        def job(*, progress, cancel):
            return next((r for r in ws.history() if r.url == identity and r.kind == "import" and r.pending
                         and r.state in ("cancelled", "interrupted")), None)

        self._run(job, doing="looking for a stopped import", title="Looking for a stopped import…",
                  on_done=self._ask_resume, cancellable=False)

    def _ask_resume(self, run) -> None:
        if run is None:
            return
        sheet = Path(run.sheet).name if run.sheet else "a sheet"
        if Dialogs.ask(self, title="Resume the stopped import?", yes="Resume the import",
                       text=f"The import of {sheet} started {run.started} stopped with {run.pending:,} "
                            f"change{'s' if run.pending != 1 else ''} not sent. Resume it now? Each change is written "
                            "exactly once; you can also resume it later from History."):
            self.resume(run.id)


class LandingRows:
    """While a plan is written, its rows on the review page turn Applied (or Failed…) as they land:
    the worker translates the journal's settled changes into review-table rows, a 300 ms timer
    hands the new ones to the table."""

    def _landing_callback(self, prepared, workspace):
        """The ``landed`` callback for ``Workspace.submit`` (None when the workspace has none)."""
        if "landed" not in inspect.signature(workspace.submit).parameters:
            return None
        lock, pending, seen = threading.Lock(), {}, set()
        self._landing = (lock, pending)
        outcomes, changes = prepared.data.outcomes, prepared.preview.changes
        where: list[int | None] = []

        def landed(states: dict[int, str]) -> None:       # in the worker
            if not where:
                index = {(o.row, o.variant_id, o.location_id): i for i, o in enumerate(outcomes)}
                where.extend(index.get((c.row, c.variant_id, c.location_id)) for c in changes)
            new = {where[seq]: state for seq, state in states.items()
                   if seq not in seen and seq < len(where) and where[seq] is not None}
            seen.update(states)
            if new:
                with lock:
                    pending.update(new)

        self._landing_timer.start()
        return landed

    def _on_landing_timer_timeout(self) -> None:
        landing = getattr(self, "_landing", None)
        if landing is None:
            return
        lock, pending = landing
        with lock:
            updates = dict(pending)
            pending.clear()
        if updates:
            self.review_page.table.model.mark_landed(updates)

    def _stop_landing(self) -> None:
        self._landing_timer.stop()
        self._on_landing_timer_timeout()
        self._landing = None
