"""Placeholder main window (the full window lands with the window issue)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow


class MainWindow(QMainWindow):
    def __init__(self, workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.setWindowTitle("Stocksheet")
        self.setMinimumSize(900, 600)
        self.setCentralWidget(QLabel(f"Connected to {workspace.info.name} — {workspace.info.url}"))

    def open_file(self, path: Path) -> None:
        self.statusBar().showMessage(str(path))
