"""The composition root: the one place where things are wired together for the window.

It starts the embedded demo store (a sandbox on loopback, state under STOCKSHEET_HOME/demo),
connects a connector, wraps it in an ``engine.workspace.Workspace`` and hands that to the GUI.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

NO_DISPLAY = ("Stocksheet needs a display to open its window, and none was found (DISPLAY/WAYLAND_DISPLAY "
              "are unset). Run it under a virtual screen with `xvfb-run -a make run`, or use the command "
              "line: `stocksheet import SHEET.xlsx --platform genstore --url … --dry-run` (see README).")


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class DemoStore:
    """The embedded demo store: a Genstore sandbox served in a background thread."""

    def __init__(self, platform: str = "genstore") -> None:
        from desktop_app.engine.paths import demo_state_path
        from desktop_app.sandbox.http import SandboxServer
        from desktop_app.sandbox.registry import create_app
        self.platform = platform
        self.app = create_app(platform, catalog="demo", state=demo_state_path() / f"{platform}.sqlite3",
                              rate="default")
        self.server = SandboxServer(self.app).start()

    def workspace(self):
        from desktop_app.engine.workspace import StoreInfo, Workspace
        from desktop_app.platforms.registry import connect
        connector = connect(self.platform, self.server.url, self.app.token)
        info = StoreInfo(platform=self.platform, url=self.server.url,
                         name=f"Demo store ({self.platform.capitalize()} sandbox)", is_demo=True)
        return Workspace(connector, info)

    def stop(self) -> None:
        self.server.stop()


def run_gui(file: Path | None = None, *, argv: Sequence[str] = ()) -> int:
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from desktop_app.engine.logs import setup_logging
    from desktop_app.gui.main_window import MainWindow
    setup_logging()
    qapp = QApplication.instance() or QApplication([sys.argv[0]])
    qapp.setApplicationName("Stocksheet")
    qapp.setOrganizationName("Stocksheet")
    demo = DemoStore()
    window = MainWindow(demo.workspace())
    window.show()
    if file:
        window.open_file(Path(file))
    try:
        return qapp.exec()
    finally:
        window.workspace.close()
        demo.stop()
