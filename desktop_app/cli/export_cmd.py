"""``stocksheet export``: a stock report (long, wide or low-stock; XLSX or CSV) that imports back as-is."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop_app.cli.common import add_parser, connection_flags, connector, out, out_json
from desktop_app.cli.exits import EXIT_OK


def register(sub: Any) -> None:
    e = add_parser(sub, "export", help="export a stock report that imports back as-is",
                   example="stocksheet export --platform genstore --url https://myshop.genmystore.com -o stock.xlsx\n"
                           "stocksheet export ... -o low.csv --layout low-stock --low-stock 3 --delimiter ';'")
    connection_flags(e)
    e.add_argument("-o", "--output", required=True, type=Path, help="OUT.xlsx or OUT.csv")
    e.add_argument("--layout", choices=["long", "wide", "low-stock"], default="long",
                   help="a row per variant × location (default), a column per location, or only low stock")
    e.add_argument("--locations", metavar="'A,B'", help="only these locations (names as the store spells them)")
    e.add_argument("--changed-since", metavar="DATE", help="only levels changed since DATE (platforms that can filter)")
    e.add_argument("--low-stock", type=int, metavar="N", help="highlight levels at or below N")
    e.add_argument("--only-low", action="store_true", help="keep only the levels at or below the threshold")
    e.add_argument("--thresholds", type=Path, metavar="REPORT", help="per-variant thresholds from a previous report")
    e.add_argument("--no-bom", action="store_true", help="CSV without the UTF-8 BOM (Excel needs it; some tools don't)")
    e.add_argument("--delimiter", choices=[",", ";"], default=",", help="CSV delimiter (';' for European Excel)")
    e.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from desktop_app.engine.export import ExportOptions, check_options, write_stock_report
    options = ExportOptions.from_cli(args)
    check_options(args.output, options)         # before the store is read
    conn = connector(args)
    try:
        result = write_stock_report(conn, args.output, options=options)
    finally:
        conn.close()
    if args.json:
        out_json({"rows": result.levels, "table_rows": result.rows, "output": str(args.output)})
    else:
        out(f"Exported {result.levels:,} stock levels to {args.output}")
    return EXIT_OK
