"""``stocksheet import FILE``: check a sheet against the store, show the diff, apply it."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop_app.cli.common import add_parser, connection_flags, connector, show_flags
from desktop_app.cli.feeds_cmd import add_guard_flags
from desktop_app.cli.jobs import run_job
from desktop_app.core.models import KeyKind


def register(sub: Any) -> None:
    i = add_parser(sub, "import", help="check a sheet against the store, show the diff, apply it",
                   example="stocksheet import stock.xlsx --platform genstore --url https://myshop.genmystore.com "
                           "--dry-run\nstocksheet import stock.xlsx --platform genstore "
                           "--url https://myshop.genmystore.com")
    i.add_argument("file", type=Path)
    connection_flags(i)
    i.add_argument("--dry-run", action="store_true", help="stop after the plan; write nothing")
    i.add_argument("--key", choices=[k.value for k in KeyKind],
                   help="variant identity column (default: SKU, then barcode)")
    i.add_argument("--sheet", help="workbook sheet name (default: the one with a recognised header)")
    i.add_argument("--map", action="append", default=[], metavar="'HEADER=ROLE'",
                   help="column override, e.g. 'Menge=available', 'Lager=location', 'Delta=adjust' (repeatable)")
    i.add_argument("--profile", help="use a saved mapping profile")
    i.add_argument("--save-profile", metavar="NAME", help="save this run's mapping as a profile")
    i.add_argument("--location", action="append", default=[], metavar="'SHEET NAME=STORE LOCATION'",
                   help="match a location name in the sheet to a store location (repeatable)")
    i.add_argument("--duplicates", choices=["error", "last", "sum"], default="error",
                   help="same variant × location twice: both invalid (default), keep the last, or sum adjustments")
    i.add_argument("--force-stale", action="store_true",
                   help="write rows whose live level changed since the sheet's 'On hand (current)'")
    i.add_argument("--report", type=Path, help="error report path (default: FILE.errors.<ext> next to the sheet, or "
                   "STOCKSHEET_HOME/reports when that folder is read-only)")
    i.add_argument("--encoding", metavar="NAME", help="a CSV's text encoding, e.g. utf-8, cp1252, cp1250, gbk "
                   "(default: detected; among readings that fit, the one matching the store's catalogue)")
    add_guard_flags(i)
    show_flags(i)
    i.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from desktop_app.engine.importer import ImportRequest, run_import
    request = ImportRequest.from_cli(args)
    return run_job(args, connector(args), lambda conn, cancel, progress: run_import(
        request, conn, progress=progress, cancel=cancel))
