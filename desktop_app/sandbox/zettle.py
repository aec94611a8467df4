"""Emulator of Zettle's inventory API (v1/v2) and product library (v2), on one server.

In production these are two hosts, ``inventory.izettle.com`` and ``products.izettle.com``; here
one server answers both path families, under ``/organizations/self/...`` or
``/organizations/{orgUuid}/...``:

    GET    /products/v2                       every product with its variants (no paging: the
                                              documentation describes none, so all are returned)
    GET    /products/v2/{productUuid}
    GET    /locations                         the 4 system locations: STORE (default), BIN, SOLD, SUPPLIER
    POST   /inventory                         start tracking ``{"productUuid"}``
    DELETE /inventory/products/{productUuid}  stop tracking → 204 (balances kept, hidden)
    PUT    /inventory                         movements ``{"changes":[…],"returnBalanceForLocationUuid","externalUuid"}``
    POST   /v2/inventory/bulk                 ``productChanges`` with START_TRACKING|STOP_TRACKING|NO_CHANGE
    GET    /inventory/locations/{locationUuid} and /inventory/locations?type=STORE
    POST   /inventory/products                ``{"locationType","productUuids"}`` filtered read
    GET    /inventory/locations/{locationUuid}/products/{productUuid}
    POST   /token                             oauth.zettle.com's assertion grant: API key → access
                                              token ``{"access_token","expires_in"}`` (7200 s)

Faithful traps: reads give balances as *strings* and omit zero balances; writes give *numbers*
and only the variants the request moved; ``change`` must be a positive integer; a movement on an
untracked product fails with ``PRODUCT_NOT_TRACKED`` unless the same bulk request starts tracking
it; re-tracking reveals the old hidden balance; ``externalUuid`` is stored and echoed in the event
log but never deduplicated (a movement sent twice is applied twice) unless
``dedupe_external_uuid=True``.

Decisions where the sources are silent ([inferred]): STORE may go negative (a sale can oversell);
SOLD/BIN balances are not kept (reads of them are empty); more than ``max_bulk_products`` (100)
product changes → 400; errors are ``{"developerMessage","errorType","violations":[{"propertyName",
"developerMessage"}]}`` with 400 ``CONSTRAINT_VIOLATION`` for bad bodies, 404 ``ENTITY_NOT_FOUND``,
422 ``PRODUCT_NOT_TRACKED``, 401 ``UNAUTHORIZED``, 429 ``TOO_MANY_REQUESTS``. No rate limit is
documented for v1/v2; the default is a generous token bucket of 40 requests refilled at 10 per
second (``rate="BURST/PER_SECOND"`` or ``"none"`` to change it). Where the docs are silent on
what a client must cope with, each plausible reading is an option, listed in ``READINGS`` at the
end of this module: a 4xx bulk answer that applied nothing or the valid part, violations that
name the product change or not, write balances as numbers or strings, ``externalUuid`` deduped
or not. Access tokens from ``POST /token`` expire after ``token_lifetime`` seconds of ``clock``
(or ``token_lifetime_requests`` requests) and are then answered 401; the fixed ``token`` never expires.

The write handlers (tracking, movements, bulk) live in ``sandbox.zettle_writes``, the error
answers and body checks in ``sandbox.zettle_errors``, the state and the demo catalogue in
``sandbox.zettle_state``; this module is the app: routing, auth, faults, reads and test hooks.
May import: the ``sandbox`` modules named here, ``sandbox.catalog``, ``sandbox.http``, ``sandbox.readings``.
"""
from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs

from desktop_app.sandbox.catalog import load_catalog
from desktop_app.sandbox.http import Request, Response, Router, TokenBucket, parse_rate
from desktop_app.sandbox.zettle_errors import ApiError, anonymous, error_response, json_body, violation
from desktop_app.sandbox.zettle_state import LOCATION_TYPES, STORE, Move, ZettleState, demo_catalog, v1_uuid
from desktop_app.sandbox.zettle_writes import Writes

