"""Genstore emulator: REST API version 202412, inventory and the catalogue reads around it.

Faithful to the documented quirks (see /work/shared/platforms.md §1):

* auth header ``X-Genstore-Access-Token``; every error body is ``{"error": "…"}``;
* the token carries access scopes (``GET /oauth2/access_scopes`` →
  ``{"accessScopes": "[read_products,write_products]"}``); catalogue and inventory reads need
  ``read_products`` or ``write_products``, both inventory writes ``write_products`` (api-docs 000:
  "Requires ANY of the following access scopes"), else ``403``;
* every id and quantity is a JSON *string*; ids are ~15-digit numerals, locations 5-digit;
* ``GET /inventory`` answers under the misspelt key ``inventorys``;
* ``PUT /inventory/{variantId}`` sets ``available`` absolutely and binds an unbound location;
  committed stock cannot be written;
* cursor paging through the ``Link`` header (``pageToken`` + ``limit``, default 50, max 250;
  a ``pageToken`` may only travel with ``limit``); page tokens are opaque and die with the process;
* a token bucket of 40 refilled at 2/s → ``429 {"error": "Too Many Requests"}`` (``Retry-After``
  only with ``retry_after=True``: no source documents it).

Paths may carry a trailing ``.json``. State lives in SQLite (``sandbox.store``). Where the docs
are silent or disagree, ``create`` takes the point as an option; ``READINGS`` at the end names
each plausible combination and where it comes from.

The test hooks live in ``sandbox.genstore_data`` (``StateHooks``, with the schema, seeding,
queries, JSON shapes and demo catalogue), the refusals and request checks in
``sandbox.genstore_errors``; this module is the app: routing, auth, scopes, paging and handlers.
May import: the ``sandbox`` modules named here, ``sandbox.http``, ``sandbox.readings``, ``sandbox.store``.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from pathlib import Path
from typing import Any

from desktop_app.sandbox import genstore_data as data
from desktop_app.sandbox.genstore_data import StateHooks, demo_catalog
from desktop_app.sandbox.genstore_errors import (
    DEFAULT_LIMIT, MAX_LIMIT, MAX_QUANTITY, Reject, json_body, page_limit, quantity, required_id)
from desktop_app.sandbox.http import Request, Response, Router, TokenBucket, parse_rate
from desktop_app.sandbox.store import SqliteStore

API = "/api/202412"
DEFAULT_RATE = (40, 2.0)
DEFAULT_SCOPES = "read_products,write_products"
READ_SCOPES = frozenset({"read_products", "write_products"})     # api-docs 000: GET /inventory
WRITE_SCOPES = frozenset({"write_products"})                      # api-docs 000: PUT /inventory, connect
ERROR_SHAPES = ("error", "errors", "code_message")
SCOPES_FORMATS = ("bracketed", "list", "plain")
FLAG_FORMATS = ("string", "boolean")
UNTRACKED_WRITES = ("accept", "refuse")
_ID = r"(?P<{}>\d+)"

__all__ = ["GenstoreApp", "READINGS", "demo_catalog", "API", "DEFAULT_RATE", "DEFAULT_LIMIT", "MAX_LIMIT",
           "MAX_QUANTITY"]


class GenstoreApp(StateHooks):
    platform = "genstore"

    def __init__(self, *, store: SqliteStore, token: str, bucket: TokenBucket | None, retry_after: bool = False,
                 scopes: str = DEFAULT_SCOPES, scopes_endpoint: bool = True, scopes_format: str = "bracketed",
                 error_shape: str = "error", json_numbers: bool = False, flags: str = "string",
                 untracked_writes: str = "accept", stock_states: bool = False) -> None:
        for name, value, allowed in (("error_shape", error_shape, ERROR_SHAPES),
                                     ("scopes_format", scopes_format, SCOPES_FORMATS),
                                     ("flags", flags, FLAG_FORMATS),
                                     ("untracked_writes", untracked_writes, UNTRACKED_WRITES)):
            if value not in allowed:
                raise ValueError(f"Genstore sandbox option {name}={value!r}: choose one of {', '.join(allowed)}")
        self.store = store
        self.token = token
        self.retry_after = retry_after
        self.scopes = tuple(s.strip() for s in scopes.split(",") if s.strip())
        self.scopes_format = scopes_format
        self.error_shape = error_shape
        self.untracked_writes = untracked_writes
        self.shape = data.Shape(numbers=json_numbers, boolean_flags=flags == "boolean", stock_states=stock_states)
        self.request_count = 0
        self._bucket = bucket
        self._page_secret = secrets.token_bytes(16)   # page tokens are temporary: they die with the process
        self._router = Router()
        r = self._router.add
        r("GET", f"{API}/shops/locations", self._list_locations)
        r("GET", f"{API}/shops/locations/count", self._count_locations)
        r("GET", f"{API}/shops/locations/{_ID.format('location_id')}", self._get_location)
        r("GET", f"{API}/products", self._list_products)
        r("GET", f"{API}/products/{_ID.format('product_id')}", self._get_product)
        r("GET", f"{API}/variants/{_ID.format('variant_id')}", self._get_variant)
        r("GET", f"{API}/inventory", self._list_inventory)
        r("POST", f"{API}/inventory/connect", self._connect)
        r("PUT", f"{API}/inventory/{_ID.format('variant_id')}", self._set_inventory)
        if scopes_endpoint:
            r("GET", f"{API}/oauth2/access_scopes", self._access_scopes)

    @classmethod
    def create(cls, *, catalog: str = "demo", state: Path | str | None = None, rate: str = "default",
               token: str | None = None, retry_after: bool = False, **options: Any) -> "GenstoreApp":
        """Open (or seed) the shop. A new state file is seeded from ``catalog``; an existing one is
        reused as is, and so is its token unless ``token`` is given. ``options`` are the readings'
        knobs (see ``__init__`` and ``READINGS``); ``scopes`` is the token's comma-separated scopes."""
        unknown = set(options) - {"scopes", "scopes_endpoint", "scopes_format", "error_shape", "json_numbers",
                                  "flags", "untracked_writes", "stock_states"}
        if unknown:
            raise ValueError(f"unknown Genstore sandbox option(s): {', '.join(sorted(unknown))}")
        limits = parse_rate(rate, DEFAULT_RATE)
        store = SqliteStore(Path(state) if state else None, schema=data.SCHEMA)
        if not store.seeded:
            spec = data.load(catalog)
            with store.transaction() as db:
                data.seed(db, spec)
                store.set_meta(db, "seeded", 1)
        token = token or store.meta("token") or secrets.token_urlsafe(24)
        if store.meta("token") != token:
            with store.transaction() as db:
                store.set_meta(db, "token", token)
        bucket = TokenBucket(*limits) if limits else None
        try:
            return cls(store=store, token=token, bucket=bucket, retry_after=retry_after, **options)
        except ValueError:
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ dispatch
    def handle(self, request: Request) -> Response:
        with self.store.lock:
            self.request_count += 1
        given = request.headers.get("x-genstore-access-token")
        if not given:
            return self._error(401, "Missing access token: send it in the X-Genstore-Access-Token header.")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return self._error(401, "Invalid API key or access token (unrecognized login or wrong password).")
        if self._bucket is not None:
            granted, wait = self._bucket.take()
            if not granted:
                headers = {"Retry-After": str(max(1, int(wait + 0.999)))} if self.retry_after else {}
                response = self._error(429, "Too Many Requests")
                response.headers.update(headers)
                return response
        path = request.path.removesuffix(".json")
        handler, params, exists = self._router.match(request.method, path)
        if handler is None:
            return self._error(405, "Method Not Allowed") if exists else self._error(404, "Not Found")
        request.params = params
        try:
            return handler(request)
        except Reject as exc:
            return self._error(exc.status, exc.message)

    def _error(self, status: int, message: str) -> Response:
        """An error answer in this reading's body shape (the docs: "always include an ``error`` field")."""
        if self.error_shape == "errors":
            return Response(status, {"errors": [message]})
        if self.error_shape == "code_message":
            return Response(status, {"code": status, "message": message})
        return Response(status, {"error": message})

    def _require(self, scopes: frozenset[str], what: str) -> None:
        if not scopes.intersection(self.scopes):
            needed = " or ".join(sorted(scopes))
            raise Reject(403, f"Access denied: {what} requires the {needed} access scope, which this token lacks.")

    # ------------------------------------------------------------------ access scopes
    def _access_scopes(self, req: Request) -> Response:
        scopes: str | list[str] = list(self.scopes)
        if self.scopes_format == "bracketed":        # GS api-rest/37, as printed
            scopes = f"[{','.join(self.scopes)}]"
        elif self.scopes_format == "plain":          # like the token answer's "scope"
            scopes = ",".join(self.scopes)
        return Response(200, {"accessScopes": scopes})

    # ------------------------------------------------------------------ locations
    def _list_locations(self, req: Request) -> Response:
        rows, headers = self._page(req, "locations")
        return Response(200, {"locations": [data.location_json(r, self.shape) for r in rows]}, headers)

    def _count_locations(self, req: Request) -> Response:
        with self.store.reading() as db:
            n = db.execute("SELECT COUNT(*) FROM locations").fetchone()[0]
        return Response(200, {"count": self.shape.num(n)})

    def _get_location(self, req: Request) -> Response:
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM locations WHERE id = ?", (req.params["location_id"],)).fetchone()
        if row is None:
            raise Reject(404, f"Location {req.params['location_id']} not found")
        return Response(200, {"location": data.location_json(row, self.shape)})

    # ------------------------------------------------------------------ products and variants
    def _list_products(self, req: Request) -> Response:
        self._require(READ_SCOPES, "GET /products")
        rows, headers = self._page(req, "products")
        with self.store.reading() as db:
            products = data.products_json(db, rows, self.shape)
        return Response(200, {"products": products}, headers)

    def _get_product(self, req: Request) -> Response:
        self._require(READ_SCOPES, "GET /products/{productId}")
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM products WHERE id = ?", (req.params["product_id"],)).fetchone()
            if row is None:
                raise Reject(404, f"Product {req.params['product_id']} not found")
            return Response(200, {"product": data.products_json(db, [row], self.shape)[0]})

    def _get_variant(self, req: Request) -> Response:
        self._require(READ_SCOPES, "GET /variants/{variantId}")
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM variants WHERE id = ?", (req.params["variant_id"],)).fetchone()
            if row is None:
                raise Reject(404, f"Variant {req.params['variant_id']} not found")
            levels = data.levels_of(db, [row["id"]])
        return Response(200, {"productVariant": data.variant_json(row, levels.get(row["id"], []), self.shape)})

    # ------------------------------------------------------------------ inventory
    def _list_inventory(self, req: Request) -> Response:
        self._require(READ_SCOPES, "GET /inventory")
        rows, headers = self._page(req, "inventory")
        with self.store.reading() as db:
            levels = data.levels_of(db, [r["id"] for r in rows])
        items = [data.inventory_json(r, levels.get(r["id"], []), self.shape) for r in rows]
        return Response(200, {"inventorys": items}, headers)

    def _set_inventory(self, req: Request) -> Response:
        self._require(WRITE_SCOPES, "PUT /inventory/{variantId}")
        body = json_body(req)
        if "committed" in body:
            raise Reject(400, "Committed stock cannot be adjusted via API")
        numbers = self.shape.numbers
        available = quantity(body.get("available"), numbers=numbers)
        location_id = required_id(body, "locationId", numbers=numbers)
        product_id = required_id(body, "productId", numbers=numbers)
        return self._write(req, variant_id=req.params["variant_id"], product_id=product_id,
                           location_id=location_id, available=available)

    def _connect(self, req: Request) -> Response:
        self._require(WRITE_SCOPES, "POST /inventory/connect")
        body = json_body(req)
        if "committed" in body:
            raise Reject(400, "Committed stock cannot be adjusted via API")
        ids = {k: required_id(body, k, numbers=self.shape.numbers) for k in ("productId", "locationId", "variantId")}
        return self._write(req, variant_id=ids["variantId"], product_id=ids["productId"],
                           location_id=ids["locationId"], available=None)

    def _write(self, req: Request, *, variant_id: str, product_id: str, location_id: str, available: int | None) -> Response:
        """Set ``available`` (or just bind, when None) and record it in the ledger."""
        with self.store.transaction() as db:
            variant = db.execute("SELECT * FROM variants WHERE id = ?", (variant_id,)).fetchone()
            if variant is None:
                raise Reject(404, f"Variant {variant_id} not found")
            if variant["product_id"] != product_id:
                raise Reject(400, f"Variant {variant_id} does not belong to product {product_id}")
            if db.execute("SELECT 1 FROM locations WHERE id = ?", (location_id,)).fetchone() is None:
                raise Reject(404, f"Location {location_id} not found")
            if available is not None and not variant["managed"] and self.untracked_writes == "refuse":
                raise Reject(400, f"Inventory management is not enabled for variant {variant_id}: "
                                  "turn on inventory tracking before setting its stock")
            row = db.execute("SELECT available FROM levels WHERE variant_id = ? AND location_id = ?",
                             (variant_id, location_id)).fetchone()
            before = row["available"] if row else None
            after = available if available is not None else (before if before is not None else 0)
            if row is None or after != before:
                db.execute("INSERT INTO levels (variant_id, location_id, available) VALUES (?, ?, ?) "
                           "ON CONFLICT (variant_id, location_id) DO UPDATE SET available = excluded.available",
                           (variant_id, location_id, after))
            db.execute("INSERT INTO ledger (time, variant_id, location_id, before, after, method, path) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (time.time(), variant_id, location_id, before, after,
                                                        req.method, req.path))
            levels = data.levels_of(db, [variant_id])
        return Response(200, {"inventory": data.inventory_json(variant, levels.get(variant_id, []), self.shape)})

    # ------------------------------------------------------------------ paging
    def _page(self, req: Request, resource: str) -> tuple[list[Any], dict[str, str]]:
        limit = page_limit(req.arg("limit"))
        token = req.arg("pageToken")
        if token is not None:
            extra = sorted(set(req.query) - {"pageToken", "limit"})
            if extra:
                raise Reject(400, "pageToken cannot be combined with other parameters except limit "
                                  f"(got {', '.join(extra)})")
            direction, cursor, since = self._decode_token(token, resource)
        else:
            since_arg = req.arg("sinceId")
            if since_arg is not None and not since_arg.isdigit():
                raise Reject(400, f"sinceId must be a numeric id, not {since_arg!r}")
            direction, cursor, since = "next", 0, int(since_arg or 0)
        with self.store.reading() as db:
            rows, has_prev, has_next = data.page(db, resource, direction=direction, cursor=cursor, since=since, limit=limit)
        links = []
        base = f"http://{req.headers.get('host', '127.0.0.1')}{req.path}"
        if rows and has_prev:
            links.append(f"<{base}?pageToken={self._encode_token(resource, 'prev', rows[0]['seq'], since)}&limit={limit}>; rel=previous")
        if rows and has_next:
            links.append(f"<{base}?pageToken={self._encode_token(resource, 'next', rows[-1]['seq'], since)}&limit={limit}>; rel=next")
        return rows, ({"Link": ", ".join(links)} if links else {})

    def _encode_token(self, resource: str, direction: str, cursor: int, since: int) -> str:
        payload = f"{resource}.{direction}.{cursor}.{since}"
        mac = hmac.new(self._page_secret, payload.encode(), "sha256").hexdigest()[:16]
        return base64.urlsafe_b64encode(f"{payload}.{mac}".encode()).decode().rstrip("=")

    def _decode_token(self, token: str, resource: str) -> tuple[str, int, int]:
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            res, direction, cursor, since, mac = text.split(".")
            good = hmac.new(self._page_secret, f"{res}.{direction}.{cursor}.{since}".encode(), "sha256").hexdigest()[:16]
            if not hmac.compare_digest(mac, good) or res != resource or direction not in ("next", "prev"):
                raise ValueError(token)
            return direction, int(cursor), int(since)
        except ValueError:
            raise Reject(400, "Invalid pageToken: use the Link header of the previous page; page links expire.") from None


