"""The Feeds page and the feeds' background runs while the window is open.

``FeedsPage`` lists the saved feeds (last run, status, next check) with Run now, Pause/Resume
and — for a file a guard stopped — its guards and numbers in red and "Apply anyway".
``FeedScheduler`` checks, every ``interval_ms``, which feeds are due and runs them on its own
``JobRunner`` (the window's runner stays free for the user's own import); ``Notifier`` says
when one ran or needs attention (a desktop notification where the system has a tray, the
status bar always). ``install_feeds(window)`` adds the page and the Feeds menu to a MainWindow.
"""
from __future__ import annotations

import time
from enum import IntEnum
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView, QLabel, QMenu, QPushButton, QStyle,
                               QSystemTrayIcon, QTableView, QVBoxLayout, QWidget)

from desktop_app.engine.feeds.service import FeedRow, FeedService
from desktop_app.gui.runner import JobRunner
from desktop_app.gui.submit_dialog import GUARD_STYLE

CHECK_EVERY_MS = 30_000
ATTENTION = {"tripped", "attention", "unreachable", "unreadable", "error"}


class Column(IntEnum):
    NAME = 0
    SOURCE = 1
    STORES = 2
    LAST_RUN = 3
    STATUS = 4
    NEXT_CHECK = 5


HEADERS = {Column.NAME: "Feed", Column.SOURCE: "Source", Column.STORES: "Stores", Column.LAST_RUN: "Last run",
           Column.STATUS: "Status", Column.NEXT_CHECK: "Next check"}


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if t else "—"


class FeedsTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.feeds: list[FeedRow] = []

    def set_rows(self, rows: Sequence[FeedRow]) -> None:
        self.beginResetModel()
        self.feeds = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.feeds)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.feeds):
            return None
        row, column = self.feeds[index.row()], Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {Column.NAME: row.name, Column.SOURCE: row.source, Column.STORES: row.stores,
                    Column.LAST_RUN: _when(row.last_run), Column.STATUS: row.status,
                    Column.NEXT_CHECK: "paused" if row.paused else _when(row.next_check)}[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.message or None
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.STATUS and row.status in ATTENTION:
            return QColor("#d32f2f")
        return None


class FeedsPage(QWidget):
    run_requested = Signal(str)
    pause_requested = Signal(str, bool)          # name, paused
    apply_anyway_requested = Signal(str)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Feeds")
        layout = QVBoxLayout(self)
        title = QLabel("Feeds — files applied by themselves while this window is open (and by `stocksheet feed run` "
                       "or `stocksheet watch` from a timer)")
        title.setWordWrap(True)
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(title)
        self.model = FeedsTableModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Feeds")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._sync())
        layout.addWidget(self.table, 1)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Feed details")
        layout.addWidget(self.detail)
        self.guard_label = QLabel()
        self.guard_label.setWordWrap(True)
        self.guard_label.setAccessibleName("Guards that stopped the feed")
        self.guard_label.setStyleSheet(GUARD_STYLE)
        layout.addWidget(self.guard_label)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.run_button = QPushButton("Run now")
        self.run_button.setAccessibleName("Run the feed now")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setAccessibleName("Pause or resume the feed")
        self.apply_button = QPushButton("Apply anyway…")
        self.apply_button.setAccessibleName("Apply the stopped file anyway")
        self.apply_button.setStyleSheet(GUARD_STYLE)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        for b in (self.run_button, self.pause_button, self.apply_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.back_requested)
        self.run_button.clicked.connect(lambda: self._emit(self.run_requested))
        self.apply_button.clicked.connect(lambda: self._emit(self.apply_anyway_requested))
        self.pause_button.clicked.connect(self._on_pause_button_clicked)
        self.busy = False
        self._sync()

    def set_rows(self, rows: Sequence[FeedRow]) -> None:
        name = self.selected()
        self.model.set_rows(rows)
        names = [r.name for r in rows]
        if names:
            self.table.selectRow(names.index(name) if name in names else 0)
        self._sync()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._sync()

    def selected(self) -> str | None:
        row = self.selected_row()
        return row.name if row else None

    def selected_row(self) -> FeedRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.feeds[rows[0].row()] if rows and rows[0].row() < len(self.model.feeds) else None

    def _emit(self, signal: Any) -> None:
        name = self.selected()
        if name:
            signal.emit(name)

    def _on_pause_button_clicked(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.pause_requested.emit(row.name, not row.paused)

    def _sync(self) -> None:
        row = self.selected_row()
        for b in (self.run_button, self.pause_button):
            b.setEnabled(row is not None and not self.busy)
        self.run_button.setEnabled(row is not None and not self.busy and not row.paused)
        self.pause_button.setText("Resume" if row is not None and row.paused else "Pause")
        self.apply_button.setVisible(bool(row and row.tripped))
        self.apply_button.setEnabled(bool(row and row.tripped) and not self.busy)
        if not self.model.feeds:
            self.detail.setText("No feeds yet. Open a sheet, check it, then Feeds ▸ Save as feed… — or "
                                "`stocksheet feed add` on the command line.")
        elif row is not None:
            self.detail.setText(f"{row.name}: {row.source} → {row.stores}. {row.message}".strip())
        self.guard_label.setText("" if not (row and row.tripped) else
                                 "A guard stopped the last file; nothing was written:\n" +
                                 "\n".join(f"• {g.get('message', g.get('guard'))}" for g in row.tripped))
        self.guard_label.setVisible(bool(row and row.tripped))


class Notifier(QObject):
    """Says when a feed ran or needs attention: a tray notification where there is a tray."""

    notified = Signal(str, str)           # title, text

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = QApplication.windowIcon()
            if icon.isNull():
                icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip("Stocksheet feeds")

    def notify(self, title: str, text: str, *, attention: bool = False) -> None:
        if self.tray is not None:
            icon = QSystemTrayIcon.MessageIcon.Warning if attention else QSystemTrayIcon.MessageIcon.Information
            self.tray.show()
            self.tray.showMessage(title, text, icon)
        self.notified.emit(title, text)


def describe_run(run: Any) -> tuple[str, str, bool] | None:
    """(title, text, needs attention) for a feed check that took files; None when nothing came."""
    if run.error:
        return f"Feed {run.feed} could not run", run.message, True
    if not run.files:
        return None
    attention = any(f.code for f in run.files)
    files = "; ".join(f"{f.name}: {f.status}" + (f" ({f.guards[0]['message']})" if f.guards else "")
                      for f in run.files)
    return (f"Feed {run.feed} needs attention" if attention else f"Feed {run.feed} ran"), files, attention


class FeedScheduler(QObject):
    """Runs due feeds in the background, and what the Feeds page asks for, one job at a time."""

    rows_loaded = Signal(object)          # list[FeedRow]
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None, service: FeedService, notifier: Notifier, *,
                 interval_ms: int = CHECK_EVERY_MS) -> None:
        super().__init__(parent)
        self.service, self.notifier = service, notifier
        self.runner = JobRunner(self)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(lambda: self._ended())
        self.timer = QTimer(self)
        self.timer.setObjectName("feed scheduler")
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.run_due)

    def start(self) -> None:
        self.timer.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.timer.stop()
        self.runner.cancel()
        self.runner.wait(timeout)

    def refresh(self) -> None:
        self.rows_loaded.emit(self.service.rows())

    def run_due(self) -> None:
        if not self.runner.is_running():
            self._start(lambda *, progress, cancel: self.service.run_due(cancel=cancel), "feeds")

    def run_now(self, name: str) -> None:
        self._start(lambda *, progress, cancel: [self.service.run(name, cancel=cancel)], "feed")

    def apply_anyway(self, name: str) -> None:
        self._start(lambda *, progress, cancel: [self.service.apply_anyway(name, cancel=cancel)], "feed")

    def set_paused(self, name: str, paused: bool) -> None:
        self.service.set_paused(name, paused)
        self.refresh()

    def _start(self, job: Any, name: str) -> None:
        if self.runner.is_running():
            return
        self.busy_changed.emit(True)
        self.runner.start(job, name=name)

    def _ended(self) -> None:
        self.busy_changed.emit(False)
        self.refresh()

    def _on_runner_finished(self, runs: list) -> None:
        for run in runs:
            said = describe_run(run)
            if said is not None:
                self.notifier.notify(said[0], said[1], attention=said[2])
        self._ended()

    def _on_runner_failed(self, exc: BaseException) -> None:
        self.notifier.notify("A feed could not run", str(exc), attention=True)
        self._ended()


