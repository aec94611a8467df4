"""How fully the submitter uses a store's rate limit, and how much faster it is than a naive client.

    .venv/bin/python bench/submit.py [--changes 1000] [--rate 40/50] [--latency 20] [--platform NAME]

For each platform (emulator over loopback HTTP, its limit scaled up to ``--rate`` = bucket/refill,
``--latency`` ms per request), one run of ``submit`` writes ``--changes`` levels. Printed:

* achieved rate ÷ allowed rate — requests sent ÷ (bucket + refill × seconds), the most the
  store would have accepted in that time (goal ≥ 0.95 where the limit is what bounds the run;
  a bulk platform finishes inside its burst and is bounded by latency instead);
* 429s the store answered (each retried) and rows failed by a 429 (must be 0);
* the speed-up over a naive sequential client sending one request per row, measured on a
  sample of the same rows against a fresh store with the same limit and extrapolated.
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.models import Chunk  # noqa: E402
from desktop_app.core.results import Status  # noqa: E402
from desktop_app.engine.journal import Journal  # noqa: E402
from desktop_app.engine.prepare import prepare  # noqa: E402
from desktop_app.engine.submit import submit  # noqa: E402
from desktop_app.platforms import registry as platforms  # noqa: E402
from desktop_app.sandbox import registry as sandboxes  # noqa: E402
from desktop_app.sandbox.http import SandboxServer, parse_rate  # noqa: E402

OPTIONS = {"shoplazza": {"semantics": "observed"}}


class Statuses:
    """Counts what the store answers (to see 429s)."""

    def __init__(self, app) -> None:
        self.app, self.counts, self.lock = app, Counter(), threading.Lock()
        self.platform, self.token = app.platform, app.token

    def handle(self, request):
        response = self.app.handle(request)
        with self.lock:
            self.counts[response.status] += 1
        return response

    def __getattr__(self, name):
        return getattr(self.app, name)


def store(platform: str, *, variants: int, rate: str, latency: float):
    app = Statuses(sandboxes.create_app(platform, catalog=f"synthetic:{variants}x1", rate=rate,
                                        **OPTIONS.get(platform, {})))
    server = SandboxServer(app, latency_ms=latency).start()
    return app, server, platforms.connect(platform, server.url, app.token)


def sheet(path: Path, connector, n: int) -> Path:
    location = connector.list_locations()[0].name
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["SKU", "Location", "Available"])
        writer.writerows((f"SKU-{i + 1:06d}", location, 100 + i) for i in range(n))
    return path


def bench(platform: str, *, changes: int, rate: str, latency: float, sample: int, folder: Path) -> dict:
    burst, per_second = parse_rate(rate, None)
    app, server, connector = store(platform, variants=changes, rate=rate, latency=latency)
    try:
        preview = prepare(sheet(folder / f"{platform}.csv", connector, changes), connector)
        threading.Event().wait(burst / per_second + 0.2)   # let prepare's reads refill the store's bucket
        app.counts.clear()
        started = time.monotonic()
        result = submit(preview, connector, rate=(burst, per_second), journal=Journal(folder / f"{platform}.journal"))
        elapsed = time.monotonic() - started
        sent = sum(app.counts.values())
        failed_429 = sum(1 for o in result.outcomes if o.status is Status.FAILED and "429" in o.message)
        allowed = burst + per_second * elapsed
        ours = {"changes": len(preview.plan.changes), "requests": sent, "seconds": elapsed,
                "ratio": sent / allowed, "429s": app.counts[429], "failed_429": failed_429,
                "applied": result.applied}
    finally:
        connector.close()
        server.stop()
    # the naive client: one request per row, one after the other, on a fresh store
    app, server, connector = store(platform, variants=changes, rate=rate, latency=latency)
    try:
        naive_preview = prepare(sheet(folder / f"{platform}-naive.csv", connector, changes), connector)
        threading.Event().wait(burst / per_second + 0.2)
        rows = naive_preview.plan.changes[:sample]
        started = time.monotonic()
        for i, change in enumerate(rows):
            connector.apply(Chunk(index=i, changes=[change]))
        naive = (time.monotonic() - started) * len(naive_preview.plan.changes) / max(1, len(rows))
    finally:
        connector.close()
        server.stop()
    return {**ours, "naive_seconds": naive, "speedup": naive / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--rate", default="40/50", help="store bucket/refill per second (default 40/50)")
    parser.add_argument("--latency", type=float, default=20.0, help="ms added to every request")
    parser.add_argument("--sample", type=int, default=250, help="rows the naive client sends (extrapolated)")
    parser.add_argument("--platform", action="append", help="only these platforms (repeatable)")
    args = parser.parse_args()
    names = args.platform or [p for p in sandboxes.PLATFORMS if p in platforms.PLATFORMS]
    print(f"store limit {args.rate} (bucket/refill per second), latency {args.latency:g} ms, {args.changes:,} changes")
    print(f"{'platform':<13}{'requests':>9}{'seconds':>9}{'req/s':>8}{'achieved/allowed':>18}{'429s':>6}"
          f"{'rows failed by 429':>20}{'naive s':>9}{'speed-up':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            r = bench(name, changes=args.changes, rate=args.rate, latency=args.latency, sample=args.sample,
                      folder=Path(tmp))
            print(f"{name:<13}{r['requests']:>9,}{r['seconds']:>9.1f}{r['requests'] / r['seconds']:>8.1f}"
                  f"{r['ratio']:>18.2f}{r['429s']:>6}{r['failed_429']:>20}{r['naive_seconds']:>9.1f}"
                  f"{r['speedup']:>9.1f}x", flush=True)


if __name__ == "__main__":
    main()
