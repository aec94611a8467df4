"""Plan: the changes to write, cut into the platform's write requests.

Only INCREASE, DECREASE and BIND changes are written; UNCHANGED and STALE ones are kept aside
for the report. Chunks hold at most ``caps.max_chunk`` changes (``chunk_by="change"``), or at
most ``caps.max_chunk`` distinct products (``chunk_by="product"``, e.g. Zettle's bulk request),
with each product's changes kept together in the chunk where the product first appears. Order
is the sheet's row order, so the same sheet always gives the same plan (resume relies on it).
Chunk indexes count from 0.
"""
from __future__ import annotations

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
    ordered = sorted(changes, key=lambda c: c.row)  # stable: a wide row keeps its column order
    write = [c for c in ordered if c.kind in WRITTEN]
    size = max(1, caps.max_chunk)
    groups: list[list[Change]] = []
    if caps.chunk_by == "product":
        by_product: dict[str, list[Change]] = {}
        for c in write:
            by_product.setdefault(c.product_id, []).append(c)
        products = list(by_product.values())
        groups = [[c for product in products[i:i + size] for c in product] for i in range(0, len(products), size)]
    else:
        groups = [write[i:i + size] for i in range(0, len(write), size)]
    return Plan(platform=caps.platform,
                chunks=[Chunk(index=i, changes=g, request=_request(caps, g)) for i, g in enumerate(groups)],
                unchanged=[c for c in ordered if c.kind is Kind.UNCHANGED],
                stale=[c for c in ordered if c.kind is Kind.STALE])