def install_feeds(window: Any, service: FeedService | None = None, *, interval_ms: int = CHECK_EVERY_MS) -> None:
    """Add the Feeds page, its scheduler and the Feeds menu (Save as feed…, Feeds) to ``window``."""
    from desktop_app.gui.feed_saving import save_as_feed
    page = window.feeds_page = FeedsPage()
    window.stack.addWidget(page)
    notifier = window.feed_notifier = Notifier(window)
    scheduler = window.feed_scheduler = FeedScheduler(window, service or FeedService(), notifier,
                                                      interval_ms=interval_ms)
    scheduler.rows_loaded.connect(page.set_rows)
    scheduler.busy_changed.connect(page.set_busy)
    notifier.notified.connect(lambda title, text: window.statusBar().showMessage(f"{title}: {text}"))
    page.run_requested.connect(scheduler.run_now)
    page.pause_requested.connect(scheduler.set_paused)
    page.apply_anyway_requested.connect(scheduler.apply_anyway)

    def show_feeds() -> None:
        window._page_before_feeds = window.stack.currentWidget()
        scheduler.refresh()
        window.stack.setCurrentWidget(page)

    page.back_requested.connect(lambda: window.stack.setCurrentWidget(
        getattr(window, "_page_before_feeds", window.start_page)))
    bar = window.menuBar()
    help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    menu = QMenu("F&eeds", bar)                  # before Help, which stays last
    if help_menu is not None:
        bar.insertMenu(help_menu, menu)
    else:
        bar.addMenu(menu)
    window.save_feed_action = QAction("&Save as feed…", window)
    window.save_feed_action.triggered.connect(lambda _=False: save_as_feed(window))
    window.feeds_action = QAction("&Feeds", window)
    window.feeds_action.setShortcut("Ctrl+Shift+F")
    window.feeds_action.triggered.connect(lambda _=False: show_feeds())
    menu.addActions([window.save_feed_action, window.feeds_action])
    menu.aboutToShow.connect(lambda: window.save_feed_action.setEnabled(
        window.stack.currentWidget() is window.review_page and window.prepared is not None))
    window.show_feeds = show_feeds
    scheduler.start()
