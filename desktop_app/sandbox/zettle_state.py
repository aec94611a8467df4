"""The Zettle emulator's state: one organisation's products, locations, STORE balances, the
movement ledger and the webhook-like event log, in SQLite (a file survives restarts).

``demo_catalog`` is the demo merchant as a Zettle till sees it. Only the STORE location holds a balance. SUPPLIER is an infinite source; SOLD and BIN are sinks
whose balances Zettle does not track. Tracking is per product: an untracked product keeps its
balances but hides them, and they re-appear when tracking starts again.

Storage is ``sandbox.store.SqliteStore`` (one connection, one re-entrant lock, WAL for files).
Every public method takes that lock; the HTTP layer also holds ``lock`` around "validate, then
apply" so a request is atomic.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from desktop_app.sandbox.catalog import CatalogLocation, CatalogSpec, CatalogVariant
from desktop_app.sandbox.demo import MAIN, demo_base, ean13
from desktop_app.sandbox.store import SqliteStore

LOCATION_TYPES = ("STORE", "BIN", "SOLD", "SUPPLIER")   # the order Zettle lists them in
STORE = "STORE"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS locations (uuid TEXT PRIMARY KEY, type TEXT NOT NULL, pos INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS products (uuid TEXT PRIMARY KEY, name TEXT NOT NULL, pos INTEGER NOT NULL,
    tracked INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS variants (uuid TEXT PRIMARY KEY, product_uuid TEXT NOT NULL, name TEXT,
    sku TEXT, barcode TEXT, pos INTEGER NOT NULL, balance INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS variants_product ON variants(product_uuid);
CREATE INDEX IF NOT EXISTS variants_sku ON variants(sku);
CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY AUTOINCREMENT, external_uuid TEXT,
    product_uuid TEXT NOT NULL, variant_uuid TEXT NOT NULL, from_type TEXT NOT NULL, to_type TEXT NOT NULL,
    change INTEGER NOT NULL, source TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS replies (external_uuid TEXT PRIMARY KEY, body TEXT NOT NULL);
"""

#: 2021-12-20 00:00 UTC in 100-ns intervals since 1582-10-15, the UUIDv1 epoch.
_EPOCH_1582 = 0x01B21DD213814000
_BASE_TIME = _EPOCH_1582 + 1_639_958_400 * 10_000_000
_CLOCK_SEQ = 0x2B63
_NODE = 0x0242AC130002


def v1_uuid(n: int) -> str:
    """The n-th deterministic time-based (version 1) UUID of the emulator: one per millisecond
    from a fixed instant, fixed clock sequence and node, so a demo store is the same every run."""
    ts = _BASE_TIME + n * 10_000
    return str(uuid.UUID(fields=(ts & 0xFFFFFFFF, (ts >> 32) & 0xFFFF, ((ts >> 48) & 0x0FFF) | 0x1000,
                                 ((_CLOCK_SEQ >> 8) & 0x3F) | 0x80, _CLOCK_SEQ & 0xFF, _NODE)))


def _iso(n: int) -> str:
    return f"2021-12-20T{(n // 3600) % 24:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.000+0000"


@dataclass(frozen=True, slots=True)
class Move:
    product_uuid: str
    variant_uuid: str
    from_uuid: str
    to_uuid: str
    change: int


