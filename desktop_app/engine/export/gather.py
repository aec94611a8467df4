"""Gather: what a stock report shows, read from the store once — locations (filtered), variants,
levels, and whatever else the platform reports about a level (committed stock, update times).

Nothing here knows about layouts or file formats; ``layouts`` shapes a ``Snapshot`` into tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from desktop_app.core.errors import InputError
from desktop_app.core.mapping import normalise
from desktop_app.core.models import Level, Location, Variant
from desktop_app.core.progress import Progress, ProgressCallback, no_progress
from desktop_app.engine.retry import patiently
from desktop_app.platforms.base import Connector

LAYOUTS = ("long", "wide", "low-stock")
#: the threshold ``--layout low-stock`` uses when none is given
DEFAULT_LOW_STOCK = 5
#: the report column holding a per-variant low-stock threshold (read back from a previous report)
THRESHOLD_HEADER = "Low stock at"


@dataclass(frozen=True, slots=True)
class ExportOptions:
    layout: Literal["long", "wide", "low-stock"] = "long"
    locations: tuple[str, ...] = ()          # location names (or ids) to keep; () = all
    changed_since: datetime | None = None    # only levels the store changed since then
    low_stock: int | None = None             # highlight levels at or below this
    only_low: bool = False                   # keep only those rows
    thresholds: Path | None = None           # a previous report with a "Low stock at" column
    bom: bool = True                         # CSV: start with a UTF-8 BOM (Excel needs it)
    delimiter: str = ","                     # CSV: "," or ";" (European Excel)

    @property
    def threshold(self) -> int | None:
        if self.low_stock is None and self.layout == "low-stock":
            return DEFAULT_LOW_STOCK
        return self.low_stock

    @classmethod
    def from_cli(cls, args: Any) -> "ExportOptions":
        """From ``stocksheet export``'s flags (argparse names them; this checks their values)."""
        return cls(layout=args.layout, locations=split_names(args.locations or ""),
                   changed_since=parse_since(args.changed_since) if args.changed_since else None,
                   low_stock=args.low_stock, only_low=args.only_low, thresholds=args.thresholds,
                   bom=not args.no_bom, delimiter=args.delimiter)

    def describe(self) -> list[tuple[str, str]]:
        """The filters, as the Summary sheet writes them."""
        return [("Layout", self.layout),
                ("Locations", ", ".join(self.locations) or "all"),
                ("Changed since", self.changed_since.isoformat(sep=" ", timespec="minutes") if self.changed_since else "—"),
                ("Low stock at or below", "—" if self.threshold is None else str(self.threshold)
                 + (" (per-variant thresholds from the previous report)" if self.thresholds else "")),
                ("Only low stock rows", "yes" if self.only_low or self.layout == "low-stock" else "no")]


def split_names(text: str) -> tuple[str, ...]:
    """``"Main Warehouse, Outlet"`` → the names, blanks dropped."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def parse_since(text: str) -> datetime:
    """``2026-11-30`` or ``2026-11-30T14:00`` (local time unless it names a zone)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--changed-since '{text}' is not a date: write it as 2026-11-30 or 2026-11-30T14:00 "
                         "(local time), or with a zone, 2026-11-30T14:00+01:00.") from None
    return when if when.tzinfo else when.astimezone()


@dataclass(slots=True)
class StockLine:
    """One variant × location the store stocks."""

    variant: Variant
    location: Location
    level: Level                      # a whole number, INFINITE or NOT_TRACKED
    committed: int | None = None
    updated: str | None = None
    threshold: int | None = None      # low stock at or below this


@dataclass(slots=True)
class Snapshot:
    store: str                        # the store's URL
    platform: str                     # display name
    taken_at: datetime
    locations: list[Location]
    variants: list[Variant]
    lines: list[StockLine]
    options: ExportOptions
    has_committed: bool = False
    has_updated: bool = False
    has_external_ids: bool = False
    notes: list[str] = field(default_factory=list)


