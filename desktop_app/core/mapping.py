"""Column mapping: recognise headers (synonyms, normalisation), detect the sheet layout,
apply profiles and explicit overrides.

``header_score`` is what the sheet readers use to find the header row and the right sheet.
``detect_mapping`` turns a header list into a ``SheetMapping``; the per-header rules live in
``core.columns``. Override values (``--map 'Header=value'``, saved profiles, the window's
dropdown) share one vocabulary::

    sku  barcode  variant-id  external-id  location  seen  info  ignore
    available | set            absolute quantity (long sheet)
    adjust                     change (delta) (long sheet)
    available:<Location>       absolute quantity for that location (wide sheet)
    adjust:<Location>          change for that location (wide sheet)
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping, Sequence

from desktop_app.core.errors import MappingError
from desktop_app.core.models import KeyKind, Mode


#: the generic combining diacritics (acute, grave, diaeresis, cedilla, caron …) that Latin, Greek
#: and Cyrillic names carry; other scripts' marks (kana voicing marks, Indic vowel signs) spell
#: different words and stay
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
#: invisible characters a copy and paste brings along (BOM, zero-width space, soft hyphen, word joiner)
_INVISIBLE = re.compile("[\ufeff\u200b\u00ad\u2060]")
#: spaces, ASCII separators and the dashes AutoCorrect puts between words (‐ ‑ ‒ – — ― − ⸺ ⸻)
_SEPARATORS = re.compile("[\\s_\\-./#\u2010-\u2015\u2212\u2e3a\u2e3b]+")


def normalise(header: Any) -> str:
    """Case-, width-, accent-, space- and punctuation-insensitive form of a header or location name.

    Case is folded (``casefold``: ``Straße`` = ``STRASSE``), width too (NFKC: ``Ｎｏｒｄ`` = ``Nord``)
    and accents are stripped (``Köln`` = ``Koln``), but every script keeps its letters: ``上海仓``
    stays ``上海仓``. Separators fold to one space; a name of separators only (``—``) keeps them,
    so only a blank name normalises to ``""``, and the resolver never matches that."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(header or ""))).casefold()
    text = unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFKD", text)))
    folded = _SEPARATORS.sub(" ", text).strip()
    return folded or re.sub(r"\s+", " ", text).strip()


def _words(role: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, role)


