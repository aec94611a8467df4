"""Resolution: keys and locations matched to the catalogue, Excel damage repaired or reported,
duplicates settled by policy."""
from __future__ import annotations

import pytest

from desktop_app.core import issues
from desktop_app.core.models import Catalog, KeyKind, Location, Mode, StockRow, Variant
from desktop_app.core.resolve import DuplicatePolicy, resolve


def stock(row, key, location="Main Warehouse", quantity=1, *, kind=KeyKind.SKU, mode=Mode.SET, column="Qty",
          alt=None, seen=None):
    return StockRow(row=row, column=column, key=key, key_kind=kind, key_column=str(kind), location_ref=location,
                    location_column="Location" if location is not None else None, mode=mode, quantity=quantity,
                    seen=seen, alt_keys=alt or {})


def one(rows, catalog, **kw):
    targets, found = resolve(rows, catalog, **kw)
    return targets, found


def with_variants(catalog, *variants):
    return Catalog(locations=catalog.locations, variants=list(catalog.variants) + list(variants))


# --- identity ---------------------------------------------------------------------------------

def test_sku_barcode_variant_id_and_external_id_each_find_their_variant(catalog, known):
    rows = [stock(2, "TS-RED-S"), stock(3, "4006381333931", kind=KeyKind.BARCODE),
            stock(4, "1003", kind=KeyKind.VARIANT_ID), stock(5, "EXT-77", kind=KeyKind.EXTERNAL_ID, location="Lyon"),
            stock(6, "EXT-77", kind=KeyKind.VARIANT_ID, location="Berlin Store")]
    targets, found = one(rows, catalog)
    assert found == []
    assert [(t.row, t.variant.id) for t in targets] == [(2, "1001"), (3, "1002"), (4, "1003"), (5, "1003"), (6, "1003")]
    assert all(t.repaired is None for t in targets)


def test_sku_matches_case_insensitively_when_unique(catalog):
    targets, found = one([stock(2, "ts-red-s", seen=4)], catalog)
    assert found == [] and targets[0].variant.sku == "TS-RED-S" and targets[0].seen == 4


def test_sku_differing_only_in_case_from_two_variants_is_ambiguous(catalog):
    cat = with_variants(catalog, Variant(id="9", product_id="P9", sku="ts-red-s"))
    targets, found = one([stock(2, "Ts-Red-S"), stock(3, "ts-red-s")], cat)
    assert [(i.row, i.code) for i in found] == [(2, issues.VARIANT_AMBIGUOUS)]
    assert [t.variant.id for t in targets] == ["9"]  # an exact match wins over case-folding


def test_sku_shared_by_two_variants_in_the_store_is_ambiguous(catalog):
    cat = with_variants(catalog, Variant(id="9", product_id="P9", sku="TS-RED-M", title="Old"))
    _, found = one([stock(2, "TS-RED-M")], cat)
    assert found[0].code == issues.VARIANT_AMBIGUOUS
    assert "belongs to 2 variants" in found[0].message and "--key" in found[0].hint


def test_unknown_sku_names_the_value_and_how_to_find_valid_ones(catalog):
    _, found = one([stock(7, "TS-RED-XL")], catalog)
    assert (found[0].row, found[0].column, found[0].code) == (7, "sku", issues.VARIANT_NOT_FOUND)
    assert found[0].message == "SKU 'TS-RED-XL' is not in the store."
    assert found[0].hint == "Check the spelling, or export the store's stock to see valid SKUs."


def test_unknown_key_falls_back_to_the_rows_other_identity_cells(catalog):
    targets, found = one([stock(2, "OLD-SKU", alt={KeyKind.BARCODE: "4006381333931"})], catalog)
    assert found == [] and targets[0].variant.id == "1002"
    assert targets[0].repaired == "SKU 'OLD-SKU' is not in the store; matched by barcode '4006381333931'"


