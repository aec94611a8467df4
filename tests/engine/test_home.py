"""The home folder and the journal when they go wrong: a corrupt journal (garbage, truncated,
another program's tables, damaged values) is set aside — never deleted — and its runs are listed
as unreadable; a read-only or full STOCKSHEET_HOME still lets ``history`` and ``export`` work,
with logging on standard error; a report or export path that is not a regular file is refused
and left as it was. Every case ends in a sentence with what to do, never a traceback."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.engine import paths
from desktop_app.engine.journal import Journal

from .conftest import write_sheet
from .test_journal import entry

STOCKSHEET = [sys.executable, "-m", "desktop_app"]
ROOT = Path(__file__).resolve().parents[2]


def journal_with_runs(n: int = 3) -> tuple[Path, list[str]]:
    journal = Journal()
    ids = [journal.start_run(kind="import", platform="genstore", url="http://127.0.0.1:1", sheet=f"/s{i}.csv",
                             options={}, totals={"rows": 40}, entries=[entry(k) for k in range(40)],
                             chunks={0: "PUT"}) for i in range(n)]
    journal._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    journal.close()
    return paths.journal_path(), ids


def set_aside_files(home: Path) -> list[Path]:
    return sorted(p for p in home.glob("journal.sqlite3.unreadable-*") if not p.name.endswith(("-wal", "-shm")))


def history(capsys) -> tuple[int, str, str]:
    code = main(["history"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_journal_of_garbage_is_set_aside_kept_byte_for_byte_and_history_says_so(stocksheet_home, capsys):
    stocksheet_home.mkdir(parents=True)
    garbage = b"this is not a database\x00\xff" * 100
    (stocksheet_home / "journal.sqlite3").write_bytes(garbage)
    code, out, err = history(capsys)
    assert code == 0, err
    [aside] = set_aside_files(stocksheet_home)
    assert aside.read_bytes() == garbage                      # moved, never deleted nor rewritten
    assert "unreadable" in out and str(aside) in out and "not deleted" in out
    assert Journal().runs() == []                               # a new journal took its place


def test_a_truncated_journal_is_set_aside_and_a_new_one_records_runs(stocksheet_home, capsys):
    path, _ = journal_with_runs()
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    code, out, err = history(capsys)
    assert code == 0 and "Traceback" not in err
    [aside] = set_aside_files(stocksheet_home)
    assert aside.read_bytes() == whole[: len(whole) // 3] and "unreadable" in out
    journal_with_runs(1)                                        # the new journal works
    assert len(Journal().runs()) == 1


def test_a_journal_with_another_programs_tables_is_set_aside_with_its_runs_listed_unreadable(stocksheet_home,
                                                                                           capsys):
    stocksheet_home.mkdir(parents=True)
    db = sqlite3.connect(stocksheet_home / "journal.sqlite3")
    db.execute("CREATE TABLE runs (id TEXT, name TEXT)")
    db.execute("INSERT INTO runs VALUES ('20250101-120000-abcdef', 'x')")
    db.commit()
    db.close()
    code, out, err = history(capsys)
    assert code == 0, err
    assert "20250101-120000-abcdef" in out and "unreadable" in out and "cannot be resumed" in out
    assert len(set_aside_files(stocksheet_home)) == 1
    code = main(["resume", "20250101-120000-abcdef"])
    err = capsys.readouterr().err
    assert code == 2 and "set aside" in err and "cannot be resumed" in err and "Traceback" not in err
    assert main(["history", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "unreadable"


def test_a_run_whose_record_is_damaged_is_listed_unreadable_and_the_other_runs_still_read(stocksheet_home, capsys):
    path, ids = journal_with_runs(3)
    db = sqlite3.connect(path)
    db.execute("UPDATE runs SET options = '{not json' WHERE id = ?", (ids[1],))
    db.commit()
    db.close()
    code, out, err = history(capsys)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "unreadable" in lines[ids[1]] and "damaged" in lines[ids[1]]
    assert "unreadable" not in lines[ids[0]] and "unreadable" not in lines[ids[2]]
    assert set_aside_files(stocksheet_home) == []              # one bad run does not set the journal aside
    code = main(["resume", ids[1]])
    err = capsys.readouterr().err
    assert code == 3 and "damaged" in err and "Traceback" not in err


# ---- a read-only or full home, in real processes ---------------------------------------------
def without_root_powers() -> None:
    """In the child, before exec: drop every capability from the bounding set, so a root test
    process's child is an ordinary owner to whom a 0555 folder is read-only (Linux prctl)."""
    import ctypes
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    for cap in range(64):
        prctl(24, cap, 0, 0, 0)            # PR_CAPBSET_DROP; past the last capability it just fails


