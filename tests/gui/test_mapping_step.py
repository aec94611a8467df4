"""The mapping step shows the sheet: raw rows with the header marked and titles greyed, the header
row choosable, sample values, the user's own choices marked (no confidence for them), and the
remembered location matches of the store, changeable and forgettable. Demo store over loopback."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.gui.review_model import Group
from desktop_app.gui.settings import Settings
from desktop_app.gui.sheet_preview import RawSheetModel

from .conftest import write_csv

WAIT = 20_000


@pytest.fixture
def titled(tmp_path) -> Path:
    return write_csv(tmp_path / "titled.csv", [["Stock count, March"], ["Code", "Shop", "Qty"],
                                               ["TS-BLK-S", "Main Warehouse", 20], ["TS-BLK-M", "Main Warehouse", 21]])


def test_the_raw_sheet_shows_title_rows_greyed_and_the_header_row_can_be_chosen(qtbot, window, titled):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(titled)
    panel = window.review_page.mapping
    model = panel.sheet_preview.model
    assert [model.row_kind(r) for r in range(model.rowCount())] == [RawSheetModel.TITLE, RawSheetModel.HEADER,
                                                                     RawSheetModel.DATA, RawSheetModel.DATA]
    assert model.headerData(1, Qt.Orientation.Vertical) == "2"
    samples = dict(panel.table.item(r, 0).text().split("\n   ") for r in range(panel.table.rowCount()))
    assert samples["Qty"] == "20, 21"       # under the column's name
    page = window.review_page
    panel.sheet_preview.header_spin.setValue(1)          # the user says the header is row 1: no SKU column then
    qtbot.waitUntil(lambda: page.prepared.preview.sheet.header_row == 1 and page.is_current(), timeout=WAIT)
    assert page.prepared.preview.options.header_row == 1
    assert not page.submit_button.isEnabled() and "“Read as”" in page.hint.text() and "--" not in page.hint.text()
    panel = page.mapping
    panel.sheet_preview.header_spin.setValue(2)
    qtbot.waitUntil(lambda: page.prepared.preview.sheet.header_row == 2 and page.is_current(), timeout=WAIT)
    assert page.submit_button.isEnabled()


def test_unrecognised_headers_open_the_mapping_step_with_the_columns_unassigned(qtbot, window, tmp_path, dialogs):
    path = tmp_path / "odd.csv"
    path.write_text("Item ref,Kept at,How many\nTS-BLK-S,Main Warehouse,20\n", encoding="utf-8")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(path)
    page = window.review_page
    assert dialogs.errors() == []
    assert window.stack.currentWidget() is page and page.mapping.isVisibleTo(page)
    assert not page.submit_button.isEnabled() and "--" not in page.hint.text()
    panel = page.mapping
    assert panel.role_box("Item ref").currentData() in ("info", "ignore")
    for header, role in (("Item ref", "sku"), ("Kept at", "location"), ("How many", "available")):
        box = panel.role_box(header)
        box.setCurrentIndex(box.findData(role))
    qtbot.waitUntil(lambda: page.is_current() and page.prepared.preview.mapping_problem is None
                    and page.prepared.data.counts[Group.ALL] == 1, timeout=WAIT)
    assert page.submit_button.isEnabled() == bool(page.prepared.summary.changes)


def test_a_role_the_user_chose_is_marked_and_shows_no_confidence(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    panel = window.review_page.mapping
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text().startswith("Available\n"))
    assert panel.table.item(row, 2).text().endswith("%")
    box = panel.role_box("Available")
    box.setCurrentIndex(box.findData("adjust"))
    qtbot.waitUntil(lambda: window.review_page.is_current()
                    and window.review_page.prepared.preview.options.overrides == {"Available": "adjust"}, timeout=WAIT)
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text().startswith("Available"))
    assert panel.table.item(row, 0).text().startswith("Available ✎\n") and panel.table.item(row, 2).text() == "your choice"


def test_remembered_location_matches_are_listed_and_can_be_forgotten(qtbot, window, sheet):
    url = window.workspace.info.url
    popup = next(loc.id for loc in window.workspace.locations() if loc.name == "Pop-up")
    window.settings.remember_location_alias(store_url=url, sheet_name="Back room", location_id=popup)
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    panel = window.review_page.mapping
    assert panel.alias_box("Back room").currentText() == "Pop-up"
    assert "Back room" not in window.review_page.prepared.unknown
    forget = next(b for b in panel.locations_box.findChildren(type(panel.recheck_button))
                  if b.accessibleName() == "Forget the match for 'Back room'")
    forget.click()
    assert Settings().location_aliases(url) == {}
    qtbot.waitUntil(lambda: window.review_page.is_current() and "Back room" in window.review_page.prepared.unknown,
                    timeout=WAIT)


def test_the_duplicates_choice_the_cli_has_is_in_the_mapping_step(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    page = window.review_page
    duplicated = [o.row for o in page.prepared.data.outcomes if o.code == "duplicate"]
    assert duplicated == [9, 39]
    combo = page.mapping.duplicates_combo
    combo.setCurrentIndex(combo.findText("Keep the last row"))
    qtbot.waitUntil(lambda: page.is_current() and page.prepared.preview.options.duplicates.value == "last",
                    timeout=WAIT)
    status = {o.row: o.status.value for o in page.prepared.data.outcomes}
    assert status[9] == "skipped" and status[39] in ("pending", "unchanged")


def test_the_workbook_sheet_is_chosen_in_the_preview(qtbot, window, tmp_path):
    from openpyxl import Workbook
    path = tmp_path / "two-shops.xlsx"
    book = Workbook()
    first = book.active
    first.title = "Shop A"
    second = book.create_sheet("Shop B")
    for sheet, qty in ((first, 31), (second, 32)):
        sheet.append(["SKU", "Location", "Available"])
        sheet.append(["TS-BLK-S", "Main Warehouse", qty])
    book.save(path)
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(path)
    page = window.review_page
    combo = page.mapping.sheet_preview.sheet_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Shop A", "Shop B"] and not combo.isHidden()
    assert page.prepared.preview.sheet.sheet_name == "Shop A"
    combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.is_current() and page.prepared.preview.sheet.sheet_name == "Shop B", timeout=WAIT)
    assert page.prepared.preview.options.sheet == "Shop B"
    assert [c.after for c in page.prepared.preview.changes] == [32]


def test_a_stale_row_shows_the_level_the_sheet_saw(qtbot, window, tmp_path):
    from desktop_app.gui.review_model import Column
    path = tmp_path / "seen.csv"
    live = window.workspace.connector
    catalog = window.workspace.catalog()
    variant = next(v for v in catalog.variants if v.sku == "TS-BLK-S")
    main = next(loc for loc in catalog.locations if loc.name == "Main Warehouse")
    now = live.read_levels({variant.id}, {main.id})[(variant.id, main.id)]
    path.write_text(f"SKU,Location,On hand (current),Available\nTS-BLK-S,Main Warehouse,{now + 3},{now + 9}\n",
                    encoding="utf-8")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(path)
    model = window.review_page.table.model
    assert model.index(0, Column.STATUS).data() == "Stale"
    assert model.index(0, Column.SEEN).data() == f"{now + 3:,}" and model.index(0, Column.LIVE).data() == f"{now:,}"
    assert model.headerData(Column.SEEN, Qt.Orientation.Horizontal) == "Sheet saw"
