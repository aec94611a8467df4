"""Guards against the disasters of the field, checked on a preview before anything is written.

An empty or truncated supplier file, a column of zeros, a sheet for another store: each looks
like a valid import and would empty a store. ``check(preview, limits)`` measures the plan and
returns the guards it trips, each with its numbers; the CLI import, the window's confirmation
and the feeds all call it, and a tripped guard means nothing is written unless the person
allows it (``--allow-mass-change``, the confirmation's red check box, a feed's "Apply anyway").

Guards (``Tripped.guard``):

- ``no-data-rows``   the sheet has a header and no data rows (or nothing at all);
- ``zero-share``     more than ``max_zero_share`` of the stocked levels the sheet names would go to 0
                     (or below);
- ``drop-share``     more than ``max_drop_share`` of them would go down by more than half;
- ``row-count``      (feeds) fewer rows than ``min_rows_share`` of the feed's usual size;
- ``unknown-share``  (feeds) more than ``max_unknown_share`` of the rows name a SKU the store lacks.

The share guards count only when the sheet names at least ``min_levels`` stocked levels: two
rows that zero two levels are an ordinary correction, not a disaster. The functions here are
pure (no I/O): a preview in, numbers out.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import InputError
from desktop_app.core.issues import VARIANT_NOT_FOUND
from desktop_app.core.models import Kind
from desktop_app.core.words import plural
from desktop_app.engine.sheet_choice import no_rows_notice

if TYPE_CHECKING:
    from desktop_app.engine.prepare import Preview

NO_DATA_ROWS, ZERO_SHARE, DROP_SHARE = "no-data-rows", "zero-share", "drop-share"
ROW_COUNT, UNKNOWN_SHARE = "row-count", "unknown-share"

#: the documented defaults (README: "Guards")
DEFAULT_MAX_ZERO_SHARE = 0.25
DEFAULT_MAX_DROP_SHARE = 0.5
DEFAULT_MIN_LEVELS = 10
DEFAULT_MIN_ROWS_SHARE = 0.5
DEFAULT_MAX_UNKNOWN_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class GuardLimits:
    max_zero_share: float = DEFAULT_MAX_ZERO_SHARE
    max_drop_share: float = DEFAULT_MAX_DROP_SHARE
    min_levels: int = DEFAULT_MIN_LEVELS
    allow_mass_change: bool = False          # the share guards are measured and said, but do not stop the run
    #: feed-only guards (None: not checked)
    min_rows_share: float | None = None
    max_unknown_share: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_zero_share", "max_drop_share", "min_rows_share", "max_unknown_share"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise InputError(f"The guard limit {name.replace('_', '-')} must be a share between 0 and 1 "
                                 f"(e.g. 0.25 or 25%), not {value}.")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "GuardLimits":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Tripped:
    guard: str
    message: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"guard": self.guard, "message": self.message, **self.numbers}


class GuardTrippedError(InputError):
    """Raised where a caller wants an exception rather than the list (feeds' reports use the list)."""

    def __init__(self, tripped: list[Tripped]) -> None:
        self.tripped = tripped
        super().__init__(describe(tripped))


def parse_share(text: str) -> float:
    """``0.25``, ``25%`` or ``25 %`` → 0.25; a clear sentence otherwise."""
    raw = str(text).strip()
    try:
        value = float(raw.rstrip("%").strip()) / (100 if raw.endswith("%") else 1)
    except ValueError:
        raise InputError(f"'{text}' is not a share: write it as 0.25 or 25%.") from None
    if not 0.0 <= value <= 1.0:
        raise InputError(f"'{text}' is not a share between 0 and 1 (0% and 100%).")
    return value


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%" if x * 100 == round(x * 100) or x >= 0.1 else f"{x * 100:.1f}%"


def measure(preview: "Preview") -> dict[str, int]:
    """The counts the guards look at: data rows, stocked levels named, going to zero, dropping by
    more than half, rows naming a variant the store lacks."""
    stocked = zero = drop = 0
    increase, decrease, bind = Kind.INCREASE, Kind.DECREASE, Kind.BIND   # ``is``: a StrEnum's hash is a Python call
    for c in preview.changes:
        before = c.before
        if type(before) is not int or before <= 0:
            continue
        stocked += 1
        after, kind = c.after, c.kind
        if type(after) is not int or not (kind is decrease or kind is increase or kind is bind):
            continue
        if after <= 0:
            zero += 1
        if after * 2 < before:
            drop += 1
    unknown = len({i.row for i in preview.issues if i.code == VARIANT_NOT_FOUND})
    return {"rows": len(preview.sheet.rows), "stocked": stocked, "to_zero": zero, "halved": drop,
            "unknown": unknown}


def check(preview: "Preview", limits: GuardLimits | None = None, *, usual_rows: int | None = None) -> list[Tripped]:
    """The guards ``preview`` trips under ``limits`` (empty: safe to write). ``usual_rows``: the
    feed's usual number of data rows, for the ``row-count`` guard."""
    limits = limits or GuardLimits()
    n = measure(preview)
    name = preview.sheet.path or "The sheet"
    if n["rows"] == 0:
        return [Tripped(NO_DATA_ROWS, no_rows_notice(preview.sheet), {"rows": 0})]
    tripped: list[Tripped] = []
    if limits.min_rows_share is not None and usual_rows:
        floor = limits.min_rows_share * usual_rows
        if n["rows"] < floor:
            tripped.append(Tripped(ROW_COUNT, f"{name} has {plural(n['rows'], 'data row')}, fewer than "
                                   f"{_pct(limits.min_rows_share)} of this feed's usual {usual_rows:,}: a truncated "
                                   "file?", {"rows": n["rows"], "usual_rows": usual_rows,
                                             "limit": limits.min_rows_share}))
    if limits.max_unknown_share is not None and n["unknown"]:
        share = n["unknown"] / n["rows"]
        if share > limits.max_unknown_share:
            tripped.append(Tripped(UNKNOWN_SHARE, f"{n['unknown']:,} of {plural(n['rows'], 'row')} ({_pct(share)}) name a "
                                   f"variant the store does not have, more than the limit of "
                                   f"{_pct(limits.max_unknown_share)}: a sheet for another store, or another key "
                                   "column?", {"unknown": n["unknown"], "rows": n["rows"], "share": round(share, 4),
                                               "limit": limits.max_unknown_share}))
    if limits.allow_mass_change or n["stocked"] < max(1, limits.min_levels):
        return tripped
    for guard, count, limit, what in ((ZERO_SHARE, n["to_zero"], limits.max_zero_share, "would go to 0"),
                                      (DROP_SHARE, n["halved"], limits.max_drop_share,
                                       "would go down by more than half")):
        share = count / n["stocked"]
        if share > limit:
            flag = "--max-zero-share" if guard == ZERO_SHARE else "--max-drop-share"
            tripped.append(Tripped(guard, f"{count:,} of the {n['stocked']:,} stocked levels the sheet names "
                                   f"({_pct(share)}) {what}, more than the limit of {_pct(limit)}. If you mean it, "
                                   f"allow it (--allow-mass-change, or raise {flag}).",
                                   {"levels": count, "stocked": n["stocked"], "share": round(share, 4),
                                    "limit": limit}))
    return tripped


def describe(tripped: list[Tripped]) -> str:
    """One paragraph for the user: which guards and their numbers, and that nothing was written."""
    if not tripped:
        return ""
    return "Stopped before writing anything: " + " ".join(t.message for t in tripped)


__all__ = ["GuardLimits", "Tripped", "GuardTrippedError", "check", "measure", "describe", "parse_share",
           "NO_DATA_ROWS", "ZERO_SHARE", "DROP_SHARE", "ROW_COUNT", "UNKNOWN_SHARE"]
