"""Reading a stock quantity out of a cell, strictly: whole numbers only, said why when not.

Accepted: ints; whole floats (``319.0``); text such as ``"12"``, ``" +5 "``, ``"-3"``,
``"1,234"``, ``"1.234"``, ``"1 234"`` and ``"1'234"`` (a separator followed by exactly three
digits groups thousands), ``"12.0"``/``"12,00"`` (a zero fraction), ``"'-4"`` (a spreadsheet's
text-forcing quote) and the Unicode minus. On request, ``INFINITE`` and ``not stocked``.
Everything else raises ``QuantityError`` with a stable code, a sentence naming the value, and
a hint.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from typing import Any, Iterable, Literal

from desktop_app.core import issues
from desktop_app.core.models import INFINITE, NOT_TRACKED, CellError

#: larger than any real stock level: a value this big is an id or barcode in the wrong column
MAX_QUANTITY = 1_000_000_000

_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:([,.\s'’])\d{3})(?:\3\d{3})*)(?:([.,])(\d+))?")
_DECIMAL = re.compile(r"([+-]?)(\d+)[.,](\d+)")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})

_HINT_WHOLE = "Enter a whole number such as 12 or -3."


class QuantityError(ValueError):
    """A cell that is not a usable quantity. ``code`` is a stable ``core.issues`` code."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def _checked(value: int) -> int:
    if -MAX_QUANTITY < value < MAX_QUANTITY:
        return value
    raise QuantityError(issues.QTY_OUT_OF_RANGE, f"{value} is too large for a stock level.",
                        "Check that this column holds quantities, not ids or barcodes.")


def _not_whole(shown: str) -> QuantityError:
    return QuantityError(issues.QTY_NOT_INTEGER, f"'{shown}' is not a whole number; stock is counted in whole units.",
                         _HINT_WHOLE)


def thousands_separator(cells: Iterable[Any], *, fallback: str = "?") -> str:
    """The file's thousands separator, ``"."`` or ``","``, from the text numbers that say it
    unambiguously (``1.234.567``, ``1.234,5``, ``12,5`` say ``.``; ``1,234,567``, ``1,234.5``,
    ``319.0`` say ``,``); ``fallback`` when none do (``"."`` for a ``;``-separated CSV, which Excel
    writes where ``,`` is the decimal mark), ``"?"`` when both kinds appear (then ``1.234`` is
    reported, never guessed)."""
    said = set()
    for cell in cells:
        if type(cell) is not str or ("." not in cell and "," not in cell):
            continue
        text = cell.translate(_SPACES).strip().lstrip("+-'")
        for sep, other in ((".", ","), (",", ".")):
            if re.fullmatch(rf"\d{{1,3}}(?:\{sep}\d{{3}}){{2,}}", text) or \
                    re.fullmatch(rf"\d{{1,3}}(?:\{sep}\d{{3}})+\{other}\d+", text) or \
                    re.fullmatch(rf"\d+\{other}\d{{1,2}}", text):
                said.add(sep)
        if len(said) > 1:
            return "?"
    return said.pop() if said else fallback


