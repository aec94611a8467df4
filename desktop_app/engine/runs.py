"""Journalled runs after the fact: history, resume (finish exactly once), undo (a new run).

* ``history()`` — every run, newest first, with what it did.
* ``resume(run_id, connector)`` — finish a run that was cancelled, stopped or killed. Chunks the
  journal shows as *sending* were maybe applied: their levels are read first and only what is
  still missing is written. The rest go through the normal path (re-read, stale check, write).
* ``undo(run_id, connector)`` — write back the before-values of every applied change, as a new
  run that can itself be undone. A level that moved since the run (a sale) is stale and left
  alone unless ``force``.

The connector must point at the run's store (same platform and URL; the token is never kept).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from desktop_app.core.errors import InputError
from desktop_app.core.models import NOT_TRACKED, Change, Mode
from desktop_app.core.plan import make_plan
from desktop_app.core.progress import CancelToken, ProgressCallback, no_progress
from desktop_app.core.results import RowOutcome, RunResult, Status
from desktop_app.engine.connect import reconnect_options
from desktop_app.engine.executor import NOT_APPLIED, Settled, Unit
from desktop_app.engine.journal import (
    FINISHED, INTERRUPTED, PLANNED, RUNNING, SENDING, Entry, Journal, JournalError, RunRecord,
)
from desktop_app.engine.journal_file import DAMAGED, UNREADABLE, UnreadableRun
from desktop_app.engine.rebase import kind_of, towards
from desktop_app.engine.retry import Backoff
from desktop_app.engine.store_lock import process_alive, store_identity, store_lock
from desktop_app.engine.submit import RateSpec, announce, drain_notices, execute, rate_from_json, settled_outcome
from desktop_app.platforms.base import Connector

#: entries a resume takes up; SENDING and UNVERIFIED ones were maybe applied: their levels are read first
_OPEN = (PLANNED, SENDING, str(Status.PENDING), str(Status.UNVERIFIED))
_MAYBE_APPLIED = (SENDING, str(Status.UNVERIFIED))


@dataclass(frozen=True, slots=True)
class RunSummary:
    id: str
    kind: str
    undoes: str | None
    started: str                    # local time, "2025-05-01 14:03:12"
    platform: str
    url: str
    sheet: str | None
    state: str
    changes: int
    applied: int
    failed: int
    stale: int
    pending: int
    requests: int
    undone_by: tuple[str, ...] = ()
    note: str = ""                  # for an unreadable run: why, and what to do

    def as_json(self) -> dict[str, object]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in
                ((f, getattr(self, f)) for f in self.__slots__)}


def history(journal: Journal | None = None, *, limit: int = 50) -> list[RunSummary]:
    """Every run, newest first; then the runs of journals set aside as unreadable (state
    ``unreadable``, with a ``note``). A run whose own record is damaged is listed as unreadable
    too; a journal whose list of runs cannot be read is set aside first (never deleted)."""
    with _journal(journal) as j:
        try:
            ids = j.run_ids(limit=limit)
        except JournalError as exc:
            if exc.reason != DAMAGED:
                raise
            j.set_aside_damaged()
            ids = j.run_ids(limit=limit)
        out = []
        for run_id in ids:
            try:
                record = j.run(run_id)
                if record is not None:
                    out.append(_summary(j, record))
            except JournalError as exc:
                if exc.reason != DAMAGED:
                    raise
                out.append(_unreadable(UnreadableRun(id=run_id, file=j.path), damaged_record=True))
        return out + [_unreadable(u) for u in j.unreadable_runs()]


def _unreadable(u: UnreadableRun, *, damaged_record: bool = False) -> RunSummary:
    if damaged_record:
        note = (f"its record in the journal {u.file} is damaged: it cannot be resumed or undone; export the store's "
                "stock to see where its levels stand")
    elif u.id is None:
        note = (f"the journal {u.file} was set aside because it could not be read, and no run can be made out of "
                "it; it is kept, not deleted — remove it yourself once you no longer need it")
    else:
        note = (f"in the journal {u.file}, set aside because it could not be read (kept, not deleted): it cannot be "
                "resumed or undone; export the store's stock to see where its levels stand")
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(u.created)) if u.created else ""
    return RunSummary(id=u.id or "", kind="import", undoes=None, started=started, platform=u.platform, url=u.url,
                      sheet=u.sheet, state=UNREADABLE, changes=0, applied=0, failed=0, stale=0, pending=0,
                      requests=0, note=note)


def run_record(run_id: str, journal: Journal | None = None) -> RunRecord:
    """The journalled run, or InputError naming what to do."""
    with _journal(journal) as j:
        record = j.run(run_id)
        aside = next((u for u in j.unreadable_runs() if u.id == run_id), None) if record is None else None
    if aside is not None:
        raise InputError(f"Run {run_id} is in the journal {aside.file}, which was set aside because it could not be "
                         "read: it cannot be resumed or undone. Export the store's stock to see where its levels stand.")
    if record is None:
        raise InputError(f"There is no run '{run_id}' in the journal. `stocksheet history` lists the runs.")
    return record


def resume(run_id: str, connector: Connector, *, journal: Journal | None = None,
           progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
           rate: RateSpec | str = "journal", backoff: Backoff | None = None,
           lock_wait: float | None = 0.0) -> RunResult:
    cancel = cancel or CancelToken()
    with _journal(journal) as j:
        record = _check(j, run_id, connector)
        with store_lock(j, platform=record.platform, url=record.url, what=f"resume of run {run_id}", wait=lock_wait,
                        progress=progress, cancel=cancel):
            record = _check(j, run_id, connector)        # as it stands now that no other run writes there
            if record.state == FINISHED:
                raise InputError(f"Run {run_id} already finished; there is nothing to resume. "
                                 f"`stocksheet undo {run_id}` would restore the levels it changed.")
            j.claim(run_id)
            requests = j.chunk_requests(run_id)
            open_entries = sum(1 for e in j.entries(run_id) if e.state in _OPEN and e.chunk is not None)
            announce(progress, run_id, f"resume of the {record.kind} of {record.sheet or 'a sheet'}", open_entries)
            units: list[Unit] = []
            by_chunk: dict[tuple[int, bool], list[Entry]] = {}
            for e in j.entries(run_id):
                if e.state in _OPEN and e.chunk is not None:
                    by_chunk.setdefault((e.chunk, e.state in _MAYBE_APPLIED), []).append(e)
            for (chunk, inflight), entries in sorted(by_chunk.items(), key=lambda kv: (kv[0][0], not kv[0][1])):
                units.append(Unit(chunk=chunk, request=requests.get(chunk, ""), entries=entries, inflight=inflight))
            _, executor = execute(run_id=run_id, journal=j, connector=connector, units=units,
                                  force_stale=bool(record.options.get("force_stale")),
                                  rate=rate_from_json(record.options.get("rate", "default")) if rate == "journal"
                                  else rate, backoff=backoff, fresh_seconds=2.0, progress=progress, cancel=cancel)
        result = journal_result(j, run_id)
        result.requests = executor.gate.requests      # this resume's (the journal adds up the run's)
        result.notices += drain_notices(connector)
        return _reported(j, run_id, result)


def undo(run_id: str, connector: Connector, *, force: bool = False, journal: Journal | None = None,
         progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
         rate: RateSpec | str = "journal", backoff: Backoff | None = None,
         lock_wait: float | None = 0.0) -> RunResult:
    cancel = cancel or CancelToken()
    with _journal(journal) as j, store_lock(j, platform=connector.capabilities.platform, url=store_identity(connector),
                                            what=f"undo of run {run_id}", wait=lock_wait, progress=progress,
                                            cancel=cancel) as lock:
        record = _check(j, run_id, connector)
        # unverified writes too: if one did not land, its level already reads the old value (unchanged)
        changes = [c for c in (_restoring(e) for e in j.entries(run_id)
                               if e.state in (str(Status.APPLIED), str(Status.UNVERIFIED))) if c]
        plan = make_plan(changes, connector.capabilities)
        planned = {id(c): chunk.index for chunk in plan.chunks for c in chunk.changes}
        entries = [Entry(seq=i, chunk=planned.get(id(c)), change=c, state=PLANNED if id(c) in planned else "unchanged")
                   for i, c in enumerate(changes)]
        options = {"force_stale": force, "rate": record.options.get("rate", "default"),
                   "connection": reconnect_options(connector)}
        new_id = j.start_run(kind="undo", parent=run_id, platform=record.platform, url=record.url, sheet=record.sheet,
                             options=options, totals={"rows": len({c.row for c in changes}), "invalid": 0}, entries=entries,
                             chunks={ch.index: ch.request for ch in plan.chunks})
        lock.attach(new_id)
        announce(progress, new_id, f"undo of run {run_id}", len(plan.changes))
        by_chunk: dict[int, list[Entry]] = {}
        for e in entries:
            if e.chunk is not None:
                by_chunk.setdefault(e.chunk, []).append(e)
        units = [Unit(chunk=ch.index, request=ch.request, entries=by_chunk[ch.index]) for ch in plan.chunks]
        execute(run_id=new_id, journal=j, connector=connector, units=units, force_stale=force,
                rate=rate_from_json(options["rate"]) if rate == "journal" else rate, backoff=backoff,
                fresh_seconds=2.0, progress=progress, cancel=cancel)
        result = journal_result(j, new_id)
        result.notices += drain_notices(connector)
        return _reported(j, new_id, result)


def _reported(j: Journal, run_id: str, result: RunResult) -> RunResult:
    """Write the run's error report for the rows that need attention, as an import does."""
    from desktop_app.engine.run_report import write_run_report
    record = j.run(run_id)
    assert record is not None
    try:
        result.report = write_run_report(record, result)
    except (InputError, OSError) as exc:
        result.report_error = (f"Could not save the error report of run {run_id}: {exc} "
                               f"`stocksheet report {run_id} -o FILE` writes it elsewhere.")
    return result


