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
  on ``/products``) 250 and treat any ``has_more`` that is not ``true`` (including ``null``) as
  the end. Unknown query parameters are silently ignored by the store, so every filtered read
  drops rows that do not match what was asked for. Array parameters repeat the key.
* 429s are waited out by the shared ``HttpClient`` (``RetryPolicy``; ``Retry-After`` when sent).

Write semantics — the trap. The seed doc says ``POST /inventory_levels/set`` is absolute; live
stores (Shoplazza's own CLI) ADD ``stock`` and silently ignore ``stock: 0``, and reject
``PUT /inventory_levels`` adjustments ``<= 0``. The only way down there is
``PUT /variants/{id}`` ``inventory_quantity``, an absolute set at the **default location** (and
``0`` switches tracking off, which we switch back on). Every change aims at ``change.after``:

* Until the store's semantics are known, increases go out as ``PUT /inventory_levels`` with the
  positive delta — a delta means the same under both readings, so nothing is ever doubled.
* The semantics are learnt only from a write whose two readings are distinguishable and harmless:
  lowering to 0 is sent as ``set`` ``stock: 0`` (absolute: the level reads 0; adding: ignored, the
  level is unchanged), and lowering to N > 0 as a negative ``PUT`` adjustment (documented: applied;
  observed: refused with 422, nothing written). The answer is remembered for the connector's life.
* Absolute store: every change is one ``set`` to the target (idempotent against stale reads).
  Adding store: increases by delta; decreases at the default location through the variant
  (then the level is read back); decreases elsewhere fail with code ``unsupported``.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Iterable, Iterator, Literal

import httpx

from desktop_app.core import issues
from desktop_app.core.errors import ProtocolError
from desktop_app.core.models import INFINITE, Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import HttpClient, RetryPolicy, check_url

API = "/openapi/2026-01"
ID_BATCH = 100              # ids per filtered GET (repeated keys keep URLs well under 8 KB)

CAPABILITIES = Capabilities(
    platform="shoplazza", display_name="Shoplazza", location_noun="location", can_set=True, can_adjust=True,
    single_location=False, max_chunk=1, rate_burst=40, rate_per_second=2.0, max_in_flight=2,
    id_format="64-bit integers (sent as strings)", idempotent_writes=False,
    notes=("Live Shoplazza stores add on 'set' and can lower stock through the API only at the default location.",))

UNSUPPORTED_DECREASE = ("Shoplazza can only lower stock at the default location through the API; lower it at "
                        "{location} in the Shoplazza admin, or make {location} the default location and import again.")


def describe_error(response: httpx.Response) -> str:
    """The store's own words from ``{"code","message"}``, ``{"error",…}`` or ``{"errors":[…]}``."""
    try:
        body = json.loads(response.text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:200]
    if body.get("error") == "insufficient_stock":
        return f"insufficient stock (the level is {body.get('current_stock')})"
    for key in ("message", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return body[key]
    if isinstance(body.get("errors"), list) and body["errors"]:
        return "; ".join(str(e) for e in body["errors"])
    return str(body.get("code") or body)[:200]


def _id(value: Any, what: str) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise ProtocolError(f"Shoplazza sent {what} {value!r}, which is not an exact id; cannot use it safely.")
    return str(value)


def _stock(level: dict[str, Any]) -> int:
    return int(level.get("stock") or 0)        # rows omit stock when it is 0


class ShoplazzaConnector:
    capabilities = CAPABILITIES
    #: filter parameter names; a misspelling here would be ignored by the store (tests prove the guard)
    ITEM_FILTER = "inventory_item_ids"
    LOCATION_FILTER = "location_ids"

    def __init__(self, url: str, token: str, *, page_size: int = 250, transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None, cancel: CancelToken | None = None) -> None:
        self.page_size = max(1, min(int(page_size), 250))
        self.url = check_url(url).removesuffix(API)       # a pasted API root works too
        self.http = HttpClient(self.url + API, platform="Shoplazza", auth_headers={"Access-Token": token},
                               describe_error=describe_error, transport=transport, retry=retry, cancel=cancel)
        self._items: dict[str, str] = {}               # variant id → inventory_item_id
        self._tracked: dict[str, bool] = {}            # variant id → inventory tracking was on
        self._default_location: str | None = None
        self._lock = threading.Lock()
        #: None until a write tells: "absolute" (set sets) or "adding" (live behaviour)
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
            yield from data.get(key) or []
            cursor = data.get("cursor") or ""
            if data.get("has_more") is not True or not cursor:   # null means the end too
                return
            if cursor in seen:
                raise ProtocolError(f"The Shoplazza store repeated a page cursor on {path}; stopping instead of looping.")
            seen.add(cursor)

    # ---- reads ------------------------------------------------------------------------------
    def list_locations(self) -> list[Location]:
        locations = [Location(id=_id(loc.get("id"), "a location id"), name=str(loc.get("name") or ""),
                              default=bool(loc.get("default")))
                     for loc in self._pages("/locations", "locations", [])]
        default = next((loc.id for loc in locations if loc.default), None)
        self._default_location = default or self._default_location
        return locations

    def default_location_id(self) -> str:
        if self._default_location is None:
            location = self._get("/locations/default", []).get("location") or {}
            self._default_location = _id(location.get("id"), "the default location id")
        return self._default_location

    def list_variants(self) -> list[Variant]:
        rows: list[tuple[dict[str, Any], dict[str, Any]]] = [
            (product, variant)
            for product in self._pages("/products", "products", [], size_param="per_page")
            for variant in product.get("variants") or []]
        for product, variant in rows:
            self._tracked[str(variant["id"])] = variant.get("inventory_quantity") is not None
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
        variant_ids, locations = list(dict.fromkeys(variant_ids)), list(dict.fromkeys(location_ids))
        if not variant_ids or not locations:
            return {}
        self._resolve_items(variant_ids)
        by_item = {self._items[v]: v for v in variant_ids if v in self._items}
        items, wanted_locations = list(by_item), set(locations)
        levels: dict[tuple[str, str], Level] = {}
        for start in range(0, len(items), ID_BATCH):
            batch = items[start:start + ID_BATCH]
            params = [(self.ITEM_FILTER, i) for i in batch] + [(self.LOCATION_FILTER, loc) for loc in locations]
            asked = set(batch)
            for row in self._pages("/inventory_levels", "inventory_levels", params):
                item, location = _id(row.get("inventory_item_id"), "an inventory_item_id"), _id(row.get("location_id"), "a location_id")
                if item in asked and location in wanted_locations:   # the store ignores filters it does not know
                    levels[(by_item[item], location)] = _stock(row)
        return levels

    # ---- writes -----------------------------------------------------------------------------
    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        return [self._apply_one(change) for change in chunk.changes]

    def _apply_one(self, change: Change) -> ChangeOutcome:
        target, before = change.after, change.before
        if target is None or target == INFINITE or before == INFINITE:
            return _failed(change, issues.UNSUPPORTED, "Shoplazza has no infinite or 'not stocked' level to set; "
                           "give a whole number of 0 or more.")
        item = (change.variant.extra.get("inventory_item_id") if change.variant else None) or self._item_for(change.variant_id)
        if item is None:
            return _failed(change, issues.VARIANT_NOT_FOUND, f"Shoplazza has no inventory item for variant {change.variant_id}; "
                           "it may have been deleted. Refresh the catalogue and try again.")
        write = _Write(self, change, item)
        if before is None:
            answer = write.send("POST", "/inventory_levels", {})
            if isinstance(answer, ChangeOutcome):
                return answer
            before = answer
        if target == before:
            return write.done(before)
        if self.semantics == "absolute":
            return write.check(write.send("POST", "/inventory_levels/set", {"stock": target}))
        if target > before:
            return write.check(write.send("PUT", "/inventory_levels", {"stock_adjustment": target - before}))
        if self.semantics is None:
            probed = write.probe_decrease(before)
            if probed is not None:
                return probed
        return self._lower_on_adding_store(write, target)

    def _item_for(self, variant_id: str) -> str | None:
        self._resolve_items([variant_id])
        return self._items.get(variant_id)

    def _learn(self, semantics: Literal["absolute", "adding"]) -> None:
        with self._lock:
            self.semantics = semantics

    def _lower_on_adding_store(self, write: "_Write", target: int) -> ChangeOutcome:
        change = write.change
        if change.location_id != self.default_location_id():
            return _failed(change, issues.UNSUPPORTED, UNSUPPORTED_DECREASE.format(location=change.location_name or change.location_id))
        response = self._send("PUT", f"/variants/{change.variant_id}", write=True,
                              json={"variant": {"inventory_quantity": target}})
        if response.status_code != 200:
            return write.refused(response)
        self._data(response)
        if target == 0 and self._tracked.get(change.variant_id, True):
            # inventory_quantity 0 switches tracking off; a tracked item must stay tracked
            response = self._send("PUT", f"/inventory_items/{write.item}", write=True, json={"inventory_item": {"tracking": True}})
            if response.status_code != 200:
                return write.refused(response, prefix="the level is 0, but turning inventory tracking back on failed: ")
        params = [(self.ITEM_FILTER, write.item), (self.LOCATION_FILTER, change.location_id)]
        rows = [r for r in self._pages("/inventory_levels", "inventory_levels", params)
                if str(r.get("inventory_item_id")) == write.item and str(r.get("location_id")) == change.location_id]
        return write.check(_stock(rows[0]) if rows else None)

    def close(self) -> None:
        self.http.close()


class _Write:
    """One change's requests against one inventory level, and how their answers become outcomes."""

    def __init__(self, connector: ShoplazzaConnector, change: Change, item: str) -> None:
        self.connector, self.change, self.item = connector, change, item

    def send(self, method: str, path: str, fields: dict[str, Any]) -> int | ChangeOutcome:
        """Send a level write; the level the store reports, or a failed outcome."""
        body = {"inventory_item_id": self.item, "location_id": self.change.location_id, **fields}
        response = self.connector._send(method, path, write=True, json=body)
        if response.status_code != 200:
            return self.refused(response)
        level = self.connector._data(response).get("inventory_level")
        if not isinstance(level, dict):
            raise ProtocolError(f"The Shoplazza store answered {method} {path} without an inventory_level.")
        return _stock(level)

    def probe_decrease(self, before: int) -> ChangeOutcome | None:
        """Lower the level with a write that is harmless under either semantics and tells them
        apart. None when the store turned out to add (nothing was written; lower another way)."""
        target = self.change.after
        assert isinstance(target, int)
        if target == 0:
            answer = self.send("POST", "/inventory_levels/set", {"stock": 0})
            if isinstance(answer, ChangeOutcome):
                return answer
            if answer == 0:
                self.connector._learn("absolute")
                return self.done(0)
            if answer == before:                 # stock 0 silently ignored: an adding store
                self.connector._learn("adding")
                return None
            return self.check(answer)
        response = self.connector._send("PUT", "/inventory_levels", write=True, json={
            "inventory_item_id": self.item, "location_id": self.change.location_id, "stock_adjustment": target - before})
        if response.status_code == 422 and "insufficient_stock" not in response.text:
            self.connector._learn("adding")      # refuses adjustments <= 0: the live, adding behaviour
            return None
        if response.status_code != 200:
            return self.refused(response)
        self.connector._learn("absolute")
        level = self.connector._data(response).get("inventory_level") or {}
        return self.check(_stock(level))

    def check(self, answer: int | ChangeOutcome | None) -> ChangeOutcome:
        if isinstance(answer, ChangeOutcome):
            return answer
        c = self.change
        if answer == c.after:
            return self.done(answer)
        return ChangeOutcome(change=c, ok=False, level_after=answer, code=issues.STALE, error=(
            f"{_what(c)}: the store reports {answer} after the write, not the target {c.after} (it was {c.before} when read). "
            "The level changed meanwhile; export the current stock and re-run the sheet."))

    def done(self, level: int) -> ChangeOutcome:
        return ChangeOutcome(change=self.change, ok=True, level_after=level)

    def refused(self, response: httpx.Response, *, prefix: str = "") -> ChangeOutcome:
        return _failed(self.change, issues.PLATFORM_REJECTED,
                       f"Shoplazza refused the change ({response.status_code}: {prefix}{describe_error(response)}).")


def _what(change: Change) -> str:
    return f"{change.sku or change.variant_id} at {change.location_name or change.location_id}"


def _failed(change: Change, code: str, message: str) -> ChangeOutcome:
    return ChangeOutcome(change=change, ok=False, code=code, error=f"{_what(change)}: {message}")
