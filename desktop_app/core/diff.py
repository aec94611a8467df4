"""Diff: each Target compared with the live level becomes a Change of one ``Kind``.

- SET: ``after`` is the sheet's quantity. ADJUST: ``after = before + delta``; an unstocked
  level counts as 0 and the change binds the variant to the location.
- Kinds: UNCHANGED, INCREASE, DECREASE, BIND (not stocked before, a number after) and STALE
  (the sheet's "seen" level differs from live: kept with ``before`` = live, not written). A
  level already at its target is UNCHANGED whatever the sheet saw: re-opening a sheet just
  applied finds every level at its target, not stale.
- What the platform can't do is an issue: INFINITE where unsupported, adjusting an INFINITE
  level, un-stocking a bound level. Negative levels are legal stock.

As everywhere in the pipeline a sheet row is used whole: a row with an issue yields no Change.
"""
from __future__ import annotations

from typing import Mapping

from desktop_app.core import issues as codes
from desktop_app.core.issues import RowIssue
from desktop_app.core.models import INFINITE, NOT_TRACKED, Capabilities, Change, Kind, Level, Mode, Target
from desktop_app.core.resolve import drop_invalid_rows


def _who(t: Target) -> str:
    v = t.variant
    name = f"SKU '{v.sku}'" if v.sku else f"barcode '{v.barcode}'" if v.barcode else f"variant {v.id}"
    return f"{name} at {t.location.name}"


def _kind(before: Level, after: Level) -> Kind:
    if after == before:
        return Kind.UNCHANGED
    if before is None or before == NOT_TRACKED:      # stocking it there / starting to track it
        return Kind.BIND
    if after == NOT_TRACKED:
        return Kind.DECREASE
    if before == INFINITE:
        return Kind.DECREASE
    if after == INFINITE:
        return Kind.INCREASE
    return Kind.INCREASE if after > before else Kind.DECREASE  # type: ignore[operator]


def diff(targets: list[Target], live: Mapping[tuple[str, str], Level],
         caps: Capabilities) -> tuple[list[Change], list[RowIssue]]:
    """Changes in target (sheet) order and the issues of targets the platform can't apply.

    ``live``: (variant id, location id) → level; a missing pair is not stocked."""
    changes: list[Change] = []
    found: list[RowIssue] = []
    get = live.get
    append = changes.append
    adjust, unchanged, increase, decrease, bind = Mode.ADJUST, Kind.UNCHANGED, Kind.INCREASE, Kind.DECREASE, Kind.BIND
    for t in targets:
        v, loc = t.variant, t.location
        before = get((v.id, loc.id))
        q = t.quantity
        if type(q) is int and (before is None or type(before) is int) and t.seen is None:
            # the hot path: numbers only, no "seen" check
            if t.mode is adjust:
                after, delta = (before or 0) + q, q
            else:
                after, delta = q, None if before is None else q - before
            kind = (bind if before is None else unchanged if after == before else
                    increase if after > before else decrease)
            append(Change(t.row, t.column, v.id, v.product_id, loc.id, v.sku, loc.name, t.mode, before, after, kind,
                          delta, None, v))
            continue
        issue = None
        if t.mode is Mode.ADJUST:
            if before == INFINITE:
                issue = (f"{_who(t)} has infinite stock, which can't be adjusted by {q}.",
                         "Set an absolute level in an Available column instead.")
                after: Level = None
            elif type(q) is not int:
                issue = (f"An adjustment must be a whole number, not '{q}'.", "Enter a change such as +5 or -3.")
                after = None
            else:     # an untracked level starts being tracked at 0 + q
                after = (before if type(before) is int else 0) + q
            delta = q if type(q) is int else None
        else:
            after = q
            if q == INFINITE and not caps.supports_infinite:
                issue = (f"{caps.display_name} has no infinite stock, so {_who(t)} can't be set to INFINITE.",
                         "Enter a number.")
            elif q == NOT_TRACKED and before != NOT_TRACKED:
                issue = (f"Stocksheet can't stop tracking the stock of {_who(t)} (the sheet says 'not tracked', the "
                         f"store has {before}).", "Remove the row, or enter a number.")
            elif q is None and before is not None:
                issue = (f"Stocksheet can't unstock {_who(t)} (the sheet says 'not stocked', the store has "
                         f"{before}).", "Remove the row, or enter a number.")
            delta = after - before if type(after) is int and type(before) is int else None
        if issue is not None:
            found.append(RowIssue(t.row, t.column, codes.UNSUPPORTED, issue[0], issue[1]))
            continue
        if t.seen is not None and t.seen != before and after != before:
            kind = Kind.STALE
        else:  # a level already at its target is unchanged, whatever the sheet saw
            kind = _kind(before, after)
        v = t.variant
        changes.append(Change(row=t.row, column=t.column, variant_id=v.id, product_id=v.product_id,
                              location_id=t.location.id, sku=v.sku, location_name=t.location.name, mode=t.mode,
                              before=before, after=after, kind=kind, delta=delta, seen=t.seen, variant=v))
    return drop_invalid_rows(changes, found), found
