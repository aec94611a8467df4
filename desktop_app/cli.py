"""The headless entry point, ``stocksheet``. Same engine as the window.

Exit status (stable, automation depends on it):
    0  everything applied or unchanged (or, for a dry run, nothing wrong)
    1  finished, but some rows were invalid, failed or stale (the report lists them)
    2  bad usage or unreadable input
    3  platform unreachable, authentication refused, or the run was aborted/cancelled
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Sequence

from desktop_app import __version__
from desktop_app.core.errors import CancelledError, InputError, PlatformError, StocksheetError
from desktop_app.core.models import KeyKind
from desktop_app.core.progress import CancelToken, Progress
from desktop_app.engine.journal import JournalError
from desktop_app.engine.store_lock import StoreBusyError

EXIT_OK, EXIT_ROWS, EXIT_USAGE, EXIT_PLATFORM = 0, 1, 2, 3
PLATFORM_CHOICES = ["genstore", "zettle", "marketplacer", "shoplazza"]

log = logging.getLogger("stocksheet")


class UsageError(InputError):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stocksheet", description="Import stock sheets into online stores, safely.")
    p.add_argument("--version", action="version", version=f"stocksheet {__version__}")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("sandbox", help="serve a local emulator of a platform's API (the demo store)")
    s.add_argument("--platform", required=True, choices=PLATFORM_CHOICES)
    s.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    s.add_argument("--state", type=Path, help="SQLite file keeping the store's state across restarts")
    s.add_argument("--catalog", default="demo", help="demo | PATH.json | synthetic:VARIANTSxLOCATIONS")
    s.add_argument("--rate", default="default", help="default | none | BURST/PER_SECOND (e.g. 40/2)")
    s.add_argument("--latency", type=float, default=0.0, metavar="MS", help="added latency per request")
    s.add_argument("--reading", default=None, metavar="NAME",
                   help="a reading of the platform's docs where they are silent or disagree (README: Readings of "
                        "the docs), e.g. Shoplazza's adding (live stores, the default) or absolute (its docs)")
    s.add_argument("--semantics", choices=["documented", "observed"], default=None,
                   help="Shoplazza only, older spelling of --reading absolute|adding")
    s.add_argument("--faults", default=None, metavar="SPEC", help="fault injection, e.g. '5xx=0.1,drop=0.05'")
    s.add_argument("--seed", type=int, default=0, help="seed for fault injection")
    s.add_argument("--basic-auth", default=None, metavar="USER:PASSWORD",
                   help="Marketplacer only: put the sandbox behind HTTP Basic auth with this throwaway user and "
                        "password (clients then need --basic-user USER and STOCKSHEET_BASIC_PASSWORD)")

    def connection(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--platform", required=True, choices=PLATFORM_CHOICES)
        sp.add_argument("--url", required=True, help="store URL (https, or http://127.0.0.1 for the sandbox). "
                        "The token comes from STOCKSHEET_TOKEN or the OS keyring, never from a flag.")
        sp.add_argument("--json", action="store_true", help="print one JSON object with the result")
        add_store_flags(sp)

    e = sub.add_parser("export", help="export the store's stock as a sheet that imports back as-is")
    connection(e)
    e.add_argument("-o", "--output", required=True, type=Path, help="OUT.xlsx or OUT.csv")

    i = sub.add_parser("import", help="check a sheet against the store, show the diff, apply it")
    i.add_argument("file", type=Path)
    connection(i)
    i.add_argument("--dry-run", action="store_true", help="stop after the plan; write nothing")
    i.add_argument("--key", choices=[k.value for k in KeyKind], help="variant identity column (default: SKU, then barcode)")
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
    i.add_argument("--report", type=Path, help="error report path (default: FILE.errors.<ext> next to the sheet)")
    from desktop_app.cli_feeds import add_guard_flags
    add_guard_flags(i)

    add_run_commands(sub)
    from desktop_app import cli_feeds
    cli_feeds.register(sub)

    g = sub.add_parser("gui", help="open the window (the default with no command)")
    g.add_argument("file", nargs="?", type=Path)
    shot_help = "open the window on the demo store with a sample (or FILE), save a screenshot to PATH and quit"
    g.add_argument("--screenshot", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=shot_help)
    p.add_argument("--screenshot", type=Path, metavar="PATH", help=shot_help)
    return p


def add_store_flags(sp: argparse.ArgumentParser) -> None:
    """The platform's own connection flags, on every command that connects (never a secret: argv is
    visible to every user of the machine; secrets come from the environment or the keyring)."""
    sp.add_argument("--zettle-removal", choices=["BIN", "SOLD"], default=None,
                    help="Zettle only: where stock removed by a lower level goes (default BIN)")
    sp.add_argument("--zettle-client-id", default=None, metavar="ID",
                    help="Zettle only: the client id of your API key (or STOCKSHEET_ZETTLE_CLIENT_ID); the "
                         "token is then the API key, exchanged for short-lived access tokens")
    sp.add_argument("--basic-user", default=None, metavar="USER",
                    help="Marketplacer only: the HTTP Basic user of a site behind Basic auth; the password comes "
                         "from STOCKSHEET_BASIC_PASSWORD or the keyring, never from the command line")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage message
        return EXIT_USAGE if exc.code else EXIT_OK
    if args.command in (None, "gui"):
        from desktop_app.app import run_gui
        return run_gui(getattr(args, "file", None), argv=argv, screenshot=getattr(args, "screenshot", None))
    from desktop_app.engine.logs import setup_logging
    setup_logging()
    from desktop_app import cli_feeds
    handler = {"sandbox": cmd_sandbox, "export": cmd_export, "import": cmd_import, "history": cmd_history,
               "resume": cmd_resume, "undo": cmd_undo, **dict.fromkeys(cli_feeds.HANDLED, cli_feeds.handle)
               }[args.command]
    try:
        return handler(args)
    except (StoreBusyError, JournalError) as exc:   # another run holds the store; the journal cannot record
        return fail(str(exc), EXIT_PLATFORM)
    except InputError as exc:
        return fail(str(exc), EXIT_USAGE)
    except (PlatformError, CancelledError) as exc:
        return fail(str(exc), EXIT_PLATFORM)
    except StocksheetError as exc:
        return fail(str(exc), EXIT_USAGE)


def fail(message: str, code: int) -> int:
    log.error(message)
    print(f"stocksheet: {message}", file=sys.stderr)
    return code


def cmd_sandbox(args: argparse.Namespace) -> int:
    from desktop_app.sandbox.http import SandboxServer
    from desktop_app.sandbox.registry import create_app
    from desktop_app.sandbox.registry import readings
    options: dict[str, Any] = {}
    if args.reading:
        names = [r.name for r in readings(args.platform)]
        if args.reading not in names:
            raise UsageError(f"--reading {args.reading}: the {args.platform} sandbox offers {', '.join(names)}.")
        options["reading"] = args.reading
    if args.semantics:
        options["semantics"] = args.semantics
    if args.basic_auth is not None:
        if args.platform != "marketplacer":
            raise UsageError("--basic-auth only applies to --platform marketplacer.")
        user, colon, _ = args.basic_auth.partition(":")
        if not (user and colon):
            raise UsageError("--basic-auth takes USER:PASSWORD, e.g. --basic-auth shop:throwaway-password.")
        options["basic_auth"] = args.basic_auth
    if args.faults:
        options["faults"] = args.faults
        options["seed"] = args.seed
    try:
        app = create_app(args.platform, catalog=args.catalog, state=args.state, rate=args.rate, **options)
    except (ValueError, OSError) as exc:
        raise UsageError(f"Cannot start the {args.platform} sandbox: {exc}") from exc
    server = SandboxServer(app, port=args.port, latency_ms=args.latency)

    stopped = threading.Event()
    # Handlers only set a flag: the serving thread is shut down from here, never from a handler.
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    server.start()
    try:
        info = {"platform": args.platform, "url": server.url, "token": app.token}
        if args.platform == "zettle":     # an API key and client id exchange for short-lived tokens too
            info.update(api_key=app.api_key, client_id=app.client_id)
        if args.basic_auth is not None:   # the caller chose the password; a client needs the user too
            info["basic_user"] = args.basic_auth.partition(":")[0]
        print(json.dumps(info), flush=True)
        while not stopped.wait(0.5):
            pass
    finally:
        server.stop()
    return EXIT_OK


def _connector(args: argparse.Namespace, *, platform: str | None = None, url: str | None = None):
    """The connector for ``platform`` at ``url`` (default: ``--platform``/``--url``), with the
    platform's own flags applied; every command that connects builds its connector here."""
    from desktop_app.engine.credentials import get_basic_password, get_token
    from desktop_app.platforms.http import check_url
    from desktop_app.platforms.registry import connect
    platform = platform or args.platform
    url = check_url(url or args.url)
    options: dict[str, Any] = {}
    if getattr(args, "zettle_removal", None):
        if platform != "zettle":
            raise UsageError("--zettle-removal only applies to --platform zettle.")
        options["removal_location"] = args.zettle_removal
    if getattr(args, "zettle_client_id", None) and platform != "zettle":
        raise UsageError("--zettle-client-id only applies to --platform zettle.")
    client_id = ""             # the environment's applies to Zettle stores only; it may be set for all shells
    if platform == "zettle":
        client_id = getattr(args, "zettle_client_id", None) or os.environ.get("STOCKSHEET_ZETTLE_CLIENT_ID") or ""
        client_id = client_id.strip()
    if client_id:
        options["client_id"] = client_id
    basic_user = getattr(args, "basic_user", None)
    if basic_user is not None:
        if platform != "marketplacer":
            raise UsageError("--basic-user only applies to --platform marketplacer.")
        if ":" in basic_user or not basic_user.strip():
            raise UsageError("--basic-user takes the user name alone (no ':'); the password goes in the "
                             "STOCKSHEET_BASIC_PASSWORD environment variable, never on the command line.")
    token = get_token(url)
    if not token:
        if client_id:
            raise UsageError(f"No Zettle API key for {url}. Set the STOCKSHEET_TOKEN environment variable to the API "
                             "key, or save it in the window's connection dialog (it goes to the OS keyring).")
        raise UsageError(f"No access token for {url}. Set the STOCKSHEET_TOKEN environment variable, or save the "
                         "token in the window's connection dialog (it goes to the OS keyring).")
    if basic_user is not None:
        password = get_basic_password(url)
        if not password:
            raise UsageError(f"No HTTP Basic password for {url}. Set the STOCKSHEET_BASIC_PASSWORD environment "
                             "variable, or save it in the window's connection dialog (it goes to the OS keyring).")
        options.update(basic_user=basic_user.strip(), basic_password=password)
    return connect(platform, url, token, **options)


