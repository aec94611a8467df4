"""What support needs to know: the versions, the folders, the store, the log's last lines — as
plain text, scrubbed of secrets. Help ▸ About ("Copy details") and Help ▸ "Report a problem…"
show it; the user reads it before copying it anywhere. No Qt here: the window passes its
toolkit's versions in.

Scrubbing (``scrub``) is the log's own redaction (``core.redaction.redact``: every secret this
process read or sent, by value) plus the credentials a store URL can carry
(``https://user:secret@shop…``, refused as a store URL but quotable in a message). It runs over the
whole report, not only the log tail: a report is written for someone else to read.
"""
from __future__ import annotations

import platform as _platform
import re
import sys
from pathlib import Path
from typing import Iterable, Sequence

from desktop_app import __version__
from desktop_app.core.redaction import redact
from desktop_app.engine.paths import home, logs_dir

__all__ = ["details", "details_text", "log_tail", "problem_report", "scrub", "LOG_TAIL_LINES"]

#: how much of the log a problem report carries
LOG_TAIL_LINES = 200

# scheme://user:password@host or scheme://token@host — everything between :// and @ goes
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"'<>]+@")


def scrub(text: str) -> str:
    """``text`` without tokens, passwords and URL credentials (each replaced by ``***``)."""
    return _URL_CREDENTIALS.sub(r"\1***@", redact(text))


def details(*, platforms: Sequence[str] = (), store: object | None = None,
            toolkit: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(label, value) pairs, in the order About shows them.

    ``store`` is an ``engine.workspace.StoreInfo`` (its name, platform and URL are shown);
    ``toolkit`` adds the window's own versions, e.g. ``[("Qt", "6.11.3")]``."""
    frozen = getattr(sys, "frozen", False)
    rows = [
        ("Stocksheet", __version__),
        ("Python", f"{_platform.python_version()} ({_platform.python_implementation()})"),
        *toolkit,
        ("System", _platform.platform()),
        ("Installed as", f"desktop bundle ({Path(sys.executable).parent})" if frozen
         else f"Python package ({Path(__file__).resolve().parents[1]})"),
        ("Platforms", ", ".join(p.capitalize() for p in platforms) or "none"),
    ]
    if store is not None:
        rows.append(("Store", f"{getattr(store, 'name', '')} — {getattr(store, 'platform', '')} at "
                              f"{getattr(store, 'url', '')}"))
    rows += [("Data folder", str(home())), ("Log folder", str(logs_dir()))]
    return rows


def details_text(rows: Sequence[tuple[str, str]]) -> str:
    """The pairs as aligned ``Label: value`` lines, scrubbed."""
    width = max((len(label) for label, _ in rows), default=0) + 1
    return scrub("\n".join(f"{label + ':':<{width}} {value}" for label, value in rows))


def log_tail(lines: int = LOG_TAIL_LINES, *, path: Path | None = None) -> str:
    """The last ``lines`` lines of the log (from the rotated file before it when the current one
    is shorter), or a sentence saying there is no log yet."""
    path = path or logs_dir() / "stocksheet.log"
    chunks: list[str] = []
    for candidate in (path, path.with_name(path.name + ".1")):
        if len(chunks) >= lines:
            break
        try:
            chunks = candidate.read_text(encoding="utf-8", errors="replace").splitlines() + chunks
        except FileNotFoundError:
            break
        except OSError as exc:
            chunks.insert(0, f"(could not read {candidate}: {exc.strerror or exc})")
            break
    if not chunks:
        return f"(no log yet at {path})"
    return "\n".join(chunks[-lines:])


def problem_report(rows: Sequence[tuple[str, str]], *, lines: int = LOG_TAIL_LINES,
                   log_path: Path | None = None) -> str:
    """The text Help ▸ "Report a problem…" shows: a place for the user's own words, the
    details, and the log's last lines — all scrubbed."""
    return scrub("\n".join([
        "What I did, what I expected, and what happened instead:",
        "",
        "",
        "--- Stocksheet details ---",
        details_text(rows),
        "",
        f"--- The end of the log (at most {lines} lines) ---",
        log_tail(lines, path=log_path),
        "",
    ]))
