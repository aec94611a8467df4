"""Reading levels at the least cost: which ``read_levels`` calls cover a set of levels.

A connector's ``read_levels(variants, locations)`` reads the cross product; the levels the
engine needs (a preview's targets, a chunk before writing, writes to verify) are pairs. One
read of every variant × every location is cheapest when the pairs fill the product; when they
do not — 200 rows of own stock and one at a Marketplacer seller, whose stock is read one
variant at a time — one read per location is. Connectors only estimate ``read_cost``; the
choice is made here, once, for the preview, the executor and the verifier alike.
"""
from __future__ import annotations

from typing import Callable, Iterable

from desktop_app.core.models import Change, Level
from desktop_app.platforms.base import Connector

Key = tuple[str, str]
Read = tuple[list[str], list[str]]          # (variant ids, location ids) of one read_levels call


def read_cost(connector: Connector, variants: int, locations: int) -> int:
    """Requests ``read_levels`` needs for that many variants × locations, as the connector
    estimates it; without an estimate, one per variant (so only end-of-run reads are batched)."""
    estimate = getattr(connector, "read_cost", None)
    if variants <= 0:
        return 0
    return int(estimate(variants, locations)) if estimate is not None else variants


def pairs_of(changes: Iterable[Change]) -> list[Key]:
    return [(c.variant_id, c.location_id) for c in changes]


def plan_reads(connector: Connector, pairs: Iterable[Key]) -> list[Read]:
    """The reads that cover ``pairs`` at the least estimated cost: one over the whole product,
    or one per location when that costs less."""
    by_location: dict[str, dict[str, None]] = {}
    for variant, location in pairs:
        by_location.setdefault(location, {})[variant] = None
    if not by_location:
        return []
    variants = list(dict.fromkeys(v for vs in by_location.values() for v in vs))
    whole: Read = (variants, list(by_location))
    if len(by_location) == 1:
        return [whole]
    split: list[Read] = [(list(vs), [loc]) for loc, vs in by_location.items()]
    if sum(read_cost(connector, len(v), 1) for v, _ in split) < read_cost(connector, len(variants), len(by_location)):
        return split
    return [whole]


def cost(connector: Connector, pairs: Iterable[Key]) -> int:
    """Estimated requests of the cheapest reads covering ``pairs``."""
    return sum(read_cost(connector, len(v), len(l)) for v, l in plan_reads(connector, pairs))


def read_pairs(connector: Connector, pairs: Iterable[Key],
               call: Callable[[Callable[[], dict[Key, Level]]], dict[Key, Level]] = lambda read: read()
               ) -> dict[Key, Level]:
    """The live levels of ``pairs`` (absent: not stocked), read the cheapest way; ``call`` wraps
    each read (retrying on a gate, patiently for a preview)."""
    live: dict[Key, Level] = {}
    for variants, locations in plan_reads(connector, pairs):
        live.update(call(lambda v=variants, l=locations: connector.read_levels(v, l)))
    return live


__all__ = ["Key", "cost", "pairs_of", "plan_reads", "read_cost", "read_pairs"]
