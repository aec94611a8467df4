"""The run journal's values as JSON text and back: a change (with its variant), a level, a row
outcome (``notes``), and a row of ``runs`` or ``changes`` as the record it reads as.

A value that does not decode raises ``ValueError``, ``KeyError`` or ``TypeError``;
``engine.journal`` reads under a guard that reports those as a damaged record. Redaction is the
journal's business, done where it writes, not here.

May import: core, ``engine.journal_schema``, the standard library.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

from desktop_app.core.models import Change, Kind, Level, Mode, Variant
from desktop_app.core.results import RowOutcome, Status
from desktop_app.engine.journal_schema import Entry, RunRecord


def change_to_json(c: Change) -> dict[str, Any]:
    v = c.variant
    return {"row": c.row, "column": c.column, "variant_id": c.variant_id, "product_id": c.product_id,
            "location_id": c.location_id, "sku": c.sku, "location_name": c.location_name, "mode": str(c.mode),
            "before": c.before, "after": c.after, "kind": str(c.kind), "delta": c.delta, "seen": c.seen,
            "variant": None if v is None else {
                "id": v.id, "product_id": v.product_id, "sku": v.sku, "barcode": v.barcode, "title": v.title,
                "product": v.product, "external_id": v.external_id, "extra": _plain(v.extra)}}


def change_from_json(d: dict[str, Any]) -> Change:
    v = d.get("variant")
    variant = None if v is None else Variant(
        id=v["id"], product_id=v["product_id"], sku=v["sku"], barcode=v["barcode"], title=v["title"],
        product=v["product"], external_id=v["external_id"], extra=dict(v["extra"]))
    return Change(row=d["row"], column=d["column"], variant_id=d["variant_id"], product_id=d["product_id"],
                  location_id=d["location_id"], sku=d["sku"], location_name=d["location_name"], mode=Mode(d["mode"]),
                  before=d["before"], after=d["after"], kind=Kind(d["kind"]), delta=d["delta"], seen=d["seen"],
                  variant=variant)


def _plain(extra: dict[str, Any]) -> dict[str, Any]:
    """Variant extras as JSON can hold them (ids, flags, numbers, text)."""
    return json.loads(json.dumps(extra, default=str))


def level_to_json(level: Level) -> str:
    return json.dumps(level)


def level_from_json(text: str | None) -> Level:
    """The level a column holds (NULL: none recorded)."""
    return None if text is None else json.loads(text)


def outcome_to_json(outcome: RowOutcome) -> str:
    return json.dumps(asdict(outcome), default=str)


def outcome_from_json(text: str) -> RowOutcome:
    data = json.loads(text)
    data["status"] = Status(data["status"])
    return RowOutcome(**data)


def record_from_row(row: sqlite3.Row) -> RunRecord:
    """A row of ``runs``."""
    return RunRecord(id=row["id"], kind=row["kind"], parent=row["parent"], created=row["created"],
                     updated=row["updated"], platform=row["platform"], url=row["url"], sheet=row["sheet"],
                     options=json.loads(row["options"]), totals=json.loads(row["totals"]), state=row["state"],
                     pid=row["pid"], requests=row["requests"])


def entry_from_row(r: sqlite3.Row) -> Entry:
    """A row of ``changes``."""
    return Entry(seq=r["seq"], chunk=r["chunk"], change=change_from_json(json.loads(r["change"])),
                 state=r["state"], base=level_from_json(r["base"]), target=level_from_json(r["target"]),
                 written=r["target"] is not None, level_after=level_from_json(r["level_after"]),
                 code=r["code"], message=r["message"])