#: normalised header → role name (sku, barcode, variant_id, external_id, location, set, adjust,
#: seen, info, ignore). Extended by the mapping module's detection logic.
SYNONYMS: dict[str, str] = {
    **_words("sku", "sku", "variant sku", "item code", "item sku", "article number", "product code", "artikelnummer",
             "code", "sku code", "item number", "item no", "part number", "article", "artikel", "artikel nr",
             "art nr", "reference", "ref", "codigo", "codigo de articulo", "referencia", "codice", "codice articolo"),
    **_words("barcode", "barcode", "ean", "upc", "gtin", "ean13", "ean 13", "variant barcode", "isbn", "bar code",
             "ean code", "upc code", "ean upc", "gtin 13", "strichcode", "code barre", "code barres",
             "codigo de barras", "codice a barre"),
    **_words("variant_id", "variant id", "variantid", "variant uuid", "inventory item id", "id"),
    **_words("external_id", "external id", "externalid"),
    **_words("location", "location", "warehouse", "store", "location name", "location id", "site", "bin location",
             "stock location", "inventory location", "shop", "branch", "outlet", "lagerort", "lager", "standort",
             "filiale", "entrepot", "emplacement", "magasin", "almacen", "ubicacion", "tienda", "sucursal",
             "magazzino"),
    **_words("set", "available", "qty", "quantity", "stock", "on hand", "onhand", "on hand (new)", "inventory",
             "count on hand", "level", "stock level", "variant inventory qty", "inventory available",
             "new quantity", "new qty", "new stock", "new on hand", "available quantity", "available qty",
             "qty available", "quantity available", "stock qty", "stock quantity", "quantity on hand",
             "qty on hand", "stock on hand", "in stock", "inventory quantity", "inventory qty", "count",
             "menge", "bestand", "lagerbestand", "anzahl", "verfugbar", "quantite", "stock disponible",
             "disponible", "cantidad", "existencias", "inventario", "quantita", "giacenza"),
    **_words("adjust", "adjust", "change", "delta", "adjustment", "variant inventory adjust",
             "inventory available adjust", "qty change", "quantity change", "stock change", "adjust by",
             "adjust qty", "adjust quantity", "adjustment qty", "korrektur", "anderung", "zugang abgang", "ajustement", "ajuste", "variacion"),
    **_words("seen", "on hand (current)", "current", "current quantity", "current qty", "current stock",
             "old quantity", "previous quantity", "seen", "was"),
    **_words("info", "handle", "title", "product", "product title", "product name", "name", "variant title",
             "option1 name", "option1 value", "option2 name", "option2 value", "option3 name", "option3 value",
             "hs code", "coo", "bin name", "incoming", "committed", "unavailable", "reserved", "vendor", "price",
             "cost", "description", "type", "tags", "notes", "color", "colour", "size", "weight", "category",
             "unit", "command", "variant command", "inventory policy", "variant inventory policy",
             "variant inventory tracker", "variant position"),
    #: our own error report's extra columns: a fixed report re-imports
    **_words("ignore", "row", "status", "error", "hint"),
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


class Role(StrEnum):
    SKU = "sku"
    BARCODE = "barcode"
    VARIANT_ID = "variant-id"
    EXTERNAL_ID = "external-id"
    LOCATION = "location"
    QUANTITY = "quantity"
    SEEN = "seen"            # the level the user saw (stale check)
    INFO = "info"            # kept for the report, not used
    IGNORE = "ignore"        # our own report columns (Row, Status, Error, Hint)


class Layout(StrEnum):
    LONG = "long"            # a row per variant × location, one quantity column
    WIDE = "wide"            # a column per location
    SHOPIFY = "shopify"      # Shopify's inventory CSV export
    MATRIXIFY = "matrixify"  # Matrixify's Products sheet (Inventory Available: <Location>)


#: identity roles, in the order a row's key is chosen when no key is forced
KEY_ROLES: dict[Role, KeyKind] = {
    Role.SKU: KeyKind.SKU, Role.BARCODE: KeyKind.BARCODE, Role.VARIANT_ID: KeyKind.VARIANT_ID,
    Role.EXTERNAL_ID: KeyKind.EXTERNAL_ID,
}


@dataclass(slots=True)
class ColumnMap:
    index: int
    header: str
    role: Role
    mode: Mode | None = None         # QUANTITY: set/adjust
    location: str | None = None      # wide/matrixify: the location name in the header
    confidence: float = 1.0          # 1 exact synonym, <1 fuzzy, 0 unknown

    def override(self) -> str:
        """This column's role in the override vocabulary (``available:Berlin``, ``sku`` …)."""
        if self.role is Role.QUANTITY:
            word = "adjust" if self.mode is Mode.ADJUST else "available"
            return f"{word}:{self.location}" if self.location else word
        return self.role.value


@dataclass(slots=True)
class SheetMapping:
    layout: Layout
    columns: list[ColumnMap]
    warnings: list[str] = field(default_factory=list)

    def key_columns(self) -> list[ColumnMap]:
        """Identity columns in key precedence: SKU, barcode, variant id, external id."""
        order = list(KEY_ROLES)
        return sorted((c for c in self.columns if c.role in KEY_ROLES), key=lambda c: order.index(c.role))

    def quantity_columns(self) -> list[ColumnMap]:
        return [c for c in self.columns if c.role is Role.QUANTITY]

    def location_column(self) -> ColumnMap | None:
        return next((c for c in self.columns if c.role is Role.LOCATION), None)

    def seen_column(self) -> ColumnMap | None:
        return next((c for c in self.columns if c.role is Role.SEEN), None)

    def column(self, header: str) -> ColumnMap | None:
        return next((c for c in self.columns if c.header == header), None)

    def to_overrides(self) -> dict[str, str]:
        """The mapping as override values, for a saved profile (unrecognised columns left out)."""
        return {c.header: c.override() for c in self.columns
                if c.header and not (c.role is Role.INFO and c.confidence == 0)}


# --- override vocabulary -------------------------------------------------------------------

_PLAIN_OVERRIDES: dict[str, tuple[Role, Mode | None]] = {
    "sku": (Role.SKU, None), "barcode": (Role.BARCODE, None), "variant id": (Role.VARIANT_ID, None),
    "external id": (Role.EXTERNAL_ID, None), "location": (Role.LOCATION, None),
    "available": (Role.QUANTITY, Mode.SET), "set": (Role.QUANTITY, Mode.SET),
    "adjust": (Role.QUANTITY, Mode.ADJUST), "seen": (Role.SEEN, None), "info": (Role.INFO, None),
    "ignore": (Role.IGNORE, None),
}
VOCABULARY = ("sku, barcode, variant-id, external-id, location, available (or set), adjust, "
              "available:<Location>, adjust:<Location>, seen, info, ignore")


def parse_role(value: str) -> tuple[Role, Mode | None, str | None] | None:
    """An override value as ``(role, mode, location)``, or None when it isn't one."""
    word, sep, location = str(value).partition(":")
    found = _PLAIN_OVERRIDES.get(normalise(word))
    if found is None:
        return None
    role, mode = found
    if sep:
        location = location.strip()
        if role is not Role.QUANTITY or not location:
            return None
        return role, mode, location
    return role, mode, None


def parse_override(spec: str) -> tuple[str, str]:
    """``"Menge=available"`` → ``("Menge", "available")``; raises MappingError with a sentence."""
    text = str(spec).strip()
    positions = [i for i, ch in enumerate(text) if ch == "="]
    if not positions:
        raise MappingError(f"--map '{spec}' must look like 'Header=role', for example --map 'Menge=available'.")
    for pos in positions:  # a header or a location name may itself contain '='
        header, value = text[:pos].strip(), text[pos + 1:].strip()
        if header and parse_role(value) is not None:
            return header, value
    header, value = text[:positions[0]].strip(), text[positions[0] + 1:].strip()
    if not header:
        raise MappingError(f"--map '{spec}' names no column. Write the header before '=', "
                           "for example --map 'Menge=available'.")
    raise MappingError(f"--map '{spec}': '{value}' is not a column role. Use one of: {VOCABULARY}.")


def detect_mapping(headers: list[str], *, location_names: Sequence[str] = (),
                   overrides: Mapping[str, str] | None = None, source: str | None = None,
                   strict: bool = True) -> SheetMapping:
    """Work out what each column holds and the sheet's layout.

    ``location_names``: the store's locations, so a column headed by one is read as that
    location's quantity. ``overrides``: header → override value, winning over detection.
    ``source``: the file name for error messages. Raises MappingError when there is no
    identity or no quantity column (unless ``strict`` is False: the window then shows the
    mapping with those roles unassigned)."""
    from desktop_app.core.columns import build_mapping  # the per-header rules

    return build_mapping(list(headers), location_names=location_names, overrides=overrides or {},
                         source=source, strict=strict)
