"""Ctrl+C on a real ``stocksheet import`` process: at any point it stops cleanly (never a deadlock,
never a traceback), a second Ctrl+C aborts at once, and ``resume`` finishes the run either way."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading

import pytest

from .conftest import STOCKSHEET, popen, run_cli, sku_sheet

CHANGES = 12           # all within the client's default Genstore burst (40), so no rate wait
TARGETS = {i: 900 + i for i in range(1, CHANGES + 1)}


def levels(app) -> dict[int, int]:
    return {i: app.level(f"SKU-{i:06d}", "Warehouse 1") for i in TARGETS}


def finish(proc: subprocess.Popen, *, timeout: float = 60) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the import did not end within {timeout:.0f} s of Ctrl+C (deadlocked?)\n{err}")


@pytest.mark.parametrize("at", [1, 2, 3, 4, 6, 8, 11, 14, 18, 23, 29, 35])
def test_ctrl_c_at_any_request_of_a_real_import_stops_cleanly_and_resume_finishes_it(synthetic, tmp_path, capsys,
                                                                                    at):
    started = threading.Event()
    child: list[subprocess.Popen] = []

    def ctrl_c(n, request):
        if n == at and started.wait(30):
            os.kill(child[0].pid, signal.SIGINT)
    app, url = synthetic(60, on_request=ctrl_c)
    sheet = sku_sheet(tmp_path / "s.csv", TARGETS)
    child.append(popen("import", str(sheet), "--platform", "genstore", "--url", url, "--json",
                       env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    started.set()
    out, err = finish(child[0])
    assert "Traceback" not in err
    assert child[0].returncode in (0, 3), err
    if child[0].returncode == 0:      # Ctrl+C after the last write: nothing left to do
        assert levels(app) == TARGETS
        return
    app.on_request = None
    code, history, _ = run_cli(capsys, "history", "--json")
    if not history:                    # stopped before the run was journalled: nothing was written
        assert all(v != TARGETS[i] for i, v in levels(app).items())
        return
    assert history[0]["state"] in ("cancelled", "interrupted")
    code, resumed, err = run_cli(capsys, "resume", history[0]["id"], "--json")
    assert code == 0, err
    assert levels(app) == TARGETS and resumed["applied"] == CHANGES


def test_a_second_ctrl_c_aborts_at_once_and_the_run_stays_resumable(synthetic, tmp_path, capsys):
    release, started = threading.Event(), threading.Event()
    child: list[subprocess.Popen] = []

    def hold_the_first_write(n, request):
        if request.method == "PUT" and not release.is_set() and started.wait(30):
            os.kill(child[0].pid, signal.SIGINT)
            release.wait(60)             # the store takes its time answering
    app, url = synthetic(60, on_request=hold_the_first_write)
    sheet = sku_sheet(tmp_path / "s.csv", TARGETS)
    child.append(popen("import", str(sheet), "--platform", "genstore", "--url", url,
                       env={**os.environ, "PYTHONFAULTHANDLER": "1"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in child[0].stderr], daemon=True).start()
    started.set()
    said: list[str] = []
    try:
        while not said or "again to abort" not in said[-1]:
            said.append(lines.get(timeout=60))    # until the first Ctrl+C was heard (a loaded machine: slow start)
    except queue.Empty:
        child[0].kill()
        release.set()
        pytest.fail("the import never said it heard the first Ctrl+C; it printed:\n" + "".join(said))
    try:
        os.kill(child[0].pid, signal.SIGINT)
        child[0].wait(timeout=30)        # while the store still holds a write
    except subprocess.TimeoutExpired:
        os.kill(child[0].pid, signal.SIGABRT)     # PYTHONFAULTHANDLER: every thread's stack to stderr
        child[0].wait(timeout=10)
        while not lines.empty():
            said.append(lines.get())
        pytest.fail("a second Ctrl+C did not abort the import at once; it printed:\n" + "".join(said))
    finally:
        release.set()
    assert child[0].returncode == 3
    app.on_request = None
    code, history, _ = run_cli(capsys, "history", "--json")
    assert history[0]["state"] in ("cancelled", "interrupted")
    code, resumed, err = run_cli(capsys, "resume", history[0]["id"], "--json")
    assert code == 0, err
    assert levels(app) == TARGETS


HOLDING_THE_LOCK = """
import signal
from desktop_app.cli.signals import stop_on_signals
from desktop_app.core.progress import CancelToken
cancel = CancelToken()
with stop_on_signals(cancel.cancel):
    with cancel._event._cond:            # where Event.wait holds it, the instant a signal lands
        signal.raise_signal(signal.SIGINT)
        sum(range(1000))                 # the Python handler runs here, on this thread, lock held
    print("cancelled" if cancel.wait(20) else "not cancelled")
"""


def test_ctrl_c_while_the_main_thread_holds_the_cancel_lock_does_not_deadlock():
    proc = subprocess.Popen([*STOCKSHEET[:1], "-c", HOLDING_THE_LOCK], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = finish(proc, timeout=30)
    assert out.strip() == "cancelled", err
