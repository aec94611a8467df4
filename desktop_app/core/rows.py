"""Extraction: a mapped ``RawSheet`` becomes ``StockRow``s, one per quantity cell to apply.

A sheet row is used whole or not at all: any problem on it (a bad quantity in one of its
location columns, no key, no location) makes it an issue and yields no StockRow, so a fixed
error report can be re-imported without applying half a row twice.

Blank quantity cells mean "no change" in Shopify, Matrixify and wide sheets (their row numbers
are returned as skipped when no cell of the row is filled); in a plain long sheet a blank
quantity is an issue, since the row then asks for nothing. A row that names no variant and is
labelled ``Total`` (a stock report's sums) is skipped too.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from desktop_app.core import issues as codes
from desktop_app.core.errors import MappingError
from desktop_app.core.issues import RowIssue
from desktop_app.core.mapping import FOOTERS, KEY_ROLES, Layout, SheetMapping, normalise
from desktop_app.core.models import INFINITE, NOT_TRACKED, CellError, KeyKind, Mode, RawSheet, StockRow
from desktop_app.core.quantities import MAX_QUANTITY, QuantityError, parse_quantity, thousands_separator

KEY_LABEL = {KeyKind.SKU: "SKU", KeyKind.BARCODE: "barcode", KeyKind.VARIANT_ID: "variant id",
             KeyKind.EXTERNAL_ID: "external id"}


def clean_key(value: Any) -> str | None:
    """An identity or location cell as text: stripped, ``None`` when blank.

    Whole floats lose their ``.0`` and keep the digits a spreadsheet would show
    (``6.04253696473177e17`` → ``"604253696473177000"``), so damage detection sees what Excel
    did. Excel's text tricks are undone: a leading ``'`` and the ``="0123"`` formula form."""
    kind = type(value)
    if kind is str:
        text = value.strip()
        if text and (text[0] == "'" or text[0] == "="):
            if text[0] == "'" and len(text) > 1 and (text[1].isdigit() or text[1] in "+-="):
                text = text[1:]
            elif len(text) >= 3 and text.startswith('="') and text.endswith('"'):
                text = text[2:-1].strip()
        return text or None
    if value is None:
        return None
    if kind is int:
        return str(value)
    if kind is float:
        if value.is_integer():
            return str(int(Decimal(repr(value))))
        return repr(value)
    return str(value).strip() or None


#: first characters that need ``clean_key``'s attention
_SPECIAL = frozenset("'= \t\n\u00a0")


def _where(source: str) -> str:
    return f" in '{source}'" if source else ""


def extract_rows(sheet: RawSheet, mapping: SheetMapping, *, key: KeyKind | None = None, single_location: bool = False,
                 allow_infinite: bool = False, blank_skips: bool | None = None,
                 ) -> tuple[list[StockRow], list[RowIssue], list[int]]:
    """``(stock rows, issues, skipped row numbers)`` in sheet order.

    ``key``: force one identity column; ``None`` takes the first filled of SKU, barcode, variant
    id, external id and keeps the others in ``StockRow.alt_keys``. ``single_location``: the sheet
    may omit the location (``location_ref`` None). ``blank_skips``: whether a row with no
    quantity filled is skipped (default: every layout but plain long). Raises MappingError when
    the forced key column or a needed location column is missing."""
    where = _where(sheet.path)
    key_cols = mapping.key_columns()
    if key is not None:
        key_cols = [c for c in key_cols if KEY_ROLES[c.role] is key]
        if not key_cols:
            raise MappingError(f"The sheet{where} has no {KEY_LABEL[key]} column to match variants by. "
                               f"Name a column {KEY_LABEL[key]}, map one with --map 'Header={key.value}', "
                               "or choose another key.")
    if not key_cols:
        raise MappingError(f"No SKU, barcode or variant id column found{where}. Name a column SKU, Barcode or "
                           "Variant ID, or map one with --map 'Header=sku'.")
    qcols = mapping.quantity_columns()
    if not qcols:
        raise MappingError(f"No quantity column found{where}. Name a column Available (absolute) or Adjust "
                           "(change), or map one with --map 'Header=available'.")
    wide = any(c.location for c in qcols)
    loc_col = None if wide else mapping.location_column()
    if not wide and loc_col is None and not single_location:
        raise MappingError(f"No location column found{where}, and this store has several locations. Add a "
                           "Location column, or map one with --map 'Header=location'.")
    seen_col = mapping.seen_column()
    skip_blank = (mapping.layout is not Layout.LONG) if blank_skips is None else blank_skips

    kspecs = [(c.index, c.header, KEY_ROLES[c.role]) for c in key_cols]
    key_names = " or ".join(KEY_LABEL[k] for _, _, k in kspecs)
    # (index, header, mode, location, group, allow INFINITE, allow "not stocked")
    qspecs = [(c.index, c.header, c.mode or Mode.SET, c.location, normalise(c.location or ""),
               allow_infinite and c.mode is not Mode.ADJUST, c.mode is not Mode.ADJUST) for c in qcols]
    groups = [g for g in {s[4] for s in qspecs}
              if {s[2] for s in qspecs if s[4] == g} == {Mode.SET, Mode.ADJUST}]
    loc_idx = loc_col.index if loc_col else None
    loc_header = loc_col.header if loc_col else None
    seen_idx = seen_col.index if seen_col else None
    first_q = qcols[0].header

    number_cols = [s[0] for s in qspecs] + ([seen_idx] if seen_idx is not None else [])
    said: list[str] = []

    def sep_for(value: Any) -> str | None:
        """The file's thousands separator, looked for once, the first time a text number needs it."""
        if type(value) is not str or ("." not in value and "," not in value):
            return None
        if not said:
            said.append(thousands_separator((cells[i] for _, cells in sheet.rows for i in number_cols
                                             if i < len(cells)), fallback="." if sheet.delimiter == ";" else "?"))
        return said[0]
    out: list[StockRow] = []
    found_issues: list[RowIssue] = []
    skipped: list[int] = []
    low, high = -MAX_QUANTITY, MAX_QUANTITY

    def careful(number: int, cells: tuple[Any, ...]) -> None:
        """One row, every case handled (issues, blanks, wide rows, text quantities)."""
        width = len(cells)
        footer = _footer(cells, kspecs[0][0])
        if footer is not None:
            found_issues.append(RowIssue(number, kspecs[0][1], codes.FOOTER,
                                         f"Row {number} is a footer ('{footer}'), not a stock row: skipped.",
                                         "Nothing to do; delete the row if you want the sheet to say so."))
            return
        found: list[tuple[tuple, Any]] = []
        problems: list[RowIssue] = []
        filled = 0
        for spec in qspecs:
            idx = spec[0]
            value = cells[idx] if idx < width else None
            if value is None:
                continue
            filled += 1
            if type(value) is int and low < value < high:
                found.append((spec, value))
                continue
            try:
                found.append((spec, parse_quantity(value, allow_infinite=spec[5], allow_not_stocked=spec[6],
                                                   thousands=sep_for(value))))
            except QuantityError as e:
                if e.code == codes.QTY_BLANK:
                    filled -= 1
                else:
                    problems.append(RowIssue(number, spec[1], e.code, e.message, e.hint))
        if not filled:
            if skip_blank:
                skipped.append(number)
            else:
                found_issues.append(RowIssue(number, first_q, codes.QTY_BLANK, "The quantity is blank.",
                                             "Enter the new level, or delete the row to leave this stock unchanged."))
            return
        if groups and len(found) > 1:
            problems += _conflicts(number, found, groups)

        key_value = key_kind = key_header = None
        alts: dict[KeyKind, str] = {}
        for idx, header, kind in kspecs:
            value = cells[idx] if idx < width else None
            if value is None:
                continue
            if isinstance(value, CellError):
                problems.append(RowIssue(number, header, codes.KEY_MISSING,
                                         f"The {KEY_LABEL[kind]} cell shows the spreadsheet error {value.text}.",
                                         f"Fix the formula, or type the {KEY_LABEL[kind]}."))
                continue
            if type(value) is str and value and value[0] not in _SPECIAL and value[-1] != " ":
                text = value  # already clean: the common case
            else:
                text = clean_key(value)
                if text is None:
                    continue
            if key_value is None:
                key_value, key_kind, key_header = text, kind, header
            else:
                alts[kind] = text
        if key_value is None and not problems and _is_total_row(cells):
            skipped.append(number)     # a report's total row ("Total" and sums, no identity)
            return
        if key_value is None and not any(p.code == codes.KEY_MISSING for p in problems):
            problems.append(RowIssue(number, kspecs[0][1], codes.KEY_MISSING, f"The row has no {key_names}.",
                                     f"Enter the variant's {key_names}, or delete the row."))

        location_ref = None
        if loc_idx is not None:
            value = cells[loc_idx] if loc_idx < width else None
            if isinstance(value, CellError):
                problems.append(RowIssue(number, loc_header, codes.LOCATION_MISSING,
                                         f"The location cell shows the spreadsheet error {value.text}.",
                                         "Fix the formula, or type the location's name."))
            else:
                location_ref = clean_key(value)
                if location_ref is None and not single_location:
                    problems.append(RowIssue(number, loc_header, codes.LOCATION_MISSING, "The location is blank.",
                                             "Enter the location's name as the store spells it, or delete the row."))

        seen = None
        if seen_idx is not None:
            value = cells[seen_idx] if seen_idx < width else None
            if value is not None:
                try:
                    seen = parse_quantity(value, allow_infinite=True, allow_not_stocked=True,
                                          thousands=sep_for(value))
                except QuantityError as e:
                    if e.code != codes.QTY_BLANK:
                        problems.append(RowIssue(number, seen_col.header, codes.SEEN_NOT_INTEGER,
                                                 f"The level you saw must be a whole number: {e.message}",
                                                 "Leave the cell as exported, or clear it to skip the check."))
                if seen == INFINITE or seen == NOT_TRACKED:
                    seen = None

        if problems:
            found_issues.extend(problems)
            return
        for spec, quantity in found:
            location = spec[3]
            out.append(StockRow(
                row=number, column=spec[1], key=key_value, key_kind=key_kind, key_column=key_header,
                location_ref=location if location is not None else location_ref,
                location_column=None if location is not None else loc_header,
                mode=spec[2], quantity=quantity, seen=seen, alt_keys=alts))

    # The common shape (one long quantity column; a location column, or none in a one-location
    # store; no "seen" column) takes a fast path while a row is plain: a whole quantity in range,
    # identity cells of clean text, a location cell that needs no more than stripping (what
    # ``clean_key`` does to it). Any other row, and any other shape, goes the careful way.
    if len(qspecs) != 1 or qspecs[0][3] is not None or seen_idx is not None:
        for number, cells in sheet.rows:
            careful(number, cells)
        return out, found_issues, skipped
    q_idx, q_header, mode = qspecs[0][:3]
    k_idx, k_header, k_kind = kspecs[0]
    alt_specs = [(idx, kind) for idx, _, kind in kspecs[1:]]
    top = max(q_idx, k_idx, loc_idx or 0, *(idx for idx, _ in alt_specs))
    append = out.append
    for number, cells in sheet.rows:
        if len(cells) <= top:
            careful(number, cells)
            continue
        quantity, key = cells[q_idx], cells[k_idx]
        if (type(quantity) is not int or not low < quantity < high or type(key) is not str or not key
                or key[0] in _SPECIAL or key[-1] == " " or (len(key) < 20 and key.casefold() in _FOOTER_KEYS)):
            careful(number, cells)
            continue
        ref = None
        if loc_idx is not None:
            ref = cells[loc_idx]
            if type(ref) is not str or not (ref := ref.strip()) or ref[0] in "'=":
                careful(number, cells)
                continue
        alts: dict[KeyKind, str] = {}
        for idx, kind in alt_specs:
            value = cells[idx]
            if value is None:
                continue
            if type(value) is not str or not value or value[0] in _SPECIAL or value[-1] == " ":
                break
            alts[kind] = value
        else:
            append(StockRow(number, q_header, key, k_kind, k_header, ref, loc_header, mode, quantity, None, alts))
            continue
        careful(number, cells)
    return out, found_issues, skipped


