"""The raw-sheet preview of the mapping step: the top of the sheet as the spreadsheet shows it —
title rows above the header greyed, the header row marked, the first data rows — with the sheet
and the header row choosable above it."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QHeaderView, QLabel, QSpinBox, QTableView,
                               QVBoxLayout, QWidget)

from desktop_app.core.columns import column_letter
from desktop_app.core.models import RawSheet

#: data rows shown under the header
PREVIEW_ROWS = 12

_Index = QModelIndex | QPersistentModelIndex


class RawSheetModel(QAbstractTableModel):
    """A few rows of a RawSheet: ``above`` (titles), the header, then data rows; row labels are
    the spreadsheet's own row numbers."""

    TITLE, HEADER, DATA = range(3)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[int, int, tuple[Any, ...]]] = []   # (kind, sheet row, cells)
        self._width = 0
        self._bold = QFont()
        self._bold.setBold(True)

    def set_sheet(self, sheet: RawSheet | None) -> None:
        self.beginResetModel()
        rows: list[tuple[int, int, tuple[Any, ...]]] = []
        if sheet is not None:
            rows += [(self.TITLE, n, tuple(c)) for n, c in sheet.above]
            rows.append((self.HEADER, sheet.header_row, tuple(sheet.headers)))
            rows += [(self.DATA, n, c) for n, c in sheet.rows[:PREVIEW_ROWS]]
        self._rows = rows
        self._width = max((len(c) for _, _, c in rows), default=0)
        self.endResetModel()

    def row_kind(self, row: int) -> int:
        return self._rows[row][0]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._width

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return column_letter(section)
        return str(self._rows[section][1]) if 0 <= section < len(self._rows) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        kind, number, cells = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = cells[index.column()] if index.column() < len(cells) else None
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.FontRole and kind == self.HEADER:
            return self._bold
        palette = QApplication.palette()
        if role == Qt.ItemDataRole.ForegroundRole and kind == self.TITLE:
            return QBrush(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.BackgroundRole and kind == self.HEADER:
            return QBrush(palette.color(QPalette.ColorRole.Highlight).lighter(170)
                          if palette.color(QPalette.ColorRole.Base).lightness() >= 128
                          else palette.color(QPalette.ColorRole.Highlight).darker(160))
        if role == Qt.ItemDataRole.ToolTipRole:
            return {self.TITLE: f"Row {number}: above the header, not imported",
                    self.HEADER: f"Row {number}: the header row (column names)",
                    self.DATA: f"Row {number}"}[kind]
        return None


class SheetPreview(QWidget):
    """Emits ``changed`` when the user picks another sheet or header row."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("The sheet as read")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.sheet_label = QLabel("Sheet:")
        self.sheet_combo = QComboBox()
        self.sheet_combo.setAccessibleName("Workbook sheet")
        self.header_spin = QSpinBox()
        self.header_spin.setAccessibleName("Header row")
        self.header_spin.setRange(1, 1_000_000)
        self.header_spin.setToolTip("The row that names the columns; rows above it are not imported.")
        bar.addWidget(self.sheet_label)
        bar.addWidget(self.sheet_combo)
        bar.addWidget(QLabel("Header row:"))
        bar.addWidget(self.header_spin)
        self.legend = QLabel("<span style='color:gray'>grey: above the header, not imported</span> · "
                             "<b>bold</b>: the header row")
        bar.addWidget(self.legend, 1)
        layout.addLayout(bar)
        self.model = RawSheetModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("First rows of the sheet")
        self.view.setModel(self.model)
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setDefaultSectionSize(95)
        layout.addWidget(self.view, 1)
        self.sheet_combo.currentIndexChanged.connect(self.changed)
        self.header_spin.valueChanged.connect(self.changed)
        self._shown: tuple[str | None, int] = (None, 1)

    def show_sheet(self, sheet: RawSheet) -> None:
        self.model.set_sheet(sheet)
        with QSignalBlocker(self.sheet_combo), QSignalBlocker(self.header_spin):
            self.sheet_combo.clear()
            self.sheet_combo.addItems(sheet.sheet_names)
            self.sheet_combo.setCurrentText(sheet.sheet_name or "")
            self.header_spin.setValue(sheet.header_row)
        many = len(sheet.sheet_names) > 1
        self.sheet_label.setVisible(many)
        self.sheet_combo.setVisible(many)
        self._shown = (sheet.sheet_name, sheet.header_row)

    def chosen(self, *, sheet: str | None, header_row: int | None) -> tuple[str | None, int | None]:
        """(sheet, header row) for the options, given what they said for the shown sheet."""
        shown_sheet, shown_header = self._shown
        if self.sheet_combo.count() > 1 and self.sheet_combo.currentText() != (shown_sheet or ""):
            return self.sheet_combo.currentText(), None     # another sheet: its own header is found again
        if self.header_spin.value() != shown_header:
            return sheet, self.header_spin.value()
        return sheet, header_row
