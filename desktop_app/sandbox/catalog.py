"""Catalogue files for the sandboxes: the JSON format, the demo catalogues, synthetic ones.

File format (platform-neutral; each emulator assigns its own ids)::

    {"locations": [{"name": "Main Warehouse"}],
     "variants": [{"product": "T-Shirt", "sku": "TS-RED-S", "barcode": "0012345678905",
                   "levels": {"Main Warehouse": 5}}]}

A location missing from a variant's ``levels`` means the variant is not stocked there.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, Field


class CatalogLocation(BaseModel):
    name: str


class CatalogVariant(BaseModel):
    product: str
    sku: str | None = None
    barcode: str | None = None
    title: str | None = None            # variant title, e.g. "Red / S"
    external_id: str | None = None
    levels: dict[str, int | str] = Field(default_factory=dict)   # "INFINITE" allowed where supported
    committed: dict[str, int] = Field(default_factory=dict)
    tracked: bool = True                # Zettle: untracked products


class CatalogSpec(BaseModel):
    locations: list[CatalogLocation]
    variants: list[CatalogVariant]


def load_catalog(source: str, *, demo: Callable[[], CatalogSpec]) -> CatalogSpec:
    """``demo`` | ``synthetic:VARIANTSxLOCATIONS`` | a JSON file path.

    ``demo`` is the emulator's own demo catalogue (each platform has its awkward cases)."""
    if source == "demo":
        return demo()
    if source.startswith("synthetic:"):
        n_variants, _, n_locations = source.removeprefix("synthetic:").partition("x")
        return synthetic_catalog(int(n_variants), int(n_locations or 1))
    return CatalogSpec.model_validate(json.loads(Path(source).read_text(encoding="utf-8")))


def synthetic_catalog(n_variants: int, n_locations: int, *, seed: int = 7) -> CatalogSpec:
    """Deterministic catalogue for benchmarks: SKU-000001…, EAN-13-like barcodes, levels 0-99."""
    locations = [CatalogLocation(name=f"Warehouse {i + 1}") for i in range(n_locations)]
    variants = []
    for i in range(n_variants):
        levels = {loc.name: (i * 7 + j * 13 + seed) % 100 for j, loc in enumerate(locations)}
        variants.append(CatalogVariant(
            product=f"Product {i // 4 + 1}", sku=f"SKU-{i + 1:06d}", barcode=f"{2000000000000 + i:013d}",
            title=f"Variant {i % 4 + 1}", levels=levels))
    return CatalogSpec(locations=locations, variants=variants)
