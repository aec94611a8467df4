"""The exit statuses of ``stocksheet`` — one table, stable: automation depends on it.

Every command returns one of these; ``code_for`` maps an exception that escaped a command to its
status (the error tree is drawn in ``core.errors``). README's "Exit status" table mirrors ``EXITS``.
"""
from __future__ import annotations

from desktop_app.core.errors import CancelledError, InputError, PlatformError, StocksheetError

EXIT_OK = 0          # everything applied or unchanged (a dry run: nothing wrong)
EXIT_ROWS = 1        # finished, but some rows were invalid, failed, stale or unverified (the report lists them)
EXIT_USAGE = 2       # bad usage or unreadable input; nothing was written
EXIT_PLATFORM = 3    # store unreachable, token refused, another run holds the store, or the run was cancelled
EXIT_INTERNAL = 4    # a bug in Stocksheet: the message names the log file; a journalled run can be resumed

EXITS: dict[int, str] = {
    EXIT_OK: "everything applied or unchanged (a dry run: nothing wrong)",
    EXIT_ROWS: "finished, but some rows were invalid, failed, stale or unverified — the report lists them",
    EXIT_USAGE: "bad usage or unreadable input (missing file, bad option, no token, plain-http URL); nothing written",
    EXIT_PLATFORM: "store unreachable, token refused, store busy with another run, or the run was cancelled/stopped "
                   "(resumable)",
    EXIT_INTERNAL: "internal error (a bug): the message names the log; a journalled run can be resumed",
}


def code_for(exc: BaseException) -> int:
    """The exit status of an exception that ended a command."""
    from desktop_app.engine.journal import JournalError
    from desktop_app.engine.store_lock import StoreBusyError
    if isinstance(exc, (StoreBusyError, JournalError)):   # another run holds the store; the journal cannot record
        return EXIT_PLATFORM
    if isinstance(exc, InputError):
        return EXIT_USAGE
    if isinstance(exc, (PlatformError, CancelledError)):
        return EXIT_PLATFORM
    if isinstance(exc, StocksheetError):
        return EXIT_USAGE
    return EXIT_INTERNAL


def epilog() -> str:
    """The table, for ``--help``."""
    return "exit status:\n" + "\n".join(f"  {code}  {text}" for code, text in EXITS.items())
