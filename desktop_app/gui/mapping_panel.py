"""The mapping panel: what each column was read as, and the controls to change it.

Per-column role dropdowns (the same vocabulary as ``--map``), the identity key, saved mapping
profiles, and a dropdown per unknown location name to match it to a real location. Nothing here
runs the pipeline: any change emits ``changed`` (the review page checks again once the controls
stay still), "Check again now" and a profile emit ``recheck_requested(ImportOptions)``.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktop_app.core.mapping import normalise
from desktop_app.core.models import KeyKind, Location
from desktop_app.core.resolve import DuplicatePolicy
from desktop_app.core.words import plural
from desktop_app.engine.sheet_choice import COMMON_ENCODINGS, encoding_name
from desktop_app.gui.sheet_preview import SheetPreview
from desktop_app.gui.words import window_words

if TYPE_CHECKING:
    from desktop_app.engine.prepare import ImportOptions, Preview

PLAIN_ROLES = ["sku", "barcode", "variant-id", "external-id", "location", "available", "adjust", "seen",
               "info", "ignore"]
ROLE_LABELS = {"sku": "SKU", "barcode": "Barcode", "variant-id": "Variant ID", "external-id": "External ID",
               "location": "Location", "available": "Stock level (set)", "adjust": "Stock change (adjust)",
               "seen": "Level seen (stale check)", "info": "Information only", "ignore": "Ignore"}
DUPLICATE_CHOICES = [("Mark both rows invalid", DuplicatePolicy.ERROR), ("Keep the last row", DuplicatePolicy.LAST),
                     ("Add up adjustments", DuplicatePolicy.SUM)]
KEY_CHOICES = [("Automatic (SKU, then barcode)", None)] + [(k.name.replace("_", " ").title().replace("Sku", "SKU"), k)
                                                           for k in KeyKind]


def role_choices(locations: list[Location]) -> list[tuple[str, str]]:
    """(label, override value) for every role a column can take."""
    out = [(ROLE_LABELS[r], r) for r in PLAIN_ROLES]
    for loc in locations:
        out.append((f"Stock level at {loc.name}", f"available:{loc.name}"))
        out.append((f"Stock change at {loc.name}", f"adjust:{loc.name}"))
    return out


def unknown_locations(preview: "Preview") -> list[str]:
    """Location names written in the sheet that match no store location (nor a known alias).
    Plain Python over the sheet's one location column: run it in the worker."""
    col = preview.mapping.location_column()
    if col is None:
        return []
    known = {normalise(loc.name) for loc in preview.catalog.locations} | {loc.id for loc in preview.catalog.locations}
    known |= {normalise(a) for a in preview.options.location_aliases}
    values = {cells[col.index] for _, cells in preview.sheet.rows if col.index < len(cells)}
    return sorted({str(v).strip() for v in values if v not in (None, "") and normalise(v) not in known
                   and str(v).strip() not in known}, key=str.lower)


def sample_values(preview: "Preview", *, per_column: int = 3, scan: int = 200) -> dict[int, list[str]]:
    """The first few distinct non-empty values of each column (from the first ``scan`` rows)."""
    out: dict[int, list[str]] = {}
    for _, cells in preview.sheet.rows[:scan]:
        for i, v in enumerate(cells):
            if v in (None, ""):
                continue
            seen = out.setdefault(i, [])
            text = str(v)[:24]
            if len(seen) < per_column and text not in seen:
                seen.append(text)
    return out


