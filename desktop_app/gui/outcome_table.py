"""A filterable table of row outcomes: filter buttons with counts, the problems by kind, a search
box, a lazy QTableView and a detail pane for the selected row.

Used by the review page (before submitting, where invalid cells are editable) and the result
page (after). Ctrl+C copies the selected rows as tab-separated text; Tab leaves the table.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QButtonGroup, QComboBox, QHBoxLayout, QHeaderView,
                               QLineEdit, QPushButton, QSplitter, QStyledItemDelegate, QTableView, QVBoxLayout,
                               QWidget)

from desktop_app.gui.review_model import (GROUP_LABELS, HEADERS, Column, Group, ReviewData, ReviewTableModel,
                                          problem_label)
from desktop_app.gui.row_detail import RowDetail


class LocationDelegate(QStyledItemDelegate):
    """The Location cell of an invalid row is fixed from a list of the store's locations."""

    def __init__(self, table: "OutcomeTable") -> None:
        super().__init__(table)
        self._table = table

    def createEditor(self, parent, option, index):
        if index.column() != Column.LOCATION:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        box.setAccessibleName("Store location")
        box.addItems(self._table.location_names())
        return box

    def setEditorData(self, editor, index):
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class OutcomeTable(QWidget):
    group_changed = Signal(int)
    fix_requested = Signal(object, str, str)    # (sheet rows, header, value)

    def __init__(self, *, groups: tuple[Group, ...], name: str, editable: bool = False,
                 headers: dict[Column, str] = HEADERS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.model = ReviewTableModel(parent=self, editable=editable, headers=headers)

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
        self.problem_box = QComboBox()
        self.problem_box.setAccessibleName("Show rows with this problem")
        self.problem_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search SKU, product, location…")
        self.search.setAccessibleName(f"Search the {name.lower()} rows")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        bar.addWidget(self.problem_box)
        bar.addWidget(self.search)
        self.buttons[groups[0]].setChecked(True)
        self._group_buttons.idClicked.connect(self._on_group_clicked)
        self.problem_box.activated.connect(self._on_problem_box_activated)
        self.search.textChanged.connect(self.model.set_search)
        layout.addLayout(bar)

        self.view = QTableView()
        self.view.setAccessibleName(f"{name} rows")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.ROW, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setTabKeyNavigation(False)        # Tab leaves the table
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setItemDelegate(LocationDelegate(self))
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = {Column.ROW: 60, Column.VARIANT: 150, Column.LOCATION: 140, Column.LIVE: 75, Column.SEEN: 75,
                  Column.NEW: 75, Column.DELTA: 65, Column.STATUS: 90}
        for col, w in widths.items():
            self.view.setColumnWidth(col, w)
        self.copy_action = QAction("Copy rows", self.view)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        self.view.addAction(self.copy_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.detail = RowDetail(editable=editable)
        self.detail.fix_requested.connect(self.fix_requested)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.model.modelReset.connect(self._show_current)
        self._show_current()

    def set_review(self, data: ReviewData) -> None:
        self.model.set_review(data)
        for i, (g, b) in enumerate(self.buttons.items()):
            b.setText(f"{GROUP_LABELS[g]} ({data.counts.get(g, 0):,})")
            b.setShortcut(f"Alt+{i + 1}")       # setText replaces a button's shortcut with the text's mnemonic
        self.problem_box.clear()
        self.problem_box.addItem(f"Every kind of problem ({sum(n for _, n in data.problems):,})"
                                 if data.problems else "No problems", None)
        for code, n in data.problems:
            self.problem_box.addItem(f"{n:,} × {problem_label(code)}", code)
        self.problem_box.setCurrentIndex(max(0, self.problem_box.findData(self.model.problem)))
        self.problem_box.setEnabled(bool(data.problems))

    def set_group(self, group: Group) -> None:
        self.buttons[group].setChecked(True)
        self._on_group_clicked(int(group))

    def set_problem(self, code: str | None) -> None:
        """Show only the rows with problem ``code`` (None: every row of the group)."""
        self.model.set_problem(code)
        self.problem_box.setCurrentIndex(max(0, self.problem_box.findData(code)))

    def location_names(self) -> list[str]:
        return sorted(self.model.review.location_name.values(), key=str.lower)

    def copy_selection(self) -> str:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        text = self.model.selected_text(rows) if rows else ""
        if text:
            QApplication.clipboard().setText(text)
        return text

    def select_rows(self, rows: list[int]) -> None:
        sel = self.view.selectionModel()
        sel.clearSelection()
        for r in rows:
            sel.select(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                       | QItemSelectionModel.SelectionFlag.Rows)

    def _on_group_clicked(self, group_id: int) -> None:
        self.model.set_group(Group(group_id))
        self.group_changed.emit(group_id)

    def _on_problem_box_activated(self, index: int) -> None:
        self.model.set_problem(self.problem_box.itemData(index))

    def _on_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current(current)

    def _show_current(self, current: QModelIndex | None = None) -> None:
        current = current if current is not None else self.view.currentIndex()
        o = self.model.outcome(current.row()) if current.isValid() and current.row() < self.model.rowCount() else None
        self.detail.show_row(o, self.model.review, location_names=self.location_names())

    def visible_rows(self) -> int:
        return self.model.rowCount()
