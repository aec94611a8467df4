"""How long does the window's event loop ever stall on a 100,000-row sheet? And how much memory?

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_stall.py [--rows 100000] [--change-every 50]

Starts a Genstore sandbox with the ``synthetic:20000x5`` catalogue in a *separate process*
(``stocksheet sandbox --rate none``: the store's own work must not be counted as the window's),
writes a long CSV of ``--rows`` rows (one in ``--change-every`` differs from the store), then drives
the real MainWindow through the flow: drop-open → load, validate, fetch, diff (background) → show
100k rows → filter Changes / Invalid / All → sort by change → search → fix the one invalid cell in
the table (re-checked in the background) → submit (background) → result.

A 10 ms heartbeat QTimer records the longest gap between ticks: the longest time the event loop
was blocked. Goals: stall ≤ 100 ms, peak memory (max RSS of this process) ≤ 300 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "resources" / "samples"))


def start_sandbox(state: Path, catalog: str) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "desktop_app", "sandbox", "--platform", "genstore",
                             "--catalog", catalog, "--rate", "none", "--state", str(state)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    info = json.loads(proc.stdout.readline())
    return proc, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--change-every", type=int, default=100, help="one row in N differs from the store")
    ap.add_argument("--catalog", default="synthetic:20000x5")
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="stocksheet-bench-"))
    os.environ["STOCKSHEET_HOME"] = str(home)
    from make_samples import write_synthetic_csv
    n_variants, _, n_locations = args.catalog.removeprefix("synthetic:").partition("x")
    sheet = home / f"synthetic-{args.rows}.csv"
    write_synthetic_csv(sheet, rows=args.rows, variants=int(n_variants), locations=int(n_locations),
                        change_every=args.change_every)
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",twelve"        # one invalid cell, fixed in the table below
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc, info = start_sandbox(home / "sandbox.sqlite3", args.catalog)

    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.engine.submit import submit
    from desktop_app.engine.workspace import StoreInfo, Workspace
    from desktop_app.gui.errors import Dialogs
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.gui.review_model import Column, Group
    from desktop_app.gui.submit_dialog import SubmitDialog
    from desktop_app.platforms.registry import connect

    class BenchWorkspace(Workspace):
        def submit(self, preview, *, progress, cancel=None):   # the sandbox has no rate limit either
            return submit(preview, self.connector, progress=progress, cancel=cancel, rate=None)

    app = QApplication.instance() or QApplication([])
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ws = BenchWorkspace(connect("genstore", info["url"], info["token"]),
                        StoreInfo(platform="genstore", url=info["url"], name="Bench store"))
    window = MainWindow(ws)
    window.show()
    SubmitDialog.confirm = classmethod(lambda cls, parent, *, text: True)
    Dialogs.error = classmethod(lambda cls, parent, *, title, text: print(f"error dialog: {text}", flush=True))

    clock = QElapsedTimer()
    stalls: dict[str, float] = {}
    phase = ["idle"]
    last = [0]

    last_progress = ["-"]
    window.runner.progressed.connect(lambda p: last_progress.__setitem__(0, f"{p.stage} {p.done}/{p.total}"))
    verbose = os.environ.get("STALL_VERBOSE")
    watchers: list = []
    if verbose:
        import gc
        gc_start = [0.0]

        def gc_watch(event: str, info: dict) -> None:
            if event == "start":
                gc_start[0] = time.perf_counter()
            elif (ms := (time.perf_counter() - gc_start[0]) * 1000) > 20:
                print(f"    gc gen{info['generation']} took {ms:.0f} ms at {clock.elapsed()} ms", flush=True)

        gc.callbacks.append(gc_watch)
        import threading
        import traceback

        def watchdog() -> None:   # prints where both threads are when the heartbeat is late
            main = threading.main_thread().ident
            while heartbeat.isActive() or not last[0]:
                time.sleep(0.02)
                late = clock.elapsed() - last[0]
                if late > 60:
                    for ident, frame in sys._current_frames().items():
                        if ident != threading.get_ident():
                            where = "main" if ident == main else "worker"
                            print(f"    late {late} ms, {where}: " + " <- ".join(
                                f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in
                                reversed(traceback.extract_stack(frame)[-4:])), flush=True)

        watchers = [threading.Thread(target=watchdog, daemon=True)]

    def beat() -> None:
        now = clock.elapsed()
        gap = now - last[0]
        last[0] = now
        stalls[phase[0]] = max(stalls.get(phase[0], 0), gap)
        if verbose and gap > 40:
            print(f"    stall {gap} ms at {now} ms in {phase[0]} (last progress: {last_progress[0]})", flush=True)

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)

    def run_until(signal, what: str, start) -> float:
        loop = QEventLoop()
        signal.connect(loop.quit)
        window.runner.failed.connect(lambda e: (print(f"{what} failed: {e}"), loop.quit()))
        phase[0] = what
        t = time.perf_counter()
        start()
        loop.exec()
        signal.disconnect(loop.quit)
        return time.perf_counter() - t

    def idle(ms: int = 100) -> None:
        """Let the event loop run (and the heartbeat tick) for a moment between steps."""
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def step(what: str, fn) -> None:
        phase[0] = what
        fn()
        idle()

    clock.start()
    heartbeat.start()
    for w in watchers:
        w.start()
    t_load = run_until(window.runner.finished, "load+validate+fetch+diff", lambda: window.open_file(sheet))
    counts = window.review_page.table.model.review.counts
    peak_after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table = window.review_page.table
    step("filter: changes", lambda: table.set_group(Group.CHANGES))
    step("filter: invalid", lambda: table.set_group(Group.INVALID))
    step("filter: all", lambda: table.set_group(Group.ALL))
    step("sort by change", lambda: table.view.sortByColumn(Column.DELTA, Qt.SortOrder.DescendingOrder))
    step("scroll to the end", lambda: table.view.scrollToBottom())
    step("search", lambda: table.search.setText("SKU-000123"))
    step("clear the search", lambda: table.search.clear())
    table.set_group(Group.INVALID)
    idle()

    def fix_invalid_cell() -> None:
        table.model.setData(table.model.index(0, Column.NEW), "12")

    t_edit = run_until(window.runner.finished, "edit an invalid cell (+ re-check)", fix_invalid_cell)
    fixed = window.review_page.prepared.data.counts[Group.INVALID] == 0
    peak_after_edit = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.set_group(Group.ALL)
    phase[0] = "idle"
    idle(300)
    t_submit = run_until(window.runner.finished, "submit", window.submit)
    heartbeat.stop()
    result = window.finished.result if window.finished else None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    window.close()
    ws.close()
    proc.terminate()
    proc.wait(10)

    worst_phase, worst = max(stalls.items(), key=lambda kv: kv[1])
    print(f"sheet: {args.rows:,} rows; review: {counts[Group.ALL]:,} rows, {counts[Group.CHANGES]:,} changes, "
          f"{counts[Group.UNCHANGED]:,} unchanged, {counts[Group.INVALID]:,} invalid")
    print(f"edit of an invalid cell: re-checked in {t_edit:.1f} s in the background "
          f"({'the row is valid now' if fixed else 'STILL INVALID'})")
    print(f"load+check: {t_load:.1f} s in the background; submit: {t_submit:.1f} s "
          f"({result.applied if result else 0:,} applied, {result.requests if result else 0:,} requests)")
    for name, gap in stalls.items():
        print(f"  longest event-loop stall during {name}: {gap:.0f} ms")
    print(f"longest stall: {worst:.0f} ms ({worst_phase}); goal <= 100 ms -> {'OK' if worst <= 100 else 'OVER'}")
    print(f"memory with Qt loaded, before the window: {baseline:.0f} MB")
    print(f"peak memory after loading: {peak_after_load:.0f} MB")
    print(f"peak memory after the fix's re-check: {peak_after_edit:.0f} MB")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB; goal <= 300 MB -> {'OK' if peak_mb <= 300 else 'OVER'}")
    return 0 if worst <= 100 and peak_mb <= 300 else 1


if __name__ == "__main__":
    raise SystemExit(main())
