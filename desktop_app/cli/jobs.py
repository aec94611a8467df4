"""Running one engine job from the command line: Ctrl+C as a clean cancel, progress, the result."""
from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from desktop_app.cli.common import out, out_json
from desktop_app.cli.output import chosen, print_summary, print_table, row_counts
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
    return print_result(args, result, heading=heading)


def print_result(args: argparse.Namespace, result: Any, *, heading: bool = False) -> int:
    """The result as a table and summary, or as one JSON object; returns its exit status."""
    show = getattr(args, "show", None) or ("all" if result.dry_run else "problems")
    if result.report_error:
        print(f"stocksheet: {result.report_error}", file=sys.stderr)
    if args.json:
        out_json(result_json(result, show))
    else:
        if heading and result.run_id:
            out(f"Run {result.run_id}:")
        print_table(result, show, limit=getattr(args, "limit", 50))
        print_summary(result)
    return result.exit_code()


def result_json(result: Any, show: str) -> dict[str, Any]:
    return {**result.summary(), "counts": row_counts(result),
            "outcomes": [o.as_json() for o in chosen(result.outcomes, show, dry_run=result.dry_run)]}


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
