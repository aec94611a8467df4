"""Layouts: a ``Snapshot`` shaped into the table a report shows, and the Summary's figures.

* **long** — a row per variant × location: identity, location, ``Available`` and the other
  states the platform reports (on hand, committed, last updated), as the import reads them back.
* **wide** — a row per variant, a column per location (headed by its name, or ``Available:
  <name>`` where the bare name would read as something else), a ``Total`` column and a ``Total``
  row; a blank cell is a location the variant is not stocked at (blank = no change on import).
* **low-stock** — the long layout, only levels at or below the threshold, lowest first.

Every column a report adds beyond identity, location and level is one the import ignores
(``Location ID (not editable)``, ``Committed``, ``On hand (not editable)``, ``Total``,
``Last updated``, ``Low stock at``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby, islice
from typing import Any, Callable, Iterator, Literal

from desktop_app.core.errors import MappingError
from desktop_app.core.mapping import Role, detect_mapping
from desktop_app.core.models import Level, level_text
from desktop_app.engine.export.gather import THRESHOLD_HEADER, Snapshot, StockLine

#: the location's id, for people and their systems; the import matches the location by name
#: (a column headed "Location ID" would be read as the location itself)
LOCATION_ID_HEADER = "Location ID (not editable)"
Kind = Literal["text", "id", "level", "int", "time"]
_MIN_WIDTH, _MAX_WIDTH, _WIDTH_SAMPLE = 8, 48, 500


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: Kind                 # id: identity text kept exactly (SKU, barcode, ids); level: a stock cell


@dataclass(slots=True)
class Table:
    """Columns and a row stream (``rows()`` may be called again; rows are made as they are
    written, so a 100k-level report never sits in memory as a table). With ``total_row`` the
    stream's last row is the totals."""

    columns: list[Column]
    rows: Callable[[], Iterator[list[Any]]]
    total_row: bool = False
    widths: list[int] = field(default_factory=list)

    @property
    def level_columns(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.kind == "level"]

    @property
    def threshold_column(self) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.header == THRESHOLD_HEADER), None)


@dataclass(slots=True)
class LocationFigures:
    name: str
    units: int = 0             # the sum of whole-number levels
    stocked: int = 0           # variants stocked there
    zero: int = 0
    negative: int = 0
    low: int = 0               # above zero and at or below the threshold
    not_tracked: int = 0
    infinite: int = 0

    def add(self, line: StockLine) -> None:
        self.stocked += 1
        level = line.level
        if type(level) is not int:
            self.not_tracked += level == "NOT_TRACKED"
            self.infinite += level == "INFINITE"
            return
        self.units += level
        if level < 0:
            self.negative += 1
        elif level == 0:
            self.zero += 1
        elif line.threshold is not None and level <= line.threshold:
            self.low += 1


def is_low(line: StockLine) -> bool:
    """At or below its threshold (zero and negative levels included)."""
    return type(line.level) is int and line.threshold is not None and line.level <= line.threshold


def kept_lines(snapshot: Snapshot) -> list[StockLine]:
    options = snapshot.options
    lines = snapshot.lines
    if options.only_low or options.layout == "low-stock":
        lines = [line for line in lines if is_low(line)]
    if options.layout == "low-stock":
        lines = sorted(lines, key=lambda line: (line.level, line.variant.product, line.variant.title))
    return lines


def summarise(snapshot: Snapshot, lines: list[StockLine]) -> list[LocationFigures]:
    figures = {loc.id: LocationFigures(loc.name) for loc in snapshot.locations}
    for line in lines:
        figures[line.location.id].add(line)
    return list(figures.values())


def _cell(level: Level) -> Any:
    return level if type(level) is int else level_text(level)


def _identity(snapshot: Snapshot) -> list[Column]:
    cols = [Column("Product", "text"), Column("Variant title", "text"), Column("SKU", "id"),
            Column("Barcode", "id"), Column("Variant ID", "id")]
    if snapshot.has_external_ids:
        cols.append(Column("External ID", "id"))
    cols.append(Column("Product ID", "id"))
    return cols


