"""The rules behind ``mapping.detect_mapping``: what one header means, then settling the
columns into one consistent layout.

Per header, first match wins: an override; Shopify's ``… (not editable)`` columns; an exact
synonym; a Matrixify state column (``Inventory Available: <Loc>``); a prefixed location column
(``Available: <Loc>``, ``Adjust <Loc>``); a store location's name; a fuzzy synonym
(difflib ratio ≥ 0.8, confidence < 1); otherwise unknown (INFO, confidence 0).

Settling keeps one column per singular role (SKU, location, …), one set and one adjust column
per location, and drops long quantity columns when the sheet has a column per location. Every
column it demotes is named in a warning.

What a quantity counts is a separate question from its role: Shopify's ``On hand (new)`` /
``On hand (current)`` and Matrixify's ``Inventory On Hand: <Loc>`` count stock *on hand*, committed
stock included, where *available* excludes it (Genstore's docs: available = on hand − committed).
``on_hand_columns`` names them; the engine, which can read the store's committed stock, turns
their targets (and seen values) into available ones.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from desktop_app.core.errors import MappingError
from desktop_app.core.mapping import (
    SYNONYMS, VOCABULARY, ColumnMap, Layout, Role, SheetMapping, normalise, parse_role,
)
from desktop_app.core.models import Mode

FUZZY_CUTOFF = 0.8

_ROLE_OF: dict[str, tuple[Role, Mode | None]] = {
    "sku": (Role.SKU, None), "barcode": (Role.BARCODE, None), "variant_id": (Role.VARIANT_ID, None),
    "external_id": (Role.EXTERNAL_ID, None), "location": (Role.LOCATION, None),
    "set": (Role.QUANTITY, Mode.SET), "adjust": (Role.QUANTITY, Mode.ADJUST), "seen": (Role.SEEN, None),
    "info": (Role.INFO, None), "ignore": (Role.IGNORE, None),
}
_LABEL = {Role.SKU: "the SKU", Role.BARCODE: "the barcode", Role.VARIANT_ID: "the variant id",
          Role.EXTERNAL_ID: "the external id", Role.LOCATION: "the location", Role.SEEN: "the level you saw",
          Role.QUANTITY: "a quantity", Role.INFO: "information", Role.IGNORE: "ignored"}

_MATRIXIFY = re.compile(r"inventory (available|on hand|committed|reserved|incoming|damaged|safety stock"
                        r"|quality control|unavailable)( adjust)? ?:(.+)")
_PREFIX_COLON = re.compile(r"(available|qty|quantity|stock|on hand|set|menge|bestand|quantite|cantidad"
                           r"|adjust|change|delta) ?:(.+)")
_PREFIX_SPACE = re.compile(r"(available|adjust) (.+)")
_ADJUST_WORDS = {"adjust", "change", "delta"}
_MATRIXIFY_LONG = {"variant inventory qty", "variant inventory adjust"}
#: among several columns of one role the more specific name wins (Shopify's editable quantity;
#: Matrixify's "Variant ID" over its product "ID"); otherwise the first column does
_PRIORITY = {"on hand (new)": 3, "on hand": 2, "variant id": 2, "location id": 2, "variant sku": 2,
             "variant barcode": 2}
_FUZZY_WORDS = sorted(SYNONYMS)


@dataclass(slots=True)
class _Col:
    col: ColumnMap
    origin: str          # override, exact, matrixify, prefixed, location-name, fuzzy, unknown, shopify
    priority: int = 0
    norm: str = ""


def _after(header: str, sep: str) -> str:
    return header.split(sep, 1)[1].strip() if sep in header else ""


def _classify(index: int, header: str, norm: str, locations: Mapping[str, str]) -> _Col:
    def make(role: Role, mode: Mode | None = None, location: str | None = None, *, origin: str,
             confidence: float = 1.0, priority: int = 0) -> _Col:
        return _Col(ColumnMap(index, header, role, mode, location, confidence), origin, priority, norm)

    if norm.endswith("(not editable)"):
        return make(Role.INFO, origin="shopify")
    if norm in SYNONYMS:
        role, mode = _ROLE_OF[SYNONYMS[norm]]
        return make(role, mode, origin="exact", priority=_PRIORITY.get(norm, 1))
    m = _MATRIXIFY.fullmatch(norm)
    if m:
        state, adjust = m.group(1), bool(m.group(2))
        location = _after(header, ":")
        if state in ("available", "on hand") and location:
            return make(Role.QUANTITY, Mode.ADJUST if adjust else Mode.SET, location, origin="matrixify",
                        priority=2 if state == "available" else 1)
        return make(Role.INFO, origin="matrixify")
    m = _PREFIX_COLON.fullmatch(norm)
    if m and _after(header, ":"):
        mode = Mode.ADJUST if m.group(1) in _ADJUST_WORDS else Mode.SET
        return make(Role.QUANTITY, mode, _after(header, ":"), origin="prefixed")
    m = _PREFIX_SPACE.fullmatch(norm)
    if m and m.group(2) not in SYNONYMS:
        rest = re.split(r"[\s_\-./]+", header.strip(), maxsplit=1)
        if len(rest) == 2 and rest[1].strip():
            mode = Mode.ADJUST if m.group(1) == "adjust" else Mode.SET
            return make(Role.QUANTITY, mode, rest[1].strip(), origin="prefixed")
    if norm in locations:
        return make(Role.QUANTITY, Mode.SET, header.strip(), origin="location-name")
    if len(norm) >= 4:
        best = difflib.get_close_matches(norm, _FUZZY_WORDS, n=1, cutoff=FUZZY_CUTOFF)
        if best:
            role, mode = _ROLE_OF[SYNONYMS[best[0]]]
            ratio = difflib.SequenceMatcher(None, norm, best[0]).ratio()
            return make(role, mode, origin="fuzzy", confidence=round(min(ratio, 0.99), 2))
    return make(Role.INFO, origin="unknown", confidence=0.0)


def _rank(c: _Col) -> tuple:
    return (c.origin == "override", c.col.confidence, c.priority, -c.col.index)


def _demote(c: _Col, warnings: list[str] | None, reason: str) -> None:
    c.col.role, c.col.mode, c.col.location = Role.INFO, None, None
    if warnings is not None:
        warnings.append(reason)


def column_letter(index: int) -> str:
    """Excel's letter(s) for a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse_twins(group: list[_Col]) -> None:
    """Two columns under the very same header, both meaning something: which one the user meant
    cannot be guessed (and ``--map``, which names headers, cannot tell them apart)."""
    seen: dict[str, _Col] = {}
    for c in sorted(group, key=lambda c: c.col.index):
        if c.origin == "override" or not c.norm:
            continue
        first = seen.setdefault(c.norm, c)
        if first is not c:
            raise MappingError(
                f"The header '{c.col.header}' is there twice (columns {column_letter(first.col.index)} and "
                f"{column_letter(c.col.index)}), and Stocksheet will not guess which one you mean. Rename or "
                "delete one of them and import again (--map names columns by header, so it cannot tell these "
                "two apart).")


