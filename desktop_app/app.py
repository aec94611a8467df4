"""The composition root: the one place where things are wired together for the window.

It starts the embedded demo store (a sandbox on loopback, state under STOCKSHEET_HOME/demo),
connects a connector, wraps it in an ``engine.workspace.Workspace`` and hands that — plus a
``connect`` factory for real stores and the sample sheets — to the GUI, which never imports a
connector or httpx.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

from desktop_app.assets import asset_path

NO_DISPLAY = ("Stocksheet needs a display to open its window, and none was found (DISPLAY and WAYLAND_DISPLAY "
              "are unset). Run it under a virtual screen with `xvfb-run -a make run` (or `xvfb-run -a stocksheet "
              "gui`), or use the command line instead: `stocksheet import SHEET.xlsx --platform genstore --url "
              "URL --dry-run` (see `stocksheet --help`).")

SAMPLE_ORDER = ["demo-long.xlsx", "demo-long.csv", "shopify-inventory.csv", "demo-wide.xlsx"]


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def sample_sheets(directory: Path | None = None) -> list[Path]:
    """The sample sheets shipped for the demo store, in the order the start page offers them.

    They come from ``resources/samples`` in a checkout or in a bundle (``desktop_app.assets``)."""
    directory = asset_path("samples") if directory is None else directory
    found = [directory / n for n in SAMPLE_ORDER if (directory / n).is_file()]
    return found


class DemoStore:
    """The embedded demo store: a sandbox served on 127.0.0.1 in a background thread."""

    def __init__(self, platform: str = "genstore", *, catalog: str = "demo", state_dir: Path | None = None,
                 rate: str = "default", latency_ms: float = 0.0) -> None:
        from desktop_app.engine.paths import demo_state_path
        from desktop_app.sandbox.http import SandboxServer
        from desktop_app.sandbox.registry import create_app
        self.platform = platform
        state_dir = Path(state_dir) if state_dir else demo_state_path()
        state_dir.mkdir(parents=True, exist_ok=True)
        name = platform if catalog == "demo" else f"{platform}-{catalog.replace(':', '-')}"
        self.state = state_dir / f"{name}.sqlite3"
        self.app = create_app(platform, catalog=catalog, state=self.state, rate=rate)
        self.server = SandboxServer(self.app, latency_ms=latency_ms).start()

    def connector(self):
        from desktop_app.platforms.registry import connect
        connector = connect(self.platform, self.server.url, self.app.token)
        # its runs belong to the demo store (its state file), not to this launch's port
        connector.identity = f"demo:{self.platform}:{self.state}"
        return connector

    def workspace(self):
        from desktop_app.engine.workspace import StoreInfo, Workspace
        info = StoreInfo(platform=self.platform, url=self.server.url,
                         name=f"Demo store ({self.platform.capitalize()} sandbox)", is_demo=True)
        return Workspace(self.connector(), info)

    def stop(self) -> None:
        self.server.stop()


def demo_opener(running: DemoStore | None = None):
    """Opens the demo store a feed targets (``demo:PLATFORM``): the window's own while it runs,
    else one started for the feed's run from its state file (stopped when its connector closes)."""
    def open_demo(platform: str):
        if running is not None and running.platform == platform:
            return running.connector()
        store = DemoStore(platform)
        connector = store.connector()
        close = connector.close

        def close_and_stop() -> None:
            try:
                close()
            finally:
                store.stop()
        connector.close = close_and_stop
        return connector
    return open_demo


def feed_connect(running: DemoStore | None = None):
    """How the faces' feeds connect to a target: real stores from saved secrets, the demo store by
    ``demo_opener``."""
    from functools import partial

    from desktop_app.engine.feeds.connect import connect_target
    return partial(connect_target, demo=demo_opener(running))


def connect_store(*, platform: str, url: str, token: str, **options: str):
    """A Workspace on a real store (blocking: the GUI calls it from its runner).

    ``options`` are the connector's own settings, e.g. Zettle's ``removal_location``."""
    from desktop_app.engine.workspace import StoreInfo, Workspace
    from desktop_app.platforms.http import check_url
    from desktop_app.platforms.registry import connect
    url = check_url(url)
    connector = connect(platform, url, token, **options)
    host = url.split("://", 1)[-1].rstrip("/")
    return Workspace(connector, StoreInfo(platform=platform, url=url, name=host))


def platforms() -> list[str]:
    from desktop_app.platforms.registry import PLATFORMS
    return list(PLATFORMS)


def build_window(workspace, *, settings=None, demo: DemoStore | None = None):
    """The main window wired to ``workspace``, a real-store factory, the sample sheets and the
    feeds (which reach ``demo``, the running demo store, through it)."""
    from desktop_app.engine.feeds.service import FeedService
    from desktop_app.gui.app_icon import app_icon
    from desktop_app.gui.main_window import MainWindow
    window = MainWindow(workspace, settings=settings, samples=sample_sheets(), connect=connect_store,
                        platforms=platforms(), feeds=FeedService(feed_connect(demo)))
    window.setWindowIcon(app_icon())
    return window


def run_gui(file: Path | None = None, *, argv: Sequence[str] = (), screenshot: Path | None = None) -> int:
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from desktop_app.engine.logs import setup_logging
    from desktop_app.gui.errors import install_excepthook
    from desktop_app.gui.settings import Settings
    from desktop_app.gui.theme import apply_theme
    setup_logging()
    qapp = QApplication.instance() or QApplication([sys.argv[0]])
    qapp.setApplicationName("Stocksheet")
    qapp.setOrganizationName("Stocksheet")
    qapp.setDesktopFileName("org.stocksheet.Stocksheet")   # Wayland finds the icon through the .desktop entry
    settings = Settings()
    apply_theme(qapp, os.environ.get("STOCKSHEET_THEME") or settings.get("appearance/theme"))
    demo = DemoStore()
    window = build_window(demo.workspace(), settings=settings, demo=demo)
    install_excepthook(lambda: window)
    window.show()
    if screenshot is not None:
        from desktop_app.gui.screenshot import take_screenshot
        take_screenshot(window, Path(screenshot), sample=Path(file) if file else next(iter(sample_sheets()), None))
    elif file:
        window.open_file(Path(file))
    else:
        window.offer_resume()      # a run stopped when the window was last closed
    try:
        return qapp.exec()
    finally:
        window.workspace.close()
        demo.stop()
