"""Feeds as the processes a timer starts: one check of a feed at a time (a lock naming the
running process, taken over once that process is gone), ``feed run`` without ``--once`` checking
until it is told to stop, and a feed's run undone like any other."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

from desktop_app.cli import main
from desktop_app.engine import feeds
from desktop_app.engine.feeds import Feed, Target
from desktop_app.engine.feeds.connect import connect_target
from desktop_app.engine.feeds.service import FeedService
from desktop_app.engine.store_lock import process_start

from .conftest import TOKEN, write_sheet


def test_a_feed_being_run_by_another_process_is_skipped_until_that_process_is_gone(open_store, tmp_path):
    store = open_store("genstore")
    folder = tmp_path / "in"
    folder.mkdir()
    feed = Feed(name="supplier", targets=[Target("genstore", store.url)], watch=str(folder), settle=0)
    rows = [(s, loc, n + 1) for s, loc, n in store.stocked(3)]
    write_sheet(folder / "stock.csv", rows)
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        (folder / "processing").mkdir()
        (folder / "processing" / ".lock").write_text(f"{other.pid} {process_start(other.pid)}")
        run = feeds.run_feed(feed, connect=connect_target)
        assert run.files == [] and f"pid {other.pid}" in run.message and store.app.ledger() == []
    finally:
        other.stdin.close()
        other.wait(timeout=30)
    run = feeds.run_feed(feed, connect=connect_target)          # its holder is gone: taken over
    [f] = run.files
    assert f.status == "applied" and all(store.level(s, loc) == n for s, loc, n in rows)
    assert not (folder / "processing" / ".lock").exists()


def test_feed_run_without_once_keeps_checking_until_it_is_stopped(open_store, tmp_path, stocksheet_home):
    store = open_store("genstore")
    folder = tmp_path / "in"
    folder.mkdir()
    feeds.save(Feed(name="supplier", targets=[Target("genstore", store.url)], watch=str(folder), settle=0,
                    every=3600))
    write_sheet(folder / "stock.csv", [(s, loc, n + 1) for s, loc, n in store.stocked(2)])
    env = {**os.environ, "STOCKSHEET_HOME": str(stocksheet_home), "STOCKSHEET_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "desktop_app", "feed", "run", "supplier", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        first = json.loads(proc.stdout.readline())
        assert first["files"][0]["status"] == "applied"
        assert proc.poll() is None                          # waiting for the next check, an hour away
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        watchdog.cancel()
        proc.kill()
        proc.communicate()


def test_a_feed_s_run_is_in_history_and_undone_like_any_other(open_store, tmp_path, capsys):
    store = open_store("genstore")
    folder = tmp_path / "in"
    folder.mkdir()
    levels = store.stocked(4)
    write_sheet(folder / "stock.csv", [(s, loc, n + 9) for s, loc, n in levels])
    assert main(["watch", str(folder), "--once", "--settle", "0", "--platform", "genstore", "--url", store.url,
                 "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["files"][0]["stores"][0]["run_id"]
    assert main(["history", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["id"] == run_id and entry["state"] == "finished" and entry["applied"] == 4
    assert main(["undo", run_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["applied"] == 4
    assert all(store.level(s, loc) == n for s, loc, n in levels)


def test_a_feed_that_cannot_run_does_not_stop_the_other_due_feeds(open_store, tmp_path):
    store = open_store("genstore")
    gone, fine = tmp_path / "gone", tmp_path / "fine"
    gone.mkdir()
    fine.mkdir()
    feeds.save(Feed(name="a-gone", targets=[Target("genstore", store.url)], watch=str(gone), settle=0))
    feeds.save(Feed(name="b-fine", targets=[Target("genstore", store.url)], watch=str(fine), settle=0))
    gone.rmdir()                                           # an unmounted share
    rows = [(s, loc, n + 4) for s, loc, n in store.stocked(2)]
    write_sheet(fine / "stock.csv", rows)
    service = FeedService()
    first, second = service.run_due()
    assert first.error and "does not exist" in first.message and first.code == 1
    assert [f.status for f in second.files] == ["applied"] and all(store.level(s, loc) == n for s, loc, n in rows)
    assert feeds.load_state("a-gone").status == "error" and service.due() == []     # tried again an interval later