def _settle(cols: list[_Col], warnings: list[str]) -> None:
    _refuse_twins([c for c in cols if c.col.role not in (Role.INFO, Role.IGNORE)])
    for role in (Role.SKU, Role.BARCODE, Role.VARIANT_ID, Role.EXTERNAL_ID, Role.LOCATION, Role.SEEN):
        group = [c for c in cols if c.col.role is role]
        if len(group) < 2:
            continue
        keep = max(group, key=_rank)
        for c in group:
            if c is keep:
                continue
            # Matrixify's "ID" is the product id next to "Variant ID": not worth a warning
            quiet = role is Role.VARIANT_ID and c.norm == "id"
            _demote(c, None if quiet else warnings,
                    f"Columns '{keep.col.header}' and '{c.col.header}' both look like {_LABEL[role]}; "
                    f"using '{keep.col.header}'. If that's wrong, map the right one with --map.")
    quantities = [c for c in cols if c.col.role is Role.QUANTITY]
    wide = [c for c in quantities if c.col.location]
    long = [c for c in quantities if not c.col.location]
    if wide:
        for c in long:
            quiet = c.norm in _MATRIXIFY_LONG and any(w.origin == "matrixify" for w in wide)
            _demote(c, None if quiet else warnings, f"Column '{c.col.header}' is not used: the sheet has a quantity column per "
                                 "location, and each of those names its location.")
        for c in cols:
            if c.col.role is Role.LOCATION:
                _demote(c, warnings, f"Column '{c.col.header}' is not used: each quantity column names its "
                                     "location.")
            elif c.col.role is Role.SEEN:
                _demote(c, warnings, f"Column '{c.col.header}' is not used: one level you saw can't be checked "
                                     "against several location columns.")
    slots: dict[tuple[str, Mode | None], list[_Col]] = {}
    for c in (wide or long):
        slots.setdefault((normalise(c.col.location or ""), c.col.mode), []).append(c)
    for group in slots.values():
        if len(group) < 2:
            continue
        keep = max(group, key=_rank)
        for c in group:
            if c is not keep:
                quiet = c.origin == keep.origin == "matrixify"  # its export has On Hand next to Available
                _demote(c, None if quiet else warnings, f"Columns '{keep.col.header}' and '{c.col.header}' both hold the same "
                                     f"quantity; using '{keep.col.header}'. If that's wrong, map the right one "
                                     "with --map.")


