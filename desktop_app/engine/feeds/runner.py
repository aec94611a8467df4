"""Running a feed: take each new file, apply it to every target store as a normal journalled
run, and file it under ``done/`` or ``failed/`` with its report beside it.

A file goes through ``processing/`` first; the journal knows its runs by that path. If the
process dies mid-run, the next run of the feed finds the file still there and, store by store,
resumes the journalled run (exactly once), takes a finished one as it is, or starts one that
never began. Guards are checked on every store's preview before anything is written to any of
them: a file that trips one is written nowhere and waits in ``failed/`` for a person.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from desktop_app.core.errors import CancelledError, InputError, PlatformError, StocksheetError
from desktop_app.core.progress import CancelToken
from desktop_app.core.results import RunResult
from desktop_app.engine.feeds import sources
from desktop_app.engine.feeds.lock import FeedBusyError, FeedLock
from desktop_app.engine.feeds.outcomes import (EXIT_ATTENTION, EXIT_OK, EXIT_UNREACHABLE, FeedRun,
                                              FileOutcome, StoreOutcome, report_text)
from desktop_app.engine.feeds.recipe import Feed, FeedState, Target, load_state, save_state
from desktop_app.engine.guards import GuardLimits, Tripped, check, describe
from desktop_app.engine.importer import apply_preview, import_options, resolved_aliases
from desktop_app.engine.journal import FINISHED, Journal, JournalError
from desktop_app.engine.prepare import ImportOptions, Preview, prepare
from desktop_app.engine.store_lock import StoreBusyError, store_identity
from desktop_app.platforms.base import Connector

log = logging.getLogger("stocksheet.feeds")

Connect = Callable[[Target], Connector]
Wait = Callable[[float], Any]


# ---- one check of a feed ---------------------------------------------------------------------
def run_feed(feed: Feed, *, connect: Connect, clock: Callable[[], float] = time.time, wait: Wait | None = None,
             cancel: CancelToken | None = None) -> FeedRun:
    """Take what is new at the feed's source and apply it (``wait(seconds)``: how a one-off check
    waits for a new file to show it has stopped growing)."""
    work = feed.workdir()
    if feed.watch and not work.is_dir():
        raise InputError(f"The folder {work} that feed '{feed.name}' watches does not exist (or is not a folder).")
    try:
        for sub in sources.SUBFOLDERS:
            (work / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"Feed '{feed.name}' cannot create {work / sub} ({exc.strerror}): a watched folder must let "
                         "Stocksheet move each file into processing/, done/ or failed/ inside it. Give it write "
                         "access, or watch another folder.") from None
    run = FeedRun(feed.name)
    lock = FeedLock(work / "processing" / ".lock", feed.name)
    try:
        lock.acquire()
    except FeedBusyError as exc:          # a check already going on (an overlapping timer): skip this one
        run.message = str(exc)
        log.info("%s", exc)
        return run
    try:
        state = load_state(feed.name)
        try:
            for path in sorted(p for p in (work / "processing").iterdir() if _ARRIVAL.match(p.name)
                               and not _OUR_REPORT.search(p.name) and p.suffix.lower() in sources.SHEET_SUFFIXES):
                log.info("%s: %s was being processed when a run stopped: taking it up again", feed.name, path.name)
                run.files.append(process_file(feed, path, state=state, connect=connect, cancel=cancel))
            for path in _arrivals(feed, state, run, clock=clock, wait=wait or threading.Event().wait):
                run.files.append(process_file(feed, path, state=state, connect=connect, cancel=cancel))
        finally:
            state.next_check = clock() + feed.every
            save_state(feed.name, state)
    finally:
        lock.release()
    if not run.files:
        run.message = run.message or "nothing new"
    return run


def _arrivals(feed: Feed, state: FeedState, run: FeedRun, *, clock: Callable[[], float], wait: Wait) -> list[Path]:
    """The new files, moved into processing/ (a name of their own there)."""
    work = feed.workdir()
    if feed.url:
        got = sources.poll(feed, state)
        if not got.changed:
            run.message = f"{feed.url}: {got.reason}"
            log.info("%s: %s", feed.name, run.message)
            return []
        target = _unique(work / "processing", got.filename)
        target.write_bytes(got.content)
        log.info("%s: downloaded %s (%s bytes) from %s", feed.name, got.filename, f"{len(got.content):,}", feed.url)
        return [target]
    ready, growing = sources.scan(work, state, settle=feed.settle, clock=clock)
    if growing:                 # a one-off check gives a new file one settle period to show it is complete
        wait(feed.settle)
        ready, growing = sources.scan(work, state, settle=feed.settle, clock=clock)
    run.waiting = [p.name for p in growing]
    for name in run.waiting:
        log.info("%s: %s is still being written: left for the next check", feed.name, name)
    moved = []
    for p in ready:
        target = _unique(work / "processing", p.name)
        try:
            os.replace(p, target)
        except FileNotFoundError:        # taken away meanwhile (another tool, a person)
            continue
        except OSError as exc:
            raise InputError(f"Feed '{feed.name}' cannot move {p} into {target.parent} ({exc.strerror}): give "
                             "Stocksheet write access to the folder.") from None
        finally:
            state.seen.pop(p.name, None)
        moved.append(target)
    return moved


def _unique(folder: Path, name: str) -> Path:
    """A name no earlier arrival had: the journal knows a file's runs by its path in processing/,
    so two files called stock.csv, a day (or a second) apart, must never share one."""
    while True:
        candidate = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}-{name}"
        if not candidate.exists():
            return candidate


_ARRIVAL = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}-")
_OUR_REPORT = re.compile(r"\.errors\.[A-Za-z0-9-]+\.[a-z]+$")


def _arrived_name(path: Path) -> str:
    return _ARRIVAL.sub("", path.name)


# ---- one file, every store -------------------------------------------------------------------
def process_file(feed: Feed, path: Path, *, state: FeedState, connect: Connect, allow_mass_change: bool = False,
                 cancel: CancelToken | None = None) -> FileOutcome:
    """Apply the file at ``path`` (inside processing/) to every target store, then file it."""
    name = _arrived_name(path)
    outcome = FileOutcome(name=name, path=path, report=path)
    connectors: dict[Target, Connector] = {}
    try:
        _apply_everywhere(feed, path, outcome, state=state, connect=connect, connectors=connectors,
                          allow=allow_mass_change, cancel=cancel)
    finally:
        for c in connectors.values():
            c.close()
    _file_away(feed, path, outcome)
    _remember(state, outcome)
    return outcome


def _apply_everywhere(feed: Feed, path: Path, outcome: FileOutcome, *, state: FeedState, connect: Connect,
                      connectors: dict[Target, Connector], allow: bool, cancel: CancelToken | None) -> None:
    earlier = _earlier_runs(path)
    previews: dict[Target, Preview] = {}
    tripped: dict[Target, list[Tripped]] = {}
    limits = feed.guards if not allow else replace(feed.guards, allow_mass_change=True, min_rows_share=None,
                                                   max_unknown_share=None)
    for target in feed.targets:
        try:                                  # no token, a bad URL, a store that does not answer
            connector = connectors[target] = connect(target)
        except StocksheetError as exc:
            outcome.stores.append(StoreOutcome(target, "unreachable", str(exc), code=EXIT_UNREACHABLE))
            log.warning("%s: %s: %s", feed.name, target.label, exc)
            continue
        if (store_identity(connector), target.platform) in earlier:
            continue
        try:
            previews[target] = preview = prepare(path, connector, _options(feed, connector), cancel=cancel)
        except InputError as exc:             # the sheet itself cannot be read or mapped: no store gets it
            outcome.problem = str(exc)
            log.warning("%s: %s cannot be read: %s", feed.name, outcome.name, exc)
            return
        except (PlatformError, StocksheetError) as exc:
            outcome.stores.append(StoreOutcome(target, "unreachable", str(exc), code=EXIT_UNREACHABLE))
            log.warning("%s: %s: %s", feed.name, target.label, exc)
            continue
        outcome.rows = len(preview.sheet.rows)
        tripped[target] = check(preview, limits, usual_rows=state.usual_rows)
    if previews:
        log.info("%s: read %s: %s data rows", feed.name, outcome.name, f"{outcome.rows:,}")
    if any(tripped.values()):
        seen: dict[str, dict[str, Any]] = {}
        for target, trips in tripped.items():
            for t in trips:
                seen.setdefault(t.guard + t.message, {**t.as_json(), "store": target.label})
            message = describe(trips) or "Not written: a guard tripped for another store of this feed."
            outcome.stores.append(StoreOutcome(target, "tripped", message, code=EXIT_ATTENTION))
        outcome.guards = list(seen.values())
        log.warning("%s: guards: %s — nothing new written to any store", feed.name,
                    "; ".join(g["message"] for g in outcome.guards))
    elif previews:
        log.info("%s: guards: passed", feed.name)
    for target in feed.targets:
        connector = connectors.get(target)
        if connector is None or any(s.target == target for s in outcome.stores):
            continue
        if outcome.guards and (store_identity(connector), target.platform) not in earlier:
            continue        # a run already under way before the guards tripped is still finished, exactly once
        outcome.stores.append(_run_store(feed, path, target, connector, previews.get(target),
                                         earlier.get((store_identity(connector), target.platform)), limits, state, cancel))


def _run_store(feed: Feed, path: Path, target: Target, connector: Connector, preview: Preview | None,
               earlier: str | None, limits: GuardLimits, state: FeedState, cancel: CancelToken | None) -> StoreOutcome:
    try:
        if earlier is not None:
            result = _finished_or_resumed(earlier, connector, cancel)
        else:
            assert preview is not None
            report = path.with_name(f"{path.stem}.errors.{_slug(target)}{_report_ext(path)}")
            result = apply_preview(preview, connector, guards=limits, usual_rows=state.usual_rows, report=report,
                                   cancel=cancel)
    except (PlatformError, CancelledError, JournalError, StoreBusyError) as exc:
        log.warning("%s: %s: %s", feed.name, target.label, exc)
        return StoreOutcome(target, "unreachable", f"{exc} The run is resumable: the next check of the feed "
                            "finishes it.", code=EXIT_UNREACHABLE)
    code = result.exit_code()
    status = {EXIT_OK: "applied", EXIT_ATTENTION: "attention"}.get(code, "unreachable")
    message = (f"{result.applied:,} applied and read back, {result.unchanged:,} unchanged, {result.failed:,} failed, "
               f"{result.stale:,} stale, {result.invalid:,} invalid" + (f", {result.unverified:,} unverified"
                                                                       if result.unverified else ""))
    if result.report:
        message += f"; error report {Path(result.report).name}"
    log.info("%s: %s: %s (run %s)", feed.name, target.label, message, result.run_id)
    return StoreOutcome(target, status, message, result=result, code=code)


def _finished_or_resumed(run_id: str, connector: Connector, cancel: CancelToken | None) -> RunResult:
    from desktop_app.engine.runs import journal_result, resume
    journal = Journal()
    try:
        record = journal.run(run_id)
        if record is not None and record.state == FINISHED:
            result = journal_result(journal, run_id)
            result.cancelled = False
            return result
    finally:
        journal.close()
    log.info("resuming run %s, interrupted while the feed applied it", run_id)
    return resume(run_id, connector, cancel=cancel)


def _earlier_runs(path: Path) -> dict[tuple[str, str], str]:
    """(store URL, platform) → the newest journalled run of the file at ``path`` (a run that
    stopped while this file was being applied)."""
    journal = Journal()
    try:
        runs = journal.runs(limit=2000)
    finally:
        journal.close()
    found: dict[tuple[str, str], str] = {}
    for r in runs:          # newest first
        if r.kind == "import" and r.sheet == str(path):
            found.setdefault((r.url, r.platform), r.id)
    return found


def _options(feed: Feed, connector: Connector) -> ImportOptions:
    return resolved_aliases(import_options(key=feed.key, sheet=feed.sheet, duplicates=feed.duplicates,
                                           force_stale=feed.force_stale, profile=feed.profile,
                                           overrides=feed.overrides, locations=feed.locations), connector)


def _slug(target: Target) -> str:
    host = re.sub(r"^https?://", "", target.url).split("/")[0]
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{target.platform}-{host}").strip("-")


def _report_ext(path: Path) -> str:
    return path.suffix.lower() if path.suffix.lower() in (".csv", ".tsv", ".txt") else ".xlsx"


# ---- filing and remembering ------------------------------------------------------------------
def _file_away(feed: Feed, path: Path, outcome: FileOutcome) -> None:
    """Move the file and its error reports to done/ or failed/, the feed's report beside them.
    A file a store could not take (unreachable, no token, the run stopped) stays in processing/:
    the next check resumes or starts that store's run, and takes the others' as they ended."""
    if outcome.code == EXIT_UNREACHABLE and not (outcome.guards or outcome.problem):
        outcome.report = path
        log.warning("%s: %s stays in %s for the next check (a store could not take it)", feed.name, outcome.name,
                    path.parent)
        return
    folder = path.parent.parent / ("done" if outcome.code == EXIT_OK else "failed")
    for report in [s.result.report for s in outcome.stores if s.result is not None and s.result.report]:
        source = Path(report)
        if source.parent == path.parent and source.exists():
            moved = folder / source.name
            os.replace(source, moved)
            for s in outcome.stores:
                if s.result is not None and s.result.report == report:
                    s.result.report = str(moved)
    destination = folder / path.name
    os.replace(path, destination)
    outcome.path = destination
    outcome.report = destination.with_name(destination.name + ".report.txt")
    outcome.report.write_text(report_text(feed, outcome), encoding="utf-8")
    destination.with_name(destination.name + ".report.json").write_text(
        json.dumps(outcome.as_json(), indent=2, default=str), encoding="utf-8")
    log.info("%s: %s → %s (report %s)", feed.name, outcome.name, destination, outcome.report)


def _remember(state: FeedState, outcome: FileOutcome) -> None:
    state.last_run = time.time()
    state.status = outcome.status
    state.last_file = str(outcome.path)
    state.report = str(outcome.report)
    state.message = (outcome.problem or "; ".join(g["message"] for g in outcome.guards) or
                     "; ".join(f"{s.target.label}: {s.message}" for s in outcome.stores))
    if outcome.guards:
        state.tripped = {"file": str(outcome.path), "guards": outcome.guards}
    else:
        if state.tripped and state.tripped.get("file") == str(outcome.path):
            state.tripped = None
        if outcome.rows and not outcome.problem and outcome.code != EXIT_UNREACHABLE:
            state.remember_rows(outcome.rows)


def apply_anyway(feed: Feed, *, connect: Connect, cancel: CancelToken | None = None) -> FileOutcome:
    """A person looked at the file a guard stopped and wants it applied: move it back from
    failed/ and apply it with the guards that stopped it allowed."""
    state = load_state(feed.name)
    if not state.tripped:
        raise InputError(f"Feed '{feed.name}' has no file stopped by a guard.")
    source = Path(state.tripped["file"])
    if not source.is_file():
        state.tripped = None
        save_state(feed.name, state)
        raise InputError(f"The file {source} a guard stopped is not there any more.")
    lock = FeedLock(feed.workdir() / "processing" / ".lock", feed.name)
    lock.acquire()
    try:
        path = feed.workdir() / "processing" / source.name
        os.replace(source, path)
        for extra in (".report.txt", ".report.json"):
            source.with_name(source.name + extra).unlink(missing_ok=True)
        state.tripped = None
        outcome = process_file(feed, path, state=state, connect=connect, allow_mass_change=True, cancel=cancel)
        save_state(feed.name, state)
    finally:
        lock.release()
    return outcome


__all__ = ["run_feed", "process_file", "apply_anyway", "FeedRun", "FileOutcome", "StoreOutcome", "report_text",
           "FeedBusyError", "EXIT_OK", "EXIT_ATTENTION", "EXIT_UNREACHABLE"]