def test_sku_and_barcode_naming_different_variants_is_a_conflict(catalog):
    targets, found = one([stock(2, "TS-RED-S", alt={KeyKind.BARCODE: "4006381333931"})], catalog)
    assert targets == [] and found[0].code == issues.KEY_CONFLICT
    assert found[0].message == ("SKU 'TS-RED-S' is Red / S (variant 1001), but barcode '4006381333931' is "
                                "Red / M (variant 1002).")


# --- Excel damage -----------------------------------------------------------------------------

def test_barcode_without_leading_zeros_is_repaired_when_one_matches(catalog):
    targets, found = one([stock(2, "12345678905", kind=KeyKind.BARCODE)], catalog)
    assert found == []
    assert targets[0].variant.id == "1001"
    assert targets[0].repaired == "barcode 12345678905 matched 0012345678905: Excel removed the leading zeros"


def test_barcode_without_leading_zeros_matching_two_barcodes_is_reported(catalog):
    cat = with_variants(catalog, Variant(id="9", product_id="P9", barcode="012345678905"))
    targets, found = one([stock(2, "12345678905", kind=KeyKind.BARCODE)], cat)
    assert targets == []
    assert found[0].code == issues.KEY_EXCEL_DAMAGED
    assert "looks like Excel removed its leading zeros" in found[0].message
    assert "(0012345678905, 012345678905)" in found[0].message
    assert found[0].hint.startswith("Format the column as Text before typing or pasting ids, or export as CSV")


def test_scientific_notation_barcode_is_repaired_when_one_matches(catalog):
    targets, found = one([stock(2, "4.00638E+12", kind=KeyKind.BARCODE)], catalog)
    assert found == [] and targets[0].variant.id == "1002"
    assert targets[0].repaired == ("barcode 4.00638E+12 matched 4006381333931: Excel showed the number in "
                                   "scientific notation")


def test_scientific_notation_that_fits_several_or_no_barcodes_is_reported(catalog):
    cat = with_variants(catalog, Variant(id="9", product_id="P9", barcode="4006379999999"))
    _, found = one([stock(2, "4.00638E+12", kind=KeyKind.BARCODE), stock(3, "9.9E+12", kind=KeyKind.BARCODE)], cat)
    assert [i.code for i in found] == [issues.KEY_EXCEL_DAMAGED, issues.KEY_EXCEL_DAMAGED]
    assert "Excel kept only 6 digits" in found[0].message and "fits 2 barcodes" in found[0].message
    assert "no barcode in the store fits it" in found[1].message


def test_id_rounded_past_15_digits_is_repaired_when_one_matches(catalog):
    cat = with_variants(catalog, Variant(id="604253696473177059", product_id="P9", sku="LONG"))
    targets, found = one([stock(2, "604253696473177000", kind=KeyKind.VARIANT_ID)], cat)
    assert found == [] and targets[0].variant.id == "604253696473177059"
    assert targets[0].repaired == ("variant id 604253696473177000 matched 604253696473177059: Excel keeps only 15 "
                                   "significant digits and replaced the rest with zeros")


def test_id_read_back_from_an_excel_float_is_repaired(catalog):
    """An XLSX stores the id as a double; the reader's int() of it has noise digits, not zeros."""
    cat = with_variants(catalog, Variant(id="604253696473177059", product_id="P9", sku="LONG"))
    targets, found = one([stock(2, str(int(604253696473177059.0)), kind=KeyKind.VARIANT_ID)], cat)
    assert found == [] and targets[0].variant.id == "604253696473177059"


def test_rounded_id_matching_two_ids_is_reported(catalog):
    cat = with_variants(catalog, Variant(id="604253696473177059", product_id="P9"),
                        Variant(id="604253696473177012", product_id="P9"))
    _, found = one([stock(2, "604253696473177000", kind=KeyKind.VARIANT_ID)], cat)
    assert found[0].code == issues.KEY_EXCEL_DAMAGED
    assert "more than 15 digits, and Excel keeps only the first 15" in found[0].message and "fits 2 variant ids" in found[0].message


