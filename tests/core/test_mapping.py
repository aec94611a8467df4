"""Column detection: layouts, synonyms, overrides, fuzzy matches and the errors a user sees."""
from __future__ import annotations

import pytest

from desktop_app.core.errors import MappingError
from desktop_app.core.mapping import Layout, Role, detect_mapping, header_score, parse_override
from desktop_app.core.models import Mode

SHOPIFY_EXPORT = ("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,"
                  "SKU,HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),"
                  "Committed (not editable),Available (not editable),On hand (current),On hand (new)").split(",")

MATRIXIFY_EXPORT = ["ID", "Handle", "Command", "Title", "Variant ID", "Variant Command", "Option1 Name",
                    "Option1 Value", "Variant SKU", "Variant Barcode", "Variant Inventory Qty",
                    "Inventory Available: Main Warehouse", "Inventory Available Adjust: Main Warehouse",
                    "Inventory On Hand: Main Warehouse", "Inventory Committed: Main Warehouse",
                    "Inventory Available: Berlin Store", "Inventory Available Adjust: Berlin Store"]


def roles(mapping):
    return {c.header: (c.role, c.mode, c.location) for c in mapping.columns}


def test_shopify_inventory_export_sets_on_hand_new_and_checks_on_hand_current():
    m = detect_mapping(SHOPIFY_EXPORT)
    r = roles(m)
    assert m.layout is Layout.SHOPIFY
    assert r["On hand (new)"] == (Role.QUANTITY, Mode.SET, None)
    assert r["On hand (current)"][0] is Role.SEEN
    assert r["SKU"][0] is Role.SKU and r["Location"][0] is Role.LOCATION
    for info in ("Bin name", "HS Code", "COO", "Available (not editable)", "Committed (not editable)",
                 "Incoming (not editable)", "Unavailable (not editable)", "Handle", "Option1 Value"):
        assert r[info][0] is Role.INFO, info
    assert [c.header for c in m.quantity_columns()] == ["On hand (new)"]
    assert m.warnings == []


def test_older_shopify_export_with_editable_available_column_is_a_shopify_sheet():
    headers = ["Handle", "Title", "Option1 Name", "Option1 Value", "SKU", "HS Code", "COO", "Location", "Available"]
    m = detect_mapping(headers)
    assert m.layout is Layout.SHOPIFY
    assert roles(m)["Available"] == (Role.QUANTITY, Mode.SET, None)


def test_shopify_all_quantities_export_writes_on_hand_not_available():
    m = detect_mapping(["Handle", "SKU", "Location", "Available", "Committed", "On hand", "Incoming"])
    assert [c.header for c in m.quantity_columns()] == ["On hand"]
    assert roles(m)["Available"][0] is Role.INFO
    assert any("'On hand'" in w for w in m.warnings)


def test_matrixify_products_sheet_has_set_and_adjust_per_location_and_keys():
    m = detect_mapping(MATRIXIFY_EXPORT)
    r = roles(m)
    assert m.layout is Layout.MATRIXIFY
    assert r["Inventory Available: Main Warehouse"] == (Role.QUANTITY, Mode.SET, "Main Warehouse")
    assert r["Inventory Available Adjust: Berlin Store"] == (Role.QUANTITY, Mode.ADJUST, "Berlin Store")
    assert r["Inventory On Hand: Main Warehouse"][0] is Role.INFO
    assert r["Inventory Committed: Main Warehouse"][0] is Role.INFO
    assert r["Variant Inventory Qty"][0] is Role.INFO          # per-location columns win
    assert r["Variant ID"][0] is Role.VARIANT_ID and r["ID"][0] is Role.INFO  # "ID" is Matrixify's product id
    assert [c.role for c in m.key_columns()] == [Role.SKU, Role.BARCODE, Role.VARIANT_ID]
    assert m.warnings == []


def test_matrixify_single_location_qty_column_is_a_long_quantity():
    m = detect_mapping(["Variant SKU", "Variant Inventory Adjust"])
    assert m.layout is Layout.MATRIXIFY
    assert roles(m)["Variant Inventory Adjust"] == (Role.QUANTITY, Mode.ADJUST, None)


def test_wide_sheet_by_store_location_names():
    m = detect_mapping(["SKU", "Main Warehouse", "berlin  store", "Price"],
                       location_names=["Main Warehouse", "Berlin Store"])
    r = roles(m)
    assert m.layout is Layout.WIDE
    assert r["Main Warehouse"] == (Role.QUANTITY, Mode.SET, "Main Warehouse")
    assert r["berlin  store"] == (Role.QUANTITY, Mode.SET, "berlin  store")
    assert r["Price"][0] is Role.INFO


