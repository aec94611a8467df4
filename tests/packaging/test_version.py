"""One version, pyproject.toml's, everywhere it is shown."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import desktop_app

REPO = Path(__file__).resolve().parents[2]


def pyproject_version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_package_version_is_the_pyproject_version():
    assert desktop_app.__version__ == pyproject_version()


def test_stocksheet_version_prints_it_in_a_real_process():
    done = subprocess.run([sys.executable, "-m", "desktop_app", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, f"stocksheet {pyproject_version()}")
