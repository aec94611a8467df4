"""``--screenshot PATH``: open a sample, wait for its review page, save the window, quit."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def take_screenshot(window, path: Path, *, sample: Path | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)

    def shoot() -> None:
        ok = window.grab().save(str(path))
        print(f"Screenshot saved to {path}" if ok else f"Could not save a screenshot to {path}", flush=True)
        window.close()
        QApplication.instance().exit(0 if ok else 1)

    def settle(*_: object) -> None:
        QTimer.singleShot(400, window, shoot)   # let layouts and the table paint

    if sample is not None:
        window.runner.finished.connect(settle)
        window.runner.failed.connect(settle)
        window.open_file(sample)
    else:
        settle()
