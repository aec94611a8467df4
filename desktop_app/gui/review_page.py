"""The review page: the file, its mapping, the shape of the change, every row, and Apply."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

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

    @classmethod
    def build(cls, preview: "Preview") -> "Prepared":
        return cls(preview=preview, data=ReviewData.build(preview.outcomes(), preview.catalog, sheet=preview.sheet,
                                                         mapping=preview.mapping),
                   summary=ChangeSummary.build(preview.plan.changes), unknown=unknown_locations(preview))


class ReviewPage(QWidget):
    submit_requested = Signal()

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
        bottom.addWidget(self.hint, 1)
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
        counts = prepared.data.counts
        if prepared.unknown or preview.mapping.warnings:
            self.mapping_toggle.setChecked(True)
        changes = prepared.summary.changes
        self.submit_button.setEnabled(changes > 0)
        if counts[Group.INVALID]:
            self.hint.setText(f"{counts[Group.INVALID]:,} rows are invalid and will not be written: the Invalid "
                              "filter shows why. Fix them now, or apply the rest and fix them from the error report.")
            self.table.set_group(Group.INVALID if not changes else Group.ALL)
        elif not changes:
            self.hint.setText("There is nothing to apply: every level already matches the store.")
            self.table.set_group(Group.ALL)
        else:
            self.hint.setText("Check the changes, then apply them. Nothing is written before you confirm.")
            self.table.set_group(Group.ALL)
