"""Row issues: why a row could not be used, said so a user can fix it.

Every invalid row carries the spreadsheet row number the user sees, the column, a stable
``code`` (documented in README, used by automation), a message and a hint.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowIssue:
    row: int
    column: str | None
    code: str
    message: str
    hint: str = ""

    def text(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


# Stable codes. Add, never rename.
QTY_NOT_INTEGER = "qty-not-integer"
QTY_BLANK = "qty-blank"
QTY_ERROR_CELL = "qty-error-cell"
QTY_AMBIGUOUS = "qty-ambiguous"      # 1.234 in a file that does not say which separator groups thousands
KEY_MISSING = "key-missing"
VARIANT_NOT_FOUND = "variant-not-found"
VARIANT_AMBIGUOUS = "variant-ambiguous"
KEY_EXCEL_DAMAGED = "key-excel-damaged"
LOCATION_MISSING = "location-missing"
LOCATION_NOT_FOUND = "location-not-found"
DUPLICATE = "duplicate"
SEEN_NOT_INTEGER = "seen-not-integer"
UNSUPPORTED = "unsupported"          # the platform cannot do what the row asks
PLATFORM_REJECTED = "platform-rejected"
STALE = "stale"
NOT_APPLIED = "not-applied"          # cancelled or aborted before this row was sent
QTY_CONFLICT = "qty-conflict"        # a row both sets and adjusts the same level
QTY_OUT_OF_RANGE = "qty-out-of-range"  # too large for stock: an id or barcode in the quantity column?
KEY_CONFLICT = "key-conflict"        # the row's SKU and barcode (…) name different variants
LOCATION_AMBIGUOUS = "location-ambiguous"
DUPLICATE_SUPERSEDED = "duplicate-superseded"  # --duplicates last: a later row replaces this one
DUPLICATE_MERGED = "duplicate-merged"          # --duplicates sum: this row's change is added to a later row's
STOCK_NOT_MANAGED = "stock-not-managed"        # the store does not manage stock for the variant (Genstore)
VERIFY_MISMATCH = "verify-mismatch"            # the store accepted the write, but a read shows another level
UNVERIFIED = "unverified"                      # the store accepted the write; its level could not be read back
FOOTER = "footer"                              # a Total/Summe row at the foot of the sheet: skipped
LEVEL_GONE = "level-gone"                      # stocked in the preview, unreadable before the write (deleted?)

#: codes that report a row handled as the user asked (not an invalid row): the row is settled by
#: the row the message names, whose outcome it shares.
NOTICES: frozenset[str] = frozenset({DUPLICATE_SUPERSEDED, DUPLICATE_MERGED, FOOTER})