# ---- readings of the docs (see ``sandbox.readings``): one row per plausible reading ----------------


from desktop_app.sandbox.readings import Reading  # noqa: E402

_GS = "partners.genstore.ai/docs"

READINGS: tuple[Reading, ...] = (
    Reading("default", "documented", "the seed docs (../shared/api-docs 000/001) and platforms.md §1",
            "as the docs' examples show it: strings everywhere, `{\"error\"}` bodies, "
            "`accessScopes` as a bracketed string, only `available` per level, writes to an unmanaged "
            "variant stored without a word", reported=True),
    Reading("scopes-list", "guess", f"{_GS} api-rest/37 prints `\"[read_orders,write_orders]\"`, which reads "
            "like a JSON list flattened by the doc renderer", "`accessScopes` is a JSON list of scope names",
            options={"scopes_format": "list"}),
    Reading("scopes-plain", "guess", f"{_GS} api-rest/api-access-token: the token answer's `scope` is "
            "`\"write_orders,read_products\"`", "`accessScopes` is a comma-separated string without brackets",
            options={"scopes_format": "plain"}),
    Reading("no-scopes-endpoint", "guess", f"only {_GS} api-rest/37 lists `GET /oauth2/access_scopes`; the seed "
            "docs do not", "`GET /oauth2/access_scopes` answers 404 (a store or version without it)",
            options={"scopes_endpoint": False}),
    Reading("errors-list", "guess", f"{_GS} api-status-error-code says bodies \"always include an `error` "
            "field\"; Shopify-style APIs, which Genstore's resembles (token header, Link paging, "
            "access_scopes), answer `{\"errors\": …}`",
            "error bodies are `{\"errors\": [\"…\"]}`", options={"error_shape": "errors"}),
    Reading("code-message", "guess", "Genstore runs on Weimob (help-qa.weimobgro.com), whose open APIs answer "
            "a code and a message", "error bodies are `{\"code\": <status>, \"message\": \"…\"}`",
            options={"error_shape": "code_message"}),
    Reading("numbers", "documented", f"{_GS} api-rest/6 property docs call `variantId`/`productId` \"number\" "
            "(the examples show strings)", "ids and quantities travel as JSON numbers; writes accept both",
            options={"json_numbers": True}),
    Reading("boolean-flags", "guess", f"{_GS} api-rest/6 shows `\"inventoryManagement\":\"true\"`; a typed "
            "schema would make it a boolean", "`inventoryManagement`, `isDisabled`, `isDefault` are JSON booleans",
            options={"flags": "boolean"}),
    Reading("untracked-refused", "guess", "the docs do not say what a write to a variant with "
            "`inventoryManagement` off does", "`PUT /inventory/{id}` on an unmanaged variant is a 400",
            options={"untracked_writes": "refuse"}),
    Reading("stock-states", "guess", "api-docs 001 \"Inventory status\": available excludes committed; on hand "
            "is the stock in the warehouse; no example shows either beside `available`",
            "each level also shows `committed` and `onHand` (= available + committed)",
            options={"stock_states": True}),
)
