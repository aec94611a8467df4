"""The main window: connection bar, four pages (start, review, result, history), progress line.

It holds no domain logic and does no I/O on the main thread: every long step is a Qt-free job
(``Workspace`` methods) run by the one ``JobRunner``; ``_run`` says what to do with its result.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMainWindow, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from desktop_app.engine.prepare import ImportOptions, same_reading
from desktop_app.gui.connection_dialog import ConnectionDialog
from desktop_app.gui.drops import SheetDrops
from desktop_app.gui.errors import Dialogs, report
from desktop_app.gui.feeds_page import install_feeds
from desktop_app.gui.history_view import HistoryView
from desktop_app.gui.menus import build_menus, update_actions
from desktop_app.gui.progress_panel import ProgressPanel
from desktop_app.gui.result_view import Finished, ResultView
from desktop_app.gui.review_model import Group, ReviewData
from desktop_app.gui.review_page import Prepared, ReviewPage
from desktop_app.gui.runner import JobRunner
from desktop_app.gui.settings import Settings
from desktop_app.gui.start_page import StartPage
from desktop_app.gui.store_switch import StoreSwitch
from desktop_app.gui.submit_dialog import SubmitDialog, describe_prepared
from desktop_app.gui.report_actions import ReportActions
from desktop_app.gui.window_actions import LandingRows, ResumeOffer, ReviewActions
from desktop_app.gui.words import plural

log = logging.getLogger(__name__)

#: jobs that write to the store (closing the window asks first)
WRITING = ("applying", "resuming", "undoing")
SHEET_FILTER = "Stock sheets (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)"


class MainWindow(ReviewActions, ResumeOffer, LandingRows, ReportActions, SheetDrops, StoreSwitch, QMainWindow):
    def __init__(self, workspace, *, settings: Settings | None = None, samples: Sequence[Path] = (),
                 connect: Callable[..., Any] | None = None, platforms: Sequence[str] = (),
                 feeds: Any = None) -> None:
        """``feeds``: the FeedService the Feeds page runs (default: real stores only; the composition
        root gives one that also reaches the demo store)."""
        super().__init__()
        self.workspace = workspace
        self._demo = workspace if workspace.info.is_demo else None    # kept while another store is used
        self.settings = settings or Settings()
        self._connect = connect
        self._platforms = list(platforms)
        self._on_done: Callable[[Any], None] = lambda _: None
        self._doing = ""
        self.prepared: Prepared | None = None
        self.finished: Finished | None = None
        self.current_file: Path | None = None
        self._queued_check: ImportOptions | None = None   # a re-check waiting for the running job to end

        self.setWindowTitle("Stocksheet")
        self.setMinimumSize(780, 540)
        self.setAcceptDrops(True)
        self.runner = JobRunner(self)
        self._landing_timer = QTimer(self)
        self._landing_timer.setObjectName("rows landing")
        self._landing_timer.setInterval(300)
        self._landing_timer.timeout.connect(self._on_landing_timer_timeout)
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
        install_feeds(self, feeds)

        self.start_page.open_requested.connect(self.choose_file)
        self.start_page.file_chosen.connect(self.open_file)
        self.start_page.set_samples(list(samples))
        self.start_page.set_recent(self.settings.recent_files())
        self.review_page.submit_requested.connect(self.submit)
        self.review_page.save_corrected_requested.connect(self.save_corrected_sheet)
        self.review_page.mapping.alias_forgotten.connect(
            lambda name: self.settings.forget_location_alias(store_url=self.workspace.info.url, sheet_name=name))
        self.review_page.recheck_requested.connect(self._on_review_recheck_requested)
        self.review_page.state_changed.connect(self._update_actions)
        self.result_view.save_report_requested.connect(self.save_error_report)
        self.result_view.undo_requested.connect(self.undo)
        self.result_view.resume_requested.connect(self.resume)
        self.result_view.history_requested.connect(self.show_history)
        self.result_view.new_import_requested.connect(self.choose_file)
        self.history_view.resume_requested.connect(self.resume)
        self.history_view.open_requested.connect(self.open_run)
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
        self.home_button = QPushButton("Home")
        self.home_button.setAccessibleName("Home: back to the start page")
        self.home_button.setToolTip("Back to the start page (Alt+Home)")
        self.home_button.setShortcut("Alt+Home")
        self.home_button.clicked.connect(self.go_home)
        row.addWidget(self.home_button)
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
        self.start_page.set_samples_visible(info.is_demo)     # samples run only against the demo store

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

    def _job_ended(self, *, completed: bool = False) -> None:
        self._stop_landing()
        self.progress.hide()
        self.review_page.setEnabled(True)
        if not completed and self._queued_check is None:
            self.review_page.revert_choices()   # a failed or cancelled re-check: the shown preview's choices
        self._update_actions()

    def go_home(self) -> None:
        """Back to the start page (what was shown stays until another sheet is opened)."""
        if self.runner.is_running():
            return
        self.stack.setCurrentWidget(self.start_page)
        self._update_actions()

    def escape(self) -> None:
        """Esc: cancel the running job, or go back a page (History → where it came from → Home)."""
        if self.runner.is_running():
            self.runner.cancel()
        elif self.stack.currentWidget() is self.history_view:
            self._on_history_back_requested()
        elif self.stack.currentWidget() is not self.start_page:
            self.go_home()

    def _on_runner_progressed(self, p) -> None:
        self.progress.show_progress(p)

    def _on_runner_slowed(self) -> None:
        self.progress.show()

    def _on_runner_finished(self, value: Any) -> None:
        self._job_ended(completed=True)
        on_done, self._on_done = self._on_done, lambda _: None
        on_done(value)
        self._update_actions()
        self._run_queued_check()

    def _on_runner_failed(self, exc: BaseException) -> None:
        self._job_ended()
        self.statusBar().showMessage(f"Failed while {self._doing}.")
        report(self, exc, doing=self._doing)
        self._run_queued_check()

    def _on_runner_cancelled(self) -> None:
        queued = self._queued_check is not None
        self._job_ended()
        if not queued:
            self.statusBar().showMessage("Cancelled. Nothing more was changed.")
        self._run_queued_check()

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
        # a re-check (options given) that reads the file the same way starts from the sheet already read;
        # opening a file (again) reads it afresh
        shown = self.prepared.preview if options is not None and self.prepared is not None \
            and path == self.current_file else None
        self.current_file = path
        self.start_page.set_recent(self.settings.add_recent_file(path))
        options = options or ImportOptions(location_aliases=self.settings.location_aliases(self.workspace.info.url))
        ws = self.workspace
        previous = self.prepared if shown is not None else None   # shares its rows with the re-check
        source = shown.original if shown is not None and shown.original is not None and \
            same_reading(options, shown.options) else path
        sort = self.review_page.table.model.sort_spec

        def job(*, progress, cancel):
            preview = (ws.prepare(source, options, progress=progress, cancel=cancel, shown=previous.preview)
                       if previous is not None else ws.prepare(source, options, progress=progress, cancel=cancel))
            prepared = Prepared.build(preview, previous=previous)
            prepared.data.presorted(sort)
            if hasattr(ws, "write_estimate"):
                prepared.estimate = ws.write_estimate(prepared.preview)
            return prepared

        self._run(job, doing=f"checking {path.name}", title=f"Checking {path.name} against the store…",
                  on_done=self._show_prepared)

    def _show_prepared(self, prepared: Prepared) -> None:
        if self._queued_check is not None:
            return          # made with choices since changed again: the queued check replaces it
        self.prepared = prepared
        self.review_page.show_prepared(prepared, store=self.workspace.info.name)
        self.stack.setCurrentWidget(self.review_page)
        data = prepared.data
        self.statusBar().showMessage(f"{plural(len(prepared.preview.sheet.rows), 'row')} read; "
                                     f"{plural(prepared.summary.changes, 'change')}, {data.counts[Group.UNCHANGED]:,} "
                                     f"unchanged, {data.counts[Group.INVALID]:,} invalid, {data.counts[Group.STALE]:,} stale.")

    # -- submit, undo, resume -----------------------------------------------------------------
    def submit(self) -> None:
        prepared = self.prepared
        if prepared is None or self.runner.is_running() or not self.review_page.can_apply():
            return      # never the plan of choices that have changed since it was shown
        text = describe_prepared(prepared, store=self.workspace.info.name)
        tripped = prepared.guards       # measured in the worker with the check: 100k changes
        if not (SubmitDialog.confirm_mass_change(self, text=text, guards=tripped) if tripped else
                SubmitDialog.confirm(self, text=text)):
            return
        ws, preview, shown = self.workspace, prepared.preview, prepared.data
        landed = self._landing_callback(prepared, ws)      # rows turn Applied as they land
        sort = self.result_view.table.model.sort_spec

        def job(*, progress, cancel):
            result = (ws.submit(preview, progress=progress, cancel=cancel, landed=landed) if landed
                      else ws.submit(preview, progress=progress, cancel=cancel))
            # rows the write left as shown keep the shown objects (the result's own copies go)
            result.outcomes = [shown.shared(o) for o in result.outcomes]
            return Finished(result, ReviewData.build(result.outcomes, preview.catalog, sheet=preview.sheet,
                                                    mapping=preview.mapping, original=preview.original,
                                                    edited=set(preview.options.edits),
                                                    previous=shown).presorted(sort))

        self._run(job, doing="applying the changes", title="Applying the changes…", on_done=self._show_finished)
        self.review_page.setEnabled(False)   # no choice can change while its plan is being written
        self.progress.show()  # writing to a store is never "too quick to show"

    def _show_finished(self, finished: Finished) -> None:
        self.finished = finished
        self.result_view.show_result(finished.result, finished.data, can_undo=self.can_undo(),
                                     undoable=finished.undoable, has_history=self.has_history(),
                                     undoes=finished.undoes, can_resume=hasattr(self.workspace, "resume"))
        self.stack.setCurrentWidget(self.result_view)
        self.statusBar().showMessage(self.result_view.headline.text())

    def undo(self) -> None:
        if not self.can_undo() or self.finished is None or not self.finished.result.run_id:
            return
        run_id = self.finished.result.run_id
        if not Dialogs.ask(self, title="Undo this import?", yes="Undo the import",
                           text=f"Stocksheet will put back the {self.finished.result.applied:,} "
                                f"level{'s' if self.finished.result.applied != 1 else ''} this import "
                                "changed, as they were before it — unless they have changed again since (those "
                                "are left alone and listed)."):
            return
        ws, catalog = self.workspace, self.prepared.preview.catalog if self.prepared else None

        def job(*, progress, cancel):
            result = ws.undo(run_id, progress=progress, cancel=cancel)
            return Finished(result, ReviewData.build(result.outcomes, catalog or ws.catalog()), undoable=False,
                            undoes=run_id)

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

    # -- store connection ---------------------------------------------------------------------
    def choose_store(self) -> None:
        if self._connect is None or self.runner.is_running():
            return
        workspace, saved = ConnectionDialog.open_for(self, platforms=self._platforms, connect=self._connect,
                                                     settings=self.settings)
        if workspace is None:
            return
        self._use_workspace(workspace)
        if saved is False:
            Dialogs.info(self, title="Token not saved",
                         text="No system keyring is available, so the access token was not saved: it is used for "
                              "this session only, and you will be asked again next time.")

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
            if self._doing.split()[0] in WRITING and not Dialogs.ask(
                    self, title="Stop writing and quit?", yes="Stop and quit",
                    text=f"Stocksheet is {self._doing}. Quitting stops the run cleanly after the requests in "
                         "flight; nothing is lost, and the next launch offers to resume it."):
                event.ignore()
                return
            self.runner.cancel()
            self.runner.wait(30)
        self.feed_scheduler.stop()
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.sync()
        super().closeEvent(event)
