"""Store ▸ Export stock report: what to export (layout, locations, low stock), as what (XLSX, or
CSV with its options) and where (a default name with the store and the date); afterwards,
"Open" and "Show in folder". The dialog only collects choices: the engine writes the report."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QDateTime, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateTimeEdit, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from desktop_app.core.models import Location
from desktop_app.engine.export import DEFAULT_LOW_STOCK, ExportOptions, default_file_name

LAYOUT_CHOICES = (("long", "Long — a row per variant and location"),
                  ("wide", "Wide — a column per location, with totals"),
                  ("low-stock", "Low stock — only levels at or below the threshold"))
FORMAT_CHOICES = ((".xlsx", "Excel workbook (.xlsx)"), (".csv", "CSV text (.csv)"))


@dataclass(frozen=True, slots=True)
class ExportChoice:
    path: Path
    options: ExportOptions


class ExportDialog(QDialog):
    def __init__(self, *, locations: Sequence[Location], store: str, folder: Path, parent: QWidget | None = None,
                 today: date | None = None, can_filter_changes: bool = True) -> None:
        """``can_filter_changes``: the store can say which levels changed since a date (else the
        "Changed since" control is off, saying why)."""
        super().__init__(parent)
        self.setWindowTitle("Export stock report")
        self.setAccessibleName("Export stock report")
        self._store, self._today = store, today or date.today()
        form = QFormLayout()

        self.layout_box = QComboBox()
        self.layout_box.setAccessibleName("Layout")
        for value, text in LAYOUT_CHOICES:
            self.layout_box.addItem(text, value)
        form.addRow("&Layout:", self.layout_box)

        self.location_list = QListWidget()
        self.location_list.setAccessibleName("Locations")
        for loc in locations:
            item = QListWidgetItem(loc.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, loc.name)
            self.location_list.addItem(item)
        self.location_list.setMaximumHeight(min(160, 24 + 22 * max(1, len(locations))))
        form.addRow("L&ocations:", self.location_list)

        self.low_check = QCheckBox("Highlight levels at or &below")
        self.low_check.setAccessibleName("Highlight low stock")
        self.low_spin = QSpinBox()
        self.low_spin.setAccessibleName("Low-stock threshold")
        self.low_spin.setRange(-1_000_000, 1_000_000)
        self.low_spin.setValue(DEFAULT_LOW_STOCK)
        self.only_low_check = QCheckBox("Only &those rows")
        self.only_low_check.setAccessibleName("Only low-stock rows")
        low_row = QHBoxLayout()
        for w in (self.low_check, self.low_spin, self.only_low_check):
            low_row.addWidget(w)
        low_row.addStretch(1)
        form.addRow("Low stock:", low_row)

        self.since_check = QCheckBox("Only levels changed &since")
        self.since_check.setAccessibleName("Only levels changed since")
        self.since_edit = QDateTimeEdit(QDateTime(datetime.combine(self._today, datetime.min.time())
                                                  - timedelta(days=1)))
        self.since_edit.setAccessibleName("Changed since")
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self._can_filter_changes = can_filter_changes
        if not can_filter_changes:
            why = f"{store} cannot say which stock levels changed since a date: every level is exported."
            for w in (self.since_check, self.since_edit):
                w.setToolTip(why)
        since_row = QHBoxLayout()
        since_row.addWidget(self.since_check)
        since_row.addWidget(self.since_edit)
        since_row.addStretch(1)
        form.addRow("Changes:", since_row)

        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Format")
        for value, text in FORMAT_CHOICES:
            self.format_box.addItem(text, value)
        form.addRow("&Format:", self.format_box)
        self.bom_check = QCheckBox("Start with a byte-order mark (Excel needs it to show accents)")
        self.bom_check.setAccessibleName("Byte-order mark")
        self.bom_check.setChecked(True)
        self.delimiter_box = QComboBox()
        self.delimiter_box.setAccessibleName("Delimiter")
        self.delimiter_box.addItem("Comma ( , )", ",")
        self.delimiter_box.addItem("Semicolon ( ; ) — European Excel", ";")
        form.addRow("CSV:", self.bom_check)
        form.addRow("CSV &delimiter:", self.delimiter_box)

        self.path_edit = QLineEdit(str(folder / default_file_name(store, day=self._today)))
        self.path_edit.setAccessibleName("File")
        self.browse_button = QPushButton("Choose…")
        self.browse_button.setAccessibleName("Choose the file")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        file_label = QLabel("F&ile:")           # a row holding a layout gets no buddy by itself
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, path_row)

        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setAccessibleName("Export")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(buttons)
        self.setMinimumWidth(520)

        self.layout_box.currentIndexChanged.connect(self._on_layout_box_changed)
        self.low_check.toggled.connect(self._sync)
        self.since_check.toggled.connect(self._sync)
        self.format_box.currentIndexChanged.connect(self._on_format_box_changed)
        self.location_list.itemChanged.connect(self._sync)
        self.path_edit.textChanged.connect(self._sync)
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self._sync()

    # -- state ------------------------------------------------------------------------------
    def checked_locations(self) -> list[str]:
        items = [self.location_list.item(i) for i in range(self.location_list.count())]
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]

    def choice(self) -> ExportChoice:
        layout = self.layout_box.currentData()
        names = self.checked_locations()
        low = self.low_spin.value() if self.low_check.isChecked() or layout == "low-stock" else None
        every = len(names) == self.location_list.count()
        since = self.since_edit.dateTime().toPython().astimezone() \
            if self._can_filter_changes and self.since_check.isChecked() else None
        options = ExportOptions(layout=layout, locations=() if every else tuple(names), low_stock=low, changed_since=since,
                                only_low=self.only_low_check.isChecked() and low is not None,
                                bom=self.bom_check.isChecked(), delimiter=self.delimiter_box.currentData())
        return ExportChoice(Path(self.path_edit.text().strip()), options)

    def _sync(self, *_: object) -> None:
        low_stock = self.layout_box.currentData() == "low-stock"
        self.low_check.setEnabled(not low_stock)
        self.low_spin.setEnabled(low_stock or self.low_check.isChecked())
        self.only_low_check.setEnabled(not low_stock and self.low_check.isChecked())
        self.since_check.setEnabled(self._can_filter_changes)
        self.since_edit.setEnabled(self._can_filter_changes and self.since_check.isChecked())
        csv = self.format_box.currentData() == ".csv"
        self.bom_check.setEnabled(csv)
        self.delimiter_box.setEnabled(csv)
        self.export_button.setEnabled(bool(self.checked_locations()) and bool(self.path_edit.text().strip()))

    def _on_layout_box_changed(self, _: int) -> None:
        self._sync()

    def _on_format_box_changed(self, _: int) -> None:
        path = Path(self.path_edit.text().strip() or default_file_name(self._store, day=self._today))
        self.path_edit.setText(str(path.with_suffix(self.format_box.currentData())))
        self._sync()

    def _on_browse_button_clicked(self) -> None:
        ext = self.format_box.currentData()
        path = self.ask_save_path(self, start=self.path_edit.text(), filter=f"{self.format_box.currentText()} (*{ext})")
        if path:
            chosen = Path(path)
            self.path_edit.setText(str(chosen if chosen.suffix.lower() == ext else chosen.with_suffix(ext)))

    # -- what tests replace ---------------------------------------------------------------------
    @classmethod
    def ask_save_path(cls, parent: QWidget, *, start: str, filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Export stock report", start, filter)
        return path or None

    @classmethod
    def ask(cls, parent: QWidget | None, *, locations: Sequence[Location], store: str, folder: Path,
            can_filter_changes: bool = True) -> ExportChoice | None:
        """Modal; tests monkeypatch this classmethod."""
        dialog = cls(locations=locations, store=store, folder=folder, parent=parent,
                     can_filter_changes=can_filter_changes)
        try:
            return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    @classmethod
    def written(cls, parent: QWidget | None, *, text: str) -> str | None:
        """After writing: "open", "folder" or None (Close). Tests monkeypatch this classmethod."""
        box = QMessageBox(QMessageBox.Icon.Information, "Stock report written", text, QMessageBox.StandardButton.NoButton,
                          parent)
        box.setAccessibleName("Stock report written")
        open_button = box.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
        folder_button = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(open_button)
        box.exec()
        clicked = box.clickedButton()
        return "open" if clicked is open_button else "folder" if clicked is folder_button else None

    @classmethod
    def show_path(cls, path: Path) -> bool:
        """Open a file or folder with the desktop's own program. Tests monkeypatch this."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
