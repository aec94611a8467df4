"""HTTP requests per changed level, per platform, for a 10,000-change import — against a naive
client that sends one request per row.

    .venv/bin/python bench/requests.py [--changes 10000] [--platform NAME]

Counts every request the emulator answers during the whole import: reading the catalogue and
the live levels (prepare), the re-read right before each chunk (concurrent-sale check), the
writes, and the reads that verify them (``engine.verify``: a row is applied only when a read
shows its target). ``verify`` is the requests made only to verify; ``+verify`` is their share of
the import without them (goal: at most 5 %). No rate limit, no latency, no faults: only the
number of requests is measured.
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

from desktop_app.engine.journal import Journal  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--platform", action="append", help="only these platforms (repeatable)")
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


if __name__ == "__main__":
    main()