def journal_result(j: Journal, run_id: str) -> RunResult:
    """The run's result as the journal has it now (the same shape ``submit`` returns)."""
    record = j.run(run_id)
    assert record is not None
    entries = j.entries(run_id)
    outcomes: list[RowOutcome] = j.notes(run_id) + [entry_outcome(e) for e in entries]
    count = {s: 0 for s in Status}
    for o in outcomes:
        count[o.status] += 1
    rows, invalid = record.totals.get("rows", 0), record.totals.get("invalid", 0)
    return RunResult(rows=rows, valid=rows - invalid, invalid=invalid, unchanged=count[Status.UNCHANGED],
                     changes=sum(1 for e in entries if e.chunk is not None), applied=count[Status.APPLIED],
                     failed=count[Status.FAILED], stale=count[Status.STALE], unverified=count[Status.UNVERIFIED],
                     requests=record.requests,
                     run_id=run_id, cancelled=record.state != FINISHED, outcomes=outcomes)


def entry_outcome(e: Entry) -> RowOutcome:
    change = towards(e.change, live=e.base, target=e.target) if e.written else e.change
    if e.state in (PLANNED, SENDING):
        status, code = Status.PENDING, NOT_APPLIED
        message = e.message or "Not applied yet: resume the run to finish it."
    else:
        status, code, message = Status(e.state), e.code, e.message
    return settled_outcome(Settled(status, change, e.level_after, code, message))


