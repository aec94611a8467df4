"""The nouns of Stocksheet: catalogue entries, levels, sheet rows, changes and platform capabilities.

Hot-path records are ``dataclass(slots=True)`` (100k-row sheets); configuration-like objects
use pydantic where validation from JSON matters.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal, TypeAlias

#: Marketplacer's "never sells out" stock. Shown and exported as ``INFINITE``, importable.
INFINITE: Final = "INFINITE"
#: a level whose stock the platform does not track (Zettle: tracking is per product). Not 0:
#: shown and exported as ``not tracked``; a number written to it starts tracking at that number.
NOT_TRACKED: Final = "NOT_TRACKED"
#: how a level is written in sheets, reports and messages
def level_text(level: "Level") -> str:
    return "not tracked" if level == NOT_TRACKED else "not stocked" if level is None else str(level)

#: A stock level: a whole number, ``INFINITE``, or ``None`` for "not stocked at this location"
#: (the variant is not bound to the location).
Level: TypeAlias = int | Literal["INFINITE", "NOT_TRACKED"] | None


class Mode(StrEnum):
    SET = "set"        # the cell is the absolute target level
    ADJUST = "adjust"  # the cell is a delta to add to the live level


class Kind(StrEnum):
    """What a valid row turns into once compared with the live level."""

    UNCHANGED = "unchanged"   # target equals live: no request
    INCREASE = "increase"
    DECREASE = "decrease"
    BIND = "bind"             # variant not yet stocked at that location
    STALE = "stale"           # the sheet's "seen" value differs from live: not written


class KeyKind(StrEnum):
    SKU = "sku"
    BARCODE = "barcode"
    VARIANT_ID = "variant-id"
    EXTERNAL_ID = "external-id"  # Variant.external_id (Marketplacer), survives re-imports


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    #: platform-specific detail (e.g. Zettle's ``STORE``/``BIN``; Marketplacer's seller id)
    kind: str = ""
    default: bool = False


@dataclass(frozen=True, slots=True)
class Variant:
    id: str
    product_id: str
    sku: str | None = None
    barcode: str | None = None
    title: str = ""                # variant title, e.g. "Red / S"
    product: str = ""              # product title, e.g. "Organic T-Shirt"
    #: a key that survives platform re-imports (Marketplacer ``external_id``)
    external_id: str | None = None
    #: platform-specific extra identity (e.g. Shoplazza inventory_item_id, Zettle tracking flag)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can do, read by the planner, the engine and the window."""

    platform: str                 # "genstore", "zettle", ...
    display_name: str
    location_noun: str            # "warehouse", "store", "seller", ...
    can_set: bool                 # has an absolute-set write
    can_adjust: bool              # has a delta write
    single_location: bool         # only one stock-holding location (sheet may omit it)
    max_chunk: int                # changes (or products, see chunk_by) per write request
    chunk_by: Literal["change", "product"] = "change"
    rate_burst: int = 40          # documented bucket size
    rate_per_second: float = 2.0  # documented refill
    max_in_flight: int = 4        # concurrent requests the platform tolerates
    id_format: str = ""           # human description, e.g. "15-digit numeric strings"
    idempotent_writes: bool = True  # may an ambiguous write simply be resent?
    supports_infinite: bool = False
    #: a sheet without a location column means the default location (Marketplacer: own stock,
    #: as opposed to the sellers of multi-store adverts); elsewhere it is ambiguous and refused
    location_optional: bool = False
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class Catalog:
    """Locations and variants of a store, with the lookup indexes the resolver needs."""

    locations: list[Location]
    variants: list[Variant]

    def location_by_id(self) -> dict[str, Location]:
        return {loc.id: loc for loc in self.locations}

    def variant_by_id(self) -> dict[str, Variant]:
        return {v.id: v for v in self.variants}


@dataclass(slots=True)
class RawSheet:
    """A sheet as read from disk: text/number cells, header located, empty rows dropped.

    ``rows`` hold ``(row_number, cells)`` where ``row_number`` is the 1-based row the user sees
    in their spreadsheet program and ``cells`` is a tuple aligned with ``headers``. Cells are
    ``str``, ``int``, ``float`` (non-whole only), ``bool``, ``datetime``/``date``, or ``None``.
    Error cells (``#N/A``) arrive as ``CellError``.
    """

    path: str
    format: str                    # "csv", "tsv", "xlsx", "xlsm", "xls", "ods"
    sheet_name: str | None
    header_row: int                # 1-based row number of the header
    headers: list[str]
    rows: list[tuple[int, tuple[Any, ...]]]
    encoding: str | None = None    # for text formats
    delimiter: str | None = None   # for text formats
    sheet_names: list[str] = field(default_factory=list)
    #: the non-empty rows above the header (titles, notes), as read: the window's raw preview
    above: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CellError:
    """A spreadsheet error value such as ``#N/A`` or ``#REF!``."""

    text: str

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.text


@dataclass(slots=True)
class StockRow:
    """One stock instruction from the sheet: a quantity for a variant at a location.

    A wide sheet row yields several StockRows (one per location column), all with the same
    ``row``. ``column`` is the header of the quantity cell it came from.
    """

    row: int
    column: str
    key: str                       # the identity value as written (after cleaning)
    key_kind: KeyKind
    key_column: str
    location_ref: str | None       # location id or name as written; None = the only location
    location_column: str | None
    mode: Mode
    quantity: int | Literal["INFINITE"] | None  # None: "not stocked" (Shopify) target
    seen: int | None = None        # the level the user saw (Shopify "On hand (current)")
    alt_keys: dict[KeyKind, str] = field(default_factory=dict)  # other identity cells on the row


@dataclass(slots=True)
class Target:
    """A StockRow resolved against the catalogue."""

    row: int
    column: str
    variant: Variant
    location: Location
    mode: Mode
    quantity: int | Literal["INFINITE"] | None
    seen: int | None = None
    repaired: str | None = None    # how an Excel-damaged key was repaired, for the report


@dataclass(slots=True)
class Change:
    """A Target compared with the live level."""

    row: int
    column: str
    variant_id: str
    product_id: str
    location_id: str
    sku: str | None
    location_name: str
    mode: Mode
    before: Level
    after: Level
    kind: Kind
    delta: int | None              # after - before when both are numbers; the sheet's delta for adjust
    seen: int | None = None
    variant: Variant | None = None  # for connectors needing platform extras


@dataclass(slots=True)
class Chunk:
    """One write request's worth of changes, as the platform offers it."""

    index: int
    changes: list[Change]
    request: str = ""              # human description, e.g. "PUT /inventory/{id}"


@dataclass(slots=True)
class Plan:
    platform: str
    chunks: list[Chunk]
    unchanged: list[Change]
    stale: list[Change]

    @property
    def changes(self) -> list[Change]:
        return [c for ch in self.chunks for c in ch.changes]

    @property
    def requests(self) -> int:
        return len(self.chunks)
