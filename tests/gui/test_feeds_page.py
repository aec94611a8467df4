"""Feeds in the window: "Save as feed…" turns the reviewed sheet's mapping and options into a
feed, the Feeds page lists it with its last run, status and next check, feeds run in the
background while the window is open and a notification says so, a tripped guard is shown in
red with its numbers and "Apply anyway", and a feed can be paused."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from desktop_app.engine import feeds
from desktop_app.engine.feeds.service import FeedService
from desktop_app.gui.feed_dialog import FeedChoice, FeedDialog
from desktop_app.gui.feeds_page import FeedScheduler, Notifier

WAIT = 30_000


@pytest.fixture
def export(workspace, tmp_path) -> list[list[str]]:
    path = tmp_path / "stock.csv"
    workspace.export(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_a_reviewed_sheet_saved_as_a_feed_runs_in_the_background_and_notifies(
        qtbot, window, export, tmp_path, monkeypatch, demo_store):
    monkeypatch.delenv("STOCKSHEET_TOKEN", raising=False)     # the demo store needs no saved token
    header, body = export[0], export[1:]
    at = header.index("Available")

    def level(r: list[str], new: str) -> list[str]:
        return r[:at] + [new] + r[at + 1:]
    changed = [level(r, str(int(r[at]) + 1)) if r[at].lstrip("-").isdigit() else r for r in body]
    sheet = write(tmp_path / "supplier.csv", [header] + changed[:5])
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    folder = tmp_path / "incoming"
    folder.mkdir()
    monkeypatch.setattr(FeedDialog, "ask", classmethod(
        lambda cls, parent, *, name, store: FeedChoice(name=name, watch=str(folder), every_minutes=1)))
    scheduler = window.feed_scheduler
    now = [1_000_000.0]
    scheduler.service.clock = lambda: now[0]
    window.menuBar().actions()[-1].menu().aboutToShow.emit()
    assert window.save_feed_action.isEnabled()
    with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT):
        window.save_feed_action.trigger()
    assert window.stack.currentWidget() is window.feeds_page
    feed = feeds.load("supplier")
    assert feed.watch == str(folder) and feed.every == 60
    assert feed.targets[0].url == "demo:genstore"    # the demo store, not this launch's port
    assert feed.overrides and feeds.load_state("supplier").status == "never run"
    page = window.feeds_page
    assert page.model.rowCount() == 1 and page.model.feeds[0].name == "supplier"

    notes: list[tuple[str, str]] = []
    window.feed_notifier.notified.connect(lambda title, text: notes.append((title, text)))
    write(folder / "delivery.csv", [header] + changed[:5])
    with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT):
        scheduler.run_due()                        # what the timer does: first sight of the file
    assert (folder / "delivery.csv").exists() and notes == []
    now[0] += 120
    with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT):
        scheduler.run_due()
    assert notes and notes[-1][0] == "Feed supplier ran" and "delivery.csv: applied" in notes[-1][1]
    row = page.model.feeds[0]
    assert row.status == "applied" and row.last_run and row.next_check == now[0] + 60
    assert len(list((folder / "done").glob("*delivery.csv"))) == 1
    assert "Feed supplier ran" in window.statusBar().currentMessage()

    # a delivery that zeroes the store: stopped, shown in red with its numbers, applied only on request
    zeroed = [level(r, "0") for r in body if r[at].isdigit() and int(r[at]) > 0][:10]   # 10 levels: one burst
    write(folder / "broken.csv", [header] + zeroed)
    now[0] += 120
    with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT):
        scheduler.run_due()
    now[0] += 120
    with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT):
        scheduler.run_due()
    assert notes[-1][0] == "Feed supplier needs attention" and "tripped" in notes[-1][1]
    assert page.model.feeds[0].status == "tripped"
    assert not page.guard_label.isHidden() and "would go to 0" in page.guard_label.text()
    assert "#d32f2f" in page.guard_label.styleSheet() and not page.apply_button.isHidden()
    assert window.workspace.export(tmp_path / "still.csv").levels > 0
    with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT):
        page.apply_button.click()
    assert page.model.feeds[0].status == "applied" and page.apply_button.isHidden()

    with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT):
        page.pause_button.click()
    assert page.model.feeds[0].paused and page.pause_button.text() == "Resume"
    assert not page.run_button.isEnabled() and scheduler.service.due() == []
    page.back_button.click()
    assert window.stack.currentWidget() is window.review_page


def test_the_feeds_table_model_is_a_well_behaved_model(qtmodeltester):
    from desktop_app.engine.feeds.service import FeedRow
    from desktop_app.gui.feeds_page import FeedsTableModel
    model = FeedsTableModel()
    model.set_rows([FeedRow("a", "folder /in", "genstore https://x", "tripped", "3 of 3 …", 1.0, 2.0, False,
                            ({"guard": "zero-share", "message": "3 of 3 would go to 0"},)),
                    FeedRow("b", "URL https://f", "zettle https://y", "applied", "", None, None, True)])
    qtmodeltester.check(model)
    assert model.data(model.index(1, 5)) == "paused" and model.data(model.index(0, 4)) == "tripped"


def test_the_scheduler_checks_due_feeds_on_its_timer(qtbot, tmp_path, open_genstore_url):
    folder = tmp_path / "in"
    folder.mkdir()
    feeds.save(feeds.Feed(name="timed", targets=[feeds.Target("genstore", open_genstore_url)], watch=str(folder)))
    service = FeedService()
    notifier = Notifier()
    scheduler = FeedScheduler(None, service, notifier, interval_ms=20)
    try:
        assert service.due() == ["timed"]
        with qtbot.waitSignal(scheduler.rows_loaded, timeout=WAIT) as loaded:
            scheduler.start()
        [row] = loaded.args[0]
        assert row.name == "timed" and row.status == "never run" and row.next_check is not None
        assert service.due() == []                          # checked: next one an interval later
    finally:
        scheduler.stop()
        scheduler.deleteLater()


@pytest.fixture
def open_genstore_url(demo_store):
    return demo_store.server.url
