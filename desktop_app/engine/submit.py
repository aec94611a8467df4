"""Submit a prepared plan: write each chunk, collect per-change outcomes, report progress.

This is the plain sequential submitter of the foundation; the hardened one (rate limiter,
concurrency, retries, journal, resume, undo) replaces ``submit`` behind the same signature.
"""
from __future__ import annotations

import time

from desktop_app.core.errors import AuthError, PlatformError, UnreachableError
from desktop_app.core.models import Chunk
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from desktop_app.core.results import RowOutcome, RunResult, Status
from desktop_app.engine.prepare import Preview, change_outcome, summarise
from desktop_app.platforms.base import ChangeOutcome, Connector


def submit(preview: Preview, connector: Connector, *, progress: ProgressCallback = no_progress,
           cancel: CancelToken | None = None) -> RunResult:
    cancel = cancel or CancelToken()
    plan = preview.plan
    total = len(plan.changes)
    outcomes = [o for o in preview.outcomes() if o.status is not Status.PENDING]
    done = requests = 0
    aborted = False
    started = time.monotonic()
    pending_chunks = list(plan.chunks)
    while pending_chunks:
        chunk = pending_chunks.pop(0)
        if cancel.cancelled:
            pending_chunks.insert(0, chunk)
            aborted = True
            break
        try:
            results = connector.apply(chunk)
            requests += 1
        except (AuthError, UnreachableError) as exc:
            pending_chunks.insert(0, chunk)
            aborted = True
            outcomes += _failed(chunk, str(exc), Status.PENDING)
            pending_chunks.pop(0)
            break
        except PlatformError as exc:
            requests += 1
            outcomes += _failed(chunk, str(exc), Status.FAILED)
        else:
            outcomes += [_outcome(r) for r in results]
        done += len(chunk.changes)
        elapsed = time.monotonic() - started
        rate = requests / elapsed if elapsed > 0 else None
        eta = (total - done) / (done / elapsed) if done and elapsed > 0 else None
        progress(Progress(stage="submit", done=done, total=total, rate=rate, eta_seconds=eta, chunk=chunk.index))
    for chunk in pending_chunks:
        outcomes += _failed(chunk, "Not sent: the run stopped before this change.", Status.PENDING)
    result = summarise(preview, outcomes, requests=requests, dry_run=False, cancelled=aborted)
    return result


def _outcome(r: ChangeOutcome) -> RowOutcome:
    if r.ok:
        return change_outcome(r.change, status=Status.APPLIED)
    out = change_outcome(r.change, status=Status.FAILED, message=r.error, code=r.code or "platform-rejected")
    out.hint = "Fix the value or the store's setup, then import the error report again."
    return out


def _failed(chunk: Chunk, message: str, status: Status) -> list[RowOutcome]:
    code = "not-applied" if status is Status.PENDING else "platform-rejected"
    return [change_outcome(c, status=status, message=message, code=code) for c in chunk.changes]
