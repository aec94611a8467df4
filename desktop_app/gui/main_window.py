"""The main window: connection bar, four pages (start, review, result, history), progress line.

It holds no domain logic and does no I/O on the main thread: every long step is a Qt-free job
(``Workspace`` methods) run by the one ``JobRunner``; ``_run`` says what to do with its result.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMainWindow, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from desktop_app.core.results import RunResult
from desktop_app.engine.guards import check as check_guards
from desktop_app.engine.prepare import ImportOptions
from desktop_app.gui.connection_dialog import ConnectionDialog
from desktop_app.gui.errors import Dialogs, report
from desktop_app.gui.feeds_page import install_feeds
from desktop_app.gui.history_view import HistoryView
from desktop_app.gui.menus import build_menus, update_actions
from desktop_app.gui.progress_panel import ProgressPanel
from desktop_app.gui.result_view import ResultView
from desktop_app.gui.review_model import Group, ReviewData
from desktop_app.gui.review_page import Prepared, ReviewPage
from desktop_app.gui.runner import JobRunner
from desktop_app.gui.settings import Settings
from desktop_app.gui.start_page import StartPage
from desktop_app.gui.submit_dialog import SubmitDialog, describe_prepared

log = logging.getLogger(__name__)

SHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
SHEET_FILTER = "Stock sheets (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)"


@dataclass(slots=True)
class Finished:
    """A run's result with its rows ready for the table (built in the worker)."""

    result: RunResult
    data: ReviewData
    undoable: bool = True      # False for the result of an undo


