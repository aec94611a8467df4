"""The headless entry point, ``stocksheet``. Same engine as the window.

One module per subcommand group, each with ``register(sub)`` adding its parsers (every parser sets
``handler``); ``COMMANDS`` lists them in ``--help`` order. Shared pieces: ``common`` (connection
flags, the connector, output), ``jobs`` (running a job: Ctrl+C, progress), ``output`` (summaries,
tables), ``exits`` (the exit-status table — documented in README, stable for automation).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from desktop_app import __version__
from desktop_app.cli import export_cmd, feeds_cmd, gui_cmd, import_cmd, runs_cmd, sandbox_cmd
from desktop_app.cli.common import UsageError, fail, log, silence_stdout
from desktop_app.cli.exits import EXIT_INTERNAL, EXIT_OK, EXIT_PLATFORM, EXIT_USAGE, code_for, epilog
from desktop_app.core.errors import StocksheetError

#: subcommand groups, in --help order; a new group is a module with ``register(sub)`` added here
COMMANDS = [sandbox_cmd, export_cmd, import_cmd, runs_cmd, feeds_cmd, gui_cmd]

__all__ = ["main", "build_parser", "COMMANDS", "UsageError"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stocksheet", description="Import stock sheets into online stores, safely.",
                                epilog=epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"stocksheet {__version__}")
    sub = p.add_subparsers(dest="command")
    for module in COMMANDS:
        module.register(sub)
    gui_cmd.register_top(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage message
        return EXIT_USAGE if exc.code else EXIT_OK
    if args.command in (None, "gui"):
        return gui_cmd.run(args, argv)
    from desktop_app.engine.logs import setup_logging
    log_path = setup_logging()
    as_json = bool(getattr(args, "json", False))
    try:
        return args.handler(args)
    except StocksheetError as exc:
        return fail(str(exc), code_for(exc), json_out=as_json)
    except BrokenPipeError:           # stdout's reader went away mid-line
        silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:         # a second Ctrl+C: aborted at once (``cli.signals``)
        return fail("Aborted at once by a second Ctrl+C. Anything that was being written is in the journal: "
                    "`stocksheet history` shows the run as interrupted, `stocksheet resume RUN_ID` finishes it.",
                    EXIT_PLATFORM, json_out=as_json)
    except Exception as exc:          # a bug: its own exit status, the details in the log, never a traceback
        return internal_error(exc, log_path, json_out=as_json)


def internal_error(exc: Exception, log_path: str, *, json_out: bool = False) -> int:
    import traceback
    from desktop_app.core.redaction import redact, remember
    remember(*((os.environ.get(v) or "").strip() for v in ("STOCKSHEET_TOKEN", "STOCKSHEET_BASIC_PASSWORD")))
    details = redact("".join(traceback.format_exception(exc)))     # every secret known, by value
    log.error("internal error\n%s", details)
    what = redact(f"{type(exc).__name__}: {exc}")
    return fail(f"internal error (a bug in Stocksheet): {what}. The details are in {log_path}; please send that file "
                "with a note of what you ran. A run that was writing is in the journal: `stocksheet history` lists "
                "it and `stocksheet resume RUN_ID` finishes it.", EXIT_INTERNAL, json_out=json_out)
