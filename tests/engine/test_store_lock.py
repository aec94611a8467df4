"""One writing run per store: the lock in the journal, between real processes and threads.

The other process is a real ``python`` child holding the lock until the test writes a line
to its stdin; it tells the test what it does on its stdout. Nothing sleeps: every step waits
on the child's pipe, a thread's event, or a process' exit."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop_app.core.errors import CancelledError, InputError
from desktop_app.core.progress import CancelToken
from desktop_app.engine import paths, runs
from desktop_app.engine.journal import Journal
from desktop_app.engine.prepare import prepare
from desktop_app.engine.retry import Backoff
from desktop_app.engine.store_lock import Holder, StoreBusyError, process_alive, store_key, store_lock
from desktop_app.engine.submit import submit
from desktop_app.platforms import registry as platform_registry

from .conftest import level_changes, write_sheet

ZETTLE = "https://inventory.izettle.com/"
RUN = "20261201-140300-abc123"

HOLDER = r"""
import sys
from desktop_app.engine.journal import Journal
from desktop_app.engine.store_lock import StoreBusyError, store_lock

platform, url, wait = sys.argv[1], sys.argv[2], float(sys.argv[3])
journal = Journal()
def progress(p):
    print("waiting", p.message, flush=True)
try:
    with store_lock(journal, platform=platform, url=url, what="import of stock.csv", wait=wait,
                    progress=progress) as lock:
        lock.attach(sys.argv[4])
        print("locked", flush=True)
        sys.stdin.readline()
    print("released", flush=True)
except StoreBusyError as exc:
    print("busy", exc, flush=True)
