"""Cell values on their way in and out: cleaning what readers return, spotting spreadsheet error
literals, and neutralising strings a spreadsheet would run as formulas.

Formula injection (CSV/spreadsheet injection): a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return may be evaluated when a report is opened. We never change numbers, nor a
string that is just a number (``"-5"`` is a legal stock delta). In CSV a dangerous string gets a
leading ``'``; the readers remove it again so our own files round-trip (the workbook reader too:
a spreadsheet that opened our CSV keeps the ``'`` as text). XLSX files keep the text unchanged but
store it as an explicit string cell (see ``writer``; stock reports add Excel's quote prefix).
"""
from __future__ import annotations

import operator
import re
from typing import Any, Sequence

from desktop_app.core.models import CellError

#: The error values Excel and LibreOffice show in a cell. A CSV exported from a sheet with a
#: broken lookup contains these as text; a workbook stores them as error cells.
ERROR_LITERALS: frozenset[str] = frozenset({
    "#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "Err:502",
    "Err:504", "Err:508", "Err:511", "Err:522",
})

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: one or more of our quote prefixes followed by a formula trigger
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_QUOTED = operator.methodcaller("startswith", "'")


def is_formula_like(value: Any) -> bool:
    """True for a *string* a spreadsheet could evaluate; numbers and numeric strings are safe."""
    if type(value) is not str or not value:
        return False
    text = value.lstrip("'")
    if not text.startswith(_FORMULA_START):
        return False
    return _NUMBER.fullmatch(text) is None


def neutralise(value: Any) -> Any:
    """The CSV form of ``value``: dangerous strings get a leading ``'``, everything else as is.

    Strings that already start with quotes before a trigger (``'=x``) get one more quote, so
    the reader's single-quote removal gives back exactly the original text.
    """
    if is_formula_like(value):
        return "'" + value
    return value


def clean_text(value: str) -> Any:
    """A CSV/TSV cell as read: stripped, ``None`` when blank, neutralisation reversed, error
    literals as ``CellError``."""
    text = value.strip()
    if not text:
        return None
    first = text[0]
    if first == "'" and _NEUTRALISED.match(text):
        return text[1:]
    if (first == "#" or first == "E") and text in ERROR_LITERALS:
        return CellError(text)
    return text


def clean_book_value(value: Any) -> Any:
    """A workbook cell as returned by calamine: whole floats become ints (``319.0`` → 319, and
    Excel-damaged ids such as ``1.23457E+12`` keep their digits), blank text becomes ``None``,
    error literals become ``CellError``, our CSV neutralisation is reversed (a spreadsheet that
    opened one of our CSVs keeps ``'=SUM(A1)`` as text); dates, booleans and other numbers pass
    through."""
    kind = type(value)
    if kind is str:
        if not value:
            return None
        text = value.strip()
        if not text:
            return None
        first = text[0]
        if (first == "#" or first == "E") and text in ERROR_LITERALS:
            return CellError(text)
        if first == "'" and _NEUTRALISED.match(text):
            return text[1:]
        return text
    if kind is float:
        if value.is_integer():
            return int(value)
        return value
    return value


def clean_book_column(values: Sequence[Any]) -> Sequence[Any]:
    """``[clean_book_value(v) for v in values]``, a whole column at a time.

    Columns of one type (all text, all numbers: nearly every column of a stock sheet) are
    cleaned by C-level ``map`` calls; any other column, or a text column holding an error
    literal, goes cell by cell."""
    kinds = set(map(type, values))
    if kinds == {str}:
        texts = list(map(str.strip, values))
        if ERROR_LITERALS.isdisjoint(texts) and not any(map(_QUOTED, texts)):
            if "" in texts:
                return [text or None for text in texts]
            return texts
    elif kinds == {float}:
        if all(map(float.is_integer, values)):
            return list(map(int, values))
    return list(map(clean_book_value, values))


def header_text(value: Any) -> str:
    """A header cell as the column's name: text, numbers without a trailing ``.0``, blank → ``""``."""
    if value is None:
        return ""
    text = str(value)
    return text.replace("\ufeff", "").strip() if "\ufeff" in text else text  # a BOM pasted into a header
