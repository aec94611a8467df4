"""Running one engine job from the command line: Ctrl+C as a clean cancel, progress, the result."""
from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from desktop_app.cli.common import out_json
from desktop_app.cli.output import print_summary
from desktop_app.cli.signals import stop_on_signals
from desktop_app.core.progress import CancelToken, Progress


def run_job(args: argparse.Namespace, connector: Any, job: Any, *, heading: bool = False) -> int:
    """Run ``job(connector, cancel, progress)`` with Ctrl+C as a clean cancel; print its result."""
    cancel = CancelToken()

    def stop() -> None:
        cancel.cancel()
        print("stocksheet: stopping after the requests in flight (the run stays resumable); press Ctrl+C again "
              "to abort at once.", file=sys.stderr, flush=True)
    try:
        with stop_on_signals(stop, signals=(signal.SIGINT, signal.SIGTERM)):
            result = job(connector, cancel, printer(args))
    finally:
        try:
            connector.close()
        except Exception:        # aborted mid-request (a second Ctrl+C): the process is ending anyway
            pass
    if result.report_error:
        print(f"stocksheet: {result.report_error}", file=sys.stderr)
    if args.json:
        out_json(result.summary())
    else:
        if heading:
            print(f"Run {result.run_id}:")
        print_summary(result)
    return result.exit_code()


def printer(args: argparse.Namespace):
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
