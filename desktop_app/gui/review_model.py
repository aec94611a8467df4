"""The review table: one row per stock instruction of the sheet, lazily displayed.

``ReviewData`` is plain Python, built off the main thread from a Preview's (or a RunResult's)
row outcomes: it holds the outcomes list itself plus one byte per row (its filter group) and the
label lookups — no per-cell objects (``gui.review_data``). ``ReviewTableModel`` computes every
cell in ``data()``; invalid rows' cells are editable and an edit is emitted, never applied here.

Filtering (by Group) and sorting happen inside the model, over an array of row indices, in bulk
Python operations. A QSortFilterProxyModel was measured first: at 100,000 rows it calls back
into Python once per row for every filter change (110-160 ms) and once per comparison when
sorting (290 ms), past the window's 100 ms stall budget; the in-model version takes a few ms
to filter and tens of ms to sort (bench/ui_stall.py).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.core.results import RowOutcome, Status
from desktop_app.gui.review_data import GROUP_LABELS, STATUS_TEXT, Column, Group, ReviewData, problem_label
from desktop_app.gui.words import window_words

__all__ = ["Column", "GROUP_LABELS", "Group", "GroupRole", "HEADERS", "ReviewData", "ReviewTableModel",
           "STATUS_TEXT", "delta_colors", "delta_of", "level_text", "problem_label"]

_Index = QModelIndex | QPersistentModelIndex


HEADERS = {Column.ROW: "Row", Column.VARIANT: "Variant (SKU)", Column.LOCATION: "Location",
           Column.LIVE: "Live level", Column.SEEN: "Sheet saw", Column.NEW: "New level", Column.DELTA: "Change",
           Column.STATUS: "Status", Column.REASON: "Reason / what to do"}
#: after applying, the levels are what the store had and has
RESULT_HEADERS = {**HEADERS, Column.LIVE: "Before", Column.NEW: "After"}
#: the columns an invalid row's cell can be fixed in, and what each edits
EDITABLE = (Column.VARIANT, Column.LOCATION, Column.NEW)


#: role carrying the row's Group (for tests and delegates)
GroupRole = Qt.ItemDataRole.UserRole + 1


def delta_of(o: RowOutcome) -> int | None:
    if isinstance(o.after, int) and isinstance(o.before, int):
        return o.after - o.before
    return None


def signed(n: int) -> str:
    """+5, −3 (the minus sign, not a hyphen), 0 — never "+0" or "−0"."""
    return f"+{n:,}" if n > 0 else f"−{-n:,}" if n < 0 else "0"


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def level_text(level: object) -> str:
    if level is None:
        return "—"
    if isinstance(level, int):
        return f"{level:,}"
    return str(level)


def delta_colors(palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(increase, decrease) foregrounds readable on the palette's base colour, light or dark."""
    palette = palette or QApplication.palette()
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    if dark:
        return QColor("#6fdc8c"), QColor("#ff8389")
    return QColor("#0e6027"), QColor("#a2191f")


