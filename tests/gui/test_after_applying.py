"""After applying: Before/After columns, a "Not sent" count and a Resume button on a stopped
run's result, and an undo's result that names the run it undid. Demo store over loopback."""
from __future__ import annotations

import shutil

from PySide6.QtCore import Qt

from desktop_app.app import DemoStore, build_window
from desktop_app.gui.review_model import Column
from desktop_app.gui.submit_dialog import SubmitDialog

from .conftest import SAMPLES

WAIT = 20_000


def test_a_stopped_run_shows_what_was_not_sent_and_resumes_from_its_result(qtbot, monkeypatch, tmp_path):
    sheet = tmp_path / "count.csv"
    shutil.copy(SAMPLES / "demo-long.csv", sheet)
    store = DemoStore(state_dir=tmp_path / "slow", latency_ms=40)
    ws = store.workspace()
    window = build_window(ws)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
            window.open_file(sheet)
        changes = window.review_page.prepared.summary.changes
        monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: True))
        stop = lambda p: window.progress.cancel_button.click() if p.stage == "submit" and p.done else None  # noqa: E731
        window.runner.progressed.connect(stop)
        with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
            window.submit()
        window.runner.progressed.disconnect(stop)
        view, result = window.result_view, window.finished.result
        not_sent = changes - result.applied - result.unverified
        assert result.cancelled and not_sent > 0
        assert view.count_labels["pending"].text() == f"{not_sent:,}"
        assert f"{not_sent:,} not sent" in view.headline.text()
        assert view.table.model.headerData(Column.LIVE, Qt.Orientation.Horizontal) == "Before"
        assert view.table.model.headerData(Column.NEW, Qt.Orientation.Horizontal) == "After"
        assert not view.resume_button.isHidden()
        with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
            view.resume_button.click()
        resumed = window.finished.result
        assert not resumed.cancelled and view.count_labels["pending"].text() == "0"
        assert view.resume_button.isHidden()
    finally:
        window.close()
        ws.close()
        store.stop()


def test_the_result_of_an_undo_names_the_run_it_undid(qtbot, window, tmp_path, monkeypatch, dialogs):
    small = tmp_path / "one.csv"
    small.write_text("SKU,Location,Available\nTS-BLK-S,Main Warehouse,77\n", encoding="utf-8")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(small)
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.submit()
    run_id = window.finished.result.run_id
    assert window.result_view.headline.text().startswith("Done: the 1 change was applied")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.result_view.undo_button.click()
    dialogs.texts()
    assert window.result_view.headline.text().startswith(f"Undo of run {run_id}: ")