def _promote_location_headers(cols: list[_Col], locations: Mapping[str, str]) -> None:
    """A wide sheet whose location is also a role word ("Warehouse", "Store"): if other columns
    are per-location quantities and there is no long quantity, such a column is one more."""
    quantities = [c for c in cols if c.col.role is Role.QUANTITY]
    if not any(c.col.location for c in quantities) or any(not c.col.location for c in quantities):
        return
    for c in cols:
        if c.col.role is Role.LOCATION and c.origin == "exact" and c.norm in locations:
            c.col.role, c.col.mode, c.col.location, c.origin = Role.QUANTITY, Mode.SET, c.col.header, "location-name"


def _layout(cols: list[_Col], norms: set[str]) -> Layout:
    quantities = [c for c in cols if c.col.role is Role.QUANTITY]
    if any(c.origin == "matrixify" or c.norm in _MATRIXIFY_LONG for c in quantities):
        return Layout.MATRIXIFY
    if any(c.col.location for c in quantities):
        return Layout.WIDE
    if "on hand (new)" in norms or {"handle", "option1 name", "location"} <= norms:
        return Layout.SHOPIFY
    return Layout.LONG


def _header_list(headers: Sequence[str]) -> str:
    shown = [h for h in headers if h][:12]
    more = "…" if len([h for h in headers if h]) > 12 else ""
    return ", ".join(shown) + more


def build_mapping(headers: list[str], *, location_names: Sequence[str], overrides: Mapping[str, str],
                  source: str | None, strict: bool = True) -> SheetMapping:
    where = f" in '{source}'" if source else ""
    locations = {normalise(n): str(n) for n in location_names if normalise(n)}
    by_norm = {normalise(h): v for h, v in overrides.items()}
    used: set[str] = set()
    cols: list[_Col] = []
    warnings: list[str] = []
    for index, raw in enumerate(headers):
        header = "" if raw is None else str(raw).strip()
        norm = normalise(header)
        value = overrides.get(header) if header in overrides else by_norm.get(norm) if header else None
        if value is not None:
            used.add(norm)
            parsed = parse_role(value)
            if parsed is None:
                raise MappingError(f"The mapping for column '{header}' says '{value}', which is not a column role. "
                                   f"Use one of: {VOCABULARY}.")
            role, mode, location = parsed
            cols.append(_Col(ColumnMap(index, header, role, mode, location), "override", 9, norm))
        elif not header:
            cols.append(_Col(ColumnMap(index, header, Role.IGNORE, confidence=0.0), "unknown", 0, norm))
        else:
            cols.append(_classify(index, header, norm, locations))
    for name in overrides:
        if normalise(name) not in used:
            warnings.append(f"The mapping names column '{name}', which is not in the sheet{where}.")
    for c in cols:
        if c.origin == "fuzzy" and c.col.role not in (Role.INFO, Role.IGNORE):
            warnings.append(f"Column '{c.col.header}' was read as {_LABEL[c.col.role]} because its name is close "
                            f"to one we know. If that's wrong, map it with --map '{c.col.header}=info'.")
    _promote_location_headers(cols, locations)
    _settle(cols, warnings)
    columns = [c.col for c in cols]
    mapping = SheetMapping(layout=_layout(cols, {c.norm for c in cols}), columns=columns, warnings=warnings)
    if not strict:
        return mapping
    if not mapping.key_columns():
        raise MappingError(f"No SKU, barcode or variant id column found{where} (its columns: "
                           f"{_header_list(headers)}). Name a column SKU, Barcode or Variant ID, "
                           "or map one with --map 'Header=sku'.")
    if not mapping.quantity_columns():
        raise MappingError(f"No quantity column found{where} (its columns: {_header_list(headers)}). "
                           "Name a column Available (absolute) or Adjust (change), "
                           "or map one with --map 'Header=available'.")
    return mapping


# --- what a quantity counts ------------------------------------------------------------------

_ON_HAND = re.compile(r"\bon ?hand\b")


def counts_on_hand(header: str) -> bool:
    """Whether a header names stock on hand (``On hand (new)``, ``Quantity on hand``,
    ``Inventory On Hand: Berlin`` …) rather than available stock."""
    return bool(_ON_HAND.search(normalise(header)))


def on_hand_columns(mapping: SheetMapping) -> list[ColumnMap]:
    """The columns in use whose values count stock on hand: absolute quantity columns and the
    seen column (Shopify's ``On hand (current)``), in sheet order. Adjust columns are left out:
    a change to on hand is the same change to available. The header decides, however the column
    was mapped — a saved profile maps every column explicitly, so the mapping alone can't."""
    return [c for c in mapping.columns
            if (c.role is Role.SEEN or (c.role is Role.QUANTITY and c.mode is Mode.SET)) and counts_on_hand(c.header)]
