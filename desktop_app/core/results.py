"""Run results as data: every sheet row ends applied, unchanged, stale, failed, invalid, skipped
or unverified.

*Applied* means verified: a read of the store showed the row's target after the write
(``engine.verify``). A write the store accepted but whose level could not be read back is
*unverified*, never applied; a read that shows another level is *failed* (``verify-mismatch``).

``RowOutcome`` is per StockRow (a wide sheet row has one per location column); ``sheet_status``
folds them back onto the sheet's own rows for the error report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    STALE = "stale"
    FAILED = "failed"
    INVALID = "invalid"
    PENDING = "pending"        # planned, not (yet) sent: dry run, cancel, abort
    SKIPPED = "skipped"        # blank target (Shopify "On hand (new)" left empty)
    UNVERIFIED = "unverified"  # written, accepted, but its level could not be read back: resume checks it


#: worst first: the status a multi-cell sheet row reports
SEVERITY = [Status.INVALID, Status.FAILED, Status.UNVERIFIED, Status.STALE, Status.PENDING, Status.APPLIED, Status.UNCHANGED, Status.SKIPPED]


@dataclass(slots=True)
class RowOutcome:
    row: int
    status: Status
    column: str | None = None
    code: str = ""
    message: str = ""
    hint: str = ""
    variant_id: str | None = None
    location_id: str | None = None
    before: object = None
    after: object = None
    sku: str | None = None          # as the user knows the variant (SKU, else barcode or id), for tables
    location: str | None = None     # the store location's name

    def as_json(self) -> dict[str, object]:
        return {k: (str(v) if isinstance(v, Status) else v) for k, v in
                ((f, getattr(self, f)) for f in self.__slots__)}


@dataclass(slots=True)
class RunResult:
    rows: int = 0               # data rows in the sheet
    valid: int = 0              # sheet rows with no invalid cell
    invalid: int = 0
    unchanged: int = 0          # changes (levels) whose target equals live
    changes: int = 0            # levels to write (increase/decrease/bind)
    applied: int = 0            # written and read back at the target (verified)
    unverified: int = 0         # written, but the read-back failed
    failed: int = 0
    stale: int = 0
    requests: int = 0           # write requests planned (dry run) or sent
    verify_requests: int = 0    # of those, the reads made only to verify what was written
    report: str | None = None
    report_error: str | None = None  # the error report could not be saved: why, and what to do
    run_id: str | None = None
    dry_run: bool = False
    cancelled: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)   # what the user should know (read-only token, …)
    #: guards the plan tripped (``engine.guards``), as JSON objects: nothing was written
    guards: list[dict[str, object]] = field(default_factory=list)
    reading: dict[str, object] | None = None    # how the sheet was read (engine.reading), for an import
    estimate: dict[str, object] | None = None   # a dry run: requests and seconds the real import needs
    encoding: str | None = None  # how a text sheet was decoded (None: a workbook)
    no_data_rows: bool = False   # the sheet had a header and nothing below it (a truncated feed?)

    def exit_code(self) -> int:
        """CLI contract: 0 all applied/unchanged, 1 some rows invalid/failed/stale or no data rows at
        all, 3 aborted."""
        if self.cancelled:
            return 3
        return 1 if (self.invalid or self.failed or self.stale or self.unverified or self.no_data_rows
                     or self.guards) else 0

    @property
    def verified(self) -> int:
        """Levels read back at their target: every applied one, by definition."""
        return self.applied

    def summary(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in (
            "rows", "valid", "invalid", "unchanged", "changes", "applied", "verified", "unverified", "failed",
            "stale", "requests", "report", "report_error", "run_id", "dry_run", "cancelled", "notices", "encoding",
            "no_data_rows", "guards")}


def sheet_status(outcomes: list[RowOutcome]) -> dict[int, list[RowOutcome]]:
    """Group outcomes by sheet row, worst first within each row."""
    rank = {s: i for i, s in enumerate(SEVERITY)}
    by_row: dict[int, list[RowOutcome]] = {}
    for o in outcomes:
        by_row.setdefault(o.row, []).append(o)
    for lst in by_row.values():
        lst.sort(key=lambda o: rank[o.status])
    return by_row
