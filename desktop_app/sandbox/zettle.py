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
second (``rate="BURST/PER_SECOND"`` or ``"none"`` to change it).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from desktop_app.sandbox.catalog import CatalogLocation, CatalogSpec, CatalogVariant, load_catalog
from desktop_app.sandbox.demo import MAIN, demo_base, ean13
from desktop_app.sandbox.http import Request, Response, Router, TokenBucket, parse_rate
from desktop_app.sandbox.zettle_state import LOCATION_TYPES, Move, ZettleState, v1_uuid

DEFAULT_RATE = (40, 10.0)
DEFAULT_TOKEN = "zettle-sandbox-token"
FAULTS = ("500", "429", "drop", "drop-after-commit")
STORE = "STORE"
_ORG = r"/organizations/(?P<org>[^/]+)"


class ApiError(Exception):
    def __init__(self, status: int, error_type: str, message: str, violations: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.error_type, self.violations = status, error_type, violations or []


def error_response(status: int, error_type: str, message: str, violations: list[dict[str, str]] | None = None) -> Response:
    return Response(status, {"developerMessage": message, "errorType": error_type, "violations": violations or []})


def _violation(prop: str, message: str) -> dict[str, str]:
    return {"propertyName": prop, "developerMessage": message}


class ZettleApp:
    platform = "zettle"

    def __init__(self, *, state: ZettleState, token: str, rate: tuple[int, float] | None,
                 dedupe_external_uuid: bool = False, max_bulk_products: int = 100, retry_after_header: bool = False) -> None:
        self.state = state
        self.token = token
        self.dedupe_external_uuid = dedupe_external_uuid
        self.max_bulk_products = max_bulk_products
        self.retry_after_header = retry_after_header
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

    @classmethod
    def create(cls, *, catalog: str = "demo", state: Path | str | None = None, rate: str = "default",
               token: str | None = None, dedupe_external_uuid: bool = False, max_bulk_products: int = 100,
               **options: Any) -> "ZettleApp":
        """``state``: SQLite file, seeded from ``catalog`` only when new; None keeps it in memory.
        Options: ``retry_after_header`` (send ``Retry-After`` with 429s; Zettle documents none)."""
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
        if self._bucket:
            granted, wait = self._bucket.take()
            if not granted:
                resp = error_response(429, "TOO_MANY_REQUESTS", "Too many requests, slow down.")
                if self.retry_after_header:
                    resp.headers["Retry-After"] = str(max(1, round(wait)))
                return resp
        if req.headers.get("authorization", "") != f"Bearer {self.token}":
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
            return error_response(exc.status, exc.error_type, str(exc), exc.violations)
        if fault and fault[1] == "drop-after-commit":
            return None
        return resp

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
                           [_violation("type", f"must be one of {', '.join(LOCATION_TYPES)}")])
        return Response(200, self._read(self.state.uuid_of(kind), None))

    def _filtered_balances(self, req: Request) -> Response:
        body = _json_object(req)
        kind = body.get("locationType")
        uuids = body.get("productUuids")
        violations = []
        if kind not in LOCATION_TYPES:
            violations.append(_violation("locationType", f"must be one of {', '.join(LOCATION_TYPES)}"))
        if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
            violations.append(_violation("productUuids", "must be a list of product UUIDs"))
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

    # --- tracking -----------------------------------------------------------------------
    def _start_tracking(self, req: Request) -> Response:
        product = _json_object(req).get("productUuid")
        if not isinstance(product, str):
            raise ApiError(400, "CONSTRAINT_VIOLATION", "productUuid is required.",
                           [_violation("productUuid", "must not be null")])
        if product not in self.state.product_variants():
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Product {product} not found.")
        self.state.apply(moves=[], start=[product], external_uuid=None)
        store = self.state.uuid_of("STORE")
        return Response(200, {"locationUuid": store, "variants": [
            {"locationUuid": store, "locationType": "STORE", "productUuid": p, "variantUuid": v, "balance": b}
            for p, v, b in self.state.balances([product]) if b != 0]})

    def _stop_tracking(self, req: Request) -> Response:
        product = req.params["product"]
        if product not in self.state.product_variants():
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Product {product} not found.")
        self.state.apply(moves=[], stop=[product], external_uuid=None)
        return Response(204)

    # --- movements ----------------------------------------------------------------------
    def _movements(self, req: Request) -> Response:
        body = _json_object(req)
        changes = body.get("changes")
        if not isinstance(changes, list) or not changes:
            raise ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.",
                           [_violation("changes", "must contain at least one change")])
        raw = [(f"changes[{i}]", c.get("productUuid") if isinstance(c, dict) else None, c) for i, c in enumerate(changes)]
        return self._write(body, raw, start=set(), stop=set(), long_rows=True)

    def _bulk(self, req: Request) -> Response:
        body = _json_object(req)
        product_changes = body.get("productChanges")
        if not isinstance(product_changes, list) or not product_changes:
            raise ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.",
                           [_violation("productChanges", "must contain at least one product change")])
        if len(product_changes) > self.max_bulk_products:
            raise ApiError(400, "CONSTRAINT_VIOLATION",
                           f"Too many product changes: {len(product_changes)}, at most {self.max_bulk_products} per request.",
                           [_violation("productChanges", f"size must be between 1 and {self.max_bulk_products}")])
        violations, raw, seen = [], [], set()
        start, stop = set(), set()
        for i, pc in enumerate(product_changes):
            where = f"productChanges[{i}]"
            if not isinstance(pc, dict) or not isinstance(pc.get("productUuid"), str):
                violations.append(_violation(f"{where}.productUuid", "must not be null"))
                continue
            product = pc["productUuid"]
            if product in seen:
                violations.append(_violation(f"{where}.productUuid", "the same product appears more than once"))
            seen.add(product)
            status = pc.get("trackingStatusChange", "NO_CHANGE")
            variant_changes = pc.get("variantChanges") or []
            if status not in ("START_TRACKING", "STOP_TRACKING", "NO_CHANGE"):
                violations.append(_violation(f"{where}.trackingStatusChange",
                                             "must be one of START_TRACKING, STOP_TRACKING, NO_CHANGE"))
            elif status == "STOP_TRACKING" and variant_changes:
                violations.append(_violation(f"{where}.variantChanges", "must be empty when tracking stops"))
            (start if status == "START_TRACKING" else stop if status == "STOP_TRACKING" else set()).add(product)
            if not isinstance(variant_changes, list):
                violations.append(_violation(f"{where}.variantChanges", "must be a list"))
                continue
            for j, vc in enumerate(variant_changes):
                raw.append((f"{where}.variantChanges[{j}]", product, {**vc, "productUuid": product} if isinstance(vc, dict) else vc))
        if violations:
            raise ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.", violations)
        unknown = [p for p in (start | stop) if p not in self.state.product_variants()]
        if unknown:
            raise ApiError(404, "ENTITY_NOT_FOUND", f"Product {unknown[0]} not found.",
                           [_violation(f"productChanges[{i}].productUuid", "product not found")
                            for i, pc in enumerate(product_changes) if pc["productUuid"] in unknown])
        return self._write(body, raw, start=start, stop=stop, long_rows=False)

    def _write(self, body: dict[str, Any], raw: list[tuple[str, Any, Any]], *, start: set[str], stop: set[str],
               long_rows: bool) -> Response:
        """Validate every movement (structure → existence → tracking), then apply all or none."""
        st = self.state
        types = st.location_types()
        external = body.get("externalUuid")
        if external is not None and not isinstance(external, str):
            raise ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.", [_violation("externalUuid", "must be a UUID")])
        ret = body.get("returnBalanceForLocationUuid") or st.uuid_of("STORE")
        if ret not in types:
            raise ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.",
                           [_violation("returnBalanceForLocationUuid", "is not a location of this organization")])
        if self.dedupe_external_uuid and external and (reply := st.remembered_reply(external)) is not None:
            return Response(200, reply)
        violations, moves = [], []
        for where, product, c in raw:
            if not isinstance(c, dict):
                violations.append(_violation(where, "must be an object"))
                continue
            change = c.get("change")
            if type(change) is not int or change <= 0:
                violations.append(_violation(f"{where}.change", "must be a positive integer (greater than 0)"))
            for key in ("fromLocationUuid", "toLocationUuid"):
                if c.get(key) not in types:
                    violations.append(_violation(f"{where}.{key}", "is not a location of this organization"))
            if c.get("fromLocationUuid") == c.get("toLocationUuid"):
                violations.append(_violation(where, "fromLocationUuid and toLocationUuid must differ"))
            if not isinstance(product, str) or not isinstance(c.get("variantUuid"), str):
                violations.append(_violation(f"{where}.variantUuid", "productUuid and variantUuid are required"))
                continue
            moves.append((where, Move(product, c["variantUuid"], c.get("fromLocationUuid"), c.get("toLocationUuid"), change)))
        if violations:
            raise ApiError(400, "CONSTRAINT_VIOLATION", "The request is invalid.", violations)
        catalogue = st.product_variants()
        missing = [_violation(f"{w}.variantUuid", f"variant {m.variant_uuid} of product {m.product_uuid} not found")
                   for w, m in moves if m.variant_uuid not in catalogue.get(m.product_uuid, ())]
        if missing:
            raise ApiError(404, "ENTITY_NOT_FOUND", "A product or variant in the request was not found.", missing)
        tracked = st.tracked() | start
        untracked = [(w, m) for w, m in moves if m.product_uuid not in tracked]
        if untracked:
            named = {f"{w.rsplit('.variantChanges', 1)[0]}.productUuid": m.product_uuid for w, m in untracked}
            raise ApiError(422, "PRODUCT_NOT_TRACKED", f"Product {untracked[0][1].product_uuid} is not tracked.",
                           [_violation(w, f"product {p} is not tracked") for w, p in named.items()])
        st.apply(moves=[m for _, m in moves], start=sorted(start), stop=sorted(stop), external_uuid=external)
        reply = self._write_reply(ret, [m for _, m in moves], long_rows=long_rows)
        if self.dedupe_external_uuid and external:
            st.remember_reply(external, reply)
        return Response(200, reply)

    def _write_reply(self, location: str, moves: list[Move], *, long_rows: bool) -> dict[str, Any]:
        kind = self.state.location_types()[location]
        variants: dict[str, dict[str, Any]] = {}
        if kind == "STORE":
            for m in moves:
                row = {"productUuid": m.product_uuid, "variantUuid": m.variant_uuid,
                       "balance": self.state.variant_balance(m.variant_uuid)}
                variants[m.variant_uuid] = {"locationUuid": location, "locationType": kind, **row} if long_rows else row
        return {"locationUuid": location, "variants": list(variants.values())}


