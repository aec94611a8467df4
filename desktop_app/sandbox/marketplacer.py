"""Emulator of Marketplacer's legacy Seller REST API v2 (JSON:API) — the stock-related part.

Base path ``/api/v2/client``. What it does, and where we chose because the docs are silent:

* Auth: ``Authorization: Bearer <key>`` or ``MARKETPLACER-API-KEY: <key>`` (for sites behind HTTP
  Basic auth). Anything else → 401 ``{"errors":[{"status":"401","title":"Unauthorized",…}]}``.
  ``basic_auth="user:password"`` puts the site behind HTTP Basic auth, as the docs describe for
  some marketplaces: a request without those Basic credentials gets the web server's 401
  (``WWW-Authenticate: Basic``, an HTML body) before the API sees it, and the key must then travel
  in ``MARKETPLACER-API-KEY`` (the ``Authorization`` header carries the Basic credentials).
* Request bodies must be ``Content-Type: application/vnd.api+json`` (no media-type parameters,
  as jsonapi.org requires) → else 415. Errors are JSON:API ``{"errors":[…]}`` [inferred: the
  docs give statuses only]; ``error_body="error"`` answers ``{"error": "…"}`` and ``"empty"`` no
  body at all (the other plausible readings).
* Paging: ``page[number]`` (from 1), ``page[size]`` default 50, max ``max_page_size`` (500; the
  doc versions say 100, 500 and 1100). A larger size is refused (``oversized_page="400"``, or
  ``"422"``) or silently clamped (``"clamp"``); a non-numeric size is a 400. Collections carry
  absolute ``links.first/next/last`` (with the page size actually used); ``next`` is absent on
  the last page.
* ``GET /variants`` filters ``sku``, ``barcode``, ``external_id`` (exact, one value each; also
  accepted as ``filter[sku]``); none → every variant. ``GET /variants/{id}`` answers ``data`` as a
  one-element list, as the documentation's examples show.
* ``POST /variants/stock_on_hand`` ``{"count_on_hand":{"123":2,"789":"INFINITE"}}`` → 201, empty
  body. Values: whole numbers ≥ 0 (JSON integers or digit strings) or exactly ``"INFINITE"``. Any
  bad value or unknown variant → 422 for the whole request and nothing is applied [inferred:
  atomic]; ``bulk="partial"``: the good entries are applied and the 422 names the bad ones. A
  number clears the infinite flag [inferred].
* ``PUT /variants/{id}``: ``count_on_hand`` / ``infinite`` (and sku/barcode/external_id) update
  independently — a count does not clear ``infinite`` unless ``infinite: false`` is sent.
* Inventories exist only for multi-store adverts (single-seller → 422). Parent ``PUT`` is a partial
  upsert keyed by ``seller_id``: sellers left out keep their record, ``0`` is an explicit "none";
  infinite rows omit ``count_on_hand``. The whole request is validated before anything is applied.
* Variants carry ``"multi_store"`` [inferred — the legacy docs name no such flag; turn it off with
  ``expose_multi_store=False`` to make a client find out through the inventories endpoint].
  ``infinite`` and ``external_id`` are not in the documented variant example either (only the
  ``external_id`` filter and the ``infinite`` write are): ``expose_infinite=False`` /
  ``expose_external_id=False`` leave them out of every variant rendered.
* Rate limit 50 requests/s (bucket 50) → 429 with an errors body.

Test hooks: ``level()``, ``set_level()``, ``ledger()``, ``request_count``, ``renumber()``,
``variant_id()``.

The write handlers live in ``sandbox.marketplacer_writes``, the error answers and request checks
in ``sandbox.marketplacer_errors``, the data and the demo catalogue in ``sandbox.marketplacer_state``;
this module is the app: routing, auth, reads, rendering, paging and test hooks.
May import: the ``sandbox`` modules named here, ``sandbox.catalog``, ``sandbox.http``, ``sandbox.readings``.
"""
from __future__ import annotations

import base64
import math
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

from desktop_app.sandbox.catalog import load_catalog
from desktop_app.sandbox.http import Request, Response, Router, TokenBucket, parse_rate
from desktop_app.sandbox.marketplacer_errors import (
    ERROR_BODIES, JSONAPI, WHOLE, ApiError, ValidationErrors, error_response, page_param)
from desktop_app.sandbox.marketplacer_state import INFINITE, MarketplacerState, demo_catalog
from desktop_app.sandbox.marketplacer_writes import Writes

__all__ = ["MarketplacerApp", "ApiError", "ValidationErrors", "demo_catalog", "DEFAULT_TOKEN", "JSONAPI"]