def _restoring(e: Entry) -> Change | None:
    """The change that puts an applied level back to its value before the run."""
    now = e.level_after if e.level_after is not None else (e.target if e.written else e.change.after)
    was = e.base if e.written else e.change.before
    if was is None or was == NOT_TRACKED:
        was = 0                     # a binding or tracking cannot be taken back through the API; empty it instead
    if was == now:
        return None
    return replace(e.change, mode=Mode.SET, before=now, after=was, kind=kind_of(now, was), seen=None,
                   delta=was - now if isinstance(was, int) and isinstance(now, int) else None)


def _check(j: Journal, run_id: str, connector: Connector) -> RunRecord:
    record = j.run(run_id)
    if record is None:
        raise InputError(f"There is no run '{run_id}' in the journal. `stocksheet history` lists the runs.")
    if record.platform != connector.capabilities.platform or \
            record.url.rstrip("/") != store_identity(connector).rstrip("/"):
        raise InputError(f"Run {run_id} was made on the {record.platform} store at {record.url}; connect to that "
                         "store to resume or undo it.")
    if record.state == RUNNING and record.pid not in (None, os.getpid()) and process_alive(record.pid):
        raise InputError(f"Run {run_id} is still running (process {record.pid}). Wait for it to end, or stop it first.")
    return record


