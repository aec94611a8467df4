"""No dead ends for the keyboard and plain words: Esc goes back or cancels, Home, Alt+N filters,
Tab leaves the tables, the drop zone highlights and says which formats it reads, samples only on
the demo store, hints name window controls. Real window on the demo store over loopback HTTP."""
from __future__ import annotations


from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QApplication

from desktop_app.app import build_window
from desktop_app.engine.workspace import StoreInfo, Workspace
from desktop_app.gui.review_model import Column, Group


WAIT = 20_000


def drag(window, path) -> QDragEnterEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return event


def test_esc_goes_back_home_returns_and_alt_digits_filter(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    table = window.review_page.table
    assert not table.view.tabKeyNavigation() and not window.review_page.mapping.table.tabKeyNavigation()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)      # shortcuts go to the active window
    table.view.setFocus()
    for key, group in ((Qt.Key.Key_4, Group.INVALID), (Qt.Key.Key_6, Group.OTHER), (Qt.Key.Key_1, Group.ALL)):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.AltModifier)   # a shortcut "animates" its click
        qtbot.waitUntil(lambda group=group: table.model.group is group, timeout=WAIT)
    assert table.buttons[Group.OTHER].text().startswith("Skipped (")
    assert window.cancel_action.text() == "&Back"
    window.cancel_action.trigger()                  # Esc
    assert window.stack.currentWidget() is window.start_page
    window.open_file(sheet)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=WAIT)
    assert window.stack.currentWidget() is window.review_page
    window.home_button.click()
    assert window.stack.currentWidget() is window.start_page


def test_the_drop_zone_highlights_a_sheet_and_names_the_formats_it_reads(window, tmp_path):
    good, bad = tmp_path / "stock.csv", tmp_path / "notes.pdf"
    good.write_text("SKU,Location,Available\n", encoding="utf-8")
    bad.write_bytes(b"%PDF-1.4")
    assert drag(window, good).isAccepted()
    assert window.start_page.drop_zone.property("dragState") == "accepted"
    assert not drag(window, bad).isAccepted()
    assert window.start_page.drop_zone.property("dragState") == "refused"
    message = window.start_page.drop_message.text()
    assert "notes.pdf can't be read" in message and "XLSX" in message and "ODS" in message


def test_samples_are_offered_only_on_the_demo_store(qtbot, demo_store):
    ws = demo_store.workspace()
    real = Workspace(ws.connector, StoreInfo(platform="genstore", url=ws.info.url, name="my shop"))
    window = build_window(real)
    qtbot.addWidget(window)
    window.show()
    assert window.start_page.sample_buttons
    assert all(b.isHidden() for b in window.start_page.sample_buttons.values())
    window.close()
    ws.close()


def test_hints_in_the_window_name_its_controls_not_flags(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    model = window.review_page.table.model
    reasons = [model.index(r, Column.REASON).data() for r in range(model.rowCount())]
    tips = [model.index(r, Column.REASON).data(Qt.ItemDataRole.ToolTipRole) or "" for r in range(model.rowCount())]
    assert any("Location names in the sheet" in r for r in reasons)
    assert not [t for t in reasons + tips if "--" in t or "`" in t or "STOCKSHEET_" in t]


def test_focus_is_visible_on_tables_too(qapp):
    from desktop_app.gui.theme import FOCUS_STYLE, apply_theme
    before, style = qapp.styleSheet(), qapp.style().name()
    try:
        apply_theme(qapp, "light")
        apply_theme(qapp, "light")
        assert qapp.styleSheet().count(FOCUS_STYLE) == 1 and ":focus" in FOCUS_STYLE
    finally:
        qapp.setStyleSheet(before)
        qapp.setStyle(style)
