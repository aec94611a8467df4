"""Emulator of Shoplazza's OpenAPI 2026-01 inventory surface (platforms.md §4).

Base ``/openapi/2026-01/`` (a ``.json`` suffix is accepted), auth header ``Access-Token`` (an
``Authorization: Bearer`` header alone is refused with 401). Success envelope
``{"code":"Success","data":…}`` (``success_code="success"`` gives the 2025-06 spelling); errors
``{"code":"InvalidParameter|NotFound|Unauthorized|TooManyRequests","message":…}``.

The traps it reproduces, because they are the point:

* ``Location.id`` is a bare JSON number above 2**53 (604253696473177059); ``inventory_item_id``
  and level ``location_id`` are strings. Ids in requests are read exactly (strings or big ints),
  so an id rounded through a float (604253696473177000) answers 404 ``Location not found``.
* Cursor paging with ``page_size`` default **10**, max 250 (``/products`` also takes
  ``per_page``); ``cursor`` is empty on the last page. ``has_more`` is ``null`` (not ``false``)
  on the last page reached through a cursor; ``has_more=`` offers the other readings:
  ``"products"`` (the 2026-01 schema: ``GET /products`` answers ``cursor`` and no ``has_more``),
  ``"absent"`` (no listing has it), ``"false"`` (always ``false``, even with a cursor to follow).
  **Unknown query parameters are silently ignored**: a misspelt filter returns everything.
* Array query parameters repeat the key (``variant_ids=a&variant_ids=b``), as the 2026-01 guide
  says; a comma-joined value is one (unknown) id and matches nothing.
* Level rows omit ``stock`` when it is 0.
* ``semantics="observed"`` (the default; what live stores do): ``set`` ADDS ``stock`` and
  silently ignores ``stock: 0``; ``PUT /inventory_levels`` rejects ``stock_adjustment <= 0``
  (422, or ``refusal_status=400``). ``semantics="documented"``: ``set`` is absolute, ``PUT`` adds
  a signed ``stock_adjustment``. In both, a result below 0 is 422
  ``{"error":"insufficient_stock","current_stock":N}``. ``switch_after_writes=N`` flips the
  semantics after N level writes (a store that changes behaviour mid-run; ``switch_semantics``
  does it at once). ``write_answer="echo"``: ``set`` and connect answer the stock that was sent
  (none for a connect), not the stored level.
* ``DELETE /inventory_levels`` disconnects an item from a location (the level is gone; refused
  at the default location, and everywhere with ``disconnect="refused"``); ``POST
  /inventory_levels`` connects it again at 0.
* ``PUT /variants/{id}`` ``inventory_quantity`` sets the level at the default location absolutely;
  ``0`` also switches tracking off (the variant's ``inventory_quantity`` reads back ``null``)
  until ``PUT /inventory_items/{id}`` turns it back on. The schema marks ``price`` required:
  ``variant_price="required"`` refuses a body without it (400); live stores take partial bodies.
* Locations carry ``active``; a deactivated one (the demo's ``Old Market Stall``, or
  ``POST /locations/deactivate``) is still listed (``status=1`` lists active ones only) and
  refuses level writes.
* Leaky bucket 40 / 2 per second → 429 (``retry_after=True`` adds a ``Retry-After`` header).

Writes to a level or pair that is not connected answer 422: connect first with
``POST /inventory_levels``. Test hooks: ``level``, ``set_level``, ``tracking``, ``price``,
``set_price``, ``deactivate``, ``variant_ids``, ``location_id``, ``inventory_item_id``, ``ledger``
(in ``shoplazza_state``), ``switch_semantics``, ``request_count``.

The write handlers live in ``sandbox.shoplazza_writes``, the error answers and id reading in
``sandbox.shoplazza_errors``, the data, demo catalogue and test hooks in ``sandbox.shoplazza_state``;
this module is the app: routing, auth, paging, reads and the ``READINGS`` table.
May import: the ``sandbox`` modules named here, ``sandbox.catalog``, ``sandbox.http``, ``sandbox.readings``,
``sandbox.store``.
"""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Literal

from desktop_app.sandbox.catalog import load_catalog
from desktop_app.sandbox.http import Request, Response, Router, TokenBucket, parse_rate
from desktop_app.sandbox.shoplazza_errors import error
from desktop_app.sandbox.shoplazza_state import CLOSED, SCHEMA, demo_catalog, migrate, seed
from desktop_app.sandbox.shoplazza_writes import Writes, level_json
from desktop_app.sandbox.store import SqliteStore