def _summary(j: Journal, r: RunRecord) -> RunSummary:
    entries = j.entries(r.id)
    states = [e.state for e in entries if e.chunk is not None or e.state in (str(Status.STALE),)]
    state = r.state
    if state == RUNNING and r.pid not in (None, os.getpid()) and not process_alive(r.pid):
        state = INTERRUPTED             # its process is gone (killed, crashed): resume takes it up
    return RunSummary(
        id=r.id, kind=r.kind, undoes=r.parent, started=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.created)),
        platform=r.platform, url=r.url, sheet=r.sheet, state=state,
        changes=sum(1 for e in entries if e.chunk is not None), applied=states.count(str(Status.APPLIED)),
        failed=states.count(str(Status.FAILED)), stale=states.count(str(Status.STALE)),
        pending=sum(1 for s in states if s in _OPEN), requests=r.requests, undone_by=tuple(j.undone_by(r.id)))


class _journal:
    """Use the given journal, or open (and close) the default one."""

    def __init__(self, journal: Journal | None) -> None:
        self._given = journal
        self._own: Journal | None = None

    def __enter__(self) -> Journal:
        if self._given is not None:
            return self._given
        self._own = Journal()
        return self._own

    def __exit__(self, *exc: object) -> None:
        if self._own is not None:
            self._own.close()


def run_result(run_id: str, journal: Journal | None = None) -> RunResult:
    """A past run's result, row by row, as the journal has it (the window's History opens it)."""
    with _journal(journal) as j:
        if j.run(run_id) is None:
            raise InputError(f"There is no run '{run_id}' in the journal. `stocksheet history` lists the runs.")
        return journal_result(j, run_id)


def write_run_report(run_id: str, path: Path, journal: Journal | None = None) -> str | None:
    """The error report of a past import: its sheet read again the way the run read it (sheet,
    header row, the cells fixed in the window), with the rows that still need attention. None
    when every row went through. InputError when the sheet is no longer where the run read it."""
    from desktop_app.core.edits import apply_edits
    from desktop_app.core.results import sheet_status
    from desktop_app.engine.importer import PROBLEMS
    from desktop_app.sheets.reader import read_sheet
    from desktop_app.sheets.report import write_report
    with _journal(journal) as j:
        record = j.run(run_id)
        if record is None:
            raise InputError(f"There is no run '{run_id}' in the journal. `stocksheet history` lists the runs.")
        result = journal_result(j, run_id)
    if record.kind != "import" or not record.sheet:
        raise InputError(f"Run {run_id} is an undo: it has no sheet to report on. Open the import it undid.")
    problems = [o for o in result.outcomes if o.status in PROBLEMS]
    if not problems:
        return None
    if not Path(record.sheet).is_file():
        raise InputError(f"The sheet of run {run_id} is no longer at {record.sheet}, so its error report cannot be "
                         "written. Put the file back there (or open the report saved at the time).")
    options = record.options
    sheet = read_sheet(record.sheet, sheet=options.get("sheet"), header_row=options.get("header_row"))
    sheet = apply_edits(sheet, {int(r): cells for r, cells in (options.get("edits") or {}).items()})
    write_report(Path(path), sheet, sheet_status(problems))
    return str(path)


class LandingWatch:
    """Which planned changes of the run being written to a store have landed: the journal read
    at most every ``every`` seconds from the submitting thread (``Workspace.submit(landed=…)``)."""

    def __init__(self, identity: str, *, every: float = 0.5) -> None:
        self._identity, self._every = identity, every
        self._started = time.time()
        self._last = 0.0
        self._journal: Journal | None = None
        self._run_id: str | None = None

    def poll(self) -> dict[int, str] | None:
        """seq → state of the settled changes, or None when it is not time to look again."""
        now = time.monotonic()
        if now - self._last < self._every:
            return None
        self._last = now
        if self._journal is None:
            self._journal = Journal()
        if self._run_id is None:
            self._run_id = next((r.id for r in self._journal.runs(limit=5) if r.url == self._identity
                                 and r.state == RUNNING and r.created >= self._started - 1), None)
            if self._run_id is None:
                return None
        return self._journal.landed(self._run_id)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
