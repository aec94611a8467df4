"""The review page: the file, its mapping, the shape of the change, every row, and Apply.

Every choice that changes what gets written (the mapping panel's, and "Overwrite stale levels")
makes the page *outdated*: Apply is off at once, and after ``RECHECK_DELAY_MS`` without another
change the page sends ``recheck_requested(ImportOptions)``; the window runs ``prepare`` again in
the background and hands the new preview back. The page is *current* again only when the shown
preview was made with the options the controls say, so Apply always writes what the page shows.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from desktop_app.core.edits import merge_edits
from desktop_app.core.mapping import KEY_ROLES
from desktop_app.engine.guards import Tripped, check as check_guards
from desktop_app.engine.prepare import change_outcome
from desktop_app.gui.mapping_panel import MappingPanel, unknown_locations
from desktop_app.gui.outcome_table import OutcomeTable
from desktop_app.gui.review_model import Group, ReviewData
from desktop_app.gui.summary_strip import ChangeSummary, SummaryStrip
from desktop_app.gui.words import plural, window_words

if TYPE_CHECKING:
    from desktop_app.engine.prepare import ImportOptions, Preview

#: how long the controls must stay still before the sheet is checked again
RECHECK_DELAY_MS = 350


@dataclass(slots=True)
class Prepared:
    """Everything the review page shows, built in the worker thread."""

    preview: "Preview"
    data: ReviewData
    summary: ChangeSummary
    unknown: list[str]
    overwritten: int = 0     # stale levels that will be written anyway (the user chose to overwrite them)
    estimate: tuple[int, float | None] | None = None   # (requests, seconds) the write should take
    guards: list[Tripped] = field(default_factory=list)  # the mass-change guards it trips (Apply asks again)

    @classmethod
    def build(cls, preview: "Preview", *, previous: "Prepared | None" = None) -> "Prepared":
        """``previous``: the check shown while this one ran (a re-check); its row outcomes and
        label lookups are shared wherever they are equal, so the two never exist twice."""
        if previous is None:
            outcomes = preview.outcomes()
        else:
            shown = previous.data
            outcomes = [shown.shared(o) for o in preview.row_problems()]
            outcomes += [shown.shared(change_outcome(c)) for c in preview.changes]
        data = ReviewData.build(outcomes, preview.catalog, sheet=preview.sheet, mapping=preview.mapping,
                                original=preview.original, edited=set(preview.options.edits),
                                changes=preview.changes, previous=previous.data if previous else None)
        return cls(preview=preview, data=data,
                   summary=ChangeSummary.build(preview.plan.changes), unknown=unknown_locations(preview),
                   overwritten=overwritten_levels(preview), guards=check_guards(preview))


def overwritten_levels(preview: "Preview") -> int:
    """How many planned writes replace a level that moved since the sheet was made (only when forced)."""
    if not preview.options.force_stale:
        return 0
    return sum(1 for c in preview.plan.changes if c.seen is not None and c.seen != c.before)


def mapping_hint(preview: "Preview") -> str:
    """Why no row can be read with this mapping, in the window's words (its controls, never flags)."""
    m, key = preview.mapping, preview.options.key
    if key is not None and not any(KEY_ROLES[c.role] is key for c in m.key_columns()):
        what = f"No column is read as the {key.value.replace('-', ' ')}"
        fix = "choose that role for a column under “Read as”, or another key under “Identify variants by”"
    elif not m.key_columns():
        what = "No column is read as the SKU, barcode or variant ID"
        fix = "choose the role of the column that identifies each variant under “Read as”"
    else:
        what = "No column is read as a stock level or change"
        fix = "choose “Stock level (set)” or “Stock change (adjust)” under “Read as” for the quantity column"
    return (f"{what}, so no row can be checked yet: {fix} in the column mapping above, or pick another "
            "header row in “The sheet as read”. Nothing is written until the rows check out.")


def _levels(n: int) -> str:
    return f"{n:,} level{'s' if n != 1 else ''}"


