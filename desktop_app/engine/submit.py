"""Submit a prepared plan: journalled, rate-saturating, exactly-once, resumable.

``submit(preview, connector, progress=, cancel=)`` journals the run and its whole plan
(``engine.journal``), then writes the chunks through ``engine.executor``: up to
``capabilities.max_in_flight`` requests at once under a client-side limiter shaped like the
platform's bucket (``engine.limiter``), retries with backoff (``engine.retry``), a re-read of
the live levels right before each chunk (a level that moved since the preview is not
overwritten), and no blind resend of a write that got no answer. ``engine.runs`` resumes and
undoes journalled runs through the same ``execute``.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal, TypeAlias

from desktop_app.core.errors import AuthError
from desktop_app.core.models import Capabilities
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from desktop_app.core.results import RowOutcome, RunResult, Status
from desktop_app.engine.connect import reconnect_options
from desktop_app.engine.executor import NOT_APPLIED, Executor, Settled, Unit
from desktop_app.engine.journal import CANCELLED, FINISHED, INTERRUPTED, PLANNED, Entry, Journal, JournalError
from desktop_app.engine.limiter import RateLimiter, Unlimited
from desktop_app.engine.prepare import Preview, change_outcome, summarise
from desktop_app.engine.retry import Backoff, Gate
from desktop_app.engine.store_lock import store_identity, store_lock
from desktop_app.platforms.base import Connector

#: "default": the platform's documented bucket; None: no limit; (burst, per second): explicit
RateSpec: TypeAlias = Literal["default"] | None | tuple[int, float]


def submit(preview: Preview, connector: Connector, *, progress: ProgressCallback = no_progress,
           cancel: CancelToken | None = None, journal: Journal | None = None, rate: RateSpec = "default",
           backoff: Backoff | None = None, fresh_seconds: float = 2.0, lock_wait: float | None = 0.0) -> RunResult:
    """Write the preview's plan. Row problems are outcomes; the run stops (resumable, reported as
    cancelled with the unsent rows ``pending``) on a cancel, a refused token or an unreachable store.
    Another run writing to the same store is waited for up to ``lock_wait`` seconds (None: as long
    as it takes), then ``StoreBusyError`` names it."""
    cancel = cancel or CancelToken()
    if preview.write_problem and preview.plan.chunks:   # refused before anything is sent or journalled
        raise AuthError(preview.write_problem)
    own_journal = journal is None
    journal = journal or Journal()
    try:
        caps = connector.capabilities
        planned = {id(c): chunk.index for chunk in preview.plan.chunks for c in chunk.changes}
        by_chunk: dict[int, list[Entry]] = {}
        notes = preview.row_problems()        # every one INVALID or SKIPPED
        outcomes = list(notes)                # and, as the journal takes the entries, every row not sent
        entries = _entries(preview, planned, by_chunk, outcomes)   # a generator: only the planned entries are kept
        options = {**_plain(asdict(preview.options)), "rate": rate_to_json(rate),
                   "connection": reconnect_options(connector)}
        totals = {"rows": len(preview.sheet.rows), "invalid": len(preview.invalid_rows)}
        what = f"import of {Path(preview.sheet.path).name}" if preview.sheet.path else "import"
        with store_lock(journal, platform=caps.platform, url=store_identity(connector), what=what, wait=lock_wait,
                        progress=progress, cancel=cancel) as lock:
            run_id = journal.start_run(kind="import", platform=caps.platform, url=store_identity(connector),
                                       sheet=preview.sheet.path, options=options, totals=totals, entries=entries,
                                       chunks={ch.index: ch.request for ch in preview.plan.chunks}, notes=notes)
            lock.attach(run_id)
            announce(progress, run_id, what, len(preview.plan.changes))
            units = [Unit(chunk=ch.index, request=ch.request, entries=by_chunk.get(ch.index, []))
                     for ch in preview.plan.chunks]
            settled, executor = execute(run_id=run_id, journal=journal, connector=connector, units=units,
                                        force_stale=preview.options.force_stale, rate=rate, backoff=backoff,
                                        fresh_seconds=fresh_seconds, progress=progress, cancel=cancel,
                                        trust_preview=not lock.waited)   # after a wait the preview is old
        outcomes += [settled_outcome(s) for s in settled.values()]
        result = summarise(preview, outcomes, requests=executor.gate.requests, dry_run=False,
                           cancelled=journal.run(run_id).state != FINISHED)
        result.run_id = run_id
        result.verify_requests = executor.verifier.requests
        result.notices += drain_notices(connector)
        if journal.set_aside_notice():
            result.notices.append(journal.set_aside_notice())
        return result
    finally:
        if own_journal:
            journal.close()


def _entries(preview: Preview, planned: dict[int, int], by_chunk: dict[int, list[Entry]],
             outcomes: list[RowOutcome]) -> Iterator[Entry]:
    """The run's journal entries, one per change of the preview and then any change a planner added
    of its own; as they go by, the planned ones are filed under their chunk in ``by_chunk`` and the
    others' outcomes (unchanged, stale) added to ``outcomes``. Streamed into the journal: the 99,000
    unchanged entries of a 100k-row sheet are never held."""
    seen: set[int] = set()
    changes = itertools.chain(preview.changes, (c for c in preview.plan.changes if id(c) not in seen))
    for seq, c in enumerate(changes):
        seen.add(id(c))
        chunk = planned.get(id(c))
        if chunk is None:
            outcome = change_outcome(c)
            if outcome.status is not Status.PENDING:
                outcomes.append(outcome)
            yield Entry(seq=seq, chunk=None, change=c, state=str(outcome.status))
        else:
            entry = Entry(seq=seq, chunk=chunk, change=c, state=PLANNED)
            by_chunk.setdefault(chunk, []).append(entry)
            yield entry


def execute(*, run_id: str, journal: Journal, connector: Connector, units: list[Unit], force_stale: bool,
            rate: RateSpec, backoff: Backoff | None, fresh_seconds: float, progress: ProgressCallback,
            cancel: CancelToken, trust_preview: bool = False) -> tuple[dict[int, Settled], Executor]:
    """Run the units of a journalled run and record how it ended."""
    caps = connector.capabilities
    limiter = make_limiter(rate, caps)
    gate = Gate(limiter=limiter, backoff=backoff or Backoff(), cancel=cancel)
    executor = Executor(run_id=run_id, journal=journal, connector=connector, gate=gate, force_stale=force_stale,
                        progress=progress, group=group_size(limiter, caps, fresh_seconds), trust_preview=trust_preview)
    try:
        settled = executor.run(units)
    finally:
        pending = any(s.status in (Status.PENDING, Status.UNVERIFIED) for s in executor.settled.values())
        state = CANCELLED if cancel.cancelled else INTERRUPTED if (executor.stopped_by or pending) else FINISHED
        try:
            journal.finish(run_id, state, requests=gate.requests)    # never FINISHED over open changes
        except JournalError as exc:     # left "running": resume takes it up once the process is gone
            executor.stopped_by = executor.stopped_by or exc
    if isinstance(executor.stopped_by, JournalError):
        raise executor.stopped_by       # "… could not record the run …; free some disk space and run `stocksheet resume …`"
    if executor.stopped_by is not None and not cancel.cancelled:
        reason = str(executor.stopped_by)
        for s in settled.values():
            if s.status is Status.PENDING and s.code == NOT_APPLIED and "Resume" not in s.message:
                s.message = f"Not sent: the run stopped before this change ({reason}). Resume the run to finish it."
    return settled, executor


def announce(progress: ProgressCallback, run_id: str, what: str, changes: int) -> None:
    """Say the run's id before its first write, so every log of a run has it (``stage="run"``)."""
    progress(Progress(stage="run", done=0, total=changes, message=f"Run {run_id}: {what}, {changes:,} "
                      f"change{'' if changes == 1 else 's'} to write (`stocksheet resume {run_id}` finishes it "
                      "if it stops)."))


