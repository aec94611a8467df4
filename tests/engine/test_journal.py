"""The journal is durable (WAL, synchronous=FULL), complete, and never holds the token."""
from __future__ import annotations

import sqlite3

from desktop_app.core.models import Change, Kind, Mode, Variant
from desktop_app.core.results import RowOutcome, Status
from desktop_app.engine import paths
from desktop_app.engine.journal import CANCELLED, FINISHED, INTERRUPTED, PLANNED, RUNNING, SENDING, Entry, Journal


def entry(seq: int, chunk: int | None = 0) -> Entry:
    variant = Variant(id=f"v{seq}", product_id="p", sku=f"S{seq}", extra={"inventory_item_id": "604253696473177059"})
    c = Change(row=seq + 2, column="Qty", variant_id=variant.id, product_id="p", location_id="l", sku=variant.sku,
               location_name="Main", mode=Mode.SET, before=seq, after=seq + 5, kind=Kind.INCREASE, delta=5,
               variant=variant)
    return Entry(seq=seq, chunk=chunk, change=c, state=PLANNED)


def test_the_journal_lives_under_stocksheet_home_in_wal_mode_with_full_sync(stocksheet_home):
    journal = Journal()
    assert journal.path == paths.journal_path() and journal.path.parent == stocksheet_home
    assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2      # FULL
    journal.close()


def test_a_run_its_plan_and_each_write_survive_reopening():
    journal = Journal()
    run_id = journal.start_run(kind="import", platform="genstore", url="http://127.0.0.1:1", sheet="/s.csv",
                               options={"force_stale": False}, totals={"rows": 3, "invalid": 1},
                               entries=[entry(0), entry(1), entry(2, chunk=None)], chunks={0: "PUT x"},
                               notes=[RowOutcome(row=9, status=Status.INVALID, message="bad SKU")])
    journal.sending(run_id, 0, [(0, 0, 5), (1, 1, 6)])
    journal.settle(run_id, None, [(0, Status.APPLIED, 5, "", "")])
    journal.close()

    again = Journal()
    record = again.run(run_id)
    assert (record.platform, record.state, record.totals["rows"]) == ("genstore", RUNNING, 3)
    e0, e1, e2 = again.entries(run_id)
    assert (e0.state, e0.base, e0.target, e0.level_after) == ("applied", 0, 5, 5)
    assert (e1.state, e1.written, e1.target) == (SENDING, True, 6)
    assert (e2.state, e2.written, e2.chunk) == (PLANNED, False, None)
    assert e0.change.variant.extra == {"inventory_item_id": "604253696473177059"}
    assert again.notes(run_id)[0].message == "bad SKU"
    again.close()


def test_the_journal_never_stores_an_access_token(monkeypatch):
    monkeypatch.setenv("STOCKSHEET_TOKEN", "sekret-token-123")
    journal = Journal()
    journal.start_run(kind="import", platform="genstore", url="http://127.0.0.1:1", sheet=None, options={},
                      totals={}, entries=[entry(0)], chunks={0: "PUT"})
    journal.close()
    dump = "\n".join(sqlite3.connect(paths.journal_path()).iterdump())
    assert "sekret-token-123" not in dump


def planned_run(journal: Journal, n: int = 3) -> str:
    return journal.start_run(kind="import", platform="genstore", url="http://127.0.0.1:1", sheet="/s.csv", options={},
                             totals={"rows": n, "invalid": 0}, entries=[entry(i) for i in range(n)], chunks={0: "PUT"})


def test_finish_never_records_finished_over_changes_still_planned_sending_pending_or_unverified():
    journal = Journal()
    planned = planned_run(journal)
    journal.settle(planned, None, [(0, Status.APPLIED, 5, "", ""), (1, Status.APPLIED, 6, "", "")])
    sending = planned_run(journal)
    journal.sending(sending, 0, [(0, 0, 5), (1, 1, 6), (2, 2, 7)])
    journal.settle(sending, None, [(0, Status.APPLIED, 5, "", ""), (2, Status.APPLIED, 7, "", "")])
    pending = planned_run(journal)
    journal.settle(pending, 0, [(0, Status.APPLIED, 5, "", ""), (1, Status.APPLIED, 6, "", ""),
                                (2, Status.PENDING, None, "not-applied", "Not sent: the run stopped.")])
    unverified = planned_run(journal)
    journal.sending(unverified, 0, [(0, 0, 5), (1, 1, 6), (2, 2, 7)])
    journal.settle(unverified, 0, [(0, Status.APPLIED, 5, "", ""), (1, Status.APPLIED, 6, "", ""),
                                   (2, "unverified", None, "unverified", "Could not read it back.")])
    for run_id in (planned, sending, pending, unverified):
        journal.finish(run_id, FINISHED)
        assert journal.run(run_id).state == INTERRUPTED and journal.run(run_id).resumable
    journal.close()


def test_finish_records_finished_once_every_change_is_settled_and_a_cancel_stays_a_cancel():
    journal = Journal()
    done = planned_run(journal)
    journal.sending(done, 0, [(0, 0, 5), (1, 1, 6), (2, 2, 7)])
    journal.settle(done, 0, [(0, Status.APPLIED, 5, "", ""), (1, Status.FAILED, 1, "platform-rejected", "no"),
                             (2, Status.STALE, 9, "stale", "moved")])
    assert journal.finish(done, FINISHED, requests=2) == FINISHED
    assert (journal.run(done).state, journal.run(done).requests) == (FINISHED, 2)
    cancelled = planned_run(journal)
    assert journal.finish(cancelled, CANCELLED) == CANCELLED
    assert journal.run(cancelled).state == CANCELLED
    journal.close()