#: footer words as a key cell may hold them before normalising (the fast path's cheap test)
_FOOTER_KEYS = FOOTERS | {w.replace(" ", "-") for w in FOOTERS} | {w + ":" for w in FOOTERS}


def _footer(cells: tuple[Any, ...], key_index: int) -> str | None:
    """The footer word (``Total``, ``Summe`` …) when this row is a footer: the key cell is blank
    or the word itself, and the row's first filled cell is the word."""
    first = next((c for c in cells if c is not None and c != ""), None)
    if not isinstance(first, str) or len(first) > 30 or normalise(first).rstrip(":. ") not in FOOTERS:
        return None
    key = cells[key_index] if key_index < len(cells) else None
    if key is not None and key is not first and str(key).strip():
        return None
    return first.strip()


def _is_total_row(cells: tuple[Any, ...]) -> bool:
    """A row labelled ``Total`` (a report's sums under its table): it names no variant, so it
    asks for nothing; re-importing a wide report must not call it a row without a SKU."""
    return any(type(v) is str and normalise(v) == "total" for v in cells)


def _conflicts(number: int, found: list[tuple[tuple, Any]], groups: list[str]) -> list[RowIssue]:
    out = []
    for group in groups:
        cells = [(spec, q) for spec, q in found if spec[4] == group]
        if len(cells) < 2:
            continue
        (a, qa), (b, qb) = cells[0], cells[1]
        out.append(RowIssue(number, b[1], codes.QTY_CONFLICT,
                            f"Both '{a[1]}' ({qa}) and '{b[1]}' ({qb}) are filled; a row can set a level or adjust "
                            "it, not both.", "Clear one of the two cells."))
    return out
