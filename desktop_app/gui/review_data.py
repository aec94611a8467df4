"""What the review and result tables show, as plain Python built off the main thread.

``ReviewData`` holds a Preview's (or a RunResult's) row outcomes in sheet order, one byte per row
(its filter Group), the label lookups, and what in-place editing needs: which sheet column each
table cell edits, the sheet's cells as checked and as read, the rows edited in the window, and
the problems grouped by kind. No Qt here: ``review_model`` turns it into cells.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter
from enum import IntEnum
from typing import Any

from desktop_app.core.edits import shown_equal
from desktop_app.core.mapping import SheetMapping
from desktop_app.core.models import Catalog, Change, RawSheet
from desktop_app.core.results import RowOutcome, Status


class Group(IntEnum):
    """The filter buttons. A row belongs to exactly one group (ALL is every row)."""

    ALL = 0
    CHANGES = 1
    UNCHANGED = 2
    INVALID = 3
    STALE = 4
    FAILED = 5
    OTHER = 6      # skipped (blank target, a superseded duplicate)


class Column(IntEnum):
    ROW = 0
    VARIANT = 1
    LOCATION = 2
    LIVE = 3
    SEEN = 4
    NEW = 5
    DELTA = 6
    STATUS = 7
    REASON = 8


GROUP_LABELS = {Group.ALL: "All", Group.CHANGES: "Changes", Group.UNCHANGED: "Unchanged",
                Group.INVALID: "Invalid", Group.STALE: "Stale", Group.FAILED: "Failed", Group.OTHER: "Skipped"}

_GROUP_OF = {Status.PENDING: Group.CHANGES, Status.APPLIED: Group.CHANGES, Status.UNCHANGED: Group.UNCHANGED,
             Status.INVALID: Group.INVALID, Status.STALE: Group.STALE, Status.FAILED: Group.FAILED,
             Status.SKIPPED: Group.OTHER, Status.UNVERIFIED: Group.FAILED}

STATUS_TEXT = {Status.PENDING: "Will change", Status.APPLIED: "Applied", Status.UNCHANGED: "Unchanged",
               Status.INVALID: "Invalid", Status.STALE: "Stale", Status.FAILED: "Failed",
               Status.SKIPPED: "Skipped", Status.UNVERIFIED: "Unverified"}

#: how a problem kind is named in the grouped list ("87 × quantity is not a number")
PROBLEM_LABELS = {
    "qty-not-integer": "quantity is not a whole number", "qty-blank": "quantity is empty",
    "qty-error-cell": "quantity is an error value (#N/A…)", "qty-out-of-range": "quantity is absurdly large",
    "qty-conflict": "row both sets and adjusts a level", "key-missing": "no SKU or barcode",
    "variant-not-found": "variant not in the store", "variant-ambiguous": "SKU shared by several variants",
    "key-conflict": "SKU and barcode name different variants", "key-excel-damaged": "id damaged by the spreadsheet",
    "location-missing": "no location", "location-not-found": "location not in the store",
    "location-ambiguous": "location name fits several locations", "duplicate": "same variant and location twice",
    "seen-not-integer": "“On hand (current)” is not a number", "stale": "level changed since the sheet was made",
    "unsupported": "the platform cannot do this", "platform-rejected": "the store refused the write",
    "not-applied": "not sent: the run stopped", "verify-mismatch": "read back another level",
    "unverified": "could not be read back", "level-gone": "level gone before the write",
    "stock-not-managed": "the store does not manage this stock",
}

#: problem codes whose fix is a new quantity, a new key, or a new location
QUANTITY_CODES = frozenset({"qty-not-integer", "qty-blank", "qty-error-cell", "qty-out-of-range", "seen-not-integer"})
KEY_CODES = frozenset({"key-missing", "variant-not-found", "variant-ambiguous", "key-conflict", "key-excel-damaged"})
LOCATION_CODES = frozenset({"location-missing", "location-not-found", "location-ambiguous"})


_ROW = attrgetter("row")


def problem_label(code: str, message: str = "") -> str:
    return PROBLEM_LABELS.get(code) or (message.split(":")[0][:60] if message else code or "other problem")


@dataclass(slots=True)
class ReviewData:
    outcomes: list[RowOutcome]
    groups: bytearray
    counts: dict[Group, int]
    variant_label: dict[str, str] = field(default_factory=dict)
    variant_product: dict[str, str] = field(default_factory=dict)
    location_name: dict[str, str] = field(default_factory=dict)
    raw_key: dict[int, str] = field(default_factory=dict)       # invalid rows: the key as written
    raw_location: dict[int, str] = field(default_factory=dict)  # invalid rows: the location as written
    headers: list[str] = field(default_factory=list)            # the sheet's columns
    cells: dict[int, tuple[Any, ...]] = field(default_factory=dict)     # invalid and edited rows: as checked
    original: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # invalid and edited rows: as read
    key_headers: list[str] = field(default_factory=list)
    location_header: str | None = None
    quantity_headers: list[str] = field(default_factory=list)
    edited: set[int] = field(default_factory=set)               # rows with a cell fixed in the window
    seen: dict[tuple[int, str], Any] = field(default_factory=dict)   # (row, location id) → "On hand (current)"
    problems: list[tuple[str, int]] = field(default_factory=list)    # (code, rows), most frequent first
    catalog: Catalog | None = None                              # the labels' source (shared by a re-check)
    variant_text: dict[str, str] = field(default_factory=dict)  # variant id → label and product, casefolded
    orders: dict[tuple[Column, bool], list[int]] = field(default_factory=dict)   # sorted_order's answers

    @classmethod
    def build(cls, outcomes: list[RowOutcome], catalog: Catalog | None, *, sheet: RawSheet | None = None,
              mapping: SheetMapping | None = None, original: RawSheet | None = None,
              edited: set[int] | None = None, changes: list[Change] | None = None,
              previous: "ReviewData | None" = None) -> "ReviewData":
        """Plain Python: safe to run in the worker thread. ``sheet`` and ``mapping`` let invalid
        rows show (and edit) the cells as the user wrote them; ``original`` is the sheet as read
        before the window's edits; ``changes`` give stale rows the level the sheet saw.
        ``previous``: the data shown while this was checked again; its label lookups are shared
        when the catalogue is the same (the outcomes: see ``shared``)."""
        outcomes = sorted(outcomes, key=_ROW)
        groups = bytearray(_GROUP_OF[o.status] for o in outcomes)
        counts = {g: groups.count(g) for g in Group if g is not Group.ALL}
        counts[Group.ALL] = len(outcomes)
        data = cls(outcomes=outcomes, groups=groups, counts=counts, edited=set(edited or ()), catalog=catalog)
        if catalog is not None and previous is not None and previous.catalog is catalog:
            data.variant_label, data.variant_product = previous.variant_label, previous.variant_product
            data.location_name, data.variant_text = previous.location_name, previous.variant_text
        elif catalog is not None:
            data.variant_label = {v.id: v.sku or v.barcode or v.id for v in catalog.variants}
            data.variant_product = {v.id: " ".join(t for t in (v.product, v.title) if t) for v in catalog.variants}
            data.location_name = {loc.id: loc.name for loc in catalog.locations}
            data.variant_text = {v: f"{label}\n{data.variant_product.get(v, '')}".casefold()
                                 for v, label in data.variant_label.items()}
        if changes:
            data.seen = {(c.row, c.location_id): c.seen for c in changes if c.seen is not None}
        tally = Counter(o.code for o in outcomes if o.status in (Status.INVALID, Status.FAILED, Status.STALE))
        data.problems = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        if sheet is not None and mapping is not None:
            data._add_cells(sheet, mapping, original)
        return data

    def shared(self, o: RowOutcome) -> RowOutcome:
        """This data's own outcome equal to ``o`` when it has one, else ``o`` (``core.edits.shown_equal``)."""
        return shown_equal(o, self.outcomes)

    def matching(self, text: str, rows: "list[int] | range") -> list[int]:
        """The indices among ``rows`` whose SKU, product, location, cells as written (invalid rows)
        or row number (digits: that row) contain ``text`` (casefolded). Matches variants and
        locations first (a few thousand strings, casefolded once when the data was built), then
        keeps rows by id in one pass testing only what matched: ~10 ms on 100k rows."""
        variants = {v for v, words in self.variant_text.items() if text in words}
        locations = {loc for loc, name in self.location_name.items() if text in name.casefold()}
        written = {r for r, k in self.raw_key.items() if text in k.casefold()}
        written |= {r for r, k in self.raw_location.items() if text in k.casefold()}
        if text.isdigit():
            written.add(int(text))
        outs = self.outcomes
        if locations:
            return [i for i in rows if (o := outs[i]).variant_id in variants or o.location_id in locations
                    or o.row in written]
        if written:
            return [i for i in rows if (o := outs[i]).variant_id in variants or o.row in written]
        return [i for i in rows if outs[i].variant_id in variants] if variants else []

    def sorted_order(self, column: Column, *, descending: bool = False) -> list[int]:
        """The outcomes' indices sorted by ``column`` (its value, not its text), ties in sheet
        order; kept, so a job that builds this data can sort it in the worker for the table."""
        key, n = (column, descending), len(self.outcomes)
        if column is Column.ROW:        # the outcomes are in sheet-row order already
            return list(range(n - 1, -1, -1)) if descending else list(range(n))
        if key not in self.orders:
            keys = self.sort_keys(column)
            # outcomes are in sheet-row order and sorted() is stable: ties stay in sheet order
            self.orders[key] = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
        return self.orders[key]

    def mark(self, statuses: dict[int, Status]) -> None:
        """Outcomes (by index) that changed status during a run: their status and group; the
        kept sort orders go (a sort by status would show the old ones)."""
        for i, status in statuses.items():
            self.outcomes[i].status = status
            self.groups[i] = _GROUP_OF[status]
        self.orders.clear()

    def presorted(self, spec: tuple[Column, bool] | None) -> "ReviewData":
        """This data, sorted ahead for a table sorted by ``spec`` (``ReviewTableModel.sort_spec``):
        called in the worker, so showing it sorts nothing on the main thread."""
        if spec is not None:
            self.sorted_order(spec[0], descending=spec[1])
        return self

    def sort_keys(self, col: Column) -> list:
        """Each outcome's value in ``col`` for sorting (not for ``Column.ROW``: already in order)."""
        outs, labels, names = self.outcomes, self.variant_label, self.location_name
        if col is Column.VARIANT:
            return [labels.get(o.variant_id, o.variant_id) if o.variant_id else "" for o in outs]
        if col is Column.LOCATION:
            return [names.get(o.location_id, o.location_id) if o.location_id else "" for o in outs]
        if col in (Column.LIVE, Column.SEEN, Column.NEW, Column.DELTA):
            low = -(10 ** 15)
            if col is Column.SEEN:
                seen = self.seen
                return [s if isinstance(s := seen.get((o.row, o.location_id or "")), int) else low for o in outs]
            if col is Column.LIVE:
                return [o.before if isinstance(o.before, int) else low for o in outs]
            if col is Column.NEW:
                return [o.after if isinstance(o.after, int) else low for o in outs]
            return [o.after - o.before if isinstance(o.after, int) and isinstance(o.before, int) else low
                    for o in outs]
        if col is Column.STATUS:
            return [STATUS_TEXT[o.status] for o in outs]
        return [o.message for o in outs]

    def _add_cells(self, sheet: RawSheet, mapping: SheetMapping, original: RawSheet | None) -> None:
        self.headers = list(sheet.headers)
        keys, loc = mapping.key_columns(), mapping.location_column()
        self.key_headers = [k.header for k in keys]
        self.location_header = loc.header if loc is not None else None
        self.quantity_headers = [q.header for q in mapping.quantity_columns()]
        invalid = {o.row for o in self.outcomes if o.status is Status.INVALID}
        if not invalid and not self.edited:
            return
        wanted = invalid | self.edited
        for number, cells in sheet.rows:
            if number not in wanted:
                continue
            self.cells[number] = cells           # as checked (with the window's fixes)
            if number not in invalid:
                continue
            for k in keys:
                if k.index < len(cells) and cells[k.index] not in (None, ""):
                    self.raw_key[number] = str(cells[k.index])
                    break
            if loc is not None and loc.index < len(cells) and cells[loc.index] not in (None, ""):
                self.raw_location[number] = str(cells[loc.index])
        for number, cells in (original or sheet).rows:
            if number in wanted:
                self.original[number] = cells

    @classmethod
    def empty(cls) -> "ReviewData":
        return cls.build([], None)

    # -- editing ------------------------------------------------------------------------------
    def cell(self, row: int, header: str, *, as_read: bool = False) -> Any:
        cells = (self.original if as_read else self.cells).get(row)
        if cells is None or header not in self.headers:
            return None
        i = self.headers.index(header)
        return cells[i] if i < len(cells) else None

    def quantity_header(self, o: RowOutcome) -> str | None:
        if o.column in self.quantity_headers:
            return o.column
        return self.quantity_headers[0] if len(self.quantity_headers) == 1 else None

    def key_header(self, o: RowOutcome) -> str | None:
        if o.column in self.key_headers:
            return o.column
        for h in self.key_headers:
            if self.cell(o.row, h) not in (None, ""):
                return h
        return self.key_headers[0] if self.key_headers else None

    def fix_header(self, o: RowOutcome) -> str | None:
        """The sheet column whose cell fixes ``o``'s problem (None: not fixable by one cell)."""
        if o.status is not Status.INVALID:
            return None
        if o.code in QUANTITY_CODES:
            return o.column if o.column in self.headers else self.quantity_header(o)
        if o.code in KEY_CODES:
            return self.key_header(o)
        if o.code in LOCATION_CODES:
            return self.location_header
        return None

    def rows_with_problem(self, o: RowOutcome) -> list[RowOutcome]:
        """The invalid rows with ``o``'s problem in the same column (a location or key problem:
        also written the same way, so "Back room" is fixed everywhere and "Garage" is left)."""
        same = [r for r in self.outcomes if r.status is Status.INVALID and r.code == o.code and r.column == o.column]
        if o.code in LOCATION_CODES:
            same = [r for r in same if self.raw_location.get(r.row) == self.raw_location.get(o.row)]
        elif o.code in KEY_CODES:
            same = [r for r in same if self.raw_key.get(r.row) == self.raw_key.get(o.row)]
        return same
