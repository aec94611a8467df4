"""Bugs found trying the CLI as a new user and a cron job would (issue 9, "found, to fix first")."""
from __future__ import annotations

import os
import signal

import pytest

from desktop_app.engine.journal import Journal

from .conftest import popen, run_cli, sku_sheet, write_csv


@pytest.mark.parametrize("suffix", ["\n", "\r\n", " ", "\t \n"])
def test_a_token_with_surrounding_whitespace_is_stripped(synthetic, tmp_path, capsys, monkeypatch, suffix):
    app, url = synthetic(20)
    monkeypatch.setenv("STOCKSHEET_TOKEN", " " + app.token + suffix)     # $(cat token.txt) and friends
    sheet = sku_sheet(tmp_path / "s.csv", {1: 55})
    code, out, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 0, err
    assert out["applied"] == 1 and app.level("SKU-000001", "Warehouse 1") == 55


@pytest.mark.parametrize("bad", ["abc\ndef", "abc\rdef", "tökén-ü", "abc\x7fdef"])
def test_a_token_a_header_cannot_carry_is_refused_without_echoing_it(synthetic, tmp_path, capsys, monkeypatch, bad):
    _, url = synthetic(5)
    secret = "s3cr3t-" + bad + "-s3cr3t"
    monkeypatch.setenv("STOCKSHEET_TOKEN", secret)
    sheet = sku_sheet(tmp_path / "s.csv", {1: 55})
    code, out, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert code == 2
    assert "STOCKSHEET_TOKEN" in err and "character" in err
    assert "s3cr3t" not in out + err


def test_undo_and_resume_cost_no_more_requests_per_change_than_the_import(synthetic, tmp_path, capsys):
    app, url = synthetic(3000)          # 12 pages of 250: far more levels than the run changes
    sheet = sku_sheet(tmp_path / "s.csv", {i: 500 + i for i in (7, 70, 700, 1700, 2900)})
    code, imported, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 0 and imported["applied"] == 5, err
    before = app.count
    code, undone, err = run_cli(capsys, "undo", imported["run_id"], "--json")
    assert code == 0 and undone["applied"] == 5, err
    assert app.count - before == undone["requests"]
    assert undone["requests"] / undone["applied"] <= imported["requests"] / imported["applied"]


def test_resume_costs_no_more_requests_per_change_than_the_import(synthetic, tmp_path, capsys):
    writes = []

    def ctrl_c_after_two_writes(n, request):
        if request.method == "PUT":
            writes.append(n)
            if len(writes) == 2:
                os.kill(os.getpid(), signal.SIGINT)       # Ctrl+C in this process: the CLI's handler
    app, url = synthetic(3000, on_request=ctrl_c_after_two_writes)
    full = sku_sheet(tmp_path / "full.csv", {i: 400 + i for i in (3, 30, 300, 1300, 2300, 2999)})
    app.on_request = None
    code, imported, err = run_cli(capsys, "import", str(full), "--platform", "genstore", "--url", url, "--json")
    assert code == 0 and imported["applied"] == 6, err
    writes.clear()
    app.on_request = ctrl_c_after_two_writes
    sheet = sku_sheet(tmp_path / "s.csv", {i: 600 + i for i in (7, 70, 700, 1700, 2900, 2950)})
    code, stopped, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 3 and stopped["cancelled"] and 0 < stopped["applied"] < 6, err
    app.on_request = None
    before = app.count
    code, resumed, err = run_cli(capsys, "resume", stopped["run_id"], "--json")
    assert code == 0 and resumed["applied"] == 6, err
    assert app.count - before == resumed["requests"]
    assert resumed["requests"] / (6 - stopped["applied"]) <= imported["requests"] / imported["applied"]


def test_a_store_that_keeps_answering_500_is_given_up_with_a_message(synthetic, tmp_path, capsys):
    app, url = synthetic(20, faults="5xx=1", seed=1)
    sheet = sku_sheet(tmp_path / "s.csv", {1: 55})
    code, out, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert code == 3
    assert "500" in err and "in a row" in err and "Traceback" not in err
    assert app.count <= 12          # not 8 × 8 retries with backoff (160 silent seconds)


def test_applied_changes_end_in_a_summary_and_exit_1_when_the_report_cannot_be_saved(synthetic, tmp_path, capsys):
    app, url = synthetic(20)
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["SKU-000001", "Warehouse 1", 61],
                                           ["SKU-999999", "Warehouse 1", 3]])
    (tmp_path / "a-file").write_text("not a folder")
    report = tmp_path / "a-file" / "errors.csv"
    code, out, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json",
                             "--report", str(report))
    assert code == 1, err
    assert out["applied"] == 1 and out["report"] is None and out["run_id"]
    assert str(report) in err and app.level("SKU-000001", "Warehouse 1") == 61


def test_an_internal_error_has_its_own_exit_status_and_names_the_log(synthetic, tmp_path, capsys, monkeypatch):
    _, url = synthetic(5)
    import desktop_app.engine.importer as importer

    def broken(*_a, **_k):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(importer, "prepare", broken)
    code, out, err = run_cli(capsys, "import", str(sku_sheet(tmp_path / "s.csv", {1: 5})), "--platform", "genstore",
                             "--url", url)
    assert code == 4
    assert "internal error" in err and "log" in err and "Traceback" not in err


def test_duplicate_headers_are_reported_not_resolved_silently(synthetic, tmp_path, capsys):
    _, url = synthetic(5)
    for header in (["SKU", "SKU", "Location", "Available"], ["SKU", "Location", "Available", "Available"]):
        sheet = write_csv(tmp_path / "dup.csv", [header, ["SKU-000001", "SKU-000002", "Warehouse 1", 5][:2]
                                                 + ["Warehouse 1", 5] if header[1] == "SKU" else
                                                 ["SKU-000001", "Warehouse 1", 5, 6]])
        code, out, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run")
        assert code == 2, out
        name = header[1] if header[1] == "SKU" else "Available"
        assert f"'{name}'" in err and "twice" in err and "--map" in err


def test_history_says_a_killed_run_is_interrupted_and_can_be_resumed(synthetic, tmp_path, capsys):
    _, url = synthetic(5)
    code, out, err = run_cli(capsys, "import", str(sku_sheet(tmp_path / "s.csv", {1: 9})), "--platform",
                             "genstore", "--url", url, "--json")
    j = Journal()                         # as a process killed mid-run leaves it: running, its pid gone
    with j.transaction() as db:
        db.execute("UPDATE runs SET state='running', pid=? WHERE id=?", (dead_pid(), out["run_id"]))
        db.execute("UPDATE changes SET state='sending' WHERE run_id=?", (out["run_id"],))
    j.close()
    code, text, _ = run_cli(capsys, "history")
    line = next(l for l in text.splitlines() if l.startswith(out["run_id"]))
    assert "interrupted, can resume" in line and "running" not in line
    code, listed, _ = run_cli(capsys, "history", "--json")
    assert listed[0]["state"] == "interrupted"


def dead_pid() -> int:
    proc = popen("--version", env=dict(os.environ))
    proc.wait()
    return proc.pid


def test_history_piped_into_a_closed_reader_ends_quietly(synthetic, tmp_path, capsys):
    _, url = synthetic(5)
    for level in (9, 10):
        run_cli(capsys, "import", str(sku_sheet(tmp_path / "s.csv", {1: level})), "--platform", "genstore",
                "--url", url)
    read, write = os.pipe()
    os.close(read)                        # `| head` that already exited
    proc = popen("history", env=dict(os.environ), stdout=write, stderr=-1)
    os.close(write)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert proc.returncode in (0, 141)