DEFAULT_RATE = (40, 10.0)
DEFAULT_TOKEN = "zettle-sandbox-token"
DEFAULT_API_KEY = "zettle-sandbox-api-key"
DEFAULT_CLIENT_ID = "zettle-sandbox-client"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 7200.0                  # seconds, as Zettle's OAuth answers (``expires_in``)
BULK_ON_ERROR = ("all-or-none", "partial")
VIOLATIONS = ("named", "anonymous")
WRITE_BALANCES = ("number", "string")
FAULTS = ("500", "429", "drop", "drop-after-commit")
_ORG = r"/organizations/(?P<org>[^/]+)"


class ZettleApp(Writes):
    platform = "zettle"

    def __init__(self, *, state: ZettleState, token: str, rate: tuple[int, float] | None,
                 dedupe_external_uuid: bool = False, max_bulk_products: int = 100, retry_after_header: bool = False,
                 bulk_on_error: str = "all-or-none", violations: str = "named", write_balances: str = "number",
                 api_key: str = DEFAULT_API_KEY, client_id: str = DEFAULT_CLIENT_ID,
                 token_lifetime: float = TOKEN_LIFETIME, token_lifetime_requests: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        for name, value, allowed in (("bulk_on_error", bulk_on_error, BULK_ON_ERROR),
                                     ("violations", violations, VIOLATIONS),
                                     ("write_balances", write_balances, WRITE_BALANCES)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {value!r}")
        self.state = state
        self.token = token
        self.dedupe_external_uuid = dedupe_external_uuid
        self.max_bulk_products = max_bulk_products
        self.retry_after_header = retry_after_header
        self.bulk_on_error = bulk_on_error
        self.violations = violations
        self.write_balances = write_balances
        self.api_key = api_key
        self.client_id = client_id
        self.token_lifetime = token_lifetime
        self.token_lifetime_requests = token_lifetime_requests
        self.clock = clock
        self.tokens_issued = 0
        self._issued: dict[str, list[float]] = {}      # access token → [expires at (clock), requests left]
        self.request_count = 0
        self._bucket = TokenBucket(*rate) if rate else None
        self._faults: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()
        self._router = Router()
        r = self._router
        r.add("GET", _ORG + r"/products/v2", self._list_products)
        r.add("GET", _ORG + r"/products/v2/(?P<product>[^/]+)", self._get_product)
        r.add("GET", _ORG + r"/locations", self._locations)
        r.add("POST", _ORG + r"/inventory", self._start_tracking)
        r.add("PUT", _ORG + r"/inventory", self._movements)
        r.add("DELETE", _ORG + r"/inventory/products/(?P<product>[^/]+)", self._stop_tracking)
        r.add("POST", _ORG + r"/inventory/products", self._filtered_balances)
        r.add("GET", _ORG + r"/inventory/locations/?", self._balances_by_type)
        r.add("GET", _ORG + r"/inventory/locations/(?P<location>[^/]+)", self._location_balances)
        r.add("GET", _ORG + r"/inventory/locations/(?P<location>[^/]+)/products/(?P<product>[^/]+)", self._product_balances)
        r.add("POST", _ORG + r"/v2/inventory/bulk", self._bulk)

    #: POSTs that only read (``sandbox.faults`` never refuses them as a write)
    read_posts = ("/inventory/products",)

    @classmethod
    def create(cls, *, catalog: str = "demo", state: Path | str | None = None, rate: str = "default",
               token: str | None = None, dedupe_external_uuid: bool = False, max_bulk_products: int = 100,
               **options: Any) -> "ZettleApp":
        """``state``: SQLite file, seeded from ``catalog`` only when new; None keeps it in memory.
        ``token`` is a bearer token accepted for ever (the tests' and the demo's); access tokens
        exchanged at ``POST /token`` expire. Options (the readings at the end of this module):
        ``retry_after_header`` (send ``Retry-After`` with 429s; Zettle documents none);
        ``bulk_on_error`` ``all-or-none`` (default) or ``partial`` (a 4xx still applies the product
        changes that had no violation); ``violations`` ``named`` (``productChanges[i]…`` property
        names, default) or ``anonymous`` (no index, no UUID); ``write_balances`` ``number``
        (default) or ``string``; ``api_key``/``client_id`` (what ``POST /token`` accepts),
        ``token_lifetime`` (seconds on ``clock``, default 7200) and ``token_lifetime_requests``
        (an exchanged token answers this many requests, then 401)."""
        store = ZettleState(Path(state) if state else None)
        if not store.seeded:
            store.seed(load_catalog(catalog, demo=demo_catalog))
        return cls(state=store, token=token or DEFAULT_TOKEN, rate=parse_rate(rate, DEFAULT_RATE),
                   dedupe_external_uuid=dedupe_external_uuid, max_bulk_products=max_bulk_products, **options)

    def close(self) -> None:
        self.state.close()

    # --- test hooks ---------------------------------------------------------------------
    def fail_next(self, fault: str, *, times: int = 1, path_contains: str | None = None) -> None:
        """Inject a fault into the next ``times`` requests (whose path contains ``path_contains``):
        ``500``, ``429``, ``drop`` (close the connection, nothing applied) or ``drop-after-commit``
        (apply the request, then close the connection without answering)."""
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, not {fault!r}")
        with self._lock:
            self._faults += [(fault, path_contains)] * times

    def level(self, sku: str) -> int | None:
        """STORE balance of the (first) variant with this SKU; None when its product is untracked."""
        hits = self.state.variants_by_sku(sku)
        if not hits:
            raise KeyError(sku)
        _, _, tracked, balance = hits[0]
        return balance if tracked else None

    def set_level(self, sku: str, qty: int) -> None:
        """What the merchant's till does: a sale (STORE→SOLD) or a restock (SUPPLIER→STORE) that
        brings the balance to ``qty``; an untracked product starts being tracked."""
        product, variant, tracked, balance = self.state.variants_by_sku(sku)[0]
        delta = qty - balance
        st = self.state
        moves = []
        if delta > 0:
            moves = [Move(product, variant, st.uuid_of("SUPPLIER"), st.uuid_of("STORE"), delta)]
        elif delta < 0:
            moves = [Move(product, variant, st.uuid_of("STORE"), st.uuid_of("SOLD"), -delta)]
        st.apply(moves=moves, start=[] if tracked else [product], external_uuid=None, source="pos")

    def ledger(self) -> list[dict[str, Any]]:
        """Every applied movement: externalUuid, product/variant, sku, from/to type, change, source."""
        return self.state.ledger()

    def events(self) -> list[dict[str, Any]]:
        """InventoryBalanceChanged / InventoryTrackingStarted / InventoryTrackingStopped payloads."""
        return self.state.events()

    def product_uuid(self, sku: str) -> str:
        return self.state.variants_by_sku(sku)[0][0]

    def variant_uuid(self, sku: str) -> str:
        return self.state.variants_by_sku(sku)[0][1]

    def untrack(self, sku: str) -> None:
        """Stop tracking the product of this SKU (balances kept, hidden)."""
        self.state.apply(moves=[], stop=[self.product_uuid(sku)], external_uuid=None, source="pos")

    # --- HTTP ---------------------------------------------------------------------------
    def handle(self, req: Request) -> Response | None:
        """One request → one response; None asks the server to drop the connection (a fault)."""
        with self._lock:
            self.request_count += 1
        if req.path.rstrip("/") == "/token":       # oauth.zettle.com in production: no bucket, no bearer
            return self._oauth_token(req)
        if self._bucket:
            granted, wait = self._bucket.take()
            if not granted:
                resp = error_response(429, "TOO_MANY_REQUESTS", "Too many requests, slow down.")
                if self.retry_after_header:
                    resp.headers["Retry-After"] = str(max(1, round(wait)))
                return resp
        if not self._authorised(req.headers.get("authorization", "")):
            return error_response(401, "UNAUTHORIZED", "Access token is missing, invalid or expired.")
        with self._lock:
            fault = next(((i, f) for i, (f, p) in enumerate(self._faults) if p is None or p in req.path), None)
            if fault:
                del self._faults[fault[0]]
        if fault and fault[1] == "500":
            return Response(500, {"code": 500, "message": "There was an error processing your request. It has been logged."})
        if fault and fault[1] == "429":
            return error_response(429, "TOO_MANY_REQUESTS", "Too many requests, slow down.")
        if fault and fault[1] == "drop":
            return None
        handler, params, exists = self._router.match(req.method, req.path)
        if handler is None:
            if exists:
                return error_response(405, "METHOD_NOT_ALLOWED", f"{req.method} is not allowed on {req.path}.")
            return error_response(404, "ENTITY_NOT_FOUND", f"No resource at {req.path}.")
        req.params = params
        try:
            if params.get("org") not in ("self", self.state.org_uuid):
                raise ApiError(404, "ENTITY_NOT_FOUND", f"Organization {params.get('org')} not found.")
            with self.state.lock:
                resp = handler(req)
        except ApiError as exc:
            return self._error(exc)
        if fault and fault[1] == "drop-after-commit":
            return None
        return resp

    def _error(self, exc: ApiError) -> Response:
        if self.violations == "named":
            return error_response(exc.status, exc.error_type, str(exc), exc.violations)
        return anonymous(exc)

    # --- OAuth (oauth.zettle.com) ------------------------------------------------------------
    def _oauth_token(self, req: Request) -> Response:
        """The assertion grant: ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``,
        ``client_id`` and ``assertion`` (the API key), form-encoded → ``{access_token, expires_in}``.
        No refresh token: a client exchanges its API key again. Errors ``{"error","error_description"}``."""
        if req.method != "POST":
            return Response(405, {"error": "invalid_request", "error_description": "Use POST."})
        try:
            form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            form = {}
        if form.get("grant_type") != JWT_BEARER:
            return Response(400, {"error": "unsupported_grant_type",
                                  "error_description": f"grant_type must be {JWT_BEARER}."})
        if not form.get("client_id") or not form.get("assertion"):
            return Response(400, {"error": "invalid_request", "error_description": "client_id and assertion are required."})
        if form["assertion"] != self.api_key or form["client_id"] != self.client_id:
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid API key or client id."})
        access = f"zettle-at-{secrets.token_hex(16)}"
        requests_left = float(self.token_lifetime_requests) if self.token_lifetime_requests is not None else float("inf")
        with self._lock:
            self.tokens_issued += 1
            self._issued[access] = [self.clock() + self.token_lifetime, requests_left]
        return Response(200, {"access_token": access, "expires_in": int(self.token_lifetime)})

    def _authorised(self, header: str) -> bool:
        if header == f"Bearer {self.token}":
            return True
        scheme, _, access = header.partition(" ")
        with self._lock:
            grant = self._issued.get(access) if scheme == "Bearer" else None
            if grant is None or self.clock() >= grant[0] or grant[1] <= 0:
                return False
            grant[1] -= 1
            return True

    # --- product library ----------------------------------------------------------------
    def _product_json(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "uuid": p["uuid"], "name": p["name"], "description": "", "imageLookupKeys": [], "presentation": None,
            "variants": [{"uuid": v["uuid"], "name": v["name"], "description": "", "sku": v["sku"], "barcode": v["barcode"],
                          "price": {"amount": 0, "currencyId": "SEK"}, "costPrice": None, "vatPercentage": "25.0"}
                         for v in p["variants"]],
            "externalReference": None, "etag": f"\"{p['uuid'][:8].upper()}\"", "created": p["created"],
            "updated": p["created"], "updatedBy": self.state.org_uuid, "vatPercentage": "25.0",
        }

    def _list_products(self, req: Request) -> Response:
        return Response(200, [self._product_json(p) for p in self.state.products()])

    def _get_product(self, req: Request) -> Response:
        found = self.state.products([req.params["product"]])
        if not found:
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Product {req.params['product']} not found.")
        return Response(200, self._product_json(found[0]))

    # --- locations and reads ------------------------------------------------------------
    def _locations(self, req: Request) -> Response:
        return Response(200, [{"uuid": loc["uuid"], "type": loc["type"], "name": loc["type"],
                               "description": "System generated location ", "default": loc["type"] == "STORE"}
                              for loc in self.state.locations()])

    def _read(self, location_uuid: str, product_uuids: list[str] | None) -> dict[str, Any]:
        kind = self.state.location_types()[location_uuid]
        tracked = self.state.tracked()
        wanted = [p for p in (product_uuids if product_uuids is not None else
                              [p["uuid"] for p in self.state.products()]) if p in tracked]
        variants = []
        if kind == "STORE":
            variants = [{"locationUuid": location_uuid, "locationType": kind, "productUuid": p, "variantUuid": v,
                         "balance": str(b)} for p, v, b in self.state.balances(wanted) if b != 0]
        return {"locationUuid": location_uuid, "trackedProducts": wanted, "variants": variants, "latest": 0}

    def _location_uuid(self, value: str) -> str:
        if value not in self.state.location_types():
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Location {value} not found.")
        return value

    def _location_balances(self, req: Request) -> Response:
        return Response(200, self._read(self._location_uuid(req.params["location"]), None))

    def _balances_by_type(self, req: Request) -> Response:
        kind = (req.arg("type") or "STORE").upper()
        if kind not in LOCATION_TYPES:
            raise ApiError(400, "CONSTRAINT_VIOLATION", f"Unknown location type {kind}.",
                           [violation("type", f"must be one of {', '.join(LOCATION_TYPES)}")])
        return Response(200, self._read(self.state.uuid_of(kind), None))

    def _filtered_balances(self, req: Request) -> Response:
        body = json_body(req)
        kind = body.get("locationType")
        uuids = body.get("productUuids")
        violations = []
        if kind not in LOCATION_TYPES:
            violations.append(violation("locationType", f"must be one of {', '.join(LOCATION_TYPES)}"))
        if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
            violations.append(violation("productUuids", "must be a list of product UUIDs"))
        if violations:
            raise ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.", violations)
        return Response(200, self._read(self.state.uuid_of(kind), list(uuids)))

    def _product_balances(self, req: Request) -> Response:
        location = self._location_uuid(req.params["location"])
        product = req.params["product"]
        if product not in self.state.product_variants():
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Product {product} not found.")
        if product not in self.state.tracked():
            raise ApiError(422, "PRODUCT_NOT_TRACKED", f"Product {product} is not tracked.")
        body = self._read(location, [product])
        return Response(200, {"locationUuid": location, "variants": body["variants"]})


__all__ = ["ZettleApp", "ApiError", "error_response", "demo_catalog", "v1_uuid", "STORE", "DEFAULT_RATE", "DEFAULT_TOKEN"]


# ---- readings of the docs (see ``sandbox.readings``): one row per plausible reading ----------------
from desktop_app.sandbox.readings import Reading  # noqa: E402

READINGS: tuple[Reading, ...] = (
    Reading("default", "documented", "the seed docs (../shared/api-docs) and platforms.md",
            "as the docs describe it; a 4xx bulk answer applied nothing, its violations name "
            "productChanges[i], write balances are numbers, externalUuid is not deduplicated", reported=True),
    Reading("dedupe-external-uuid", "guess", "platforms.md §2: externalUuid is a correlation id, no dedup documented",
            "a request whose externalUuid was seen before is answered as before and not applied again",
            {"dedupe_external_uuid": True}),
    Reading("partial-4xx", "guess", "platforms.md §2 / 002_…txt: the bulk endpoint's error behaviour is undocumented",
            "a 4xx bulk answer still applied every product change that had no violation",
            {"bulk_on_error": "partial"}),
    Reading("anonymous-violations", "guess", "platforms.md §2: violations {propertyName, developerMessage}; "
            "no source shows propertyName for bulk", "violations name the property (change, productUuid) "
            "but not which productChanges[i], and no UUIDs", {"violations": "anonymous"}),
    Reading("partial-anonymous", "guess", "both of the above", "a 4xx applied the valid part and names no product",
            {"bulk_on_error": "partial", "violations": "anonymous"}),
    Reading("string-balances-in-writes", "guess", "platforms.md §2: balance is a string in GET examples, a number "
            "in PUT/bulk ones", "write answers give balances as strings, as reads do", {"write_balances": "string"}),
)
