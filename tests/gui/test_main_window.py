"""The whole flow through the real window against the demo store over loopback HTTP:
drop a sheet, fix its mapping, review, submit, read the result, save the report, undo."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop_app.app import build_window
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.review_model import Column, Group
from desktop_app.gui.settings import Settings
from desktop_app.gui.submit_dialog import SubmitDialog


WAIT = 20_000


def drop(widget, path: Path) -> tuple[bool, bool]:
    """Drag ``path`` onto ``widget`` with real Qt drag events; returns (enter accepted, drop accepted)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(widget.width() // 2, widget.height() // 2)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    event = QDropEvent(pos.toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return enter.isAccepted(), event.isAccepted()


def rows_shown(table) -> list[str]:
    model = table.model
    return [model.index(r, Column.ROW).data() for r in range(model.rowCount())]


def test_the_window_opens_on_the_demo_store_with_samples_one_click_away(window):
    assert "Demo store" in window.store_label.text()
    assert window.stack.currentWidget() is window.start_page
    assert set(window.start_page.sample_buttons) >= {"demo-long.xlsx", "demo-long.csv", "shopify-inventory.csv"}
    assert window.minimumWidth() >= 760 and window.start_page.open_button.accessibleName()


def test_dropping_a_sheet_loads_it_in_the_background_and_shows_every_row_for_review(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        assert drop(window, sheet) == (True, True)
    assert window.stack.currentWidget() is window.review_page
    table = window.review_page.table
    counts = table.model.review.counts
    assert counts[Group.ALL] == 44 and counts[Group.INVALID] >= 3 and counts[Group.CHANGES] > 10
    assert table.buttons[Group.INVALID].text() == f"Invalid ({counts[Group.INVALID]})"
    table.set_group(Group.INVALID)
    reasons = [table.model.index(r, Column.REASON).data() for r in range(table.model.rowCount())]
    assert "Garage" in [table.model.index(r, Column.LOCATION).data() for r in range(table.model.rowCount())]
    assert any("'Garage' is not in the store" in r for r in reasons)
    assert str(sheet.resolve()) == window.settings.recent_files()[0]


def test_a_drop_of_something_that_is_not_a_sheet_is_refused(window, tmp_path):
    other = tmp_path / "notes.pdf"
    other.write_bytes(b"%PDF-1.4")
    assert drop(window, other) == (False, False)
    assert window.stack.currentWidget() is window.start_page and not window.runner.is_running()


def test_an_unknown_location_matched_from_the_dropdown_becomes_valid_and_is_remembered(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    panel = window.review_page.mapping
    review = window.review_page.table.model.review
    invalid_before = review.counts[Group.INVALID]
    back_room = sum(1 for o in review.outcomes if "'Back room'" in o.message)
    assert back_room >= 2
    box = panel.alias_box("Back room")
    box.setCurrentIndex(box.findText("Pop-up"))
    popup_id = box.currentData()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        panel.recheck_button.click()
    assert window.review_page.table.model.review.counts[Group.INVALID] == invalid_before - back_room
    assert Settings().location_aliases(window.workspace.info.url) == {"Back room": popup_id}
    assert "Back room" not in [n for n in window.review_page.prepared.unknown]


def test_changing_a_column_role_in_the_panel_rechecks_the_sheet_with_that_role(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    panel = window.review_page.mapping
    box = panel.role_box("Available")
    box.setCurrentIndex(box.findData("adjust"))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        panel.recheck_button.click()
    preview = window.review_page.prepared.preview
    assert preview.options.overrides == {"Available": "adjust"}
    assert {c.mode.value for c in preview.changes} == {"adjust"}


def test_submit_confirms_what_will_happen_applies_it_and_shows_the_result(qtbot, window, sheet, monkeypatch,
                                                                           tmp_path, dialogs):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    changes = window.review_page.prepared.summary.changes
    asked = []
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, *, text: asked.append(text) or True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.review_page.submit_button.click()
    assert f"write {changes} stock levels to Demo store" in asked[0]
    assert "Not written:" in asked[0] and "invalid rows" in asked[0]
    assert window.stack.currentWidget() is window.result_view
    result = window.finished.result
    assert result.applied == changes and result.failed == 0
    assert window.result_view.count_labels["applied"].text() == str(changes)
    assert window.result_view.count_labels["unverified"].text() == "0"
    assert "read back" in window.result_view.headline.text()
    assert window.result_view.table.model.review.counts[Group.CHANGES] == changes

    # the store really changed: checking the same sheet again finds nothing left to do
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    assert window.review_page.prepared.summary.changes == 0
    assert not window.review_page.submit_button.isEnabled()


def test_the_error_report_is_saved_where_the_user_chose(qtbot, window, sheet, monkeypatch, tmp_path):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, *, text: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.submit()
    target = tmp_path / "fix-these.csv"
    monkeypatch.setattr(MainWindow, "ask_save_path", classmethod(lambda cls, parent, **kw: str(target)))
    assert window.result_view.save_report_button.isEnabled()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.result_view.save_report_button.click()
    import csv
    with target.open(encoding="utf-8-sig", newline="") as f:
        report = list(csv.DictReader(f))
    invalid = window.finished.result.invalid
    assert len(report) == invalid                         # only the rows that need fixing
    assert {r["Status"].lower() for r in report} == {"invalid"}
    assert any(r["Location"] == "Garage" for r in report)
    assert "fix-these.csv" in window.statusBar().currentMessage()


def test_cancel_during_submit_stops_cleanly_and_says_what_was_not_applied(qtbot, sheet, monkeypatch, tmp_path,
                                                                            open_window):
    window = open_window(tmp_path / "slow", latency_ms=40)   # each request takes a while
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    changes = window.review_page.prepared.summary.changes
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, *, text: True))
    window.runner.progressed.connect(
        lambda p: window.progress.cancel_button.click() if p.stage == "submit" and p.done else None)
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.submit()
        assert window.progress.isVisible()          # a write shows its progress at once
    result = window.finished.result
    assert result.cancelled and 0 < result.applied < changes
    assert "Stopped" in window.result_view.headline.text()
    assert window.result_view.save_report_button.isEnabled()


def test_undo_puts_the_levels_back_and_the_history_lists_both_runs(qtbot, window, tmp_path, monkeypatch, dialogs):
    small = tmp_path / "three.csv"       # few changes: the store's documented rate limit keeps this quick
    small.write_text("SKU,Location,Available\nTS-BLK-S,Main Warehouse,77\nMUG-SAGE,Outlet Store,1\n"
                     "TOTE-NAT,Main Warehouse,5\n", encoding="utf-8")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(small)
    before = {(o.variant_id, o.location_id): o.before for o in window.review_page.table.model.review.outcomes}
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, *, text: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.submit()
    assert window.finished.result.applied == 3 and window.result_view.undo_button.isEnabled()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.result_view.undo_button.click()
    assert any("put back the 3 levels" in t for t in dialogs.texts())
    assert window.finished.result.applied == 3 and not window.result_view.undo_button.isEnabled()
    live = window.workspace.connector.read_levels({v for v, _ in before}, {loc for _, loc in before})
    assert {k: live.get(k) for k in before} == before

    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.result_view.history_button.click()
    assert window.stack.currentWidget() is window.history_view
    model = window.history_view.model
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["Undo", "Import"]
    assert model.index(1, 3).data() == "Finished, undone"
    assert not window.history_view.resume_button.isEnabled()
    window.history_view.back_button.click()
    assert window.stack.currentWidget() is window.result_view


def test_window_geometry_is_remembered_between_sessions(qtbot, workspace):
    first = build_window(workspace)
    qtbot.addWidget(first)
    first.resize(797, 561)
    first.close()
    second = build_window(workspace)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (797, 561)


def test_an_unreadable_file_is_explained_in_a_sentence_not_a_traceback(qtbot, window, tmp_path, dialogs):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a workbook")
    with qtbot.waitSignal(window.runner.failed, timeout=WAIT):
        window.open_file(bad)
    errors = dialogs.errors()
    assert len(errors) == 1 and "broken.xlsx" in errors[0] and "Traceback" not in errors[0]
    assert window.stack.currentWidget() is window.start_page
