"""The progress line under the window's content: what is happening, done/total, req/s, ETA, Cancel.

It is shown only when a job has been running for a while (JobRunner.slowed), so quick work
never flashes it.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop_app.core.progress import Progress, SmoothedEta


def describe(p: Progress, *, eta: float | None = None) -> str:
    """``Progress`` as the one line the user reads (``eta``: the smoothed time left)."""
    if p.stage == "submit":
        text = f"Writing changes: {p.done:,} of {p.total:,}"
        if p.rate:
            text += f" · {p.rate:.1f} requests/s"
        if eta is not None:
            text += f" · about {format_duration(eta)} left"
        return text
    return p.message or f"{p.stage.capitalize()}: {p.done:,} of {p.total:,}"


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ProgressPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Progress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setAccessibleName("Progress message")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Progress bar")
        self.bar.setMaximumWidth(320)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running job")
        self.cancel_button.setToolTip("Stop cleanly (Esc). A stopped import can be resumed from History.")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._eta = SmoothedEta()
        self.hide()

    def begin(self, text: str, *, cancellable: bool = True) -> None:
        self.label.setText(text)
        self._eta = SmoothedEta()
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.setText("Cancel")

    def show_progress(self, p: Progress) -> None:
        eta = self._eta.update(p.done, p.total) if p.stage == "submit" else None
        self.label.setText(describe(p, eta=eta))
        if p.total > 0:
            self.bar.setRange(0, p.total)
            self.bar.setValue(min(p.done, p.total))
            self.bar.setFormat(f"{p.done:,} / {p.total:,}")

    def _on_cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.label.setText("Stopping after the request in flight…")
        self.cancel_requested.emit()
