"""Marketplacer legacy Seller REST API v2 (JSON:API) connector.

Locations: Marketplacer has no warehouses. The merchant's own stock lives on the variant
(``count_on_hand``), shown as the synthetic location ``self`` ("Own stock"), for every variant.
Multi-store adverts are also stocked by member sellers through per-variant inventory records;
each membership becomes a location ``seller:<seller_id>`` named after the seller. Only variants
of multi-store adverts can be stocked at a seller.

Writes:
* own stock → one ``POST /variants/stock_on_hand`` map per chunk (201, no body; level_after is the
  target). The platform rejects the whole map when any value is bad (422), so the map is split in
  halves until the bad entries are isolated; they fail with the platform's message, the rest is
  applied. Writes are absolute sets, so resending an already-applied half is harmless.
* seller stock → one ``PUT /variants/{id}/inventories`` per variant carrying only the sellers that
  change (sellers left out keep their stock; "no stock" is an explicit 0); level_after is read
  from the returned records. A "not stocked" target deletes the seller's record.
* Variant ids change after a re-import; when a write names an id the platform no longer knows and
  the variant has an ``external_id``, the connector looks the variant up again by external id and
  retries once (and remembers the new id for the rest of the run).
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import httpx

from desktop_app.core.errors import ProtocolError
from desktop_app.core.issues import PLATFORM_REJECTED, UNSUPPORTED
from desktop_app.core.models import INFINITE, Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import HttpClient, RetryPolicy, default_describe

API = "/api/v2/client"
JSONAPI = "application/vnd.api+json"
OWN_STOCK = "self"
SELLER_PREFIX = "seller:"
#: Own-stock entries per bulk map. No cap is documented; 500 matches the largest documented page
#: size, keeps a request ~10 KB, and isolating one bad entry costs at most 2·⌈log2 500⌉ = 18 more
#: requests plus one look-up by external_id (under half a second at 50 req/s).
MAX_CHUNK = 500
#: Up to this many variants are read one by one; more are read by paging the whole catalogue.
_SINGLE_READS = 10

CAPABILITIES = Capabilities(
    platform="marketplacer", display_name="Marketplacer", location_noun="seller",
    can_set=True, can_adjust=False, single_location=False, max_chunk=MAX_CHUNK, chunk_by="change",
    rate_burst=50, rate_per_second=50.0, max_in_flight=4,
    id_format="integers (may change after a re-import; external_id preferred)",
    idempotent_writes=True, supports_infinite=True, location_optional=True,
    notes=("Own stock is written in bulk (POST /variants/stock_on_hand, up to 500 variants per request).",
           "Multi-store stock is written per variant (PUT /variants/{id}/inventories), one request per variant.",
           "Variant ids can change after a re-import; variants are found again by external_id.",
           "A sheet without a location column sets own stock; name a seller in a Location column for multi-store stock."))

def describe_error(response: httpx.Response) -> str:
    """The JSON:API ``errors`` details as one sentence-ish string; other bodies as usual."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return default_describe(response)
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        parts = []
        for err in body["errors"]:
            if isinstance(err, dict):
                text = err.get("detail") or err.get("title")
                if text:
                    parts.append(str(text).rstrip("."))
        if parts:
            return "; ".join(parts) + "."
    return default_describe(response)


