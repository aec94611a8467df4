"""Cold start-up of the desktop bundle to a shown window, against baselines from the same run.

    make package && .venv/bin/python bench/startup.py [--bundle dist/Stocksheet] [--launches 5] [--tarball]

Each launch is a new process with a new, empty STOCKSHEET_HOME (a first launch: the demo store is
seeded, settings and logs created), on an Xvfb server this script starts. The clock runs from just
before the process is spawned until the X server reports a viewable top-level window with the
process's id (``_NET_WM_PID``, polled through libX11 every 2 ms); then the process is ended. Measured, in turn:

* ``bare Qt``   — the dev venv's Python showing an empty QWidget: the floor for any PySide6 window;
* ``source``    — ``python -m desktop_app`` from the dev venv: the same program, not frozen;
* ``bundle``    — the frozen ``Stocksheet`` from ``make package``.

It prints the median and the worst launch of each, the bundle's ratios to the two baselines, and the
bundle's size on disk (``--tarball``: also as a ``.tar.gz``). The file cache is warm after the
first launch (dropping it needs root and slows every other process on the machine); the first
launch of each is reported on its own as the coldest one.
"""
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BARE_QT = ("from PySide6.QtWidgets import QApplication, QWidget\n"
           "app = QApplication([]); w = QWidget(); w.setWindowTitle('bare Qt'); w.resize(780, 540); w.show()\n"
           "app.exec()\n")


class XWindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", ctypes.c_ulong), ("class_", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
                ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


IS_VIEWABLE = 2
XA_CARDINAL = 6


class XServer:
    """An Xvfb of our own and a libX11 connection to ask it which windows are viewable."""

    def __init__(self) -> None:
        if not shutil.which("Xvfb"):
            raise SystemExit("bench/startup.py needs Xvfb (apt-get install xvfb; see DEVELOPERS.md)")
        read, write = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten",
                                      "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            self.display = ":" + f.readline().strip()
        self.x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                                      ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                                      ctypes.POINTER(ctypes.c_uint)]
        self.x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.x.XInternAtom.restype = ctypes.c_ulong
        self.x.XGetWindowProperty.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
            ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
        self.x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XWindowAttributes)]
        self.x.XFree.argtypes = [ctypes.c_void_p]
        self.x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.dpy = self.x.XOpenDisplay(self.display.encode())
        if not self.dpy:
            raise SystemExit(f"bench/startup.py: cannot open the Xvfb display {self.display}")
        self.root = self.x.XDefaultRootWindow(self.dpy)
        self.net_wm_pid = self.x.XInternAtom(self.dpy, b"_NET_WM_PID", 0)

    def _pid_of(self, window: int) -> int | None:
        kind, fmt, n, after = ctypes.c_ulong(), ctypes.c_int(), ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.c_void_p()
        status = self.x.XGetWindowProperty(self.dpy, window, self.net_wm_pid, 0, 1, 0, XA_CARDINAL,
                                           ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(n),
                                           ctypes.byref(after), ctypes.byref(data))
        if status != 0 or not data.value:
            return None
        try:
            return ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))[0] if n.value else None
        finally:
            self.x.XFree(data)

    def viewable_pids(self) -> set[int]:
        """The processes owning a viewable top-level window (by the _NET_WM_PID Qt sets)."""
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        self.x.XSync(self.dpy, 0)
        if not self.x.XQueryTree(self.dpy, self.root, ctypes.byref(root), ctypes.byref(parent),
                                 ctypes.byref(children), ctypes.byref(count)):
            return set()
        pids = set()
        try:
            for i in range(count.value):
                attrs = XWindowAttributes()
                if self.x.XGetWindowAttributes(self.dpy, children[i], ctypes.byref(attrs)) and \
                        attrs.map_state == IS_VIEWABLE and attrs.width > 1:
                    pid = self._pid_of(children[i])
                    if pid:
                        pids.add(pid)
        finally:
            if children:
                self.x.XFree(children)
        return pids

    def close(self) -> None:
        self.x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.x.XCloseDisplay(self.dpy)
        self.proc.terminate()
        self.proc.wait(timeout=10)


def launch(server: XServer, command: list[str], *, timeout: float = 120.0) -> float:
    """Seconds from spawning ``command`` to a viewable window of that process (then the process is ended)."""
    with tempfile.TemporaryDirectory(prefix="startup-home-") as home:
        env = {**os.environ, "DISPLAY": server.display, "QT_QPA_PLATFORM": "xcb", "STOCKSHEET_HOME": home}
        env.pop("WAYLAND_DISPLAY", None)
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while True:
                elapsed = time.perf_counter() - start
                if proc.pid in server.viewable_pids():
                    return elapsed
                if proc.poll() is not None:
                    raise SystemExit(f"{command[0]} exited ({proc.returncode}) before showing a window:\n"
                                     f"{proc.stderr.read().decode(errors='replace')[-2000:]}")
                if elapsed > timeout:
                    raise SystemExit(f"{command[0]}: no window shown after {timeout:.0f} s")
                time.sleep(0.002)   # a benchmark's poll interval, not a test waiting on a condition
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def tarball_size(folder: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"{folder.name}.tar.gz"
        with tarfile.open(target, "w:gz") as tar:
            tar.add(folder, arcname=folder.name)
        return target.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "Stocksheet",
                        help="the one-folder bundle (default: dist/Stocksheet from `make package`)")
    parser.add_argument("--launches", type=int, default=5, help="launches of each program (default 5)")
    parser.add_argument("--tarball", action="store_true", help="also pack the bundle as .tar.gz and report its size")
    args = parser.parse_args()
    exe = args.bundle / "Stocksheet"
    if not exe.is_file():
        raise SystemExit(f"No bundle at {args.bundle}: run `make package` first (or pass --bundle).")
    programs = {
        "bare Qt": [sys.executable, "-c", BARE_QT],
        "source": [sys.executable, "-m", "desktop_app"],
        "bundle": [str(exe)],
    }
    server = XServer()
    times: dict[str, list[float]] = {name: [] for name in programs}
    try:
        for _ in range(args.launches):          # interleaved, so a busy moment hits all three alike
            for name, command in programs.items():
                times[name].append(launch(server, command))
    finally:
        server.close()

    print(f"Start-up to a shown window, {args.launches} launches each, fresh STOCKSHEET_HOME per launch, "
          f"Xvfb {server.display}:")
    print(f"{'':10} {'first':>8} {'median':>8} {'worst':>8}")
    for name, ts in times.items():
        print(f"{name:10} {ts[0]:7.2f}s {statistics.median(ts):7.2f}s {max(ts):7.2f}s")
    bundle, bare, source = (statistics.median(times[n]) for n in ("bundle", "bare Qt", "source"))
    print(f"bundle ÷ bare Qt: {bundle / bare:.2f}×   bundle ÷ source: {bundle / source:.2f}×")
    size, count = folder_size(args.bundle)
    line = f"Bundle size: {size / 1e6:.0f} MB on disk ({size:,} bytes, {count} files)"
    if args.tarball:
        line += f", {tarball_size(args.bundle) / 1e6:.0f} MB as .tar.gz"
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
