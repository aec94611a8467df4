"""The result page: what happened, in counts and rows, and what to do next."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.results import RunResult, Status
from desktop_app.gui.outcome_table import OutcomeTable
from desktop_app.gui.review_model import RESULT_HEADERS, Group, ReviewData
from desktop_app.gui.words import plural


@dataclass(slots=True)
class Finished:
    """A run's result with its rows ready for the table (built in the worker)."""

    result: RunResult
    data: ReviewData
    undoable: bool = True      # False for the result of an undo
    undoes: str | None = None  # the run an undo undid
    past: bool = False         # opened from History (not the run of the sheet on the review page)
    sheet: str | None = None   # a past run's sheet


def pending(result: RunResult) -> int:
    """Changes not sent (the run stopped before them)."""
    return sum(1 for o in result.outcomes if o.status is Status.PENDING)


def headline(result: RunResult, *, undoes: str | None = None) -> str:
    text = _headline(result)
    return f"Undo of run {undoes}: {text[0].lower()}{text[1:]}" if undoes else text


def _headline(result: RunResult) -> str:
    if result.cancelled:
        return (f"Stopped: {result.applied:,} of {_changes(result.changes)} applied before the run stopped; "
                f"{pending(result):,} not sent. Resume to write the rest.")
    if result.unverified:
        one = result.unverified == 1
        return (f"Written, not yet checked: {_changes(result.applied)} applied and read back; "
                f"{_changes(result.unverified)} {'was' if one else 'were'} accepted by the store but could not be "
                f"read back. Resume the run from History to check {'it' if one else 'them'}.")
    if result.failed or result.stale or result.invalid:
        return (f"Done, with problems: {_changes(result.applied)} applied and read back; "
                f"{plural(result.failed + result.stale + result.invalid, 'row')} "
                f"need{'s' if result.failed + result.stale + result.invalid == 1 else ''} attention. "
                "Save the error report, fix those rows and drop it back in.")
    if not result.applied:
        return "Nothing needed changing: the store already had every level in the sheet."
    if result.applied == 1:
        return "Done: the 1 change was applied and read back from the store at its target."
    return f"Done: all {result.applied:,} changes were applied, and each was read back from the store at its target."


def _changes(n: int) -> str:
    return plural(n, "change")


class ResultView(QWidget):
    save_report_requested = Signal()
    resume_requested = Signal(str)          # the stopped run's id
    undo_requested = Signal()
    history_requested = Signal()
    new_import_requested = Signal()

    COUNTS = (("applied", "Applied (verified)"), ("pending", "Not sent"), ("unverified", "Unverified"),
              ("unchanged", "Unchanged"), ("stale", "Stale"), ("failed", "Failed"), ("invalid", "Invalid"))

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
        self.resume_button = QPushButton("Resume")
        self.resume_button.setAccessibleName("Resume the stopped run")
        self.resume_button.setToolTip("Write the changes not sent yet (each exactly once).")
        self.undo_button = QPushButton("Undo this import")
        self.undo_button.setAccessibleName("Undo this import")
        self.history_button = QPushButton("History")
        self.history_button.setAccessibleName("Show the import history")
        self.new_button = QPushButton("Import another sheet…")
        self.new_button.setAccessibleName("Import another sheet")
        for b in (self.resume_button, self.save_report_button, self.undo_button, self.history_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        layout.addLayout(buttons)

        self.table = OutcomeTable(groups=(Group.ALL, Group.CHANGES, Group.UNCHANGED, Group.INVALID, Group.STALE,
                                          Group.FAILED), name="Result", headers=RESULT_HEADERS)
        layout.addWidget(self.table, 1)

        self.save_report_button.clicked.connect(self.save_report_requested)
        self.undo_button.clicked.connect(self.undo_requested)
        self.resume_button.clicked.connect(self._on_resume_button_clicked)
        self.history_button.clicked.connect(self.history_requested)
        self.new_button.clicked.connect(self.new_import_requested)
        self.result: RunResult | None = None

    def show_result(self, result: RunResult, data: ReviewData, *, can_undo: bool, has_history: bool,
                    undoable: bool = True, undoes: str | None = None, can_resume: bool = True) -> None:
        self.result = result
        self.headline.setText(headline(result, undoes=undoes))
        for attr, _ in self.COUNTS:
            value = pending(result) if attr == "pending" else getattr(result, attr)
            self.count_labels[attr].setText(f"{value:,}")
        self.resume_button.setVisible(bool(can_resume and result.run_id and (result.cancelled or result.unverified)))
        problems = bool(result.failed or result.stale or result.invalid or result.cancelled or result.unverified)
        self.save_report_button.setEnabled(problems)
        self.save_report_button.setToolTip("" if problems else "Every row went through: there is nothing to report.")
        self.undo_button.setVisible(can_undo)
        self.undo_button.setEnabled(can_undo and undoable and result.applied > 0 and bool(result.run_id))
        self.history_button.setVisible(has_history)
        self.table.set_review(data)
        self.table.set_group(Group.FAILED if result.failed else Group.ALL)

    def _on_resume_button_clicked(self) -> None:
        if self.result is not None and self.result.run_id:
            self.resume_requested.emit(self.result.run_id)
