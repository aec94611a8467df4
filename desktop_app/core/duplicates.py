"""The same variant × location asked for more than once: never resolved silently.

- ``error`` (default): every such row is invalid, naming the other rows;
- ``last``: the last one (sheet order) wins; earlier ones get a ``duplicate-superseded`` notice;
- ``sum``: adjustments add up into the last row; earlier ones get a ``duplicate-merged``
  notice. Set rows can't be added up, so with any set row the group is invalid as with ``error``.

Notices (``issues.NOTICES``) are not invalid rows: the named row carries their outcome.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from desktop_app.core import issues as codes
from desktop_app.core.issues import RowIssue
from desktop_app.core.models import Mode, Target

if TYPE_CHECKING:
    from desktop_app.core.resolve import DuplicatePolicy


def _what(t: Target) -> str:
    v = t.variant
    who = f"SKU '{v.sku}'" if v.sku else f"barcode '{v.barcode}'" if v.barcode else f"variant {v.id}"
    return f"{who} at {t.location.name}"


#: beyond this many other rows, a duplicate's message counts them and names the first few
LISTED = 5


def _where(t: Target, others: list[Target]) -> str:
    rows = [f"column '{o.column}' of this row" if o.row == t.row else str(o.row) for o in others]
    numbers = [r for r in rows if r.isdigit()]
    words = [r for r in rows if not r.isdigit()]
    parts = []
    if numbers:
        listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
        parts.append(("row " if len(numbers) == 1 else "rows ") + listed)
    parts += words
    return " and ".join(parts)


def _wheres(members: list[Target]) -> list[str]:
    """For each member, where the others are. A large group (10,000 copies of one row) is said
    in constant space per row — "9,999 other rows (first: 2, 3, 4 …)" — so the messages and the
    report grow linearly with the sheet, not with its square."""
    if len(members) <= LISTED + 1:
        return [_where(t, [o for o in members if o is not t]) for t in members]
    head = list(dict.fromkeys(o.row for o in members[:4]))
    others = len(members) - 1
    return [f"{others:,} other rows (first: {', '.join(str(r) for r in head if r != t.row)} …)"
            if t.row in head else f"{others:,} other rows (first: {', '.join(str(r) for r in head[:3])} …)"
            for t in members]


def settle_duplicates(targets: list[Target], policy: "DuplicatePolicy") -> tuple[list[Target], list[RowIssue]]:
    """Targets with duplicates settled per ``policy`` (sheet order kept), and the issues."""
    pairs = [(t.variant.id, t.location.id) for t in targets]
    if len(set(pairs)) == len(pairs):
        return targets, []  # the usual sheet: nothing to settle
    first: dict[tuple[str, str], int] = {}
    groups: dict[tuple[str, str], list[int]] = {}
    for i, pair in enumerate(pairs):
        j = first.get(pair)
        if j is None:
            first[pair] = i
        else:
            groups.setdefault(pair, [j]).append(i)
    found: list[RowIssue] = []
    removed: set[int] = set()
    merged: dict[int, Target] = {}
    for idxs in groups.values():
        members = [targets[i] for i in idxs]
        last = members[-1]
        if policy == "last":
            for t in members[:-1]:
                found.append(RowIssue(t.row, t.column, codes.DUPLICATE_SUPERSEDED,
                                      f"{_what(t)} is also in {_where(t, [last])}, which replaces this one "
                                      "(duplicates: the last row wins).", ""))
            removed.update(idxs[:-1])
        elif policy == "sum" and all(t.mode is Mode.ADJUST for t in members):
            total = sum(t.quantity for t in members)  # type: ignore[misc]  # adjust quantities are ints
            for t in members[:-1]:
                found.append(RowIssue(t.row, t.column, codes.DUPLICATE_MERGED,
                                      f"{_what(t)}: this change ({t.quantity:+d}) is added to the one in "
                                      f"{_where(t, [last])}, {total:+d} in all (duplicates: sum).", ""))
            removed.update(idxs[:-1])
            merged[idxs[-1]] = replace(last, quantity=total)
        else:
            if policy == "sum":
                hint = "Set rows can't be added up: keep one row, or import with --duplicates last."
            else:
                hint = ("Keep one row per variant and location, or import with --duplicates last (the last row "
                        "wins) or --duplicates sum (adjustments add up).")
            for t, where in zip(members, _wheres(members)):
                found.append(RowIssue(t.row, t.column, codes.DUPLICATE, f"{_what(t)} is also in {where}.", hint))
            removed.update(idxs)
    out = [merged.get(i, t) for i, t in enumerate(targets) if i not in removed]
    return out, found
