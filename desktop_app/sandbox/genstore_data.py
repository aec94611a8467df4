"""The Genstore emulator's data side: schema, id scheme, seeding, queries and JSON shapes.

``StateHooks`` are the test hooks (plain Python, no HTTP) the app offers over this data.

Ids follow the documented examples: products ``102744589756584``, variants ``107362235756584``
(a counter followed by the shop's six-digit suffix), locations ``54002``. Everything leaves as a
JSON string, quantities and flags included, as the docs' examples show; a ``Shape`` carries the
readings that change that (numbers, booleans, the committed and on-hand states beside available).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

from desktop_app.sandbox.catalog import CatalogSpec, CatalogVariant, load_catalog
from desktop_app.sandbox.demo import MAIN, OUTLET, demo_base, ean13
from desktop_app.sandbox.store import SqliteStore

SHOP_SUFFIX = "756584"

SCHEMA = """
CREATE TABLE IF NOT EXISTS locations (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS variants (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, product_id TEXT NOT NULL, sku TEXT NOT NULL,
    barcode TEXT NOT NULL, title TEXT NOT NULL, managed INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS variants_product ON variants (product_id, seq);
CREATE INDEX IF NOT EXISTS variants_sku ON variants (sku);
CREATE TABLE IF NOT EXISTS levels (
    variant_id TEXT NOT NULL, location_id TEXT NOT NULL, available INTEGER NOT NULL,
    committed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (variant_id, location_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY, time REAL NOT NULL, variant_id TEXT NOT NULL, location_id TEXT NOT NULL,
    before INTEGER, after INTEGER NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL);
"""

_TABLES = {"locations": "locations", "products": "products", "inventory": "variants"}


def location_id(index: int) -> str:
    return str(54002 + 1000 * index)


def product_id(index: int) -> str:
    return f"{102744589 + index}{SHOP_SUFFIX}"


def variant_id(index: int) -> str:
    return f"{107362235 + index}{SHOP_SUFFIX}"


def demo_catalog() -> CatalogSpec:
    """The shared demo shop plus Genstore's awkward cases: a formula-looking product name, barcodes
    with leading zeros, non-ASCII names, committed stock, a variant not stocked at every location."""
    spec = demo_base()
    spec.variants.append(CatalogVariant(
        product='=HYPERLINK("http://evil","Free gift")', title="Default Title", sku="FREE-GIFT",
        barcode=ean13("000001234567"), levels={MAIN: 10}))
    spec.variants.append(CatalogVariant(
        product="Ünïcode Enamel Pin — 日本", title="Gold", sku="PIN-ÜNI",
        barcode=ean13("000000099013"), levels={MAIN: 15, OUTLET: 4}))
    committed = {"TS-BLK-M": {MAIN: 3}, "MUG-SAGE": {MAIN: 2, OUTLET: 1}, "TOTE-NAT": {OUTLET: 1}}
    for v in spec.variants:
        if v.sku in committed:
            v.committed = committed[v.sku]
    return spec


def load(source: str) -> CatalogSpec:
    return load_catalog(source, demo=demo_catalog)


def seed(db: sqlite3.Connection, spec: CatalogSpec) -> None:
    """Load a catalogue into an empty database (caller holds the transaction)."""
    locations = {loc.name: location_id(i) for i, loc in enumerate(spec.locations)}
    products: dict[str, str] = {}
    variant_rows, level_rows = [], []
    for i, v in enumerate(spec.variants):
        pid = products.setdefault(v.product, product_id(len(products)))
        vid = variant_id(i)
        variant_rows.append((i + 1, vid, pid, v.sku or "", v.barcode or "", v.title or "Default Title", int(v.tracked)))
        for name in set(v.levels) | set(v.committed):
            if name not in locations:
                raise ValueError(f"variant {v.sku or i + 1}: location {name!r} is not in the catalogue's locations")
            if name not in v.levels:
                raise ValueError(f"variant {v.sku or i + 1}: committed stock at {name!r}, where it is not stocked")
            qty = v.levels[name]
            if not isinstance(qty, int):
                raise ValueError(f"variant {v.sku or i + 1}: Genstore has no {qty!r} stock; use a whole number")
            level_rows.append((vid, locations[name], qty, v.committed.get(name, 0)))
    db.executemany("INSERT INTO locations (seq, id, name) VALUES (?, ?, ?)",
                   [(i + 1, lid, name) for i, (name, lid) in enumerate(locations.items())])
    db.executemany("INSERT INTO products (seq, id, title) VALUES (?, ?, ?)",
                   [(i + 1, pid, title) for i, (title, pid) in enumerate(products.items())])
    db.executemany("INSERT INTO variants (seq, id, product_id, sku, barcode, title, managed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   variant_rows)
    db.executemany("INSERT INTO levels (variant_id, location_id, available, committed) VALUES (?, ?, ?, ?)", level_rows)


# ---------------------------------------------------------------------- queries
def page(db: sqlite3.Connection, resource: str, *, direction: str, cursor: int, since: int,
         limit: int) -> tuple[list[sqlite3.Row], bool, bool]:
    """One page of ``resource`` after (or before) the row with ``seq == cursor``, ids above ``since``."""
    table = _TABLES[resource]
    if direction == "next":
        rows = db.execute(f"SELECT * FROM {table} WHERE seq > ? AND CAST(id AS INTEGER) > ? ORDER BY seq LIMIT ?",
                          (cursor, since, limit)).fetchall()
    else:
        rows = db.execute(f"SELECT * FROM {table} WHERE seq < ? AND CAST(id AS INTEGER) > ? ORDER BY seq DESC LIMIT ?",
                          (cursor, since, limit)).fetchall()[::-1]
    if not rows:
        return rows, False, False
    exists = f"SELECT 1 FROM {table} WHERE seq {{}} ? AND CAST(id AS INTEGER) > ? LIMIT 1"
    has_prev = db.execute(exists.format("<"), (rows[0]["seq"], since)).fetchone() is not None
    has_next = db.execute(exists.format(">"), (rows[-1]["seq"], since)).fetchone() is not None
    return rows, has_prev, has_next


#: one bound level as the JSON shapes need it: (location id, available, committed)
LevelRow = tuple[str, int, int]


def levels_of(db: sqlite3.Connection, variant_ids: Iterable[str]) -> dict[str, list[LevelRow]]:
    """Bound levels per variant, locations in their listed order."""
    ids = list(variant_ids)
    out: dict[str, list[LevelRow]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        rows = db.execute(
            "SELECT l.variant_id, l.location_id, l.available, l.committed FROM levels l "
            "JOIN locations loc ON loc.id = l.location_id "
            f"WHERE l.variant_id IN ({','.join('?' * len(part))}) ORDER BY l.variant_id, loc.seq", part)
        for r in rows:
            out.setdefault(r["variant_id"], []).append((r["location_id"], r["available"], r["committed"]))
    return out


def variant_by_sku(db: sqlite3.Connection, sku: str) -> sqlite3.Row:
    rows = db.execute("SELECT * FROM variants WHERE sku = ?", (sku,)).fetchall()
    if len(rows) != 1:
        raise KeyError(f"{len(rows)} variants have SKU {sku!r}")
    return rows[0]


def location_by_name(db: sqlite3.Connection, name: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM locations WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise KeyError(f"no location named {name!r}")
    return row


# ---------------------------------------------------------------------- JSON shapes
@dataclass(frozen=True, slots=True)
class Shape:
    """How the shop writes its JSON (``READINGS`` in ``sandbox.genstore``): ids and quantities as
    strings (the docs' examples) or numbers (the property docs call ids "number"); flags as
    ``"true"``/``"false"`` strings (the docs' variant example) or booleans; and whether each level
    shows ``committed`` and ``onHand`` beside ``available`` (the docs name the states, no example
    shows them)."""

    numbers: bool = False
    boolean_flags: bool = False
    stock_states: bool = False

    def num(self, value: str | int) -> str | int:
        return int(value) if self.numbers else str(value)

    def flag(self, value: bool) -> str | bool:
        return bool(value) if self.boolean_flags else ("true" if value else "false")

    def counts(self, levels: list[LevelRow]) -> list[dict[str, Any]]:
        out = []
        for lid, available, committed in levels:
            count: dict[str, Any] = {"locationId": self.num(lid), "available": self.num(available)}
            if self.stock_states:
                count["committed"] = self.num(committed)
                count["onHand"] = self.num(available + committed)
            out.append(count)
        return out


DOCUMENTED = Shape()


def location_json(row: sqlite3.Row, shape: Shape = DOCUMENTED) -> dict[str, Any]:
    return {"locationId": shape.num(row["id"]), "name": row["name"], "isDefault": shape.flag(row["seq"] == 1)}


def inventory_json(variant: sqlite3.Row, levels: list[LevelRow], shape: Shape = DOCUMENTED) -> dict[str, Any]:
    return {"productId": shape.num(variant["product_id"]), "variantId": shape.num(variant["id"]),
            "inventoryCounts": shape.counts(levels)}


def variant_json(variant: sqlite3.Row, levels: list[LevelRow], shape: Shape = DOCUMENTED) -> dict[str, Any]:
    return {"variantId": shape.num(variant["id"]), "productId": shape.num(variant["product_id"]),
            "title": variant["title"], "sku": variant["sku"], "barcode": variant["barcode"],
            "inventoryManagement": shape.flag(bool(variant["managed"])), "isDisabled": shape.flag(False),
            "inventoryQuantities": shape.counts(levels)}


def products_json(db: sqlite3.Connection, products: list[sqlite3.Row],
                  shape: Shape = DOCUMENTED) -> list[dict[str, Any]]:
    ids = [p["id"] for p in products]
    variants: dict[str, list[sqlite3.Row]] = {}
    if ids:
        rows = db.execute(f"SELECT * FROM variants WHERE product_id IN ({','.join('?' * len(ids))}) ORDER BY seq", ids)
        for v in rows:
            variants.setdefault(v["product_id"], []).append(v)
    levels = levels_of(db, [v["id"] for vs in variants.values() for v in vs])
    return [{"productId": shape.num(p["id"]), "title": p["title"], "status": "active",
             "variants": [variant_json(v, levels.get(v["id"], []), shape) for v in variants.get(p["id"], [])]}
            for p in products]


# ---------------------------------------------------------------------- test hooks
class StateHooks:
    """Test hooks over the shop's SQLite state (``store``): look behind the API, or change it as
    another writer would."""

    store: SqliteStore

    def variant_id(self, sku: str) -> str:
        with self.store.reading() as db:
            return variant_by_sku(db, sku)["id"]

    def location_id(self, name: str) -> str:
        with self.store.reading() as db:
            return location_by_name(db, name)["id"]

    def level(self, sku: str, location_name: str) -> int | None:
        """Available stock of ``sku`` at a location; None when the variant is not bound there."""
        row = self._level_row(sku, location_name)
        return None if row is None else row["available"]

    def committed(self, sku: str, location_name: str) -> int | None:
        row = self._level_row(sku, location_name)
        return None if row is None else row["committed"]

    def set_level(self, sku: str, location_name: str, qty: int) -> None:
        """Another writer (a sale, a warehouse count) sets a level; not recorded in the ledger."""
        with self.store.transaction() as db:
            vid = variant_by_sku(db, sku)["id"]
            lid = location_by_name(db, location_name)["id"]
            db.execute("INSERT INTO levels (variant_id, location_id, available) VALUES (?, ?, ?) "
                       "ON CONFLICT (variant_id, location_id) DO UPDATE SET available = excluded.available",
                       (vid, lid, qty))

    def set_committed(self, sku: str, location_name: str, qty: int) -> None:
        """Orders commit (or fulfil) stock at a bound level; not recorded in the ledger."""
        with self.store.transaction() as db:
            vid = variant_by_sku(db, sku)["id"]
            lid = location_by_name(db, location_name)["id"]
            if db.execute("UPDATE levels SET committed = ? WHERE variant_id = ? AND location_id = ?",
                          (qty, vid, lid)).rowcount != 1:
                raise KeyError(f"{sku!r} is not stocked at {location_name!r}")

    def set_managed(self, sku: str, managed: bool) -> None:
        """The merchant turns a variant's inventory management on or off."""
        with self.store.transaction() as db:
            vid = variant_by_sku(db, sku)["id"]
            db.execute("UPDATE variants SET managed = ? WHERE id = ?", (int(managed), vid))

    def ledger(self) -> list[dict[str, Any]]:
        """Every write applied through the API, oldest first."""
        with self.store.reading() as db:
            rows = db.execute("SELECT time, variant_id, location_id, before, after, method, path FROM ledger ORDER BY seq")
            return [dict(r) for r in rows]

    def _level_row(self, sku: str, location_name: str) -> Any:
        with self.store.reading() as db:
            vid = variant_by_sku(db, sku)["id"]
            lid = location_by_name(db, location_name)["id"]
            return db.execute("SELECT available, committed FROM levels WHERE variant_id = ? AND location_id = ?",
                              (vid, lid)).fetchone()
