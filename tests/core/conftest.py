"""Builders for core tests: sheets, catalogues and capabilities as plain objects (no I/O)."""
from __future__ import annotations

from typing import Any

import pytest

from desktop_app.core.models import Capabilities, Catalog, Location, RawSheet, Variant

MAIN = Location(id="loc-1", name="Main Warehouse", default=True)
BERLIN = Location(id="loc-2", name="Berlin Store")
LYON = Location(id="loc-3", name="Lyon")

RED_S = Variant(id="1001", product_id="P1", sku="TS-RED-S", barcode="0012345678905", title="Red / S")
RED_M = Variant(id="1002", product_id="P1", sku="TS-RED-M", barcode="4006381333931", title="Red / M")
BLUE_S = Variant(id="1003", product_id="P2", sku="TS-BLUE-S", barcode="5901234123457", title="Blue / S",
                 external_id="EXT-77")


def make_sheet(headers: list[str], rows: list[list[Any]], *, first_row: int = 2, path: str = "stock.csv") -> RawSheet:
    """A RawSheet whose data rows are numbered from ``first_row`` as a spreadsheet shows them."""
    width = len(headers)
    numbered = [(first_row + i, tuple(list(r) + [None] * (width - len(r)))) for i, r in enumerate(rows)]
    return RawSheet(path=path, format="csv", sheet_name=None, header_row=first_row - 1, headers=headers, rows=numbered)


def make_caps(**changes: Any) -> Capabilities:
    base = dict(platform="genstore", display_name="GenStore", location_noun="warehouse", can_set=True,
                can_adjust=True, single_location=False, max_chunk=100)
    base.update(changes)
    return Capabilities(**base)


@pytest.fixture
def sheet():
    return make_sheet


@pytest.fixture
def caps():
    return make_caps


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(locations=[MAIN, BERLIN, LYON], variants=[RED_S, RED_M, BLUE_S])


@pytest.fixture
def known():
    """The catalogue fixture's parts by name."""
    from types import SimpleNamespace
    return SimpleNamespace(MAIN=MAIN, BERLIN=BERLIN, LYON=LYON, RED_S=RED_S, RED_M=RED_M, BLUE_S=BLUE_S)