def test_wide_sheet_by_prefixed_headers_reads_set_and_adjust():
    m = detect_mapping(["SKU", "Available: Lyon", "Available Berlin", "Adjust: Lyon"])
    r = roles(m)
    assert m.layout is Layout.WIDE
    assert r["Available: Lyon"] == (Role.QUANTITY, Mode.SET, "Lyon")
    assert r["Available Berlin"] == (Role.QUANTITY, Mode.SET, "Berlin")
    assert r["Adjust: Lyon"] == (Role.QUANTITY, Mode.ADJUST, "Lyon")


def test_wide_sheet_with_location_names_outside_ascii_keeps_a_column_per_location():
    """Two non-Latin location names are two locations, not one empty name: no column dropped."""
    m = detect_mapping(["SKU", "上海仓", "Склад Казань", "Available: 北京仓", "Adjust: Склад Казань"],
                       location_names=["上海仓", "Склад Казань", "北京仓"])
    r = roles(m)
    assert m.layout is Layout.WIDE and m.warnings == []
    assert r["上海仓"] == (Role.QUANTITY, Mode.SET, "上海仓")
    assert r["Склад Казань"] == (Role.QUANTITY, Mode.SET, "Склад Казань")
    assert r["Available: 北京仓"] == (Role.QUANTITY, Mode.SET, "北京仓")
    assert r["Adjust: Склад Казань"] == (Role.QUANTITY, Mode.ADJUST, "Склад Казань")


def test_a_header_outside_ascii_is_not_taken_for_a_store_location_it_is_not():
    m = detect_mapping(["SKU", "Location", "Available", "备注"], location_names=["上海仓"])
    assert m.layout is Layout.LONG and roles(m)["备注"][0] is Role.INFO


def test_wide_sheet_column_named_like_a_role_word_becomes_a_location_column():
    m = detect_mapping(["SKU", "Warehouse", "Shop floor"], location_names=["Warehouse", "Shop floor"])
    assert roles(m)["Warehouse"] == (Role.QUANTITY, Mode.SET, "Warehouse")
    assert m.layout is Layout.WIDE


def test_long_sheet_with_set_and_adjust_columns_keeps_both():
    m = detect_mapping(["SKU", "Location", "Available", "Adjust"])
    assert m.layout is Layout.LONG
    assert [(c.header, c.mode) for c in m.quantity_columns()] == [("Available", Mode.SET), ("Adjust", Mode.ADJUST)]
    assert m.location_column().header == "Location"


@pytest.mark.parametrize("headers, expected", [
    (["Artikelnummer", "Lagerort", "Menge"], {"Artikelnummer": Role.SKU, "Lagerort": Role.LOCATION}),
    (["EAN", "Standort", "Bestand"], {"EAN": Role.BARCODE, "Standort": Role.LOCATION}),
    (["Référence", "Entrepôt", "Quantité"], {"Référence": Role.SKU, "Entrepôt": Role.LOCATION}),
    (["Código de barras", "Almacén", "Cantidad"], {"Código de barras": Role.BARCODE, "Almacén": Role.LOCATION}),
    (["Item code", "Warehouse", "Qty"], {"Item code": Role.SKU, "Warehouse": Role.LOCATION}),
    (["GTIN", "Store", "Stock"], {"GTIN": Role.BARCODE, "Store": Role.LOCATION}),
])
def test_common_headers_in_several_languages_are_recognised(headers, expected):
    m = detect_mapping(headers)
    r = roles(m)
    for header, role in expected.items():
        assert r[header][0] is role
    assert r[headers[2]][:2] == (Role.QUANTITY, Mode.SET)


@pytest.mark.parametrize("header", ["Delta", "Change", "Adjustment", "Ajuste"])
def test_adjust_synonyms_are_deltas(header):
    m = detect_mapping(["SKU", "Location", header])
    assert roles(m)[header][:2] == (Role.QUANTITY, Mode.ADJUST)


def test_own_error_report_columns_are_ignored_so_a_fixed_report_reimports():
    m = detect_mapping(["Row", "SKU", "Location", "Available", "Status", "Error", "Hint"])
    r = roles(m)
    assert {h for h, v in r.items() if v[0] is Role.IGNORE} == {"Row", "Status", "Error", "Hint"}
    assert m.layout is Layout.LONG


def test_fuzzy_header_is_used_with_lower_confidence_and_a_warning():
    m = detect_mapping(["SKUs", "Locaton", "Quantty"])
    cols = {c.header: c for c in m.columns}
    assert cols["Locaton"].role is Role.LOCATION and 0.8 <= cols["Locaton"].confidence < 1
    assert cols["Quantty"].role is Role.QUANTITY
    assert any("Locaton" in w and "--map 'Locaton=info'" in w for w in m.warnings)


def test_unknown_columns_are_info_with_zero_confidence():
    m = detect_mapping(["SKU", "Location", "Available", "Shelf colour code"])
    col = m.column("Shelf colour code")
    assert col.role is Role.INFO and col.confidence == 0


