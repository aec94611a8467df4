"""The background job runner: results, failures and cancellation arrive on the main thread."""
from __future__ import annotations

import threading

import pytest

from desktop_app.core.errors import CancelledError, SheetReadError
from desktop_app.core.progress import Progress
from desktop_app.gui.runner import JobRunner


@pytest.fixture
def runner(qtbot):
    r = JobRunner()
    yield r
    r.cancel()
    r.wait()


def test_a_job_runs_off_the_main_thread_and_its_result_arrives_on_the_main_thread(qtbot, runner):
    seen = {}

    def job(*, progress, cancel):
        seen["worker"] = threading.current_thread()
        progress(Progress(stage="read", done=1, total=2))
        return 42

    got = {}
    runner.finished.connect(lambda r: got.update(result=r, thread=threading.current_thread()))
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(job, name="answer")
    assert got["result"] == 42
    assert got["thread"] is threading.main_thread()
    assert seen["worker"] is not threading.main_thread()
    assert not runner.is_running()


def test_progress_reports_are_coalesced_so_the_event_loop_is_not_flooded(qtbot, runner):
    received: list[Progress] = []
    runner.progressed.connect(received.append)

    def job(*, progress, cancel):
        for i in range(20_000):
            progress(Progress(stage="validate", done=i + 1, total=20_000))
        return None

    with qtbot.waitSignal(runner.finished, timeout=10000):
        runner.start(job)
    assert 1 <= len(received) < 20_000
    assert [p.done for p in received] == sorted(p.done for p in received)


def test_an_exception_in_the_job_is_delivered_by_failed_not_raised(qtbot, runner):
    def job(*, progress, cancel):
        raise SheetReadError("The file 'x.csv' is empty.")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start(job)
    assert isinstance(blocker.args[0], SheetReadError)


def test_cancel_stops_a_job_that_polls_its_token_and_emits_cancelled(qtbot, runner):
    started = threading.Event()

    def job(*, progress, cancel):
        started.set()
        while not cancel.wait(0.01):
            pass
        raise CancelledError("Stopped.")

    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        runner.start(job)
        assert started.wait(5)
        runner.cancel()
    assert not runner.is_running()


def test_slowed_fires_only_for_jobs_that_outlast_the_delay(qtbot, runner):
    slow = []
    runner.slowed.connect(lambda: slow.append(True))
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(lambda *, progress, cancel: "quick")
    assert slow == []

    gate = threading.Event()
    with qtbot.waitSignal(runner.slowed, timeout=5000):
        runner.start(lambda *, progress, cancel: gate.wait(10))
    with qtbot.waitSignal(runner.finished, timeout=5000):
        gate.set()


def test_a_second_job_is_refused_while_one_runs(qtbot, runner):
    gate = threading.Event()
    runner.start(lambda *, progress, cancel: gate.wait(10))
    with pytest.raises(RuntimeError):
        runner.start(lambda *, progress, cancel: None)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        gate.set()


def test_while_a_job_runs_a_busy_worker_hands_the_gil_back_to_the_window_within_a_millisecond(qtbot, runner):
    import sys
    before = sys.getswitchinterval()

    def job(*, progress, cancel):
        return sys.getswitchinterval()

    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.start(job)
    assert blocker.args[0] <= 0.001 < before
    assert sys.getswitchinterval() == before        # restored when the job ended

    def failing(*, progress, cancel):
        raise SheetReadError("The file 'x.csv' is empty.")

    with qtbot.waitSignal(runner.failed, timeout=5000):
        runner.start(failing)
    assert sys.getswitchinterval() == before
