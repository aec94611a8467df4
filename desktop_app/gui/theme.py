"""Fusion style with a light or dark palette (``appearance/theme`` in settings, or STOCKSHEET_THEME)."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def dark_palette() -> QPalette:
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: "#2b2d30", role.WindowText: "#e6e6e6", role.Base: "#1e1f22", role.AlternateBase: "#26282b",
        role.ToolTipBase: "#3c3f41", role.ToolTipText: "#e6e6e6", role.Text: "#e6e6e6", role.Button: "#3c3f41",
        role.ButtonText: "#e6e6e6", role.BrightText: "#ff6b6b", role.Highlight: "#2f65ca",
        role.HighlightedText: "#ffffff", role.Link: "#7aa7ff", role.Mid: "#55585c", role.PlaceholderText: "#8a8d91",
    }
    for r, c in colours.items():
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a7d80"))
    return p


#: where keyboard focus is, always visible: Fusion marks a focused button, field or box, not a table
FOCUS_STYLE = "QAbstractItemView:focus { border: 2px solid palette(highlight); }"


def apply_theme(app: QApplication, theme: str = "system") -> None:
    app.setStyle("Fusion")
    if FOCUS_STYLE not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + FOCUS_STYLE)
    if theme == "dark":
        app.setPalette(dark_palette())
    elif theme == "light":
        app.setPalette(app.style().standardPalette())
