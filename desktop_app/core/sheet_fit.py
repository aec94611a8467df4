"""How well a sheet's text fits a store: used to choose between encodings that all decode it.

A short legacy-encoded CSV fits several code pages (two German rows are also valid Big5), and
only the catalogue can tell which reading the user meant: the one under which the sheet's keys
and location names are the store's. Only cells with non-ASCII text are looked at — every
reading agrees on the rest.
"""
from __future__ import annotations

import unicodedata
from typing import Mapping

from desktop_app.core.errors import MappingError
from desktop_app.core.mapping import detect_mapping
from desktop_app.core.models import Catalog, RawSheet


def catalogue_hits(sheet: RawSheet, catalog: Catalog, *, overrides: Mapping[str, str] | None = None) -> int:
    """How many of the sheet's non-ASCII headers, keys and location names the store knows."""
    locations = {_fold(loc.name) for loc in catalog.locations}
    keys = {_fold(k) for v in catalog.variants for k in (v.sku, v.barcode, v.id, v.external_id) if k}
    hits = sum(1 for h in sheet.headers if not h.isascii() and _location_header(h) in locations)
    try:
        mapping = detect_mapping(sheet.headers, location_names=[loc.name for loc in catalog.locations],
                                 overrides=overrides, source=sheet.path)
    except MappingError:
        return hits
    key_columns = [c.index for c in mapping.key_columns()]
    location = mapping.location_column()
    for _, cells in sheet.rows:
        for index in key_columns:
            hits += _hit(cells[index], keys)
        if location is not None:
            hits += _hit(cells[location.index], locations)
    return hits


def _fold(text: str) -> str:
    """Case folded, accents kept: readings of one file differ in exactly those letters."""
    return unicodedata.normalize("NFC", text).casefold().strip()


def _location_header(header: str) -> str:
    """A wide sheet's location column, with a Matrixify/"Available:" prefix taken off."""
    return _fold(header.rpartition(":")[2])


def _hit(value: object, known: set[str]) -> int:
    return 1 if isinstance(value, str) and not value.isascii() and _fold(value) in known else 0
