"""`make package` from a clean copy of the repository builds a bundle that works: the frozen
program's --version, a dry run against the frozen sandbox, the window offscreen, the desktop files.

The build runs once per session (a fresh .venv-package and PyInstaller, ~40 s on the 2-core CI machine;
see DEVELOPERS.md), in the default suite. "Clean" means the files git tracks, as they are in the
working tree — a file the bundle needs but nobody added to git fails here as it would in CI.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP_ID = "org.stocksheet.Stocksheet"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="builds and runs the Linux bundle; on Windows and macOS build it by hand "
                                       "(README: The desktop app)")


def clean_copy(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode("utf-8").split("\0")):
        source = REPO / name
        if source.is_file():   # a tracked file deleted in the working tree is not in the copy either
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def plain_env(**extra: str) -> dict[str, str]:
    """The environment without the test venv's traces (the bundle and the build bring their own)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return {**env, **extra}


@pytest.fixture(scope="session")
def bundle(tmp_path_factory):
    checkout = clean_copy(tmp_path_factory.mktemp("clean-checkout"))
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["make", "package", f"DIST={dist}"], cwd=checkout, env=plain_env(), capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, f"make package failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert f"Bundle: {dist}/Stocksheet" in done.stdout
    yield dist / "Stocksheet"
    shutil.rmtree(checkout, ignore_errors=True)   # ~0.7 GB of venv and build
    shutil.rmtree(dist, ignore_errors=True)


@pytest.fixture
def frozen_env(tmp_path):
    return plain_env(STOCKSHEET_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")


def frozen(bundle: Path, *args: str, env: dict[str, str], exe: str = "stocksheet-cli") -> subprocess.CompletedProcess:
    return subprocess.run([str(bundle / exe), *args], env=env, capture_output=True, text=True, timeout=180)


def version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_both_frozen_executables_print_the_pyproject_version(bundle, frozen_env):
    for exe in ("Stocksheet", "stocksheet-cli"):
        done = frozen(bundle, "--version", env=frozen_env, exe=exe)
        assert (done.returncode, done.stdout.strip()) == (0, f"stocksheet {version()}"), done.stderr


def test_a_frozen_dry_run_against_the_frozen_sandbox_plans_changes_and_writes_nothing(bundle, frozen_env, tmp_path):
    sheet = tmp_path / "demo-long.csv"
    shutil.copy(bundle / "_internal" / "resources" / "samples" / "demo-long.csv", sheet)
    server = subprocess.Popen([str(bundle / "stocksheet-cli"), "sandbox", "--platform", "genstore",
                               "--state", str(tmp_path / "store.sqlite3")],
                              stdout=subprocess.PIPE, text=True, env=frozen_env)
    try:
        first = json.loads(server.stdout.readline())
        env = {**frozen_env, "STOCKSHEET_TOKEN": first["token"]}
        store = ["--platform", "genstore", "--url", first["url"]]
        assert frozen(bundle, "export", *store, "-o", str(tmp_path / "before.csv"), env=env).returncode == 0
        done = frozen(bundle, "import", str(sheet), *store, "--dry-run", "--json", env=env)
        assert frozen(bundle, "export", *store, "-o", str(tmp_path / "after.csv"), env=env).returncode == 0
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    result = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr          # the sample has invalid rows on purpose
    assert result["dry_run"] is True and result["changes"] > 0 and result["invalid"] > 0 and result["applied"] == 0
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()


def test_the_frozen_window_opens_offscreen_on_a_bundled_sample_and_saves_a_screenshot(bundle, frozen_env, tmp_path,
                                                                                     qapp):
    from PySide6.QtGui import QImage
    shot = tmp_path / "window.png"
    done = frozen(bundle, "--screenshot", str(shot), env=frozen_env, exe="Stocksheet")
    assert done.returncode == 0 and f"Screenshot saved to {shot}" in done.stdout, done.stdout + done.stderr
    image = QImage(str(shot))
    assert image.width() >= 780 and image.height() >= 540            # the window's minimum size
    assert len({image.pixel(x, y) for x in range(0, image.width(), 10) for y in range(0, image.height(), 10)}) > 20
    # the sample it showed is the bundle's own copy, found through desktop_app.assets
    from desktop_app.gui.settings import Settings
    home = Path(frozen_env["STOCKSHEET_HOME"])
    assert Settings(home / "settings.ini").recent_files() == \
        [str(bundle / "_internal" / "resources" / "samples" / "demo-long.xlsx")]
    assert "Traceback" not in (home / "logs" / "stocksheet.log").read_text(encoding="utf-8")


def test_the_bundle_carries_its_icons_metadata_and_a_linux_install_that_validates(bundle, frozen_env, tmp_path,
                                                                                desktop_file_problems,
                                                                                metainfo_problems):
    inside = bundle / "_internal"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (inside / "resources" / "icons" / f"stocksheet-{size}.png").is_file()
        assert (bundle / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert not list(inside.rglob("make_icons.py")) and not list(inside.rglob("make_samples.py"))

    prefix = tmp_path / "prefix"
    env = {**frozen_env, "PREFIX": str(prefix)}
    done = subprocess.run([str(bundle / "install.sh")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    entry = prefix / "share" / "applications" / f"{APP_ID}.desktop"
    assert desktop_file_problems(entry) == ""
    assert metainfo_problems(prefix / "share" / "metainfo" / f"{APP_ID}.metainfo.xml") == ""
    assert f'Exec="{prefix}/lib/stocksheet/Stocksheet" gui %f' in entry.read_text(encoding="utf-8")
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    installed = subprocess.run([str(prefix / "bin" / "stocksheet"), "--version"], env=frozen_env,
                               capture_output=True, text=True, timeout=60)
    assert installed.stdout.strip() == f"stocksheet {version()}"

    done = subprocess.run([str(prefix / "lib" / "stocksheet" / "install.sh"), "--uninstall"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not entry.exists() and not (prefix / "bin" / "stocksheet").exists()
    assert not list((prefix / "share" / "icons").rglob(f"{APP_ID}.*"))
