"""``stocksheet export``: the store's stock as a sheet that imports back as-is."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop_app.cli.common import UsageError, add_parser, connection_flags, connector, out, out_json
from desktop_app.cli.exits import EXIT_OK


def register(sub: Any) -> None:
    e = add_parser(sub, "export", help="export the store's stock as a sheet that imports back as-is",
                   example="stocksheet export --platform genstore --url https://myshop.genmystore.com -o stock.xlsx")
    connection_flags(e)
    e.add_argument("-o", "--output", required=True, type=Path, help="OUT.xlsx or OUT.csv")
    e.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from desktop_app.engine.export import export_stock
    if args.output.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"Cannot export to '{args.output}': use a .xlsx or .csv file name.")
    conn = connector(args)
    try:
        n = export_stock(conn, args.output)
    finally:
        conn.close()
    if args.json:
        out_json({"rows": n, "output": str(args.output)})
    else:
        out(f"Exported {n:,} stock levels to {args.output}")
    return EXIT_OK
