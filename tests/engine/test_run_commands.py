"""``stocksheet history``, ``undo`` and ``resume`` from the command line (in-process, real sandbox)."""
from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.engine.prepare import prepare
from desktop_app.engine.submit import submit

from .conftest import write_sheet


def test_history_and_undo_print_json_and_undo_restores_the_levels(open_store, tmp_path, monkeypatch, capsys):
    store = open_store("genstore")
    sheet = write_sheet(tmp_path / "s.csv", [("SKU-000001", "Warehouse 1", 77), ("SKU-000002", "Warehouse 1", 78)])
    preview = prepare(sheet, store.connector)
    before = store.app.level("SKU-000001", "Warehouse 1")
    run = submit(preview, store.connector, rate=None)
    monkeypatch.setenv("STOCKSHEET_TOKEN", store.app.token)

    assert main(["undo", run.run_id, "--json"]) == 0
    undone = json.loads(capsys.readouterr().out)
    assert (undone["applied"], undone["cancelled"]) == (2, False)
    assert store.app.level("SKU-000001", "Warehouse 1") == before

    assert main(["history", "--json"]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed[run.run_id]["undone_by"] == [undone["run_id"]] and listed[undone["run_id"]]["kind"] == "undo"
    assert main(["history"]) == 0
    assert f"undo of {run.run_id}" in capsys.readouterr().out


def test_resuming_a_finished_run_or_an_unknown_one_says_what_to_do(open_store, tmp_path, monkeypatch, capsys):
    store = open_store("genstore")
    preview = prepare(write_sheet(tmp_path / "s.csv", [("SKU-000001", "Warehouse 1", 70)]), store.connector)
    run = submit(preview, store.connector, rate=None)
    monkeypatch.setenv("STOCKSHEET_TOKEN", store.app.token)
    assert main(["resume", run.run_id]) == 2
    assert "already finished" in capsys.readouterr().err
    assert main(["undo", "no-such-run"]) == 2
    assert "stocksheet history" in capsys.readouterr().err