def _json_object(req: Request) -> dict[str, Any]:
    try:
        body = req.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "INVALID_JSON", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "INVALID_JSON", "The request body must be a JSON object.")
    return body


def demo_catalog() -> CatalogSpec:
    """The shared demo merchant as a Zettle till sees it: one STORE holding the Main Warehouse
    levels (every other location of the shared demo is dropped), plus Zettle's awkward cases: the
    gift card's stock is not tracked but keeps an old hidden balance of 500 (tracking was switched
    off), a linen apron was never tracked, two shirts sit at 0 (omitted from balance reads), a mug
    variant has no SKU or barcode, and an old duplicate of the tote bag reuses its SKU."""
    base = demo_base()
    variants = []
    for v in base.variants:
        level = 0 if v.sku in ("TS-WHT-XL", "TS-NVY-S") else v.levels.get(MAIN, 0)
        variants.append(v.model_copy(update={"levels": {STORE: level}, "tracked": v.sku != "GIFT-25"}))
    variants += [
        CatalogVariant(product="Stoneware Mug 350 ml", title="Seconds", sku=None, barcode=None, levels={STORE: 4}),
        CatalogVariant(product="Linen Apron", title="Default Title", sku="APRON-LIN", barcode=ean13("506012349018"),
                       levels={}, tracked=False),
        CatalogVariant(product="Canvas Tote Bag (old)", title="Natural", sku="TOTE-NAT", barcode=None, levels={STORE: 2}),
    ]
    return CatalogSpec(locations=[CatalogLocation(name=STORE)], variants=variants)


__all__ = ["ZettleApp", "demo_catalog", "v1_uuid", "DEFAULT_RATE", "DEFAULT_TOKEN"]


# ---- readings of the docs (see ``sandbox.readings``): one row per plausible reading ----------------
from desktop_app.sandbox.readings import Reading  # noqa: E402

READINGS: tuple[Reading, ...] = (
    Reading("default", "documented", "the seed docs (../shared/api-docs) and platforms.md",
            "as the docs describe it", reported=True),
)
