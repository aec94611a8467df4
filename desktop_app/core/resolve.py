"""Resolution: StockRows matched to the catalogue's variants and locations, as Targets.

Variants: by the row's key (SKU exactly, then case-insensitively when that is unique; barcode;
variant id or external id). A key Excel damaged (``core.damage``) is repaired when exactly one
catalogue value fits, and reported otherwise. A key not in the store falls back to the row's
other identity cells; identity cells naming different variants are a conflict, and so is a
damaged cell whose repairs all name another variant (SKU ``123`` beside barcode ``1234567890``,
which is another variant's ``01234567890`` without its zeros).

Locations: by the user's remembered aliases, id, or name (``mapping.normalise``: case-, width-,
accent- and space-insensitive, in every script); of two names that fold alike, the one spelled
exactly as the row wins. A blank name matches nothing.

Duplicates (the same variant × location twice) follow ``DuplicatePolicy``. As in extraction, a
sheet row is used whole or not at all: a row with any issue yields no Target (a notice that a
later row replaces or absorbs one of its cells is not an issue of that kind).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Mapping

from desktop_app.core import issues as codes
from desktop_app.core.damage import DID, HINT, Damage, DamageIndex, Found
from desktop_app.core.issues import RowIssue
from desktop_app.core.mapping import normalise
from desktop_app.core.models import Catalog, KeyKind, Location, StockRow, Target, Variant
from desktop_app.core.rows import KEY_LABEL


#: a value no variant has (``dict.get`` default), as opposed to one several share (None)
_ABSENT = object()


class DuplicatePolicy(StrEnum):
    ERROR = "error"   # both rows invalid
    LAST = "last"     # the last row wins
    SUM = "sum"       # adjustments add up (set rows still conflict)


def _index(pairs: list[tuple[str, Variant]]) -> tuple[dict[str, Variant], dict[str, list[Variant]]]:
    """value → variant, plus value → all variants for values shared by several."""
    first = dict(reversed(pairs))  # the first variant of each value wins
    if len(first) == len(pairs) and "" not in first and None not in first:
        return first, {}  # every value filled and unique: the usual catalogue
    first = {}
    shared: dict[str, list[Variant]] = {}
    for value, variant in pairs:
        if not value:
            continue
        if value in first:
            shared.setdefault(value, [first[value]]).append(variant)
        else:
            first[value] = variant
    return first, shared


class _Field:
    """One catalogue field (SKU, barcode, id, external id) indexed for lookup."""

    def __init__(self, pairs: list[tuple[str, Variant]], *, fold: bool = False) -> None:
        self.pairs = pairs
        self.first, self.shared = _index(pairs)
        self._fold = fold
        self._folded: tuple[dict[str, Variant], dict[str, list[Variant]]] | None = None
        self._damage: DamageIndex[Variant] | None = None

    @property
    def fold(self) -> tuple[dict[str, Variant], dict[str, list[Variant]]] | None:
        """The case-folded index (SKUs only), built on first use."""
        if self._fold and self._folded is None:
            self._folded = _index([(v.casefold(), var) for v, var in self.pairs])
        return self._folded

    def exact(self, value: str) -> list[Variant]:
        found = self.first.get(value)
        if found is None:
            return []
        return self.shared.get(value) or [found]

    def folded(self, value: str) -> list[Variant]:
        if self.fold is None:
            return []
        key = value.casefold()
        found = self.fold[0].get(key)
        if found is None:
            return []
        return self.fold[1].get(key) or [found]

    @property
    def damage(self) -> DamageIndex[Variant]:
        if self._damage is None:
            self._damage = DamageIndex(self.pairs)
        return self._damage


class _Variants:
    def __init__(self, variants: list[Variant]) -> None:
        ids = _Field([(v.id, v) for v in variants])
        external = _Field([(v.external_id, v) for v in variants if v.external_id])
        self.fields: dict[KeyKind, list[_Field]] = {
            KeyKind.SKU: [_Field([(v.sku, v) for v in variants if v.sku], fold=True)],
            KeyKind.BARCODE: [_Field([(v.barcode, v) for v in variants if v.barcode])],
            KeyKind.VARIANT_ID: [ids, external],
            KeyKind.EXTERNAL_ID: [external, ids],
        }
        self._unique: list[tuple[KeyKind, dict[str, Variant | None]]] = []

    def unique_map(self, kind: KeyKind) -> dict[str, Variant | None]:
        """value → the one variant with exactly this value, or None when several share it; the
        first of the kind's fields that holds the value decides. Built once per kind."""
        for k, found in self._unique:  # compared with ``is``: hashing a StrEnum is a Python call
            if k is kind:
                return found
        found = {}
        for f in reversed(self.fields[kind]):
            found.update(f.first)
            found.update(dict.fromkeys(f.shared))
        self._unique.append((kind, found))
        return found

    def unique(self, kind: KeyKind, value: str) -> Variant | None:
        """The one variant with exactly this value (the hot path), else None."""
        return self.unique_map(kind).get(value)

    def exact(self, kind: KeyKind, value: str) -> list[Variant]:
        for f in self.fields[kind]:
            found = f.exact(value)
            if found:
                return found
        return []

    def repaired(self, kind: KeyKind, value: str) -> Found[Variant] | None:
        """The damage ``value`` shows and the variants it may have been, for a value no variant
        has exactly; None when it doesn't look damaged or fits no variant."""
        for f in self.fields[kind]:
            hit = f.damage.match(value)
            if hit is not None and hit.matches:
                return hit
        return None

    def named_by(self, kind: KeyKind, value: str) -> tuple[list[Variant], str]:
        """The variants an identity cell names, and how its value was repaired ("" when exact).
        A value several variants share names none (the row's other cells decide)."""
        unique = self.unique_map(kind)
        if value in unique:
            found = unique[value]
            return ([found] if found is not None else []), ""
        hit = self.repaired(kind, value)
        if hit is None:
            return [], ""
        variants = list({id(v): v for _, v in hit.matches}.values())
        repair = f"{hit.matches[0][0]}: {DID[hit.damage]}" if len(variants) == 1 else DID[hit.damage]
        return variants, repair


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _label(variant: Variant) -> str:
    if variant.sku:
        return f"SKU '{variant.sku}'"
    if variant.barcode:
        return f"barcode '{variant.barcode}'"
    return f"variant {variant.id}"


