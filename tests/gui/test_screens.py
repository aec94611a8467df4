"""Every screen renders offscreen into a real, non-blank picture, in light and dark palettes."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from desktop_app.app import build_window
from desktop_app.gui.connection_dialog import ConnectionDialog
from desktop_app.gui.review_model import Column
from desktop_app.gui.submit_dialog import SubmitDialog, describe_submit
from desktop_app.gui.theme import apply_theme

from .conftest import SAMPLES

WAIT = 20_000


def variance(image: QImage, *, step: int = 7) -> float:
    """Variance of the grey level over a grid of pixels (0 for a blank picture)."""
    values = [QImage.pixelColor(image, x, y).lightness()
              for y in range(0, image.height(), step) for x in range(0, image.width(), step)]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def save(widget, path) -> QImage:
    pixmap = widget.grab()
    assert pixmap.save(str(path))
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 200 and image.height() > 100
    return image


@pytest.fixture
def palette_restored(qapp):
    palette, style, sheet = qapp.palette(), qapp.style().name(), qapp.styleSheet()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_each_screen_saves_a_non_blank_screenshot(qtbot, workspace, tmp_path, monkeypatch, theme, palette_restored):
    apply_theme(QApplication.instance(), theme)
    window = build_window(workspace)
    qtbot.addWidget(window)
    window.resize(1200, 780)
    window.show()
    shots = {"start": save(window, tmp_path / f"start-{theme}.png")}

    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(SAMPLES / "demo-long.csv")
    window.review_page.mapping_toggle.setChecked(True)
    shots["review"] = save(window, tmp_path / f"review-{theme}.png")

    dialog = SubmitDialog(describe_submit(summary=window.review_page.prepared.summary, requests=3,
                                          store="Demo store", invalid=2, stale=0), window)
    shots["confirm"] = save(dialog, tmp_path / f"confirm-{theme}.png")
    dialog.deleteLater()

    connection = ConnectionDialog(platforms=["genstore"], connect=lambda **kw: None, parent=window)
    shots["connect"] = save(connection, tmp_path / f"connect-{theme}.png")
    connection.deleteLater()

    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, *, text: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.submit()
    shots["result"] = save(window, tmp_path / f"result-{theme}.png")

    for name, image in shots.items():
        assert variance(image) > 50, f"the {name} screen looks blank"
    if theme == "dark":
        base = shots["review"].pixelColor(5, shots["review"].height() // 2)
        assert base.lightness() < 100      # the dark palette really painted the window


def test_variance_tells_a_blank_picture_from_a_real_one(qtbot, tmp_path):
    blank = QImage(300, 200, QImage.Format.Format_RGB32)
    blank.fill(0xFFFFFF)
    assert variance(blank) == 0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_new_screens_save_non_blank_screenshots(qtbot, workspace, tmp_path, monkeypatch, theme, palette_restored):
    """The raw-sheet preview with title rows, an unrecognised sheet's mapping step, a row fixed in
    place with its detail pane, a refused drop, and History with a run opened."""
    apply_theme(QApplication.instance(), theme)
    window = build_window(workspace)
    qtbot.addWidget(window)
    window.resize(1200, 780)
    window.show()
    shots = {}
    titled = tmp_path / "titled.csv"
    titled.write_text("Stock count March,,\nshop north,,\nSKU,Location,Available\nTS-BLK-S,Main Warehouse,twelve\n"
                      "TS-BLK-M,Main Warehouse,4\n", encoding="utf-8")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(titled)
    window.review_page.mapping_toggle.setChecked(True)
    shots["raw sheet"] = save(window.review_page.mapping, tmp_path / f"raw-{theme}.png")
    table = window.review_page.table
    table.model.setData(table.model.index(0, Column.NEW), "12")      # the invalid row 4
    qtbot.waitUntil(lambda: window.review_page.is_current() and bool(window.review_page.prepared.preview.options.edits),
                    timeout=WAIT)
    table.view.selectRow(0)
    shots["edited row"] = save(window, tmp_path / f"edited-{theme}.png")
    assert "twelve → 12" in table.detail.text.toPlainText()

    odd = tmp_path / "odd.csv"
    odd.write_text("Item ref,Kept at,How many\nTS-BLK-S,Main Warehouse,20\n", encoding="utf-8")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(odd)
    shots["unrecognised"] = save(window, tmp_path / f"unrecognised-{theme}.png")

    window.go_home()
    window.start_page.set_drag_state("refused", message="notes.pdf can't be read: Stocksheet reads CSV …")
    shots["refused drop"] = save(window, tmp_path / f"drop-{theme}.png")
    window.start_page.set_drag_state(None)

    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(SAMPLES / "demo-long.csv")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.submit()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.show_history()
    shots["history"] = save(window, tmp_path / f"history-{theme}.png")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.history_view.open_button.click()
    shots["past run"] = save(window, tmp_path / f"past-{theme}.png")
    for name, image in shots.items():
        assert variance(image) > 50, f"the {name} screen looks blank"
