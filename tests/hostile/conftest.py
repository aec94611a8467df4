"""The hostile corpus: each case is built by ``generators.py``, read in a child process under a
memory limit and a deadline (``child.py``), and counted for the figures the suite prints at its
end: inputs tried, handled cleanly, the slowest and the largest."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))  # the test modules import ``generators`` (pytest runs with --import-mode=importlib)
from generators import GOAL_MB  # noqa: E402
#: the child's address-space limit: the goal is under 1.5 GB resident, virtual memory runs higher
MEMORY_LIMIT = 2 << 30
#: a child still running after this long is hung (the goal is well under 30 s)
DEADLINE = 120


@dataclass
class Figure:
    case: str
    clean: bool
    seconds: float
    peak_mb: float


FIGURES: list[Figure] = []


def run_child(path: Path, case: str) -> dict:
    """Read ``path`` in a child process; its JSON answer. Fails on a crash, traceback or hang."""
    proc = subprocess.Popen([sys.executable, str(HERE / "child.py"), str(path), str(MEMORY_LIMIT)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        FIGURES.append(Figure(case, False, DEADLINE, 0.0))
        pytest.fail(f"{case}: still reading after {DEADLINE} s (a hang)")
    if proc.returncode != 0 or "Traceback" in err:
        FIGURES.append(Figure(case, False, 0.0, 0.0))
        pytest.fail(f"{case}: the reader died (exit {proc.returncode}):\n{err[-3000:]}")
    answer = json.loads(out.strip().splitlines()[-1])
    FIGURES.append(Figure(case, answer["peak_mb"] < GOAL_MB, answer["seconds"], answer["peak_mb"]))
    return answer


@pytest.fixture
def hostile(tmp_path):
    return lambda case: run_child(case.build(tmp_path), case.name)


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    clean = [f for f in FIGURES if f.clean]
    slowest = max(FIGURES, key=lambda f: f.seconds)
    largest = max(FIGURES, key=lambda f: f.peak_mb)
    terminalreporter.write_sep("-", "hostile inputs")
    terminalreporter.write_line(
        f"{len(FIGURES)} hostile inputs tried, {len(clean)} handled cleanly; slowest {slowest.seconds:.1f} s "
        f"({slowest.case}), largest {largest.peak_mb:,.0f} MB ({largest.case}); under a {MEMORY_LIMIT >> 20:,} MB "
        f"address-space limit and a {DEADLINE} s deadline each (goals: all, < 30 s, < 1.5 GB)")
