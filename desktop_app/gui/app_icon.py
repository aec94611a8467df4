"""The application icon: every PNG size rendered from ``resources/icons/stocksheet.svg``
(``resources/icons/make_icons.py``), found through ``desktop_app.assets`` so a bundle has it too."""
from __future__ import annotations

from PySide6.QtGui import QIcon

from desktop_app.assets import asset_path


def app_icon() -> QIcon:
    """One QIcon holding each rendered size; Qt picks the nearest for title bars, docks and task bars."""
    icon = QIcon()
    for png in sorted(asset_path("icons").glob("stocksheet-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        icon.addFile(str(png))
    return icon
