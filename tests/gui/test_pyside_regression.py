"""PySide6 6.12.0 aborts on Python 3.11 (`none_dealloc`) after a few thousand Qt calls.
This makes 100,000 calls so a dependency bump that brings it back fails here, not for users."""
from __future__ import annotations


def test_hundred_thousand_progressbar_updates_do_not_abort(qtbot):
    from PySide6.QtWidgets import QProgressBar

    bar = QProgressBar()
    qtbot.addWidget(bar)
    bar.setRange(0, 99_999)
    for i in range(100_000):
        bar.setValue(i)
    assert bar.value() == 99_999
