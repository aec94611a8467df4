"""Closing the window during a write asks; quitting stops the run cleanly, resumable; the next
launch (the demo store on another port) offers to resume it and finishes it. Loopback HTTP."""
from __future__ import annotations

from desktop_app.gui.submit_dialog import SubmitDialog

WAIT = 20_000


def test_quitting_during_a_write_asks_stops_cleanly_and_the_next_launch_resumes_it(qtbot, monkeypatch, tmp_path,
                                                                                     dialogs, sheet, open_window):
    state = tmp_path / "demo"
    window = open_window(state, latency_ms=40)
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: True))
    window.submit()
    qtbot.waitUntil(lambda: window.progress.bar.value() > 0, timeout=WAIT)
    dialogs.answer = False                       # "Stop writing and quit?" → Cancel: the window stays
    assert not window.close() and window.isVisible() and window.runner.is_running()
    assert any("Quitting stops the run cleanly" in t for t in dialogs.texts())
    dialogs.answer = True
    assert window.close()
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=WAIT)   # stopped, not killed
    assert window.finished is None or window.finished.result.cancelled
    first_url = window.workspace.info.url

    window2 = open_window(state)                  # a new launch: another port
    assert window2.workspace.info.url != first_url
    with qtbot.waitSignal(window2.runner.finished, timeout=WAIT):
        window2.offer_resume()
    qtbot.waitUntil(lambda: not window2.runner.is_running() and window2.finished is not None, timeout=WAIT)
    assert any("stopped with" in t and "not sent" in t for t in dialogs.texts())
    result = window2.finished.result
    assert not result.cancelled and result.failed == 0 and result.applied >= 1
    assert window2.stack.currentWidget() is window2.result_view
