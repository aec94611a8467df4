"""Journalled runs: ``history``, ``resume RUN_ID``, ``undo RUN_ID``, ``show RUN_ID``, ``report RUN_ID``."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop_app.cli.common import add_parser, connector, out, out_json, show_flags, store_flags
from desktop_app.cli.exits import EXIT_OK
from desktop_app.cli.jobs import print_result, run_job


def register(sub: Any) -> None:
    h = add_parser(sub, "history", help="list past runs (imports and undos) from the journal",
                   example="stocksheet history | head")
    h.add_argument("--json", action="store_true", help="print one JSON object per run, as a list")
    h.set_defaults(handler=cmd_history)
    r = add_parser(sub, "resume", help="finish a cancelled, stopped or killed run exactly once",
                   example="stocksheet resume 20250501-140312-3f2a")
    r.add_argument("run_id", metavar="RUN_ID")
    r.add_argument("--json", action="store_true", help="print one JSON object with the result")
    store_flags(r)
    show_flags(r)
    r.set_defaults(handler=cmd_resume)
    u = add_parser(sub, "undo", help="restore the levels a run changed (as a new run, itself undoable)",
                   example="stocksheet undo 20250501-140312-3f2a")
    u.add_argument("run_id", metavar="RUN_ID")
    u.add_argument("--force", action="store_true", help="also restore levels that moved since the run (sales)")
    u.add_argument("--json", action="store_true", help="print one JSON object with the result")
    store_flags(u)
    show_flags(u)
    u.set_defaults(handler=cmd_undo)
    register_past(sub)


#: how a run's state reads in ``history``
STATES = {"interrupted": "interrupted, can resume", "cancelled": "cancelled, can resume",
          "running": "running (another process)"}


def register_past(sub: Any) -> None:
    sh = add_parser(sub, "show", help="print a past run's rows from the journal (same table as a dry run)",
                    example="stocksheet show 20250501-140312-3f2a --show problems")
    sh.add_argument("run_id", metavar="RUN_ID")
    sh.add_argument("--json", action="store_true", help="print one JSON object with the run's outcomes")
    show_flags(sh)
    sh.set_defaults(handler=cmd_show)
    rp = add_parser(sub, "report", help="write a past run's error report again, from the journal",
                    example="stocksheet report 20250501-140312-3f2a -o errors.xlsx")
    rp.add_argument("run_id", metavar="RUN_ID")
    rp.add_argument("-o", "--output", required=True, type=Path, help="OUT.xlsx, OUT.csv (or .tsv, .txt)")
    rp.add_argument("--json", action="store_true", help="print one JSON object: report, rows")
    rp.set_defaults(handler=cmd_report)


def cmd_show(args: argparse.Namespace) -> int:
    from desktop_app.engine.journal import Journal
    from desktop_app.engine.runs import journal_result, run_record
    run_record(args.run_id)
    with_journal = Journal()
    try:
        result = journal_result(with_journal, args.run_id)
    finally:
        with_journal.close()
    args.show = args.show or "all"
    print_result(args, result, heading=True)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from desktop_app.engine.run_report import journal_report
    result, report = journal_report(args.run_id, path=args.output)
    if args.json:
        out_json({"run_id": args.run_id, "report": report, "rows": result.rows})
    elif report:
        out(f"Error report of run {args.run_id}: {report}")
    else:
        out(f"No row of run {args.run_id} needs attention: no report written.")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from desktop_app.engine.runs import history
    runs = history()
    if args.json:
        out_json([r.as_json() for r in runs])
        return EXIT_OK
    if not runs:
        out("No runs yet.")
    for r in runs:
        if r.state == "unreadable":
            out(" ".join(f"{r.id or '(no run id)'}  {r.started}  {r.platform} {r.url}".split()) + f"  unreadable: {r.note}")
            continue
        what = f"undo of {r.undoes}" if r.undoes else f"import of {r.sheet}"
        undone = f", undone by {', '.join(r.undone_by)}" if r.undone_by else ""
        out(f"{r.id}  {r.started}  {r.platform} {r.url}  {what}: {STATES.get(r.state, r.state)}; "
            f"{r.applied:,}/{r.changes:,} applied, "
            f"{r.failed:,} failed, {r.stale:,} stale, {r.pending:,} pending{undone}")
    return EXIT_OK


def cmd_resume(args: argparse.Namespace) -> int:
    from desktop_app.engine.runs import resume
    return _run_command(args, lambda conn, cancel, progress: resume(args.run_id, conn, cancel=cancel,
                                                                    progress=progress))


def cmd_undo(args: argparse.Namespace) -> int:
    from desktop_app.engine.runs import undo
    return _run_command(args, lambda conn, cancel, progress: undo(args.run_id, conn, force=args.force,
                                                                  cancel=cancel, progress=progress))


def _run_command(args: argparse.Namespace, job: Any) -> int:
    """Connect to the run's own store as the run did (platform, URL and connection options from
    the journal; flags given now win), run ``job``, print."""
    from desktop_app.engine.runs import run_record
    record = run_record(args.run_id)
    remembered = record.options.get("connection") or {}
    return run_job(args, connector(args, platform=record.platform, url=record.url, remembered=remembered), job,
                   heading=True)