BASE = "/api/v2/client"
DEFAULT_TOKEN = "marketplacer-sandbox-key"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
OVERSIZED_PAGE = ("400", "422", "clamp")
BULK = ("atomic", "partial")
DEFAULT_RATE = (50, 50.0)


class MarketplacerApp(Writes):
    platform = "marketplacer"

    def __init__(self, *, state: MarketplacerState, token: str, rate: tuple[int, float] | None,
                 expose_multi_store: bool = True, expose_infinite: bool = True, expose_external_id: bool = True,
                 max_page_size: int = MAX_PAGE_SIZE, oversized_page: str = "400", bulk: str = "atomic",
                 error_body: str = "jsonapi", basic_auth: str | None = None) -> None:
        for name, value, allowed in (("oversized_page", oversized_page, OVERSIZED_PAGE), ("bulk", bulk, BULK),
                                     ("error_body", error_body, ERROR_BODIES)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        if basic_auth is not None and ":" not in basic_auth:
            raise ValueError("basic_auth must be 'user:password'")
        self.state = state
        self.token = token
        self.expose_multi_store = expose_multi_store
        self.expose_infinite = expose_infinite
        self.expose_external_id = expose_external_id
        self.max_page_size = int(max_page_size)
        self.oversized_page = oversized_page
        self.bulk = bulk
        self.error_body = error_body
        self.basic_auth = basic_auth
        self.request_count = 0
        self._count_lock = threading.Lock()
        self._bucket = TokenBucket(*rate) if rate else None
        self._router = Router()
        r = self._router.add
        r("GET", BASE + r"/variants", self._list_variants)
        r("POST", BASE + r"/variants/stock_on_hand", self._stock_on_hand)
        r("GET", BASE + r"/variants/(?P<id>\d+)", self._get_variant)
        r("PUT", BASE + r"/variants/(?P<id>\d+)", self._put_variant)
        r("GET", BASE + r"/variants/(?P<id>\d+)/inventories", self._get_inventories)
        r("PUT", BASE + r"/variants/(?P<id>\d+)/inventories", self._put_inventories)
        r("DELETE", BASE + r"/variants/(?P<id>\d+)/inventories/(?P<inv>\d+)", self._delete_inventory)
        r("GET", BASE + r"/multi_store_memberships", self._memberships)

    @classmethod
    def create(cls, *, catalog: str = "demo", state: Path | None = None, rate: str = "default",
               token: str | None = None, **options: Any) -> "MarketplacerApp":
        spec = load_catalog(catalog, demo=demo_catalog)
        return cls(state=MarketplacerState(state, catalog=spec), token=token or DEFAULT_TOKEN,
                   rate=parse_rate(rate, DEFAULT_RATE), **options)

    def close(self) -> None:
        self.state.close()

    # -- the request pipeline ------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        with self._count_lock:
            self.request_count += 1
        if self._bucket is not None:
            granted, _wait = self._bucket.take()
            if not granted:
                return self._error(ApiError(429, "Too Many Requests", "Rate limit of 50 requests per second exceeded."))
        if self.basic_auth is not None and not self._basic_ok(request.headers):
            # the web server in front of the site answers, not the API: no JSON at all
            return Response(401, b"<html><body><h1>401 Authorization Required</h1></body></html>",
                            headers={"Content-Type": "text/html", "WWW-Authenticate": 'Basic realm="Marketplacer"'})
        if not self._authorised(request.headers):
            return self._error(ApiError(401, "Unauthorized", "The API key is missing or not valid."))
        handler, params, exists = self._router.match(request.method, request.path)
        if handler is None:
            status, title = (405, "Method Not Allowed") if exists else (404, "Not Found")
            return self._error(ApiError(status, title, f"No route for {request.method} {request.path}."))
        if request.method in ("POST", "PUT", "PATCH"):
            ctype = request.headers.get("content-type", "")
            if ctype.strip().lower() != JSONAPI:
                return self._error(ApiError(415, "Unsupported Media Type",
                                            f"Request bodies must be sent as Content-Type: {JSONAPI}, not "
                                            f"{ctype or 'no content type'}."))
        request.params = params
        try:
            return handler(request)
        except ApiError as exc:
            return self._error(exc)
        except ValidationErrors as exc:
            return error_response(422, exc.errors, self.error_body)

    def _error(self, error: ApiError) -> Response:
        return error_response(error.status, [error], self.error_body)

    def _basic_ok(self, headers: dict[str, str]) -> bool:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8") == self.basic_auth
        except (ValueError, UnicodeDecodeError):
            return False

    def _authorised(self, headers: dict[str, str]) -> bool:
        key = headers.get("marketplacer-api-key")
        if key is None and self.basic_auth is None:     # behind Basic auth, Authorization is taken
            scheme, _, value = headers.get("authorization", "").partition(" ")
            key = value.strip() if scheme.lower() == "bearer" else None
        return key == self.token

    # -- variants ------------------------------------------------------------------------------

    def _list_variants(self, request: Request) -> Response:
        filters = {name: request.arg(name, request.arg(f"filter[{name}]"))
                   for name in ("sku", "barcode", "external_id")}
        rows = self.state.variants(**filters)
        extra = {f"{k}": v for k, v in filters.items() if v is not None}
        return self._page(request, rows, extra, render=self._variant)

    def _get_variant(self, request: Request) -> Response:
        row = self._variant_row(request)
        return self._ok({"links": {"self": self._url(request, request.path)}, "data": [self._variant(row)]})

    # -- inventories ---------------------------------------------------------------------------

    def _multi_store_row(self, request: Request) -> dict[str, Any]:
        row = self._variant_row(request)
        if not row["multi_store"]:
            raise ApiError(422, "Not Multi-Store",
                           f"Variant {row['id']} belongs to a single-seller advert; set its stock on the variant "
                           "(count_on_hand), not through inventories.")
        return row

    def _get_inventories(self, request: Request) -> Response:
        row = self._multi_store_row(request)
        return self._ok({"data": [self._inventory(i) for i in self.state.inventories(row["id"])]})

    def _memberships(self, request: Request) -> Response:
        items = [{"id": m["id"], "type": "multi_store_memberships",
                  "attributes": {"seller_id": m["seller_id"], "seller_name": m["seller_name"]}}
                 for m in self.state.memberships()]
        return self._page(request, items, {})

    # -- rendering -----------------------------------------------------------------------------

    def _variant_row(self, request: Request) -> dict[str, Any]:
        row = self.state.variant(int(request.params["id"]))
        if row is None:
            raise ApiError(404, "Not Found", f"Variant {request.params['id']} does not exist or is not yours.")
        return row

    def _variant(self, row: dict[str, Any]) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "count_on_hand": row["count_on_hand"], "infinite": bool(row["infinite"]), "sku": row["sku"],
            "barcode": row["barcode"], "external_id": row["external_id"], "price": row["price"], "sale_price": None}
        if self.expose_multi_store:
            attrs["multi_store"] = bool(row["multi_store"])
        if not self.expose_infinite:
            del attrs["infinite"]
        if not self.expose_external_id:
            del attrs["external_id"]
        return {"id": row["id"], "type": "variants", "attributes": attrs,
                "relationships": {"advert": {"data": {"type": "adverts", "id": row["advert_id"]}}}}

    @staticmethod
    def _inventory(row: dict[str, Any]) -> dict[str, Any]:
        attrs: dict[str, Any] = {"count_on_hand": row["count_on_hand"], "price": row["price"],
                                 "sale_price": row["sale_price"], "infinite": bool(row["infinite"]),
                                 "seller_id": row["seller_id"], "fulfilment_provider": row["fulfilment_provider"]}
        if row["infinite"]:
            del attrs["count_on_hand"], attrs["price"], attrs["sale_price"]
        return {"id": row["id"], "type": "inventories", "attributes": attrs}

    def _page(self, request: Request, items: list[Any], extra: dict[str, str],
              render: Callable[[Any], dict[str, Any]] | None = None) -> Response:
        """One page of ``items``; ``render`` turns the page's own items into JSON (only those: a
        100k-variant catalogue read page by page must not render every variant for every page)."""
        number = page_param(request, "page[number]", 1, upper=None)
        size = page_param(request, "page[size]", DEFAULT_PAGE_SIZE, upper=None)
        if size > self.max_page_size:
            if self.oversized_page == "clamp":
                size = self.max_page_size
            else:
                status = int(self.oversized_page)
                raise ApiError(status, "Invalid Page", f"page[size] must be a whole number between 1 and "
                                                       f"{self.max_page_size}, not {size}.")
        last = max(1, math.ceil(len(items) / size))

        def link(n: int) -> str:
            return self._url(request, request.path, {**extra, "page[number]": n, "page[size]": size})

        links = {"first": link(1), "last": link(last)}
        if number < last:
            links["next"] = link(number + 1)
        page = items[(number - 1) * size: number * size]
        return self._ok({"links": links, "data": [render(i) for i in page] if render else page})

    @staticmethod
    def _url(request: Request, path: str, query: dict[str, Any] | None = None) -> str:
        host = request.headers.get("host", "127.0.0.1")
        return f"http://{host}{path}" + (f"?{urlencode(query)}" if query else "")

    @staticmethod
    def _ok(body: dict[str, Any]) -> Response:
        return Response(200, body, headers={"Content-Type": JSONAPI})

    # -- test hooks ----------------------------------------------------------------------------

    def variant_id(self, sku: str) -> int:
        rows = self.state.variants(sku=sku)
        if len(rows) != 1:
            raise KeyError(f"{len(rows)} variants have SKU {sku!r}")
        return rows[0]["id"]

    def level(self, sku: str, location_name: str | None = None) -> int | str | None:
        """Own stock (``location_name=None``) or the named seller's inventory (None: no record)."""
        vid = self.variant_id(sku)
        if location_name is None:
            row = self.state.variant(vid)
            return INFINITE if row["infinite"] else row["count_on_hand"]
        seller = self._seller_id(location_name)
        for inv in self.state.inventories(vid):
            if inv["seller_id"] == seller:
                return INFINITE if inv["infinite"] else inv["count_on_hand"]
        return None

    def set_level(self, sku: str, level: int | str | None, *, location_name: str | None = None) -> None:
        """Change stock behind the client's back (a sale, a manual edit); recorded with ``via="test"``."""
        vid = self.variant_id(sku)
        if location_name is None:
            self.state.set_variant_stock({vid: (None, True) if level == INFINITE else (int(level), False)}, via="test")
            return
        seller = self._seller_id(location_name)
        if level is None:
            for inv in self.state.inventories(vid):
                if inv["seller_id"] == seller:
                    self.state.delete_inventory(vid, inv["id"], via="test")
            return
        row = {"seller_id": seller, "infinite": True} if level == INFINITE else \
            {"seller_id": seller, "count_on_hand": int(level), "infinite": False}
        self.state.upsert_inventories(vid, [row], via="test")

    def ledger(self) -> list[dict[str, Any]]:
        """Every stock change, oldest first: variant_id, sku, location (None = own stock), before, after, via."""
        def level(text: str | None) -> int | str | None:
            return int(text) if text is not None and WHOLE.fullmatch(text) else text
        return [{**e, "before": level(e["before"]), "after": level(e["after"])} for e in self.state.ledger()]

    def renumber(self) -> dict[int, int]:
        """Simulate a CSV export/re-import: every variant gets a new id; external ids stay."""
        return self.state.renumber()

    def _seller_id(self, name: str) -> int:
        for m in self.state.memberships():
            if m["seller_name"] == name:
                return m["seller_id"]
        raise KeyError(f"no multi-store seller named {name!r}")


