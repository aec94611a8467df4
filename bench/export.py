"""Measure the XLSX stock report against the bare writer libraries, from one run.

    .venv/bin/python bench/export.py [--levels 100000] [--locations 5] [--repeat 3]

Builds a synthetic snapshot in memory (no HTTP: the store is not what is measured), then writes
the same cells four ways and prints the times and ratios:

* the report as Stocksheet writes it (xlsxwriter constant-memory: styled header, text ids,
  number formats, conditional formats, autofilter, Summary sheet with a chart);
* bare xlsxwriter constant-memory: ``write_row`` of the same values, nothing else (the baseline);
* bare openpyxl write-only: ``append`` of the same values;
* openpyxl write-only with the cell styles the report needs (``WriteOnlyCell`` per styled cell).

The report and its baseline run ``--repeat`` times, interleaved, and the fastest of each counts
(the machine is shared: the minimum is the least disturbed run). Then the peak memory (tracemalloc) of writing the report at 10,000 and at ``--levels`` levels:
a streaming writer's peak stays flat as the report grows.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.models import Location, Variant  # noqa: E402
from desktop_app.engine.export import ExportOptions  # noqa: E402
from desktop_app.engine.export.__init__ import write_snapshot  # noqa: E402
from desktop_app.engine.export.gather import Snapshot, StockLine  # noqa: E402
from desktop_app.engine.export.layouts import kept_lines, table_for  # noqa: E402


def snapshot(levels: int, n_locations: int) -> Snapshot:
    locations = [Location(id=f"{9_000_000_000_000_000_000 + i}", name=f"Warehouse {i + 1}") for i in range(n_locations)]
    variants, lines = [], []
    for i in range(-(-levels // n_locations)):
        v = Variant(id=f"{107_362_235_000_000 + i}", product_id=f"{102_744_589_000 + i // 4}", sku=f"SKU-{i:06d}",
                    barcode=f"{i:013d}", title=f"Colour {i % 7} / Size {i % 4}", product=f"Product {i // 4}")
        variants.append(v)
        for j, loc in enumerate(locations):
            if len(lines) < levels:
                lines.append(StockLine(v, loc, (i * 7 + j * 13) % 120 - 3, threshold=5))
    return Snapshot(store="https://bench.example", platform="Genstore", taken_at=datetime.now(timezone.utc),
                    locations=locations, variants=variants, lines=lines, options=ExportOptions(low_stock=5))


def report(path: Path, snap: Snapshot) -> None:
    write_snapshot(path, snap)


def bare_xlsxwriter(path: Path, rows: list[list]) -> None:
    import xlsxwriter
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Stock")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()


def bare_openpyxl(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Stock")
    for row in rows:
        sheet.append(row)
    book.save(path)


def styled_openpyxl(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Stock")
    sheet.append(rows[0])
    for row in rows[1:]:
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "0;-0;0" if type(value) is int else "@"
            out.append(cell)
        sheet.append(out)
    book.save(path)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def best(runs: list[tuple], repeat: int) -> list[float]:
    """Each ``(fn, *args)`` run ``repeat`` times, interleaved (so a burst of load on the shared
    machine hits all of them alike); the fastest time of each."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for i, (fn, *args) in enumerate(runs):
            times[i].append(timed(fn, *args))
    return [min(t) for t in times]


def peak_mb(levels: int, *, n_locations: int, folder: Path) -> float:
    snap = snapshot(levels, n_locations)
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    write_snapshot(folder / f"mem-{levels}.xlsx", snap)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=100_000)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    snap = snapshot(args.levels, args.locations)
    table = table_for(snap, kept_lines(snap))
    headers = [c.header for c in table.columns]
    rows = [headers, *table.rows()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t_report, t_bare = best([(report, folder / "report.xlsx", snap), (bare_xlsxwriter, folder / "bare.xlsx", rows)],
                                args.repeat)
        t_opx = timed(bare_openpyxl, folder / "opx.xlsx", rows)
        t_opx_styled = timed(styled_openpyxl, folder / "opx-styled.xlsx", rows)
        print(f"{args.levels:,} levels × {len(headers)} columns; report and bare xlsxwriter: best of {args.repeat}, "
              "interleaved")
        print(f"report (xlsxwriter constant-memory, styled, Summary + chart): {t_report:6.2f} s")
        print(f"bare xlsxwriter constant-memory write_row                  : {t_bare:6.2f} s")
        print(f"bare openpyxl write-only append                            : {t_opx:6.2f} s")
        print(f"openpyxl write-only with the report's cell styles          : {t_opx_styled:6.2f} s")
        print(f"ratio report / bare xlsxwriter          : {t_report / t_bare:5.2f}x  (goal <= 1.3x)")
        print(f"ratio bare openpyxl / bare xlsxwriter   : {t_opx / t_bare:5.2f}x")
        print(f"ratio styled openpyxl / report          : {t_opx_styled / t_report:5.2f}x")
        small = peak_mb(10_000, n_locations=args.locations, folder=folder)
        large = peak_mb(args.levels, n_locations=args.locations, folder=folder)
        print(f"peak memory writing the report: {small:.1f} MB at 10,000 levels, {large:.1f} MB at "
              f"{args.levels:,} ({large / small:.2f}x for {args.levels / 10_000:.0f}x the levels; the snapshot itself "
              "is not counted)")


if __name__ == "__main__":
    main()
