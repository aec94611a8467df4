"""Genstore connector (REST 202412): absolute writes, one variant × location per request.

Quirks it absorbs: ids and quantities arrive as JSON strings (ids stay strings here, quantities
become ints); the inventory list answers under ``inventorys``; paging follows the ``Link`` header
(``rel=next``), which is only followed on the store's own origin so the token never leaves it;
committed stock is read-only, so only ``available`` is ever written. There is no SKU or barcode
lookup: the catalogue is listed once and resolved client-side.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator
from urllib.parse import quote, urlsplit

import httpx

from desktop_app.core.errors import ProtocolError
from desktop_app.core.issues import PLATFORM_REJECTED, UNSUPPORTED
from desktop_app.core.models import Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import HttpClient, RetryPolicy, default_describe

API = "/api/202412"
MAX_PAGE = 250

CAPABILITIES = Capabilities(
    platform="genstore", display_name="Genstore", location_noun="warehouse",
    can_set=True, can_adjust=False, single_location=False, max_chunk=1, chunk_by="change",
    rate_burst=40, rate_per_second=2.0, max_in_flight=4, id_format="numeric strings (~15 digits)",
    idempotent_writes=True, supports_infinite=False,
    notes=("Only available stock is written; committed stock cannot be changed through the API.",
           "Writing to a warehouse where a variant is not stocked yet binds it there first."),
)

_LINK = re.compile(r"<([^>]*)>([^,<]*)")
_REL = re.compile(r"""rel\s*=\s*"?([^";,\s]+)"?""", re.IGNORECASE)


