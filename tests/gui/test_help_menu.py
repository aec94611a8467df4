"""Help ▸ About and Help ▸ "Report a problem…" on the real window, and the window's icon."""
from __future__ import annotations

import logging
import tomllib
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop_app.engine.logs import setup_logging
from desktop_app.gui.about_dialog import AboutDialog, ProblemReportDialog

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
TOKEN = "gst_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def menu_titles(window) -> list[str]:
    return [a.text().replace("&", "") for a in window.menuBar().actions()]


def test_the_window_carries_the_icon_in_every_rendered_size(window):
    sizes = sorted(s.width() for s in window.windowIcon().availableSizes())
    assert sizes == [16, 24, 32, 48, 64, 128, 256, 512]


def test_about_shows_the_version_platforms_and_folders_and_copies_them(qtbot, window, stocksheet_home):
    assert menu_titles(window)[-1] == "Help"
    window.about_action.trigger()
    dialog = window.findChild(AboutDialog)
    qtbot.waitUntil(dialog.isVisible)
    shown = {label: w.text() for label, w in dialog.values.items()}
    assert shown["Stocksheet"] == VERSION
    assert shown["Platforms"] == "Genstore, Marketplacer, Zettle, Shoplazza"
    assert str(stocksheet_home) in shown["Data folder"] and str(stocksheet_home / "logs") in shown["Log folder"]
    assert "Demo store (Genstore sandbox)" in shown["Store"]

    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert copied == dialog.details_text()
    assert "Stocksheet:" in copied and VERSION in copied and str(stocksheet_home / "logs") in copied
    assert dialog.status.text() == "Details copied to the clipboard."
    dialog.close()


def test_report_a_problem_shows_the_log_tail_scrubbed_and_copies_what_the_user_reads(qtbot, window, monkeypatch):
    monkeypatch.setenv("STOCKSHEET_TOKEN", TOKEN)
    setup_logging()
    logging.getLogger("stocksheet.test").warning("connecting to https://ann:pw-in-url-42@shop.example.com; "
                                                  "the store echoed %s", TOKEN)
    logging.getLogger("stocksheet.test").info("the last line before the problem")
    for handler in logging.getLogger().handlers:
        handler.flush()

    window.problem_action.trigger()
    dialog = window.findChild(ProblemReportDialog)
    qtbot.waitUntil(dialog.isVisible)
    text = dialog.text.toPlainText()
    assert TOKEN not in text and "pw-in-url-42" not in text and "ann:" not in text
    assert "https://***@shop.example.com" in text
    assert "the last line before the problem" in text and "Stocksheet:" in text and VERSION in text

    dialog.text.textCursor().insertText("I dropped stock.xlsx and the window said nothing.")
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert copied == dialog.text.toPlainText()
    assert "I dropped stock.xlsx and the window said nothing." in copied and TOKEN not in copied
    assert dialog.status.text() == "Report copied to the clipboard."
    dialog.close()