def _describe(variant: Variant) -> str:
    name = " ".join(p for p in (variant.product, variant.title) if p)
    return f"{name} (variant {variant.id})" if name else f"variant {variant.id}"


def _names(variants: list[Variant]) -> str:
    shown = [_label(v) + (f" ({v.title})" if v.title else "") for v in variants[:3]]
    return ", ".join(shown) + (" …" if len(variants) > 3 else "")


class _Resolver:
    def __init__(self, catalog: Catalog, aliases: Mapping[str, str] | None, default_location: str | None) -> None:
        self.variants = _Variants(catalog.variants)
        self.locations = catalog.locations
        self.loc_by_id = {loc.id: loc for loc in catalog.locations}
        self.loc_by_name: dict[str, list[Location]] = {}
        for loc in catalog.locations:
            if norm := normalise(loc.name):  # a blank name matches nothing
                self.loc_by_name.setdefault(norm, []).append(loc)
        self.loc_by_id_norm = {norm: loc for loc in catalog.locations if (norm := normalise(loc.id))}
        self.aliases = {norm: v for k, v in (aliases or {}).items() if (norm := normalise(k))}
        self.default_location = default_location
        self.loc_cache: dict[str | None, Location | tuple[str, str, str]] = {}

    # --- variants ---------------------------------------------------------------------------
    def variant(self, row: StockRow) -> tuple[Variant | None, str | None, RowIssue | None]:
        """(variant, repair note, issue)"""
        kind, key = row.key_kind, row.key
        variant = self.variants.unique(kind, key)
        if variant is not None:
            return variant, None, self.conflict(row, variant) if row.alt_keys else None
        label = KEY_LABEL[kind]
        fields = self.variants.fields[kind]
        found = self.variants.exact(kind, key)
        if not found and kind is KeyKind.SKU:
            found = fields[0].folded(key)
        if len(found) > 1:
            # A shared SKU (Shoplazza and Zettle allow them): the row's other identity cell, e.g.
            # the Variant ID of an export, settles which one is meant.
            for alt_kind, alt in row.alt_keys.items():
                alt_found = self.variants.exact(alt_kind, alt)
                if len(alt_found) == 1 and any(v is alt_found[0] for v in found):
                    return alt_found[0], None, self.conflict(row, alt_found[0], by=(alt_kind, alt))
            return None, None, RowIssue(row.row, row.key_column, codes.VARIANT_AMBIGUOUS,
                                        f"{_cap(label)} '{key}' belongs to {len(found)} variants in the store: "
                                        f"{_names(found)}.",
                                        "Match these rows by barcode or variant id instead (--key), or make the "
                                        f"{label}s unique in the store.")
        if found:
            return found[0], None, self.conflict(row, found[0])
        damaged = None
        for f in fields:
            hit = f.damage.match(key)
            if hit is not None and (damaged is None or (hit.matches and not damaged.matches)):
                damaged = hit
            if damaged is not None and damaged.matches:
                break
        if damaged and len({id(item) for _, item in damaged.matches}) == 1:
            value, variant = damaged.matches[0]
            return variant, f"{label} {key} matched {value}: {DID[damaged.damage]}", self.conflict(row, variant)
        for alt_kind, alt in row.alt_keys.items():
            alt_found = self.variants.exact(alt_kind, alt)
            if len(alt_found) == 1:
                variant = alt_found[0]
                if damaged and damaged.matches and not any(v is variant for _, v in damaged.matches):
                    # the key's possible repairs are all other variants: the row contradicts itself
                    return variant, None, self._conflict(row, (alt_kind, alt), variant, (kind, key),
                                                         [v for _, v in damaged.matches], DID[damaged.damage])
                note = f"{label} '{key}' is not in the store; matched by {KEY_LABEL[alt_kind]} '{alt}'"
                return variant, note, self.conflict(row, variant, by=(alt_kind, alt))
        if damaged:
            return None, None, self._damaged_issue(row, label, damaged)
        hint = (f"Check the spelling, or export the store's stock to see valid {label}s."
                if kind is not KeyKind.VARIANT_ID else "Check the id, or export the store's stock to see valid ids.")
        return None, None, RowIssue(row.row, row.key_column, codes.VARIANT_NOT_FOUND,
                                    f"{_cap(label)} '{key}' is not in the store.", hint)

    def conflict(self, row: StockRow, variant: Variant, *, by: tuple[KeyKind, str] | None = None) -> RowIssue | None:
        """A key-conflict issue when another identity cell of the row names another variant than
        ``variant`` (found by the cell ``by``, the row's key by default), exactly or as repaired."""
        by = by or (row.key_kind, row.key)
        for alt_kind, alt in row.alt_keys.items():
            if alt_kind is by[0] and alt == by[1]:
                continue
            others, repair = self.variants.named_by(alt_kind, alt)
            if others and not any(o is variant for o in others):
                return self._conflict(row, by, variant, (alt_kind, alt), others, repair)
        return None

    @staticmethod
    def _conflict(row: StockRow, by: tuple[KeyKind, str], variant: Variant, cell: tuple[KeyKind, str],
                  others: list[Variant], repair: str) -> RowIssue:
        said = f"{KEY_LABEL[cell[0]]} '{cell[1]}'" + (f" ({repair})" if repair else "")
        what = (f"is {_describe(others[0])}" if len(others) == 1 else
                f"fits {len(others)} other variants: {_names(others)}")
        return RowIssue(row.row, row.key_column, codes.KEY_CONFLICT,
                        f"{_cap(KEY_LABEL[by[0]])} '{by[1]}' is {_describe(variant)}, but {said} {what}.",
                        "Correct the wrong cell, or clear it.")

    @staticmethod
    def _damaged_issue(row: StockRow, label: str, damaged) -> RowIssue:
        what = {
            Damage.SCIENTIFIC: f"is in scientific notation: Excel kept only {damaged.detail} of the number",
            Damage.ROUNDED: "has more than 15 digits, and Excel keeps only the first 15 (the rest become zeros)",
            Damage.ZEROS: "looks like Excel removed its leading zeros",
            Damage.DECIMAL: "has a '.0' the spreadsheet added",
        }[damaged.damage]
        values = sorted({v for v, _ in damaged.matches})
        if values:
            shown = ", ".join(values[:3]) + (" …" if len(values) > 3 else "")
            tail = f"and it fits {len(values)} {label}s in the store ({shown})"
        else:
            tail = f"and no {label} in the store fits it"
        return RowIssue(row.row, row.key_column, codes.KEY_EXCEL_DAMAGED,
                        f"{_cap(label)} '{row.key}' {what}, {tail}.", HINT.format(label=label))

    # --- locations --------------------------------------------------------------------------
    def location(self, row: StockRow) -> tuple[Location | None, RowIssue | None]:
        ref = row.location_ref
        hit = self.loc_cache.get(ref)
        if hit is None:
            hit = self.loc_cache[ref] = self._location(ref)
        if isinstance(hit, Location):
            return hit, None
        code, message, hint = hit
        return None, RowIssue(row.row, row.location_column or row.column, code, message, hint)

    def _known(self) -> str:
        names = [loc.name for loc in self.locations[:8]]
        return ", ".join(names) + (" …" if len(self.locations) > 8 else "")

    def _location(self, ref: str | None) -> Location | tuple[str, str, str]:
        if ref is None:
            if self.default_location and self.default_location in self.loc_by_id:
                return self.loc_by_id[self.default_location]
            if len(self.locations) == 1:
                return self.locations[0]
            defaults = [loc for loc in self.locations if loc.default]
            if len(defaults) == 1:
                return defaults[0]
            return (codes.LOCATION_MISSING, f"The row names no location, and the store has several ({self._known()}).",
                    "Add a Location column, or choose the location to import into.")
        norm = normalise(ref)
        alias = self.aliases.get(norm) if norm else None
        if alias is not None:
            loc = self.loc_by_id.get(alias) or next(iter(self.loc_by_name.get(normalise(alias), [])), None)
            if loc is not None:
                return loc
        if ref in self.loc_by_id:
            return self.loc_by_id[ref]
        if not norm:
            return self._not_found(ref)
        named = self.loc_by_name.get(norm, [])
        if len(named) > 1:  # names that fold alike ("Köln", "Koln"): the exact spelling decides
            named = [loc for loc in named if loc.name.strip() == ref.strip()] or named
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            return (codes.LOCATION_AMBIGUOUS, f"The store has {len(named)} locations named '{ref}'.",
                    "Use the location's id instead of its name.")
        if norm in self.loc_by_id_norm:
            return self.loc_by_id_norm[norm]
        return self._not_found(ref)

    def _not_found(self, ref: str) -> tuple[str, str, str]:
        return (codes.LOCATION_NOT_FOUND, f"Location '{ref}' is not in the store. Its locations are: {self._known()}.",
                f"Check the spelling, or say which store location '{ref}' means (--location '{ref}=Store location').")


