"""``stocksheet sandbox``: serve a local emulator of a platform's API (the demo store)."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from desktop_app.cli.common import PLATFORM_CHOICES, UsageError, add_parser, out_json
from desktop_app.cli.exits import EXIT_OK
from desktop_app.cli.signals import stop_on_signals


def register(sub: Any) -> None:
    s = add_parser(sub, "sandbox", help="serve a local emulator of a platform's API (the demo store)",
                   example="stocksheet sandbox --platform genstore --port 0   # prints {\"url\": …, \"token\": …}")
    s.add_argument("--platform", required=True, choices=PLATFORM_CHOICES)
    s.add_argument("--port", type=int, default=0, help="TCP port (0: any free port)")
    s.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                   help="address to listen on (default 127.0.0.1, loopback only; 0.0.0.0 serves the network)")
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
    s.set_defaults(handler=cmd_sandbox)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from desktop_app.sandbox.http import SandboxServer
    from desktop_app.sandbox.registry import create_app, readings
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
    try:
        server = SandboxServer(app, port=args.port, latency_ms=args.latency, host=args.host)
    except OSError as exc:
        raise UsageError(f"Cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); choose another "
                         "--host or --port.") from exc

    stopped = threading.Event()
    # the serving thread is shut down from here, never from a signal handler (cli.signals)
    server.start()
    try:
        with stop_on_signals(stopped.set, signals=(signal.SIGINT, signal.SIGTERM)):
            return _serve(args, app, server, stopped)
    except KeyboardInterrupt:   # a second signal: stop now
        return EXIT_OK
    finally:
        server.stop()


def _serve(args: argparse.Namespace, app: Any, server: Any, stopped: threading.Event) -> int:
    info = {"platform": args.platform, "url": server.url, "token": app.token}
    if args.platform == "zettle":     # an API key and client id exchange for short-lived tokens too
        info.update(api_key=app.api_key, client_id=app.client_id)
    if args.basic_auth is not None:   # the caller chose the password; a client needs the user too
        info["basic_user"] = args.basic_auth.partition(":")[0]
    out_json(info)
    print(server.announcement(), file=sys.stderr, flush=True)     # who can reach it (loopback unless --host)
    stopped.wait()
    return EXIT_OK