class MainWindow(QMainWindow):
    def __init__(self, workspace, *, settings: Settings | None = None, samples: Sequence[Path] = (),
                 connect: Callable[..., Any] | None = None, platforms: Sequence[str] = ()) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings or Settings()
        self._connect = connect
        self._platforms = list(platforms)
        self._on_done: Callable[[Any], None] = lambda _: None
        self._doing = ""
        self.prepared: Prepared | None = None
        self.finished: Finished | None = None
        self.current_file: Path | None = None

        self.setWindowTitle("Stocksheet")
        self.setMinimumSize(780, 540)
        self.setAcceptDrops(True)
        self.runner = JobRunner(self)
        self.runner.progressed.connect(self._on_runner_progressed)
        self.runner.slowed.connect(self._on_runner_slowed)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(self._on_runner_cancelled)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_connection_bar())
        self.stack = QStackedWidget()
        self.start_page = StartPage()
        self.review_page = ReviewPage()
        self.result_view = ResultView()
        self.history_view = HistoryView()
        for page in (self.start_page, self.review_page, self.result_view, self.history_view):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.progress = ProgressPanel()
        layout.addWidget(self.progress)
        self.setCentralWidget(central)
        build_menus(self)
        install_feeds(self)

        self.start_page.open_requested.connect(self.choose_file)
        self.start_page.file_chosen.connect(self.open_file)
        self.start_page.set_samples(list(samples))
        self.start_page.set_recent(self.settings.recent_files())
        self.review_page.submit_requested.connect(self.submit)
        self.review_page.recheck_requested.connect(self._on_review_recheck_requested)
        self.result_view.save_report_requested.connect(self.save_error_report)
        self.result_view.undo_requested.connect(self.undo)
        self.result_view.history_requested.connect(self.show_history)
        self.result_view.new_import_requested.connect(self.choose_file)
        self.history_view.resume_requested.connect(self.resume)
        self.history_view.back_requested.connect(self._on_history_back_requested)
        self.progress.cancel_requested.connect(self.runner.cancel)

        self._show_store()
        self.statusBar().showMessage("Drop a sheet on the window, or open one with Ctrl+O.")
        geometry = self.settings.get("window/geometry")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 780)

    # -- construction ---------------------------------------------------------------------------
    def _build_connection_bar(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("connectionBar")
        bar.setAccessibleName("Connection")
        bar.setStyleSheet("#connectionBar { background: palette(alternate-base); border-bottom: 1px solid palette(mid); }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 6, 12, 6)
        self.store_label = QLabel()
        self.store_label.setAccessibleName("Connected store")
        self.store_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.connect_button = QPushButton("Connect to a store…")
        self.connect_button.setAccessibleName("Connect to a store")
        self.connect_button.clicked.connect(self.choose_store)
        self.connect_button.setVisible(self._connect is not None)
        row.addWidget(self.store_label, 1)
        row.addWidget(self.connect_button)
        return bar

    def _show_store(self) -> None:
        info = self.workspace.info
        self.store_label.setText(f"<b>{info.name}</b> &nbsp;·&nbsp; {self.workspace.capabilities.display_name}"
                                 f" &nbsp;·&nbsp; {info.url}")
        self.setWindowTitle(f"Stocksheet — {info.name}")

    def _update_actions(self) -> None:
        update_actions(self)

    def can_undo(self) -> bool:
        return hasattr(self.workspace, "undo")

    def has_history(self) -> bool:
        return hasattr(self.workspace, "history")

    # -- running jobs -------------------------------------------------------------------------
    def _run(self, fn: Callable[..., Any], *, doing: str, title: str, on_done: Callable[[Any], None],
             cancellable: bool = True) -> None:
        self._on_done = on_done
        self._doing = doing
        self.progress.begin(title, cancellable=cancellable)
        self.statusBar().showMessage(title)
        self.runner.start(fn, name=doing.split()[0])
        self._update_actions()

    def _job_ended(self) -> None:
        self.progress.hide()
        self.review_page.sync_choices()   # a failed or cancelled re-check leaves the shown preview's choices
        self._update_actions()

    def _on_runner_progressed(self, p) -> None:
        self.progress.show_progress(p)

    def _on_runner_slowed(self) -> None:
        self.progress.show()

    def _on_runner_finished(self, value: Any) -> None:
        self._job_ended()
        on_done, self._on_done = self._on_done, lambda _: None
        on_done(value)
        self._update_actions()

    def _on_runner_failed(self, exc: BaseException) -> None:
        self._job_ended()
        self.statusBar().showMessage(f"Failed while {self._doing}.")
        report(self, exc, doing=self._doing)

    def _on_runner_cancelled(self) -> None:
        self._job_ended()
        self.statusBar().showMessage("Cancelled. Nothing more was changed.")

    # -- load and review ----------------------------------------------------------------------
    def choose_file(self) -> None:
        path = self.ask_open_path(self, start=self.settings.get("files/last_dir"))
        if path:
            self.open_file(path)

    def open_file(self, path: Path | str, options: ImportOptions | None = None) -> None:
        path = Path(path)
        if self.runner.is_running():
            self.statusBar().showMessage("Wait for the current job to finish (or cancel it) before opening another sheet.")
            return
        if not path.is_file():
            Dialogs.error(self, title="Cannot open the sheet",
                          text=f"The file '{path}' does not exist any more. Choose another file.")
            return
        self.current_file = path
        self.start_page.set_recent(self.settings.add_recent_file(path))
        options = options or ImportOptions(location_aliases=self.settings.location_aliases(self.workspace.info.url))
        ws = self.workspace

        def job(*, progress, cancel):
            return Prepared.build(ws.prepare(path, options, progress=progress, cancel=cancel))

        self._run(job, doing=f"checking {path.name}", title=f"Checking {path.name} against the store…",
                  on_done=self._show_prepared)

    def _show_prepared(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.review_page.show_prepared(prepared, store=self.workspace.info.name)
        self.stack.setCurrentWidget(self.review_page)
        data = prepared.data
        self.statusBar().showMessage(f"{len(prepared.preview.sheet.rows):,} rows read; "
                                     f"{prepared.summary.changes:,} changes, {data.counts[Group.UNCHANGED]:,} unchanged, "
                                     f"{data.counts[Group.INVALID]:,} invalid, {data.counts[Group.STALE]:,} stale.")

    def _on_review_recheck_requested(self, options: ImportOptions) -> None:
        for name, loc_id in self.review_page.mapping.new_aliases().items():
            self.settings.remember_location_alias(store_url=self.workspace.info.url, sheet_name=name, location_id=loc_id)
        if self.current_file is not None:
            self.open_file(self.current_file, options)

    # -- submit, undo, resume -----------------------------------------------------------------
    def submit(self) -> None:
        prepared = self.prepared
        if prepared is None or self.runner.is_running() or not prepared.summary.changes:
            return
        text = describe_prepared(prepared, store=self.workspace.info.name)
        tripped = check_guards(prepared.preview)
        if not (SubmitDialog.confirm_mass_change(self, text=text, guards=tripped) if tripped else
                SubmitDialog.confirm(self, text=text)):
            return
        ws, preview = self.workspace, prepared.preview

        def job(*, progress, cancel):
            result = ws.submit(preview, progress=progress, cancel=cancel)
            return Finished(result, ReviewData.build(result.outcomes, preview.catalog, sheet=preview.sheet,
                                                    mapping=preview.mapping))

        self._run(job, doing="applying the changes", title="Applying the changes…", on_done=self._show_finished)
        self.progress.show()  # writing to a store is never "too quick to show"

    def _show_finished(self, finished: Finished) -> None:
        self.finished = finished
        self.result_view.show_result(finished.result, finished.data, can_undo=self.can_undo(),
                                     undoable=finished.undoable, has_history=self.has_history())
        self.stack.setCurrentWidget(self.result_view)
        self.statusBar().showMessage(self.result_view.headline.text())

    def undo(self) -> None:
        if not self.can_undo() or self.finished is None or not self.finished.result.run_id:
            return
        run_id = self.finished.result.run_id
        if not Dialogs.ask(self, title="Undo this import?", yes="Undo the import",
                           text=f"Stocksheet will put back the {self.finished.result.applied:,} levels this import "
                                "changed, as they were before it — unless they have changed again since (those "
                                "are left alone and listed)."):
            return
        ws, catalog = self.workspace, self.prepared.preview.catalog if self.prepared else None

        def job(*, progress, cancel):
            result = ws.undo(run_id, progress=progress, cancel=cancel)
            return Finished(result, ReviewData.build(result.outcomes, catalog or ws.catalog()), undoable=False)

        self._run(job, doing="undoing the import", title="Undoing the import…", on_done=self._show_finished)

    def resume(self, run_id: str) -> None:
        if not hasattr(self.workspace, "resume") or self.runner.is_running():
            return
        ws = self.workspace

        def job(*, progress, cancel):
            result = ws.resume(run_id, progress=progress, cancel=cancel)
            return Finished(result, ReviewData.build(result.outcomes, ws.catalog()))

        self._run(job, doing="resuming the import", title="Resuming the import…", on_done=self._show_finished)

    def show_history(self) -> None:
        if not self.has_history() or self.runner.is_running():
            return
        ws = self.workspace
        self._run(lambda *, progress, cancel: ws.history(), doing="reading the history",
                  title="Reading the import history…", on_done=self._show_history, cancellable=False)

    def _show_history(self, runs: list) -> None:
        self.history_view.set_runs(runs)
        self._page_before_history = self.stack.currentWidget()
        self.stack.setCurrentWidget(self.history_view)

    def _on_history_back_requested(self) -> None:
        self.stack.setCurrentWidget(getattr(self, "_page_before_history", self.start_page))
        self._update_actions()

    # -- reports and export -------------------------------------------------------------------
    def save_error_report(self) -> None:
        if self.finished is None or self.prepared is None or self.runner.is_running():
            return
        sheet = Path(self.prepared.preview.sheet.path)
        suffix = ".xlsx" if sheet.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods") else ".csv"
        path = self.ask_save_path(self, title="Save error report", start=str(sheet.with_name(f"{sheet.stem}.errors{suffix}")),
                                  filter=f"Sheet (*{suffix})")
        if not path:
            return
        ws, preview, result = self.workspace, self.prepared.preview, self.finished.result
        self._run(lambda *, progress, cancel: ws.save_report(preview, result, Path(path)),
                  doing="saving the error report", title="Saving the error report…",
                  on_done=lambda saved: self.statusBar().showMessage(
                      f"Error report saved to {saved}. Fix the rows and drop it back in." if saved else
                      "Every row went through: there was nothing to report."), cancellable=False)

    def export_stock(self) -> None:
        if self.runner.is_running():
            return
        path = self.ask_save_path(self, title="Export stock report",
                                  start=str(Path(self.settings.get("files/last_dir") or Path.home()) / "stock.xlsx"),
                                  filter="Excel workbook (*.xlsx);;CSV (*.csv)")
        if not path:
            return
        ws = self.workspace
        self._run(lambda *, progress, cancel: ws.export(path, progress=progress),
                  doing="exporting the stock report", title="Exporting the stock report…", cancellable=False,
                  on_done=lambda n: self.statusBar().showMessage(f"Exported {n:,} stock levels to {path}."))

    # -- store connection ---------------------------------------------------------------------
    def choose_store(self) -> None:
        if self._connect is None or self.runner.is_running():
            return
        workspace, saved = ConnectionDialog.open_for(self, platforms=self._platforms, connect=self._connect,
                                                     settings=self.settings)
        if workspace is None:
            return
        old, self.workspace = self.workspace, workspace
        if not old.info.is_demo:
            old.close()
        self.settings.remember_connection(platform=workspace.info.platform, url=workspace.info.url,
                                          name=workspace.info.name)
        self.prepared = self.finished = None
        self.stack.setCurrentWidget(self.start_page)
        self._show_store()
        self._update_actions()
        if saved is False:
            Dialogs.info(self, title="Token not saved",
                         text="No system keyring is available, so the access token was not saved: it is used for "
                              "this session only, and you will be asked again next time.")

    # -- drag and drop ------------------------------------------------------------------------
    @staticmethod
    def dropped_sheet(event: QDragEnterEvent | QDropEvent) -> Path | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in SHEET_SUFFIXES:
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.dropped_sheet(event) is not None and not self.runner.is_running():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction() if self.dropped_sheet(event) is not None else event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.dropped_sheet(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_file(path)

    # -- dialogs tests replace ------------------------------------------------------------------
    @classmethod
    def ask_open_path(cls, parent: QWidget, *, start: str) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Open a stock sheet", start, SHEET_FILTER)
        return Path(path) if path else None

    @classmethod
    def ask_save_path(cls, parent: QWidget, *, title: str, start: str, filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, start, filter)
        return path or None

    # -- shutdown -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.is_running():
            self.runner.cancel()
            self.runner.wait(30)
        self.feed_scheduler.stop()
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.sync()
        super().closeEvent(event)