def run_cli(args: list[str], *, home: Path, env: dict[str, str] | None = None,
            readonly: bool = False, preexec=None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "STOCKSHEET_TOKEN"}
    environment.update(STOCKSHEET_HOME=str(home), PYTHONPATH=str(ROOT), **(env or {}))
    preexec = without_root_powers if readonly and os.geteuid() == 0 else preexec
    return subprocess.run(STOCKSHEET + args, env=environment, capture_output=True, text=True, timeout=120,
                          cwd=ROOT, preexec_fn=preexec)


@pytest.fixture
def readonly_home(stocksheet_home):
    """A STOCKSHEET_HOME holding a journal with two runs, read-only (0555) to this test's processes."""
    _, ids = journal_with_runs(2)
    files = [stocksheet_home, *stocksheet_home.iterdir()]
    for p in files:
        p.chmod(0o555 if p.is_dir() else 0o444)
    yield stocksheet_home, ids
    for p in files:
        p.chmod(0o755)


def test_history_works_in_a_read_only_home_with_logging_on_standard_error(readonly_home):
    home, ids = readonly_home
    run = run_cli(["history"], home=home, readonly=True)
    assert run.returncode == 0, run.stderr
    assert all(i in run.stdout for i in ids)
    assert "Traceback" not in run.stderr and "standard error" in run.stderr
    assert sorted(p.name for p in home.iterdir()) == ["journal.sqlite3"]      # nothing was written


def test_history_in_a_home_that_cannot_even_be_created_says_no_runs_yet(readonly_home):
    home, _ = readonly_home
    run = run_cli(["history"], home=home / "missing", readonly=True)
    assert run.returncode == 0 and "No runs yet." in run.stdout and "Traceback" not in run.stderr


def test_an_import_in_a_read_only_home_writes_nothing_and_says_what_to_do(readonly_home, open_store, tmp_path):
    home, _ = readonly_home
    store = open_store("genstore", catalog="synthetic:3x1")
    sheet = write_sheet(tmp_path / "stock.csv", [("SKU-000001", store.locations[0].name, 77)])
    before = store.app.ledger()
    run = run_cli(["import", str(sheet), "--platform", "genstore", "--url", store.server.url], home=home,
                  env={"STOCKSHEET_TOKEN": store.app.token}, readonly=True)
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert "journal" in run.stderr and "read-only" in run.stderr and "Nothing was written" in run.stderr
    assert store.app.ledger() == before


def test_export_works_in_a_read_only_home(readonly_home, open_store, tmp_path):
    home, _ = readonly_home
    store = open_store("genstore", catalog="synthetic:3x1")
    out_dir = tmp_path
    run = run_cli(["export", "--platform", "genstore", "--url", store.server.url, "-o", str(out_dir / "s.csv")],
                  home=home, env={"STOCKSHEET_TOKEN": store.app.token}, readonly=True)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and (out_dir / "s.csv").stat().st_size > 0


def disk_full() -> None:
    """In the child, before exec: no file may grow past 0 bytes (RLIMIT_FSIZE; SIGXFSZ ignored,
    so a write fails with EFBIG as on a full disk). Pipes are not files: output still works."""
    import resource
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_history_and_export_work_in_a_full_home_and_an_import_writes_nothing(stocksheet_home, tmp_path, open_store):
    _, ids = journal_with_runs(2)
    store = open_store("genstore", catalog="synthetic:3x1")
    token = {"STOCKSHEET_TOKEN": store.app.token}
    run = run_cli(["history"], home=stocksheet_home, preexec=disk_full)
    assert run.returncode == 0 and all(i in run.stdout for i in ids), run.stderr
    assert "Traceback" not in run.stderr
    out = tmp_path / "out.csv"
    out.write_text("")                                       # the export's own file may not grow either:
    run = run_cli(["export", "--platform", "genstore", "--url", store.server.url, "-o", str(out)],
                  home=stocksheet_home, env=token, preexec=disk_full)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "space" in run.stderr, run.stderr
    sheet = write_sheet(tmp_path / "stock.csv", [("SKU-000001", store.locations[0].name, 77)])
    before = store.app.ledger()
    run = run_cli(["import", str(sheet), "--platform", "genstore", "--url", store.server.url],
                  home=stocksheet_home, env=token, preexec=disk_full)
    assert run.returncode == 3 and "Traceback" not in run.stderr and "Nothing was written" in run.stderr, run.stderr
    assert store.app.ledger() == before


