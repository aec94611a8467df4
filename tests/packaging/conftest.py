"""The distributions' own validators, as fixtures: each returns the complaints about a file ('' when
valid). A machine without the validator skips the test with the apt package to install."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {package}; .ci/run installs it)")
    return path


@pytest.fixture
def desktop_file_problems() -> Callable[[Path], str]:
    """desktop-file-validate's errors and warnings (its hints are advice, not problems)."""
    exe = _tool("desktop-file-validate", "desktop-file-utils")

    def problems(path: Path) -> str:
        done = subprocess.run([exe, str(path)], capture_output=True, text=True, timeout=60)
        lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ": hint:" not in ln]
        return "\n".join(lines) + (f"\nexit {done.returncode}" if done.returncode else "")
    return problems


@pytest.fixture
def metainfo_problems() -> Callable[[Path], str]:
    """appstreamcli's errors (E:) and warnings (W:); infos (I:, e.g. a tag newer than this appstream)
    and pedantic notes pass."""
    exe = _tool("appstreamcli", "appstream")

    def problems(path: Path) -> str:
        done = subprocess.run([exe, "validate", "--no-net", "--explain", str(path)], capture_output=True,
                              text=True, timeout=60)
        bad = [ln for ln in done.stdout.splitlines() if re.match(r"^[EW]: ", ln)]
        return "\n".join(bad) + (f"\nexit {done.returncode}: {done.stdout}" if done.returncode else "")
    return problems
