"""Quantity cells: what is accepted as a whole number, and what is refused with which code."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from desktop_app.core import issues
from desktop_app.core.models import CellError
from desktop_app.core.quantities import QuantityError, parse_quantity


@pytest.mark.parametrize("value, expected", [
    (12, 12), (0, 0), (-4, -4), (319.0, 319), (-2.0, -2),
    ("12", 12), (" 12 ", 12), ("+5", 5), ("-3", -3), ("\u22127", -7), ("'-4", -4),
    ("1,234", 1234), ("1.234", 1234), ("1 234", 1234), ("1\u00a0234", 1234), ("1'234", 1234),
    ("1,234,567", 1234567), ("-1.234.567", -1234567), ("1.234,00", 1234), ("1,234.0", 1234),
    ("12.0", 12), ("12,00", 12), ("007", 7),
])
def test_whole_numbers_in_every_common_spelling_are_accepted(value, expected):
    assert parse_quantity(value) == expected


@pytest.mark.parametrize("value, code, words", [
    ("2.5", issues.QTY_NOT_INTEGER, "'2.5' is not a whole number"),
    (2.5, issues.QTY_NOT_INTEGER, "'2.5' is not a whole number"),
    ("1,5", issues.QTY_NOT_INTEGER, "not a whole number"),
    ("1,234.5", issues.QTY_NOT_INTEGER, "not a whole number"),
    ("twelve", issues.QTY_NOT_INTEGER, "'twelve' is not a number"),
    ("1,2,3", issues.QTY_NOT_INTEGER, "not a number"),
    (True, issues.QTY_NOT_INTEGER, "true/false"),
    (date(2024, 1, 2), issues.QTY_NOT_INTEGER, "date"),
    (datetime(2024, 1, 2, 3, 4), issues.QTY_NOT_INTEGER, "date"),
    (CellError("#N/A"), issues.QTY_ERROR_CELL, "spreadsheet error #N/A"),
    (float("nan"), issues.QTY_NOT_INTEGER, "not a number"),
    ("1.23457E+12", issues.QTY_NOT_INTEGER, "scientific notation"),
    (4006381333931, issues.QTY_OUT_OF_RANGE, "too large"),
    ("INFINITE", issues.UNSUPPORTED, "infinite"),
    ("not stocked", issues.QTY_NOT_INTEGER, "can't be used"),
])
def test_values_that_are_not_whole_quantities_are_refused_with_a_reason_and_hint(value, code, words):
    with pytest.raises(QuantityError) as e:
        parse_quantity(value)
    assert e.value.code == code
    assert words in e.value.message
    assert e.value.hint


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_cells_raise_qty_blank_for_the_caller_to_interpret(value):
    with pytest.raises(QuantityError) as e:
        parse_quantity(value)
    assert e.value.code == issues.QTY_BLANK


@pytest.mark.parametrize("value", ["INFINITE", "infinite", " Infinite "])
def test_infinite_is_accepted_only_when_the_platform_has_it(value):
    assert parse_quantity(value, allow_infinite=True) == "INFINITE"


@pytest.mark.parametrize("value", ["not stocked", "Not Stocked", "NOT  STOCKED"])
def test_not_stocked_is_none_when_allowed(value):
    assert parse_quantity(value, allow_not_stocked=True) is None