# ---- readings of the docs (see ``sandbox.readings``): one row per plausible reading ----------------
from desktop_app.sandbox.readings import Reading  # noqa: E402

_OVERVIEW = "platforms.md §3 Pagination"
READINGS: tuple[Reading, ...] = (
    Reading("default", "documented", "the seed docs (../shared/api-docs) and platforms.md",
            "as the docs describe it: pages of up to 500, a larger page[size] refused with 400; the bulk "
            "stock_on_hand map all-or-none (422); JSON:API error bodies; infinite, external_id and multi_store "
            "on every variant", reported=True),
    Reading("page-max-100", "documented", f"{_OVERVIEW}: \"limited to 100\" (old overview)",
            "pages of at most 100; asking for more is a 400", {"max_page_size": 100}),
    Reading("page-max-100-422", "guess", f"{_OVERVIEW}: \"limited to 100\"; the refusal status is not documented",
            "pages of at most 100; asking for more is a 422", {"max_page_size": 100, "oversized_page": "422"}),
    Reading("page-max-100-clamped", "guess", f"{_OVERVIEW}: \"limited to 100\"; a refusal is not documented at all",
            "pages of at most 100; a larger page[size] is silently cut to 100 (links.next goes on)",
            {"max_page_size": 100, "oversized_page": "clamp"}),
    Reading("page-max-1100", "documented", f"{_OVERVIEW}: \"defaults to 50 … maximum 1100\" (dev.marketplacer.com)",
            "pages of up to 1100", {"max_page_size": 1100}),
    Reading("bulk-partial", "guess", "platforms.md §Uncertain: \"whether stock_on_hand is partial or atomic\"",
            "the bulk stock_on_hand map applies its good entries and answers 422 naming the bad ones",
            {"bulk": "partial"}),
    Reading("errors-plain", "guess", "platforms.md §3 Errors: \"body format not found\"",
            "error bodies are {\"error\": \"…\"}", {"error_body": "error"}),
    Reading("errors-empty", "guess", "platforms.md §3 Errors: only statuses documented (404, 422, 201, 204)",
            "error answers have no body", {"error_body": "empty"}),
    Reading("documented-fields-only", "documented",
            "platforms.md §3 variant item example: count_on_hand, sku, barcode, price, sale_price only",
            "variants carry no infinite, external_id or multi_store attribute",
            {"expose_infinite": False, "expose_external_id": False, "expose_multi_store": False}),
)