"""


class Child:
    """A second Stocksheet process taking the lock of a store."""

    def __init__(self, *, platform: str = "zettle", url: str = ZETTLE, wait: float = 0.0, run_id: str = RUN) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, platform, url, str(wait), run_id],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ),
                                     cwd=Path(__file__).resolve().parents[2])

    @property
    def pid(self) -> int:
        return self.proc.pid

    def said(self) -> str:
        line = self.proc.stdout.readline()
        assert line, f"the child ended (exit {self.proc.wait()}) without a word"
        return line.strip()

    def release(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.said() == "released"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc.stdin.close()
        self.proc.stdout.close()


@pytest.fixture
def child():
    started: list[Child] = []

    def start(**kw) -> Child:
        started.append(Child(**kw))
        return started[-1]

    yield start
    for c in started:
        c.close()


@pytest.fixture
def journal():
    j = Journal()
    yield j
    j.close()


def lock_rows() -> list[sqlite3.Row]:
    db = sqlite3.connect(paths.journal_path())
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM store_locks").fetchall()
    finally:
        db.close()


def tamper(sql: str, *args) -> None:
    db = sqlite3.connect(paths.journal_path(), isolation_level=None)
    try:
        db.execute(sql, args)
    finally:
        db.close()


# ---- the store's identity ------------------------------------------------------------------
def test_a_store_is_its_platform_and_its_normalised_url():
    assert store_key("genstore", "HTTPS://MyShop.GenMyStore.com:443/") == store_key("genstore", "https://myshop.genmystore.com")
    assert store_key("genstore", "https://www.myshop.example/") == store_key("genstore", "https://myshop.example")
    assert store_key("genstore", "http://127.0.0.1:80/api/") == store_key("genstore", "http://127.0.0.1/api")
    assert store_key("genstore", "http://127.0.0.1:8001") != store_key("genstore", "http://127.0.0.1:8002")
    assert store_key("zettle", ZETTLE) != store_key("genstore", ZETTLE)
    assert store_key("zettle", ZETTLE, account="org-1") != store_key("zettle", ZETTLE, account="org-2")


# ---- two processes -----------------------------------------------------------------------------
def test_a_second_process_is_refused_with_a_sentence_naming_the_run_writing_to_the_store(child, journal):
    other = child()
    assert other.said() == "locked"
    with pytest.raises(StoreBusyError) as caught:
        with store_lock(journal, platform="zettle", url="https://INVENTORY.izettle.com", what="undo of run x"):
            pytest.fail("two runs held one store")
    message = str(caught.value)
    assert isinstance(caught.value, InputError)
    assert message.startswith(f"Another Stocksheet run (run {RUN}, import of stock.csv, process {other.pid}, started ")
    assert message.endswith(") is writing to this store; wait for it to finish or stop it.")
    assert caught.value.holder.pid == other.pid and caught.value.holder.run_id == RUN

    with store_lock(journal, platform="genstore", url="https://myshop.genmystore.com", what="import of b.csv"):
        pass                                                    # another store is not held up
    other.release()
    with store_lock(journal, platform="zettle", url=ZETTLE, what="undo of run x"):
        assert [r["pid"] for r in lock_rows()] == [os.getpid()]
    assert lock_rows() == []


def test_a_waiting_run_says_so_and_gets_the_store_when_the_holder_finishes(child, journal):
    with store_lock(journal, platform="zettle", url=ZETTLE, what="import of mine.csv") as mine:
        mine.attach("20261201-090000-aaaaaa")
        other = child(wait=600)
        said = other.said()
        assert said.startswith("waiting Waiting for another Stocksheet run (run 20261201-090000-aaaaaa, import of "
                               f"mine.csv, process {os.getpid()}, started ")
    assert other.said() == "locked"
    assert [r["pid"] for r in lock_rows()] == [other.pid]
    other.release()


def test_a_sigkilled_holder_does_not_keep_the_store_locked(child, journal):
    other = child()
    assert other.said() == "locked"
    os.kill(other.pid, signal.SIGKILL)
    other.proc.wait(timeout=30)
    with store_lock(journal, platform="zettle", url=ZETTLE, what="import of stock.csv"):
        assert [r["pid"] for r in lock_rows()] == [os.getpid()]


@pytest.mark.skipif(not hasattr(os, "waitid") or not Path("/proc/self/stat").exists(), reason="Linux")
def test_a_killed_holder_not_yet_reaped_by_its_parent_is_dead_too(child, journal):
    other = child()
    assert other.said() == "locked"
    os.kill(other.pid, signal.SIGKILL)
    os.waitid(os.P_PID, other.pid, os.WEXITED | os.WNOWAIT)     # a zombie now: kill(pid, 0) still succeeds
    assert not process_alive(other.pid)
    with store_lock(journal, platform="zettle", url=ZETTLE, what="import of stock.csv"):
        pass


def test_a_lock_whose_pid_now_belongs_to_another_program_is_taken_over(child, journal):
    other = child()
    assert other.said() == "locked"
    tamper("UPDATE store_locks SET pid_started = 'some other program, started earlier'")
    with store_lock(journal, platform="zettle", url=ZETTLE, what="import of stock.csv"):
        assert [r["pid"] for r in lock_rows()] == [os.getpid()]


def test_a_lock_from_another_host_holds_while_its_heartbeat_is_fresh(child, journal):
    other = child()
    assert other.said() == "locked"
    tamper("UPDATE store_locks SET host = 'till-2.example', pid = 1")
    with pytest.raises(StoreBusyError):
        with store_lock(journal, platform="zettle", url=ZETTLE, what="import of stock.csv"):
            pass
    os.kill(other.pid, signal.SIGKILL)                              # no more beats from it
    other.proc.wait(timeout=30)
    tamper("UPDATE store_locks SET heartbeat = heartbeat - 3600")   # its last beat, an hour ago
    with store_lock(journal, platform="zettle", url=ZETTLE, what="import of stock.csv"):
        assert [r["host"] for r in lock_rows()] != ["till-2.example"]


def test_the_holder_keeps_its_heartbeat_going(journal):
    with store_lock(journal, platform="zettle", url=ZETTLE, what="import", heartbeat_seconds=0.01) as lock:
        [row] = lock_rows()
        first = row["heartbeat"]
        assert lock.beat_event.wait(30)               # one more beat went into the journal
        lock.beat_event.clear()
        assert lock.beat_event.wait(30)
        [row] = lock_rows()
        assert row["heartbeat"] > first


# ---- one process, several threads --------------------------------------------------------------
def test_the_same_thread_may_nest_its_own_lock(journal):
    with store_lock(journal, platform="zettle", url=ZETTLE, what="import of stock.csv") as outer:
        outer.attach(RUN)
        with store_lock(journal, platform="zettle", url=ZETTLE.upper(), what="resume of it") as inner:
            assert inner.token == outer.token and len(lock_rows()) == 1
        assert [r["run_id"] for r in lock_rows()] == [RUN]            # still held by the outer one
    assert lock_rows() == []


def test_another_thread_of_the_same_process_is_refused_then_waits_its_turn(journal):
    held, release, waiting, done = threading.Event(), threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def holder() -> None:
        with store_lock(journal, platform="zettle", url=ZETTLE, what="import of window-1.csv") as lock:
            lock.attach(RUN)
            if not lock.waited:                 # the store was free
                held.set()
            release.wait(60)

    def latecomer() -> None:
        try:
            with store_lock(journal, platform="zettle", url=ZETTLE, what="import of window-2.csv", wait=600,
                            progress=lambda p: waiting.set()) as lock:
                if lock.waited:                 # so its caller knows the preview it made is old now
                    done.set()
        except BaseException as exc:   # surfaced by the asserts below
            errors.append(exc)

    first = threading.Thread(target=holder)
    first.start()
    assert held.wait(60)
    with pytest.raises(StoreBusyError, match=f"run {RUN}, import of window-1.csv, process {os.getpid()}"):
        with store_lock(journal, platform="zettle", url=ZETTLE, what="import of window-2.csv"):
            pass
    second = threading.Thread(target=latecomer)
    second.start()
    assert waiting.wait(60) and not done.is_set()
    release.set()
    first.join(60)
    second.join(60)
    assert done.is_set() and errors == [] and lock_rows() == []


def test_a_wait_that_runs_out_says_how_long_it_waited(journal):
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store_lock(journal, platform="zettle", url=ZETTLE, what="import of a.csv"):
            held.set()
            release.wait(60)

    t = threading.Thread(target=holder)
    t.start()
    try:
        assert held.wait(60)
        with pytest.raises(StoreBusyError, match=r"is still writing to this store after \d+ s of waiting; wait for "
                                                 "it to finish or stop it"):
            with store_lock(journal, platform="zettle", url=ZETTLE, what="import of b.csv", wait=0.05, poll=0.01):
                pass
        cancel = CancelToken()
        cancel.cancel()
        with pytest.raises(CancelledError):
            with store_lock(journal, platform="zettle", url=ZETTLE, what="import of b.csv", wait=600, cancel=cancel):
                pass
    finally:
        release.set()
        t.join(60)


def test_the_lock_is_released_when_the_run_fails(journal):
    with pytest.raises(RuntimeError):
        with store_lock(journal, platform="zettle", url=ZETTLE, what="import of stock.csv"):
            raise RuntimeError("a bug in the run")
    assert lock_rows() == []


def test_process_alive_knows_this_process_and_a_finished_one():
    assert process_alive(os.getpid())
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    assert not process_alive(int(done.stdout))


def test_the_sentence_says_when_the_other_run_took_the_store_and_on_which_host():
    stamp = time.time()
    holder = Holder(store="zettle|x", token="t", run_id=None, what="import of a.csv", host="till-2", pid=7,
                    pid_started="s", acquired=stamp, heartbeat=stamp)
    clock = time.strftime("%H:%M", time.localtime(stamp))        # the same instant, as the local clock shows it
    assert holder.describe() == f"import of a.csv, process 7 on till-2, started {clock}"


# ---- wired into submit, resume and undo --------------------------------------------------------
FAST = Backoff(base=0.005, cap=0.02, attempts=10)


def zettle_sheet(store, tmp_path, name: str = "stock.csv", qty=lambda i: 60 + i) -> Path:
    location = store.locations[0].name
    return write_sheet(tmp_path / name, [(f"SKU-{i + 1:06d}", location, qty(i)) for i in range(30)])


def test_two_identical_imports_at_once_reach_the_targets_once(open_store, tmp_path):
    """The issue's case: two windows import the same sheet into one Zettle store at once. The
    second waits for the first; its movements would otherwise be added on top (+40, not +20)."""
    store = open_store("zettle", catalog="synthetic:30x1")
    sheet = zettle_sheet(store, tmp_path, qty=lambda i: 20)
    second_connector = platform_registry.connect("zettle", store.server.url, store.app.token)
    first, second = prepare(sheet, store.connector), prepare(sheet, second_connector)   # both see the old levels
    first_holds, second_waits = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def pause_until_the_second_waits(p) -> None:
        if p.stage == "submit":
            first_holds.set()
            assert second_waits.wait(60)

    def run_first() -> None:
        results["first"] = submit(first, store.connector, backoff=FAST, progress=pause_until_the_second_waits)

    def run_second() -> None:
        assert first_holds.wait(60)        # the first run holds the store before the second asks for it
        results["second"] = submit(second, second_connector, backoff=FAST, lock_wait=600,
                                   progress=lambda p: second_waits.set() if p.stage == "lock" else None)

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    threads[0].start()
    threads[1].start()
    for t in threads:
        t.join(120)
    second_connector.close()
    assert set(results) == {"first", "second"} and second_waits.is_set()
    assert results["first"].applied == 30
    live = store.live(first.plan.changes)
    assert {live[(c.variant_id, c.location_id)] for c in first.plan.changes} == {20}
    assert max(level_changes(store.app.ledger()).values()) == 1


def test_an_import_resume_or_undo_is_refused_while_another_process_writes_to_the_store(child, open_store, tmp_path):
    store = open_store("zettle", catalog="synthetic:30x1")
    done = submit(prepare(zettle_sheet(store, tmp_path), store.connector), store.connector, backoff=FAST)
    cancel = CancelToken()
    stopped = submit(prepare(zettle_sheet(store, tmp_path, "later.csv", qty=lambda i: 90), store.connector),
                     store.connector, backoff=FAST, rate=(1, 1000.0), cancel=cancel, progress=lambda p: cancel.cancel())
    assert stopped.cancelled
    other = child(url=store.connector.url)
    assert other.said() == "locked"
    writes = len(store.app.ledger())
    refused = f"Another Stocksheet run \\(run {RUN}, import of stock.csv, process {other.pid}, started "
    with pytest.raises(StoreBusyError, match=refused):
        submit(prepare(zettle_sheet(store, tmp_path, "third.csv", qty=lambda i: 5), store.connector), store.connector,
               backoff=FAST)
    with pytest.raises(StoreBusyError, match=refused):
        runs.resume(stopped.run_id, store.connector, backoff=FAST)
    with pytest.raises(StoreBusyError, match=refused):
        runs.undo(done.run_id, store.connector, backoff=FAST)
    assert len(store.app.ledger()) == writes and len(runs.history()) == 2      # nothing written, nothing recorded

    other.release()
    assert runs.resume(stopped.run_id, store.connector, backoff=FAST).applied == 30
    assert lock_rows() == []