class GenstoreConnector:
    capabilities = CAPABILITIES

    def __init__(self, url: str, token: str, *, page_size: int = MAX_PAGE, transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None, cancel: CancelToken | None = None) -> None:
        self.page_size = max(1, min(int(page_size), MAX_PAGE))
        base = url.rstrip("/").removesuffix(API)       # a pasted API root works too
        self._http = HttpClient(base, platform="Genstore", auth_headers={"X-Genstore-Access-Token": token},
                                describe_error=default_describe, transport=transport, retry=retry, cancel=cancel)
        self.url = self._http.base_url
        self._catalogue_size: int | None = None   # variants seen by list_variants, to cost reads

    # ------------------------------------------------------------------ reads
    def list_locations(self) -> list[Location]:
        out = []
        for item in self._pages("/shops/locations", "locations"):
            lid = _id(item.get("locationId", item.get("id")), "locationId")
            out.append(Location(id=lid, name=str(item.get("name") or lid), kind="warehouse",
                                default=_flag(item.get("isDefault"))))
        return out

    def list_variants(self) -> list[Variant]:
        out = []
        for product in self._pages("/products", "products"):
            pid = _id(product.get("productId", product.get("id")), "productId")
            name = str(product.get("title") or "")
            for item in _list(product.get("variants", []), "variants"):
                title = str(item.get("title") or "")
                out.append(Variant(
                    id=_id(item.get("variantId", item.get("id")), "variantId"),
                    product_id=_id(item.get("productId", pid), "productId"),
                    sku=_text(item.get("sku")), barcode=_text(item.get("barcode")),
                    title="" if title == "Default Title" else title, product=name))
        self._catalogue_size = len(out)
        return out

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        """Live levels, by whichever costs fewer requests: one ``GET /variants/{id}`` per variant
        (the engine's re-read right before a write touches a handful), or one paged pass over
        ``GET /inventory`` (a whole sheet), stopping once every wanted variant was seen."""
        wanted_locations = set(location_ids)
        remaining = set(variant_ids)
        if not remaining or not wanted_locations:
            return {}
        # the catalogue size is known once list_variants ran (prepare and the engine always do)
        pages = -(-self._catalogue_size // self.page_size) if self._catalogue_size is not None else 0
        if len(remaining) < pages:
            return self._read_variants(remaining, wanted_locations)
        levels: dict[tuple[str, str], Level] = {}
        for item in self._pages("/inventory", "inventorys"):
            vid = _id(item.get("variantId"), "variantId")
            if vid not in remaining:
                continue
            remaining.discard(vid)
            self._collect(levels, vid, item.get("inventoryCounts", []), "inventoryCounts", wanted_locations)
            if not remaining:
                break
        return levels

    def _read_variants(self, variant_ids: set[str], wanted_locations: set[str]) -> dict[tuple[str, str], Level]:
        levels: dict[tuple[str, str], Level] = {}
        for vid in sorted(variant_ids):
            response = self._http.request("GET", f"{API}/variants/{quote(vid, safe='')}")
            if response.status_code == 404:
                continue  # deleted since: not stocked anywhere
            if not response.is_success:
                raise ProtocolError(f"Genstore refused GET {API}/variants/{vid} ({response.status_code}: "
                                    f"{default_describe(response)}).", status=response.status_code)
            body = self._http.json(response)
            variant = body.get("productVariant") if isinstance(body, dict) else None
            if not isinstance(variant, dict):
                raise ProtocolError(f"Genstore answered GET {API}/variants/{vid} without a productVariant.")
            self._collect(levels, vid, variant.get("inventoryQuantities", []), "inventoryQuantities", wanted_locations)
        return levels

    @staticmethod
    def _collect(levels: dict[tuple[str, str], Level], vid: str, counts: Any, key: str, wanted: set[str]) -> None:
        for count in _list(counts, key):
            lid = _id(count.get("locationId"), "locationId")
            if lid in wanted:
                levels[(vid, lid)] = _qty(count.get("available"))

    # ------------------------------------------------------------------ writes
    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        return [self._apply_one(change) for change in chunk.changes]

    def _apply_one(self, change: Change) -> ChangeOutcome:
        after = change.after
        if isinstance(after, bool) or not isinstance(after, int):
            return ChangeOutcome(change, ok=False, code=UNSUPPORTED,
                                 error=f"Genstore stores whole numbers only; it cannot set {after!r} stock. "
                                       "Put a whole number in the sheet.")
        body = {"productId": change.product_id, "locationId": change.location_id, "available": str(after)}
        response = self._http.request("PUT", f"{API}/inventory/{quote(change.variant_id, safe='')}", write=True, json=body)
        if not response.is_success:
            return ChangeOutcome(change, ok=False, code=PLATFORM_REJECTED,
                                 error=f"Genstore rejected the change: {default_describe(response)} "
                                       f"(HTTP {response.status_code}).")
        return ChangeOutcome(change, ok=True, level_after=_level_in(response, change.location_id))

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ paging
    def _pages(self, path: str, key: str) -> Iterator[dict[str, Any]]:
        url: str = f"{API}{path}"
        params: dict[str, str] | None = {"limit": str(self.page_size)}
        seen: set[str] = set()
        while True:
            response = self._http.request("GET", url, params=params)
            if not response.is_success:
                raise ProtocolError(f"Genstore refused GET {API}{path} ({response.status_code}: "
                                    f"{default_describe(response)}).", status=response.status_code)
            body = self._http.json(response)
            if not isinstance(body, dict):
                raise ProtocolError(f"Genstore answered GET {API}{path} without a JSON object.")
            for item in _list(body.get(key, []), key):
                if not isinstance(item, dict):
                    raise ProtocolError(f"Genstore listed something that is not an object under '{key}'.")
                yield item
            link = next_link(response.headers.get("Link"))
            if not link:
                return
            url, params = self._same_origin(link), None
            if url in seen:
                raise ProtocolError(f"Genstore's paging of {API}{path} loops back to a page already read.")
            seen.add(url)

    def _same_origin(self, link: str) -> str:
        """The next page's address on the configured origin; a link elsewhere would leak the token."""
        base, target = urlsplit(self.url), urlsplit(link)
        if target.netloc and target.netloc.lower() != base.netloc.lower():
            raise ProtocolError(f"Genstore sent a next-page link to another host ({target.hostname}); "
                                "Stocksheet does not follow it.")
        return f"{base.scheme}://{base.netloc}{target.path}" + (f"?{target.query}" if target.query else "")


def next_link(header: str | None) -> str | None:
    """The ``rel=next`` target of a ``Link`` header, or None."""
    for match in _LINK.finditer(header or ""):
        rel = _REL.search(match.group(2))
        if rel and "next" in rel.group(1).lower().split():
            return match.group(1).strip()
    return None


# ---------------------------------------------------------------------- defensive parsing
def _list(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProtocolError(f"Genstore sent '{key}' as {type(value).__name__}, not a list.")
    return value


def _id(value: Any, key: str) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ProtocolError(f"Genstore sent {key} {value!r}, which is not an id.")


def _qty(value: Any) -> int:
    try:
        if isinstance(value, bool) or isinstance(value, float):
            raise ValueError(value)
        return int(str(value).strip())
    except ValueError:
        raise ProtocolError(f"Genstore sent the quantity {value!r}, which is not a whole number.") from None


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _level_in(response: httpx.Response, location_id: str) -> Level:
    """The written location's level from a 2xx write answer; None if the answer can't be read
    (the write itself succeeded, so this never raises)."""
    try:
        inventory = response.json().get("inventory") or {}
        for count in inventory.get("inventoryCounts") or []:
            if str(count.get("locationId")) == location_id:
                return _qty(count.get("available"))
    except (ValueError, AttributeError, TypeError, ProtocolError):
        return None
    return None
