"""The review table: one row per stock instruction of the sheet, lazily displayed.

``ReviewData`` is plain Python, built off the main thread from a Preview's (or a RunResult's)
row outcomes: it holds the outcomes list itself plus one byte per row (its filter group) and the
label lookups — no per-cell objects. ``ReviewTableModel`` computes every cell in ``data()``.

Filtering (by Group) and sorting happen inside the model, over an array of row indices, in bulk
Python operations. A QSortFilterProxyModel was measured first: at 100,000 rows it calls back
into Python once per row for every filter change (110-160 ms) and once per comparison when
sorting (290 ms), past the window's 100 ms stall budget; the in-model version takes a few ms
to filter and tens of ms to sort (bench/ui_stall.py).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.core.mapping import SheetMapping
from desktop_app.core.models import Catalog, RawSheet
from desktop_app.core.results import RowOutcome, Status

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    ROW = 0
    VARIANT = 1
    LOCATION = 2
    LIVE = 3
    NEW = 4
    DELTA = 5
    STATUS = 6
    REASON = 7


HEADERS = {Column.ROW: "Row", Column.VARIANT: "Variant (SKU)", Column.LOCATION: "Location",
           Column.LIVE: "Live level", Column.NEW: "New level", Column.DELTA: "Change",
           Column.STATUS: "Status", Column.REASON: "Reason / what to do"}


class Group(IntEnum):
    """The filter buttons. A row belongs to exactly one group (ALL is every row)."""

    ALL = 0
    CHANGES = 1
    UNCHANGED = 2
    INVALID = 3
    STALE = 4
    FAILED = 5
    OTHER = 6      # skipped (blank target): only under All


GROUP_LABELS = {Group.ALL: "All", Group.CHANGES: "Changes", Group.UNCHANGED: "Unchanged",
                Group.INVALID: "Invalid", Group.STALE: "Stale", Group.FAILED: "Failed"}

_GROUP_OF = {Status.PENDING: Group.CHANGES, Status.APPLIED: Group.CHANGES, Status.UNCHANGED: Group.UNCHANGED,
             Status.INVALID: Group.INVALID, Status.STALE: Group.STALE, Status.FAILED: Group.FAILED,
             Status.SKIPPED: Group.OTHER, Status.UNVERIFIED: Group.FAILED}

STATUS_TEXT = {Status.PENDING: "Will change", Status.APPLIED: "Applied", Status.UNCHANGED: "Unchanged",
               Status.INVALID: "Invalid", Status.STALE: "Stale", Status.FAILED: "Failed",
               Status.SKIPPED: "Skipped", Status.UNVERIFIED: "Unverified"}

#: role carrying the row's Group (for tests and delegates)
GroupRole = Qt.ItemDataRole.UserRole + 1


@dataclass(slots=True)
class ReviewData:
    outcomes: list[RowOutcome]
    groups: bytearray
    counts: dict[Group, int]
    variant_label: dict[str, str] = field(default_factory=dict)
    location_name: dict[str, str] = field(default_factory=dict)
    raw_key: dict[int, str] = field(default_factory=dict)       # invalid rows: the key as written
    raw_location: dict[int, str] = field(default_factory=dict)  # invalid rows: the location as written

    @classmethod
    def build(cls, outcomes: list[RowOutcome], catalog: Catalog | None, *, sheet: RawSheet | None = None,
              mapping: SheetMapping | None = None) -> "ReviewData":
        """Plain Python: safe to run in the worker thread. ``sheet`` and ``mapping`` let invalid
        rows show the identity and location cells as the user wrote them."""
        outcomes = sorted(outcomes, key=lambda o: o.row)
        groups = bytearray(_GROUP_OF[o.status] for o in outcomes)
        counts = {g: groups.count(g) for g in Group if g is not Group.ALL}
        counts[Group.ALL] = len(outcomes)
        data = cls(outcomes=outcomes, groups=groups, counts=counts)
        if catalog is not None:
            data.variant_label = {v.id: v.sku or v.barcode or v.id for v in catalog.variants}
            data.location_name = {loc.id: loc.name for loc in catalog.locations}
        if sheet is not None and mapping is not None and counts[Group.INVALID]:
            invalid = {o.row for o in outcomes if o.status is Status.INVALID}
            keys, loc = mapping.key_columns(), mapping.location_column()
            for number, cells in sheet.rows:
                if number not in invalid:
                    continue
                for k in keys:
                    if k.index < len(cells) and cells[k.index] not in (None, ""):
                        data.raw_key[number] = str(cells[k.index])
                        break
                if loc is not None and loc.index < len(cells) and cells[loc.index] not in (None, ""):
                    data.raw_location[number] = str(cells[loc.index])
        return data

    @classmethod
    def empty(cls) -> "ReviewData":
        return cls.build([], None)


def delta_of(o: RowOutcome) -> int | None:
    if isinstance(o.after, int) and isinstance(o.before, int):
        return o.after - o.before
    return None


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
    """Rows are ``ReviewData.outcomes`` restricted to one Group, in the chosen sort order."""

    def __init__(self, data: ReviewData | None = None, parent=None) -> None:
        super().__init__(parent)
        self._data = data or ReviewData.empty()
        self._group = Group.ALL
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._order: list[int] = list(range(len(self._data.outcomes)))   # all rows, sorted
        self._rows: list[int] | range = range(len(self._data.outcomes))  # the visible ones
        self._up, self._down = delta_colors()
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content ------------------------------------------------------------------------------
    def set_review(self, data: ReviewData) -> None:
        self.beginResetModel()
        self._data = data
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

    def set_group(self, group: Group) -> None:
        """Show only ``group``'s rows (Group.ALL: every row)."""
        if group is self._group:
            return
        self.beginResetModel()
        self._group = group
        self._rows = self._visible_rows()
        self.endResetModel()

    def outcome(self, row: int) -> RowOutcome:
        return self._data.outcomes[self._rows[row]]

    def row_group(self, row: int) -> int:
        return self._data.groups[self._rows[row]]

    def _visible_rows(self) -> list[int] | range:
        if self._group is Group.ALL:
            return self._order if self._sort else range(len(self._data.outcomes))
        groups, g = self._data.groups, self._group
        return [i for i in self._order if groups[i] == g]

    # -- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(Column)):
            return None
        o = self.outcome(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(o, Column(col))
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
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.ROW, Column.LIVE, Column.NEW, Column.DELTA):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col in (Column.REASON, Column.STATUS):
            return "\n".join(t for t in (o.message, o.hint) if t) or None
        if role == GroupRole:
            return self.row_group(row)
        return None

    def _display(self, o: RowOutcome, col: Column) -> str:
        if col is Column.ROW:
            return str(o.row)
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
            return level_text(o.after) if o.variant_id else ""
        if col is Column.DELTA:
            d = delta_of(o)
            if d is None:
                return "bind" if o.before is None and o.after is not None and o.variant_id else ""
            return f"{d:+,}" if d else "0"
        if col is Column.STATUS:
            return STATUS_TEXT[o.status]
        text = o.message
        if o.column and o.status is Status.INVALID and o.column.lower() not in text.lower():
            text = f"{o.column}: {text}"
        return f"{text} {o.hint}".strip() if o.hint else text

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
            where = {src: row for row, src in enumerate(self._rows)}
            for idx, src in zip(persistent, before):
                self.changePersistentIndex(idx, self.index(where[src], idx.column()) if src in where else QModelIndex())
        self.layoutChanged.emit()

    def _sorted_order(self) -> list[int]:
        n = len(self._data.outcomes)
        if self._sort is None:
            return list(range(n))
        column, order = self._sort
        keys = self._sort_keys(Column(column))
        # outcomes are in sheet-row order and sorted() is stable: ties stay in sheet order
        return sorted(range(n), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)

    def _sort_keys(self, col: Column) -> list:
        outs, labels, names = self._data.outcomes, self._data.variant_label, self._data.location_name
        if col is Column.ROW:
            return [o.row for o in outs]
        if col is Column.VARIANT:
            return [labels.get(o.variant_id, o.variant_id) if o.variant_id else "" for o in outs]
        if col is Column.LOCATION:
            return [names.get(o.location_id, o.location_id) if o.location_id else "" for o in outs]
        if col in (Column.LIVE, Column.NEW, Column.DELTA):
            low = -(10 ** 15)
            if col is Column.LIVE:
                return [o.before if isinstance(o.before, int) else low for o in outs]
            if col is Column.NEW:
                return [o.after if isinstance(o.after, int) else low for o in outs]
            return [o.after - o.before if isinstance(o.after, int) and isinstance(o.before, int) else low
                    for o in outs]
        if col is Column.STATUS:
            return [STATUS_TEXT[o.status] for o in outs]
        return [o.message for o in outs]
