"""The Shoplazza emulator's data: schema, demo catalogue, seeding, and the hooks tests use to
look behind the API (levels by SKU and location name, prices, deactivated locations, the ledger
of applied writes)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from desktop_app.sandbox.catalog import CatalogLocation, CatalogSpec, CatalogVariant
from desktop_app.sandbox.demo import MAIN, demo_base, ean13
from desktop_app.sandbox.store import SqliteStore

FIRST_LOCATION_ID = 604253696473177059
FIRST_ITEM_ID = 626514004247984698

#: the demo shop's closed location: deactivated in Shoplazza's admin, still listed by the API
CLOSED = "Old Market Stall"

SCHEMA = """
CREATE TABLE IF NOT EXISTS locations (id TEXT PRIMARY KEY, pos INTEGER, name TEXT, is_default INTEGER,
    active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS variants (id TEXT PRIMARY KEY, pos INTEGER, product_id TEXT, product_title TEXT,
    title TEXT, sku TEXT, barcode TEXT, item_id TEXT UNIQUE, tracking INTEGER, price TEXT NOT NULL DEFAULT '19.90');
CREATE TABLE IF NOT EXISTS levels (item_id TEXT, location_id TEXT, stock INTEGER, updated_at TEXT,
    PRIMARY KEY (item_id, location_id));
CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT, item_id TEXT,
    location_id TEXT, before INTEGER, after INTEGER);
"""


#: added columns, for a state file written before them (``CREATE TABLE IF NOT EXISTS`` keeps old tables)
_COLUMNS = (("locations", "active", "INTEGER NOT NULL DEFAULT 1"), ("variants", "price", "TEXT NOT NULL DEFAULT '19.90'"))


def demo_catalog() -> CatalogSpec:
    """The shared demo shop plus Shoplazza's awkward cases: two variants sharing one SKU (SKUs
    are not unique on Shoplazza), and a deactivated location, ``CLOSED``, which the API still
    lists (``active: false``); the tote bag's names read like formulas. The first location, Main Warehouse, is the default."""
    spec = demo_base()
    spec.variants.append(CatalogVariant(
        product="Stoneware Mug Gift Set", title="Sage, boxed", sku="MUG-SAGE",
        barcode=ean13("506012349018"), levels={MAIN: 5}))
    spec.locations.append(CatalogLocation(name=CLOSED))
    for v in spec.variants:
        if v.sku == "TOTE-NAT":
            # formula-like names (a product, a title read as a negative number): reports keep them text
            v.product, v.title = "@Canvas Tote Bag =SUM(A1)", "-1 Natural (seconds)"
    return spec