def test_exact_column_wins_over_a_fuzzy_one_of_the_same_role():
    m = detect_mapping(["Qty", "SKU", "Locaton", "Location"])
    assert m.location_column().header == "Location"
    assert roles(m)["Locaton"][0] is Role.INFO


def test_overrides_win_over_detection_and_accept_every_vocabulary_word():
    headers = ["Art", "Ort", "Soll", "Diff", "Gesehen", "Kennung", "Ext", "Bild", "Notiz"]
    overrides = {"Art": "sku", "Ort": "location", "Soll": "available", "Diff": "adjust", "Gesehen": "seen",
                 "Kennung": "variant-id", "Ext": "external-id", "Bild": "ignore", "Notiz": "info"}
    m = detect_mapping(headers, overrides=overrides)
    r = roles(m)
    assert r["Art"][0] is Role.SKU and r["Kennung"][0] is Role.VARIANT_ID and r["Ext"][0] is Role.EXTERNAL_ID
    assert r["Soll"][:2] == (Role.QUANTITY, Mode.SET) and r["Diff"][:2] == (Role.QUANTITY, Mode.ADJUST)
    assert r["Gesehen"][0] is Role.SEEN and r["Bild"][0] is Role.IGNORE and r["Notiz"][0] is Role.INFO
    assert m.to_overrides() == overrides


def test_override_can_turn_a_recognised_column_off_and_name_wide_locations():
    m = detect_mapping(["SKU", "Qty", "Berlin", "Lyon"],
                       overrides={"Qty": "ignore", "berlin": "available:Berlin Store", "Lyon": "adjust:Lyon"})
    r = roles(m)
    assert r["Qty"][0] is Role.IGNORE
    assert r["Berlin"] == (Role.QUANTITY, Mode.SET, "Berlin Store")
    assert r["Lyon"] == (Role.QUANTITY, Mode.ADJUST, "Lyon")
    assert m.layout is Layout.WIDE
    assert m.to_overrides()["Berlin"] == "available:Berlin Store"


def test_override_for_a_missing_column_is_a_warning():
    m = detect_mapping(["SKU", "Location", "Available"], overrides={"Menge": "available"}, source="stock.csv")
    assert m.warnings == ["The mapping names column 'Menge', which is not in the sheet in 'stock.csv'."]


def test_override_with_an_unknown_role_is_a_mapping_error():
    with pytest.raises(MappingError, match="column 'Menge' says 'amount', which is not a column role"):
        detect_mapping(["SKU", "Menge"], overrides={"Menge": "amount"})


def test_no_quantity_column_says_how_to_name_or_map_one():
    with pytest.raises(MappingError) as e:
        detect_mapping(["SKU", "Location", "Title"], source="stock.csv")
    assert str(e.value).startswith("No quantity column found in 'stock.csv'")
    assert "--map 'Header=available'" in str(e.value)


def test_no_identity_column_is_a_mapping_error_naming_the_columns():
    with pytest.raises(MappingError, match=r"No SKU, barcode or variant id column found in 'a.csv' \(its columns: "
                                           r"Location, Available\)"):
        detect_mapping(["Location", "Available"], source="a.csv")


@pytest.mark.parametrize("spec, expected", [
    ("Menge=available", ("Menge", "available")),
    (" Menge = adjust ", ("Menge", "adjust")),
    ("Lager Nord=available:Nord", ("Lager Nord", "available:Nord")),
    ("a=b=sku", ("a=b", "sku")),
    ("Qty=available:Loc=1", ("Qty", "available:Loc=1")),
    ("EAN=Variant_ID", ("EAN", "Variant_ID")),
])
def test_parse_override_splits_header_and_role(spec, expected):
    assert parse_override(spec) == expected


@pytest.mark.parametrize("spec, message", [
    ("Menge", "must look like 'Header=role'"),
    ("=sku", "names no column"),
    ("Menge=amount", "'amount' is not a column role. Use one of: sku, barcode"),
    ("Menge=sku:Berlin", "is not a column role"),
])
def test_parse_override_rejects_bad_specs_with_a_sentence(spec, message):
    with pytest.raises(MappingError, match=message):
        parse_override(spec)


def test_header_score_counts_recognised_names_only():
    assert header_score(["SKU", "Location", "Available", 12, None, "whatever"]) == 3
    assert header_score(["TS-RED-S", "Main", 5]) == 0


def test_wide_sheet_drops_a_single_seen_or_location_column_with_a_warning():
    m = detect_mapping(["SKU", "Location", "Current", "Available: Lyon", "Available: Main"])
    r = roles(m)
    assert r["Current"][0] is Role.INFO and r["Location"][0] is Role.INFO
    assert m.seen_column() is None and m.location_column() is None
    assert len(m.warnings) == 2