def pick_locations(locations: list[Location], wanted: tuple[str, ...], *, platform: str) -> list[Location]:
    """The store locations ``wanted`` names (by name, folded as the import folds them, or id)."""
    if not wanted:
        return locations
    by_name: dict[str, Location] = {}
    for loc in locations:
        by_name.setdefault(normalise(loc.name), loc)
        by_name.setdefault(normalise(loc.id), loc)
    picked: list[Location] = []
    for name in wanted:
        loc = by_name.get(normalise(name))
        if loc is None:
            known = ", ".join(loc.name for loc in locations)
            raise InputError(f"The {platform} store has no location '{name}' (--locations). Its locations are: "
                             f"{known}. Name them as the store spells them, separated by commas.")
        if loc not in picked:
            picked.append(loc)
    return picked


def read_thresholds(path: Path) -> dict[str, int]:
    """Per-variant thresholds from a previous report's ``Low stock at`` column, by variant id."""
    from desktop_app.core.rows import clean_key
    from desktop_app.sheets.reader import read_sheet

    sheet = read_sheet(path)
    heads = [normalise(h) for h in sheet.headers]
    if normalise(THRESHOLD_HEADER) not in heads or "variant id" not in heads:
        raise InputError(f"{Path(path).name} has no '{THRESHOLD_HEADER}' and 'Variant ID' columns to take "
                         "low-stock thresholds from. Use a report Stocksheet exported with --low-stock.")
    t_col, v_col = heads.index(normalise(THRESHOLD_HEADER)), heads.index("variant id")
    out: dict[str, int] = {}
    for number, cells in sheet.rows:
        vid = clean_key(cells[v_col]) if v_col < len(cells) else None
        value = cells[t_col] if t_col < len(cells) else None
        if vid is None or value is None:
            continue
        if type(value) is not int:
            raise InputError(f"{Path(path).name}, row {number}, column '{THRESHOLD_HEADER}': {value!r} is not a whole "
                             "number. Type a whole number, or clear the cell to use --low-stock.")
        out[vid] = value
    return out


def filters_changes(connector: Connector) -> bool:
    """Whether the store can say which levels changed since a date (``changed_since``)."""
    return getattr(connector, "read_level_details", None) is not None


def gather(connector: Connector, options: ExportOptions, *, progress: ProgressCallback = no_progress) -> Snapshot:
    """Read what the report shows. Raises InputError for a location the store lacks, or
    ``--changed-since`` on a platform that cannot filter by update time (before any stock read)."""
    caps = connector.capabilities
    details_reader = getattr(connector, "read_level_details", None)
    if options.changed_since is not None and details_reader is None:
        raise InputError(f"{caps.display_name} cannot tell which stock levels changed since a date (its API has no "
                         "update-time filter for stock), so --changed-since can't be used with it. Export without "
                         "--changed-since to get every level.")
    thresholds = read_thresholds(options.thresholds) if options.thresholds else {}
    progress(Progress(stage="export", done=0, total=3, message="Loading locations and variants…"))
    locations = pick_locations(patiently(connector.list_locations), options.locations, platform=caps.display_name)
    variants = patiently(connector.list_variants)
    progress(Progress(stage="export", done=1, total=3, message="Reading live stock…"))
    vids, lids = [v.id for v in variants], [loc.id for loc in locations]
    details: dict[tuple[str, str], Any] = {}
    if details_reader is not None:
        details = patiently(lambda: details_reader(vids, lids, updated_since=options.changed_since))
    if options.changed_since is not None:
        live: dict[tuple[str, str], Level] = {pair: d.level for pair, d in details.items()}
    else:
        live = patiently(lambda: connector.read_levels(vids, lids))
    committed_reader = getattr(connector, "read_committed", None)
    committed = (patiently(lambda: committed_reader(vids, lids)) if committed_reader else None) or {}
    threshold = options.threshold
    lines = []
    for v in variants:
        for loc in locations:
            level = live.get((v.id, loc.id))
            if level is None:
                continue  # not stocked there: leaving it out (or blank) keeps it that way on re-import
            detail = details.get((v.id, loc.id))
            lines.append(StockLine(v, loc, level, committed.get((v.id, loc.id)),
                                   detail.updated if detail is not None else None,
                                   thresholds.get(v.id, threshold)))
    return Snapshot(store=connector.url, platform=caps.display_name, taken_at=datetime.now(timezone.utc).astimezone(),
                    locations=locations, variants=variants, lines=lines, options=options,
                    has_committed=bool(committed), has_updated=any(line.updated for line in lines),
                    has_external_ids=any(v.external_id for v in variants))
