"""A header-only sheet is said once: the no-data-rows guard and the preview's notice are one sentence."""
from __future__ import annotations

import json

from desktop_app.cli import main

from .conftest import write_sheet


def test_a_header_only_sheet_is_said_once_in_words_and_in_json(open_store, tmp_path, capsys, monkeypatch):
    store = open_store("genstore")
    monkeypatch.setenv("STOCKSHEET_TOKEN", store.app.token)
    sheet = write_sheet(tmp_path / "truncated.csv", [])
    args = ["import", str(sheet), "--platform", "genstore", "--url", store.server.url]
    assert main(args) == 1
    printed = capsys.readouterr().out
    assert printed.count("has no data rows") == 1, printed
    assert "Stopped before writing anything: 'truncated.csv' has no data rows" in printed
    assert main([*args, "--json"]) == 1
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert sum("has no data rows" in n for n in summary["notices"]) == 1
    assert [g["guard"] for g in summary["guards"]] == ["no-data-rows"]
