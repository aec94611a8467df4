"""What every subcommand shares: connection flags, the connector, output that survives a closed
pipe, and errors. A subcommand module has ``register(sub)`` adding its parsers, each with
``set_defaults(handler=...)``; ``cli.__init__`` lists the modules."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any

from desktop_app.core.errors import InputError

PLATFORM_CHOICES = ["genstore", "zettle", "marketplacer", "shoplazza"]

log = logging.getLogger("stocksheet")


class UsageError(InputError):
    pass


def add_parser(sub: Any, name: str, *, help: str, description: str | None = None,
               example: str | None = None) -> argparse.ArgumentParser:
    """A subcommand parser whose ``--help`` has a description and an example."""
    from desktop_app.cli.exits import epilog
    text = (example and "example:\n  " + example.replace("\n", "\n  ") + "\n\n" or "") + epilog()
    return sub.add_parser(name, help=help, description=description or help[0].upper() + help[1:] + ".",
                          epilog=text, formatter_class=argparse.RawDescriptionHelpFormatter)


def out(text: str = "", **kwargs: Any) -> None:
    """print to stdout. A reader that went away (``stocksheet history | head``) is not an error:
    the rest of the output goes nowhere and the command ends with its own status."""
    try:
        print(text, **kwargs)
    except BrokenPipeError:
        silence_stdout()


def out_json(value: Any) -> None:
    out(json.dumps(value, default=str), flush=True)


def silence_stdout() -> None:
    """Point stdout at the null device (its reader closed the pipe), so the interpreter's final
    flush does not fail either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def fail(message: str, code: int, *, json_out: bool = False) -> int:
    """Say what went wrong on stderr (and, for ``--json``, as ``{"error", "exit"}`` on stdout, so a
    script always gets an object); returns ``code``. Every secret this process knows is masked
    (``core.redaction``), by value."""
    from desktop_app.core.redaction import redact
    from desktop_app.engine.logs import SHOWN
    message = redact(message)
    log.error(message, extra=SHOWN)      # a log on stderr (an unwritable home) does not say it twice
    print(f"stocksheet: {message}", file=sys.stderr)
    if json_out:
        out_json({"error": message, "exit": code})
    return code


def show_flags(sp: argparse.ArgumentParser) -> None:
    """``--show`` and ``--limit``: which rows the table (and ``--json`` ``outcomes``) lists."""
    from desktop_app.cli.output import SHOW
    sp.add_argument("--show", choices=SHOW, default=None,
                    help="rows to list: all (changes, problems by kind, skipped; unchanged counted), changes, "
                         "problems, none (default: all for a dry run, problems for a real run)")
    sp.add_argument("--limit", type=int, default=50, metavar="N",
                    help="list at most N rows per group on the terminal (0: every one; --json lists all)")


def connection_flags(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--platform", required=True, choices=PLATFORM_CHOICES)
    from desktop_app.platforms.store_urls import NAMES, URL_HELP
    real = "; ".join(f"{NAMES[p]}: {URL_HELP[p]}" for p in PLATFORM_CHOICES)
    sp.add_argument("--url", required=True, help=f"the store's address — {real}; or the http://127.0.0.1:PORT a "
                    "sandbox printed. The token comes from STOCKSHEET_TOKEN or the OS keyring, never from a flag.")
    sp.add_argument("--json", action="store_true", help="print one JSON object with the result")
    store_flags(sp)


def store_flags(sp: argparse.ArgumentParser) -> None:
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


def connector(args: argparse.Namespace, *, platform: str | None = None, url: str | None = None,
              remembered: dict[str, str] | None = None):
    """The connector for ``platform`` at ``url`` (default: ``--platform``/``--url``), with the
    platform's own flags applied; every command that connects builds its connector here, from
    the secrets ``engine.connect`` finds (environment, then keyring). ``remembered``: a run's
    journalled connection options (resume, undo), which its flags override."""
    from desktop_app.engine.connect import connect_saved
    from desktop_app.platforms.http import check_url
    from desktop_app.platforms.store_urls import url_problem
    platform = platform or args.platform
    url = check_url((url or args.url).strip())
    problem = url_problem(platform, url)
    if problem:
        raise UsageError(problem)
    removal = getattr(args, "zettle_removal", None)
    if removal and platform != "zettle":
        raise UsageError("--zettle-removal only applies to --platform zettle.")
    client_id = getattr(args, "zettle_client_id", None)
    if client_id and platform != "zettle":
        raise UsageError("--zettle-client-id only applies to --platform zettle.")
    basic_user = getattr(args, "basic_user", None)
    if basic_user is not None:
        if platform != "marketplacer":
            raise UsageError("--basic-user only applies to --platform marketplacer.")
        if ":" in basic_user or not basic_user.strip():
            raise UsageError("--basic-user takes the user name alone (no ':'); the password goes in the "
                             "STOCKSHEET_BASIC_PASSWORD environment variable, never on the command line.")
    remembered = remembered or {}
    return connect_saved(platform, url, client_id=client_id or remembered.get("client_id"),
                         basic_user=basic_user if basic_user is not None else remembered.get("basic_user"),
                         removal_location=removal or remembered.get("removal_location"))
