"""A full disk under the journal, for real: SQLite's own SQLITE_FULL, reached by capping the
journal's pages (``PRAGMA max_page_count``) at the size it has when the "disk fills".

A journal write that fails records nothing of its transaction and raises ``JournalError`` with
a sentence saying where, why and what to do; a run with changes still planned, sending or
pending is never recorded *finished*; resume, once there is room again, re-reads what was in
flight and writes only what is missing (Zettle's movements are not idempotent: a resent one
would double the stock)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import resource
except ImportError:        # Windows
    resource = None

from desktop_app.core.errors import StocksheetError
from desktop_app.core.models import Chunk
from desktop_app.core.results import Status
from desktop_app.engine import runs
from desktop_app.engine.journal import FINISHED, INTERRUPTED, PLANNED, SENDING, Entry, Journal, JournalError
from desktop_app.engine.prepare import prepare
from desktop_app.engine.retry import Backoff

from .conftest import level_changes, write_sheet
from .test_journal import entry

FAST = Backoff(base=0.005, cap=0.02, attempts=10)
CHUNKS, PER_CHUNK = 10, 20


def the_disk_fills(journal: Journal) -> None:
    """From now on, a write that needs one more page of the journal fails with SQLITE_FULL."""
    journal.max_pages = journal.page_count


def big_run(journal: Journal) -> str:
    return journal.start_run(kind="import", platform="genstore", url="http://127.0.0.1:1", sheet="/stock.csv",
                             options={}, totals={"rows": CHUNKS * PER_CHUNK, "invalid": 0},
                             entries=[entry(i, chunk=i // PER_CHUNK) for i in range(CHUNKS * PER_CHUNK)],
                             chunks={c: "PUT /inventory" for c in range(CHUNKS)})


def seqs(chunk: int) -> range:
    return range(chunk * PER_CHUNK, (chunk + 1) * PER_CHUNK)


def send_until_full(journal: Journal, run_id: str) -> tuple[int, JournalError]:
    """Journal chunk after chunk as about to be sent until the full disk refuses one."""
    for chunk in range(CHUNKS):
        try:
            journal.sending(run_id, chunk, [(s, s, s + 5) for s in seqs(chunk)])
        except JournalError as exc:
            return chunk, exc
    pytest.fail("the capped journal took every write: the disk never filled")


def test_a_write_on_a_full_disk_raises_journal_error_and_records_nothing_of_it():
    journal = Journal()
    run_id = big_run(journal)
    the_disk_fills(journal)
    failed, error = send_until_full(journal, run_id)

    assert isinstance(error, StocksheetError) and (error.run_id, error.path) == (run_id, journal.path)
    assert str(error) == (f"Stocksheet could not record the run in its journal ({journal.path}): the disk is full. "
                          f"The run stopped before its next write; free some disk space and run "
                          f"`stocksheet resume {run_id}`.")
    entries = journal.entries(run_id)
    assert {entries[s].state for s in seqs(failed)} == {PLANNED}                  # none of it half-recorded
    assert not any(entries[s].written for s in seqs(failed))
    assert all(entries[s].state == SENDING and entries[s].target == s + 5 for c in range(failed) for s in seqs(c))
    journal.close()


def test_after_a_failed_write_the_run_is_resumable_and_the_journal_works_again_once_there_is_room():
    journal = Journal()
    run_id = big_run(journal)
    the_disk_fills(journal)
    failed, _ = send_until_full(journal, run_id)

    assert journal.finish(run_id, FINISHED) == INTERRUPTED             # what execute() asks for when it ends
    assert journal.run(run_id).resumable

    journal.max_pages = None                                            # space freed
    journal.sending(run_id, failed, [(s, s, s + 5) for s in seqs(failed)])
    journal.close()
    again = Journal()
    assert {again.entries(run_id)[s].state for s in seqs(failed)} == {SENDING}
    assert again.run(run_id).state == INTERRUPTED
    again.close()


def test_a_settle_that_fails_leaves_its_changes_sending_with_the_targets_resume_needs():
    journal = Journal()
    run_id = big_run(journal)
    for chunk in range(CHUNKS):
        journal.sending(run_id, chunk, [(s, s, s + 5) for s in seqs(chunk)])
    the_disk_fills(journal)
    for chunk in range(CHUNKS):
        try:
            journal.settle(run_id, chunk, [(s, Status.APPLIED, s + 5, "", "Applied (confirmed by reading the level "
                                            "again).") for s in seqs(chunk)])
        except JournalError:
            break
    else:
        pytest.fail("the capped journal took every write: the disk never filled")
    entries = journal.entries(run_id)
    assert all((entries[s].state, entries[s].base, entries[s].target) == (SENDING, s, s + 5) for s in seqs(chunk))
    assert journal.finish(run_id, FINISHED) == INTERRUPTED
    journal.close()


def test_a_run_that_cannot_be_recorded_at_all_says_nothing_was_written():
    journal = Journal()
    the_disk_fills(journal)
    with pytest.raises(JournalError) as caught:
        big_run(journal)
    assert str(caught.value) == (f"Stocksheet could not record the run in its journal ({journal.path}): the disk is "
                                 "full. Nothing was written to the store; free some disk space and start the run "
                                 "again.")
    assert caught.value.run_id is None and journal.runs() == []
    journal.close()


def test_a_journal_that_cannot_be_opened_says_where_and_why(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the journal's folder should be")
    with pytest.raises(JournalError, match="could not open its journal .*not-a-folder.*; check that folder"):
        Journal(blocker / "journal.sqlite3")


def test_the_size_cap_is_a_constructor_option_too():
    Journal().close()                                 # the schema exists: only a run would need room
    journal = Journal(max_pages=1)
    assert journal.max_pages == journal.page_count    # never below the present size
    with pytest.raises(JournalError, match="the disk is full"):
        big_run(journal)
    journal.max_pages = None
    assert journal.max_pages is None and big_run(journal)
    journal.close()


def test_resume_after_a_full_disk_rereads_what_was_in_flight_and_sends_each_movement_once(open_store, tmp_path):
    """The issue's case: the store applied a chunk whose answer the journal could not record.
    The run must stay resumable, resume must confirm by reading (not resend), and undo must
    then restore every level."""
    store = open_store("zettle", catalog="synthetic:30x1")
    location = store.locations[0].name
    sheet = write_sheet(tmp_path / "stock.csv", [(f"SKU-{i + 1:06d}", location, 60 + i) for i in range(30)])
    preview = prepare(sheet, store.connector)
    before = {c.variant_id: c.before for c in preview.plan.changes}
    journal = Journal()
    planned = {id(c): ch.index for ch in preview.plan.chunks for c in ch.changes}
    entries = [Entry(seq=i, chunk=planned[id(c)], change=c, state=PLANNED) for i, c in enumerate(preview.plan.changes)]
    run_id = journal.start_run(kind="import", platform="zettle", url=store.connector.url, sheet=str(sheet),
                               options={"rate": None}, totals={"rows": 30, "invalid": 0}, entries=entries,
                               chunks={ch.index: ch.request for ch in preview.plan.chunks})
    first = preview.plan.chunks[0]
    journal.sending(run_id, first.index, [(e.seq, e.change.before, e.change.after) for e in entries
                                          if e.chunk == first.index])
    outcomes = store.connector.apply(Chunk(index=first.index, changes=first.changes, request=first.request))
    assert all(o.ok for o in outcomes)                                   # the store applied them all
    the_disk_fills(journal)
    with pytest.raises(JournalError):                                    # ... and their answer is lost
        journal.settle(run_id, first.index, [(e.seq, Status.APPLIED, e.change.after, "", "Applied after a long "
                                              "wait for the store's answer.") for e in entries if e.chunk == first.index])
    assert journal.finish(run_id, FINISHED) == INTERRUPTED

    journal.max_pages = None                                             # space freed: `stocksheet resume`
    resumed = runs.resume(run_id, store.connector, journal=journal, backoff=FAST)
    assert (resumed.applied, resumed.failed, resumed.cancelled) == (30, 0, False)
    live = store.live(preview.plan.changes)
    assert {c.variant_id: live[(c.variant_id, c.location_id)] for c in preview.plan.changes} == \
        {c.variant_id: c.after for c in preview.plan.changes}
    assert max(level_changes(store.app.ledger()).values()) == 1         # confirmed by reading, never resent

    undone = runs.undo(run_id, store.connector, journal=journal, backoff=FAST)
    assert undone.applied == 30
    live = store.live(preview.plan.changes)
    assert {c.variant_id: live[(c.variant_id, c.location_id)] for c in preview.plan.changes} == before
    journal.close()



DRIVER = r"""
import json, resource, sys
from pathlib import Path
from desktop_app.engine.journal import Journal, JournalError
from desktop_app.engine.prepare import prepare
from desktop_app.engine.retry import Backoff
from desktop_app.engine.submit import submit
from desktop_app.platforms.registry import connect

