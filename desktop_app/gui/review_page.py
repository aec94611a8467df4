"""The review page: the file, its mapping, the shape of the change, every row, and Apply.

Every choice that changes what gets written (the mapping panel's, and "Overwrite stale levels")
is sent as ``recheck_requested(ImportOptions)``: the window runs ``prepare`` again with it, so
what the page shows is always what Apply will do.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from desktop_app.gui.mapping_panel import MappingPanel, unknown_locations
from desktop_app.gui.outcome_table import OutcomeTable
from desktop_app.gui.review_model import Group, ReviewData
from desktop_app.gui.summary_strip import ChangeSummary, SummaryStrip

if TYPE_CHECKING:
    from desktop_app.engine.prepare import Preview


@dataclass(slots=True)
class Prepared:
    """Everything the review page shows, built in the worker thread."""

    preview: "Preview"
    data: ReviewData
    summary: ChangeSummary
    unknown: list[str]
    overwritten: int = 0     # stale levels that will be written anyway (the user chose to overwrite them)

    @classmethod
    def build(cls, preview: "Preview") -> "Prepared":
        return cls(preview=preview, data=ReviewData.build(preview.outcomes(), preview.catalog, sheet=preview.sheet,
                                                         mapping=preview.mapping),
                   summary=ChangeSummary.build(preview.plan.changes), unknown=unknown_locations(preview),
                   overwritten=overwritten_levels(preview))


def overwritten_levels(preview: "Preview") -> int:
    """How many planned writes replace a level that moved since the sheet was made (only when forced)."""
    if not preview.options.force_stale:
        return 0
    return sum(1 for c in preview.plan.changes if c.seen is not None and c.seen != c.before)


def _levels(n: int) -> str:
    return f"{n:,} level{'s' if n != 1 else ''}"


class ReviewPage(QWidget):
    submit_requested = Signal()
    recheck_requested = Signal(object)     # ImportOptions: check the sheet again with these

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Review")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.file_label = QLabel()
        self.file_label.setAccessibleName("Sheet being reviewed")
        self.file_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.mapping_toggle = QToolButton()
        self.mapping_toggle.setText("Column mapping")
        self.mapping_toggle.setAccessibleName("Show or hide the column mapping")
        self.mapping_toggle.setCheckable(True)
        self.mapping_toggle.setToolTip("Ctrl+M")
        self.mapping_toggle.setShortcut("Ctrl+M")
        top.addWidget(self.file_label, 1)
        top.addWidget(self.mapping_toggle)
        layout.addLayout(top)

        self.mapping = MappingPanel()
        self.mapping.setVisible(False)
        self.mapping.setMaximumHeight(300)
        self.mapping_toggle.toggled.connect(self.mapping.setVisible)
        self.mapping.recheck_requested.connect(self.recheck_requested)
        layout.addWidget(self.mapping)

        self.summary = SummaryStrip()
        layout.addWidget(self.summary)

        self.table = OutcomeTable(groups=(Group.ALL, Group.CHANGES, Group.UNCHANGED, Group.INVALID, Group.STALE),
                                  name="Review")
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.submit_button = QPushButton("Apply changes…")
        self.submit_button.setAccessibleName("Apply the changes to the store")
        self.submit_button.setToolTip("Ctrl+Enter")
        self.submit_button.clicked.connect(self.submit_requested)
        self.force_stale_box = QCheckBox("Overwrite stale levels (someone changed them since the sheet was made)")
        self.force_stale_box.setAccessibleName("Overwrite stale levels")
        self.force_stale_box.setToolTip("A level is stale when the store's level is no longer the one the sheet "
                                        "says you saw. Unchecked, those rows are not written; checked, the sheet's "
                                        "values replace them. Applies to this import only.")
        self.force_stale_box.toggled.connect(self._on_force_stale_box_toggled)
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.force_stale_box)
        bottom.addWidget(self.submit_button)
        layout.addLayout(bottom)
        self.prepared: Prepared | None = None

    def show_prepared(self, prepared: Prepared, *, store: str) -> None:
        self.prepared = prepared
        preview = prepared.preview
        sheet = preview.sheet
        where = f" — sheet “{sheet.sheet_name}”" if sheet.sheet_name and len(sheet.sheet_names) > 1 else ""
        self.file_label.setText(f"{Path(sheet.path).name}{where} → {store}")
        self.summary.set_summary(prepared.summary)
        self.table.set_review(prepared.data)
        self.mapping.show_preview(preview, unknown=prepared.unknown)
        self.sync_choices()
        self.force_stale_box.setVisible(preview.mapping.seen_column() is not None or preview.options.force_stale)
        counts = prepared.data.counts
        if prepared.unknown or preview.mapping.warnings:
            self.mapping_toggle.setChecked(True)
        changes = prepared.summary.changes
        self.submit_button.setEnabled(changes > 0 and not preview.write_problem)
        self.submit_button.setToolTip(preview.write_problem or "")
        if preview.write_problem:
            self.hint.setText(preview.write_problem)
        elif counts[Group.INVALID]:
            self.hint.setText(f"{counts[Group.INVALID]:,} rows are invalid and will not be written: the Invalid "
                              "filter shows why. Fix them now, or apply the rest and fix them from the error report.")
            self.table.set_group(Group.INVALID if not changes else Group.ALL)
        elif not changes:
            self.hint.setText("There is nothing to apply: every level already matches the store." if not
                              counts[Group.STALE] else "There is nothing else to apply.")
            self.table.set_group(Group.ALL)
        else:
            self.hint.setText("Check the changes, then apply them. Nothing is written before you confirm.")
            self.table.set_group(Group.ALL)
        if counts[Group.STALE]:
            self.hint.setText(f"{self.hint.text()} {_levels(counts[Group.STALE])} changed in the store since the "
                              "sheet was made and will not be written: the Stale filter lists them. Check "
                              "“Overwrite stale levels” to write the sheet's values anyway.")
        elif prepared.overwritten:
            self.hint.setText(f"{self.hint.text()} {_levels(prepared.overwritten)} changed in the store since the "
                              "sheet was made will be overwritten with the sheet's values.")
        if preview.notices:
            self.hint.setText(" ".join([self.hint.text(), *preview.notices]))

    def sync_choices(self) -> None:
        """Show the shown preview's own choices (this import's, never remembered ones)."""
        if self.prepared is not None:
            with QSignalBlocker(self.force_stale_box):
                self.force_stale_box.setChecked(self.prepared.preview.options.force_stale)

    def _on_force_stale_box_toggled(self, checked: bool) -> None:
        if self.prepared is not None:
            options = dataclasses.replace(self.mapping.chosen_options(), force_stale=checked)
            self.recheck_requested.emit(options)
