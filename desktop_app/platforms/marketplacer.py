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
* Variant ids change after a re-import; when a write or a read names an id the platform no longer
  knows and the variant has an ``external_id``, the connector looks the variant up again by
  external id (one match, a different id: ``_relocate``, the same rule for reads and writes) and
  remembers the new id for the rest of the run. ``read_levels`` answers under the ids asked for;
  a variant that cannot be found again is left out, never read as 0.

Reads:
* Pages ask for 500 (the largest size in the 500 doc version). A store that refuses it (400/422:
  the old docs say 100) is asked again for 100, then 50, and the size that worked is kept; a
  store that silently clamps is simply followed along ``links.next``.
* ``read_levels`` right after ``list_variants`` (``prepare``, ``export``) reuses the listing's
  ``count_on_hand``/``infinite`` instead of paging the catalogue again: once (the first
  ``read_levels`` after the listing takes it, whatever it asks), within ``REUSE_SECONDS``
  (``reuse_seconds=``; monotonic clock) of the listing's last page, for variants the listing
  holds, and only when this connector wrote nothing since the listing began. (A paged read
  takes as long as the listing did, so its first page would be no fresher than the listing's.)
  Every other read — the engine's re-read right before a write, the read back after it — goes
  to the store.

Auth: ``Authorization: Bearer <key>``; ``auth="api-key"`` sends ``MARKETPLACER-API-KEY`` instead;
``basic_user``/``basic_password`` (a site behind HTTP Basic auth) send the key as
``MARKETPLACER-API-KEY`` plus the Basic credentials in ``Authorization``.
"""
from __future__ import annotations

import base64
import json
import math
import threading
import time
from dataclasses import replace
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import httpx

from desktop_app.core.errors import AuthError, ProtocolError
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
#: Page sizes tried, largest first, when a store refuses the one asked for (docs: 1100, 500, 100).
PAGE_SIZES = (500, 100, 50)
#: How long a variant listing may stand in for the ``read_levels`` that follows it (see the docstring).
REUSE_SECONDS = 2.0

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

_BASIC_CHALLENGE = "an HTTP Basic challenge"


class _Http(HttpClient):
    """``HttpClient`` whose refusal by a web server's HTTP Basic challenge says so, and what to do."""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return super().request(method, path, **kwargs)
        except AuthError as exc:
            if _BASIC_CHALLENGE not in str(exc):
                raise
            raise AuthError(f"The Marketplacer site at {self.base_url} is behind HTTP Basic auth and refused the user "
                            "name and password sent (401): enter the site's Basic user and password in the connection "
                            "dialog, or use --basic-user with STOCKSHEET_BASIC_PASSWORD on the command line.",
                            status=exc.status) from exc


def describe_error(response: httpx.Response) -> str:
    """The JSON:API ``errors`` details as one sentence-ish string; ``{"error": …}`` as usual; an
    empty or HTML body as its status phrase; a web server's HTTP Basic challenge as what to do."""
    if response.status_code == 401 and response.headers.get("WWW-Authenticate", "").lower().startswith("basic"):
        return _BASIC_CHALLENGE
    if not response.content.strip() or "html" in response.headers.get("Content-Type", "").lower():
        return response.reason_phrase or f"HTTP {response.status_code}"
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
    def __init__(self, url: str, token: str, *, page_size: int = PAGE_SIZES[0], auth: str | None = None,
                 basic_user: str | None = None, basic_password: str | None = None,
                 reuse_seconds: float = REUSE_SECONDS, transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None, cancel: CancelToken | None = None) -> None:
        """``auth="api-key"`` sends ``MARKETPLACER-API-KEY`` instead of ``Authorization: Bearer``.
        ``basic_user`` (and ``basic_password``) put HTTP Basic credentials in ``Authorization`` and
        the key in ``MARKETPLACER-API-KEY``, for marketplaces behind HTTP Basic auth."""
        basic = bool(basic_user)
        if basic_password and not basic:
            raise ValueError("An HTTP Basic password needs its user name: give basic_user too.")
        auth = auth or ("api-key" if basic else "bearer")
        if auth not in ("bearer", "api-key"):
            raise ValueError(f"auth must be 'bearer' or 'api-key', not {auth!r}")
        if basic and auth == "bearer":
            raise ValueError("Behind HTTP Basic auth the Authorization header carries the Basic credentials, so the "
                             "API key must go as MARKETPLACER-API-KEY: use auth='api-key'.")
        headers = {"Authorization": f"Bearer {token}"} if auth == "bearer" else {"MARKETPLACER-API-KEY": token}
        if basic:
            pair = f"{basic_user}:{basic_password or ''}".encode("utf-8")
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        self.http = _Http(url, platform="Marketplacer", auth_headers=headers, describe_error=describe_error,
                          transport=transport, retry=retry, cancel=cancel)
        self.url = self.http.base_url
        self.page_size = page_size
        self.reuse_seconds = reuse_seconds
        self.capabilities = CAPABILITIES
        self._origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.url))
        self._multi: dict[str, bool] = {}       # variant id → is on a multi-store advert
        self._renumbered: dict[str, str] = {}   # stale variant id → current id (found by external_id)
        self._external: dict[str, str] = {}     # variant id (as listed) → its external_id
        self._has_sellers: bool | None = None   # known after list_locations
        self._catalogue_size = 0                # variants in the last full listing (read_cost)
        self._lock = threading.Lock()           # the executor's workers share the connector
        self._writes = 0                        # write requests sent (a listing is not reused across one)
        self._listing: tuple[float, int, dict[str, dict[str, Any]]] | None = None

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
        writes = self._writes
        items = list(self._collection(f"{API}/variants"))
        with self._lock:
            self._catalogue_size = len(items)
            self._listing = (time.monotonic(), writes, {str(item["id"]): item for item in items})
        return [self._variant(item) for item in items]

    def find_by_external_id(self, external_id: str) -> list[Variant]:
        return [self._variant(item) for item in self._by_external_id(external_id)]

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        """Own stock from the variants (INFINITE when flagged); seller stock from each multi-store
        variant's inventory records — a seller without a record is not stocked (absent), a record
        of 0 is 0. Keyed by the ids asked for, also when a variant was renumbered; a variant the
        store no longer knows (and that cannot be found again by external_id) is left out."""
        ids = list(dict.fromkeys(variant_ids))
        locations = set(location_ids)
        sellers = {loc for loc in locations if loc.startswith(SELLER_PREFIX)}
        listing = self._take_listing()          # whatever this read asks, the listing serves it only
        attributes = self._variant_attributes(ids, listing) if OWN_STOCK in locations else {}
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

    def read_cost(self, variants: int, locations: int) -> int:
        """Requests ``read_levels`` needs for that many variants (``engine.verify``): one each up to
        ``_SINGLE_READS``, else one pass over the catalogue; plus one inventories read per variant
        that may be multi-store when the marketplace has sellers."""
        if variants <= 0:
            return 0
        own = variants if variants <= _SINGLE_READS else \
            math.ceil(max(variants, self._catalogue_size) / max(1, self.page_size))
        if self._has_sellers is False or locations <= 1:
            return own
        maybe_multi = sum(1 for flag in self._multi.values() if flag is not False) or variants
        return own + min(variants, maybe_multi)

    def _variant_attributes(self, ids: list[str],
                            listing: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
        """Current attributes of the given variants, keyed by the ids asked for (a renumbered
        variant is read under its current id, found again by external_id the way writes do);
        ids the platform doesn't know any more are left out. ``listing``: a fresh variant listing
        (``_take_listing``) to take them from, when it holds them all."""
        current = {self._current(v): v for v in ids}
        if listing is not None and all(cur in listing for cur in current):
            return self._found([listing[cur] for cur in current], current)
        items: list[dict[str, Any]] = []
        missing: list[str] = []
        by_external: dict[str, list[dict[str, Any]]] | None = None
        if len(current) <= _SINGLE_READS:
            for cur, asked in current.items():
                item = self._get_variant(cur)
                if item is None:
                    missing.append(asked)
                else:
                    items.append(item)
        else:
            everything = list(self._collection(f"{API}/variants"))
            self._catalogue_size = len(everything)
            items = [item for item in everything if str(item["id"]) in current]
            seen = {str(item["id"]) for item in items}
            missing = [asked for cur, asked in current.items() if cur not in seen]
            if missing:
                by_external = {}
                for item in everything:
                    ext = (item.get("attributes") or {}).get("external_id")
                    if ext:
                        by_external.setdefault(str(ext), []).append(item)
        found = self._found(items, current)
        for asked in missing:
            external_id = self._external.get(asked)
            if not external_id:
                continue
            candidates = by_external.get(external_id, []) if by_external is not None else \
                self._by_external_id(external_id)
            if self._relocate(asked, candidates, taken=set(current)):
                found.update(self._found(candidates, {self._current(asked): asked}))
        return found

    def _found(self, items: list[dict[str, Any]], current: dict[str, str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for item in items:
            asked = current[str(item["id"])]
            self._remember(item, as_id=asked)
            found[asked] = item.get("attributes") or {}
        return found

    def _get_variant(self, variant_id: str) -> dict[str, Any] | None:
        response = self.http.request("GET", f"{API}/variants/{variant_id}", headers={"Accept": JSONAPI})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ProtocolError(f"Marketplacer refused to read variant {variant_id} ({response.status_code}: "
                                f"{self.http.describe_error(response)}).", status=response.status_code)
        data = self._data(response)
        item = data[0] if isinstance(data, list) and data else data   # documented as a 1-element list
        return item if isinstance(item, dict) else None

    def _take_listing(self) -> dict[str, dict[str, Any]] | None:
        """The last variant listing, once, if it finished less than ``reuse_seconds`` ago and
        nothing was written since it started; None otherwise."""
        with self._lock:
            listing, self._listing = self._listing, None
        if listing is None:
            return None
        finished, writes, items = listing
        if writes != self._writes or time.monotonic() - finished > self.reuse_seconds:
            return None
        return items

    def _inventories(self, variant_id: str) -> list[dict[str, Any]] | None:
        """The seller records of a multi-store variant; None if the variant is single-seller/unknown."""
        for attempt in (0, 1):
            current = self._current(variant_id)
            response = self.http.request("GET", f"{API}/variants/{current}/inventories", headers={"Accept": JSONAPI})
            if response.status_code == 404 and attempt == 0 and self._refind(variant_id):
                continue                        # renumbered: read it under its new id
            if response.status_code == 404:    # unknown: nothing to report
                return None
            if response.status_code == 422:     # single-seller advert
                self._multi[variant_id] = False
                return None
            if response.status_code != 200:
                raise ProtocolError(f"Marketplacer refused to read the seller stock of variant {current} "
                                    f"({response.status_code}: {self.http.describe_error(response)}).",
                                    status=response.status_code)
            self._multi[variant_id] = True
            return [item.get("attributes") or {} for item in self._data(response) or []]
        return None

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
        return [(i, ChangeOutcome(c, ok=False, code=PLATFORM_REJECTED, error=self._rejection(response, c)))
                for i, c in items]

    def _rejection(self, response: httpx.Response, change: Change) -> str:
        """The platform's refusal of one change as a sentence, also when its answer has no body."""
        status = response.status_code
        if response.content.strip():
            return f"Marketplacer rejected the change ({status}): {self.http.describe_error(response).rstrip('.')}."
        where = f"'{change.sku or change.variant_id}' at {change.location_name or change.location_id}"
        if change.location_id != OWN_STOCK and self._multi.get(change.variant_id) is False:
            return (f"Marketplacer rejected the change ({status}) of {where}: the variant is on a single-seller "
                    "advert, so only its own stock can be set (leave the Location empty or use 'Own stock').")
        return (f"Marketplacer rejected the change ({status}) of {where} without saying why; check the value and "
                "that the variant still exists in Marketplacer, then import the error report again.")

    def _heal(self, change: Change) -> bool:
        """A re-import may have renumbered the variant: find it again by external id."""
        variant = change.variant
        external_id = (variant.external_id if variant is not None else None) or self._external.get(change.variant_id)
        if not external_id:
            return False
        return self._relocate(change.variant_id, self._by_external_id(external_id))

    def _refind(self, variant_id: str) -> bool:
        """The read path's ``_heal``: the same look-up by external id, the same rule."""
        external_id = self._external.get(variant_id)
        return bool(external_id) and self._relocate(variant_id, self._by_external_id(external_id))

    def _relocate(self, variant_id: str, candidates: list[dict[str, Any]], *, taken: set[str] = frozenset()) -> bool:
        """Take the one variant carrying ``variant_id``'s external id as its new self, when it has
        another id (and not one of ``taken``, the ids of other variants being read); else False."""
        if len(candidates) != 1:
            return False
        new = str(candidates[0]["id"])
        if new == self._current(variant_id) or new in taken:
            return False
        with self._lock:
            self._renumbered[variant_id] = new
        flag = (candidates[0].get("attributes") or {}).get("multi_store")
        if isinstance(flag, bool):
            self._multi[variant_id] = flag
        else:
            self._multi.pop(variant_id, None)
        return True

    def _current(self, variant_id: str) -> str:
        return self._renumbered.get(variant_id, variant_id)

    def _by_external_id(self, external_id: str) -> list[dict[str, Any]]:
        return [item for item in self._collection(f"{API}/variants", {"external_id": external_id})
                if (item.get("attributes") or {}).get("external_id") in (None, external_id)]

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
                    self._wrote()
                    response = self.http.request("DELETE", f"{API}/variants/{variant}/inventories/{ids[seller]}",
                                                 write=True, headers={"Accept": JSONAPI})
                    if response.status_code not in (200, 204):
                        return response, {}
                after[i] = None
            response = response or listing
        return response, after

    # -- plumbing ------------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        self._wrote()
        return self.http.request(method, path, write=True, content=json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": JSONAPI, "Accept": JSONAPI})

    def _wrote(self) -> None:
        with self._lock:
            self._writes += 1

    def _collection(self, path: str, params: dict[str, str] | None = None) -> Iterable[dict[str, Any]]:
        """Every item of a paged JSON:API collection, following ``links.next`` on our own origin.
        A first page refused (400/422) at our page size is asked again at the next smaller one."""
        url: str | None = path
        size = self.page_size
        query: dict[str, Any] | None = {**(params or {}), "page[number]": 1, "page[size]": size}
        pages = 0
        while url:
            response = self.http.request("GET", url, params=query, headers={"Accept": JSONAPI})
            if pages == 0 and response.status_code in (400, 422) and (smaller := _smaller(size)) is not None:
                size = smaller
                query = {**(params or {}), "page[number]": 1, "page[size]": size}
                continue
            if response.status_code != 200:
                tried = f" even with a page size of {size}" if size != self.page_size or size <= PAGE_SIZES[-1] else ""
                raise ProtocolError(f"Marketplacer refused to list {path}{tried} ({response.status_code}: "
                                    f"{self.http.describe_error(response).rstrip('.')}).", status=response.status_code)
            if pages == 0 and size != self.page_size:
                self.page_size = size           # the size this store accepts, for every later listing
            body = self.http.json(response)
            data = self._data(response, body)
            link = (body.get("links") or {}).get("next")
            if pages == 0 and link and isinstance(data, list) and 0 < len(data) < size:
                self.page_size = len(data)      # the store cut the page to its maximum (read_cost)
            yield from data
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
        if attrs.get("external_id"):
            self._external[str(item["id"])] = str(attrs["external_id"])
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


def _smaller(size: int) -> int | None:
    """The next page size to try after ``size`` was refused (500 → 100 → 50), or None."""
    return next((s for s in PAGE_SIZES if s < size), None)


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
