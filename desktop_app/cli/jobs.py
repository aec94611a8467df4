"""Running one engine job from the command line: Ctrl+C as a clean cancel, progress, the result."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

from desktop_app.cli.common import out, out_json
from desktop_app.cli.output import chosen, print_reading, print_summary, print_table, row_counts
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
        if result.reading and (result.dry_run or show == "all"):
            print_reading(result.reading)
        print_table(result, show, limit=getattr(args, "limit", 50))
        print_summary(result)
    return result.exit_code()


def result_json(result: Any, show: str) -> dict[str, Any]:
    extra = {k: v for k in ("reading", "estimate") if (v := getattr(result, k, None)) is not None}
    return {**result.summary(), "counts": row_counts(result), **extra,
            "outcomes": [o.as_json() for o in chosen(result.outcomes, show, dry_run=result.dry_run)]}


#: seconds between progress lines when stderr is not a terminal (a log, a cron mail)
LOG_EVERY = 5.0


def printer(args: argparse.Namespace):
    """Progress on stderr: on a terminal one line kept up to date; otherwise (a log) the run id,
    the first progress line, one every ``LOG_EVERY`` seconds and the last."""
    tty = sys.stderr.isatty()
    last = [0.0]

    def line(p: Progress) -> str:
        eta = f", ETA {_duration(p.eta_seconds)}" if p.eta_seconds is not None else ""
        rate = f", {p.rate:.1f} requests/s" if p.rate else ""
        return f"  {p.done:,}/{p.total:,} changes done{rate}{eta}"

    def show(p: Progress) -> None:
        if p.stage == "run":
            print(("\n" if tty and last[0] else "") + p.message, file=sys.stderr, flush=True)
        elif p.stage == "submit":
            if tty and not args.json:
                print(f"\r{line(p)}   ", end="", file=sys.stderr, flush=True)
                last[0] = 1.0
                return
            now = time.monotonic()
            if not last[0] or now - last[0] >= LOG_EVERY or p.done >= p.total:
                last[0] = now
                print(line(p), file=sys.stderr, flush=True)
        elif p.message and not args.json:
            print(f"  {p.message}", file=sys.stderr, flush=True)
    return show


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
