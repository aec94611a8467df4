"""The one error tree of Stocksheet. Row problems are *data* (core.issues.RowIssue), not these.

    StocksheetError                 anything we raise on purpose; str() is a user-facing sentence
    ├── InputError                  the file or options can't be used (CLI exit 2)
    │   ├── SheetReadError          unreadable/unsupported file, no recognisable header
    │   │   └── HeaderNotFoundError no row of the top looks like a header (``first_row``: the top row)
    │   └── MappingError            required column missing, bad --map
    ├── PlatformError               talking to the store failed (CLI exit 3)
    │   ├── AuthError               token refused (401/403)
    │   ├── UnreachableError        connection refused / DNS / TLS / timeouts exhausted
    │   ├── RateLimitedError        429 and retries exhausted
    │   ├── AmbiguousWriteError     sent, but no answer: the outcome is unknown
    │   └── ProtocolError           the platform answered something we don't understand
    └── CancelledError              the user cancelled; the run is resumable
"""
from __future__ import annotations


class StocksheetError(Exception):
    """Base class; the message is a complete sentence for a user, with what to do."""


class InputError(StocksheetError):
    pass


class SheetReadError(InputError):
    pass


class HeaderNotFoundError(SheetReadError):
    def __init__(self, message: str, *, first_row: int, table_like: bool = False) -> None:
        super().__init__(message)
        self.first_row = first_row
        #: the top looks like a table (several filled columns, more than one row): worth mapping by hand
        self.table_like = table_like


class MappingError(InputError):
    pass


class PlatformError(StocksheetError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(PlatformError):
    pass


class UnreachableError(PlatformError):
    pass


class RateLimitedError(PlatformError):
    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class AmbiguousWriteError(PlatformError):
    pass


class ProtocolError(PlatformError):
    pass


class CancelledError(StocksheetError):
    pass
