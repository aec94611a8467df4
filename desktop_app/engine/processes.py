"""Is a process alive, and is it still the one that was? ``process_start(pid)`` tells when a
process started, as an opaque token, so that a pid the system has since given to another program
does not pass for the process that recorded it; a process gone, or a zombie, is dead.

Linux reads ``/proc/<pid>/stat`` (with the boot id), macOS and the BSDs ask ``ps``, Windows
asks the kernel (never ``os.kill(pid, 0)``, which would end the process there). Used by
``engine.store_lock`` and ``engine.feeds.lock`` to judge whether a lock's holder still runs.

May import: the standard library.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def process_start(pid: int) -> str | None:
    """When process ``pid`` started, as an opaque token; "" if it runs but that cannot be told;
    None if no such process runs (a zombie — killed, not yet reaped — counts as gone)."""
    if pid <= 0:
        return None
    if sys.platform == "win32":
        return _windows_start(pid)
    if Path("/proc/self/stat").exists():
        return _linux_start(pid)
    return _ps_start(pid)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (never signals it: on Windows ``os.kill(pid, 0)`` would end it)."""
    return process_start(pid) is not None


def _linux_start(pid: int) -> str | None:
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return _kill0(pid)
    fields = data[data.rindex(b")") + 2:].split()   # after "pid (comm) ": state is field 3, starttime 22
    if fields[0] in (b"Z", b"X"):
        return None
    return f"{_boot_id()}:{int(fields[19])}"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _ps_start(pid: int) -> str | None:
    """macOS and the BSDs: ``ps`` tells the state and the start time."""
    try:
        out = subprocess.run(["ps", "-o", "stat=", "-o", "lstart=", "-p", str(pid)], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return _kill0(pid)
    line = out.stdout.strip()
    if out.returncode != 0 or not line:
        return _kill0(pid)                           # ps says no such process (or failed): ask the kernel
    state, _, started = line.partition(" ")
    return None if state.startswith("Z") else started.strip()


def _kill0(pid: int) -> str | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        return ""                                    # it exists, owned by someone else
    return ""


def _windows_start(pid: int) -> str | None:
    import ctypes
    from ctypes import wintypes
    kernel32 = getattr(ctypes, "WinDLL")("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    handle = kernel32.OpenProcess(0x1000, False, pid)            # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return "" if ctypes.get_last_error() == 5 else None       # ERROR_ACCESS_DENIED: it exists
    try:
        code = wintypes.DWORD()
        if kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value != 259:   # STILL_ACTIVE
            return None
        times = [wintypes.FILETIME() for _ in range(4)]
        if kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return str(times[0].dwHighDateTime << 32 | times[0].dwLowDateTime)
        return ""
    finally:
        kernel32.CloseHandle(handle)


_OWN_START: dict[int, str] = {}


def own_start() -> str:
    """This process' own ``process_start`` token (looked up once per pid)."""
    pid = os.getpid()                                # per pid: a forked child is another process
    if pid not in _OWN_START:
        _OWN_START[pid] = process_start(pid) or ""
    return _OWN_START[pid]


__all__ = ["process_start", "process_alive", "own_start"]
