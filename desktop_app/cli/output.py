"""How results read on a terminal: the summary, the table of rows."""
from __future__ import annotations

from desktop_app.cli.common import out


def print_summary(result) -> None:
    for notice in result.notices:
        out(f"Note: {notice}")
    verb = "would change" if result.dry_run else "changed"
    out(f"{result.rows:,} rows: {result.valid:,} valid, {result.invalid:,} invalid")
    out(f"{result.changes:,} levels {verb}, {result.unchanged:,} unchanged, {result.stale:,} stale"
        + ("" if result.dry_run else f"; {result.applied:,} applied (each read back at its target), "
           f"{result.failed:,} failed" + (f", {result.unverified:,} unverified" if result.unverified else ""))
        + f" ({result.requests:,} requests)")
    if result.cancelled:
        out("The run stopped before finishing; what was not applied is listed in the report.")
    if result.unverified:
        out(f"{result.unverified:,} written levels could not be read back to check them; "
            f"`stocksheet resume {result.run_id}` reads them again.")
    if result.report:
        out(f"Error report: {result.report} (fix the rows and import it again)")
