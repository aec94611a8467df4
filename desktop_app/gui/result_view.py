"""The result page: what happened, in counts and rows, and what to do next."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.results import RunResult
from desktop_app.gui.outcome_table import OutcomeTable
from desktop_app.gui.review_model import RESULT_HEADERS, Group, ReviewData


def headline(result: RunResult) -> str:
    if result.cancelled:
        return (f"Stopped: {result.applied:,} of {result.changes:,} changes were applied before the run stopped. "
                "Resume it from History to write the rest.")
    if result.unverified:
        one = result.unverified == 1
        return (f"Written, not yet checked: {_changes(result.applied)} applied and read back; "
                f"{_changes(result.unverified)} {'was' if one else 'were'} accepted by the store but could not be "
                f"read back. Resume the run from History to check {'it' if one else 'them'}.")
    if result.failed or result.stale or result.invalid:
        return (f"Done, with problems: {_changes(result.applied)} applied and read back; "
                f"{result.failed + result.stale + result.invalid:,} rows need attention. "
                "Save the error report, fix those rows and drop it back in.")
    if not result.applied:
        return "Nothing needed changing: the store already had every level in the sheet."
    return f"Done: all {result.applied:,} changes were applied, and each was read back from the store at its target."


def _changes(n: int) -> str:
    return f"{n:,} change{'' if n == 1 else 's'}"


class ResultView(QWidget):
    save_report_requested = Signal()
    undo_requested = Signal()
    history_requested = Signal()
    new_import_requested = Signal()

    COUNTS = (("applied", "Applied (verified)"), ("unverified", "Unverified"), ("unchanged", "Unchanged"),
              ("stale", "Stale"), ("failed", "Failed"), ("invalid", "Invalid"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Import result")
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("Result")
        self.headline.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(self.headline)

        grid = QGridLayout()
        self.count_labels: dict[str, QLabel] = {}
        for i, (attr, label) in enumerate(self.COUNTS):
            value = QLabel("0")
            value.setStyleSheet("font-size: 20px; font-weight: 600;")
            value.setAccessibleName(f"{label} count")
            grid.addWidget(value, 0, i)
            grid.addWidget(QLabel(label), 1, i)
            self.count_labels[attr] = value
        layout.addLayout(grid)

        buttons = QHBoxLayout()
        self.save_report_button = QPushButton("Save error report…")
        self.save_report_button.setAccessibleName("Save the error report")
        self.undo_button = QPushButton("Undo this import")
        self.undo_button.setAccessibleName("Undo this import")
        self.history_button = QPushButton("History")
        self.history_button.setAccessibleName("Show the import history")
        self.new_button = QPushButton("Import another sheet…")
        self.new_button.setAccessibleName("Import another sheet")
        for b in (self.save_report_button, self.undo_button, self.history_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        layout.addLayout(buttons)

        self.table = OutcomeTable(groups=(Group.ALL, Group.CHANGES, Group.UNCHANGED, Group.INVALID, Group.STALE,
                                          Group.FAILED), name="Result", headers=RESULT_HEADERS)
        layout.addWidget(self.table, 1)

        self.save_report_button.clicked.connect(self.save_report_requested)
        self.undo_button.clicked.connect(self.undo_requested)
        self.history_button.clicked.connect(self.history_requested)
        self.new_button.clicked.connect(self.new_import_requested)
        self.result: RunResult | None = None

    def show_result(self, result: RunResult, data: ReviewData, *, can_undo: bool, has_history: bool,
                    undoable: bool = True) -> None:
        self.result = result
        self.headline.setText(headline(result))
        for attr, _ in self.COUNTS:
            self.count_labels[attr].setText(f"{getattr(result, attr):,}")
        problems = bool(result.failed or result.stale or result.invalid or result.cancelled or result.unverified)
        self.save_report_button.setEnabled(problems)
        self.save_report_button.setToolTip("" if problems else "Every row went through: there is nothing to report.")
        self.undo_button.setVisible(can_undo)
        self.undo_button.setEnabled(can_undo and undoable and result.applied > 0 and bool(result.run_id))
        self.history_button.setVisible(has_history)
        self.table.set_review(data)
        self.table.set_group(Group.FAILED if result.failed else Group.ALL)
