"""Column mapping: recognise headers (synonyms, normalisation), detect the sheet layout,
apply profiles and explicit overrides.

``header_score`` is what the sheet readers use to find the header row and the right sheet.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Sequence


def normalise(header: Any) -> str:
    """Case-, accent-, space- and punctuation-insensitive form of a header or location name."""
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    text = text.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-./#]+", " ", text).strip()


#: normalised header → role name. Extended by the mapping module's detection logic.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(["sku", "variant sku", "item code", "item sku", "article number", "product code", "artikelnummer", "code"], "sku"),
    **dict.fromkeys(["barcode", "ean", "upc", "gtin", "ean13", "ean 13", "variant barcode", "isbn"], "barcode"),
    **dict.fromkeys(["variant id", "variantid", "variant uuid", "inventory item id", "id"], "variant_id"),
    **dict.fromkeys(["external id", "external_id"], "external_id"),
    **dict.fromkeys(["location", "warehouse", "store", "location name", "location id", "site", "bin location"], "location"),
    **dict.fromkeys(["available", "qty", "quantity", "stock", "on hand", "onhand", "on hand (new)", "inventory",
                     "count on hand", "level", "stock level", "variant inventory qty", "inventory available"], "set"),
    **dict.fromkeys(["adjust", "change", "delta", "adjustment", "variant inventory adjust", "inventory available adjust"], "adjust"),
    **dict.fromkeys(["on hand (current)"], "seen"),
    **dict.fromkeys(["handle", "title", "product", "product title", "option1 name", "option1 value"], "info"),
}


def header_score(cells: Sequence[Any]) -> int:
    """How many cells of a candidate header row are recognised column names (0 = not a header)."""
    score = 0
    for cell in cells:
        if not isinstance(cell, str):
            continue
        n = normalise(cell)
        if n in SYNONYMS or n.startswith(("inventory available", "available:", "available ")):
            score += 1
    return score
