"""Writing journalled chunks: up to ``max_in_flight`` at once, each re-read right before it goes.

One worker thread per request the platform tolerates in flight. A worker takes the next group
of chunks, re-reads their live levels in one ``read_levels`` call, re-bases each change on what
it finds (``rebase``: a moved set-row is stale, an adjust-row keeps its delta), journals the
writes, sends the chunk, journals the answers. Every HTTP request passes the run's ``Gate``
(rate limiter, backoff, cancel).

A chunk that gets no answer (or a 5xx, or gibberish) is *ambiguous*. On a platform whose writes
are idempotent it is simply sent again; otherwise its levels are read again and only what is
still missing is sent (``remainder``). A chunk journalled as ``sending`` by a run that died
(``resume``) takes that second path first.

When the run cannot go on — cancelled, token refused, store unreachable, rate limit never
easing — workers finish the chunk in hand and stop. A chunk cut off after a write went out is
read once more (ignoring the cancel) so the result says exactly what was applied; whatever is
left is ``pending`` / ``not-applied`` and ``resume`` finishes it.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from desktop_app.core.errors import (
    AmbiguousWriteError, AuthError, CancelledError, PlatformError, ProtocolError, RateLimitedError, StocksheetError,
    UnreachableError,
)
from desktop_app.core.models import Capabilities, Change, Chunk, Level, Mode
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback
from desktop_app.core.results import Status
from desktop_app.engine.journal import Entry, Journal, JournalError
from desktop_app.engine.reads import pairs_of, read_pairs
from desktop_app.engine.rebase import Verdict, rebase, remainder, towards
from desktop_app.engine.retry import Gate, retrying
from desktop_app.engine.verify import Verifier, Written
from desktop_app.platforms.base import Connector

NOT_APPLIED = "not-applied"
_STOPPING = (CancelledError, AuthError, UnreachableError, RateLimitedError)


@dataclass(slots=True)
class Unit:
    """One planned chunk (or the part of it still to do)."""

    chunk: int
    request: str
    entries: list[Entry]
    inflight: bool = False         # journalled as sending by a run that stopped: maybe applied


@dataclass(slots=True)
class Settled:
    status: Status
    change: Change                 # as last written (re-based), or as planned
    level: Level = None
    code: str = ""
    message: str = ""


class Stop(Exception):
    def __init__(self, cause: StocksheetError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Executor:
    def __init__(self, *, run_id: str, journal: Journal, connector: Connector, gate: Gate, force_stale: bool,
                 progress: ProgressCallback, group: int = 1, in_flight: int | None = None,
                 trust_preview: bool = False) -> None:
        self.run_id = run_id
        self.journal = journal
        self.connector = connector
        self.caps: Capabilities = connector.capabilities
        self.gate = gate
        self.force_stale = force_stale
        self.trust_preview = trust_preview
        self.progress = progress
        self.group = max(1, group)
        self.in_flight = max(1, in_flight or self.caps.max_in_flight)
        self.settled: dict[int, Settled] = {}
        self.stopped_by: StocksheetError | None = None
        self._units: list[Unit] = []
        self._next = 0
        self._total = 0
        self._lock = threading.Lock()
        self._started = 0.0
        self._bug: BaseException | None = None
        self.verifier = Verifier(connector=connector, gate=gate, settle=self._settle_verified)

    # ---- the run ----------------------------------------------------------------------------
    def run(self, units: list[Unit]) -> dict[int, Settled]:
        self._units = units
        self._total = sum(len(u.entries) for u in units)
        self._started = time.monotonic()
        workers = [threading.Thread(target=self._work, name=f"submit-{i}", daemon=True)
                   for i in range(min(self.in_flight, max(1, len(units))))]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if self._bug is not None:
            raise self._bug
        # the writes that went out are read back even after a cancel or a stop
        try:
            self.verifier.verify(self.verifier.take_all(), ignore_cancel=True)
        except Stop as stop:             # the journal could not record what the read showed
            self.stopped_by = self.stopped_by or stop.cause
        for unit in units:          # never started: cancelled or stopped before their turn
            for e in unit.entries:
                if e.seq not in self.settled:
                    self.settled[e.seq] = Settled(Status.PENDING, e.change, code=NOT_APPLIED,
                                                  message="Not sent: the run stopped before this change.")
        return self.settled

    def _take(self) -> list[Unit]:
        with self._lock:
            if self.stopped_by is not None or self._bug is not None or self.gate.cancel.cancelled:
                return []
            units = self._units[self._next:self._next + self.group]
            self._next += len(units)
            return units

    def _work(self) -> None:
        while units := self._take():
            try:
                self._process(units)
            except Stop as stop:
                with self._lock:
                    self.stopped_by = self.stopped_by or stop.cause
            except JournalError as exc:   # the journal cannot record: no further write may go out
                with self._lock:
                    self.stopped_by = self.stopped_by or exc
            except BaseException as exc:  # a bug: stop everyone, surface it after the join
                with self._lock:
                    self._bug = self._bug or exc

    # ---- one group of chunks ---------------------------------------------------------------
    def _process(self, units: list[Unit]) -> None:
        planned = [e.change for u in units for e in u.entries]
        checked: list[Written] = []
        try:
            if self._blind(units):
                live = {(c.variant_id, c.location_id): c.before for c in planned}
            else:
                checked = self.verifier.take_if_free(planned)   # earlier writes this read covers anyway
                live = self._read(planned + [w.change for w in checked])
        except _STOPPING as exc:
            self.verifier.add(checked)
            raise Stop(exc) from exc
        except PlatformError as exc:         # the store keeps failing the read: stop, resumable
            self.verifier.add(checked)
            raise Stop(UnreachableError(f"{exc} Reading the levels before writing kept failing; the run stopped "
                                        "and can be resumed.")) from exc
        except BaseException:
            self.verifier.add(checked)
            raise
        if checked:
            self.verifier.settle_from(checked, live)
        for unit in units:
            if self.gate.cancel.cancelled:
                raise Stop(CancelledError("The run was cancelled."))
            if self.stopped_by is not None:     # another worker stopped the run (its journal write failed, …)
                raise Stop(self.stopped_by)
            writes: list[tuple[Entry, Change]] = []
            done: list[tuple[Entry, Settled]] = []
            for e in unit.entries:
                now = live.get((e.change.variant_id, e.change.location_id))
                if unit.inflight:
                    left = remainder(e.change, live=now, target=e.target)
                    if left is None:
                        done.append((e, Settled(Status.APPLIED, towards(e.change, live=e.base, target=e.target), now,
                                                message="Applied (confirmed by reading the level again).")))
                    else:
                        writes.append((e, left))
                    continue
                verdict = rebase(e.change, now, force=self.force_stale)
                if isinstance(verdict, Verdict):
                    done.append((e, Settled(verdict.status, e.change, verdict.level, verdict.code, verdict.message)))
                else:
                    writes.append((e, verdict))
            self._settle(unit.chunk, done, close=not writes)
            if writes:
                self._write(unit, writes)

    def _blind(self, units: list[Unit]) -> bool:
        """An import that overwrites stale levels on purpose, on a platform whose absolute set is
        idempotent, writes the same whatever the level now is: the pre-write read would only cost
        a request per chunk (half the throughput on Genstore). Undo and resume always read."""
        caps = self.caps
        return (self.trust_preview and self.force_stale and caps.can_set and caps.idempotent_writes
                and not any(u.inflight for u in units)
                and all(e.change.mode is Mode.SET for u in units for e in u.entries))

    def _read(self, changes: list[Change]) -> dict[tuple[str, str], Level]:
        return read_pairs(self.connector, pairs_of(changes), lambda read: retrying(read, gate=self.gate))

    def _write(self, unit: Unit, writes: list[tuple[Entry, Change]]) -> None:
        rounds = 0
        while writes:
            try:
                self.journal.sending(self.run_id, unit.chunk, [(e.seq, c.before, c.after) for e, c in writes])
            except JournalError as exc:          # unrecorded, so not sent: the run stops here, resumable
                raise Stop(exc) from exc
            sent_before = self.gate.writes_on_this_thread()
            try:
                with self.gate.installed():
                    results = self.connector.apply(Chunk(index=unit.chunk, changes=[c for _, c in writes],
                                                         request=unit.request))
            except (CancelledError, AuthError) as exc:
                self._cut_off(unit, writes, sent=self.gate.writes_on_this_thread() > sent_before)
                raise Stop(exc) from exc
            except PlatformError as exc:
                requests = self.gate.writes_on_this_thread() - sent_before
                sent = requests > 0
                # a chunk written by several requests (Marketplacer's seller PUTs, Shoplazza's levels):
                # the ones before the failure landed; read them back instead of sending them again
                landed_before = requests > 1
                if not _ambiguous(exc):        # a 4xx for the failing request: it applied nothing
                    if landed_before:
                        writes = self._what_is_missing(unit, writes)
                    self._settle(unit.chunk, [(e, Settled(Status.FAILED, c, code="platform-rejected",
                                                          message=str(exc))) for e, c in writes])
                    return
                rounds += 1
                if rounds >= self.gate.policy.attempts:
                    self._cut_off(unit, writes, sent=sent)
                    raise Stop(exc if isinstance(exc, _STOPPING) else UnreachableError(
                        f"{exc} It still failed after {rounds} tries; the run stopped and can be resumed.")) from exc
                try:
                    self.gate.wait(self.gate.policy.delay(rounds))
                except CancelledError as cancelled:
                    self._cut_off(unit, writes, sent=sent)
                    raise Stop(cancelled) from exc
                if (sent and not self.caps.idempotent_writes) or landed_before:
                    writes = self._what_is_missing(unit, writes)
                continue
            outcomes, written = [], []
            share = max(1, self.gate.writes_on_this_thread() - sent_before) / max(1, len(writes))
            for (e, c), r in zip(writes, results):
                if r.ok:      # accepted: applied only once a read shows it (engine.verify)
                    written.append(Written(entry=e, change=c, chunk=unit.chunk, requests=share, reported=r.level_after))
                else:
                    outcomes.append((e, Settled(Status.FAILED, c, r.level_after, r.code or "platform-rejected",
                                                r.error or "The store refused this change.")))
            self.verifier.add(written)
            self._settle(unit.chunk, outcomes, close=not written)
            self.verifier.verify(self.verifier.take_if_cheap())
            return

    def _what_is_missing(self, unit: Unit, writes: list[tuple[Entry, Change]]) -> list[tuple[Entry, Change]]:
        try:
            live = self._read([c for _, c in writes])
        except _STOPPING as exc:
            self._cut_off(unit, writes, sent=True, verify=False)
            raise Stop(exc) from exc
        still: list[tuple[Entry, Change]] = []
        landed: list[tuple[Entry, Settled]] = []
        for e, c in writes:
            now = live.get((c.variant_id, c.location_id))
            left = remainder(c, live=now, target=c.after)
            if left is None:
                landed.append((e, Settled(Status.APPLIED, c, now)))
            else:
                still.append((e, left))
        self._settle(unit.chunk, landed, close=not still)
        return still

    def _cut_off(self, unit: Unit, writes: list[tuple[Entry, Change]], *, sent: bool, verify: bool = True) -> None:
        """The run stops with these writes unfinished: say exactly which landed."""
        if not sent:
            self._settle(unit.chunk, [(e, Settled(Status.PENDING, c, code=NOT_APPLIED,
                                                  message="Not sent: the run stopped before this change."))
                                      for e, c in writes], close=False)
            return
        live: dict[tuple[str, str], Level] | None = None
        if verify:
            check = Gate(limiter=self.gate.limiter, backoff=self.gate.policy, cancel=CancelToken())
            try:
                live = read_pairs(self.connector, pairs_of(c for _, c in writes),
                                  lambda read: retrying(read, gate=check))
            except StocksheetError:
                live = None
        landed, unknown = [], []
        for e, c in writes:
            now = live.get((c.variant_id, c.location_id)) if live is not None else None
            if live is not None and now == c.after:
                landed.append((e, Settled(Status.APPLIED, c, now)))
            else:
                unknown.append((e, c))
        self._settle(unit.chunk, landed, close=False)
        with self._lock:              # the journal keeps them as sending: resume re-reads them first
            for e, c in unknown:
                self.settled[e.seq] = Settled(Status.PENDING, c, code=NOT_APPLIED, message=(
                    "Not applied: the run stopped while this change was being sent"
                    + ("." if live is not None else " and its level could not be read again; it may have landed.")
                    + " Resume the run to finish it; the level is read again first."))

    # ---- bookkeeping -------------------------------------------------------------------------
    def _settle_verified(self, chunk: int, results: list[tuple[Written, Status, Level, str, str]]) -> None:
        self._settle(chunk, [(w.entry, Settled(status, w.change, level, code, message))
                             for w, status, level, code, message in results])

    def _settle(self, chunk: int, done: list[tuple[Entry, Settled]], *, close: bool = True) -> None:
        """Journal these outcomes (and, with ``close``, the chunk as done), then report progress."""
        if done or close:
            try:
                self.journal.settle(self.run_id, chunk if close else None,
                                    [(e.seq, s.status, s.level, s.code, s.message) for e, s in done])
            except JournalError as exc:    # they stay "sending" in the journal: resume reads them first
                raise Stop(exc) from exc
        with self._lock:
            for e, s in done:
                self.settled[e.seq] = s
            finished = sum(1 for s in self.settled.values() if s.status is not Status.PENDING)
        finished += len(self.verifier)             # written, waiting to be read back
        elapsed = time.monotonic() - self._started
        rate = self.gate.requests / elapsed if elapsed > 0 else None
        eta = (self._total - finished) * elapsed / finished if finished and elapsed > 0 else None
        with self._lock:
            self.progress(Progress(stage="submit", done=finished, total=self._total, rate=rate, eta_seconds=eta,
                                   chunk=chunk, message=f"Writing chunk {chunk + 1:,}"))


def _ambiguous(exc: Exception) -> bool:
    """No answer, gibberish, a server error, or a transient failure part-way through a chunk's
    requests: some of it may have been applied (``_write`` tells by the writes sent)."""
    if isinstance(exc, (AmbiguousWriteError, ProtocolError, UnreachableError, RateLimitedError)):
        return True
    return isinstance(exc, PlatformError) and (exc.status is None or exc.status >= 500)

