"""Re-basing planned changes on the live levels read right before they are written.

Pure functions over ``core`` models (no I/O), used by the executor:

* ``rebase`` — the concurrent-sale rule. A level still equal to what the preview saw is written
  as planned. One that moved (a sale, a warehouse count): a *set* row is not overwritten — it
  becomes stale, reported with both values — unless the user forces stale rows; an *adjust* row
  is still applied as the same delta on top of the new level.
* ``remainder`` — the ambiguous-write rule. A write went out and no answer came back; the live
  level now shows how much of it landed. What is still missing towards the same target is sent
  again, never the whole write (Zettle movements and Shoplazza's adding ``set`` would double).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from desktop_app.core.models import NOT_TRACKED, Change, Kind, Level, Mode, level_text
from desktop_app.core.results import Status


@dataclass(frozen=True, slots=True)
class Verdict:
    """A change that needs no write after the re-read."""

    status: Status
    code: str
    message: str
    level: Level


def kind_of(before: Level, after: Level) -> Kind:
    if after == before:
        return Kind.UNCHANGED
    if before is None or before == NOT_TRACKED:
        return Kind.BIND
    if isinstance(before, int) and isinstance(after, int):
        return Kind.INCREASE if after > before else Kind.DECREASE
    return Kind.INCREASE


def towards(c: Change, *, live: Level, target: Level) -> Change:
    """``c`` rewritten to go from ``live`` to ``target``."""
    delta = target - live if isinstance(target, int) and isinstance(live, int) else c.delta
    return replace(c, before=live, after=target, delta=delta, kind=kind_of(live, target))


def rebase(c: Change, live: Level, *, force: bool) -> Change | Verdict:
    """The change to write now that the level reads ``live``, or why none is written."""
    name = f"{c.sku or c.variant_id} at {c.location_name or c.location_id}"
    if live == c.before:
        return c
    if live is None and c.before is not None:
        # stocked in the preview, unreadable now: the variant was deleted or renumbered, never "0"
        return Verdict(Status.FAILED, "level-gone", f"{name} read {level_text(c.before)} in the preview but could not "
                       "be read again (deleted, or re-imported without its external id?), so nothing was written. "
                       "Export the stock again and re-import the sheet.", None)
    if c.mode is Mode.ADJUST:
        delta = c.after - c.before if isinstance(c.after, int) and isinstance(c.before, int) else c.delta
        if (live is None or live == NOT_TRACKED) and isinstance(delta, int):
            live_number = 0
        elif isinstance(live, int) and isinstance(delta, int):
            live_number = live
        else:
            return Verdict(Status.FAILED, "cannot-adjust", f"The level of {name} is now {live}; an adjustment of "
                           f"{delta} cannot be added to it. Set the level with an absolute quantity instead.", live)
        return towards(c, live=live, target=live_number + delta)
    if live == c.after:
        return Verdict(Status.UNCHANGED, "already-there", f"The level of {name} already reads {live}, the target "
                       "(changed by someone else since the preview): nothing to write.", live)
    if not force:
        return Verdict(Status.STALE, "stale", f"The level of {name} changed since the preview: it was {level_text(c.before)}, "
                       f"it is now {level_text(live)} (a sale?). {level_text(c.after)} was not written over it.", live)
    return towards(c, live=live, target=c.after)


def remainder(c: Change, *, live: Level, target: Level) -> Change | None:
    """What is still missing after an unanswered write aimed at ``target``; None when it landed."""
    if live == target:
        return None
    return towards(c, live=live, target=target)
