""""Save as feed…": the name, the source (a folder or an https URL) and how often to check."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)


@dataclass(frozen=True, slots=True)
class FeedChoice:
    name: str
    watch: str | None = None
    url: str | None = None
    every_minutes: int = 15


class FeedDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, name: str = "", store: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as feed")
        self.setAccessibleName("Save as feed")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Apply files like this one by themselves, with this mapping and these options, to {store}. "
                       "Guards stop any file that would empty the store; every run is journalled and can be undone.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName("Feed name")
        form.addRow("Name", self.name_edit)
        self.folder_radio, self.url_radio = QRadioButton("A folder"), QRadioButton("An https URL")
        self.folder_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.folder_radio)
        group.addButton(self.url_radio)
        kinds = QHBoxLayout()
        kinds.addWidget(self.folder_radio)
        kinds.addWidget(self.url_radio)
        form.addRow("Files come from", kinds)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.setAccessibleName("Watched folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form.addRow("Folder", folder_row)
        self.url_edit = QLineEdit()
        self.url_edit.setAccessibleName("Feed URL")
        self.url_edit.setPlaceholderText("https://supplier.example.com/stock.csv")
        form.addRow("URL", self.url_edit)
        self.every_box = QSpinBox()
        self.every_box.setRange(1, 24 * 60)
        self.every_box.setValue(15)
        self.every_box.setSuffix(" min")
        self.every_box.setAccessibleName("Check every")
        form.addRow("Check every", self.every_box)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> FeedChoice:
        folder = self.folder_radio.isChecked()
        return FeedChoice(name=self.name_edit.text().strip(), watch=self.folder_edit.text().strip() if folder else None,
                          url=None if folder else self.url_edit.text().strip(), every_minutes=self.every_box.value())

    def _on_browse_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder the files arrive in", self.folder_edit.text())
        if path:
            self.folder_edit.setText(path)

    @classmethod
    def ask(cls, parent: QWidget | None, *, name: str, store: str) -> FeedChoice | None:
        """Modal; tests monkeypatch this classmethod."""
        dialog = cls(parent, name=name, store=store)
        try:
            return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