def test_a_full_disk_under_the_log_moves_logging_to_standard_error_with_one_sentence(stocksheet_home, tmp_path,
                                                                                     open_store):
    if not Path("/dev/full").exists():
        pytest.skip("/dev/full (a device whose writes fail with 'no space left') is Linux's")
    journal_with_runs(1)
    (stocksheet_home / "logs").mkdir()
    (stocksheet_home / "logs" / "stocksheet.log").symlink_to("/dev/full")
    store = open_store("genstore", catalog="synthetic:3x1")
    for args in (["history"], ["export", "--platform", "genstore", "--url", store.server.url, "-o",
                                str(tmp_path / "out.csv")], ["resume", "no-such-run"]):
        run = run_cli(args, home=stocksheet_home, env={"STOCKSHEET_TOKEN": store.app.token})
        assert "Traceback" not in run.stderr and "Logging error" not in run.stderr, run.stderr
        assert run.returncode == (2 if args[0] == "resume" else 0), run.stderr
    assert "disk is full" in run.stderr and "standard error" in run.stderr


# ---- report and export paths that are not regular files ---------------------------------------
@pytest.fixture
def not_regular_files(tmp_path) -> dict[str, Path]:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    device = tmp_path / "device.xlsx"
    device.symlink_to(os.devnull)                 # a link to a device: the device is what would be written
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    return {"a named pipe (FIFO)": fifo, "a device": device, "a folder": folder}


def is_unchanged(path: Path, kind: str) -> bool:
    if kind == "a device":
        return path.is_symlink() and os.readlink(path) == os.devnull and stat.S_ISCHR(os.stat(path).st_mode)
    return stat.S_ISFIFO(os.lstat(path).st_mode) if "FIFO" in kind else path.is_dir()


def test_an_export_to_a_fifo_a_device_or_a_folder_is_refused_and_leaves_it_as_it_was(open_store, not_regular_files,
                                                                                     monkeypatch, capsys):
    store = open_store("genstore", catalog="synthetic:3x1")
    monkeypatch.setenv("STOCKSHEET_TOKEN", store.app.token)
    for kind, path in not_regular_files.items():
        code = main(["export", "--platform", "genstore", "--url", store.server.url, "-o", str(path)])
        err = capsys.readouterr().err
        assert code == 2 and kind in err and "not a regular file" in err, err
        assert is_unchanged(path, kind)


def test_an_error_report_to_a_fifo_or_a_device_is_refused_and_leaves_it_as_it_was(open_store, not_regular_files,
                                                                                  tmp_path, monkeypatch, capsys):
    store = open_store("genstore", catalog="synthetic:3x1")
    monkeypatch.setenv("STOCKSHEET_TOKEN", store.app.token)
    sheet = write_sheet(tmp_path / "stock.csv", [("NO-SUCH-SKU", store.locations[0].name, 5)])
    for kind in ("a named pipe (FIFO)", "a device"):
        path = not_regular_files[kind]
        code = main(["import", str(sheet), "--platform", "genstore", "--url", store.server.url, "--dry-run",
                     "--report", str(path)])
        err = capsys.readouterr().err
        assert code == 1 and kind in err and "not a regular file" in err, err     # 1: its row is invalid
        assert is_unchanged(path, kind)


def test_an_import_over_a_damaged_journal_sets_it_aside_says_so_and_records_the_run_in_a_new_one(
        stocksheet_home, open_store, tmp_path, monkeypatch, capsys):
    store = open_store("genstore", catalog="synthetic:3x1")
    monkeypatch.setenv("STOCKSHEET_TOKEN", store.app.token)
    stocksheet_home.mkdir(parents=True)
    (stocksheet_home / "journal.sqlite3").write_bytes(b"\x00garbage" * 500)
    sheet = write_sheet(tmp_path / "stock.csv", [("SKU-000001", store.locations[0].name, 77)])
    code = main(["import", str(sheet), "--platform", "genstore", "--url", store.server.url])
    out = capsys.readouterr().out
    [aside] = set_aside_files(stocksheet_home)
    assert code == 0 and aside.read_bytes() == b"\x00garbage" * 500, out
    assert f"Note: Stocksheet's journal could not be read; it was moved to {aside}" in out
    assert len(Journal().runs()) == 1
