"""The first page: drop a sheet, open one, try a sample, or reopen a recent file."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

SAMPLE_TITLES = {
    "demo-long.xlsx": "Stock count (XLSX, one row per location)",
    "demo-long.csv": "Stock count (CSV, with a few bad rows)",
    "shopify-inventory.csv": "Shopify inventory export (CSV)",
    "demo-wide.xlsx": "Wide sheet (a column per location)",
}


class StartPage(QWidget):
    open_requested = Signal()
    file_chosen = Signal(object)    # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Start")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)

        drop = QFrame()
        drop.setObjectName("dropZone")
        drop.setFrameShape(QFrame.Shape.StyledPanel)
        self.drop_zone = drop
        self.drop_message = QLabel()
        self.drop_message.setAccessibleName("Drop message")
        self.drop_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_message.setWordWrap(True)
        self.drop_message.hide()
        self.set_drag_state(None)
        dl = QVBoxLayout(drop)
        dl.setContentsMargins(24, 36, 24, 36)
        title = QLabel("Drop a stock sheet anywhere on this window")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 20px; font-weight: 600;")
        sub = QLabel("CSV, XLSX, XLS or ODS. Nothing is written to the store until you have reviewed "
                     "every change and confirmed.")
        sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sub.setWordWrap(True)
        self.open_button = QPushButton("Open a sheet…")
        self.open_button.setAccessibleName("Open a sheet")
        self.open_button.setToolTip("Ctrl+O")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addStretch(1)
        dl.addWidget(title)
        dl.addWidget(sub)
        dl.addWidget(self.drop_message)
        dl.addSpacing(12)
        dl.addLayout(row)
        outer.addWidget(drop)

        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        samples_title = QLabel("Try a sample against the demo store")
        samples_title.setStyleSheet("font-weight: 600;")
        self.samples_title = samples_title
        grid.addWidget(samples_title, 0, 0)
        self.samples_box = QVBoxLayout()
        grid.addLayout(self.samples_box, 1, 0, Qt.AlignmentFlag.AlignTop)
        recent_title = QLabel("Recent files")
        recent_title.setStyleSheet("font-weight: 600;")
        grid.addWidget(recent_title, 0, 1)
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName("Recent files")
        self.recent_list.itemActivated.connect(self._on_recent_list_activated)
        grid.addWidget(self.recent_list, 1, 1)
        outer.addLayout(grid, 1)
        self.sample_buttons: dict[str, QPushButton] = {}

    def set_samples(self, paths: list[Path]) -> None:
        for b in self.sample_buttons.values():
            b.deleteLater()
        self.sample_buttons = {}
        for path in paths:
            b = QPushButton(SAMPLE_TITLES.get(path.name, path.name))
            b.setAccessibleName(f"Open the sample {path.name}")
            b.setToolTip(str(path))
            b.setStyleSheet("text-align: left; padding: 6px 10px;")
            b.clicked.connect(lambda _=False, p=path: self.file_chosen.emit(p))
            self.samples_box.addWidget(b)
            self.sample_buttons[path.name] = b

    def set_samples_visible(self, visible: bool) -> None:
        """Samples run only against the demo store: hidden while a real store is connected."""
        self.samples_title.setVisible(visible)
        for b in self.sample_buttons.values():
            b.setVisible(visible)

    def set_drag_state(self, state: str | None, *, message: str = "") -> None:
        """The drop zone while something is dragged over the window: "accepted" (highlighted),
        "refused" (says why), or None."""
        colour = {"accepted": "palette(highlight)", "refused": "#a2191f"}.get(state or "", "palette(mid)")
        style = "solid" if state else "dashed"
        fill = " background: palette(alternate-base);" if state == "accepted" else ""
        self.drop_zone.setProperty("dragState", state or "")
        self.drop_zone.setStyleSheet(f"#dropZone {{ border: 2px {style} {colour}; border-radius: 10px;{fill} }}")
        self.drop_message.setText(message)
        self.drop_message.setVisible(bool(message))

    def set_recent(self, paths: list[str]) -> None:
        self.recent_list.clear()
        for p in paths:
            item = QListWidgetItem(Path(p).name)
            item.setToolTip(p)
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.recent_list.addItem(item)
        if not paths:
            item = QListWidgetItem("Files you open appear here.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent_list.addItem(item)

    def _on_recent_list_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.file_chosen.emit(Path(path))
