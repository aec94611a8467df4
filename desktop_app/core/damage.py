"""Identifiers a spreadsheet damaged, recognised and matched back to the catalogue.

Excel stores numbers as doubles and shows them in the General format, so a numeric id or
barcode typed or pasted into a cell that isn't formatted as Text can come back:

- ``SCIENTIFIC``: written in scientific notation (``1.23457E+12``) with only the digits shown;
- ``ROUNDED``: cut to 15 significant digits, the rest zeros (``604253696473177000`` for
  ``604253696473177059``);
- ``ZEROS``: without its leading zeros (``12345678905`` for ``012345678905``);
- ``DECIMAL``: with a ``.0`` added (``12345678905.0``).

``DamageIndex.match`` finds the catalogue values a damaged key could have been. The resolver
repairs the key when exactly one matches and reports the row otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Generic, Iterable, TypeVar

T = TypeVar("T")

_SCIENTIFIC = re.compile(r"\+?(\d+(?:[.,]\d*)?)[eE]\+?(\d+)")
_DECIMAL = re.compile(r"(\d+)[.,]0+")
#: Excel keeps this many significant digits
EXCEL_DIGITS = 15
#: Excel's General format switches to scientific notation only for long numbers; a shorter
#: "2E3" is more likely a real code than a damaged one
MIN_EXPONENT = 9


class Damage(StrEnum):
    SCIENTIFIC = "scientific"
    ROUNDED = "rounded"
    ZEROS = "zeros"
    DECIMAL = "decimal"


#: what the spreadsheet did, for repair notes (after "matched <value>: ")
DID = {
    Damage.SCIENTIFIC: "Excel showed the number in scientific notation",
    Damage.ROUNDED: "Excel keeps only 15 significant digits and replaced the rest with zeros",
    Damage.ZEROS: "Excel removed the leading zeros",
    Damage.DECIMAL: "the spreadsheet added '.0' to the number",
}

HINT = "Format the column as Text before typing or pasting ids, or export as CSV, then enter the full {label} again."


def sig_round(number: int, digits: int) -> int:
    """``number`` rounded half-up to ``digits`` significant digits (as Excel displays it)."""
    length = len(str(number))
    if length <= digits:
        return number
    unit = 10 ** (length - digits)
    q, r = divmod(number, unit)
    if 2 * r >= unit:
        q += 1
    return q * unit


def sig_truncate(number: int, digits: int) -> int:
    length = len(str(number))
    if length <= digits:
        return number
    unit = 10 ** (length - digits)
    return number // unit * unit


@dataclass(slots=True)
class Found(Generic[T]):
    damage: Damage
    matches: list[tuple[str, T]]    # (catalogue value, item)
    detail: str = ""                # e.g. how many digits survived


class DamageIndex(Generic[T]):
    """The catalogue's numeric values of one field (barcodes, SKUs, ids), indexed lazily for
    each kind of damage."""

    def __init__(self, values: Iterable[tuple[str, T]]) -> None:
        self._numeric = [(v, item) for v, item in values if v and v.isascii() and v.isdigit()]
        self._exact: dict[str, list[tuple[str, T]]] | None = None
        self._zeros: dict[str, list[tuple[str, T]]] | None = None
        self._long: dict[int, list[tuple[str, T]]] | None = None
        self._rounded: dict[int, dict[int, list[tuple[str, T]]]] = {}

    def match(self, text: str) -> Found[T] | None:
        """The damage ``text`` shows and the catalogue values it may have been, or None when
        it doesn't look damaged."""
        if not (text.isascii() and text.isdigit()):  # digits only first: the common case, and cheap
            m = _SCIENTIFIC.fullmatch(text)
            if m:
                return self._scientific(m)
            m = _DECIMAL.fullmatch(text)
            if m:
                digits = m.group(1)
                found = self._by_exact(digits) or self._by_zeros(digits)
                return Found(Damage.DECIMAL, found) if found else None
            return None
        significant = text.lstrip("0")
        if len(significant) > EXCEL_DIGITS:
            number = int(significant)
            found = self._by_long(sig_round(number, EXCEL_DIGITS), sig_truncate(number, EXCEL_DIGITS))
            if found or significant.endswith("0"):
                return Found(Damage.ROUNDED, found)
            return None
        found = self._by_zeros(text)
        return Found(Damage.ZEROS, found) if found else None

    def _scientific(self, m: re.Match[str]) -> Found[T] | None:
        try:
            value = Decimal(m.group(1).replace(",", ".")) * (Decimal(10) ** int(m.group(2)))
        except (InvalidOperation, ValueError):
            return None
        if int(m.group(2)) < MIN_EXPONENT or value <= 0 or value != value.to_integral_value():
            return None
        shown = re.sub(r"\D", "", m.group(1)).lstrip("0")
        digits = max(len(shown), 1)
        target = int(value)
        index = self._rounded.get(digits)
        if index is None:
            index = {}
            for v, item in self._numeric:
                index.setdefault(sig_round(int(v), digits), []).append((v, item))
            self._rounded[digits] = index
        return Found(Damage.SCIENTIFIC, list(index.get(target, [])), f"{digits} digits")

    def _by_exact(self, digits: str) -> list[tuple[str, T]]:
        if self._exact is None:
            self._exact = {}
            for v, item in self._numeric:
                self._exact.setdefault(v, []).append((v, item))
        return list(self._exact.get(digits, []))

    def _by_zeros(self, digits: str) -> list[tuple[str, T]]:
        if self._zeros is None:
            self._zeros = {}
            for v, item in self._numeric:
                if v.startswith("0"):
                    self._zeros.setdefault(v.lstrip("0"), []).append((v, item))
        return [entry for entry in self._zeros.get(digits.lstrip("0"), []) if entry[0] != digits]

    def _by_long(self, *numbers: int) -> list[tuple[str, T]]:
        if self._long is None:
            self._long = {}
            for v, item in self._numeric:
                significant = v.lstrip("0")
                if len(significant) > EXCEL_DIGITS:
                    n = int(significant)
                    for form in {sig_round(n, EXCEL_DIGITS), sig_truncate(n, EXCEL_DIGITS)}:
                        self._long.setdefault(form, []).append((v, item))
        out: list[tuple[str, T]] = []
        for n in dict.fromkeys(numbers):
            for entry in self._long.get(n, []):
                if entry not in out:
                    out.append(entry)
        return out
