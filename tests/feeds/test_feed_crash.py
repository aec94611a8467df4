"""A crash during a feed run: a real ``stocksheet feed run --once`` process is killed while a
write it sent has been applied by the store and its answer is held back. The next check of the
feed finds the file still in processing/, resumes that store's journalled run (no second run of
the file is started), starts the run of the store it never reached, and files the file under
done/ — every level at its target, each changed exactly once."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

from desktop_app.engine import feeds
from desktop_app.engine.feeds import Feed, Target
from desktop_app.engine.journal import Journal
from desktop_app.platforms.registry import connect
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app

from ..engine.test_crash import Trap, wait_until
from .conftest import TOKEN, write_sheet


def test_a_feed_run_killed_mid_write_resumes_exactly_once_on_the_next_check(tmp_path, stocksheet_home):
    apps = [create_app("genstore", catalog="synthetic:16x2", rate="none", token=TOKEN) for _ in range(2)]
    trap = Trap(apps[0], lambda number, request: number >= 3, after=True)    # the third write lands, unanswered
    servers = [SandboxServer(trap, latency_ms=5).start(), SandboxServer(apps[1]).start()]
    try:
        probe = connect("genstore", servers[1].url, TOKEN)
        location = probe.list_locations()[0]
        probe.close()
        folder = tmp_path / "incoming"
        folder.mkdir()
        rows = [(f"SKU-{i + 1:06d}", location.name, 300 + i) for i in range(16)]
        write_sheet(folder / "stock.csv", rows)
        feeds.save(Feed(name="supplier", targets=[Target("genstore", s.url) for s in servers], watch=str(folder),
                        settle=0))
        env = {**os.environ, "STOCKSHEET_HOME": str(stocksheet_home), "STOCKSHEET_TOKEN": TOKEN}
        command = [sys.executable, "-m", "desktop_app", "feed", "run", "supplier", "--once", "--json"]

        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: trap.caught.is_set() or first.poll() is not None, what="the third write")
        first.kill()
        first.wait(timeout=10)
        trap.release()
        out, err = first.communicate()
        assert first.returncode == -9, (out, err)
        [waiting] = list((folder / "processing").glob("*stock.csv"))
        journal = Journal(stocksheet_home / "journal.sqlite3")
        try:
            [killed] = journal.runs()
            assert killed.state == "running" and killed.url == servers[0].url and killed.sheet == str(waiting)
        finally:
            journal.close()

        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        assert second.returncode == 0, second.stderr
        [done] = json.loads(second.stdout.strip().splitlines()[-1])["files"]
        assert done["status"] == "applied" and [s["status"] for s in done["stores"]] == ["applied", "applied"]
        assert done["stores"][0]["run_id"] == killed.id                       # resumed, not run again
        assert all(s["applied"] == s["verified"] == 16 for s in done["stores"])
        journal = Journal(stocksheet_home / "journal.sqlite3")
        try:
            runs = journal.runs()
        finally:
            journal.close()
        assert len(runs) == 2 and {r.url for r in runs} == {s.url for s in servers}
        for app in apps:
            assert all(app.level(sku, loc) == n for sku, loc, n in rows)
            changed = Counter(e["sku"] if "sku" in e else e["variant_id"] for e in app.ledger()
                              if e.get("before") != e.get("after"))
            assert len(changed) == 16 and set(changed.values()) == {1}       # nothing applied twice
        assert list((folder / "processing").glob("*.csv")) == []
        assert len(list((folder / "done").glob("*stock.csv"))) == 1
    finally:
        trap.release()
        for s in servers:
            s.stop()
        for app in apps:
            app.close()
