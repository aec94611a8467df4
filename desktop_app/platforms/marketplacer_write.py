"""Marketplacer's writes: a chunk's own-stock bulk maps and per-variant seller inventories, and
the halving that isolates the changes a 404/422 rejects (the write rules are in
``platforms.marketplacer``'s docstring). May import: core, httpx, ``platforms.base``,
``platforms.marketplacer_api``."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

import httpx

from desktop_app.core.issues import PLATFORM_REJECTED, UNSUPPORTED
from desktop_app.core.models import INFINITE, Change, Chunk, Level
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.marketplacer_api import API, JSONAPI, OWN_STOCK, SELLER_PREFIX, inventory_level

if TYPE_CHECKING:
    from desktop_app.platforms.marketplacer import MarketplacerConnector


class ChunkWrite:
    """One chunk's write requests through ``connector`` (its HTTP client, renumbered ids, the
    multi-store flags it learnt and its count of writes)."""

    def __init__(self, connector: MarketplacerConnector) -> None:
        self.conn = connector

    def run(self, chunk: Chunk) -> list[ChangeOutcome]:
        outcomes: dict[int, ChangeOutcome] = {}
        own: list[tuple[int, Change]] = []
        by_variant: dict[str, list[tuple[int, Change]]] = {}
        for i, change in enumerate(chunk.changes):
            refusal = self._refusal(change)
            if refusal:
                outcomes[i] = ChangeOutcome(change, ok=False, code=UNSUPPORTED, error=refusal)
            elif change.location_id == OWN_STOCK:
                own.append((i, change))
            else:
                by_variant.setdefault(change.variant_id, []).append((i, change))
        # One bulk map cannot name a variant twice: a repeated variant goes into a later round.
        while own:
            seen: set[str] = set()
            this_round, later = [], []
            for item in own:
                (later if item[1].variant_id in seen else this_round).append(item)
                seen.add(item[1].variant_id)
            for i, outcome in self._split(this_round, self._bulk_write):
                outcomes[i] = outcome
            own = later
        for items in by_variant.values():
            for i, outcome in self._split(items, self._seller_write):
                outcomes[i] = outcome
        return [outcomes[i] for i in range(len(chunk.changes))]

    def _refusal(self, change: Change) -> str:
        where = f"'{change.sku or change.variant_id}' at {change.location_name}"
        if change.location_id == OWN_STOCK:
            if change.after is None:
                return (f"Marketplacer cannot mark {where} as not stocked; "
                        "set 0 instead to show it as out of stock.")
        elif not change.location_id.startswith(SELLER_PREFIX):
            return f"Marketplacer has no location '{change.location_id}' for {where}."
        return ""

    def _split(self, items: list[tuple[int, Change]],
               write: Callable[[list[tuple[int, Change]]], tuple[httpx.Response, dict[int, Level]]],
               ) -> list[tuple[int, ChangeOutcome]]:
        """Write ``items``; on 404/422 bisect until each rejected change is isolated."""
        response, after = write(items)
        if response.status_code in (200, 201, 204):
            return [(i, ChangeOutcome(c, ok=True, level_after=after.get(i, c.after))) for i, c in items]
        if response.status_code in (404, 422) and len(items) > 1:
            half = len(items) // 2
            return self._split(items[:half], write) + self._split(items[half:], write)
        if response.status_code in (404, 422) and self.conn._heal(items[0][1]):
            return self._split(items, write)
        return [(i, ChangeOutcome(c, ok=False, code=PLATFORM_REJECTED, error=self._rejection(response, c)))
                for i, c in items]

    def _rejection(self, response: httpx.Response, change: Change) -> str:
        """The platform's refusal of one change as a sentence, also when its answer has no body."""
        status = response.status_code
        if response.content.strip():
            message = self.conn.http.describe_error(response).rstrip(".")
            return f"Marketplacer rejected the change ({status}): {message}."
        where = f"'{change.sku or change.variant_id}' at {change.location_name or change.location_id}"
        if change.location_id != OWN_STOCK and self.conn._multi.get(change.variant_id) is False:
            return (f"Marketplacer rejected the change ({status}) of {where}: the variant is on a single-seller "
                    "advert, so only its own stock can be set (leave the Location empty or use 'Own stock').")
        return (f"Marketplacer rejected the change ({status}) of {where} without saying why; check the value and "
                "that the variant still exists in Marketplacer, then import the error report again.")

    def _bulk_write(self, items: list[tuple[int, Change]]) -> tuple[httpx.Response, dict[int, Level]]:
        body = {"count_on_hand": {self.conn._current(c.variant_id): c.after for _, c in items}}
        return self._send("POST", f"{API}/variants/stock_on_hand", body), {}

    def _seller_write(self, items: list[tuple[int, Change]]) -> tuple[httpx.Response, dict[int, Level]]:
        http, variant = self.conn.http, self.conn._current(items[0][1].variant_id)
        rows, removals = [], []
        for i, c in items:
            seller = seller_id(c.location_id)
            if c.after is None:
                removals.append((i, seller))
            elif c.after == INFINITE:
                rows.append({"type": "inventories", "attributes": {"seller_id": seller, "infinite": True}})
            else:
                rows.append({"type": "inventories",
                             "attributes": {"seller_id": seller, "count_on_hand": c.after, "infinite": False}})
        after: dict[int, Level] = {}
        response = None
        if rows:
            response = self._send("PUT", f"{API}/variants/{variant}/inventories", {"data": rows})
            if response.status_code != 200:
                return response, {}
            records = {a.get("seller_id"): a for a in (item.get("attributes") or {} for item in http.data(response))}
            for i, c in items:
                record = records.get(seller_id(c.location_id))
                if c.after is not None:
                    after[i] = inventory_level(record) if record else None
        if removals:
            listing = http.request("GET", f"{API}/variants/{variant}/inventories", headers={"Accept": JSONAPI})
            if listing.status_code != 200:
                return listing, {}
            ids = {(item.get("attributes") or {}).get("seller_id"): item["id"] for item in http.data(listing)}
            for i, seller in removals:
                if seller in ids:
                    self.conn._wrote()
                    response = http.request("DELETE", f"{API}/variants/{variant}/inventories/{ids[seller]}",
                                            write=True, headers={"Accept": JSONAPI})
                    if response.status_code not in (200, 204):
                        return response, {}
                after[i] = None
            response = response or listing
        return response, after

    def _send(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        self.conn._wrote()
        return self.conn.http.request(method, path, write=True, content=json.dumps(body).encode("utf-8"),
                                      headers={"Content-Type": JSONAPI, "Accept": JSONAPI})


def seller_id(location_id: str) -> int | str:
    raw = location_id.removeprefix(SELLER_PREFIX)
    return int(raw) if raw.isdigit() else raw
