"""Location names in every script: matching folds case, width and accents, never a whole script,
and a name that folds to nothing matches nothing."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core import issues
from desktop_app.core.mapping import normalise
from desktop_app.core.models import Catalog, KeyKind, Location, Mode, StockRow, Variant
from desktop_app.core.resolve import resolve

SHANGHAI = Location("loc-sh", "上海仓")
KAZAN = Location("loc-kz", "Склад Казань")
MAIN = Location("loc-main", "Main Warehouse", default=True)
TEE = Variant(id="1", product_id="P1", sku="TEE")


def stock(row: int, location: str | None, *, sku: str = "TEE") -> StockRow:
    return StockRow(row=row, column="Qty", key=sku, key_kind=KeyKind.SKU, key_column="SKU", location_ref=location,
                    location_column="Location", mode=Mode.SET, quantity=5)


def located(refs: list[str], locations: list[Location]) -> tuple[list[str | None], list[str]]:
    """(location id per row or None, issue codes) for one row per ref."""
    targets, found = resolve([stock(i + 2, ref) for i, ref in enumerate(refs)],
                             Catalog(locations=locations, variants=[TEE]))
    by_row = {t.row: t.location.id for t in targets}
    return [by_row.get(i + 2) for i in range(len(refs))], [i.code for i in found]


@pytest.mark.parametrize("name", ["上海仓", "Склад Казань", "—", "倉庫 №2", "مستودع", "Αποθήκη", "#"])
def test_a_name_outside_ascii_keeps_its_letters(name):
    assert normalise(name) != ""


@pytest.mark.parametrize("written, store", [
    ("склад казань", "Склад Казань"),          # case, Cyrillic
    ("ΑΠΟΘΗΚΗ", "Αποθήκη"),                    # case and accent, Greek
    ("Lager Ｎｏｒｄ", "Lager Nord"),           # full width
    ("Koeln", "Koeln"), ("Köln", "Koln"),      # accents
    ("Straße", "STRASSE"),                     # case folding, not lower()
    ("Cafe\u0301", "Café"),                    # a combining accent typed separately
])
def test_names_equal_up_to_case_width_and_accents_match(written, store):
    assert normalise(written) == normalise(store)


@pytest.mark.parametrize("a, b", [("上海仓", "北京仓"), ("Склад Казань", "Склад Москва"), ("ガ", "カ"), ("—", "上海仓")])
def test_different_names_in_one_script_stay_different(a, b):
    assert normalise(a) != normalise(b)


def test_a_row_naming_a_non_latin_location_goes_to_that_location():
    ids, codes = located(["上海仓", "склад казань"], [MAIN, SHANGHAI, KAZAN])
    assert codes == [] and ids == ["loc-sh", "loc-kz"]
    assert located(["  Склад   Казань "], [MAIN, SHANGHAI, KAZAN]) == (["loc-kz"], [])


def test_a_non_latin_name_the_store_lacks_is_not_found_not_sent_to_another_non_latin_location():
    ids, codes = located(["北京仓", "Склад Москва", "—"], [MAIN, SHANGHAI])
    assert ids == [None, None, None]
    assert codes == [issues.LOCATION_NOT_FOUND] * 3


def test_a_name_of_separators_only_matches_only_the_same_separators():
    dash = Location("loc-dash", "-")
    ids, codes = located([".", "#", "—", " - "], [MAIN, dash])
    assert ids == [None, None, None, "loc-dash"]
    assert codes == [issues.LOCATION_NOT_FOUND] * 3


def test_a_blank_name_normalises_to_nothing_and_matches_no_location_and_no_alias():
    assert normalise(" \u200b\t ") == "" and normalise(None) == ""
    blank = Location("loc-blank", " ")
    targets, found = resolve([stock(2, "\u200b"), stock(3, "\ufeff")],
                             Catalog(locations=[MAIN, blank], variants=[TEE]), location_aliases={" ": "loc-main"})
    assert targets == [] and [i.code for i in found] == [issues.LOCATION_NOT_FOUND] * 2


def test_a_location_id_still_matches_exactly_whatever_it_normalises_to():
    blank = Location("-", "Dash")
    ids, codes = located(["-"], [MAIN, blank])
    assert codes == [] and ids == ["-"]


def test_of_two_locations_folding_alike_the_one_spelled_exactly_is_taken():
    koeln, koln = Location("a", "Köln"), Location("b", "Koln")
    ids, codes = located(["Köln", "Koln", "KÖLN"], [koeln, koln])
    assert ids == ["a", "b", None] and codes == [issues.LOCATION_AMBIGUOUS]


# --- properties --------------------------------------------------------------------------------

_LETTER = st.characters(categories=("Lu", "Ll", "Lt", "Lo", "Nd"))
_NAME = st.text(st.one_of(_LETTER, st.sampled_from(" -_./#—–·'")), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(_NAME)
def test_normalising_is_idempotent(name):
    assert normalise(normalise(name)) == normalise(name)


@settings(max_examples=300, deadline=None)
@given(st.text(_LETTER, min_size=1, max_size=8))
def test_a_name_with_a_letter_or_digit_never_normalises_to_nothing(name):
    assert normalise(name) != ""


@settings(max_examples=200, deadline=None)
@given(st.lists(_NAME.map(str.strip), min_size=1, max_size=5, unique=True))
def test_a_store_reimports_its_own_location_names(names):
    """Each store location, named as the store spells it, resolves to itself (of names that fold
    alike, the exact spelling decides); a name that folds to nothing goes nowhere."""
    locations = [Location(f"id-{i}", name) for i, name in enumerate(names)]
    ids, _ = located(names, locations)
    for i, (name, got) in enumerate(zip(names, ids)):
        if normalise(name):
            assert got == f"id-{i}", name
        else:
            assert got is None, name


@settings(max_examples=300, deadline=None)
@given(_NAME, _NAME)
def test_a_ref_only_matches_a_location_whose_name_folds_alike(ref, name):
    ids, _ = located([ref], [Location("loc-x", name)])
    if ids[0] is not None:
        assert normalise(ref) == normalise(name) != ""


@settings(max_examples=300, deadline=None)
@given(st.text(_LETTER, min_size=1, max_size=8))
def test_accents_added_to_a_name_fold_away(name):
    accented = "".join(ch + "\u0301" for ch in name)
    assert normalise(accented) == normalise(name)
