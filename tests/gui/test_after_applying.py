"""After applying: Before/After columns, a "Not sent" count and a Resume button on a stopped
run's result, and an undo's result that names the run it undid. Demo store over loopback."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.gui.review_model import Column
from desktop_app.gui.submit_dialog import SubmitDialog

WAIT = 20_000


def test_a_stopped_run_shows_what_was_not_sent_and_resumes_from_its_result(qtbot, monkeypatch, tmp_path, sheet,
                                                                           open_window):
    window = open_window(tmp_path / "slow", latency_ms=40)
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


def submitted(qtbot, window, path, monkeypatch) -> str:
    """Open ``path``, apply it (confirmed), and return the run id."""
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(path)
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.submit()
    return window.finished.result.run_id


def test_the_result_of_an_undo_names_the_run_it_undid(qtbot, window, tmp_path, monkeypatch, dialogs):
    small = tmp_path / "one.csv"
    small.write_text("SKU,Location,Available\nTS-BLK-S,Main Warehouse,77\n", encoding="utf-8")
    run_id = submitted(qtbot, window, small, monkeypatch)
    assert window.result_view.headline.text().startswith("Done: the 1 change was applied")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.result_view.undo_button.click()
    dialogs.texts()
    assert window.result_view.headline.text().startswith(f"Undo of run {run_id}: ")


def test_a_past_run_opens_from_history_with_its_rows_its_error_report_and_undo(qtbot, window, tmp_path,
                                                                               monkeypatch, dialogs):
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.sheets.reader import read_sheet
    sheet = tmp_path / "two.csv"
    sheet.write_text("SKU,Location,Available\nTS-BLK-S,Main Warehouse,61\nNOPE-1,Main Warehouse,3\n", encoding="utf-8")
    run_id = submitted(qtbot, window, sheet, monkeypatch)
    window.go_home()                                 # the run is no longer on screen
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.show_history()
    history = window.history_view
    assert history.open_button.isEnabled()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        history.open_button.click()
    view = window.result_view
    assert window.stack.currentWidget() is view and window.finished.past
    rows = {view.table.model.outcome(r).row: view.table.model.outcome(r).status.value
            for r in range(view.table.model.rowCount())}
    assert rows == {2: "applied", 3: "invalid"}
    report = tmp_path / "two.errors.csv"
    monkeypatch.setattr(MainWindow, "ask_save_path", classmethod(lambda cls, parent, **kw: str(report)))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        view.save_report_button.click()
    saved = read_sheet(report)
    assert [cells[0] for _, cells in saved.rows] == ["NOPE-1"] and "Error" in saved.headers
    assert view.undo_button.isEnabled()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        view.undo_button.click()
    assert any("put back the 1 level this import" in t for t in dialogs.texts())
    assert view.headline.text().startswith(f"Undo of run {run_id}: ")


def test_rows_turn_applied_on_the_review_page_as_they_land(qtbot, monkeypatch, tmp_path, sheet, open_window):
    window = open_window(tmp_path / "slow", latency_ms=150)
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    model = window.review_page.table.model
    statuses = lambda: [model.index(r, Column.STATUS).data() for r in range(model.rowCount())]  # noqa: E731
    assert "Applied" not in statuses()
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: True))
    window.submit()
    qtbot.waitUntil(lambda: "Applied" in statuses(), timeout=WAIT)
    assert window.runner.is_running() and "Will change" in statuses()   # some landed, the others not yet
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=WAIT)