def test_number_with_a_spreadsheet_added_decimal_is_repaired(catalog):
    targets, found = one([stock(2, "4006381333931.0", kind=KeyKind.BARCODE)], catalog)
    assert found == [] and targets[0].variant.id == "1002"
    assert "the spreadsheet added '.0'" in targets[0].repaired


def test_short_codes_in_e_notation_are_not_taken_for_excel_damage(catalog):
    cat = with_variants(catalog, Variant(id="9", product_id="P9", sku="2000"))
    _, found = one([stock(2, "2E3")], cat)
    assert found[0].code == issues.VARIANT_NOT_FOUND


# --- conflicts on repaired values -------------------------------------------------------------

NUMERIC_SKU = Variant(id="2001", product_id="P20", sku="123", barcode="4006381339999", title="Numeric SKU")
ZEROS_BARCODE = Variant(id="2002", product_id="P21", sku="OTHER-1", barcode="01234567890", title="Zeros barcode")


def test_a_numeric_sku_and_a_barcode_that_lost_its_zeros_naming_another_variant_is_a_conflict(catalog):
    """SKU 123 and barcode 1234567890 as number cells: the barcode is 01234567890 without its
    leading zeros, another variant's, so the row contradicts itself as it does with text cells."""
    cat = with_variants(catalog, NUMERIC_SKU, ZEROS_BARCODE)
    targets, found = one([stock(2, "123", alt={KeyKind.BARCODE: "1234567890"})], cat)
    assert targets == [] and [(i.row, i.code, i.column) for i in found] == [(2, issues.KEY_CONFLICT, "sku")]
    assert found[0].message == ("SKU '123' is Numeric SKU (variant 2001), but barcode '1234567890' "
                                "(01234567890: Excel removed the leading zeros) is Zeros barcode (variant 2002).")


def test_a_damaged_identity_cell_that_repairs_to_the_keys_own_variant_is_no_conflict(catalog):
    cat = with_variants(catalog, NUMERIC_SKU, Variant(id="2003", product_id="P22", sku="124", barcode="0987654321"))
    targets, found = one([stock(2, "124", alt={KeyKind.BARCODE: "987654321"})], cat)
    assert found == [] and targets[0].variant.id == "2003"


def test_a_repaired_key_checks_its_other_identity_cells_after_repair_too(catalog):
    """The key itself repaired (barcode without zeros) and a variant id rounded by Excel naming
    another variant: a conflict, not a write to the key's variant."""
    long_id = Variant(id="604253696473177059", product_id="P9", sku="LONG")
    cat = with_variants(catalog, long_id)
    targets, found = one([stock(2, "12345678905", kind=KeyKind.BARCODE,
                                alt={KeyKind.VARIANT_ID: "604253696473177000"})], cat)
    assert targets == [] and found[0].code == issues.KEY_CONFLICT
    assert found[0].message == ("Barcode '12345678905' is Red / S (variant 1001), but variant id "
                                "'604253696473177000' (604253696473177059: Excel keeps only 15 significant digits "
                                "and replaced the rest with zeros) is variant 604253696473177059.")


def test_a_damaged_identity_cell_fitting_several_other_variants_is_a_conflict(catalog):
    cat = with_variants(catalog, NUMERIC_SKU, ZEROS_BARCODE,
                        Variant(id="2004", product_id="P23", barcode="001234567890", title="More zeros"))
    targets, found = one([stock(2, "123", alt={KeyKind.BARCODE: "1234567890"})], cat)
    assert targets == [] and found[0].code == issues.KEY_CONFLICT
    assert found[0].message.endswith("but barcode '1234567890' (Excel removed the leading zeros) fits 2 other "
                                     "variants: SKU 'OTHER-1' (Zeros barcode), barcode '001234567890' (More zeros).")