def drain_notices(connector: Connector) -> list[str]:
    """What the connector had to tell about the writes it made (Zettle: variants outside the sheet
    set to 0 when tracking started), taken once."""
    notices = getattr(connector, "notices", None)
    if not notices:
        return []
    taken = list(dict.fromkeys(notices))
    notices.clear()
    return taken


def make_limiter(rate: RateSpec, caps: Capabilities) -> RateLimiter | Unlimited:
    if rate is None:
        return Unlimited()
    burst, per_second = (caps.rate_burst, caps.rate_per_second) if rate == "default" else rate
    return RateLimiter(burst=burst, per_second=per_second)


def write_estimate(preview: Preview, connector: Connector, *, rate: RateSpec = "default") -> tuple[int, float | None]:
    """(requests, seconds) a submit of ``preview`` should take: its writes, a fresh read before
    and a read-back after them (the connector's own read cost), at the platform's documented
    bucket (``rate``); seconds is None without a limit."""
    from desktop_app.engine.verify import read_cost
    changes = preview.plan.changes
    if not changes:
        return 0, 0.0
    variants, locations = len({c.variant_id for c in changes}), len({c.location_id for c in changes})
    requests = preview.plan.requests + 2 * read_cost(connector, variants, locations)
    limiter = make_limiter(rate, connector.capabilities)
    if isinstance(limiter, Unlimited):
        return requests, None
    burst, per_second = (connector.capabilities.rate_burst, connector.capabilities.rate_per_second) \
        if rate == "default" else rate
    return requests, max(0.0, requests - burst) / per_second if per_second > 0 else None


def group_size(limiter: RateLimiter | Unlimited, caps: Capabilities, fresh_seconds: float) -> int:
    """Chunks per pre-write re-read: as many as one worker writes within ``fresh_seconds``."""
    if isinstance(limiter, Unlimited):
        return 32
    return max(1, min(32, int(limiter.per_second * fresh_seconds / max(1, caps.max_in_flight))))


def settled_outcome(s: Settled) -> RowOutcome:
    out = change_outcome(s.change, status=s.status, message=s.message, code=s.code)
    if s.status is Status.FAILED and not out.hint:
        out.hint = "Fix the value or the store's setup, then import the error report again."
    if s.status is Status.PENDING:
        out.hint = "Run `stocksheet resume` with the run id to finish the run."
    return out


def rate_to_json(rate: RateSpec) -> Any:
    return rate if rate in ("default", None) else list(rate)


def rate_from_json(value: Any) -> RateSpec:
    if value in ("default", None):
        return value
    burst, per_second = value
    return int(burst), float(per_second)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


__all__ = ["submit", "execute", "announce", "RateSpec", "make_limiter", "settled_outcome", "write_estimate"]