def cmd_export(args: argparse.Namespace) -> int:
    from desktop_app.engine.export import export_stock
    if args.output.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"Cannot export to '{args.output}': use a .xlsx or .csv file name.")
    connector = _connector(args)
    try:
        n = export_stock(connector, args.output)
    finally:
        connector.close()
    if args.json:
        print(json.dumps({"rows": n, "output": str(args.output)}))
    else:
        print(f"Exported {n:,} stock levels to {args.output}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from desktop_app.engine.importer import ImportRequest, run_import
    request = ImportRequest.from_cli(args)
    return _run_job(args, _connector(args), lambda connector, cancel, progress: run_import(
        request, connector, progress=progress, cancel=cancel))


def _run_job(args: argparse.Namespace, connector: Any, job: Any, *, heading: bool = False) -> int:
    """Run ``job(connector, cancel, progress)`` with Ctrl+C as a clean cancel; print its result."""
    cancel = CancelToken()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        result = job(connector, cancel, _printer(args))
    finally:
        connector.close()
        signal.signal(signal.SIGINT, previous)
    if args.json:
        print(json.dumps(result.summary(), default=str))
    else:
        if heading:
            print(f"Run {result.run_id}:")
        _print_summary(result)
    return result.exit_code()


def _printer(args: argparse.Namespace):
    if args.json or not sys.stderr.isatty():
        return lambda p: None
    def show(p: Progress) -> None:
        if p.stage == "submit":
            eta = f", ETA {p.eta_seconds:.0f}s" if p.eta_seconds is not None else ""
            rate = f", {p.rate:.1f} req/s" if p.rate else ""
            print(f"\r  {p.done:,}/{p.total:,} changes{rate}{eta}   ", end="", file=sys.stderr, flush=True)
        elif p.message:
            print(f"  {p.message}", file=sys.stderr)
    return show


def _print_summary(result) -> None:
    for notice in result.notices:
        print(f"Note: {notice}")
    written = not (result.dry_run or result.guards)
    verb = "changed" if written else "would change"
    print(f"{result.rows:,} rows: {result.valid:,} valid, {result.invalid:,} invalid")
    print(f"{result.changes:,} levels {verb}, {result.unchanged:,} unchanged, {result.stale:,} stale"
          + ("" if not written else f"; {result.applied:,} applied (each read back at its target), "
             f"{result.failed:,} failed" + (f", {result.unverified:,} unverified" if result.unverified else ""))
          + f" ({result.requests:,} requests)")
    if result.cancelled:
        print("The run stopped before finishing; what was not applied is listed in the report.")
    if result.unverified:
        print(f"{result.unverified:,} written levels could not be read back to check them; "
              f"`stocksheet resume {result.run_id}` reads them again.")
    if result.report:
        print(f"Error report: {result.report} (fix the rows and import it again)")


# ---- journalled runs: history, resume, undo -------------------------------------------------
def add_run_commands(sub: Any) -> None:
    h = sub.add_parser("history", help="list past runs (imports and undos) from the journal")
    h.add_argument("--json", action="store_true", help="print one JSON object per run, as a list")
    r = sub.add_parser("resume", help="finish a cancelled, stopped or killed run exactly once")
    r.add_argument("run_id", metavar="RUN_ID")
    r.add_argument("--json", action="store_true", help="print one JSON object with the result")
    add_store_flags(r)
    u = sub.add_parser("undo", help="restore the levels a run changed (as a new run, itself undoable)")
    u.add_argument("run_id", metavar="RUN_ID")
    u.add_argument("--force", action="store_true", help="also restore levels that moved since the run (sales)")
    u.add_argument("--json", action="store_true", help="print one JSON object with the result")
    add_store_flags(u)


def cmd_history(args: argparse.Namespace) -> int:
    from desktop_app.engine.runs import history
    runs = history()
    if args.json:
        print(json.dumps([r.as_json() for r in runs]))
        return EXIT_OK
    if not runs:
        print("No runs yet.")
    for r in runs:
        what = f"undo of {r.undoes}" if r.undoes else f"import of {r.sheet}"
        undone = f", undone by {', '.join(r.undone_by)}" if r.undone_by else ""
        print(f"{r.id}  {r.started}  {r.platform} {r.url}  {what}: {r.state}; {r.applied:,}/{r.changes:,} applied, "
              f"{r.failed:,} failed, {r.stale:,} stale, {r.pending:,} pending{undone}")
    return EXIT_OK


def cmd_resume(args: argparse.Namespace) -> int:
    from desktop_app.engine.runs import resume
    return _run_command(args, lambda connector, cancel, progress: resume(args.run_id, connector, cancel=cancel,
                                                                         progress=progress))


def cmd_undo(args: argparse.Namespace) -> int:
    from desktop_app.engine.runs import undo
    return _run_command(args, lambda connector, cancel, progress: undo(args.run_id, connector, force=args.force,
                                                                       cancel=cancel, progress=progress))


def _run_command(args: argparse.Namespace, job: Any) -> int:
    """Connect to the run's own store (platform and URL from the journal), run ``job``, print."""
    from desktop_app.engine.runs import run_record
    record = run_record(args.run_id)
    connector = _connector(args, platform=record.platform, url=record.url)
    return _run_job(args, connector, job, heading=True)
