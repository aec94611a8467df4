"""Plan: the changes to write, cut into the platform's write requests.

Only INCREASE, DECREASE and BIND changes are written; UNCHANGED and STALE ones are kept aside
for the report. Chunks hold at most ``caps.max_chunk`` changes (``chunk_by="change"``), or at
most ``caps.max_chunk`` distinct products (``chunk_by="product"``, e.g. Zettle's bulk request),
with each product's changes kept together in the chunk where the product first appears. Order
is the sheet's row order, so the same sheet always gives the same plan (resume relies on it).
Chunk indexes count from 0.
"""
from __future__ import annotations

from operator import attrgetter

from desktop_app.core.models import Capabilities, Change, Chunk, Kind, Plan

WRITTEN = frozenset({Kind.INCREASE, Kind.DECREASE, Kind.BIND})


def _request(caps: Capabilities, changes: list[Change]) -> str:
    n = len(changes)
    text = f"{caps.platform} write of {n} change{'s' if n != 1 else ''}"
    if caps.chunk_by == "product":
        products = len({c.product_id for c in changes})
        text += f" ({products} product{'s' if products != 1 else ''})"
    return text


def make_plan(changes: list[Change], caps: Capabilities) -> Plan:
    ordered = sorted(changes, key=attrgetter("row"))  # stable: a wide row keeps its column order
    write: list[Change] = []
    unchanged: list[Change] = []
    stale: list[Change] = []
    increase, decrease, bind = Kind.INCREASE, Kind.DECREASE, Kind.BIND
    for c in ordered:  # kinds compared with ``is``: a StrEnum's hash is a Python call
        kind = c.kind
        if kind is increase or kind is decrease or kind is bind:
            write.append(c)
        elif kind is Kind.UNCHANGED:
            unchanged.append(c)
        elif kind is Kind.STALE:
            stale.append(c)
    size = max(1, caps.max_chunk)
    if caps.chunk_by == "product":
        by_product: dict[str, list[Change]] = {}
        for c in write:
            by_product.setdefault(c.product_id, []).append(c)
        products = list(by_product.values())
        groups = [[c for product in products[i:i + size] for c in product] for i in range(0, len(products), size)]
        chunks = [Chunk(i, g, _request(caps, g)) for i, g in enumerate(groups)]
    else:
        groups = [[c] for c in write] if size == 1 else [write[i:i + size] for i in range(0, len(write), size)]
        # every chunk but the last holds ``size`` changes and a text depends only on the length:
        # compose the (at most two) texts once, not once per chunk (100k chunks at one change each)
        texts = {len(g): _request(caps, g) for g in groups[:1] + groups[-1:]}
        chunks = [Chunk(i, g, texts[len(g)]) for i, g in enumerate(groups)]
    return Plan(platform=caps.platform, chunks=chunks, unchanged=unchanged, stale=stale)
