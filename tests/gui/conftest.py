"""GUI fixtures: a real demo store over loopback HTTP with a per-test state, and a guard that
fails any test leaving a thread, an active QTimer or a top-level widget behind."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture(autouse=True)
def no_leaks(request, qapp, monkeypatch):
    """Runs its checks after every other fixture of the test has been torn down."""
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    threads_before = set(threading.enumerate())
    widgets_before = {id(w) for w in QApplication.topLevelWidgets()}
    started: list = []
    base_start = QTimer.start

    def tracking_start(self, *args):
        started.append(self)
        return base_start(self, *args)

    monkeypatch.setattr(QTimer, "start", tracking_start)
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    problems = []
    threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    for t in threads:
        t.join(5)  # a thread that is just finishing gets its chance; a stuck one fails the test
    threads = [t.name for t in threads if t.is_alive()]
    if threads:
        problems.append(f"threads still running: {threads}")
    active = []
    for timer in started:
        try:
            if timer.isActive():
                active.append(timer.objectName() or repr(timer))
        except RuntimeError:  # the C++ object is gone: not a leak
            continue
    if active:
        problems.append(f"timers still active: {active}")
    widgets = [w for w in QApplication.topLevelWidgets() if id(w) not in widgets_before and w.isVisible()]
    if widgets:
        problems.append(f"top-level widgets still open: {[type(w).__name__ for w in widgets]}")
    for w in widgets:
        w.close()
    if problems:
        pytest.fail("; ".join(problems))


@pytest.fixture
def demo_store(tmp_path):
    """A Genstore sandbox on 127.0.0.1 with the demo catalogue and a throwaway state file."""
    from desktop_app.app import DemoStore

    store = DemoStore(state_dir=tmp_path / "demo-state")
    yield store
    store.stop()


@pytest.fixture
def workspace(demo_store):
    ws = demo_store.workspace()
    yield ws
    ws.close()


class DialogRecorder:
    """Stands in for every modal message box; an error nobody looked at fails the test."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []   # (kind, title, text)
        self.answer = True
        self.seen = 0

    def errors(self) -> list[str]:
        self.seen = len(self.shown)
        return [text for kind, _, text in self.shown if kind == "error"]

    def texts(self) -> list[str]:
        self.seen = len(self.shown)
        return [text for _, _, text in self.shown]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    from desktop_app.gui.errors import Dialogs

    rec = DialogRecorder()

    def record(kind):
        def show(cls, parent, *, title, text, **_):
            rec.shown.append((kind, title, text))
            return rec.answer
        return classmethod(show)

    for kind in ("error", "info", "ask"):
        monkeypatch.setattr(Dialogs, kind, record(kind))
    yield rec
    unexpected = [t for k, _, t in rec.shown[rec.seen:] if k == "error"]
    if unexpected:
        pytest.fail(f"unexpected error dialog(s): {unexpected}")


@pytest.fixture
def window(qtbot, workspace, demo_store):
    """The real main window on the demo store; its background runner is stopped afterwards."""
    from desktop_app.app import build_window
    w = build_window(workspace, demo=demo_store)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.runner.cancel()
    w.runner.wait()


@pytest.fixture
def sheet(tmp_path) -> Path:
    """A copy of the CSV sample (reports are written next to it, never into resources/)."""
    import shutil
    target = tmp_path / "count.csv"
    shutil.copy(SAMPLES / "demo-long.csv", target)
    return target


@pytest.fixture
def open_window(qtbot):
    """``open_window(state_dir, latency_ms=0)``: the real window on a demo store of its own (slow
    when asked, so a run can be stopped part-way), closed with its store afterwards."""
    from desktop_app.app import DemoStore, build_window
    opened = []

    def make(state_dir: Path, *, latency_ms: float = 0.0):
        store = DemoStore(state_dir=state_dir, latency_ms=latency_ms)
        ws = store.workspace()
        w = build_window(ws, demo=store)
        qtbot.addWidget(w)
        w.show()
        opened.append((w, ws, store))
        return w

    yield make
    for w, ws, store in opened:
        w.runner.cancel()
        w.runner.wait()
        w.close()
        ws.close()
        store.stop()


def write_csv(path: Path, rows: list[list]) -> Path:
    """A CSV written by the csv module (the first row is usually the header)."""
    import csv
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path