class ReviewTableModel(QAbstractTableModel):
    """Rows are ``ReviewData.outcomes`` restricted to one Group (and problem kind and search
    text), in the chosen sort order. With ``editable``, an invalid row's SKU, location and new
    level are editable: an edit is not applied here but emitted as ``cell_edited`` (row number,
    sheet header, value), and the sheet is checked again with it."""

    cell_edited = Signal(int, str, object)

    def __init__(self, data: ReviewData | None = None, parent=None, *, editable: bool = False,
                 headers: dict[Column, str] = HEADERS) -> None:
        super().__init__(parent)
        self._data = data or ReviewData.empty()
        self.editable = editable
        self._headers = headers
        self._group = Group.ALL
        self._code: str | None = None
        self._search = ""

        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._order: list[int] = list(range(len(self._data.outcomes)))   # all rows, sorted
        self._rows: list[int] | range = range(len(self._data.outcomes))  # the visible ones
        self._up, self._down = delta_colors()
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._editable = QApplication.palette().color(QPalette.ColorRole.Base)
        self._editable = QColor("#fff7d6") if self._editable.lightness() >= 128 else QColor("#3a3320")

    # -- content ------------------------------------------------------------------------------
    def set_review(self, data: ReviewData) -> None:
        self.beginResetModel()
        self._data = data
        if self._code is not None and self._code not in dict(data.problems):
            self._code = None
        self._up, self._down = delta_colors()
        self._order = self._sorted_order()
        self._rows = self._visible_rows()
        self.endResetModel()

    @property
    def review(self) -> ReviewData:
        return self._data

    @property
    def group(self) -> Group:
        return self._group

    @property
    def problem(self) -> str | None:
        return self._code

    def set_group(self, group: Group) -> None:
        """Show only ``group``'s rows (Group.ALL: every row)."""
        if group is self._group:
            return
        self._refilter(group=group)

    def set_problem(self, code: str | None) -> None:
        """Show only rows with problem ``code`` (None: any)."""
        if code != self._code:
            self._refilter(code=code)

    def set_search(self, text: str) -> None:
        """Show only rows whose SKU, product, location or sheet cells contain ``text`` (any case)."""
        text = text.strip().casefold()
        if text != self._search:
            self._refilter(search=text)

    def _refilter(self, **what: Any) -> None:
        self.beginResetModel()
        self._group = what.get("group", self._group)
        self._code = what.get("code", self._code)
        self._search = what.get("search", self._search)
        self._rows = self._visible_rows()
        self.endResetModel()

    def outcome(self, row: int) -> RowOutcome:
        return self._data.outcomes[self._rows[row]]

    def row_group(self, row: int) -> int:
        return self._data.groups[self._rows[row]]

    def _visible_rows(self) -> list[int] | range:
        rows: list[int] | range
        if self._group is Group.ALL:
            rows = self._order if self._sort else range(len(self._data.outcomes))
        else:
            groups, g = self._data.groups, self._group
            rows = [i for i in self._order if groups[i] == g]
        if self._code is not None:
            outs, code = self._data.outcomes, self._code
            rows = [i for i in rows if outs[i].code == code]
        if self._search:
            rows = self._data.matching(self._search, rows)
        return rows

    # -- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return self._headers[Column(section)]
        return None

    # -- editing ------------------------------------------------------------------------------
    def edit_header(self, index: _Index) -> str | None:
        """The sheet column an edit of ``index`` changes (None: not editable)."""
        if not self.editable or not index.isValid() or index.column() not in EDITABLE:
            return None
        o, d = self.outcome(index.row()), self._data
        fix = d.fix_header(o)
        if fix is None:
            return None
        col = index.column()
        if col == Column.NEW:
            return fix if fix in d.quantity_headers else d.quantity_header(o)
        if col == Column.VARIANT:
            return fix if fix in d.key_headers else d.key_header(o)
        return d.location_header

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if self.edit_header(index) is not None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        header = self.edit_header(index)
        if role != Qt.ItemDataRole.EditRole or header is None:
            return False
        o = self.outcome(index.row())
        text = "" if value is None else str(value).strip()
        if text == _cell_text(self._data.cell(o.row, header)):
            return False
        self.cell_edited.emit(o.row, header, text)
        return True

    def mark_landed(self, updates: dict[int, str]) -> None:
        """Rows (indices into ``review.outcomes``) written during the run: their new status."""
        self._data.mark({i: Status(state) for i, state in updates.items()})
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1))

    def selected_text(self, rows: list[int]) -> str:
        """``rows`` (view rows) as tab-separated text with a header line: pastes into a spreadsheet."""
        lines = ["\t".join(self._headers[c] for c in Column)]
        for r in sorted(rows):
            o = self.outcome(r)
            lines.append("\t".join(self._display(o, c).replace("\t", " ").replace("\n", " ") for c in Column))
        return "\n".join(lines) + "\n"

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(Column)):
            return None
        o = self.outcome(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(o, Column(col))
        if role == Qt.ItemDataRole.EditRole:
            header = self.edit_header(index)
            return _cell_text(self._data.cell(o.row, header)) if header else self._display(o, Column(col))
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in (Column.DELTA, Column.NEW):
                d = delta_of(o)
                if d and o.status in (Status.PENDING, Status.APPLIED):
                    return QBrush(self._up if d > 0 else self._down)
            elif col == Column.STATUS and o.status in (Status.INVALID, Status.FAILED, Status.STALE, Status.UNVERIFIED):
                return QBrush(self._down)
            return None
        if role == Qt.ItemDataRole.FontRole and col == Column.STATUS and o.status in (Status.INVALID, Status.FAILED,
                                                                                     Status.STALE):
            return self._bold
        if role == Qt.ItemDataRole.FontRole and col == Column.ROW and o.row in self._data.edited:
            return self._italic
        if role == Qt.ItemDataRole.BackgroundRole and self.editable and col in EDITABLE and self.edit_header(index):
            return QBrush(self._editable)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.ROW, Column.LIVE, Column.SEEN, Column.NEW,
                                                                 Column.DELTA):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col in (Column.REASON, Column.STATUS):
            return window_words("\n".join(t for t in (o.message, o.hint) if t)) or None
        if role == Qt.ItemDataRole.ToolTipRole and self.edit_header(index):
            return f"Double-click (or F2) to fix the sheet's '{self.edit_header(index)}' cell of row {o.row}."
        if role == Qt.ItemDataRole.ToolTipRole and col == Column.ROW and o.row in self._data.edited:
            return "Edited in the window (the file itself is unchanged)."
        if role == GroupRole:
            return self.row_group(row)
        return None

    def _display(self, o: RowOutcome, col: Column) -> str:
        if col is Column.ROW:
            return f"{o.row} ✎" if o.row in self._data.edited else str(o.row)
        if col is Column.VARIANT:
            if o.variant_id:
                return self._data.variant_label.get(o.variant_id, o.variant_id)
            return self._data.raw_key.get(o.row, "")
        if col is Column.LOCATION:
            if o.location_id:
                return self._data.location_name.get(o.location_id, o.location_id)
            return self._data.raw_location.get(o.row, "")
        if col is Column.LIVE:
            return level_text(o.before) if o.variant_id else ""
        if col is Column.NEW:
            if o.variant_id or o.status is not Status.INVALID:
                return level_text(o.after) if o.variant_id else ""
            header = self._data.quantity_header(o)
            return _cell_text(self._data.cell(o.row, header)) if header else ""
        if col is Column.SEEN:
            seen = self._data.seen.get((o.row, o.location_id or ""))
            return level_text(seen) if seen is not None else ""
        if col is Column.DELTA:
            d = delta_of(o)
            if d is None:
                return "bind" if o.before is None and o.after is not None and o.variant_id else ""
            return signed(d)
        if col is Column.STATUS:
            return STATUS_TEXT[o.status]
        text = o.message
        if o.column and o.status is Status.INVALID and o.column.lower() not in text.lower():
            text = f"{o.column}: {text}"
        return window_words(f"{text} {o.hint}".strip() if o.hint else text)

    # -- sorting ------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [self._rows[i.row()] for i in persistent]
        self._sort = (column, order)
        self._order = self._sorted_order()
        self._rows = self._visible_rows()
        if persistent:
            # the few rows a view holds on to (current, selection corners) are found by position:
            # a lookup dict of every row would be 100k entries built on the main thread
            wanted = set(before)
            where = {src: row for row, src in enumerate(self._rows) if src in wanted} if len(wanted) > 8 else \
                {src: self._rows.index(src) for src in wanted if src in self._rows}
            for idx, src in zip(persistent, before):
                self.changePersistentIndex(idx, self.index(where[src], idx.column()) if src in where else QModelIndex())
        self.layoutChanged.emit()

    def _sorted_order(self) -> list[int]:
        if self._sort is None:
            return list(range(len(self._data.outcomes)))
        column, order = self._sort
        return self._data.sorted_order(Column(column), descending=order == Qt.SortOrder.DescendingOrder)

    @property
    def sort_spec(self) -> tuple[Column, bool] | None:
        """(column, descending) the rows are sorted by; None: sheet order. A job building the next
        data for this table sorts it so in the worker (``ReviewData.sorted_order``)."""
        return None if self._sort is None else (Column(self._sort[0]), self._sort[1] == Qt.SortOrder.DescendingOrder)
