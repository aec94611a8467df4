"""What do the guards cost? ``guards.check`` on a 100k-level preview, against ``prepare`` of it.

Builds the same 100,000-row sheet as bench/pipeline.py (20,000 variants × 5 locations, here as
CSV) against the same in-memory store, times ``prepare`` once and ``guards.check`` (median of 5)
in this one run, and prints the ratio (goal: the guards add < 2 % to preparing an import).
Usage: python bench/guards.py [--variants 20000] [--locations 5]
"""
from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import store  # noqa: E402  (the in-memory store of the pipeline bench)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", type=int, default=20000)
    ap.add_argument("--locations", type=int, default=5)
    args = ap.parse_args()
    from desktop_app.engine import guards
    from desktop_app.engine.prepare import prepare
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stock.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["SKU", "Location", "Available"])
            for i in range(args.variants):
                for j in range(args.locations):
                    w.writerow([f"SKU-{i + 1:06d}", f"Warehouse {j + 1}", (i * 11 + j * 5) % 100])
        connector, catalog = store(args.variants, args.locations)
        t0 = time.perf_counter()
        preview = prepare(path, connector, catalog=catalog)
        t_prepare = time.perf_counter() - t0
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        tripped = guards.check(preview)
        times.append(time.perf_counter() - t0)
    t_check = statistics.median(times)
    n = guards.measure(preview)
    print(f"levels compared: {len(preview.changes):,}; stocked {n['stocked']:,}, to zero {n['to_zero']:,}, "
          f"halved {n['halved']:,}; guards tripped: {[t.guard for t in tripped]}")
    print(f"prepare {t_prepare:.3f} s; guards.check {t_check * 1000:.1f} ms; ratio {t_check / t_prepare:.4f} "
          f"({t_check / t_prepare * 100:.2f} % of prepare; goal < 2 %)")


if __name__ == "__main__":
    main()