def _identity_cells(snapshot: Snapshot, line: StockLine) -> list[Any]:
    v = line.variant
    cells = [v.product, v.title, v.sku, v.barcode, v.id]
    if snapshot.has_external_ids:
        cells.append(v.external_id)
    cells.append(v.product_id)
    return cells


def _thresholded(snapshot: Snapshot) -> bool:
    return snapshot.options.threshold is not None or snapshot.options.thresholds is not None


def long_table(snapshot: Snapshot, lines: list[StockLine]) -> Table:
    cols = _identity(snapshot) + [Column("Location", "text"), Column("Available", "level"),
                                  Column(LOCATION_ID_HEADER, "id")]
    if snapshot.has_committed:
        cols += [Column("On hand (not editable)", "int"), Column("Committed", "int")]
    if snapshot.has_updated:
        cols.append(Column("Last updated", "time"))
    if _thresholded(snapshot):
        cols.append(Column(THRESHOLD_HEADER, "int"))
    thresholded = _thresholded(snapshot)

    def rows() -> Iterator[list[Any]]:
        for line in lines:
            row = _identity_cells(snapshot, line) + [line.location.name, _cell(line.level), line.location.id]
            if snapshot.has_committed:
                committed = line.committed
                on_hand = line.level + committed if committed is not None and type(line.level) is int else None
                row += [on_hand, committed]
            if snapshot.has_updated:
                row.append(line.updated)
            if thresholded:
                row.append(line.threshold)
            yield row
    return _sized(Table(cols, rows))


def location_headers(snapshot: Snapshot) -> list[str]:
    """A column header per location that the import reads as that location's quantity: the bare
    name, or ``Available: <name>`` where the name alone would read as something else."""
    names = [loc.name for loc in snapshot.locations]
    fixed = [c.header for c in _identity(snapshot)]
    try:
        mapping = detect_mapping(fixed + names + ["Total"], location_names=names)
        read_as = [c.location if c.role is Role.QUANTITY else None for c in mapping.columns[len(fixed):]]
    except MappingError:        # not one bare name reads as a location column ("STORE")
        read_as = [None] * len(names)
    return [name if seen == name and names.count(name) == 1 else f"Available: {name}"
            for name, seen in zip(names, read_as)]


def wide_table(snapshot: Snapshot, lines: list[StockLine]) -> Table:
    index = {loc.id: i for i, loc in enumerate(snapshot.locations)}
    n = len(index)
    cols = _identity(snapshot) + [Column(h, "level") for h in location_headers(snapshot)] + [Column("Total", "int")]
    thresholded = _thresholded(snapshot)
    if thresholded:
        cols.append(Column(THRESHOLD_HEADER, "int"))
    width = len(_identity(snapshot))

    def rows() -> Iterator[list[Any]]:
        sums = [0] * n
        # gather lists a variant's locations one after another, so a row is one group
        for _, group in groupby(lines, key=lambda line: line.variant.id):
            variant_lines = list(group)
            cells: list[Any] = [None] * n
            total = 0
            for line in variant_lines:
                i = index[line.location.id]
                cells[i] = _cell(line.level)
                if type(line.level) is int:
                    total += line.level
                    sums[i] += line.level
            row = _identity_cells(snapshot, variant_lines[0]) + cells + [total]
            if thresholded:
                row.append(variant_lines[0].threshold)
            yield row
        yield ["Total"] + [None] * (width - 1) + sums + [sum(sums)] + ([None] if thresholded else [])

    return _sized(Table(cols, rows, total_row=True))


def table_for(snapshot: Snapshot, lines: list[StockLine]) -> Table:
    return wide_table(snapshot, lines) if snapshot.options.layout == "wide" else long_table(snapshot, lines)


def _sized(table: Table) -> Table:
    """Column widths from the header and the first rows (the writer streams, so it can't measure after)."""
    widths = [len(c.header) + 2 for c in table.columns]
    for row in islice(table.rows(), _WIDTH_SAMPLE):
        for i, value in enumerate(row):
            if value is not None:
                widths[i] = max(widths[i], len(str(value)) + 1)
    table.widths = [min(max(w, _MIN_WIDTH), _MAX_WIDTH) for w in widths]
    return table