def parse_quantity(value: Any, *, allow_infinite: bool = False, allow_not_stocked: bool = False,
                   thousands: str | None = None) -> int | Literal["INFINITE"] | None:
    """A cell as a stock quantity: an int, ``"INFINITE"`` (if allowed) or ``None`` for
    ``not stocked`` (if allowed). Blank cells raise with code ``QTY_BLANK``: the caller decides
    what blank means. ``thousands`` is the file's separator (``thousands_separator``): ``"."`` or
    ``","`` settle ``1.234`` / ``1,234``; ``"?"`` reports them (``QTY_AMBIGUOUS``); None reads
    either as grouping (a lone value, outside a file)."""
    kind = type(value)
    if kind is int:
        return _checked(value)
    if kind is str:
        text = value.strip()
        if text:
            try:  # the fast path: plain digits with an optional sign
                return _checked(int(text))
            except ValueError:
                return _parse_text(text, allow_infinite=allow_infinite, allow_not_stocked=allow_not_stocked,
                                   thousands=thousands)
    if value is None or (kind is str):
        raise QuantityError(issues.QTY_BLANK, "The quantity is blank.",
                            "Enter the new level, or delete the row to leave this stock unchanged.")
    if kind is bool:
        raise QuantityError(issues.QTY_NOT_INTEGER, f"'{str(value).upper()}' is a true/false value, not a quantity.",
                            _HINT_WHOLE)
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            raise QuantityError(issues.QTY_NOT_INTEGER, f"'{value}' is not a number.", _HINT_WHOLE)
        if value.is_integer():
            return _checked(int(value))
        raise _not_whole(f"{value:g}")
    if isinstance(value, CellError):
        raise QuantityError(issues.QTY_ERROR_CELL, f"The cell shows the spreadsheet error {value.text}.",
                            "Fix the formula that produces it, or type the quantity as a number.")
    if isinstance(value, (datetime, date, time)):
        raise QuantityError(issues.QTY_NOT_INTEGER, f"'{value}' is a date or time, not a quantity.",
                            "The spreadsheet may have turned what you typed into a date; format the column as "
                            "Number and enter the quantity again.")
    if isinstance(value, int):  # int subclasses (numpy-like) that aren't bool
        return _checked(int(value))
    raise QuantityError(issues.QTY_NOT_INTEGER, f"'{value}' is not a number.", _HINT_WHOLE)


def _parse_text(text: str, *, allow_infinite: bool, allow_not_stocked: bool,
                thousands: str | None = None) -> int | Literal["INFINITE"] | None:
    plain = text.translate(_SPACES).strip()
    if plain.startswith("'"):
        plain = plain[1:].strip()
    if plain != text:
        try:
            return _checked(int(plain))
        except ValueError:
            pass
    m = _GROUPED.fullmatch(plain)
    if m and m.group(3) != m.group(4):
        sign, digits, sep, _, fraction = m.groups()
        several = digits.count(sep) > 1            # 1.234.567 can only be grouped
        if thousands is not None and sep in ".," and fraction is None and sep != thousands and \
                not (several and thousands == "?"):
            if thousands == "?" or several:
                raise QuantityError(issues.QTY_AMBIGUOUS, f"'{text}' could be {re.sub(r'[^0-9]', '', digits)} (with "
                                    f"'{sep}' grouping thousands) or a fraction, and nothing else in this file says "
                                    "which.", "Write the quantity without a separator (e.g. 1234).")
            raise _not_whole(text)     # the file writes decimals with this separator: 1.234 is a fraction
        number = int(sign + re.sub(r"\D", "", digits))
        if fraction is None or not fraction.strip("0"):
            return _checked(number)
        raise _not_whole(text)
    m = _DECIMAL.fullmatch(plain)
    if m:
        if not m.group(3).strip("0"):
            return _checked(int(m.group(1) + m.group(2)))
        raise _not_whole(text)
    lowered = " ".join(plain.lower().split())
    if lowered in ("infinite", "infinity", "unlimited", "∞"):
        if allow_infinite:
            return INFINITE
        raise QuantityError(issues.UNSUPPORTED, f"'{text}' (infinite stock) is not supported by this store.",
                            "Enter a number.")
    if lowered in ("not tracked", "not-tracked", "not_tracked", "nottracked", "untracked"):
        if allow_not_stocked:
            return NOT_TRACKED
        raise QuantityError(issues.QTY_NOT_INTEGER, f"'{text}' can't be used in this column.",
                            "Enter a number, or delete the row to leave this stock unchanged.")
    if lowered in ("not stocked", "not-stocked", "notstocked"):
        if allow_not_stocked:
            return None
        raise QuantityError(issues.QTY_NOT_INTEGER, f"'{text}' can't be used in this column.",
                            "Enter a number, or delete the row to leave this stock unchanged.")
    if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+", plain):
        raise QuantityError(issues.QTY_NOT_INTEGER, f"'{text}' is a number in scientific notation, not a quantity.",
                            "Check that this column holds quantities, not ids or barcodes.")
    raise QuantityError(issues.QTY_NOT_INTEGER, f"'{text}' is not a number.", _HINT_WHOLE)