class ZettleState:
    def __init__(self, path: Path | None) -> None:
        self.store = SqliteStore(path, schema=_SCHEMA)
        self.lock = self.store.lock

    # --- seeding ------------------------------------------------------------------------
    @property
    def seeded(self) -> bool:
        return self.store.seeded

    def seed(self, spec: CatalogSpec) -> None:
        """Create the organisation, its 4 system locations and the catalogue. Every location name
        of the catalogue maps to the single STORE: a variant's level is the one at the catalogue's
        first location (else its first level; else 0). A product is untracked if any of its
        variants says ``tracked: false``; its levels are kept, hidden."""
        first = spec.locations[0].name if spec.locations else None
        with self.store.transaction() as db:
            self._set_meta(db, "org", v1_uuid(0))
            for pos, kind in enumerate(LOCATION_TYPES):
                db.execute("INSERT INTO locations VALUES (?,?,?)", (v1_uuid(pos + 1), kind, pos))
            self._set_meta(db, "next_uuid", "5")
            products: dict[str, str] = {}
            for v in spec.variants:
                p_uuid = products.get(v.product)
                if p_uuid is None:
                    p_uuid = products[v.product] = self._new_uuid(db)
                    db.execute("INSERT INTO products VALUES (?,?,?,1,?)",
                                     (p_uuid, v.product, len(products), _iso(len(products))))
                if not v.tracked:
                    db.execute("UPDATE products SET tracked=0 WHERE uuid=?", (p_uuid,))
                level = v.levels.get(first) if first in v.levels else next(iter(v.levels.values()), 0)
                balance = level if isinstance(level, int) else 0
                pos = db.execute("SELECT COUNT(*) FROM variants").fetchone()[0]
                db.execute("INSERT INTO variants VALUES (?,?,?,?,?,?,?)",
                           (self._new_uuid(db), p_uuid, v.title or "", v.sku, v.barcode, pos, balance))
            self._set_meta(db, "seeded", "1")

    @staticmethod
    def _set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        SqliteStore.set_meta(db, key, value)

    @staticmethod
    def _new_uuid(db: sqlite3.Connection) -> str:
        row = db.execute("SELECT value FROM meta WHERE key='next_uuid'").fetchone()
        n = int(row[0]) if row else 5
        SqliteStore.set_meta(db, "next_uuid", n + 1)
        return v1_uuid(n)

    # --- reads --------------------------------------------------------------------------
    @property
    def org_uuid(self) -> str:
        return self.store.meta("org") or ""

    def locations(self) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            rows = db.execute("SELECT uuid, type FROM locations ORDER BY pos").fetchall()
        return [{"uuid": r["uuid"], "type": r["type"]} for r in rows]

    def location_types(self) -> dict[str, str]:
        """location uuid → type"""
        return {loc["uuid"]: loc["type"] for loc in self.locations()}

    def uuid_of(self, location_type: str) -> str:
        return next(u for u, t in self.location_types().items() if t == location_type)

    def products(self, product_uuids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Products with their variants, in catalogue order."""
        with self.store.reading() as db:
            rows = db.execute("SELECT * FROM products ORDER BY pos").fetchall()
            wanted = set(product_uuids) if product_uuids is not None else None
            out = []
            for p in rows:
                if wanted is not None and p["uuid"] not in wanted:
                    continue
                variants = db.execute("SELECT * FROM variants WHERE product_uuid=? ORDER BY pos",
                                            (p["uuid"],)).fetchall()
                out.append({"uuid": p["uuid"], "name": p["name"], "tracked": bool(p["tracked"]),
                            "created": p["created"], "variants": [dict(v) for v in variants]})
            return out

    def product_variants(self) -> dict[str, set[str]]:
        """product uuid → its variant uuids"""
        with self.store.reading() as db:
            out: dict[str, set[str]] = {r["uuid"]: set() for r in db.execute("SELECT uuid FROM products")}
            for r in db.execute("SELECT uuid, product_uuid FROM variants"):
                out[r["product_uuid"]].add(r["uuid"])
            return out

    def tracked(self) -> set[str]:
        with self.store.reading() as db:
            return {r[0] for r in db.execute("SELECT uuid FROM products WHERE tracked=1")}

    def balances(self, product_uuids: Iterable[str] | None = None) -> list[tuple[str, str, int]]:
        """(product, variant, balance) of the STORE for tracked products, catalogue order."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT v.product_uuid, v.uuid, v.balance FROM variants v JOIN products p ON p.uuid=v.product_uuid "
                "WHERE p.tracked=1 ORDER BY p.pos, v.pos").fetchall()
        wanted = set(product_uuids) if product_uuids is not None else None
        return [(r[0], r[1], r[2]) for r in rows if wanted is None or r[0] in wanted]

    def variant_balance(self, variant_uuid: str) -> int:
        with self.store.reading() as db:
            return db.execute("SELECT balance FROM variants WHERE uuid=?", (variant_uuid,)).fetchone()[0]

    def variants_by_sku(self, sku: str) -> list[tuple[str, str, bool, int]]:
        """(product, variant, tracked, balance) of every variant with that SKU."""
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT v.product_uuid, v.uuid, p.tracked, v.balance FROM variants v JOIN products p "
                "ON p.uuid=v.product_uuid WHERE v.sku=? ORDER BY p.pos, v.pos", (sku,)).fetchall()
        return [(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    # --- writes -------------------------------------------------------------------------
    def apply(self, *, moves: list[Move], start: Iterable[str] = (), stop: Iterable[str] = (),
              external_uuid: str | None, source: str = "api") -> dict[str, int]:
        """Start tracking ``start``, apply ``moves`` to the STORE balance, stop tracking ``stop``;
        log every movement and emit InventoryTrackingStarted / InventoryBalanceChanged /
        InventoryTrackingStopped events. Returns variant → STORE balance for the moved variants."""
        types = self.location_types()
        store = self.uuid_of("STORE")
        with self.store.transaction() as db:
            for p in start:
                if db.execute("UPDATE products SET tracked=1 WHERE uuid=? AND tracked=0", (p,)).rowcount:
                    self._event(db, {"type": "InventoryTrackingStarted", "productUuid": p, "externalUuid": external_uuid})
            before: dict[str, tuple[str, int]] = {}
            balance: dict[str, int] = {}
            for m in moves:
                if m.variant_uuid not in balance:
                    balance[m.variant_uuid] = db.execute(
                        "SELECT balance FROM variants WHERE uuid=?", (m.variant_uuid,)).fetchone()[0]
                    before[m.variant_uuid] = (m.product_uuid, balance[m.variant_uuid])
                if m.from_uuid == store:
                    balance[m.variant_uuid] -= m.change
                if m.to_uuid == store:
                    balance[m.variant_uuid] += m.change
                db.execute(
                    "INSERT INTO ledger (external_uuid, product_uuid, variant_uuid, from_type, to_type, change, source) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (external_uuid, m.product_uuid, m.variant_uuid, types[m.from_uuid], types[m.to_uuid], m.change, source))
            for v, b in balance.items():
                db.execute("UPDATE variants SET balance=? WHERE uuid=?", (b, v))
            if moves:
                self._event(db, {
                    "type": "InventoryBalanceChanged", "organizationUuid": self.org_uuid, "externalUuid": external_uuid,
                    "balanceBefore": [{"locationUuid": store, "productUuid": p, "variantUuid": v, "balance": str(b)}
                                      for v, (p, b) in before.items()],
                    "balanceAfter": [{"locationUuid": store, "productUuid": before[v][0], "variantUuid": v,
                                      "balance": str(b)} for v, b in balance.items()]})
            for p in stop:
                if db.execute("UPDATE products SET tracked=0 WHERE uuid=? AND tracked=1", (p,)).rowcount:
                    self._event(db, {"type": "InventoryTrackingStopped", "productUuid": p, "externalUuid": external_uuid})
            return balance

    @staticmethod
    def _event(db: sqlite3.Connection, payload: dict[str, Any]) -> None:
        db.execute("INSERT INTO events (payload) VALUES (?)", (json.dumps(payload),))

    def remembered_reply(self, external_uuid: str) -> Any | None:
        with self.store.reading() as db:
            row = db.execute("SELECT body FROM replies WHERE external_uuid=?", (external_uuid,)).fetchone()
        return json.loads(row[0]) if row else None

    def remember_reply(self, external_uuid: str, body: Any) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO replies VALUES (?,?)", (external_uuid, json.dumps(body)))

    # --- logs ---------------------------------------------------------------------------
    def ledger(self) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            rows = db.execute(
                "SELECT l.*, v.sku FROM ledger l JOIN variants v ON v.uuid=l.variant_uuid ORDER BY seq").fetchall()
        return [{"seq": r["seq"], "externalUuid": r["external_uuid"], "productUuid": r["product_uuid"],
                 "variantUuid": r["variant_uuid"], "sku": r["sku"], "from": r["from_type"], "to": r["to_type"],
                 "change": r["change"], "source": r["source"]} for r in rows]

    def events(self) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            return [json.loads(r[0]) for r in db.execute("SELECT payload FROM events ORDER BY seq")]

    def close(self) -> None:
        self.store.close()


def demo_catalog() -> CatalogSpec:
    """The shared demo merchant as a Zettle till sees it: one STORE holding the Main Warehouse
    levels (every other location of the shared demo is dropped), plus Zettle's awkward cases: the
    gift card's stock is not tracked but keeps an old hidden balance of 500 (tracking was switched
    off), a linen apron was never tracked, two shirts sit at 0 (omitted from balance reads), a mug
    variant has no SKU or barcode, and an old duplicate of the tote bag, named ``=SUM(A1)``, reuses its SKU."""
    base = demo_base()
    variants = []
    for v in base.variants:
        level = 0 if v.sku in ("TS-WHT-XL", "TS-NVY-S") else v.levels.get(MAIN, 0)
        variants.append(v.model_copy(update={"levels": {STORE: level}, "tracked": v.sku != "GIFT-25"}))
    variants += [
        CatalogVariant(product="Stoneware Mug 350 ml", title="Seconds", sku=None, barcode=None, levels={STORE: 4}),
        CatalogVariant(product="Linen Apron", title="Default Title", sku="APRON-LIN", barcode=ean13("506012349018"),
                       levels={}, tracked=False),
        # a product named like a formula: reports must neither run it nor change it
        CatalogVariant(product="=SUM(A1)", title="Natural", sku="TOTE-NAT", barcode=None, levels={STORE: 2}),
    ]
    return CatalogSpec(locations=[CatalogLocation(name=STORE)], variants=variants)