def migrate(store: SqliteStore) -> None:
    """Add the columns a state file from an older emulator lacks."""
    with store.transaction() as db:
        for table, column, declaration in _COLUMNS:
            if column not in {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StateHooks:
    """Test hooks over the emulator's SQLite state (``store``; ``_db`` is its connection)."""

    store: SqliteStore
    _db: Any

    def _current(self, item_id: str, location_id: str) -> int | None:
        row = self._db.execute("SELECT stock FROM levels WHERE item_id = ? AND location_id = ?",
                               (item_id, location_id)).fetchone()
        return None if row is None else row["stock"]

    def variant_ids(self, sku: str) -> list[str]:
        with self.store.reading() as db:
            return [r["id"] for r in db.execute("SELECT id FROM variants WHERE sku = ? ORDER BY pos", (sku,))]

    def _variant(self, sku: str, variant_id: str | None) -> Any:
        ids = [variant_id] if variant_id else self.variant_ids(sku)
        if len(ids) != 1:
            raise KeyError(f"SKU {sku!r} names {len(ids)} variants; pass variant_id")
        with self.store.reading() as db:
            return db.execute("SELECT * FROM variants WHERE id = ?", (ids[0],)).fetchone()

    def location_id(self, name: str) -> str:
        with self.store.reading() as db:
            row = db.execute("SELECT id FROM locations WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise KeyError(name)
        return row["id"]

    def inventory_item_id(self, sku: str, *, variant_id: str | None = None) -> str:
        return self._variant(sku, variant_id)["item_id"]

    def level(self, sku: str, location: str, *, variant_id: str | None = None) -> int | None:
        """The level of a variant at a location (by name); None when not connected there."""
        with self.store.lock:
            return self._current(self.inventory_item_id(sku, variant_id=variant_id), self.location_id(location))

    def set_level(self, sku: str, location: str, stock: int | None, *, variant_id: str | None = None) -> None:
        """Change a level behind the API's back (another sales channel); None disconnects."""
        item_id, location_id = self.inventory_item_id(sku, variant_id=variant_id), self.location_id(location)
        with self.store.transaction() as db:
            if stock is None:
                db.execute("DELETE FROM levels WHERE item_id = ? AND location_id = ?", (item_id, location_id))
            else:
                db.execute("INSERT OR REPLACE INTO levels VALUES (?, ?, ?, ?)", (item_id, location_id, stock, now()))

    def tracking(self, sku: str, *, variant_id: str | None = None) -> bool:
        return bool(self._variant(sku, variant_id)["tracking"])

    def price(self, sku: str, *, variant_id: str | None = None) -> str:
        return self._variant(sku, variant_id)["price"]

    def set_price(self, sku: str, price: str, *, variant_id: str | None = None) -> None:
        """Change a price behind the API's back (the merchant, in the admin)."""
        variant_id = self._variant(sku, variant_id)["id"]
        with self.store.transaction() as db:
            db.execute("UPDATE variants SET price = ? WHERE id = ?", (price, variant_id))

    def deactivate(self, name: str) -> None:
        """Deactivate a location as the admin does (it stays listed, ``active: false``)."""
        location_id = self.location_id(name)
        with self.store.transaction() as db:
            db.execute("UPDATE locations SET active = 0 WHERE id = ?", (location_id,))

    def ledger(self) -> list[dict[str, Any]]:
        """Every applied write, oldest first: op, sku, variant_id, location (name), before, after."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT g.op, v.sku, v.id AS variant_id, loc.name AS location, g.before, g.after FROM ledger g "
                "JOIN variants v ON v.item_id = g.item_id JOIN locations loc ON loc.id = g.location_id "
                "ORDER BY g.seq").fetchall()
        return [dict(r) for r in rows]


def seed(store: SqliteStore, spec: CatalogSpec, *, deactivated: tuple[str, ...] = ()) -> None:
    """Load a catalogue: the first location is the default, those named in ``deactivated`` are
    deactivated; ids are deterministic and above 2**53; prices are deterministic strings."""
    names = [loc.name for loc in spec.locations]
    location_ids = {name: str(FIRST_LOCATION_ID + i * 1_000_003) for i, name in enumerate(names)}
    stamp = "2026-01-20T08:00:00Z"
    with store.transaction() as db:
        for i, name in enumerate(names):
            db.execute("INSERT INTO locations VALUES (?, ?, ?, ?, ?)",
                       (location_ids[name], i, name, int(i == 0), int(name not in deactivated)))
        for i, v in enumerate(spec.variants):
            variant_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"shoplazza-sandbox/variant/{i}"))
            product_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"shoplazza-sandbox/product/{v.product}"))
            item_id = str(FIRST_ITEM_ID + i * 7919)
            db.execute("INSERT INTO variants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (variant_id, i, product_id, v.product, v.title or "Default Title", v.sku, v.barcode,
                        item_id, int(v.tracked), f"{12 + (i * 7) % 40}.90"))
            for name, stock in v.levels.items():
                if name not in location_ids:
                    raise ValueError(f"variant {v.sku or v.product!r} is stocked at unknown location {name!r}")
                if isinstance(stock, int):      # Shoplazza has no "infinite" stock
                    db.execute("INSERT INTO levels VALUES (?, ?, ?, ?)", (item_id, location_ids[name], stock, stamp))
        SqliteStore.set_meta(db, "seeded", 1)