__all__ = ["BASE", "DEFAULT_TOKEN", "ShoplazzaApp", "demo_catalog"]

BASE = "/openapi/2026-01"
DEFAULT_TOKEN = "shoplazza-sandbox-token"
DEFAULT_RATE = (40, 2.0)
MAX_PAGE = 250

Semantics = Literal["documented", "observed"]
HasMore = Literal["present", "products", "absent", "false"]
_CHOICES = {"semantics": ("documented", "observed"), "refusal_status": (400, 422), "write_answer": ("stored", "echo"),
            "has_more": ("present", "products", "absent", "false"), "variant_price": ("optional", "required"),
            "disconnect": ("allowed", "refused")}


class ShoplazzaApp(Writes):
    platform = "shoplazza"

    def __init__(self, store: SqliteStore, *, token: str, bucket: TokenBucket | None, semantics: Semantics = "observed",
                 success_code: str = "Success", retry_after: bool = False, refusal_status: int = 422,
                 write_answer: Literal["stored", "echo"] = "stored", has_more: HasMore = "present",
                 variant_price: Literal["optional", "required"] = "optional",
                 disconnect: Literal["allowed", "refused"] = "allowed", switch_after_writes: int = 0) -> None:
        given = {"semantics": semantics, "refusal_status": refusal_status, "write_answer": write_answer,
                 "has_more": has_more, "variant_price": variant_price, "disconnect": disconnect}
        for name, value in given.items():
            if value not in _CHOICES[name]:
                raise ValueError(f"{name} must be one of {', '.join(map(repr, _CHOICES[name]))}, not {value!r}")
        self.store = store
        with store.reading() as db:             # handlers run under store.lock (see handle)
            self._db = db
        self.token = token
        self.bucket = bucket
        self.semantics = semantics
        self.success_code = success_code
        self.retry_after = retry_after
        self.refusal_status = refusal_status
        self.write_answer = write_answer
        self.has_more = has_more
        self.variant_price = variant_price
        self.disconnect = disconnect
        self.switch_after_writes = switch_after_writes
        self.level_writes = 0                   # level writes applied, for ``switch_after_writes``
        self.request_count = 0
        self.router = Router()
        r = self.router
        r.add("GET", r"/locations", self._locations)
        r.add("GET", r"/locations/default", self._default_location)
        r.add("POST", r"/locations/deactivate", self._deactivate)
        r.add("GET", r"/locations/(?P<id>[^/]+)", self._location)
        r.add("GET", r"/products", self._products)
        r.add("GET", r"/products/(?P<id>[^/]+)", self._product)
        r.add("GET", r"/products/(?P<id>[^/]+)/inventory", self._product_inventory)
        r.add("GET", r"/inventory_items/variant", self._items_by_variant)
        r.add("PUT", r"/inventory_items/(?P<id>[^/]+)", self._update_item)
        r.add("GET", r"/inventory_levels", self._levels)
        r.add("POST", r"/inventory_levels", self._connect)
        r.add("DELETE", r"/inventory_levels", self._disconnect)
        r.add("POST", r"/inventory_levels/set", self._set)
        r.add("PUT", r"/inventory_levels", self._adjust)
        r.add("GET", r"/variants/(?P<id>[^/]+)", self._variant_answer)
        r.add("PUT", r"/variants/(?P<id>[^/]+)", self._update_variant)

    @classmethod
    def create(cls, *, catalog: str = "demo", state: Path | None = None, rate: str = "default",
               token: str | None = None, semantics: Semantics = "observed", deactivated: tuple[str, ...] | None = None,
               **options: Any) -> "ShoplazzaApp":
        """``deactivated``: catalogue locations seeded as deactivated (default: the demo's ``CLOSED``)."""
        store = SqliteStore(state, schema=SCHEMA)
        migrate(store)
        if not store.seeded:
            if deactivated is None:
                deactivated = (CLOSED,) if catalog == "demo" else ()
            seed(store, load_catalog(catalog, demo=demo_catalog), deactivated=tuple(deactivated))
        limits = parse_rate(rate, DEFAULT_RATE)
        bucket = TokenBucket(*limits) if limits else None
        return cls(store, token=token or DEFAULT_TOKEN, bucket=bucket, semantics=semantics, **options)

    def close(self) -> None:
        self.store.close()

    def switch_semantics(self, semantics: Semantics) -> None:
        """The store changes behaviour from the next request on (a platform release mid-run)."""
        if semantics not in _CHOICES["semantics"]:
            raise ValueError(f"semantics must be 'documented' or 'observed', not {semantics!r}")
        with self.store.lock:
            self.semantics = semantics

    # ---- plumbing -----------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        self.request_count += 1
        if not request.path.startswith(BASE + "/"):
            return error(404, "NotFound", f"No API at {request.path}; the base path is {BASE}/.")
        path = request.path[len(BASE):].removesuffix(".json")
        if request.headers.get("access-token") != self.token:
            hint = (" Send the token in the Access-Token header; Authorization: Bearer is not accepted."
                    if "authorization" in request.headers else "")
            return error(401, "Unauthorized", "Invalid or missing access token." + hint)
        if self.bucket is not None:
            granted, wait = self.bucket.take()
            if not granted:
                headers = {"Retry-After": f"{wait:.3f}"} if self.retry_after else {}
                return Response(429, {"code": "TooManyRequests", "message": "Exceeded 2 calls per second for api client."},
                                headers=headers)
        handler, params, exists = self.router.match(request.method, path)
        if handler is None:
            return error(405 if exists else 404, "NotFound", f"No route {request.method} {path}.")
        request.params = params
        with self.store.lock:
            return handler(request)

    def _ok(self, data: Any) -> Response:
        return Response(200, {"code": self.success_code, "data": data})

    def _page(self, request: Request, rows: list[Any], *, size_names: tuple[str, ...] = ("page_size",),
              products: bool = False) -> tuple[list[Any], dict[str, Any]] | Response:
        size_text = next((request.arg(n) for n in size_names if request.arg(n)), None)
        try:
            size = int(size_text) if size_text else 10
            start = int(base64.urlsafe_b64decode(request.arg("cursor")).decode()) if request.arg("cursor") else 0
        except ValueError:
            return error(400, "InvalidParameter", "page_size or cursor is invalid.")
        if not 1 <= size <= MAX_PAGE:
            return error(400, "InvalidParameter", f"{size_names[0]} must be between 1 and {MAX_PAGE}.")
        end = start + size
        more = end < len(rows)
        cursor = base64.urlsafe_b64encode(str(end).encode()).decode() if more else ""
        if self.has_more == "absent" or (self.has_more == "products" and products):
            return rows[start:end], {"cursor": cursor}
        if self.has_more == "false":
            return rows[start:end], {"cursor": cursor, "has_more": False}
        # the live API answers has_more null, not false, on a last page reached through a cursor
        has_more = True if more else (None if request.arg("cursor") else False)
        return rows[start:end], {"cursor": cursor, "has_more": has_more}

    # ---- locations ----------------------------------------------------------------------
    def _location_rows(self, status: str | None = None) -> list[Any]:
        """``status``: 0 or absent all, 1 active, 2 deactivated (the 2026-01 ``status`` parameter)."""
        where = {"1": " WHERE active = 1", "2": " WHERE active = 0"}.get(status or "0", "")
        return self._db.execute(f"SELECT * FROM locations{where} ORDER BY pos").fetchall()

    @staticmethod
    def _location_json(row: Any) -> dict[str, Any]:
        # Python writes ints exactly, so the id goes out as the bare 64-bit JSON number the real schema has
        return {"id": int(row["id"]), "name": row["name"], "active": bool(row["active"]), "default": bool(row["is_default"]),
                "country_code": "GB", "created_at": "2025-11-03T09:12:44Z", "updated_at": "2026-01-15T16:40:02Z"}

    def _locations(self, request: Request) -> Response:
        rows = self._location_rows(request.arg("status"))
        paged = self._page(request, rows)
        if isinstance(paged, Response):
            return paged
        page, more = paged
        return self._ok({"locations": [self._location_json(r) for r in page], "total": len(rows), **more})

    def _default_location(self, request: Request) -> Response:
        row = self._db.execute("SELECT * FROM locations WHERE is_default = 1").fetchone()
        return self._ok({"location": self._location_json(row)})

    def _location(self, request: Request) -> Response:
        row = self._db.execute("SELECT * FROM locations WHERE id = ?", (request.params["id"],)).fetchone()
        if row is None:
            return error(404, "NotFound", "Location not found")
        return self._ok({"location": self._location_json(row)})

    # ---- products, variants and inventory items ---------------------------------------------
    @staticmethod
    def _variant_json(v: Any, total: int, position: int) -> dict[str, Any]:
        return {"id": v["id"], "product_id": v["product_id"], "title": v["title"], "sku": v["sku"] or "",
                "barcode": v["barcode"] or "", "position": position, "price": v["price"],
                "inventory_quantity": total if v["tracking"] else None}

    def _product_rows(self, where: str = "", args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        db = self._db
        variants = db.execute(f"SELECT * FROM variants{where} ORDER BY pos", args).fetchall()
        totals = dict(db.execute(f"SELECT l.item_id, SUM(l.stock) FROM levels l JOIN variants v ON v.item_id = l.item_id"
                                 f"{where} GROUP BY l.item_id", args).fetchall())
        products: dict[str, dict[str, Any]] = {}
        for v in variants:
            product = products.setdefault(v["product_id"], {"id": v["product_id"], "title": v["product_title"], "variants": []})
            product["variants"].append(self._variant_json(v, totals.get(v["item_id"], 0), len(product["variants"]) + 1))
        return list(products.values())

    def _products(self, request: Request) -> Response:
        # the page is cut from the product ids; only its own products are rendered (a 100k-variant
        # catalogue read page by page must not render every product for every page)
        ids = [r[0] for r in self._db.execute("SELECT product_id FROM variants GROUP BY product_id ORDER BY MIN(pos)")]
        paged = self._page(request, ids, size_names=("per_page", "page_size"), products=True)
        if isinstance(paged, Response):
            return paged
        page, more = paged
        rows = self._product_rows(f" WHERE product_id IN ({','.join('?' * len(page))})", tuple(page)) if page else []
        return self._ok({"products": rows, **more})

    def _product(self, request: Request) -> Response:
        rows = self._product_rows(" WHERE product_id = ?", (request.params["id"],))
        if not rows:
            return error(404, "NotFound", "Product not found")
        return self._ok({"product": rows[0]})

    def _variant_answer(self, request: Request) -> Response:
        db = self._db
        row = db.execute("SELECT * FROM variants WHERE id = ?", (request.params["id"],)).fetchone()
        if row is None:
            return error(404, "NotFound", "Variant not found")
        position = db.execute("SELECT COUNT(*) FROM variants WHERE product_id = ? AND pos <= ?",
                              (row["product_id"], row["pos"])).fetchone()[0]
        total = db.execute("SELECT COALESCE(SUM(stock), 0) FROM levels WHERE item_id = ?", (row["item_id"],)).fetchone()[0]
        return self._ok({"variant": self._variant_json(row, total, position)})

    def _product_inventory(self, request: Request) -> Response:
        """The seed doc's "Get product inventory": per variant, its stock at each location
        (``location_id`` as a string; the product total under the doc's capitalised ``Stock``);
        ``location_id=`` narrows it to one location."""
        db = self._db
        variants = db.execute("SELECT id, item_id FROM variants WHERE product_id = ? ORDER BY pos",
                              (request.params["id"],)).fetchall()
        if not variants:
            return error(404, "NotFound", "Product not found")
        only = request.arg("location_id")
        out, total = [], 0
        for v in variants:
            rows = db.execute("SELECT l.location_id, l.stock FROM levels l JOIN locations loc ON loc.id = l.location_id "
                              "WHERE l.item_id = ? ORDER BY loc.pos", (v["item_id"],)).fetchall()
            items = [{"location_id": r["location_id"], "stock": r["stock"]} for r in rows
                     if only is None or r["location_id"] == only]
            total += sum(i["stock"] for i in items)
            out.append({"variant_id": v["id"], "location_items": items})
        return self._ok({"product_id": request.params["id"], "Stock": total, "variants": out})

    def _items_by_variant(self, request: Request) -> Response:
        ids = request.query.get("variant_ids", [])
        if not ids:
            return error(400, "InvalidParameter", "variant_ids is required.")
        if len(ids) > MAX_PAGE:
            return error(400, "InvalidParameter", f"At most {MAX_PAGE} variant_ids per request.")
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f"SELECT id, item_id FROM variants WHERE id IN ({marks}) ORDER BY pos", ids).fetchall()
        return self._ok({"variant_inventory_items": [{"inventory_item_id": r["item_id"], "variant_id": r["id"]} for r in rows]})

    # ---- inventory levels -------------------------------------------------------------------
    def _levels(self, request: Request) -> Response:
        sql = ("SELECT l.* FROM levels l JOIN variants v ON v.item_id = l.item_id "
               "JOIN locations loc ON loc.id = l.location_id WHERE 1=1")
        args: list[str] = []
        for name, column in (("inventory_item_ids", "l.item_id"), ("location_ids", "l.location_id")):
            wanted = request.query.get(name)    # any other (e.g. misspelt) parameter is ignored
            if wanted:
                sql += f" AND {column} IN ({','.join('?' * len(wanted))})"
                args += wanted
        since = request.query.get("updated_at_min")     # ISO 8601 UTC, as the levels carry it
        if since:
            sql += " AND l.updated_at >= ?"
            args.append(since[-1])
        rows = self._db.execute(sql + " ORDER BY v.pos, loc.pos", args).fetchall()
        paged = self._page(request, rows)
        if isinstance(paged, Response):
            return paged
        page, more = paged
        return self._ok({"inventory_levels": [
            level_json(r["item_id"], r["location_id"], r["stock"], r["updated_at"]) for r in page], **more})