class MarketplacerConnector:
    def __init__(self, url: str, token: str, *, page_size: int = 500, auth: str = "bearer",
                 transport: httpx.BaseTransport | None = None, retry: RetryPolicy | None = None,
                 cancel: CancelToken | None = None) -> None:
        """``auth="api-key"`` sends ``MARKETPLACER-API-KEY`` instead of ``Authorization: Bearer``
        (for marketplaces behind HTTP Basic auth)."""
        if auth not in ("bearer", "api-key"):
            raise ValueError(f"auth must be 'bearer' or 'api-key', not {auth!r}")
        headers = {"Authorization": f"Bearer {token}"} if auth == "bearer" else {"MARKETPLACER-API-KEY": token}
        self.http = HttpClient(url, platform="Marketplacer", auth_headers=headers, describe_error=describe_error,
                               transport=transport, retry=retry, cancel=cancel)
        self.url = self.http.base_url
        self.page_size = page_size
        self.capabilities = CAPABILITIES
        self._origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.url))
        self._multi: dict[str, bool] = {}       # variant id → is on a multi-store advert
        self._renumbered: dict[str, str] = {}   # stale variant id → current id (found by external_id)
        self._has_sellers: bool | None = None   # known after list_locations

    # -- reading -------------------------------------------------------------------------------

    def list_locations(self) -> list[Location]:
        own = Location(id=OWN_STOCK, name="Own stock", kind="own", default=True)
        sellers = [Location(id=f"{SELLER_PREFIX}{a['seller_id']}", name=str(a.get("seller_name") or a["seller_id"]),
                            kind="seller")
                   for a in (item["attributes"] for item in self._collection(f"{API}/multi_store_memberships"))]
        # A seller without multi-store memberships has exactly one place stock can be.
        self.capabilities = replace(CAPABILITIES, single_location=not sellers)
        self._has_sellers = bool(sellers)
        return [own, *sellers]

    def list_variants(self) -> list[Variant]:
        return [self._variant(item) for item in self._collection(f"{API}/variants")]

    def find_by_external_id(self, external_id: str) -> list[Variant]:
        return [self._variant(item) for item in self._collection(f"{API}/variants", {"external_id": external_id})]

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        """Own stock from the variants (INFINITE when flagged); seller stock from each multi-store
        variant's inventory records — a seller without a record is not stocked (absent), a record
        of 0 is 0."""
        ids = list(dict.fromkeys(variant_ids))
        locations = set(location_ids)
        sellers = {loc for loc in locations if loc.startswith(SELLER_PREFIX)}
        attributes = self._variant_attributes(ids) if OWN_STOCK in locations else {}
        if self._has_sellers is False:          # no memberships: nothing can be multi-store
            self._multi.update({v: False for v in ids if v not in self._multi})
        levels: dict[tuple[str, str], Level] = {}
        for vid in ids if sellers else ():
            if self._multi.get(vid) is False:
                continue
            for attrs in self._inventories(vid) or []:
                loc = f"{SELLER_PREFIX}{attrs.get('seller_id')}"
                if loc in sellers:
                    levels[(vid, loc)] = _inventory_level(attrs)
        for vid, attrs in attributes.items():
            levels[(vid, OWN_STOCK)] = INFINITE if attrs.get("infinite") else _int(attrs.get("count_on_hand"))
        return levels

    def _variant_attributes(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Current attributes of the given variants, keyed by the ids asked for (a renumbered
        variant is read under its current id); ids the platform doesn't know are left out."""
        current = {self._current(v): v for v in ids}
        items: list[dict[str, Any]] = []
        if len(current) <= _SINGLE_READS:
            for vid in current:
                response = self.http.request("GET", f"{API}/variants/{vid}", headers={"Accept": JSONAPI})
                if response.status_code == 404:
                    continue
                data = self._data(response)
                item = data[0] if isinstance(data, list) and data else data   # documented as a 1-element list
                if isinstance(item, dict):
                    items.append(item)
        else:
            items = [item for item in self._collection(f"{API}/variants") if str(item["id"]) in current]
        found: dict[str, dict[str, Any]] = {}
        for item in items:
            asked = current[str(item["id"])]
            self._remember(item, as_id=asked)
            found[asked] = item.get("attributes") or {}
        return found

    def _inventories(self, variant_id: str) -> list[dict[str, Any]] | None:
        """The seller records of a multi-store variant; None if the variant is single-seller/unknown."""
        current = self._renumbered.get(variant_id, variant_id)
        response = self.http.request("GET", f"{API}/variants/{current}/inventories", headers={"Accept": JSONAPI})
        if response.status_code == 404:     # unknown (perhaps renumbered): nothing to report
            return None
        if response.status_code == 422:     # single-seller advert
            self._multi[variant_id] = False
            return None
        self._multi[variant_id] = True
        return [item.get("attributes") or {} for item in self._data(response) or []]

    # -- writing -------------------------------------------------------------------------------

    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
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
        if response.status_code in (404, 422) and self._heal(items[0][1]):
            return self._split(items, write)
        message = f"Marketplacer rejected the change ({response.status_code}): {self.http.describe_error(response)}"
        return [(i, ChangeOutcome(c, ok=False, code=PLATFORM_REJECTED, error=message)) for i, c in items]

    def _heal(self, change: Change) -> bool:
        """A re-import may have renumbered the variant: find it again by external id."""
        variant = change.variant
        if variant is None or not variant.external_id or change.variant_id in self._renumbered:
            return False
        matches = self.find_by_external_id(variant.external_id)
        if len(matches) != 1 or matches[0].id == self._current(change.variant_id):
            return False
        self._renumbered[change.variant_id] = matches[0].id
        self._multi[change.variant_id] = bool(matches[0].extra.get("multi_store"))
        return True

    def _current(self, variant_id: str) -> str:
        return self._renumbered.get(variant_id, variant_id)

    def _bulk_write(self, items: list[tuple[int, Change]]) -> tuple[httpx.Response, dict[int, Level]]:
        body = {"count_on_hand": {self._current(c.variant_id): c.after for _, c in items}}
        return self._send("POST", f"{API}/variants/stock_on_hand", body), {}

    def _seller_write(self, items: list[tuple[int, Change]]) -> tuple[httpx.Response, dict[int, Level]]:
        variant = self._current(items[0][1].variant_id)
        rows, removals = [], []
        for i, c in items:
            seller = _seller_id(c.location_id)
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
            records = {a.get("seller_id"): a for a in (item.get("attributes") or {} for item in self._data(response))}
            for i, c in items:
                record = records.get(_seller_id(c.location_id))
                if c.after is not None:
                    after[i] = _inventory_level(record) if record else None
        if removals:
            listing = self.http.request("GET", f"{API}/variants/{variant}/inventories", headers={"Accept": JSONAPI})
            if listing.status_code != 200:
                return listing, {}
            ids = {(item.get("attributes") or {}).get("seller_id"): item["id"] for item in self._data(listing)}
            for i, seller in removals:
                if seller in ids:
                    response = self.http.request("DELETE", f"{API}/variants/{variant}/inventories/{ids[seller]}",
                                                 write=True, headers={"Accept": JSONAPI})
                    if response.status_code not in (200, 204):
                        return response, {}
                after[i] = None
            response = response or listing
        return response, after

    # -- plumbing ------------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.request(method, path, write=True, content=json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": JSONAPI, "Accept": JSONAPI})

    def _collection(self, path: str, params: dict[str, str] | None = None) -> Iterable[dict[str, Any]]:
        """Every item of a paged JSON:API collection, following ``links.next`` on our own origin."""
        url: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "page[number]": 1, "page[size]": self.page_size}
        pages = 0
        while url:
            response = self.http.request("GET", url, params=query, headers={"Accept": JSONAPI})
            if response.status_code != 200:
                raise ProtocolError(f"Marketplacer refused to list {path} ({response.status_code}: "
                                    f"{self.http.describe_error(response)}).", status=response.status_code)
            body = self.http.json(response)
            yield from self._data(response, body)
            link = (body.get("links") or {}).get("next")
            pages += 1
            if not link or pages > 100_000:
                return
            parts = urlsplit(link)
            url, query = self._origin + parts.path + (f"?{parts.query}" if parts.query else ""), None

    def _data(self, response: httpx.Response, body: Any = None) -> Any:
        body = self.http.json(response) if body is None else body
        if not isinstance(body, dict) or "data" not in body:
            raise ProtocolError(f"Marketplacer answered {response.request.method} {response.request.url.path} "
                                "without a JSON:API 'data' member.")
        return body["data"]

    def _remember(self, item: dict[str, Any], *, as_id: str | None = None) -> None:
        flag = (item.get("attributes") or {}).get("multi_store")
        if isinstance(flag, bool):
            self._multi[as_id or str(item["id"])] = flag

    def _variant(self, item: dict[str, Any]) -> Variant:
        self._remember(item)
        attrs = item.get("attributes") or {}
        advert = ((item.get("relationships") or {}).get("advert") or {}).get("data") or {}
        flag = attrs.get("multi_store")
        return Variant(
            id=str(item["id"]), product_id=str(advert.get("id") or item["id"]),
            sku=attrs.get("sku") or None, barcode=attrs.get("barcode") or None,
            title=str(attrs.get("title") or attrs.get("name") or ""),
            external_id=attrs.get("external_id") or None,
            extra={"multi_store": flag if isinstance(flag, bool) else None})

    def close(self) -> None:
        self.http.close()


def _seller_id(location_id: str) -> int | str:
    raw = location_id.removeprefix(SELLER_PREFIX)
    return int(raw) if raw.isdigit() else raw


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _inventory_level(attrs: dict[str, Any]) -> Level:
    if attrs.get("infinite"):
        return INFINITE
    return _int(attrs.get("count_on_hand"))
