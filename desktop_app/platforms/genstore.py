"""Genstore connector (REST 202412): absolute writes, one variant × location per request.

Quirks it absorbs: ids and quantities arrive as JSON strings (ids stay strings here, quantities
become ints); the inventory list answers under ``inventorys``; paging follows the ``Link`` header
(``rel=next``), which is only followed on the store's own origin so the token never leaves it;
committed stock is read-only, so only ``available`` is ever written. There is no SKU or barcode
lookup: the catalogue is listed once and resolved client-side.

Readings of the docs it is proven against (``sandbox.genstore.READINGS``): ids and quantities as
strings or numbers; ``inventoryManagement`` as ``"true"``/``"false"`` or a boolean; error bodies
``{"error"}``, ``{"errors": […]}`` or ``{"code", "message"}``; the access scopes as a bracketed
string, a list or a plain comma list, or no scopes endpoint at all; levels with or without
``committed``/``onHand`` beside ``available``.

Beyond the connector protocol: ``write_access()`` says, once and cheaply, whether the token may
write inventory (the docs: writes need ``write_products``); ``read_committed()`` gives committed
stock where the store shows it, so an "on hand" target can become an ``available`` one. A variant
whose inventory management is off carries ``extra["inventory_management"] = False`` and its
change fails before any request.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Iterable, Iterator
from urllib.parse import quote, urlsplit

import httpx

from desktop_app.core.errors import AuthError, ProtocolError
from desktop_app.core.issues import PLATFORM_REJECTED, UNSUPPORTED
from desktop_app.core.models import Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import HttpClient, RetryPolicy, default_describe, json_body, on_origin

API = "/api/202412"
MAX_PAGE = 250
#: api-docs 000: PUT /inventory/{variantId} and POST /inventory/connect "Require ANY of the following
#: access scopes: write_products"; GET /inventory takes write_products or read_products
WRITE_SCOPES = frozenset({"write_products"})
READ_SCOPES = frozenset({"read_products", "write_products"})
_UNCHECKED = object()

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
                                describe_error=describe, transport=transport, retry=retry, cancel=cancel)
        self.url = self._http.base_url
        self._catalogue_size: int | None = None   # variants seen by list_variants, to cost reads
        self._unmanaged: frozenset[str] = frozenset()   # variants listed with inventory management off
        self._states_shown: bool | None = None    # do levels carry committed/onHand? None: not seen yet
        self._write_access: Any = _UNCHECKED
        self._write_access_lock = threading.Lock()

    # ------------------------------------------------------------------ scopes
    def write_access(self) -> str | None:
        """None when the token may write inventory, or as far as the store lets us know; otherwise
        one sentence saying what is missing and what to do. One ``GET /oauth2/access_scopes``, the
        first time only. A store without that endpoint (404/405), a 403 on it or an answer that
        names no scopes is "unknown" → None (the first write will tell). Raises like any read for
        a refused token (401), an unreachable store or a 5xx."""
        with self._write_access_lock:
            if self._write_access is _UNCHECKED:
                self._write_access = self._check_write_access()
            return self._write_access

    def _check_write_access(self) -> str | None:
        try:
            response = self._http.request("GET", f"{API}/oauth2/access_scopes")
        except AuthError as exc:
            if exc.status == 403:
                return None
            raise
        if not response.is_success:
            return None
        try:
            scopes = _scopes(response.json())
        except ValueError:
            return None
        if not scopes or scopes & WRITE_SCOPES:
            return None
        can = "can read but not write" if scopes & READ_SCOPES else "can neither read nor write"
        return (f"The Genstore access token {can} inventory (it lacks the write_products scope): "
                "ask the store owner for a token with it.")

    # ------------------------------------------------------------------ reads
    def list_locations(self) -> list[Location]:
        out = []
        for item in self._pages("/shops/locations", "locations"):
            lid = _id(item.get("locationId", item.get("id")), "locationId")
            out.append(Location(id=lid, name=str(item.get("name") or lid), kind="warehouse",
                                default=_flag(item.get("isDefault"))))
        return out

    def list_variants(self) -> list[Variant]:
        """Every variant; one whose inventory management is off carries
        ``extra["inventory_management"] = False`` (its changes are refused by ``apply``)."""
        out = []
        unmanaged = set()
        for product in self._pages("/products", "products"):
            pid = _id(product.get("productId", product.get("id")), "productId")
            name = str(product.get("title") or "")
            for item in _list(product.get("variants", []), "variants"):
                title = str(item.get("title") or "")
                vid = _id(item.get("variantId", item.get("id")), "variantId")
                extra: dict[str, Any] = {}
                if _managed(item.get("inventoryManagement")) is False:
                    extra["inventory_management"] = False
                    unmanaged.add(vid)
                out.append(Variant(
                    id=vid, product_id=_id(item.get("productId", pid), "productId"),
                    sku=_text(item.get("sku")), barcode=_text(item.get("barcode")),
                    title="" if title == "Default Title" else title, product=name, extra=extra))
        self._catalogue_size = len(out)
        self._unmanaged = frozenset(unmanaged)
        return out

    def read_cost(self, variants: int, locations: int) -> int:
        """Requests ``read_levels`` needs (``engine.verify``): one ``GET /variants/{id}`` each, or one
        paged pass over ``GET /inventory``, whichever is fewer."""
        if variants <= 0:
            return 0
        if self._catalogue_size is None:
            return variants
        return min(variants, max(1, -(-self._catalogue_size // self.page_size)))

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        """Live levels, by whichever costs fewer requests: one ``GET /variants/{id}`` per variant
        (the engine's re-read right before a write touches a handful), or one paged pass over
        ``GET /inventory`` (a whole sheet), stopping once every wanted variant was seen."""
        return self._read(variant_ids, location_ids)[0]

    def read_committed(self, variant_ids: Iterable[str], location_ids: Iterable[str]
                       ) -> dict[tuple[str, str], int] | None:
        """Committed stock (reserved for unfulfilled orders) per bound variant × location, as the
        store shows it (``committed``, or ``onHand`` − ``available``); a pair left out is not bound
        there. None when the store does not report committed stock at all (it shows only
        ``available``, as the docs' examples do). Costs what ``read_levels`` costs, and nothing
        once a read showed the store does not report it."""
        if self._states_shown is False:
            return None
        committed = self._read(variant_ids, location_ids)[1]
        return None if self._states_shown is False else committed

    def _read(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> tuple[dict, dict]:
        wanted_locations = set(location_ids)
        remaining = set(variant_ids)
        levels: dict[tuple[str, str], Level] = {}
        committed: dict[tuple[str, str], int] = {}
        if not remaining or not wanted_locations:
            return levels, committed
        # the catalogue size is known once list_variants ran (prepare does). Undo and resume never
        # read the catalogue: then a paged pass could cost the whole store (800 pages on a
        # 200k-level store) for a handful of levels, so they read per variant, as read_cost says
        pages = -(-self._catalogue_size // self.page_size) if self._catalogue_size is not None else None
        if pages is None or len(remaining) < pages:
            self._read_variants(remaining, wanted_locations, levels, committed)
            return levels, committed
        for item in self._pages("/inventory", "inventorys"):
            vid = _id(item.get("variantId"), "variantId")
            if vid not in remaining:
                continue
            remaining.discard(vid)
            self._collect(levels, committed, vid, item.get("inventoryCounts", []), "inventoryCounts", wanted_locations)
            if not remaining:
                break
        return levels, committed

    def _read_variants(self, variant_ids: set[str], wanted_locations: set[str], levels: dict, committed: dict) -> None:
        for vid in sorted(variant_ids):
            response = self._http.request("GET", f"{API}/variants/{quote(vid, safe='')}")
            if response.status_code == 404:
                continue  # deleted since: not stocked anywhere
            if not response.is_success:
                raise ProtocolError(f"Genstore refused GET {API}/variants/{vid} ({response.status_code}: "
                                    f"{describe(response)}).", status=response.status_code)
            body = self._http.json(response)
            variant = body.get("productVariant") if isinstance(body, dict) else None
            if not isinstance(variant, dict):
                raise ProtocolError(f"Genstore answered GET {API}/variants/{vid} without a productVariant.")
            self._collect(levels, committed, vid, variant.get("inventoryQuantities", []), "inventoryQuantities",
                          wanted_locations)

    def _collect(self, levels: dict[tuple[str, str], Level], committed: dict[tuple[str, str], int], vid: str,
                 counts: Any, key: str, wanted: set[str]) -> None:
        for count in _list(counts, key):
            if not isinstance(count, dict):
                raise ProtocolError(f"Genstore listed something that is not an object under '{key}'.")
            shown = "committed" in count or "onHand" in count
            self._states_shown = shown or bool(self._states_shown)
            lid = _id(count.get("locationId"), "locationId")
            if lid not in wanted:
                continue
            available = levels[(vid, lid)] = _qty(count.get("available"))
            if count.get("committed") is not None:
                committed[(vid, lid)] = _qty(count["committed"])
            elif count.get("onHand") is not None:
                committed[(vid, lid)] = _qty(count["onHand"]) - available

    # ------------------------------------------------------------------ writes
    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        return [self._apply_one(change) for change in chunk.changes]

    def _apply_one(self, change: Change) -> ChangeOutcome:
        flagged = change.variant is not None and change.variant.extra.get("inventory_management") is False
        if flagged or change.variant_id in self._unmanaged:
            return ChangeOutcome(change, ok=False, code=UNSUPPORTED,
                                 error=f"Genstore does not track stock for variant {change.sku or change.variant_id} "
                                       "(inventory management is off): turn it on in the store first.")
        after = change.after
        if isinstance(after, bool) or not isinstance(after, int):
            return ChangeOutcome(change, ok=False, code=UNSUPPORTED,
                                 error=f"Genstore stores whole numbers only; it cannot set {after!r} stock. "
                                       "Put a whole number in the sheet.")
        body = {"productId": change.product_id, "locationId": change.location_id, "available": str(after)}
        response = self._http.request("PUT", f"{API}/inventory/{quote(change.variant_id, safe='')}", write=True, json=body)
        if not response.is_success:
            return ChangeOutcome(change, ok=False, code=PLATFORM_REJECTED,
                                 error=f"Genstore rejected the change: {describe(response)} "
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
                                    f"{describe(response)}).", status=response.status_code)
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
        return on_origin(self.url, link)


def next_link(header: str | None) -> str | None:
    """The ``rel=next`` target of a ``Link`` header, or None."""
    for match in _LINK.finditer(header or ""):
        rel = _REL.search(match.group(2))
        if rel and "next" in rel.group(1).lower().split():
            return match.group(1).strip()
    return None


def describe(response: httpx.Response) -> str:
    """The store's own message from an error answer, whatever its body's shape: ``{"error": …}``
    (documented), ``{"errors": [...]}`` / ``{"errors": {field: [...]}}``, ``{"code", "message"}``."""
    body = json_body(response)
    if isinstance(body, dict):
        for key in ("error", "errors", "message", "msg", "errmsg", "error_description"):
            text = _message(body.get(key))
            if text:
                return text
    return default_describe(response)


def _message(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "; ".join(m for m in (_message(v) for v in value) if m)
    if isinstance(value, dict):
        for key in ("message", "msg", "errmsg", "error", "detail"):
            text = _message(value.get(key))
            if text:
                return text
        return "; ".join(f"{k}: {m}" for k, m in ((k, _message(v)) for k, v in value.items()) if m)
    return ""


def _scopes(body: Any) -> frozenset[str]:
    """The scope names of an ``access_scopes`` answer: ``"[read_products,write_products]"`` as
    documented, a JSON list (of names or of ``{"handle": name}``), or a plain comma list."""
    value = body.get("accessScopes", body.get("access_scopes")) if isinstance(body, dict) else None
    if isinstance(value, str):
        names = re.split(r"[\s,]+", value.strip().strip("[]"))
    elif isinstance(value, list):
        names = [str(v.get("handle", "")) if isinstance(v, dict) else str(v) for v in value]
    else:
        return frozenset()
    return frozenset(n.strip().strip("'\"").lower() for n in names if n.strip().strip("'\""))


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


def _managed(value: Any) -> bool | None:
    """``inventoryManagement`` as sent (``"true"``/``"false"`` documented, booleans, 1/0); None when
    absent or unreadable, which is not treated as "off"."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    return True if text in ("true", "1") else False if text in ("false", "0") else None


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