platform, url, token, sheet = sys.argv[1:5]
connector = connect(platform, url, token)
preview = prepare(Path(sheet), connector)
journal = Journal()
wal = Path(str(journal.path) + "-wal")
full = []

def progress(p):
    # the disk fills once the first changes are recorded: from now on no file of this process
    # may grow (RLIMIT_FSIZE; a pipe is not a file), and the journal's write-ahead log must grow
    if p.stage == "submit" and p.done and not full:
        full.append(wal.stat().st_size)
        resource.setrlimit(resource.RLIMIT_FSIZE, (full[0], resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

try:
    submit(preview, connector, journal=journal, rate=None, backoff=Backoff(base=0.005, cap=0.02, attempts=10),
           progress=progress)
except JournalError as exc:
    print(json.dumps({"run_id": exc.run_id, "error": str(exc)}), flush=True)
    sys.exit(3)
print(json.dumps({"run_id": None, "error": None}), flush=True)
"""


@pytest.mark.skipif(resource is None, reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("platform, variants", [("genstore", 120), ("zettle", 1200)])   # Zettle: 100 a request
def test_an_import_whose_disk_fills_stops_before_its_next_write_and_resume_finishes_it(open_store, tmp_path,
                                                                                       platform, variants):
    """End to end through ``submit`` in a process of its own, whose files stop growing (a real
    EFBIG/short write under SQLite's write-ahead log) once its first changes are recorded."""
    store = open_store(platform, catalog=f"synthetic:{variants}x1")
    location = store.locations[0].name
    sheet = write_sheet(tmp_path / "stock.csv", [(f"SKU-{i + 1:06d}", location, 60 + i) for i in range(variants)])
    preview = prepare(sheet, store.connector)
    run = subprocess.run([sys.executable, "-c", DRIVER, platform, store.server.url, store.app.token, str(sheet)],
                         capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 3, run.stdout + run.stderr
    stopped = json.loads(run.stdout.splitlines()[-1])
    run_id = stopped["run_id"]
    assert run_id and stopped["error"].startswith("Stocksheet could not record the run in its journal (")
    assert stopped["error"].endswith(f" and run `stocksheet resume {run_id}`.")

    journal = Journal()                                                    # the process is gone: room again
    assert journal.run(run_id).state != FINISHED and journal.run(run_id).resumable
    entries = journal.entries(run_id)
    changed = level_changes(store.app.ledger())
    # no write went out that the journal does not know of, and the run stopped early
    assert len(changed) <= sum(1 for e in entries if e.written) < len(entries)

    resumed = runs.resume(run_id, store.connector, journal=journal, backoff=FAST)
    assert (resumed.applied, resumed.failed, resumed.cancelled) == (variants, 0, False)
    live = store.live(preview.plan.changes)
    assert all(live[(c.variant_id, c.location_id)] == c.after for c in preview.plan.changes)
    assert max(level_changes(store.app.ledger()).values()) == 1           # nothing applied twice
    journal.close()
