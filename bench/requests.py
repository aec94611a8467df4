"""HTTP requests per changed level, per platform, for a 10,000-change import — against a naive
client that sends one request per row — and, side by side, per change of an import, a resume and
an undo of a small run on a big store (the case where undo once cost 12 requests per change).

    .venv/bin/python bench/requests.py [--changes 10000] [--store 50000] [--run 200] [--platform NAME]

Counts every request the emulator answers during the whole import: reading the catalogue and
the live levels (prepare), the re-read right before each chunk (concurrent-sale check), the
writes, and the reads that verify them (``engine.verify``: a row is applied only when a read
shows its target). ``verify`` is the requests made only to verify; ``+verify`` is their share of
the import without them (goal: at most 5 %). No rate limit, no latency, no faults: only the
number of requests is measured.

The second table: a store of ``--store`` levels, a run changing ``--run`` of them spread across
it. *import* is every request of the import (prepare included) per change; *resume* is a second
import cancelled half-way and resumed (the resume's requests per change it finished); *undo* the
undo of the first import per change restored. Goal: resume and undo ≤ import.
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.progress import CancelToken, Progress  # noqa: E402
from desktop_app.engine.journal import Journal  # noqa: E402
from desktop_app.engine.runs import resume, undo  # noqa: E402
from desktop_app.engine.prepare import ImportOptions, prepare  # noqa: E402
from desktop_app.engine.submit import submit  # noqa: E402
from desktop_app.platforms import registry as platforms  # noqa: E402
from desktop_app.sandbox import registry as sandboxes  # noqa: E402
from desktop_app.sandbox.http import SandboxServer  # noqa: E402

OPTIONS: dict[str, dict[str, str]] = {}      # each platform's default reading (Shoplazza: adding)


class Tally:
    def __init__(self, app) -> None:
        self.app, self.phase, self.counts, self.lock = app, "prepare", Counter(), threading.Lock()
        self.platform, self.token = app.platform, app.token

    def handle(self, request):
        with self.lock:
            self.counts[self.phase] += 1
        return self.app.handle(request)

    def __getattr__(self, name):
        return getattr(self.app, name)


def measure(platform: str, changes: int, folder: Path, *, force_stale: bool = False) -> dict[str, float]:
    app = Tally(sandboxes.create_app(platform, catalog=f"synthetic:{changes}x1", rate="none",
                                     **OPTIONS.get(platform, {})))
    with SandboxServer(app) as server:
        connector = platforms.connect(platform, server.url, app.token)
        location = connector.list_locations()[0].name
        app.counts.clear()
        sheet = folder / f"{platform}.csv"
        with sheet.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["SKU", "Location", "Available"])
            writer.writerows((f"SKU-{i + 1:06d}", location, 100 + i) for i in range(changes))
        preview = prepare(sheet, connector, ImportOptions(force_stale=force_stale))
        app.phase = "submit"
        result = submit(preview, connector, rate=None, journal=Journal(folder / f"{platform}.journal"))
        connector.close()
    levels = result.applied
    assert result.verified == levels == changes, (platform, result.summary())
    return {"levels": levels, "prepare": app.counts["prepare"], "submit": app.counts["submit"],
            "verify": result.verify_requests, "per_level": (app.counts["prepare"] + app.counts["submit"]) / levels}


def write_sheet(path: Path, location: str, levels: dict[int, int]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["SKU", "Location", "Available"])
        writer.writerows((f"SKU-{i:06d}", location, level) for i, level in levels.items())
    return path


def side_by_side(platform: str, store: int, run: int, folder: Path) -> dict[str, float]:
    """Requests per change of an import, a resume and an undo of ``run`` levels on a ``store``-level store."""
    app = Tally(sandboxes.create_app(platform, catalog=f"synthetic:{store}x1", rate="none",
                                     **OPTIONS.get(platform, {})))
    journal = Journal(folder / f"{platform}-runs.journal")
    step = max(1, store // run)
    first = {1 + k * step: 100 + k for k in range(run)}
    second = {1 + k * step + step // 2: 300 + k for k in range(run)}
    with SandboxServer(app) as server:
        connector = platforms.connect(platform, server.url, app.token)
        location = connector.list_locations()[0].name
        connector.close()

        def fresh():       # each run starts from a new connector, as each CLI command does
            return platforms.connect(platform, server.url, app.token)

        app.counts.clear()
        c = fresh()
        imported = submit(prepare(write_sheet(folder / f"{platform}-1.csv", location, first), c), c, rate=None,
                          journal=journal)
        c.close()
        import_requests = sum(app.counts.values())

        c = fresh()
        cancel = CancelToken()

        def half(p: Progress) -> None:
            if p.stage == "submit" and p.done >= run // 2:
                cancel.cancel()
        stopped = submit(prepare(write_sheet(folder / f"{platform}-2.csv", location, second), c), c, rate=None,
                         journal=journal, cancel=cancel, progress=half)
        c.close()
        c = fresh()
        app.counts.clear()
        resumed = resume(stopped.run_id, c, journal=journal, rate=None)
        c.close()
        resume_requests = sum(app.counts.values())

        c = fresh()
        app.counts.clear()
        undone = undo(imported.run_id, c, journal=journal, rate=None)
        c.close()
        undo_requests = sum(app.counts.values())
    journal.close()
    finished = resumed.applied - stopped.applied
    assert imported.applied == run and resumed.applied == run and undone.applied == run, (platform, run)
    return {"import": import_requests / run, "resume": resume_requests / max(1, finished),
            "resumed": finished, "undo": undo_requests / run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--platform", action="append", help="only these platforms (repeatable)")
    parser.add_argument("--store", type=int, default=50_000, help="levels in the store of the side-by-side table")
    parser.add_argument("--run", type=int, default=200, help="levels a run changes in the side-by-side table")
    args = parser.parse_args()
    names = args.platform or [p for p in sandboxes.PLATFORMS if p in platforms.PLATFORMS]
    print(f"{args.changes:,} changed levels; naive client: 1 request per row = {args.changes:,} requests (1.00 per level)")
    print(f"{'platform':<18}{'prepare':>9}{'submit':>9}{'verify':>8}{'total':>9}{'w/o verify':>11}{'+verify':>9}"
          f"{'per level':>11}{'vs naive':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(name, False) for name in names]
        if "genstore" in names:   # without the sale check's re-reads (the user overwrites on purpose)
            runs.append(("genstore", True))
        for name, force in runs:
            r = measure(name, args.changes, Path(tmp), force_stale=force)
            total = r["prepare"] + r["submit"]
            label = name + (" (forced)" if force else "")
            without = total - r["verify"]
            print(f"{label:<18}{r['prepare']:>9,}{r['submit']:>9,}{r['verify']:>8,}{total:>9,}{without:>11,}"
                  f"{r['verify'] / without:>8.1%}{r['per_level']:>11.3f}{args.changes / total:>9.1f}x", flush=True)
        print(f"\nrequests per change, a {args.run:,}-level run on a {args.store:,}-level store "
              "(import includes prepare; resume: the second half of a cancelled import)")
        print(f"{'platform':<18}{'import':>9}{'resume':>9}{'undo':>9}{'resume÷import':>15}{'undo÷import':>13}")
        for name in names:
            r = side_by_side(name, args.store, args.run, Path(tmp))
            resumed = (f"{r['resume']:>9.2f}", f"{r['resume'] / r['import']:>15.2f}") if r["resumed"] else \
                (f"{'—':>9}", f"{'— (nothing left)':>15}")
            print(f"{name:<18}{r['import']:>9.2f}{resumed[0]}{r['undo']:>9.2f}{resumed[1]}"
                  f"{r['undo'] / r['import']:>13.2f}", flush=True)


if __name__ == "__main__":
    main()
