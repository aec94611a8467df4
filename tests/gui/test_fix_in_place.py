"""Fixing a sheet in the review table: an edited cell is checked again at once and its row moves
to its new status; one fix for every row with the same problem; the file is never changed; a
corrected copy; the journal records the edits. Problems by kind, search, detail pane, TSV copy.
Against the demo store over loopback HTTP."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.results import Status
from desktop_app.engine.journal import Journal
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.review_model import Column, Group
from desktop_app.gui.submit_dialog import SubmitDialog
from desktop_app.sheets.reader import read_sheet

from .conftest import write_csv

WAIT = 20_000


@pytest.fixture
def sheet(tmp_path) -> Path:
    return write_csv(tmp_path / "count.csv", [
        ["SKU", "Location", "Available"], ["TS-BLK-S", "Main Warehouse", "twelve"], ["TS-BLK-M", "Main Warehouse", "x"],
        ["TS-BLK-L", "Garage", 5], ["TS-BLK-XL", "Garage", 6], ["TS-WHT-S", "Main Warehouse", 3]])


def status_of(window, row: int) -> Status:
    return next(o.status for o in window.review_page.prepared.data.outcomes if o.row == row)


def view_row(table, sheet_row: int) -> int:
    model = table.model
    return next(r for r in range(model.rowCount()) if model.outcome(r).row == sheet_row)


def test_an_edited_quantity_is_checked_at_once_and_the_file_is_never_changed(qtbot, window, sheet):
    original = sheet.read_bytes()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    page, table = window.review_page, window.review_page.table
    assert [status_of(window, r) for r in (2, 3, 4, 5)] == [Status.INVALID] * 4
    model = table.model
    index = model.index(view_row(table, 2), Column.NEW)
    assert model.flags(index) & model.flags(index).ItemIsEditable
    assert index.data() == "twelve"
    assert not model.flags(model.index(view_row(table, 6), Column.NEW)) & model.flags(index).ItemIsEditable
    model.setData(index, "12")
    assert not page.submit_button.isEnabled()              # checking the edit: the old plan is not Apply's
    qtbot.waitUntil(lambda: status_of(window, 2) is Status.PENDING and page.is_current(), timeout=WAIT)
    assert model.index(view_row(table, 2), Column.ROW).data() == "2 ✎"
    assert sheet.read_bytes() == original
    assert page.prepared.preview.options.edits == {2: {"Available": "12"}}
    assert not page.save_corrected_button.isHidden()


def test_one_location_fix_for_every_row_with_that_problem_then_a_corrected_copy_and_a_journalled_run(
        qtbot, window, sheet, monkeypatch, tmp_path):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    page, table = window.review_page, window.review_page.table
    problems = [table.problem_box.itemText(i) for i in range(table.problem_box.count())]
    assert "2 × quantity is not a whole number" in problems and "2 × location not in the store" in problems

    table.set_group(Group.INVALID)
    table.view.setCurrentIndex(table.model.index(view_row(table, 4), Column.LOCATION))
    detail = table.detail
    assert not detail.fix_row.isHidden() and "Garage" in detail.text.toPlainText()
    assert detail.fix_all_button.text() == "Replace in all 2 rows with this problem"
    detail.value_box.setCurrentText("Pop-up")
    detail.fix_all_button.click()
    qtbot.waitUntil(lambda: page.is_current() and status_of(window, 4) is Status.PENDING, timeout=WAIT)
    assert status_of(window, 5) is Status.PENDING
    assert page.prepared.preview.options.edits == {4: {"Location": "Pop-up"}, 5: {"Location": "Pop-up"}}

    saved = tmp_path / "count.corrected.csv"
    monkeypatch.setattr(MainWindow, "ask_save_path", classmethod(lambda cls, parent, **kw: str(saved)))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        page.save_corrected_button.click()
    corrected = read_sheet(saved)
    assert [cells[1] for _, cells in corrected.rows] == ["Main Warehouse", "Main Warehouse", "Pop-up", "Pop-up",
                                                         "Main Warehouse"]
    assert read_sheet(sheet).rows[2][1][1] == "Garage"

    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        page.submit_button.click()
    result = window.finished.result
    assert result.applied == 3
    journal = Journal()
    try:
        assert journal.run(result.run_id).options["edits"] == {"4": {"Location": "Pop-up"}, "5": {"Location": "Pop-up"}}
    finally:
        journal.close()
    assert window.result_view.table.model.headerData(Column.LIVE, Qt.Orientation.Horizontal) == "Before"


def test_search_detail_and_copy_as_tab_separated_text(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    table = window.review_page.table
    table.search.setText("garage")
    assert sorted(table.model.outcome(r).row for r in range(table.model.rowCount())) == [4, 5]
    table.search.setText("ts-wht")
    assert [table.model.outcome(r).row for r in range(table.model.rowCount())] == [6]
    table.search.clear()
    assert table.model.rowCount() == 5
    table.select_rows([0, 1])
    text = table.copy_selection()
    lines = text.splitlines()
    assert lines[0].split("\t")[:3] == ["Row", "Variant (SKU)", "Location"]
    assert [line.split("\t")[0] for line in lines[1:]] == ["2", "3"]
    assert QApplication.clipboard().text() == text
    table.view.setCurrentIndex(table.model.index(0, Column.REASON))
    shown = table.detail.text.toPlainText()
    assert "Row 2" in shown and "Available: twelve" in shown
