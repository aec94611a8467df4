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

Split along those seams: ``marketplacer_write`` (a chunk's bulk maps, seller inventories and the
halving), ``marketplacer_api`` (the JSON:API client: paging, ``data``, error sentences); this module
holds the connector, its reads and the look-up by external id, and re-exports their public names.
May import: core, httpx, ``platforms.base``, ``platforms.http``, the modules above.
"""
from __future__ import annotations

import base64
import math
import threading
import time
from dataclasses import replace
from typing import Any, Iterable

import httpx

from desktop_app.core.errors import ProtocolError
from desktop_app.core.models import INFINITE, Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import RetryPolicy
from desktop_app.platforms.marketplacer_api import (
    API, JSONAPI, OWN_STOCK, PAGE_SIZES, SELLER_PREFIX, JsonApiClient, describe_error, inventory_level, whole,
)
from desktop_app.platforms.marketplacer_write import ChunkWrite

__all__ = ["API", "CAPABILITIES", "JSONAPI", "MAX_CHUNK", "OWN_STOCK", "PAGE_SIZES", "REUSE_SECONDS", "SELLER_PREFIX",
           "MarketplacerConnector", "describe_error"]

#: Own-stock entries per bulk map. No cap is documented; 500 matches the largest documented page
#: size, keeps a request ~10 KB, and isolating one bad entry costs at most 2·⌈log2 500⌉ = 18 more
#: requests plus one look-up by external_id (under half a second at 50 req/s).
MAX_CHUNK = 500
#: Up to this many variants are read one by one; more are read by paging the whole catalogue.
_SINGLE_READS = 10
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


class MarketplacerConnector:
    def __init__(self, url: str, token: str, *, page_size: int = PAGE_SIZES[0], auth: str | None = None,
                 basic_user: str | None = None, basic_password: str | None = None,
                 reuse_seconds: float = REUSE_SECONDS, transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None, cancel: CancelToken | None = None) -> None:
        """``auth="api-key"`` sends ``MARKETPLACER-API-KEY`` instead of ``Authorization: Bearer``.
        ``basic_user`` (and ``basic_password``) put HTTP Basic credentials in ``Authorization`` and
        the key in ``MARKETPLACER-API-KEY``, for marketplaces behind HTTP Basic auth."""
        #: the options (never secrets) that connect to this store again: a run's resume or undo uses them
        self.reconnect = {"basic_user": basic_user} if basic_user else {}
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
        self.http = JsonApiClient(url, page_size=page_size, platform="Marketplacer", auth_headers=headers,
                                  describe_error=describe_error, transport=transport, retry=retry, cancel=cancel)
        self.url = self.http.base_url
        self.reuse_seconds = reuse_seconds
        self.capabilities = CAPABILITIES
        self._multi: dict[str, bool] = {}       # variant id → is on a multi-store advert
        self._renumbered: dict[str, str] = {}   # stale variant id → current id (found by external_id)
        self._external: dict[str, str] = {}     # variant id (as listed) → its external_id
        self._has_sellers: bool | None = None   # known after list_locations
        self._catalogue_size = 0                # variants in the last full listing (read_cost)
        self._lock = threading.Lock()           # the executor's workers share the connector
        self._writes = 0                        # write requests sent (a listing is not reused across one)
        self._listing: tuple[float, int, dict[str, dict[str, Any]]] | None = None

    @property
    def page_size(self) -> int:
        """The page size listings ask for: the one given, or the one the store was found to accept."""
        return self.http.page_size

    @page_size.setter
    def page_size(self, size: int) -> None:
        self.http.page_size = size

    # -- reading -------------------------------------------------------------------------------

    def list_locations(self) -> list[Location]:
        own = Location(id=OWN_STOCK, name="Own stock", kind="own", default=True)
        sellers = [Location(id=f"{SELLER_PREFIX}{a['seller_id']}", name=str(a.get("seller_name") or a["seller_id"]),
                            kind="seller")
                   for a in (item["attributes"] for item in self.http.collection(f"{API}/multi_store_memberships"))]
        # A seller without multi-store memberships has exactly one place stock can be.
        self.capabilities = replace(CAPABILITIES, single_location=not sellers)
        self._has_sellers = bool(sellers)
        return [own, *sellers]

    def list_variants(self) -> list[Variant]:
        writes = self._writes
        items = list(self.http.collection(f"{API}/variants"))
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
                    levels[(vid, loc)] = inventory_level(attrs)
        for vid, attrs in attributes.items():
            levels[(vid, OWN_STOCK)] = INFINITE if attrs.get("infinite") else whole(attrs.get("count_on_hand"))
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
            everything = list(self.http.collection(f"{API}/variants"))
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
        data = self.http.data(response)
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
            return [item.get("attributes") or {} for item in self.http.data(response) or []]
        return None

    # -- writing -------------------------------------------------------------------------------

    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        return ChunkWrite(self).run(chunk)

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
        return [item for item in self.http.collection(f"{API}/variants", {"external_id": external_id})
                if (item.get("attributes") or {}).get("external_id") in (None, external_id)]

    # -- plumbing ------------------------------------------------------------------------------

    def _wrote(self) -> None:
        with self._lock:
            self._writes += 1

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
