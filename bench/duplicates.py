"""Is a sheet of copies of one row as cheap as a sheet of different rows?

Before issue 12, 10,000 identical rows took 41 s and 621 MB and wrote a 591 MB error report: each
duplicate's message listed every other row. Now a duplicate group is said in constant space per
row ("also in 9,999 other rows (first: 2, 3, 4 …)"). This prints, from one run, the time of
prepare + error report for N copies of one row as a ratio to N rows that are just as invalid for
another reason (N different SKUs the store does not have: a report as long) — goal ≈ 1, and the
same at 2N: linear — plus the report sizes. Each measurement in a fresh subprocess.

Usage: python bench/duplicates.py [--rows 20000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(path: Path, rows: int, *, identical: bool) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("SKU,Location,Available\n")
        fh.writelines(f"SKU-000001,Warehouse 1,5\n" if identical else f"NOT-{i:06d},Warehouse 1,5\n"
                      for i in range(rows))


def measure(path: Path, rows: int) -> dict:
    from pipeline import store  # bench/pipeline.py's in-memory store
    from desktop_app.core.results import RunResult
    from desktop_app.engine.importer import write_problem_report
    from desktop_app.engine.prepare import prepare
    connector, catalog = store(rows, 1)
    t0 = time.perf_counter()
    preview = prepare(path, connector, catalog=catalog)
    result: RunResult = preview.result()
    report = write_problem_report(preview, result, path.with_suffix(".errors.csv"))
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "invalid": result.invalid, "report_bytes": Path(report).stat().st_size if report else 0,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--measure", type=Path)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.rows)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (args.rows, 2 * args.rows):
            for identical in (False, True):
                path = Path(tmp) / f"{'same' if identical else 'distinct'}-{rows}.csv"
                build(path, rows, identical=identical)
                cmd = [sys.executable, __file__, "--measure", str(path), "--rows", str(rows)]
                r = results[(rows, identical)] = json.loads(subprocess.run(
                    cmd, check=True, capture_output=True, text=True, cwd=Path(__file__).parent).stdout)
                print(f"{rows:>7,} {'identical' if identical else 'unknown':>9} rows: {r['seconds']:6.2f}s  "
                      f"{r['invalid']:>7,} invalid  report {r['report_bytes'] / 1e6:6.2f} MB  peak {r['peak_mb']:5.0f} MB")
    for rows in (args.rows, 2 * args.rows):
        ratio = results[(rows, True)]["seconds"] / results[(rows, False)]["seconds"]
        print(f"{rows:,} identical ÷ unknown rows = {ratio:.2f}x (goal ≈ 1)")
    growth = results[(2 * args.rows, True)]["seconds"] / results[(args.rows, True)]["seconds"]
    print(f"identical rows, 2x as many ÷ 1x = {growth:.2f}x (linear: ≈ 2)")


if __name__ == "__main__":
    main()
