"""A filterable table of row outcomes: filter buttons with counts above a lazy QTableView.

Used by the review page (before submitting) and the result page (after).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QHBoxLayout, QHeaderView, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from desktop_app.gui.review_model import GROUP_LABELS, Column, Group, ReviewData, ReviewTableModel


class OutcomeTable(QWidget):
    group_changed = Signal(int)

    def __init__(self, *, groups: tuple[Group, ...], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.model = ReviewTableModel(parent=self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.buttons: dict[Group, QPushButton] = {}
        self._group_buttons = QButtonGroup(self)
        self._group_buttons.setExclusive(True)
        for i, g in enumerate(groups):
            b = QPushButton(GROUP_LABELS[g])
            b.setCheckable(True)
            b.setAccessibleName(f"Show {GROUP_LABELS[g].lower()} rows")
            b.setToolTip(f"Alt+{i + 1}")
            b.setShortcut(f"Alt+{i + 1}")
            self._group_buttons.addButton(b, int(g))
            self.buttons[g] = b
            bar.addWidget(b)
        bar.addStretch(1)
        self.buttons[groups[0]].setChecked(True)
        self._group_buttons.idClicked.connect(self._on_group_clicked)
        layout.addLayout(bar)

        self.view = QTableView()
        self.view.setAccessibleName(f"{name} rows")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.ROW, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = {Column.ROW: 60, Column.VARIANT: 150, Column.LOCATION: 140, Column.LIVE: 80, Column.NEW: 80,
                  Column.DELTA: 70, Column.STATUS: 95}
        for col, w in widths.items():
            self.view.setColumnWidth(col, w)
        layout.addWidget(self.view, 1)

    def set_review(self, data: ReviewData) -> None:
        self.model.set_review(data)
        for g, b in self.buttons.items():
            b.setText(f"{GROUP_LABELS[g]} ({data.counts.get(g, 0):,})")

    def set_group(self, group: Group) -> None:
        self.buttons[group].setChecked(True)
        self._on_group_clicked(int(group))

    def _on_group_clicked(self, group_id: int) -> None:
        self.model.set_group(Group(group_id))
        self.group_changed.emit(group_id)

    def visible_rows(self) -> int:
        return self.model.rowCount()
