"""Shoplazza (OpenAPI 2026-01) connector.

Wire facts it lives with (platforms.md §4):

* Base ``{store}/openapi/2026-01``; the token goes in ``Access-Token`` (not ``Authorization``).
  Success is ``{"code":"Success","data":…}``, compared case-insensitively (2025-06 says
  ``"success"``). Errors are ``{"code","message"}`` or ``{"error":…}``.
* Location and inventory-item ids are 64-bit integers above 2**53. Python's ``json`` reads JSON
  integers exactly, so a bare ``604253696473177059`` survives; ids are kept as decimal
  **strings** everywhere and always sent as strings. An id that arrives as a float has already
  been rounded by someone and is refused as a protocol error.
* Lists page by cursor with a default of 10 rows: we always ask for ``page_size`` (``per_page``
  on ``/products``) 250 and follow the ``cursor`` until it is empty, whatever ``has_more`` says:
  the 2026-01 ``/products`` answer has no ``has_more``, others answer ``null`` at the end. A
  cursor that comes back with an empty page and no ``has_more: true`` ends the listing too.
  Unknown query parameters are silently ignored by the store, so every filtered read drops rows
  that do not match what was asked for. Array parameters repeat the key.
* Deactivated locations (``active: false``) are still listed by the store; they are not offered.
* 429s are waited out by the shared ``HttpClient`` (``RetryPolicy``; ``Retry-After`` when sent).

Write semantics — the trap. The seed doc says ``POST /inventory_levels/set`` is absolute; live
stores (Shoplazza's own CLI) ADD ``stock`` and silently ignore ``stock: 0``, and refuse
``PUT /inventory_levels`` adjustments ``<= 0`` (422 in the CLI's fixture; 400 is as plausible).
A write's answer may be an echo of what was sent, so nothing is ever learnt from it: where the
connector must decide, it reads the level (``GET /inventory_levels``). ``set`` is never used —
every write below means the same under both behaviours, or is refused without writing anything:

* Increases: ``PUT /inventory_levels`` with the positive delta.
* Decreases: a negative ``PUT`` adjustment. A store that takes it lowers the level (the absolute
  behaviour); one that refuses it (400/422, not ``insufficient_stock``) wrote nothing, which a
  read of the level confirms before the behaviour is learnt (a refusal while the level is not
  connected is the row's problem, not a behaviour). The first decrease is the probe; the answer
  is remembered, and a refusal later (the store changed behaviour mid-run) re-teaches it.
* On an adding store decreases go another way, absolute in effect: at the default location
  ``PUT /variants/{id}`` ``inventory_quantity`` (with the variant's current ``price``, read just
  before, as the schema requires; ``0`` switches tracking off, which we switch back on); anywhere
  else the documented disconnect + connect + add: ``DELETE /inventory_levels`` (the level is gone),
  ``POST /inventory_levels`` (connected again), a read of the level (0), then a positive ``PUT``.
  ``write_path`` says so for the preview. Only a store that refuses one of these fails the row.
* Binding (a level not connected yet): ``POST /inventory_levels``, a read, then as above.

A write's answer is still checked: a level it shows that is not the target makes the outcome not
ok. Verification proper (reading every written level back) is the engine's, through ``read_levels``.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Literal

import httpx

from desktop_app.core import issues
from desktop_app.core.errors import ProtocolError
from desktop_app.core.models import INFINITE, NOT_TRACKED, Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.base import ChangeOutcome, LevelDetail
from desktop_app.platforms.http import HttpClient, RetryPolicy, check_url
from desktop_app.platforms.shoplazza_write import LevelWrite, describe_error, failed_outcome, level_name, stock_of

API = "/openapi/2026-01"
ID_BATCH = 100              # ids per filtered GET (repeated keys keep URLs well under 8 KB)
#: variants of unknown tracking learnt one GET each; more are learnt by one products listing
TRACKING_SINGLE_READS = 4

CAPABILITIES = Capabilities(
    platform="shoplazza", display_name="Shoplazza", location_noun="location", can_set=True, can_adjust=True,
    single_location=False, max_chunk=1, rate_burst=40, rate_per_second=2.0, max_in_flight=2,
    id_format="64-bit integers (sent as strings)", idempotent_writes=False,
    notes=("Live Shoplazza stores add on 'set'; away from the default location Stocksheet lowers a level by "
           "disconnecting and reconnecting the item there, then adding the target.",))

def _id(value: Any, what: str) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise ProtocolError(f"Shoplazza sent {what} {value!r}, which is not an exact id; cannot use it safely.")
    return str(value)


def _active(location: dict[str, Any]) -> bool:
    """False for a deactivated location (``active: false``, or a ``status`` saying disabled)."""
    status = location.get("status")
    return location.get("active") is not False and str(status).lower() not in ("2", "disabled", "inactive", "deactivated")


class ShoplazzaConnector:
    capabilities = CAPABILITIES
    #: filter parameter names; a misspelling here would be ignored by the store (tests prove the guard)
    ITEM_FILTER = "inventory_item_ids"
    LOCATION_FILTER = "location_ids"
    UPDATED_FILTER = "updated_at_min"

    def __init__(self, url: str, token: str, *, page_size: int = 250, transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None, cancel: CancelToken | None = None) -> None:
        self.page_size = max(1, min(int(page_size), 250))
        self.url = check_url(url).removesuffix(API)       # a pasted API root works too
        self.http = HttpClient(self.url + API, platform="Shoplazza", auth_headers={"Access-Token": token},
                               describe_error=describe_error, transport=transport, retry=retry, cancel=cancel)
        self._items: dict[str, str] = {}               # variant id → inventory_item_id
        self._tracked: dict[str, bool | None] = {}     # variant id → inventory tracking is on (None: unknown)
        self._default_location: str | None = None
        self._lock = threading.Lock()
        #: None until a decrease and a read tell: "absolute" (the store lowers a level by a negative
        #: adjustment, as documented) or "adding" (it refuses that: the live behaviour)
        self.semantics: Literal["absolute", "adding"] | None = None

    # ---- transport --------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, write=write, **kwargs)

    def _data(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = json.loads(response.text)      # JSON integers stay exact in Python
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProtocolError(f"The Shoplazza store answered {response.request.url.path} with something that is not JSON.") from exc
        if not isinstance(body, dict) or str(body.get("code", "")).lower() != "success":
            raise ProtocolError(f"The Shoplazza store answered {response.request.url.path} without a Success code "
                                f"({response.status_code}: {describe_error(response)}).")
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def _get(self, path: str, params: list[tuple[str, str]]) -> dict[str, Any]:
        response = self._send("GET", path, params=params)
        if response.status_code != 200:
            raise ProtocolError(f"The Shoplazza store refused GET {path} ({response.status_code}: {describe_error(response)}).",
                                status=response.status_code)
        return self._data(response)

    def _pages(self, path: str, key: str, params: list[tuple[str, str]], *, size_param: str = "page_size") -> Iterator[dict[str, Any]]:
        cursor, seen = "", set()
        while True:
            query = [(size_param, str(self.page_size)), *params] + ([("cursor", cursor)] if cursor else [])
            data = self._get(path, query)
            rows = data.get(key) or []
            yield from rows
            cursor = str(data.get("cursor") or "")
            if not cursor:                       # the end, whatever has_more says (absent on /products)
                return
            if not rows and data.get("has_more") is not True:   # a cursor past the last row
                return
            if cursor in seen:
                raise ProtocolError(f"The Shoplazza store repeated a page cursor on {path}; stopping instead of looping.")
            seen.add(cursor)

    # ---- reads ------------------------------------------------------------------------------
    def list_locations(self) -> list[Location]:
        """The active locations: a deactivated one is still listed by the store but is no target."""
        locations = [Location(id=_id(loc.get("id"), "a location id"), name=str(loc.get("name") or ""),
                              default=bool(loc.get("default")))
                     for loc in self._pages("/locations", "locations", []) if _active(loc)]
        default = next((loc.id for loc in locations if loc.default), None)
        self._default_location = default or self._default_location
        return locations

    def default_location_id(self) -> str:
        if self._default_location is None:
            location = self._get("/locations/default", []).get("location") or {}
            self._default_location = _id(location.get("id"), "the default location id")
        return self._default_location

    def _products(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(product, variant) for every variant, learning each one's tracking on the way."""
        rows = [(product, variant) for product in self._pages("/products", "products", [], size_param="per_page")
                for variant in product.get("variants") or []]
        for _, variant in rows:
            self._tracked[str(variant["id"])] = variant.get("inventory_quantity") is not None
        return rows

    def list_variants(self) -> list[Variant]:
        rows = self._products()
        self._resolve_items([str(v["id"]) for _, v in rows])
        variants = []
        for product, variant in rows:
            vid, title = str(variant["id"]), str(variant.get("title") or "")
            variants.append(Variant(
                id=vid, product_id=str(product.get("id") or variant.get("product_id") or ""),
                sku=variant.get("sku") or None, barcode=variant.get("barcode") or None,
                title="" if title == "Default Title" else title, product=str(product.get("title") or ""),
                extra={"inventory_item_id": self._items[vid]} if vid in self._items else {}))
        return variants

    def _learn_tracking(self, variant_ids: list[str]) -> None:
        """Whether inventory tracking is on, for the variants this connector has not seen since
        its last write to them: a few by ``GET /variants/{id}``, more by one products listing.
        (A ``PUT /variants`` of 0 switches tracking off; whether Stocksheet's switching it back
        on landed is only known from a read — its answer may have been lost.)"""
        unknown = [v for v in variant_ids if self._tracked.get(v) is None]
        if len(unknown) > TRACKING_SINGLE_READS:
            self._products()
            return
        for vid in unknown:
            response = self._send("GET", f"/variants/{vid}")
            if response.status_code == 404:        # gone: its levels are read as the store lists them
                continue
            if response.status_code != 200:
                raise ProtocolError(f"The Shoplazza store refused GET /variants/{vid} "
                                    f"({response.status_code}: {describe_error(response)}).", status=response.status_code)
            variant = self._data(response).get("variant") or {}
            self._tracked[vid] = variant.get("inventory_quantity") is not None

    def _resolve_items(self, variant_ids: list[str]) -> None:
        missing = [v for v in dict.fromkeys(variant_ids) if v not in self._items]
        for start in range(0, len(missing), ID_BATCH):
            batch = missing[start:start + ID_BATCH]
            data = self._get("/inventory_items/variant", [("variant_ids", v) for v in batch])
            asked = set(batch)
            for row in data.get("variant_inventory_items") or []:
                if str(row.get("variant_id")) in asked:            # ignore anything we did not ask for
                    self._items[str(row["variant_id"])] = _id(row.get("inventory_item_id"), "an inventory_item_id")

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        return {pair: detail.level for pair, detail in self._details(variant_ids, location_ids, []).items()}

    def read_level_details(self, variant_ids: Iterable[str], location_ids: Iterable[str], *,
                           updated_since: datetime | None = None) -> dict[tuple[str, str], LevelDetail]:
        """Levels with the time the store last changed each (``updated_at``); with
        ``updated_since`` only the levels changed since then (``updated_at_min``: the store
        filters, and rows it sends from before are dropped too)."""
        params, floor = [], ""
        if updated_since is not None:
            floor = updated_since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            params.append((self.UPDATED_FILTER, floor))
        details = self._details(variant_ids, location_ids, params)
        return {pair: d for pair, d in details.items() if not (floor and d.updated and d.updated < floor)}

    def _details(self, variant_ids: Iterable[str], location_ids: Iterable[str], extra: list[tuple[str, str]]
                 ) -> dict[tuple[str, str], LevelDetail]:
        rows = dict(self._level_rows(variant_ids, location_ids, extra))
        self._learn_tracking(list(dict.fromkeys(v for v, _ in rows)))
        return {key: LevelDetail(NOT_TRACKED if self._tracked.get(key[0]) is False else stock_of(row),
                                 updated=str(row.get("updated_at") or "") or None)
                for key, row in rows.items()}

    def _level_rows(self, variant_ids: Iterable[str], location_ids: Iterable[str], extra: list[tuple[str, str]]
                    ) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
        variant_ids, locations = list(dict.fromkeys(variant_ids)), list(dict.fromkeys(location_ids))
        if not variant_ids or not locations:
            return
        self._resolve_items(variant_ids)
        by_item = {self._items[v]: v for v in variant_ids if v in self._items}
        items, wanted_locations = list(by_item), set(locations)
        for start in range(0, len(items), ID_BATCH):
            batch = items[start:start + ID_BATCH]
            params = [(self.ITEM_FILTER, i) for i in batch] + [(self.LOCATION_FILTER, loc) for loc in locations] + extra
            asked = set(batch)
            for row in self._pages("/inventory_levels", "inventory_levels", params):
                item, location = _id(row.get("inventory_item_id"), "an inventory_item_id"), _id(row.get("location_id"), "a location_id")
                if item in asked and location in wanted_locations:   # the store ignores filters it does not know
                    yield (by_item[item], location), row

    def read_cost(self, variants: int, locations: int) -> int:
        """Requests ``read_levels`` makes for that many variants × locations (item resolution is cached)."""
        cost = 0
        for start in range(0, max(variants, 0), ID_BATCH):
            rows = min(ID_BATCH, variants - start) * max(locations, 1)
            cost += -(-rows // self.page_size)
        return cost

    def _read_level(self, item: str, location_id: str) -> int | None:
        """One level as the store holds it (None: not connected there) — the read decisions rest on."""
        params = [(self.ITEM_FILTER, item), (self.LOCATION_FILTER, location_id)]
        rows = [r for r in self._pages("/inventory_levels", "inventory_levels", params)
                if str(r.get("inventory_item_id")) == item and str(r.get("location_id")) == location_id]
        return stock_of(rows[0]) if rows else None

    # ---- writes -----------------------------------------------------------------------------
    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        return [self._apply_one(change) for change in chunk.changes]

    def write_path(self, change: Change) -> str | None:
        """A sentence for the preview when ``change`` will be written the roundabout way
        (disconnect + connect + add), else None."""
        before, after = change.before, change.after
        if (not isinstance(before, int) or not isinstance(after, int) or after >= before
                or self.semantics == "absolute" or change.location_id == self.default_location_id()):
            return None
        then = "which leaves it at 0" if after == 0 else None
        if self.semantics == "adding":
            return ("Shoplazza cannot lower a level away from the default location directly: Stocksheet disconnects "
                    f"and reconnects {level_name(change)}, {then or f'then adds {after}'}.")
        return ("If this Shoplazza store adds on 'set' (as live stores do), it cannot lower a level away from the "
                f"default location directly: Stocksheet then disconnects and reconnects {level_name(change)}, "
                f"{then or f'and adds {after}'}.")

    def _apply_one(self, change: Change) -> ChangeOutcome:
        target, before = change.after, change.before
        if target == NOT_TRACKED:
            return failed_outcome(change, issues.UNSUPPORTED, "Stocksheet does not switch inventory tracking off on "
                                  "Shoplazza; switch it off in the Shoplazza admin, or give a whole number.")
        if target is None or target == INFINITE or before == INFINITE:
            return failed_outcome(change, issues.UNSUPPORTED, "Shoplazza has no infinite or 'not stocked' level to set; "
                           "give a whole number of 0 or more.")
        item = (change.variant.extra.get("inventory_item_id") if change.variant else None) or self._item_for(change.variant_id)
        if item is None:
            return failed_outcome(change, issues.VARIANT_NOT_FOUND, f"Shoplazza has no inventory item for variant {change.variant_id}; "
                           "it may have been deleted. Refresh the catalogue and try again.")
        write = LevelWrite(self, change, item)
        if before == NOT_TRACKED:            # a level Shoplazza does not count: count it from now on
            started = write.start_tracking()
            if isinstance(started, ChangeOutcome):
                return started
            before = started
        if before is None:
            connected = write.connect()
            if isinstance(connected, ChangeOutcome):
                return connected
            before = connected
        if target == before:
            return write.done(before)
        if target > before:
            return write.add(target - before)
        if self.semantics != "adding":
            lowered = write.lower_directly(before)
            if lowered is not None:
                return lowered
        if change.location_id == self.default_location_id():
            return write.set_through_variant()
        return write.reconnect()

    def _item_for(self, variant_id: str) -> str | None:
        self._resolve_items([variant_id])
        return self._items.get(variant_id)

    def _learn(self, semantics: Literal["absolute", "adding"]) -> None:
        with self._lock:
            self.semantics = semantics

    def close(self) -> None:
        self.http.close()
