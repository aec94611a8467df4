"""The smaller parts: connection dialog, history, settings, error handling, summary and texts."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import keyring
import pytest
from PySide6.QtCore import QModelIndex

from desktop_app.app import NO_DISPLAY, has_display, run_gui
from desktop_app.core.errors import AuthError
from desktop_app.core.models import Change, Kind, Mode
from desktop_app.core.progress import Progress
from desktop_app.gui.connection_dialog import ConnectionDialog
from desktop_app.gui.errors import report, user_message
from desktop_app.gui.history_view import HistoryColumn, HistoryView
from desktop_app.gui.progress_panel import describe
from desktop_app.gui.settings import Settings
from desktop_app.gui.summary_strip import ChangeSummary
from desktop_app.gui.submit_dialog import describe_submit

WAIT = 20_000


def change(loc: str, before: int, after: int, kind: Kind = Kind.INCREASE) -> Change:
    return Change(row=2, column="Available", variant_id="V", product_id="P", location_id=loc, sku="S",
                  location_name={"L1": "Main Warehouse", "L2": "Outlet Store"}[loc], mode=Mode.SET,
                  before=before, after=after, kind=kind, delta=after - before)


def test_summary_counts_units_up_and_down_per_location_and_ignores_unchanged_and_stale():
    s = ChangeSummary.build([change("L1", 5, 9), change("L1", 5, 2, Kind.DECREASE), change("L2", 1, 4),
                             change("L2", 3, 3, Kind.UNCHANGED), change("L2", 3, 9, Kind.STALE)])
    assert (s.changes, s.up, s.down) == (3, 7, 3)
    assert [(t.name, t.changes, t.up, t.down) for t in s.locations] == [("Main Warehouse", 2, 4, 3),
                                                                        ("Outlet Store", 1, 3, 0)]
    text = describe_submit(summary=s, requests=3, store="Demo store", invalid=2, stale=1)
    assert text.startswith("Stocksheet will write 3 stock levels to Demo store in 3 requests")
    assert "• Main Warehouse: 2 levels (+4 / −3 units)" in text
    assert "Not written: 2 invalid rows and 1 stale level" in text


def test_submit_progress_reads_done_total_rate_and_eta():
    text = describe(Progress(stage="submit", done=1200, total=5000, rate=3.5, eta_seconds=9), eta=125)
    assert text == "Writing changes: 1,200 of 5,000 · 3.5 requests/s · about 2 min 05 s left"


def test_the_eta_is_smoothed_from_the_measured_rate_not_the_first_seconds():
    from desktop_app.core.progress import SmoothedEta
    now = [0.0]
    eta = SmoothedEta(half_life=10, warmup=3, clock=lambda: now[0])
    assert eta.update(0, 1000) is None
    now[0] = 1.0
    assert eta.update(100, 1000) is None          # a first-second burst (100/s) is not extrapolated
    done = 100
    for _ in range(60):                            # then a steady 10 a second for a minute
        now[0] += 1.0
        done += 10
        left = eta.update(done, 1000)
    assert left is not None and 0.8 * (1000 - done) / 10 <= left <= 1.25 * (1000 - done) / 10


def test_settings_remember_recent_files_most_recent_first_and_refuse_tokens(tmp_path):
    settings = Settings(tmp_path / "s.ini")
    for name in ("a.csv", "b.csv", "a.csv"):
        (tmp_path / name).touch()
        settings.add_recent_file(tmp_path / name)
    assert [p.rsplit("/", 1)[-1] for p in Settings(tmp_path / "s.ini").recent_files()] == ["a.csv", "b.csv"]
    settings.remember_location_alias(store_url="http://x", sheet_name="Back room", location_id="54002")
    assert Settings(tmp_path / "s.ini").location_aliases("http://x") == {"Back room": "54002"}
    with pytest.raises(KeyError):
        settings.set("store/token", "secret")
    assert "secret" not in (tmp_path / "s.ini").read_text()


def test_an_expected_error_is_shown_as_its_sentence(dialogs):
    assert user_message(AuthError("The store refused the access token. Paste a new one."), doing="x") == \
        "The store refused the access token. Paste a new one."


def test_an_unexpected_error_is_logged_with_its_traceback_and_the_dialog_says_where(dialogs, stocksheet_home):
    try:
        {}["missing"]
    except KeyError as exc:
        text = report(None, exc, doing="reading the sheet")
    logging.shutdown()
    log = (stocksheet_home / "logs" / "stocksheet.log").read_text()
    assert "Traceback" in log and "KeyError" in log and "reading the sheet" in log
    assert dialogs.errors() == [text]
    assert str(stocksheet_home / "logs" / "stocksheet.log") in text and "Traceback" not in text


def test_an_unexpected_error_with_an_unwritable_home_points_to_standard_error(dialogs, tmp_path, monkeypatch,
                                                                              capsys):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("STOCKSHEET_HOME", str(tmp_path / "a-file" / "home"))    # cannot be created
    try:
        {}["missing"]
    except KeyError as exc:
        text = report(None, exc, doing="reading the sheet")
    assert "printed on standard error" in text and "in the log file" not in text and dialogs.errors() == [text]
    assert "KeyError" in capsys.readouterr().err


def test_without_a_display_run_gui_says_so_in_a_sentence_instead_of_aborting(monkeypatch, capsys):
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert not has_display()
    assert run_gui(None) == 2
    err = capsys.readouterr().err
    assert err.strip() == NO_DISPLAY and "xvfb-run" in err and "stocksheet import" in err


def test_history_lists_runs_and_offers_resume_only_for_interrupted_ones(qtbot, qtmodeltester):
    view = HistoryView()
    qtbot.addWidget(view)
    runs = [SimpleNamespace(id="r2", kind="import", started="2025-05-01 14:03:12", sheet="/x/count.csv",
                            state="cancelled", changes=10, applied=3, pending=7, undone_by=()),
            SimpleNamespace(id="r1", kind="undo", started="2025-04-30 09:00:00", sheet=None, state="finished",
                            changes=4, applied=4, pending=0, undone_by=())]
    view.set_runs(runs)
    qtmodeltester.check(view.model)
    m = view.model
    assert [m.data(m.index(0, c)) for c in (HistoryColumn.KIND, HistoryColumn.SHEET, HistoryColumn.STATE,
                                            HistoryColumn.APPLIED)] == ["Import", "count.csv", "Stopped — can resume",
                                                                        "3 of 10"]
    assert view.resume_button.isEnabled()
    with qtbot.waitSignal(view.resume_requested) as blocker:
        view.resume_button.click()
    assert blocker.args == ["r2"]
    view.view.selectRow(1)
    assert not view.resume_button.isEnabled()
    assert m.rowCount(m.index(0, 0)) == 0 and m.rowCount(QModelIndex()) == 2


def test_connection_dialog_tests_the_store_lists_its_locations_and_keeps_the_token_out_of_settings(
        qtbot, demo_store, monkeypatch, stocksheet_home):
    from desktop_app.app import connect_store
    saved = {}
    monkeypatch.setattr(keyring, "set_password", lambda service, url, token: saved.update({url: token}))
    dialog = ConnectionDialog(platforms=["genstore"], connect=connect_store)
    qtbot.addWidget(dialog)
    dialog.url_edit.setText(demo_store.server.url)
    dialog.token_edit.setText(demo_store.app.token)
    with qtbot.waitSignal(dialog.runner.finished, timeout=WAIT):
        dialog.test_button.click()
    assert "Main Warehouse" in dialog.status.text() and "Outlet Store" in dialog.status.text()
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.keyring_saved is True
    assert saved == {demo_store.server.url: demo_store.app.token}
    dialog.workspace.close()
    assert not any(demo_store.app.token in p.read_text(errors="ignore") for p in stocksheet_home.rglob("*.ini"))


def test_connection_dialog_explains_a_refused_token(qtbot, demo_store):
    from desktop_app.app import connect_store
    dialog = ConnectionDialog(platforms=["genstore"], connect=connect_store)
    qtbot.addWidget(dialog)
    dialog.url_edit.setText(demo_store.server.url)
    dialog.token_edit.setText("wrong-token")
    with qtbot.waitSignal(dialog.runner.failed, timeout=WAIT):
        dialog.test_button.click()
    assert not dialog.ok_button.isEnabled()
    assert "token" in dialog.status.text().lower() and "Traceback" not in dialog.status.text()


def test_switching_store_without_a_keyring_says_the_token_was_not_saved(qtbot, demo_store, dialogs, monkeypatch):
    from desktop_app.app import build_window, connect_store
    demo = demo_store.workspace()
    other = connect_store(platform="genstore", url=demo_store.server.url, token=demo_store.app.token)
    window = build_window(demo)
    qtbot.addWidget(window)
    monkeypatch.setattr(ConnectionDialog, "open_for", classmethod(lambda cls, parent, **kw: (other, False)))
    window.connect_button.click()
    assert window.workspace is other and "127.0.0.1" in window.store_label.text()
    assert any("No system keyring is available" in t for t in dialogs.texts())
    assert Settings().saved_connections()[0]["url"] == demo_store.server.url
    other.close()
    demo.close()


def test_counts_are_singular_for_one_and_there_is_no_plus_or_minus_zero():
    from desktop_app.gui.words import plural, units
    assert plural(1, "change") == "1 change" and plural(2, "row") == "2 rows" and plural(1_204, "row") == "1,204 rows"
    assert units(4, 3) == "+4 / −3 units" and units(1, 0) == "+1 unit" and units(0, 3) == "−3 units"
    assert "+0" not in units(0, 0) and "−0" not in units(0, 0) and "-" not in units(4, 3)
