"""The Marketplacer emulator's data: adverts, variants, multi-store sellers and their inventories.

Kept in SQLite (``sandbox.store.SqliteStore``) so the sandbox survives a restart. Plain rows in,
plain dicts out: the JSON:API rendering lives in ``sandbox.marketplacer``, request validation in
``sandbox.marketplacer_writes`` and ``sandbox.marketplacer_errors``.

Catalogue convention (``sandbox.catalog`` files): the first location is the merchant's own stock
(``count_on_hand`` on every variant, 0 when not given); every further location is a seller of the
merchant's multi-store adverts. A product whose variants have a level at any seller is a
multi-store advert; its sellers' stock lives in per-variant inventory records (a level missing
from ``levels`` = no record).
"""
from __future__ import annotations

from collections.abc import Sequence
import sqlite3
from pathlib import Path
from typing import Any

from desktop_app.sandbox.catalog import CatalogLocation, CatalogSpec, CatalogVariant
from desktop_app.sandbox.demo import MAIN, demo_base
from desktop_app.sandbox.store import SqliteStore

INFINITE = "INFINITE"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS adverts (id INTEGER PRIMARY KEY, title TEXT NOT NULL, multi_store INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS variants (
    id INTEGER PRIMARY KEY, advert_id INTEGER NOT NULL, title TEXT NOT NULL DEFAULT '',
    sku TEXT, barcode TEXT, external_id TEXT, price REAL,
    count_on_hand INTEGER NOT NULL DEFAULT 0, infinite INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS memberships (id INTEGER PRIMARY KEY, seller_id INTEGER NOT NULL UNIQUE,
    seller_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inventories (
    id INTEGER PRIMARY KEY, variant_id INTEGER NOT NULL, seller_id INTEGER NOT NULL,
    count_on_hand INTEGER, infinite INTEGER NOT NULL DEFAULT 0, price TEXT, sale_price TEXT,
    fulfilment_provider TEXT NOT NULL DEFAULT '', UNIQUE (variant_id, seller_id));
CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY AUTOINCREMENT, variant_id INTEGER NOT NULL,
    sku TEXT, location TEXT, before TEXT, after TEXT, via TEXT NOT NULL);
"""

#: Seller ids are deliberately not the membership ids (a client mixing them up must fail).
FIRST_SELLER_ID = 101


def _level(count: int | None, infinite: int) -> int | str | None:
    if infinite:
        return INFINITE
    return count


class MarketplacerState:
    def __init__(self, path: Path | None, *, catalog: CatalogSpec) -> None:
        self.store = SqliteStore(path, schema=_SCHEMA)
        if not self.store.seeded:
            self._seed(catalog)

    def close(self) -> None:
        self.store.close()

    # -- seeding -----------------------------------------------------------------------------

    def _seed(self, spec: CatalogSpec) -> None:
        own = spec.locations[0].name if spec.locations else None
        sellers = {loc.name: FIRST_SELLER_ID + i for i, loc in enumerate(spec.locations[1:])}
        multi_products = {v.product for v in spec.variants if any(name in sellers for name in v.levels)}
        with self.store.transaction() as db:
            for name, seller_id in sellers.items():
                db.execute("INSERT INTO memberships (seller_id, seller_name) VALUES (?, ?)", (seller_id, name))
            adverts: dict[str, int] = {}
            for v in spec.variants:
                if v.product not in adverts:
                    cur = db.execute("INSERT INTO adverts (title, multi_store) VALUES (?, ?)",
                                     (v.product, int(v.product in multi_products)))
                    adverts[v.product] = int(cur.lastrowid)
                own_level = v.levels.get(own, 0) if own else 0
                cur = db.execute(
                    "INSERT INTO variants (advert_id, title, sku, barcode, external_id, price, count_on_hand, infinite)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (adverts[v.product], v.title or "", v.sku, v.barcode, v.external_id, 25.0,
                     0 if own_level == INFINITE else int(own_level), int(own_level == INFINITE)))
                variant_id = int(cur.lastrowid)
                for name, level in v.levels.items():
                    if name in sellers and v.product in multi_products:
                        db.execute("INSERT INTO inventories (variant_id, seller_id, count_on_hand, infinite)"
                                   " VALUES (?, ?, ?, ?)",
                                   (variant_id, sellers[name], None if level == INFINITE else int(level),
                                    int(level == INFINITE)))
            SqliteStore.set_meta(db, "seeded", 1)

    # -- reads -------------------------------------------------------------------------------

    def variants(self, *, sku: str | None = None, barcode: str | None = None,
                 external_id: str | None = None) -> "VariantRows":
        """The variants matching the filters, in id order: a sequence that counts and slices in
        SQL, so a page of a 100k-variant catalogue reads only its own rows."""
        where, args = [], []
        for column, value in (("sku", sku), ("barcode", barcode), ("external_id", external_id)):
            if value is not None:
                where.append(f"v.{column} = ?")
                args.append(value)
        return VariantRows(self.store, " WHERE " + " AND ".join(where) if where else "", tuple(args))

    def variant(self, variant_id: int) -> dict[str, Any] | None:
        with self.store.reading() as db:
            row = db.execute("SELECT v.*, a.multi_store, a.title AS advert_title FROM variants v "
                             "JOIN adverts a ON a.id = v.advert_id WHERE v.id = ?", (variant_id,)).fetchone()
        return dict(row) if row else None

    def memberships(self) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            return [dict(r) for r in db.execute("SELECT * FROM memberships ORDER BY id")]

    def inventories(self, variant_id: int) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            return [dict(r) for r in db.execute(
                "SELECT * FROM inventories WHERE variant_id = ? ORDER BY id", (variant_id,))]

    def ledger(self) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            return [dict(r) for r in db.execute("SELECT * FROM ledger ORDER BY seq")]

    # -- writes (each one transaction; callers validate first) ---------------------------------

    def set_variant_stock(self, updates: dict[int, tuple[int | None, bool | None]], *, via: str) -> None:
        """``{variant_id: (count_on_hand or None to keep, infinite or None to keep)}``, atomically."""
        with self.store.transaction() as db:
            for variant_id, (count, infinite) in updates.items():
                row = db.execute("SELECT sku, count_on_hand, infinite FROM variants WHERE id = ?",
                                 (variant_id,)).fetchone()
                new_count = row["count_on_hand"] if count is None else count
                new_inf = row["infinite"] if infinite is None else int(infinite)
                db.execute("UPDATE variants SET count_on_hand = ?, infinite = ? WHERE id = ?",
                           (new_count, new_inf, variant_id))
                _log(db, variant_id=variant_id, sku=row["sku"], location=None,
                     before=_level(row["count_on_hand"], row["infinite"]), after=_level(new_count, new_inf), via=via)

    def set_identity(self, variant_id: int, fields: dict[str, str]) -> None:
        """Update sku / barcode / external_id (column names come from the caller's fixed list)."""
        with self.store.transaction() as db:
            for column, value in fields.items():
                if column in ("sku", "barcode", "external_id"):
                    db.execute(f"UPDATE variants SET {column} = ? WHERE id = ?", (value, variant_id))

    def upsert_inventories(self, variant_id: int, rows: list[dict[str, Any]], *, via: str) -> None:
        """Partial upsert keyed by ``seller_id``; a key absent from a row keeps its stored value."""
        with self.store.transaction() as db:
            sku = db.execute("SELECT sku FROM variants WHERE id = ?", (variant_id,)).fetchone()["sku"]
            for attrs in rows:
                seller_id = attrs["seller_id"]
                old = db.execute("SELECT * FROM inventories WHERE variant_id = ? AND seller_id = ?",
                                 (variant_id, seller_id)).fetchone()
                base = dict(old) if old else {"count_on_hand": None, "infinite": 0, "price": None,
                                               "sale_price": None, "fulfilment_provider": ""}
                new = {**base, **{k: v for k, v in attrs.items() if k in base}}
                new["infinite"] = int(bool(new["infinite"]))
                if old:
                    db.execute("UPDATE inventories SET count_on_hand = ?, infinite = ?, price = ?, sale_price = ?,"
                               " fulfilment_provider = ? WHERE id = ?",
                               (new["count_on_hand"], new["infinite"], new["price"], new["sale_price"],
                                new["fulfilment_provider"], old["id"]))
                else:
                    db.execute("INSERT INTO inventories (variant_id, seller_id, count_on_hand, infinite, price,"
                               " sale_price, fulfilment_provider) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (variant_id, seller_id, new["count_on_hand"], new["infinite"], new["price"],
                                new["sale_price"], new["fulfilment_provider"]))
                _log(db, variant_id=variant_id, sku=sku, location=self._seller_name(db, seller_id),
                     before=_level(old["count_on_hand"], old["infinite"]) if old else None,
                     after=_level(new["count_on_hand"], new["infinite"]), via=via)

    def delete_inventory(self, variant_id: int, inventory_id: int, *, via: str) -> bool:
        with self.store.transaction() as db:
            old = db.execute("SELECT * FROM inventories WHERE id = ? AND variant_id = ?",
                             (inventory_id, variant_id)).fetchone()
            if not old:
                return False
            db.execute("DELETE FROM inventories WHERE id = ?", (inventory_id,))
            sku = db.execute("SELECT sku FROM variants WHERE id = ?", (variant_id,)).fetchone()["sku"]
            _log(db, variant_id=variant_id, sku=sku, location=self._seller_name(db, old["seller_id"]),
                 before=_level(old["count_on_hand"], old["infinite"]), after=None, via=via)
            return True

    def renumber(self) -> dict[int, int]:
        """Give every variant a new id (as a CSV export/re-import does); external ids stay."""
        with self.store.transaction() as db:
            ids = [r["id"] for r in db.execute("SELECT id FROM variants ORDER BY id DESC")]
            start = (max(ids) if ids else 0) + 1000
            mapping = {old: start + i for i, old in enumerate(ids)}
            for old, new in mapping.items():
                db.execute("UPDATE variants SET id = ? WHERE id = ?", (new, old))
                db.execute("UPDATE inventories SET variant_id = ? WHERE variant_id = ?", (new, old))
        return mapping

    @staticmethod
    def _seller_name(db: sqlite3.Connection, seller_id: int) -> str:
        row = db.execute("SELECT seller_name FROM memberships WHERE seller_id = ?", (seller_id,)).fetchone()
        return row["seller_name"] if row else f"seller {seller_id}"


def _log(db: sqlite3.Connection, *, variant_id: int, sku: str | None, location: str | None,
         before: int | str | None, after: int | str | None, via: str) -> None:
    db.execute("INSERT INTO ledger (variant_id, sku, location, before, after, via) VALUES (?, ?, ?, ?, ?, ?)",
               (variant_id, sku, location, None if before is None else str(before),
                None if after is None else str(after), via))


def demo_catalog() -> CatalogSpec:
    """The shared demo merchant, as a Marketplacer seller: its Main Warehouse levels become the
    variants' own ``count_on_hand``; the gift card never sells out; and one multi-store advert (a
    water bottle) is stocked by the merchant and three member sellers — including a 0 record, a
    missing record and an infinite one."""
    base = demo_base()
    variants = []
    for v in base.variants:
        own: int | str = INFINITE if v.sku == "GIFT-25" else v.levels.get(MAIN, 0)
        external = None if v.sku == "CANDLE-CREME" else f"ERP-{v.sku}"
        variants.append(v.model_copy(update={"levels": {MAIN: own}, "external_id": external}))
    bob, harbour, green = "Bob's Bikes", "Harbour Street Gifts", "Green Corner Co-op"
    variants += [
        CatalogVariant(product="Insulated Water Bottle 750 ml", title="Steel", sku="BOTTLE-STEEL",
                       barcode="9300601123407", external_id="ERP-BOTTLE-STEEL", levels={MAIN: 10, bob: 6, harbour: 0}),
        CatalogVariant(product="Insulated Water Bottle 750 ml", title="Sky Blue", sku="BOTTLE-SKY",
                       barcode="9300601123414", external_id="ERP-BOTTLE-SKY", levels={MAIN: 0, bob: 3, green: INFINITE}),
    ]
    locations = [CatalogLocation(name=n) for n in (MAIN, bob, harbour, green)]
    return CatalogSpec(locations=locations, variants=variants)


class VariantRows(Sequence):
    """Variant rows (with their advert's ``multi_store`` and title) counted and sliced in SQL."""

    _FROM = " FROM variants v JOIN adverts a ON a.id = v.advert_id"

    def __init__(self, store: Any, where: str, args: tuple[Any, ...]) -> None:
        self._store, self._where, self._args = store, where, args

    def __len__(self) -> int:
        with self._store.reading() as db:
            return int(db.execute("SELECT COUNT(*)" + self._FROM + self._where, self._args).fetchone()[0])

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            rows = self[index:index + 1] if index >= 0 else list(self)[index:index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            return list(self)[index]
        with self._store.reading() as db:
            return [dict(r) for r in db.execute("SELECT v.*, a.multi_store, a.title AS advert_title" + self._FROM
                                                + self._where + " ORDER BY v.id LIMIT ? OFFSET ?",
                                                (*self._args, max(0, stop - start), start))]

    def __iter__(self) -> Any:
        return iter(self[0:len(self)])