# ---- readings of the docs (see ``sandbox.readings``): one row per plausible reading ----------------
from desktop_app.sandbox.readings import Reading  # noqa: E402

#: Each reading past the first two toggles one point on top of the adding (reported) behaviour.
_ADDING = {"semantics": "observed"}
_SCLI = "Shoplazza/shoplazza-cli"

READINGS: tuple[Reading, ...] = (
    Reading("adding", "observed", f"{_SCLI} skills/shoplazza-products/references/inventory-locations.md "
            "(\"verified live\")", "`set` and `PUT /inventory_levels` add; `stock: 0` ignored; adjustments <= 0 refused (422)",
            options=_ADDING, reported=True),
    Reading("absolute", "documented", "api-docs/004 (shoplazza.dev manage-inventory): `set` is absolute",
            "`set` is absolute, `PUT /inventory_levels` adds a signed adjustment",
            options={"semantics": "documented"}),
    Reading("adding-refuses-400", "guess", "inventory-locations.md says \"the API rejects 0 and negative values\" "
            "without a status; 422 is only a CLI test fixture", "as adding, but an adjustment <= 0 is refused with 400",
            options={**_ADDING, "refusal_status": 400}),
    Reading("adding-echo", "guess", "api-docs/004 shows the set answer as the `stock` that was sent; "
            "inventory-locations.md: `stock: 0` \"returns ok\" and is ignored",
            "as adding, but `set` and connect answer the stock that was sent, not the stored level",
            options={**_ADDING, "write_answer": "echo"}),
    Reading("adding-then-absolute", "guess", "none: the two sources disagree, so a store may change between releases",
            "adding, switching to absolute after the second level write (a store that changes mid-run)",
            options={**_ADDING, "switch_after_writes": 2}),
    Reading("absolute-then-adding", "guess", "none: the two sources disagree, so a store may change between releases",
            "absolute, switching to adding after the second level write (a store that changes mid-run)",
            options={"semantics": "documented", "switch_after_writes": 2}),
    Reading("products-without-has-more", "documented", f"{_SCLI} internal/registry/cli_meta_v202601_en.json via "
            "platforms.md §4: `GET /products` has `cursor`/`pre_cursor` and no `has_more` (the other listings have it)",
            "as adding, but `GET /products` pages by `cursor` alone",
            options={**_ADDING, "has_more": "products"}),
    Reading("no-has-more", "guess", "the 2026-01 `/products` schema, taken for every listing",
            "as adding, but no listing answers `has_more`; an empty `cursor` ends it",
            options={**_ADDING, "has_more": "absent"}),
    Reading("has-more-false", "guess", f"{_SCLI} skills/shoplazza-common/SKILL.md (`has_more` may be null: "
            "not to be trusted)", "as adding, but `has_more` is always false, even with a cursor to follow",
            options={**_ADDING, "has_more": "false"}),
    Reading("variant-price-required", "documented", f"{_SCLI} skills/shoplazza-products/references/variants.md "
            "(\"The schema marks some fields (e.g. `price`) required\")",
            "as adding, but `PUT /variants/{id}` without `price` is refused (400)",
            options={**_ADDING, "variant_price": "required"}),
    Reading("no-disconnect", "guess", "inventory-locations.md documents `DELETE /inventory_levels` but not when "
            "it is refused", "as adding, but disconnecting an item from a location is refused",
            options={**_ADDING, "disconnect": "refused"}),
)
