"""Closing the window during a write asks; quitting stops the run cleanly, resumable; the next
launch (the demo store on another port) offers to resume it and finishes it. Loopback HTTP."""
from __future__ import annotations

import shutil

from desktop_app.app import DemoStore, build_window
from desktop_app.gui.submit_dialog import SubmitDialog

from .conftest import SAMPLES

WAIT = 20_000


def test_quitting_during_a_write_asks_stops_cleanly_and_the_next_launch_resumes_it(qtbot, monkeypatch, tmp_path,
                                                                                     dialogs):
    sheet = tmp_path / "count.csv"
    shutil.copy(SAMPLES / "demo-long.csv", sheet)
    state = tmp_path / "demo"
    store = DemoStore(state_dir=state, latency_ms=40)
    ws = store.workspace()
    window = build_window(ws)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
            window.open_file(sheet)
        changes = window.review_page.prepared.summary.changes
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
    finally:
        ws.close()
        store.stop()

    again = DemoStore(state_dir=state)               # a new launch: another port
    assert again.server.url != store.server.url
    ws2 = again.workspace()
    window2 = build_window(ws2)
    qtbot.addWidget(window2)
    window2.show()
    try:
        with qtbot.waitSignal(window2.runner.finished, timeout=WAIT):
            window2.offer_resume()
        qtbot.waitUntil(lambda: not window2.runner.is_running() and window2.finished is not None, timeout=WAIT)
        assert any("stopped with" in t and "not sent" in t for t in dialogs.texts())
        result = window2.finished.result
        assert not result.cancelled and result.failed == 0
        assert window2.stack.currentWidget() is window2.result_view
        assert result.applied + result.unchanged >= 1 and changes > 0
    finally:
        window2.close()
        ws2.close()
        again.stop()