class MappingPanel(QWidget):
    recheck_requested = Signal(object)     # ImportOptions
    changed = Signal()                     # a role, the key, a location match, the sheet or header row
    alias_forgotten = Signal(str)          # a remembered location match the user forgot
    profile_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Column mapping")
        self._options: ImportOptions | None = None
        self._preview: Preview | None = None
        self._locations: list[Location] = []
        self._role_boxes: list[tuple[str, QComboBox, str]] = []
        self._alias_boxes: dict[str, QComboBox] = {}
        self._forgotten: set[str] = set()

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        sheet_box = QGroupBox("The sheet as read")
        sl = QVBoxLayout(sheet_box)
        self.sheet_preview = SheetPreview()
        self.sheet_preview.changed.connect(self.changed)
        sl.addWidget(self.sheet_preview)
        outer.addWidget(sheet_box, 3)

        columns_box = QGroupBox("Columns")
        cl = QVBoxLayout(columns_box)
        self.layout_label = QLabel()
        self.layout_label.setWordWrap(True)
        self.layout_label.setAccessibleName("Detected layout")
        cl.addWidget(self.layout_label)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Column (sample values)", "Read as", "Confidence"])
        self.table.setAccessibleName("Column roles")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 140)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        cl.addWidget(self.table)
        outer.addWidget(columns_box, 5)

        side = QVBoxLayout()
        key_box = QGroupBox("Identify variants by")
        kl = QVBoxLayout(key_box)
        self.key_combo = QComboBox()
        self.key_combo.setAccessibleName("Identity key")
        for label, key in KEY_CHOICES:
            self.key_combo.addItem(label, key)
        self.key_combo.currentIndexChanged.connect(self.changed)
        kl.addWidget(self.key_combo)
        self.duplicates_combo = QComboBox()
        self.duplicates_combo.setAccessibleName("Same variant and location twice")
        self.duplicates_combo.setToolTip("Same variant and location twice in the sheet")
        for label, policy in DUPLICATE_CHOICES:
            self.duplicates_combo.addItem(label, policy.value)
        self.duplicates_combo.currentIndexChanged.connect(self.changed)
        kl.addWidget(QLabel("Same variant and location twice:"))
        kl.addWidget(self.duplicates_combo)
        side.addWidget(key_box)

        self.encoding_box = QGroupBox("Text encoding")   # a text sheet's; the same choice as --encoding
        el = QVBoxLayout(self.encoding_box)
        self.encoding_combo = QComboBox()
        self.encoding_combo.setAccessibleName("Text encoding of the sheet")
        self.encoding_combo.setToolTip("How the file's bytes are read as letters; another one reads the sheet again")
        self.encoding_combo.currentIndexChanged.connect(self.changed)
        el.addWidget(self.encoding_combo)
        side.addWidget(self.encoding_box)
        self.encoding_box.setVisible(False)

        self.locations_box = QGroupBox("Location names in the sheet")
        self.locations_form = QFormLayout(self.locations_box)
        side.addWidget(self.locations_box)

        profile_box = QGroupBox("Mapping profiles")
        pl = QHBoxLayout(profile_box)
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Saved mapping profiles")
        self.apply_profile_button = QPushButton("Use")
        self.apply_profile_button.setAccessibleName("Use the selected mapping profile")
        self.save_profile_button = QPushButton("Save as…")
        self.save_profile_button.setAccessibleName("Save this mapping as a profile")
        pl.addWidget(self.profile_combo, 1)
        pl.addWidget(self.apply_profile_button)
        pl.addWidget(self.save_profile_button)
        side.addWidget(profile_box)

        self.recheck_button = QPushButton("Check again now")
        self.recheck_button.setAccessibleName("Check the sheet again with this mapping")
        self.recheck_button.setToolTip("Ctrl+R")
        side.addWidget(self.recheck_button)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setMaximumWidth(270)
        side.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(side_widget, 2)

        self.recheck_button.clicked.connect(self._on_recheck_clicked)
        self.apply_profile_button.clicked.connect(self._on_apply_profile_clicked)
        self.save_profile_button.clicked.connect(self._on_save_profile_clicked)

    # -- filling ------------------------------------------------------------------------------
    def show_preview(self, preview: "Preview", *, unknown: list[str]) -> None:
        self._preview = preview
        self._options = preview.options
        self._locations = list(preview.catalog.locations)
        mapping = preview.mapping
        layout_text = {"long": "one row per variant and location", "wide": "one column per location",
                       "shopify": "a Shopify inventory export", "matrixify": "a Matrixify products sheet"}
        text = (f"Read as {layout_text.get(mapping.layout.value, mapping.layout.value)}; "
                f"header on row {preview.sheet.header_row}, {plural(len(preview.sheet.rows), 'data row')}.")
        if mapping.warnings:
            text += " " + window_words(" ".join(mapping.warnings))
        self.layout_label.setText(text)
        self.sheet_preview.show_sheet(preview.original or preview.sheet)
        choices = role_choices(self._locations)
        self.table.setRowCount(len(mapping.columns))
        self._role_boxes = []
        samples = sample_values(preview)
        for r, col in enumerate(mapping.columns):
            chosen = col.header in preview.options.overrides
            header_item = QTableWidgetItem((col.header or f"(column {col.index + 1})") + (" ✎" if chosen else ""))
            if chosen:
                font = header_item.font()
                font.setBold(True)
                header_item.setFont(font)
            # the sample values under the column's name
            examples = ", ".join(samples.get(col.index, [])) or "(empty)"
            header_item.setText(f"{header_item.text()}\n   {examples}")
            header_item.setToolTip(f"{col.header}: {examples}" + (" — you chose this column's role" if chosen else ""))
            self.table.setItem(r, 0, header_item)
            box = QComboBox()
            box.setAccessibleName(f"Role of column {col.header}")
            current = col.override()
            values = [v for _, v in choices]
            for label, value in choices:
                box.addItem(label, value)
            if current not in values:
                box.addItem(current, current)
            box.setCurrentIndex(box.findData(current))
            box.currentIndexChanged.connect(self.changed)
            self.table.setCellWidget(r, 1, box)
            # confidence belongs to automatic guesses only: a role the user chose is theirs
            conf = "your choice" if chosen else "not recognised" if col.confidence == 0 else f"{col.confidence:.0%}"
            item = QTableWidgetItem(conf)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, 2, item)
            self._role_boxes.append((col.header, box, current))
        with QSignalBlocker(self.key_combo), QSignalBlocker(self.duplicates_combo):
            self.key_combo.setCurrentIndex(max(0, self.key_combo.findData(preview.options.key)))
            self.duplicates_combo.setCurrentIndex(max(0, self.duplicates_combo.findData(preview.options.duplicates.value)))
        self._fill_encodings(preview)
        self._fill_unknown(unknown, remembered=preview.options.location_aliases)
        self.refresh_profiles()

    def _fill_encodings(self, preview: "Preview") -> None:
        """A text sheet's encodings: the one used, the others that fit it, then the common ones."""
        sheet = preview.sheet
        self.encoding_box.setVisible(sheet.encoding is not None)
        with QSignalBlocker(self.encoding_combo):   # filling is not choosing
            self.encoding_combo.clear()
            if sheet.encoding is None:
                return
            fitting = list(dict.fromkeys([sheet.encoding, *sheet.encodings]))
            for codec in fitting:
                also = "" if codec == sheet.encoding else " (also fits)"
                self.encoding_combo.addItem(encoding_name(codec) + also, codec)
            for codec in COMMON_ENCODINGS:
                if codec not in fitting:
                    self.encoding_combo.addItem(encoding_name(codec), codec)
            self.encoding_combo.setCurrentIndex(0)

    def _fill_unknown(self, unknown: list[str], *, remembered: dict[str, str]) -> None:
        """A dropdown per location name the store does not know, then the matches remembered for
        this store (changeable, or forgotten with their button)."""
        while self.locations_form.rowCount():
            self.locations_form.removeRow(0)
        self._alias_boxes = {}
        for name in [*unknown, *sorted(n for n in remembered if n not in unknown)]:
            box = QComboBox()
            box.setAccessibleName(f"Store location for '{name}'")
            box.addItem("(leave invalid)", None)
            for loc in self._locations:
                box.addItem(loc.name, loc.id)
            if name in remembered:
                box.setCurrentIndex(max(0, box.findData(remembered[name])))
            box.currentIndexChanged.connect(self.changed)
            row = QHBoxLayout()
            row.addWidget(box, 1)
            if name in remembered:
                forget = QPushButton("Forget")
                forget.setAccessibleName(f"Forget the match for '{name}'")
                forget.setToolTip("Stop matching this name for this store (it is remembered per store).")
                forget.clicked.connect(lambda _=False, n=name: self._on_forget_clicked(n))
                row.addWidget(forget)
            self.locations_form.addRow(QLabel(f"“{name}” is" + (" (remembered)" if name in remembered else "")), row)
            self._alias_boxes[name] = box
        self.locations_box.setVisible(bool(self._alias_boxes))

    def _on_forget_clicked(self, name: str) -> None:
        box = self._alias_boxes.get(name)
        if box is not None:
            self._forgotten.add(name)
            self.alias_forgotten.emit(name)
            box.setCurrentIndex(0)        # "(leave invalid)": emits ``changed``

    def refresh_profiles(self) -> None:
        from desktop_app.engine import profile_store
        current = self.profile_combo.currentText()
        self.profile_combo.clear()
        self.profile_combo.addItems(profile_store.names())
        if current:
            self.profile_combo.setCurrentText(current)
        self.apply_profile_button.setEnabled(self.profile_combo.count() > 0)

    # -- reading ------------------------------------------------------------------------------
    def alias_box(self, name: str) -> QComboBox:
        return self._alias_boxes[name]

    def role_box(self, header: str) -> QComboBox:
        return next(box for h, box, _ in self._role_boxes if h == header)

    def chosen_options(self) -> "ImportOptions":
        """The preview's options plus every change made in the panel."""
        assert self._options is not None
        overrides = dict(self._options.overrides)
        for header, box, detected in self._role_boxes:
            value = box.currentData()
            if value != detected or header in overrides:
                overrides[header] = value
        aliases = dict(self._options.location_aliases)
        for name, box in self._alias_boxes.items():
            if box.currentData():
                aliases[name] = box.currentData()
            else:
                aliases.pop(name, None)
        sheet, header_row = self.sheet_preview.chosen(sheet=self._options.sheet, header_row=self._options.header_row)
        key = self.key_combo.currentData()     # Qt hands a StrEnum back as its plain str
        encoding = self._options.encoding
        if self._preview is not None and self.encoding_combo.count() and \
                self.encoding_combo.currentData() != self._preview.sheet.encoding:
            encoding = self.encoding_combo.currentData()
        return dataclasses.replace(self._options, overrides=overrides, key=KeyKind(key) if key else None,
                                   sheet=sheet, header_row=header_row, encoding=encoding,
                                   duplicates=DuplicatePolicy(self.duplicates_combo.currentData() or "error"),
                                   location_aliases=aliases)

    def new_aliases(self) -> dict[str, str]:
        """Matches chosen here that differ from what the options had (to remember for the store)."""
        had = self._options.location_aliases if self._options else {}
        return {name: box.currentData() for name, box in self._alias_boxes.items()
                if box.currentData() and had.get(name) != box.currentData()}

    # -- slots --------------------------------------------------------------------------------
    def _on_recheck_clicked(self) -> None:
        if self._options is not None:
            self.recheck_requested.emit(self.chosen_options())

    def _on_apply_profile_clicked(self) -> None:
        from desktop_app.engine import profile_store
        if self._options is None or not self.profile_combo.currentText():
            return
        profile = profile_store.load(self.profile_combo.currentText())
        options = dataclasses.replace(self._options, overrides=dict(profile.overrides),
                                      key=profile.key or self._options.key,
                                      location_aliases={**self._options.location_aliases, **profile.location_aliases})
        self.recheck_requested.emit(options)

    def _on_save_profile_clicked(self) -> None:
        name = self.ask_profile_name(self)
        if name:
            self.save_profile(name)

    def save_profile(self, name: str) -> None:
        from desktop_app.core.profiles import MappingProfile
        from desktop_app.engine import profile_store
        options = self.chosen_options()
        overrides = dict(self._preview.mapping.to_overrides()) if self._preview else {}
        overrides.update(options.overrides)
        profile_store.save(MappingProfile(name=name, overrides=overrides, key=options.key,
                                          location_aliases=options.location_aliases))
        self.refresh_profiles()
        self.profile_combo.setCurrentText(name)
        self.profile_saved.emit(name)

    @classmethod
    def ask_profile_name(cls, parent: QWidget) -> str | None:
        """Modal; tests monkeypatch this classmethod."""
        name, ok = QInputDialog.getText(parent, "Save mapping profile",
                                        "Name for this mapping (e.g. the supplier):")
        return name.strip() if ok and name.strip() else None