class ReviewPage(QWidget):
    submit_requested = Signal()
    save_corrected_requested = Signal()
    recheck_requested = Signal(object)     # ImportOptions: check the sheet again with these
    state_changed = Signal()               # became current or outdated (the window updates its actions)

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
        self.mapping.setMaximumHeight(330)
        self.mapping_toggle.toggled.connect(self.mapping.setVisible)
        self.mapping.recheck_requested.connect(self._on_mapping_recheck_requested)
        self.mapping.changed.connect(self.mark_changed)
        layout.addWidget(self.mapping)

        self.summary = SummaryStrip()
        layout.addWidget(self.summary)

        self.table = OutcomeTable(groups=(Group.ALL, Group.CHANGES, Group.UNCHANGED, Group.INVALID, Group.STALE,
                                          Group.OTHER), name="Review", editable=True)
        self.table.model.cell_edited.connect(self._on_table_cell_edited)
        self.table.fix_requested.connect(self._on_table_fix_requested)
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
        self.force_stale_box.toggled.connect(self.mark_changed)
        self.save_corrected_button = QPushButton("Save corrected sheet…")
        self.save_corrected_button.setAccessibleName("Save a copy of the sheet with the cells fixed here")
        self.save_corrected_button.setToolTip("The original file is never changed: this writes a copy with your fixes.")
        self.save_corrected_button.clicked.connect(self.save_corrected_requested)
        self.save_corrected_button.setVisible(False)
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.save_corrected_button)
        bottom.addWidget(self.force_stale_box)
        bottom.addWidget(self.submit_button)
        layout.addLayout(bottom)
        self.prepared: Prepared | None = None
        self._wanted: ImportOptions | None = None    # what the controls say, while it differs from the shown
        self._debounce = QTimer(self)
        self._debounce.setObjectName("recheck debounce")
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(RECHECK_DELAY_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)

    # -- current or outdated ------------------------------------------------------------------
    def is_current(self) -> bool:
        """True when the shown preview was made with what the controls say (Apply may write it)."""
        return (self.prepared is not None and not self._debounce.isActive()
                and (self._wanted is None or self._wanted == self.prepared.preview.options))

    def can_apply(self) -> bool:
        p = self.prepared
        return (self.is_current() and p is not None and p.summary.changes > 0 and not p.preview.write_problem
                and not p.preview.mapping_problem)

    def wanted_options(self) -> "ImportOptions":
        options = self.mapping.chosen_options()
        edits = self.prepared.preview.options.edits if self.prepared is not None else {}
        return dataclasses.replace(options, force_stale=self.force_stale_box.isChecked(), edits=edits)

    def mark_changed(self) -> None:
        """A control changed: Apply goes off now; the sheet is checked again once they stay still."""
        if self.prepared is None:
            return
        self._wanted = self.wanted_options()
        if self._wanted == self.prepared.preview.options:      # changed back: the shown plan is current
            self._debounce.stop()
            self._wanted = None
            self._show_hint()
        else:
            self._debounce.start()
            self.hint.setText("Checking the sheet again with your changes… Apply is available once the new "
                              "check is shown.")
        self.submit_button.setEnabled(self.can_apply())
        self.state_changed.emit()

    def _on_debounce_timeout(self) -> None:
        if self._wanted is not None:
            self.recheck_requested.emit(self._wanted)

    def _on_mapping_recheck_requested(self, options: "ImportOptions") -> None:
        """"Check again now" or a profile: checked at once, without waiting for the controls."""
        self._debounce.stop()
        self._wanted = dataclasses.replace(options, force_stale=self.force_stale_box.isChecked())
        self.submit_button.setEnabled(False)
        self.state_changed.emit()
        self.recheck_requested.emit(self._wanted)

    def _on_table_cell_edited(self, row: int, header: str, value: object) -> None:
        self._on_table_fix_requested([row], header, value)

    def _on_table_fix_requested(self, rows: list[int], header: str, value: object) -> None:
        """Cells fixed in the table or the detail pane: checked again at once (the file stays as it is)."""
        if self.prepared is None or not rows:
            return
        base = self._wanted or self.wanted_options()
        edits = merge_edits(base.edits, {r: {header: value} for r in rows})
        self._on_mapping_recheck_requested(dataclasses.replace(base, edits=edits))

    def revert_choices(self) -> None:
        """A re-check failed or was cancelled: the controls go back to what the shown preview used."""
        self._debounce.stop()
        self._wanted = None
        if self.prepared is not None:
            self.mapping.show_preview(self.prepared.preview, unknown=self.prepared.unknown)
            self.sync_choices()
            self._show_hint()
        self.state_changed.emit()

    # -- showing --------------------------------------------------------------------------------
    def show_prepared(self, prepared: Prepared, *, store: str) -> None:
        self.prepared = prepared
        if self._wanted is not None and self._wanted != prepared.preview.options:
            # an older check landed while newer choices wait: keep the controls, stay outdated
            self._show_content(prepared, store=store, controls=False)
            return
        self._wanted = None
        self._show_content(prepared, store=store, controls=True)

    def _show_content(self, prepared: Prepared, *, store: str, controls: bool) -> None:
        preview = prepared.preview
        sheet = preview.sheet
        where = f" — sheet “{sheet.sheet_name}”" if sheet.sheet_name and len(sheet.sheet_names) > 1 else ""
        self.file_label.setText(f"{Path(sheet.path).name}{where} → {store}")
        self.summary.set_summary(prepared.summary)
        self.table.set_review(prepared.data)
        if controls:
            self.mapping.show_preview(preview, unknown=prepared.unknown)
            self.sync_choices()
        self.force_stale_box.setVisible(preview.mapping.seen_column() is not None or preview.options.force_stale)
        self.save_corrected_button.setVisible(bool(preview.options.edits))
        if prepared.unknown or preview.mapping.warnings or preview.mapping_problem:
            self.mapping_toggle.setChecked(True)
        self.submit_button.setEnabled(self.can_apply())
        self.submit_button.setToolTip(preview.write_problem or "")
        counts = prepared.data.counts
        self.table.set_group(Group.INVALID if counts[Group.INVALID] and not prepared.summary.changes else Group.ALL)
        self._show_hint()
        self.state_changed.emit()

    def _show_hint(self) -> None:
        prepared = self.prepared
        if prepared is None:
            return
        preview, counts, changes = prepared.preview, prepared.data.counts, prepared.summary.changes
        if preview.mapping_problem:
            self.hint.setText(mapping_hint(preview))
            return
        if preview.write_problem:
            self.hint.setText(preview.write_problem)
        elif counts[Group.INVALID]:
            one = counts[Group.INVALID] == 1
            self.hint.setText(f"{plural(counts[Group.INVALID], 'row')} {'is' if one else 'are'} invalid and will not be "
                              "written: the Invalid "
                              "filter shows why. Fix them now, or apply the rest and fix them from the error report.")
        elif not changes:
            self.hint.setText("There is nothing to apply: every level already matches the store." if not
                              counts[Group.STALE] else "There is nothing else to apply.")
        else:
            self.hint.setText("Check the changes, then apply them. Nothing is written before you confirm.")
        if counts[Group.STALE]:
            self.hint.setText(f"{self.hint.text()} {_levels(counts[Group.STALE])} changed in the store since the "
                              "sheet was made and will not be written: the Stale filter lists them. Check "
                              "“Overwrite stale levels” to write the sheet's values anyway.")
        elif prepared.overwritten:
            self.hint.setText(f"{self.hint.text()} {_levels(prepared.overwritten)} changed in the store since the "
                              "sheet was made will be overwritten with the sheet's values.")
        if preview.notices:
            self.hint.setText(window_words(" ".join([self.hint.text(), *preview.notices])))

    def sync_choices(self) -> None:
        """Show the shown preview's own choices (this import's, never remembered ones)."""
        if self.prepared is not None:
            with QSignalBlocker(self.force_stale_box):
                self.force_stale_box.setChecked(self.prepared.preview.options.force_stale)

