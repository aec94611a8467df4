"""The review table model (filtering and sorting included), over small hand-made outcomes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPalette

from desktop_app.core.models import Catalog, Location, Variant
from desktop_app.core.results import RowOutcome, Status
from desktop_app.core.mapping import detect_mapping
from desktop_app.core.models import RawSheet
from desktop_app.gui.review_model import Column, Group, GroupRole, ReviewData, ReviewTableModel, delta_colors

CATALOG = Catalog(locations=[Location("L1", "Main Warehouse"), Location("L2", "Outlet Store")],
                  variants=[Variant("V1", "P1", sku="TS-BLK-S"), Variant("V2", "P1", sku="TS-BLK-M"),
                            Variant("V3", "P2", sku=None, barcode="5060123400007")])


def outcomes() -> list[RowOutcome]:
    return [
        RowOutcome(row=4, status=Status.PENDING, variant_id="V1", location_id="L1", before=10, after=7),
        RowOutcome(row=2, status=Status.PENDING, variant_id="V2", location_id="L2", before=3, after=8),
        RowOutcome(row=3, status=Status.UNCHANGED, variant_id="V3", location_id="L1", before=5, after=5),
        RowOutcome(row=5, status=Status.INVALID, column="SKU", code="variant-not-found",
                   message="No variant has the SKU 'NOPE'.", hint="Check the spelling."),
        RowOutcome(row=6, status=Status.STALE, variant_id="V1", location_id="L2", before=9, after=4,
                   message="The live level changed."),
        RowOutcome(row=7, status=Status.PENDING, variant_id="V3", location_id="L2", before=None, after=6),
    ]


def make_model(_qtbot) -> ReviewTableModel:
    return ReviewTableModel(ReviewData.build(outcomes(), CATALOG))


def shown(model) -> list[str]:
    return [model.index(r, Column.ROW).data() for r in range(model.rowCount())]


def cell(model, row: int, col: Column, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col), role)


def test_rows_are_in_sheet_order_and_show_variant_location_levels_and_signed_delta(qtbot):
    model = make_model(qtbot)
    assert [cell(model, r, Column.ROW) for r in range(model.rowCount())] == ["2", "3", "4", "5", "6", "7"]
    assert [cell(model, 0, c) for c in (Column.VARIANT, Column.LOCATION, Column.LIVE, Column.NEW, Column.DELTA,
                                        Column.STATUS)] == ["TS-BLK-M", "Outlet Store", "3", "8", "+5", "Will change"]
    assert cell(model, 2, Column.DELTA) == "−3"   # the minus sign, as everywhere
    assert cell(model, 1, Column.VARIANT) == "5060123400007"   # no SKU: the barcode identifies it
    assert cell(model, 5, Column.DELTA) == "bind" and cell(model, 5, Column.LIVE) == "—"


def test_invalid_rows_say_which_column_why_and_what_to_do(qtbot):
    model = make_model(qtbot)
    assert cell(model, 3, Column.REASON) == "No variant has the SKU 'NOPE'. Check the spelling."
    assert cell(model, 3, Column.STATUS) == "Invalid"


def test_increases_and_decreases_get_different_colours_in_light_and_dark_palettes(qtbot):
    model = make_model(qtbot)
    up = cell(model, 0, Column.DELTA, Qt.ItemDataRole.ForegroundRole).color()
    down = cell(model, 2, Column.DELTA, Qt.ItemDataRole.ForegroundRole).color()
    assert up != down
    assert cell(model, 1, Column.DELTA, Qt.ItemDataRole.ForegroundRole) is None  # unchanged: plain
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.white)
    dark.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.black)
    for palette, base in ((light, 255), (dark, 0)):
        for colour in delta_colors(palette):
            assert abs(colour.lightness() - base) > 90   # readable against the background


def test_filter_groups_count_and_show_only_their_rows(qtbot):
    model = make_model(qtbot)
    counts = model.review.counts
    assert (counts[Group.ALL], counts[Group.CHANGES], counts[Group.UNCHANGED], counts[Group.INVALID],
            counts[Group.STALE]) == (6, 3, 1, 1, 1)
    model.set_group(Group.CHANGES)
    assert shown(model) == ["2", "4", "7"]
    model.set_group(Group.STALE)
    assert shown(model) == ["6"]
    assert model.index(0, 0).data(GroupRole) == Group.STALE
    model.set_group(Group.ALL)
    assert model.rowCount() == 6


def test_sorting_orders_by_the_column_value_not_its_text_and_keeps_the_filter(qtbot):
    model = make_model(qtbot)
    model.sort(Column.DELTA, Qt.SortOrder.DescendingOrder)
    assert shown(model)[:3] == ["2", "3", "4"]   # +5, 0, -3
    model.set_group(Group.CHANGES)
    assert shown(model) == ["2", "4", "7"]       # bind (no number) sorts last
    model.sort(Column.ROW, Qt.SortOrder.DescendingOrder)
    assert shown(model) == ["7", "4", "2"]
    model.set_group(Group.ALL)
    assert shown(model) == ["7", "6", "5", "4", "3", "2"]


def test_persistent_selection_follows_its_row_when_sorted(qtbot):
    model = make_model(qtbot)
    from PySide6.QtCore import QPersistentModelIndex
    p = QPersistentModelIndex(model.index(3, Column.ROW))   # sheet row 5
    model.sort(Column.ROW, Qt.SortOrder.DescendingOrder)
    assert p.data() == "5" and p.row() == 2


def test_invalid_rows_show_the_key_and_location_as_written_in_the_sheet(qtbot):
    sheet = RawSheet(path="x.csv", format="csv", sheet_name=None, header_row=1, headers=["SKU", "Location", "Qty"],
                     rows=[(5, ("NOPE", "Back room", 3))])
    mapping = detect_mapping(sheet.headers)
    model = ReviewTableModel(ReviewData.build(outcomes(), CATALOG, sheet=sheet, mapping=mapping))
    assert (cell(model, 3, Column.VARIANT), cell(model, 3, Column.LOCATION)) == ("NOPE", "Back room")


def test_models_pass_the_qt_model_tester(qtmodeltester, qtbot):
    model = make_model(qtbot)
    qtmodeltester.check(model)
    model.set_group(Group.CHANGES)
    model.sort(Column.LOCATION)
    qtmodeltester.check(model)
    empty = ReviewTableModel()
    qtmodeltester.check(empty)
    assert empty.rowCount(QModelIndex()) == 0


def test_search_finds_sku_product_location_the_key_as_written_and_a_row_by_its_number(qtbot):
    catalog = Catalog(locations=[Location("L1", "Main Warehouse"), Location("L2", "Garage")],
                      variants=[Variant("V1", "P1", sku="TS-BLK-S", product="T-shirt", title="Black / S"),
                                Variant("V2", "P2", sku="MUG-01", product="Mug")])
    rows = [RowOutcome(row=2, status=Status.PENDING, variant_id="V1", location_id="L1", before=1, after=2),
            RowOutcome(row=12, status=Status.UNCHANGED, variant_id="V2", location_id="L2", before=3, after=3),
            RowOutcome(row=20, status=Status.INVALID, column="SKU", code="variant-not-found", message="No variant.")]
    sheet = RawSheet(path="x.csv", format="csv", sheet_name=None, header_row=1, headers=["SKU", "Location", "Qty"],
                     rows=[(20, ("Typo-Sku", "Back room", 3))])
    model = ReviewTableModel(ReviewData.build(rows, catalog, sheet=sheet, mapping=detect_mapping(sheet.headers)))
    for text, expected in [("ts-blk", ["2"]), ("black / s", ["2"]), ("MUG", ["12"]), ("garage", ["12"]),
                           ("typo", ["20"]), ("back room", ["20"]), ("2", ["2"]), ("12", ["12"]), ("nothing", [])]:
        model.set_search(text)
        assert shown(model) == expected, text
    model.set_group(Group.CHANGES)
    model.set_search("mug")            # the filter and the search together
    assert shown(model) == []
    model.set_search("")
    assert shown(model) == ["2"]


def test_data_presorted_in_the_worker_is_shown_in_a_sorted_table_without_sorting_again(qtbot, monkeypatch):
    model = make_model(qtbot)
    model.sort(Column.DELTA, Qt.SortOrder.DescendingOrder)
    assert model.sort_spec == (Column.DELTA, True)
    data = ReviewData.build(outcomes(), CATALOG).presorted(model.sort_spec)
    monkeypatch.setattr(ReviewData, "sort_keys", lambda self, col: pytest.fail("sorted on the main thread"))
    model.set_review(data)
    assert shown(model)[:3] == ["2", "3", "4"]       # +5, 0, -3
    model.sort(Column.ROW, Qt.SortOrder.DescendingOrder)   # sheet order needs no keys at all
    assert shown(model) == ["7", "6", "5", "4", "3", "2"]


def test_rows_landing_during_a_run_resort_by_their_new_status(qtbot):
    model = make_model(qtbot)
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)        # sorted (and the order kept) before the run
    assert [cell(model, r, Column.STATUS) for r in range(model.rowCount())][:2] == ["Invalid", "Stale"]
    row_7 = next(i for i, o in enumerate(model.review.outcomes) if o.row == 7)
    model.mark_landed({row_7: "applied"})                         # row 7 "Will change" → "Applied"
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    assert [cell(model, r, Column.STATUS) for r in range(model.rowCount())][0] == "Applied"
    assert shown(model)[0] == "7"
