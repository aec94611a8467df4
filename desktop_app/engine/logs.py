"""Logging to a rotating file under STOCKSHEET_HOME/logs. Tokens never reach it (see
engine.credentials.redact and the filter below, which masks anything that looks like a header value)."""
from __future__ import annotations

import logging
import logging.handlers
import os
import re

from desktop_app.engine.paths import logs_dir

_SECRET = re.compile(r"(?i)(access[-_]token|authorization|api[-_]key|password|token)([\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)")


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        for var in ("STOCKSHEET_TOKEN", "STOCKSHEET_BASIC_PASSWORD"):
            env = os.environ.get(var)
            for secret in {env, env.strip()} if env and env.strip() else ():
                msg = msg.replace(secret, "***")
        record.msg, record.args = _SECRET.sub(r"\1\2***", msg), None
        return True


def setup_logging(level: int = logging.INFO) -> str:
    """Log to STOCKSHEET_HOME/logs/stocksheet.log; idempotent, and follows a moved STOCKSHEET_HOME."""
    path = str(logs_dir() / "stocksheet.log")
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_stocksheet", False)]:
        if getattr(h, "baseFilename", None) == path:
            return path
        root.removeHandler(h)
        h.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler._stocksheet = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path
