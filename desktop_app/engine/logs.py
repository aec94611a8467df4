"""Logging to a rotating file under STOCKSHEET_HOME/logs, with every known secret masked by value.

Every line goes through ``core.redaction.redact`` once it is formatted, traceback included: the
tokens, API keys and passwords Stocksheet read or sent are masked wherever they appear, not
only after a word like ``Bearer``.

The log never stops a command: when its folder cannot be written (a read-only or missing
``STOCKSHEET_HOME``) or a write fails (a full disk), logging goes to standard error instead,
announced by one sentence saying why and what to do, and read-only commands (``history``,
``export``) carry on.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys

from desktop_app.core.redaction import redact, remember
from desktop_app.engine.paths import HomeError, describe_os_error, logs_dir

#: what ``setup_logging`` returns when the log goes to standard error
STDERR = "standard error"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


#: ``log.error(message, extra=SHOWN)``: the message is printed to the user already; a log on
#: standard error leaves it out rather than say it twice
SHOWN = {"shown_to_user": True}


def _stderr_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(lambda record: not getattr(record, "shown_to_user", False))
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler._stocksheet = True  # type: ignore[attr-defined]
    return handler


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file; when a write fails it says so once and carries on to standard error."""

    _fallback: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._fallback is not None:
            self._fallback.handle(record)
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:   # noqa: N802 (logging's name)
        exc = sys.exc_info()[1]
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        print(f"stocksheet: could not write the log file {self.baseFilename} ({reason}); logging to standard "
              "error from now on. Free some space or set STOCKSHEET_HOME to a writable folder.", file=sys.stderr)
        self._fallback = _stderr_handler()
        self._fallback.handle(record)


def setup_logging(level: int = logging.INFO) -> str:
    """Log to STOCKSHEET_HOME/logs/stocksheet.log (or, when that cannot be written, to standard
    error); idempotent, and follows a moved STOCKSHEET_HOME. Returns the log file's path or
    ``STDERR``."""
    remember(*((os.environ.get(v) or "").strip() for v in ("STOCKSHEET_TOKEN", "STOCKSHEET_BASIC_PASSWORD")))
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_stocksheet", False)]
    try:
        path = str(logs_dir() / "stocksheet.log")
        if any(getattr(h, "baseFilename", None) == path for h in ours):
            return path
        handler: logging.Handler = _LogFile(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(RedactingFormatter(_FORMAT))
        handler._stocksheet = True  # type: ignore[attr-defined]
        where = path
    except (HomeError, OSError) as exc:
        if any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) for h in ours):
            return STDERR
        folder, reason = (exc.path, exc.reason) if isinstance(exc, HomeError) else (exc.filename, describe_os_error(exc))
        print(f"stocksheet: cannot keep a log file in {folder} ({reason}); logging to standard error instead. "
              "Set STOCKSHEET_HOME to a writable folder to keep one.", file=sys.stderr)
        handler, where = _stderr_handler(), STDERR
    for h in ours:
        root.removeHandler(h)
        h.close()
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return where