def resolve(rows: list[StockRow], catalog: Catalog, *, duplicates: DuplicatePolicy = DuplicatePolicy.ERROR,
            location_aliases: Mapping[str, str] | None = None, default_location: str | None = None,
            ) -> tuple[list[Target], list[RowIssue]]:
    """Targets in sheet order, and the issues of rows that could not be resolved.

    ``location_aliases``: a sheet's location text → location id (or name). ``default_location``:
    the location id for rows that name none (otherwise the store's only or default location).
    Issues whose code is in ``issues.NOTICES`` are not invalid rows (see ``DuplicatePolicy``)."""
    resolver = _Resolver(catalog, location_aliases, default_location)
    targets: list[Target] = []
    found: list[RowIssue] = []
    variant_of = resolver.variant
    location_of = resolver.location
    unique_map = resolver.variants.unique_map
    known_locations: dict[str | None, Location] = {}  # location refs already resolved without an issue
    key_kind = unique = alt_kind_seen = alt_unique = None
    last_row = last_key = last_kind = last_alts = variant = repaired = issue = None
    for row in rows:
        number, key, kind, alts = row.row, row.key, row.key_kind, row.alt_keys
        # The cells of a wide row share their identity: resolve and report it once. Consecutive
        # rows with the same identity cells (a long sheet's locations of one variant) share the
        # variant found, not an issue: each row reports its own.
        if (key != last_key or kind is not last_kind or alts != last_alts
                or (issue is not None and number != last_row)):
            last_row, last_key, last_kind, last_alts = number, key, kind, alts
            if kind is not key_kind:
                key_kind, unique = kind, unique_map(kind)
            variant = unique.get(key)  # the hot path: a key naming exactly one variant…
            repaired = issue = None
            if variant is None:
                variant, repaired, issue = variant_of(row)
            else:
                for alt_kind, alt in alts.items():  # … that no other identity cell contradicts,
                    if alt_kind is not alt_kind_seen:   # exactly or once repaired
                        alt_kind_seen, alt_unique = alt_kind, unique_map(alt_kind)
                    other = alt_unique.get(alt, _ABSENT)
                    if other is not None and other is not variant:  # another variant, or in none
                        issue = resolver.conflict(row, variant)  # looks at every cell, repairs too
                        break
            if issue is not None:
                found.append(issue)
        location = known_locations.get(row.location_ref)
        if location is None:
            location, loc_issue = location_of(row)
            if loc_issue is not None:
                found.append(loc_issue)
            elif location is not None:
                known_locations[row.location_ref] = location
        if variant is None or location is None or issue is not None:
            continue
        targets.append(Target(number, row.column, variant, location, row.mode, row.quantity, row.seen, repaired))
    from desktop_app.core.duplicates import settle_duplicates

    targets, dup_issues = settle_duplicates(targets, duplicates)
    found += dup_issues
    return drop_invalid_rows(targets, found), found


def drop_invalid_rows(items: list, found: list[RowIssue]) -> list:
    """``items`` (anything with ``.row``) without those from rows that have an invalid issue."""
    bad = {i.row for i in found if i.code not in codes.NOTICES}
    if not bad:
        return items
    return [t for t in items if t.row not in bad]
