"""The Shoplazza emulator's write handlers: deactivating a location, an inventory item's tracking,
the inventory levels (connect, disconnect, ``set``, ``PUT`` adjustments) and ``PUT /variants/{id}``;
and ``level_json``, the level row that reads and writes answer with.

``Writes`` is a mixin of ``sandbox.shoplazza.ShoplazzaApp`` (over the test hooks of
``sandbox.shoplazza_state``): it uses the app's store, its readings' options and ``_ok`` /
``_variant_answer``.
May import: ``sandbox.http``, ``sandbox.shoplazza_errors``, ``sandbox.shoplazza_state``, the standard library.
"""
from __future__ import annotations

from typing import Any, Callable

from desktop_app.sandbox.http import Request, Response
from desktop_app.sandbox.shoplazza_errors import error, not_connected, request_id
from desktop_app.sandbox.shoplazza_state import StateHooks, now


def level_json(item_id: str, location_id: str, stock: int, updated_at: str) -> dict[str, Any]:
    row: dict[str, Any] = {"inventory_item_id": item_id, "location_id": location_id}
    if stock:                                  # the live API omits stock when it is 0
        row["stock"] = stock
    row["updated_at"] = updated_at
    return row


class Writes(StateHooks):
    semantics: str
    refusal_status: int
    write_answer: str
    variant_price: str
    disconnect: str
    switch_after_writes: int
    level_writes: int
    _ok: Callable[[Any], Response]
    _variant_answer: Callable[[Request], Response]

    # ---- locations ----------------------------------------------------------------------
    def _deactivate(self, request: Request) -> Response:
        """``location_id`` and optional ``target_location_id`` (where its stock goes) as query parameters."""
        location_id, target_id = request.arg("location_id"), request.arg("target_location_id")
        db = self._db
        row = db.execute("SELECT * FROM locations WHERE id = ?", (location_id or "",)).fetchone()
        if row is None or (target_id and db.execute("SELECT 1 FROM locations WHERE id = ? AND active = 1",
                                                    (target_id,)).fetchone() is None):
            return error(404, "NotFound", "Location not found")
        if row["is_default"]:
            return error(400, "InvalidParameter", "The default location cannot be deactivated.")
        with self.store.transaction() as db:
            if target_id:
                for level in db.execute("SELECT * FROM levels WHERE location_id = ?", (location_id,)).fetchall():
                    moved = (self._current(level["item_id"], target_id) or 0) + level["stock"]
                    db.execute("INSERT OR REPLACE INTO levels VALUES (?, ?, ?, ?)", (level["item_id"], target_id, moved, now()))
                db.execute("DELETE FROM levels WHERE location_id = ?", (location_id,))
            db.execute("UPDATE locations SET active = 0 WHERE id = ?", (location_id,))
        return self._ok({})

    # ---- inventory items ----------------------------------------------------------------
    def _update_item(self, request: Request) -> Response:
        item = (request.json() or {}).get("inventory_item")
        if not isinstance(item, dict) or not isinstance(item.get("tracking", True), bool):
            return error(400, "InvalidParameter", "inventory_item.tracking must be true or false.")
        with self.store.transaction() as db:
            hit = db.execute("UPDATE variants SET tracking = ? WHERE item_id = ?",
                             (int(item.get("tracking", True)), request.params["id"])).rowcount
        if not hit:
            return error(404, "NotFound", "Inventory item not found")
        return self._ok({"inventory_item": {"id": request.params["id"], "tracking": item.get("tracking", True)}})

    # ---- inventory levels and variants -----------------------------------------------------
    def _target(self, body: Any) -> tuple[str, str] | Response:
        """Resolve ``inventory_item_id``/``location_id`` of a write body, exactly as written."""
        if not isinstance(body, dict):
            return error(400, "InvalidParameter", "The request body must be a JSON object.")
        item_id, location_id = request_id(body.get("inventory_item_id")), request_id(body.get("location_id"))
        if item_id is None or location_id is None:
            return error(400, "InvalidParameter", "inventory_item_id and location_id are required.")
        db = self._db
        if db.execute("SELECT 1 FROM variants WHERE item_id = ?", (item_id,)).fetchone() is None:
            return error(404, "NotFound", "Inventory item not found")
        location = db.execute("SELECT active FROM locations WHERE id = ?", (location_id,)).fetchone()
        if location is None:
            return error(404, "NotFound", "Location not found")
        if not location["active"]:
            return error(422, "InvalidParameter", "The location is deactivated.")
        return item_id, location_id

    def _write(self, op: str, item_id: str, location_id: str, after: int | None, *, tracking: bool | None = None,
               answer: int | None = None) -> Response:
        """Store a level (None: disconnect) and answer it — or, ``write_answer="echo"``, ``answer``."""
        before = self._current(item_id, location_id)
        stamp = now()
        with self.store.transaction() as db:
            if tracking is not None:
                db.execute("UPDATE variants SET tracking = ? WHERE item_id = ?", (int(tracking), item_id))
            if after is None:
                db.execute("DELETE FROM levels WHERE item_id = ? AND location_id = ?", (item_id, location_id))
            else:
                db.execute("INSERT OR REPLACE INTO levels VALUES (?, ?, ?, ?)", (item_id, location_id, after, stamp))
            db.execute("INSERT INTO ledger (op, item_id, location_id, before, after) VALUES (?, ?, ?, ?, ?)",
                       (op, item_id, location_id, before, after))
        self.level_writes += 1
        if self.switch_after_writes and self.level_writes == self.switch_after_writes:
            self.semantics = "observed" if self.semantics == "documented" else "documented"
        if after is None:
            return self._ok({})
        shown = answer if self.write_answer == "echo" and answer is not None else after
        return self._ok({"inventory_level": level_json(item_id, location_id, shown, stamp)})

    def _level_answer(self, item_id: str, location_id: str, *, echo: int | None = None) -> Response:
        row = self._db.execute("SELECT * FROM levels WHERE item_id = ? AND location_id = ?",
                                     (item_id, location_id)).fetchone()
        stock = echo if self.write_answer == "echo" and echo is not None else row["stock"]
        return self._ok({"inventory_level": level_json(item_id, location_id, stock, row["updated_at"])})

    def _connect(self, request: Request) -> Response:
        target = self._target(request.json())
        if isinstance(target, Response):
            return target
        if self._current(*target) is not None:
            return self._level_answer(*target, echo=0)      # an echo has no stock: it reads as 0
        return self._write("connect", *target, 0)

    def _disconnect(self, request: Request) -> Response:
        target = self._target(request.json())
        if isinstance(target, Response):
            return target
        if self._current(*target) is None:
            return error(404, "NotFound", "Inventory level not found")
        is_default = self._db.execute("SELECT is_default FROM locations WHERE id = ?", (target[1],)).fetchone()[0]
        if is_default or self.disconnect == "refused":
            return error(422, "InvalidParameter", "The inventory item cannot be disconnected from this location"
                         + (" (it is the default location)." if is_default else " while it has stock there."))
        return self._write("disconnect", *target, None)

    def _set(self, request: Request) -> Response:
        body = request.json()
        target = self._target(body)
        if isinstance(target, Response):
            return target
        stock = body.get("stock")
        if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
            return error(400, "InvalidParameter", "stock must be a whole number of 0 or more.")
        current = self._current(*target)
        if current is None:
            return not_connected()
        if self.semantics == "documented":
            return self._write("set", *target, stock)
        if stock == 0:                          # observed: accepted, silently ignored
            return self._level_answer(*target, echo=0)
        return self._write("set-adds", *target, current + stock, answer=stock)

    def _adjust(self, request: Request) -> Response:
        body = request.json()
        target = self._target(body)
        if isinstance(target, Response):
            return target
        delta = body.get("stock_adjustment")
        if not isinstance(delta, int) or isinstance(delta, bool):
            return error(400, "InvalidParameter", "stock_adjustment must be a whole number.")
        current = self._current(*target)
        if current is None:
            return not_connected()
        if current + delta < 0:
            return Response(422, {"error": "insufficient_stock", "current_stock": current})
        if self.semantics == "observed" and delta <= 0:
            return error(self.refusal_status, "InvalidParameter", "stock_adjustment must be greater than 0.")
        return self._write("adjust", *target, current + delta)

    def _update_variant(self, request: Request) -> Response:
        body = request.json()
        variant = body.get("variant") if isinstance(body, dict) else None
        if not isinstance(variant, dict):
            return error(400, "InvalidParameter", "The body must hold a variant object.")
        db = self._db
        row = db.execute("SELECT * FROM variants WHERE id = ?", (request.params["id"],)).fetchone()
        if row is None:
            return error(404, "NotFound", "Variant not found")
        if self.variant_price == "required" and variant.get("price") in (None, ""):
            return error(400, "InvalidParameter", "variant.price is required.")
        if "price" in variant:
            if not isinstance(variant["price"], (str, int, float)) or isinstance(variant["price"], bool):
                return error(400, "InvalidParameter", "variant.price must be a number or a decimal string.")
            with self.store.transaction() as db:
                db.execute("UPDATE variants SET price = ? WHERE id = ?", (str(variant["price"]), row["id"]))
        if "inventory_quantity" in variant:
            quantity = variant["inventory_quantity"]
            if not isinstance(quantity, int) or isinstance(quantity, bool):
                return error(400, "InvalidParameter", "inventory_quantity must be a whole number.")
            default = db.execute("SELECT id FROM locations WHERE is_default = 1").fetchone()["id"]
            self._write("variant-quantity", row["item_id"], default, quantity, tracking=quantity != 0)
        return self._variant_answer(request)
