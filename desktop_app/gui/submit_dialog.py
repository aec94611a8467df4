"""The confirmation before anything is written: it says exactly what will happen."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop_app.engine.guards import Tripped

from desktop_app.gui.review_model import Group
from desktop_app.gui.summary_strip import ChangeSummary
from desktop_app.gui.words import plural, units

if TYPE_CHECKING:
    from desktop_app.gui.review_page import Prepared


def describe_submit(*, summary: ChangeSummary, requests: int, store: str, invalid: int, stale: int,
                    overwritten: int = 0, notices: list[str] = (), takes: str = "") -> str:
    """The confirmation text (plain sentences, tested without a window).

    ``overwritten``: levels that changed since the sheet was made and that the user chose to
    overwrite anyway; ``stale``: those that will not be written."""
    lines = [f"Stocksheet will write {plural(summary.changes, 'stock level')} to {store} in {plural(requests, 'request')}: "
             f"{units(summary.up, summary.down)} in total."]
    for t in summary.locations:
        lines.append(f"• {t.name}: {plural(t.changes, 'level')} ({units(t.up, t.down)})")
    if overwritten:
        lines.append(f"{overwritten:,} level{'s' if overwritten != 1 else ''} changed since the sheet was made "
                     f"will be overwritten with the sheet's value{'s' if overwritten != 1 else ''}.")
    skipped = []
    if invalid:
        skipped.append(f"{invalid:,} invalid row{'s' if invalid != 1 else ''}")
    if stale:
        skipped.append(f"{stale:,} stale level{'s' if stale != 1 else ''}")
    if skipped:
        lines.append(f"Not written: {' and '.join(skipped)} (they go in the error report).")
    lines.extend(notices)
    if takes:
        lines.append(takes)
    lines.append("Every change is journalled and read back from the store once written: you can stop at any "
                 "time, resume later, or undo the import.")
    return "\n".join(lines)


def describe_duration(estimate: tuple[int, float | None] | None, *, platform: str, burst: int,
                      per_second: float) -> str:
    """How long the write should take, from the platform's documented rate and the request count."""
    if not estimate:
        return ""
    requests, seconds = estimate
    if seconds is None:
        return f"Writing and checking takes about {plural(requests, 'request')}."
    if seconds < 5:
        when = "a few seconds"
    else:
        from desktop_app.gui.progress_panel import format_duration
        when = f"about {format_duration(seconds)}"
    return (f"It should take {when}: {plural(requests, 'request')} (writes, a fresh read before them and a read-back "
            f"after) at {platform}'s rate of {per_second:g} a second after a burst of {burst:,}.")


def describe_prepared(prepared: "Prepared", *, store: str, capabilities=None) -> str:
    """The confirmation text for what the review page shows."""
    counts = prepared.data.counts
    caps = capabilities or prepared.preview.capabilities
    takes = describe_duration(prepared.estimate, platform=caps.display_name, burst=caps.rate_burst,
                              per_second=caps.rate_per_second)
    return describe_submit(summary=prepared.summary, requests=prepared.preview.plan.requests, store=store,
                           invalid=counts[Group.INVALID], stale=counts[Group.STALE], overwritten=prepared.overwritten,
                           notices=prepared.preview.notices, takes=takes)


#: the guards' lines and their choice are red: a mass change is the one thing not to click through
GUARD_STYLE = "color: #d32f2f; font-weight: 600;"


class SubmitDialog(QDialog):
    def __init__(self, text: str, parent: QWidget | None = None, *, guards: Sequence[Tripped] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("Apply these changes?")
        self.setAccessibleName("Confirm the import")
        layout = QVBoxLayout(self)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setAccessibleName("What will happen")
        layout.addWidget(self.label)
        self.guard_label = QLabel("\n".join(t.message for t in guards))
        self.guard_label.setWordWrap(True)
        self.guard_label.setAccessibleName("Guards tripped")
        self.guard_label.setStyleSheet(GUARD_STYLE)
        self.allow_box = QCheckBox("Allow this mass change: I mean it (like --allow-mass-change)")
        self.allow_box.setAccessibleName("Allow this mass change")
        self.allow_box.setStyleSheet(GUARD_STYLE)
        for widget in (self.guard_label, self.allow_box):
            widget.setVisible(bool(guards))
            layout.addWidget(widget)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton("Apply changes", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(not guards)       # a tripped guard is passed only on purpose
        self.allow_box.toggled.connect(self.apply_button.setEnabled)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    @classmethod
    def confirm(cls, parent: QWidget | None, *, text: str) -> bool:
        """Modal; tests monkeypatch this classmethod."""
        dialog = cls(text, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    @classmethod
    def confirm_mass_change(cls, parent: QWidget | None, *, text: str, guards: Sequence[Tripped]) -> bool:
        """The same confirmation when the plan trips a guard (``engine.guards``): the guards and
        their numbers in red, and Apply enabled only once "Allow this mass change" is ticked.
        Modal; tests monkeypatch this classmethod."""
        dialog = cls(text, parent, guards=guards)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted and dialog.allow_box.isChecked()
        finally:
            dialog.deleteLater()
