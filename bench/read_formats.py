"""Measure python-calamine against openpyxl read-only on one 100k-row XLSX, from one run.

    .venv/bin/python bench/read_formats.py [--rows 100000]

Builds the workbook with openpyxl's write-only mode in a temporary folder, reads every cell
with both libraries, then reads it once more with ``desktop_app.sheets.read_sheet`` (the
reader the app uses), and prints the times and the ratio.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from desktop_app.sheets import read_sheet  # noqa: E402


def build(path: Path, rows: int) -> None:
    rnd = random.Random(7)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Stock")
    ws.append(["SKU", "Barcode", "Title", "Location", "Available"])
    for i in range(rows):
        ws.append([f"SKU-{i:06d}", 4006381000000 + i, f"Product {i} colour {i % 17}",
                   rnd.choice(["Main", "Outlet", "Warehouse"]), rnd.randint(-5, 500)])
    wb.save(path)


def read_calamine(path: Path) -> int:
    cells = 0
    with CalamineWorkbook.from_path(str(path)) as wb:
        for row in wb.get_sheet_by_name("Stock").iter_rows():
            cells += len(row)
    return cells


def read_openpyxl(path: Path) -> int:
    cells = 0
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for row in wb["Stock"].iter_rows(values_only=True):
            cells += len(row)
    finally:
        wb.close()
    return cells


def timed(fn, path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn(path)
    return time.perf_counter() - start, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stock.xlsx"
        t0 = time.perf_counter()
        build(path, args.rows)
        print(f"built {args.rows:,} rows with openpyxl write-only in {time.perf_counter() - t0:.2f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        cal, n_cal = timed(read_calamine, path)
        opx, n_opx = timed(read_openpyxl, path)
        assert n_cal == n_opx, (n_cal, n_opx)
        app, _ = timed(read_sheet, path)
        print(f"python-calamine iter_rows : {cal:6.2f} s")
        print(f"openpyxl read-only        : {opx:6.2f} s")
        print(f"ratio openpyxl/calamine   : {opx / cal:6.1f}x")
        print(f"read_sheet (calamine + header detection + cell cleaning): {app:6.2f} s")


if __name__ == "__main__":
    main()
