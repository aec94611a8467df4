"""Which columns count stock *on hand* (committed stock included) rather than *available* stock.

Shopify's inventory export and Matrixify's sheets say "On hand"; Genstore's docs define available
as on hand minus committed (api-docs 001). The mapping keeps such columns as quantities; the
engine, which knows the store's committed stock, turns their targets into available ones."""
from __future__ import annotations

import pytest

from desktop_app.core.columns import counts_on_hand, on_hand_columns
from desktop_app.core.mapping import Role, detect_mapping
from desktop_app.core.models import Mode

SHOPIFY_EXPORT = ("Handle,Title,Option1 Name,Option1 Value,SKU,HS Code,COO,Location,Bin name,"
                  "Incoming (not editable),Unavailable (not editable),Committed (not editable),"
                  "Available (not editable),On hand (current),On hand (new)").split(",")


def listed(mapping):
    return [(c.header, c.role, c.mode) for c in on_hand_columns(mapping)]


@pytest.mark.parametrize("header", ["On hand (new)", "On hand (current)", "On hand", "ON HAND", "OnHand",
                                    "Quantity on hand", "Qty on hand", "Stock on hand", "New on hand",
                                    "Inventory On Hand: Main Warehouse", "Inventory On Hand Adjust: Main Warehouse",
                                    "On hand: Berlin"])
def test_headers_that_say_on_hand_count_on_hand_stock(header):
    assert counts_on_hand(header)


@pytest.mark.parametrize("header", ["Available", "Available (not editable)", "Qty", "Stock", "Bestand",
                                    "Inventory Available: Main Warehouse", "Committed (not editable)",
                                    "Handle", "Hand cream", ""])
def test_other_headers_do_not(header):
    assert not counts_on_hand(header)


def test_shopify_export_on_hand_new_target_and_on_hand_current_seen_both_count_on_hand():
    m = detect_mapping(SHOPIFY_EXPORT)
    assert listed(m) == [("On hand (current)", Role.SEEN, None), ("On hand (new)", Role.QUANTITY, Mode.SET)]


def test_shopify_all_quantities_export_on_hand_column_counts_on_hand():
    m = detect_mapping(["Handle", "SKU", "Location", "Available", "Committed", "On hand", "Incoming"])
    assert listed(m) == [("On hand", Role.QUANTITY, Mode.SET)]


def test_matrixify_on_hand_is_listed_only_when_it_is_the_column_in_use():
    with_available = detect_mapping(["Variant SKU", "Inventory Available: Main Warehouse",
                                     "Inventory On Hand: Main Warehouse"])
    alone = detect_mapping(["Variant SKU", "Inventory On Hand: Main Warehouse"])
    assert listed(with_available) == []
    assert listed(alone) == [("Inventory On Hand: Main Warehouse", Role.QUANTITY, Mode.SET)]


def test_adjust_columns_are_not_listed_a_change_to_on_hand_is_the_same_change_to_available():
    m = detect_mapping(["Variant SKU", "Inventory On Hand Adjust: Main Warehouse"])
    assert [c.header for c in m.quantity_columns()] == ["Inventory On Hand Adjust: Main Warehouse"]
    assert listed(m) == []


def test_available_sheets_and_our_own_export_have_no_on_hand_column():
    assert listed(detect_mapping(["Product", "Variant", "SKU", "Barcode", "Variant ID", "Location", "Available"])) == []
    assert listed(detect_mapping(["SKU", "Location", "Qty"])) == []
    assert listed(detect_mapping(["SKU", "Main Warehouse", "Outlet Store"],
                                 location_names=["Main Warehouse", "Outlet Store"])) == []


def test_the_header_decides_however_the_column_was_mapped():
    # a saved profile maps every column explicitly ("On hand (new)" → "available"): the column still
    # counts on hand; a header that does not say so is available stock whatever it is mapped to
    m = detect_mapping(["SKU", "Location", "On hand (new)", "Bestand"],
                       overrides={"On hand (new)": "available", "Bestand": "info"})
    assert listed(m) == [("On hand (new)", Role.QUANTITY, Mode.SET)]
    m = detect_mapping(["SKU", "Location", "Menge"], overrides={"Menge": "available"})
    assert listed(m) == []
