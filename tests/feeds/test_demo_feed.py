"""A feed can target the embedded demo store (``demo:genstore``): its address changes with every
launch and it has no saved token, so cron's ``stocksheet feed run`` starts it from its state file
for the run, and a feed saved from the window on the demo store keeps working after a relaunch."""
from __future__ import annotations

import json

import pytest

from desktop_app.app import DemoStore
from desktop_app.cli import main
from desktop_app.core.errors import InputError
from desktop_app.engine import feeds
from desktop_app.engine.feeds.connect import connect_target
from desktop_app.engine.feeds.recipe import Target, demo_url

from .conftest import write_sheet

SKU, LOCATION = "TS-BLK-S", "Main Warehouse"


def demo_level() -> int | None:
    store = DemoStore()              # the demo store's own state file, under STOCKSHEET_HOME
    try:
        return store.app.level(SKU, LOCATION)
    finally:
        store.stop()


def test_a_feed_to_the_demo_store_runs_from_the_command_line_without_a_token(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("STOCKSHEET_TOKEN", raising=False)
    before = demo_level()
    assert before is not None
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert main(["feed", "add", "supplier", "--watch", str(inbox), "--platform", "genstore",
                 "--url-store", "demo:genstore", "--settle", "0"]) == 0
    assert feeds.load("supplier").targets[0].label == "the genstore demo store"
    write_sheet(inbox / "delivery.csv", [(SKU, LOCATION, before + 7)])
    capsys.readouterr()
    code = main(["feed", "run", "supplier", "--once", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    [file] = json.loads(out.strip().splitlines()[-1])["files"]
    assert [s["status"] for s in file["stores"]] == ["applied"], file
    assert demo_level() == before + 7                   # written to the demo store's state, read back


def test_a_demo_target_without_an_opener_says_which_faces_can_open_it():
    with pytest.raises(InputError, match="demo store"):
        connect_target(Target(platform="genstore", url=demo_url("genstore")))
