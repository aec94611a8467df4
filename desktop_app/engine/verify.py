"""Verification: a row is *applied* only when a read of the store shows its target.

A write the platform accepted is not yet applied: it waits here until its level is read back.
The read is the connector's own ``read_levels`` (one mechanism for every platform, the window,
the CLI, resume and undo); the connector only says what a read costs (``read_cost``), so the
engine can pick the cheapest moment:

* **piggy-back** — a pre-write re-read of the next chunks that would cost no more with the
  waiting levels added (a paged pass over the whole catalogue already covers them);
* **batch** — once a read of every waiting level costs at most ``BUDGET`` of the write requests
  that put them there (Genstore's inventory list, Zettle's one read per location, Shoplazza's
  level listing);
* **at the end** of the run, whatever is left, even after a cancel (the writes went out).

What the read shows decides: the target → ``applied``; anything else → ``failed`` with code
``verify-mismatch`` naming both values and the platform; no read possible → ``unverified``
(never applied; the run stays resumable and ``resume`` reads it again).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from desktop_app.core.errors import StocksheetError
from desktop_app.core.issues import UNVERIFIED, VERIFY_MISMATCH
from desktop_app.core.models import Change, Level, level_text
from desktop_app.core.progress import CancelToken
from desktop_app.core.results import Status
from desktop_app.engine.journal import Entry
from desktop_app.engine.reads import cost, pairs_of, read_cost, read_pairs
from desktop_app.engine.retry import Gate, retrying
from desktop_app.platforms.base import Connector

#: verification may cost at most this share of the write requests it checks (goal: ≤ 5 % in all)
BUDGET = 0.04

Key = tuple[str, str]


@dataclass(slots=True)
class Written:
    """A write the platform accepted, waiting to be read back."""

    entry: Entry
    change: Change                 # as written: ``after`` is the level the store should show
    chunk: int
    requests: float                # write requests it took (a share of its chunk's)
    reported: Level = None         # what the write's answer claimed, for the message


def judge(w: Written, live: dict[Key, Level], *, platform: str) -> tuple[Status, Level, str, str]:
    """(status, level, code, message) for a written change, given a read that covers it."""
    c = w.change
    now = live.get((c.variant_id, c.location_id))
    if now == c.after:
        return Status.APPLIED, now, "", ""
    name = f"{c.sku or c.variant_id} at {c.location_name or c.location_id}"
    claimed = "" if w.reported in (None, c.after) else f" (its answer to the write said {_shown(w.reported)})"
    return Status.FAILED, now, VERIFY_MISMATCH, (
        f"{platform} accepted the write of {_shown(c.after)} for {name}{claimed}, but reading the level back "
        f"shows {_shown(now)}. Check the level in {platform}; export the stock again before re-importing.")


def _shown(level: Level) -> str:
    return level_text(level)


class Verifier:
    """Written levels waiting to be read back; thread-safe (the executor's workers share it)."""

    def __init__(self, *, connector: Connector, gate: Gate,
                 settle: Callable[[int, list[tuple[Written, Status, Level, str, str]]], None]) -> None:
        self.connector = connector
        self.gate = gate
        self.platform = connector.capabilities.display_name
        self._settle = settle
        self._waiting: list[Written] = []
        self._lock = threading.Lock()
        self.requests = 0          # the HTTP requests those reads took

    def __len__(self) -> int:
        with self._lock:
            return len(self._waiting)

    def add(self, written: list[Written]) -> None:
        with self._lock:
            self._waiting.extend(written)

    # ---- when to read ----------------------------------------------------------------------
    def take_if_free(self, planned: list[Change]) -> list[Written]:
        """The waiting writes a pre-write read of ``planned`` covers at no extra cost."""
        with self._lock:
            if not self._waiting:
                return []
            alone = pairs_of(planned)
            if cost(self.connector, alone + pairs_of(w.change for w in self._waiting)) > cost(self.connector, alone):
                return []
            taken, self._waiting = self._waiting, []
            return taken

    def take_if_cheap(self) -> list[Written]:
        """All waiting writes, once reading them costs at most ``BUDGET`` of the writes they took."""
        with self._lock:
            if not self._waiting:
                return []
            writes = sum(w.requests for w in self._waiting)
            if cost(self.connector, pairs_of(w.change for w in self._waiting)) > BUDGET * writes:
                return []
            taken, self._waiting = self._waiting, []
            return taken

    def take_all(self) -> list[Written]:
        with self._lock:
            taken, self._waiting = self._waiting, []
            return taken

    # ---- settling --------------------------------------------------------------------------
    def settle_from(self, taken: list[Written], live: dict[Key, Level]) -> None:
        """Judge ``taken`` on a read that covered them, and settle each chunk's entries."""
        by_chunk: dict[int, list[tuple[Written, Status, Level, str, str]]] = {}
        for w in taken:
            status, level, code, message = judge(w, live, platform=self.platform)
            by_chunk.setdefault(w.chunk, []).append((w, status, level, code, message))
        for chunk, results in by_chunk.items():
            self._settle(chunk, results)

    def verify(self, taken: list[Written], *, ignore_cancel: bool = False) -> None:
        """Read ``taken`` back now; when the read fails they end ``unverified``."""
        if not taken:
            return
        gate = self.gate
        if ignore_cancel:      # the writes went out: the result must still say what they did
            gate = Gate(limiter=self.gate.limiter, backoff=self.gate.policy, cancel=CancelToken())
        sent = gate.requests_on_this_thread()
        try:
            live = read_pairs(self.connector, pairs_of(w.change for w in taken),
                              lambda read: retrying(read, gate=gate))
        except StocksheetError as exc:
            self.unverified(taken, reason=str(exc))
            return
        finally:
            made = gate.requests_on_this_thread() - sent
            with self._lock:
                self.requests += made
            if gate is not self.gate:
                self.gate.add_requests(made)
        self.settle_from(taken, live)

    def unverified(self, taken: list[Written], *, reason: str) -> None:
        by_chunk: dict[int, list[tuple[Written, Status, Level, str, str]]] = {}
        for w in taken:
            c = w.change
            name = f"{c.sku or c.variant_id} at {c.location_name or c.location_id}"
            message = (f"{self.platform} accepted the write of {_shown(c.after)} for {name}, but Stocksheet could not "
                       f"read the level back to check it ({reason.rstrip('.')}). Resume the run to check it again.")
            by_chunk.setdefault(w.chunk, []).append((w, Status.UNVERIFIED, w.reported, UNVERIFIED, message))
        for chunk, results in by_chunk.items():
            self._settle(chunk, results)


__all__ = ["Verifier", "Written", "judge", "read_cost", "VERIFY_MISMATCH", "UNVERIFIED", "BUDGET"]