def test_a_key_whose_repairs_all_name_other_variants_than_the_cell_it_fell_back_on_is_a_conflict(catalog):
    """SKU 1234567890 is no SKU, but fits two zero-led SKUs; the barcode names a third variant."""
    cat = with_variants(catalog, Variant(id="2005", product_id="P24", sku="01234567890", title="Zero one"),
                        Variant(id="2006", product_id="P24", sku="001234567890", title="Zero two"))
    targets, found = one([stock(2, "1234567890", alt={KeyKind.BARCODE: "4006381333931"})], cat)
    assert targets == [] and found[0].code == issues.KEY_CONFLICT
    assert found[0].message.startswith("Barcode '4006381333931' is Red / M (variant 1002), but SKU '1234567890' "
                                       "(Excel removed the leading zeros) fits 2 other variants")


def test_a_key_matched_through_another_cell_is_checked_against_the_remaining_cells(catalog):
    """SKU not in the store, barcode naming Red / M, variant id naming Blue / S: no silent pick."""
    rows = [stock(2, "OLD-SKU", alt={KeyKind.BARCODE: "4006381333931", KeyKind.VARIANT_ID: "1003"})]
    targets, found = one(rows, catalog)
    assert targets == [] and found[0].code == issues.KEY_CONFLICT
    assert found[0].message == ("Barcode '4006381333931' is Red / M (variant 1002), but variant id '1003' is "
                                "Blue / S (variant 1003).")


# --- locations --------------------------------------------------------------------------------

def test_location_by_id_by_name_ignoring_case_and_spaces_and_by_alias(catalog):
    rows = [stock(2, "TS-RED-S", "loc-3"), stock(3, "TS-RED-M", "  berlin   STORE "),
            stock(4, "TS-BLUE-S", "Lager Nord")]
    targets, found = one(rows, catalog, location_aliases={"lager nord": "loc-1"})
    assert found == []
    assert [t.location.id for t in targets] == ["loc-3", "loc-2", "loc-1"]


def test_unknown_location_lists_the_store_locations(catalog):
    _, found = one([stock(2, "TS-RED-S", "Paris")], catalog)
    assert (found[0].code, found[0].column) == (issues.LOCATION_NOT_FOUND, "Location")
    assert found[0].message == ("Location 'Paris' is not in the store. Its locations are: Main Warehouse, "
                                "Berlin Store, Lyon.")
    assert "--location 'Paris=" in found[0].hint


def test_row_without_location_goes_to_the_chosen_or_the_default_location(catalog):
    targets, found = one([stock(2, "TS-RED-S", None)], catalog)
    assert found == [] and targets[0].location.id == "loc-1"  # the store's default
    targets, _ = one([stock(2, "TS-RED-S", None)], catalog, default_location="loc-3")
    assert targets[0].location.id == "loc-3"


def test_row_without_location_in_a_store_without_default_is_an_issue(catalog):
    cat = Catalog(locations=[Location("a", "A"), Location("b", "B")], variants=catalog.variants)
    _, found = one([stock(2, "TS-RED-S", None)], cat)
    assert found[0].code == issues.LOCATION_MISSING and "several (A, B)" in found[0].message


def test_two_locations_with_the_same_name_are_ambiguous(catalog):
    cat = Catalog(locations=[Location("a", "Shop"), Location("b", "shop")], variants=catalog.variants)
    targets, found = one([stock(2, "TS-RED-S", "SHOP"), stock(3, "TS-RED-M", "b")], cat)
    assert [(i.row, i.code) for i in found] == [(2, issues.LOCATION_AMBIGUOUS)]
    assert [t.location.id for t in targets] == ["b"]


def test_a_wide_row_with_one_bad_location_yields_no_targets_at_all(catalog):
    rows = [stock(2, "TS-RED-S", "Main Warehouse", column="Available: Main Warehouse"),
            stock(2, "TS-RED-S", "Atlantis", column="Available: Atlantis"), stock(3, "TS-RED-M")]
    targets, found = one(rows, catalog)
    assert [t.row for t in targets] == [3]
    assert [(i.row, i.column) for i in found] == [(2, "Location")]


