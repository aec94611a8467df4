"""Generate the sample sheets the window offers against the demo store.

    .venv/bin/python resources/samples/make_samples.py [--synthetic N OUT.csv]

Samples (all against the Genstore demo catalogue, ``sandbox.genstore_data.demo_catalog``):

* ``demo-long.xlsx``        a stock count, one row per variant × location: mostly real changes, some
                            unchanged rows, and two invalid rows (unknown SKU, "twelve" as a quantity);
* ``demo-long.csv``         the same shape as UTF-8 CSV with a ``Back room`` location the store does not
                            have (match it to a real one in the mapping panel) and a few bad rows;
* ``shopify-inventory.csv`` Shopify's inventory export (``On hand (current)`` / ``On hand (new)``);
* ``demo-wide.xlsx``        one column per location.

``--synthetic N OUT.csv`` writes an N-row long sheet against the ``synthetic:VARIANTSxLOCATIONS``
sandbox catalogue (used by ``bench/ui_stall.py``).
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from desktop_app.sandbox.demo import LOCATIONS, MAIN, OUTLET, POPUP  # noqa: E402
from desktop_app.sandbox.genstore_data import demo_catalog  # noqa: E402

HERE = Path(__file__).resolve().parent


def _new_level(i: int, level: int) -> int:
    """Deterministic edits: every third row unchanged, the others up or down a little."""
    if i % 3 == 0:
        return level
    return max(0, level + (5 if i % 2 else -3))


def long_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    i = 0
    for v in demo_catalog().variants:
        for loc in LOCATIONS:
            if loc in v.levels:
                rows.append([v.sku, f"{v.product} — {v.title}", loc, _new_level(i, v.levels[loc])])
                i += 1
    return rows


def write_long_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Stock count"
    ws.append(["SKU", "Product", "Location", "Available"])
    rows = long_rows()
    rows.insert(5, ["TS-PURPLE-S", "Organic Cotton T-Shirt — Purple / S", MAIN, 4])     # no such variant
    rows.insert(9, ["MUG-CHAR", "Stoneware Mug 350 ml — Charcoal", OUTLET, "twelve"])  # not a number
    for r in rows:
        ws.append(r)
    ws.column_dimensions["B"].width = 42
    ws.column_dimensions["C"].width = 18
    wb.save(path)


def write_long_csv(path: Path) -> None:
    rows = long_rows()
    for r in rows:
        if r[2] == POPUP:
            r[2] = "Back room"          # the shop calls its Pop-up "Back room": match it in the window
    rows.insert(3, ["", "A row without a SKU", MAIN, 7])
    rows.insert(7, ["TOTE-NAT", "Canvas Tote Bag — Natural", MAIN, "-4"])           # negative stock
    rows.insert(11, ["CANDLE-CREME", "Crème Brûlée Scented Candle", "Garage", 3])   # unknown location
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["SKU", "Product", "Location", "Available"])
        w.writerows(rows)


def write_shopify_csv(path: Path) -> None:
    headers = ["Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
               "Option3 Name", "Option3 Value", "SKU", "HS Code", "COO", "Location", "Bin name",
               "Incoming (not editable)", "Unavailable (not editable)", "Committed (not editable)",
               "Available (not editable)", "On hand (current)", "On hand (new)"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        i = 0
        for v in demo_catalog().variants:
            handle = "-".join(v.product.lower().replace("—", "").split())[:40]
            for loc in LOCATIONS:
                if loc not in v.levels:
                    continue
                level = v.levels[loc]
                new = "" if i % 4 == 3 else _new_level(i, level)       # blank "new": leave as is
                seen = level if i != 6 else level + 2                   # one row saw an older level: stale
                w.writerow([handle, v.product, "Title", v.title, "", "", "", "", v.sku, "", "", loc, "",
                            0, 0, 0, level, seen, new])
                i += 1


def write_wide_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Stock"
    ws.append(["SKU", "Product", *LOCATIONS])
    for i, v in enumerate(demo_catalog().variants):
        ws.append([v.sku, f"{v.product} — {v.title}",
                   *[_new_level(i + j, v.levels[loc]) if loc in v.levels else None for j, loc in enumerate(LOCATIONS)]])
    ws.column_dimensions["B"].width = 42
    wb.save(path)


def write_synthetic_csv(path: Path, *, rows: int, variants: int = 20_000, locations: int = 5,
                        change_every: int = 3) -> None:
    """A long sheet against ``synthetic:{variants}x{locations}``: one row in ``change_every``
    differs from the store's level, the others match it."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["SKU", "Location", "Available"])
        for i in range(rows):
            v, loc = i % variants, (i // variants) % locations
            live = (v * 7 + loc * 13 + 7) % 100        # sandbox.catalog.synthetic_catalog's levels
            w.writerow([f"SKU-{v + 1:06d}", f"Warehouse {loc + 1}", live + 1 + i % 5 if i % change_every == 0 else live])


def main(argv: list[str]) -> int:
    if argv[:1] == ["--synthetic"]:
        write_synthetic_csv(Path(argv[2]), rows=int(argv[1]))
        return 0
    write_long_xlsx(HERE / "demo-long.xlsx")
    write_long_csv(HERE / "demo-long.csv")
    write_shopify_csv(HERE / "shopify-inventory.csv")
    write_wide_xlsx(HERE / "demo-wide.xlsx")
    print(f"Samples written to {HERE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
