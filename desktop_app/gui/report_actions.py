"""What the main window saves as files: the error report (of the run shown, or of a past run opened
from History), the corrected copy of the sheet, and the stock report export.

A mixin of ``MainWindow``: it uses its ``workspace``, ``runner``, ``settings``, ``prepared``,
``finished``, ``_run`` and ``ask_save_path``; each file is written by a job in the background.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from desktop_app.gui.export_dialog import ExportDialog
from desktop_app.gui.words import window_outcome

#: sheets saved as a workbook; anything else (CSV, TSV, text) is saved as CSV
WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")


class ReportActions:
    """File ▸ Save error report / Save corrected sheet, Store ▸ Export stock report."""

    def _ask_sheet_copy(self, sheet: Path, *, tag: str, title: str) -> Path | None:
        """Ask where to save a copy of ``sheet`` (``stock.errors.xlsx`` beside ``stock.xlsx``)."""
        suffix = ".xlsx" if sheet.suffix.lower() in WORKBOOKS else ".csv"
        path = self.ask_save_path(self, title=title, start=str(sheet.with_name(f"{sheet.stem}.{tag}{suffix}")),
                                  filter=f"Sheet (*{suffix})")
        return Path(path) if path else None

    def save_corrected_sheet(self) -> None:
        """Write the sheet with the cells fixed in the window as a new file (the original stays)."""
        if self.prepared is None or self.runner.is_running() or not self.prepared.preview.options.edits:
            return
        sheet = Path(self.prepared.preview.sheet.path)
        path = self._ask_sheet_copy(sheet, tag="corrected", title="Save corrected sheet")
        if path is None:
            return
        ws, preview = self.workspace, self.prepared.preview
        self._run(lambda *, progress, cancel: ws.save_corrected(preview, path),
                  doing="saving the corrected sheet", title="Saving the corrected sheet…", cancellable=False,
                  on_done=lambda saved: self.statusBar().showMessage(
                      f"Corrected copy saved to {saved}; {sheet.name} itself is unchanged."))

    def save_error_report(self) -> None:
        if self.finished is None or self.runner.is_running():
            return
        if self.finished.past or self.prepared is None:
            self._save_run_report(self.finished)
            return
        path = self._ask_sheet_copy(Path(self.prepared.preview.sheet.path), tag="errors", title="Save error report")
        if path is None:
            return
        ws, preview, result = self.workspace, self.prepared.preview, self.finished.result

        def job(*, progress, cancel):      # a report saved from the window names window controls
            worded = dataclasses.replace(result, outcomes=[window_outcome(o) for o in result.outcomes])
            return ws.save_report(preview, worded, path)

        self._run(job,
                  doing="saving the error report", title="Saving the error report…",
                  on_done=lambda saved: self.statusBar().showMessage(
                      f"Error report saved to {saved}. Fix the rows and drop it back in." if saved else
                      "Every row went through: there was nothing to report."), cancellable=False)

    def _save_run_report(self, finished) -> None:
        """The error report of a run opened from History (its sheet read again as the run read it)."""
        run_id = finished.result.run_id
        if not run_id or not hasattr(self.workspace, "save_run_report"):
            return
        path = self._ask_sheet_copy(Path(finished.sheet or "report.csv"), tag="errors", title="Save error report")
        if path is None:
            return
        ws = self.workspace
        self._run(lambda *, progress, cancel: ws.save_run_report(run_id, path),
                  doing="saving the error report", title="Saving the error report…", cancellable=False,
                  on_done=lambda saved: self.statusBar().showMessage(
                      f"Error report of run {run_id} saved to {saved}." if saved else
                      "Every row of that run went through: there was nothing to report."))

    def export_stock(self) -> None:
        """Store ▸ Export stock report: the store's locations (read in the background), the
        export dialog, then the report written in the background."""
        if self.runner.is_running():
            return
        ws = self.workspace
        self._run(lambda *, progress, cancel: ws.locations(), doing="reading the store's locations",
                  title="Reading the store's locations…", cancellable=False, on_done=self._ask_export)

    def _ask_export(self, locations: list) -> None:
        folder = Path(self.settings.get("files/last_dir") or Path.home())
        choice = ExportDialog.ask(self, locations=locations, store=self.workspace.info.name, folder=folder,
                                  can_filter_changes=self.workspace.can_filter_changes())
        if choice is None:
            return
        ws = self.workspace
        self._run(lambda *, progress, cancel: ws.export(choice.path, options=choice.options, progress=progress),
                  doing="exporting the stock report", title="Exporting the stock report…", cancellable=False,
                  on_done=self._on_exported)

    def _on_exported(self, result) -> None:
        text = f"Exported {result.levels:,} stock levels to {result.path}."
        self.statusBar().showMessage(text)
        action = ExportDialog.written(self, text=text)
        if action == "open":
            ExportDialog.show_path(result.path)
        elif action == "folder":
            ExportDialog.show_path(result.path.parent)


__all__ = ["ReportActions", "WORKBOOKS"]