def test_a_wide_rows_unknown_key_is_reported_once_not_per_location_column(catalog):
    rows = [stock(2, "NOPE", "Main Warehouse", column="Main Warehouse"), stock(2, "NOPE", "Lyon", column="Lyon")]
    targets, found = one(rows, catalog)
    assert targets == [] and [(i.row, i.code) for i in found] == [(2, issues.VARIANT_NOT_FOUND)]


# --- duplicates -------------------------------------------------------------------------------

def test_duplicate_variant_location_rows_are_all_invalid_by_default(catalog):
    rows = [stock(2, "TS-RED-S"), stock(3, "TS-RED-M"), stock(57, "ts-red-s"), stock(80, "TS-RED-S")]
    targets, found = one(rows, catalog)
    assert [t.row for t in targets] == [3]
    assert [(i.row, i.code) for i in found] == [(2, issues.DUPLICATE), (57, issues.DUPLICATE), (80, issues.DUPLICATE)]
    assert found[0].message == "SKU 'TS-RED-S' at Main Warehouse is also in rows 57 and 80."
    assert found[1].message.endswith("is also in rows 2 and 80.")
    assert "--duplicates last" in found[0].hint


def test_same_variant_at_different_locations_is_not_a_duplicate(catalog):
    targets, found = one([stock(2, "TS-RED-S"), stock(3, "TS-RED-S", "Lyon")], catalog)
    assert found == [] and len(targets) == 2


def test_duplicates_last_keeps_the_last_row_and_notes_the_earlier_one(catalog):
    rows = [stock(2, "TS-RED-S", quantity=4), stock(57, "TS-RED-S", quantity=9)]
    targets, found = one(rows, catalog, duplicates=DuplicatePolicy.LAST)
    assert [(t.row, t.quantity) for t in targets] == [(57, 9)]
    assert [(i.row, i.code) for i in found] == [(2, issues.DUPLICATE_SUPERSEDED)]
    assert issues.DUPLICATE_SUPERSEDED in issues.NOTICES
    assert "also in row 57, which replaces this one" in found[0].message


def test_duplicates_sum_adds_adjustments_into_the_last_row(catalog):
    rows = [stock(2, "TS-RED-S", quantity=3, mode=Mode.ADJUST), stock(5, "TS-RED-S", quantity=-1, mode=Mode.ADJUST),
            stock(9, "TS-RED-S", quantity=5, mode=Mode.ADJUST)]
    targets, found = one(rows, catalog, duplicates=DuplicatePolicy.SUM)
    assert [(t.row, t.mode, t.quantity) for t in targets] == [(9, Mode.ADJUST, 7)]
    assert [(i.row, i.code) for i in found] == [(2, issues.DUPLICATE_MERGED), (5, issues.DUPLICATE_MERGED)]
    assert "(+3) is added to the one in row 9, +7 in all" in found[0].message


def test_duplicates_sum_still_refuses_set_rows(catalog):
    rows = [stock(2, "TS-RED-S", quantity=3), stock(5, "TS-RED-S", quantity=1, mode=Mode.ADJUST)]
    targets, found = one(rows, catalog, duplicates=DuplicatePolicy.SUM)
    assert targets == [] and [i.code for i in found] == [issues.DUPLICATE, issues.DUPLICATE]
    assert "Set rows can't be added up" in found[0].hint


def test_the_same_location_twice_on_one_wide_row_names_the_other_column(catalog):
    rows = [stock(2, "TS-RED-S", "Lyon", column="Lyon"), stock(2, "TS-RED-S", "loc-3", column="Available: loc-3")]
    _, found = one(rows, catalog)
    assert found[0].message == "SKU 'TS-RED-S' at Lyon is also in column 'Available: loc-3' of this row."


@pytest.mark.parametrize("policy", list(DuplicatePolicy))
def test_duplicate_policies_leave_unique_rows_alone(catalog, policy):
    targets, found = one([stock(2, "TS-RED-S"), stock(3, "TS-RED-M")], catalog, duplicates=policy)
    assert found == [] and [t.row for t in targets] == [2, 3]
