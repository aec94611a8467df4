"""The History page: past runs of this store, newest first; interrupted runs can be resumed, and any
run opened (its rows, its error report, Undo).

Rows are the engine's run summaries (``engine.runs.RunSummary``: id, kind, undoes, started, sheet,
state, changes, applied, pending, undone_by), read through ``Workspace.history()`` in the
background.
"""
from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

_Index = QModelIndex | QPersistentModelIndex


class HistoryColumn(IntEnum):
    STARTED = 0
    KIND = 1
    SHEET = 2
    STATE = 3
    APPLIED = 4
    RUN = 5


_HEADERS = ["Started", "What", "Sheet", "State", "Applied", "Run"]
_STATE_TEXT = {"finished": "Finished", "running": "Running", "cancelled": "Stopped — can resume",
               "interrupted": "Interrupted — can resume"}


def resumable(run: Any) -> bool:
    """A run that stopped before finishing (cancelled, or the app was closed or crashed)."""
    return getattr(run, "state", "") not in ("finished", "running") and getattr(run, "pending", 1) != 0


def run_cell(run: Any, col: HistoryColumn) -> str:
    if col is HistoryColumn.STARTED:
        return str(getattr(run, "started", ""))
    if col is HistoryColumn.KIND:
        return "Undo" if getattr(run, "kind", "") == "undo" else "Import"
    if col is HistoryColumn.SHEET:
        sheet = getattr(run, "sheet", None)
        return Path(sheet).name if sheet else ""
    if col is HistoryColumn.STATE:
        state = getattr(run, "state", "")
        text = _STATE_TEXT.get(state, state.capitalize())
        return f"{text}, undone" if getattr(run, "undone_by", ()) else text
    if col is HistoryColumn.APPLIED:
        return f"{getattr(run, 'applied', 0):,} of {getattr(run, 'changes', 0):,}"
    return str(getattr(run, "id", ""))


class HistoryTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._runs: list[Any] = []

    def set_runs(self, runs: list[Any]) -> None:
        self.beginResetModel()
        self._runs = list(runs)
        self.endResetModel()

    def run(self, row: int) -> Any:
        return self._runs[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._runs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HistoryColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(_HEADERS):
            return _HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._runs)) or not (0 <= index.column() < len(HistoryColumn)):
            return None
        run = self._runs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return run_cell(run, HistoryColumn(index.column()))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == HistoryColumn.SHEET:
            return getattr(run, "sheet", None)
        return None


class HistoryView(QWidget):
    resume_requested = Signal(str)
    open_requested = Signal(str)        # show a past run's rows (save its report, undo it)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("History")
        layout = QVBoxLayout(self)
        title = QLabel("Import history")
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(title)
        self.model = HistoryTableModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("Past imports")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(HistoryColumn.SHEET, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.back_button.setAccessibleName("Back to the previous page")
        self.open_button = QPushButton("Open this run")
        self.open_button.setAccessibleName("Open the selected run's rows")
        self.open_button.setToolTip("Its rows, its error report and Undo (Enter)")
        self.open_button.setEnabled(False)
        self.resume_button = QPushButton("Resume this import")
        self.resume_button.setAccessibleName("Resume the selected import")
        self.resume_button.setEnabled(False)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.resume_button)
        layout.addLayout(row)
        self.back_button.clicked.connect(self.back_requested)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.view.activated.connect(self._on_open_clicked)
        self.view.setTabKeyNavigation(False)
        self.view.selectionModel().currentRowChanged.connect(self._on_selection_changed)

    def set_runs(self, runs: list[Any]) -> None:
        self.model.set_runs(runs)
        self.resume_button.setEnabled(False)
        if runs:
            self.view.selectRow(0)

    def selected_run(self) -> Any | None:
        index = self.view.currentIndex()
        return self.model.run(index.row()) if index.isValid() else None

    def _on_selection_changed(self, *_: object) -> None:
        run = self.selected_run()
        self.resume_button.setEnabled(run is not None and resumable(run))
        self.open_button.setEnabled(run is not None)

    def _on_open_clicked(self, *_: object) -> None:
        run = self.selected_run()
        if run is not None:
            self.open_requested.emit(str(run.id))

    def _on_resume_clicked(self) -> None:
        run = self.selected_run()
        if run is not None:
            self.resume_requested.emit(str(run.id))
