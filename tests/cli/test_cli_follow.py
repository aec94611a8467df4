"""Runs you can follow: the run id and progress on stderr even without a terminal, ``show`` and
``report`` of a past run, and ``resume``/``undo`` writing error reports as ``import`` does."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from .conftest import run_cli, sku_sheet, write_csv


def report_rows(path: str) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_real_import_says_its_run_id_first_and_its_progress_on_stderr_without_a_terminal(synthetic, tmp_path,
                                                                                          capsys):
    app, url = synthetic(20)
    sheet = sku_sheet(tmp_path / "s.csv", {i: 70 + i for i in range(1, 9)})
    code, out, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 0
    lines = err.splitlines()
    run_line = next(i for i, line in enumerate(lines) if line.startswith(f"Run {out['run_id']}: import of s.csv"))
    progress = [i for i, line in enumerate(lines) if re.search(r"\d+/8 changes done", line)]
    assert progress and run_line < progress[0] and "8/8 changes done" in lines[progress[-1]]
    code, undone, err = run_cli(capsys, "undo", out["run_id"], "--json")
    assert err.startswith(f"Run {undone['run_id']}: undo of run {out['run_id']}")


def test_show_prints_a_past_runs_rows_and_report_writes_its_error_report_again(synthetic, tmp_path, capsys):
    app, url = synthetic(20)
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["SKU-000001", "Warehouse 1", 41],
                                           ["SKU-404", "Warehouse 1", 2]])
    code, out, _ = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 1
    code, text, _ = run_cli(capsys, "show", out["run_id"])
    assert code == 0 and "Changes (1 row)" in text and "SKU-000001" in text and "→ 41" in text
    assert "Problems: variant-not-found (1 row)" in text and "SKU-404" in text
    code, text, _ = run_cli(capsys, "show", out["run_id"], "--show", "changes")
    assert "SKU-404" not in text
    target = tmp_path / "again.csv"
    code, text, _ = run_cli(capsys, "report", out["run_id"], "-o", str(target))
    assert code == 0 and str(target) in text
    assert [(r["Row"], r["Status"]) for r in report_rows(str(target))] == [("3", "invalid")]


def test_undo_writes_an_error_report_for_the_rows_it_could_not_restore(synthetic, tmp_path, capsys):
    app, url = synthetic(20)
    sheet = sku_sheet(tmp_path / "s.csv", {1: 41, 2: 42})
    code, out, _ = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    app.set_level("SKU-000002", "Warehouse 1", 39)          # a sale since: the undo leaves it alone
    code, undone, _ = run_cli(capsys, "undo", out["run_id"], "--json")
    assert code == 1 and undone["stale"] == 1 and undone["report"]
    assert "undo-" in Path(undone["report"]).name and Path(undone["report"]).name != "s.errors.csv"
    rows = report_rows(undone["report"])
    assert [(r["Row"], r["Status"]) for r in rows] == [("3", "stale")]
