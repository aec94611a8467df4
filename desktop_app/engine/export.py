"""Export the store's stock as a long-format sheet that imports back as-is (zero changes)."""
from __future__ import annotations

from pathlib import Path

from desktop_app.core.models import NOT_TRACKED, level_text
from desktop_app.core.progress import Progress, ProgressCallback, no_progress
from desktop_app.engine.retry import patiently
from desktop_app.platforms.base import Connector
from desktop_app.sheets.writer import check_destination, write_table

EXPORT_HEADERS = ["Product", "Variant", "SKU", "Barcode", "Variant ID", "Location", "Available"]


def export_stock(connector: Connector, path: str | Path, *, progress: ProgressCallback = no_progress) -> int:
    """Write every stocked variant × location; returns the number of data rows."""
    check_destination(path)          # a device or FIFO is refused before the store is read
    progress(Progress(stage="export", done=0, total=3, message="Loading locations and variants…"))
    locations = patiently(connector.list_locations)
    variants = patiently(connector.list_variants)
    progress(Progress(stage="export", done=1, total=3, message="Reading live stock…"))
    live = patiently(lambda: connector.read_levels([v.id for v in variants], [loc.id for loc in locations]))
    progress(Progress(stage="export", done=2, total=3, message="Writing the sheet…"))
    rows = []
    for v in variants:
        for loc in locations:
            level = live.get((v.id, loc.id))
            if level is None:
                continue  # not stocked there: leaving the row out keeps it that way on re-import
            rows.append((v.product, v.title, v.sku, v.barcode, v.id, loc.name,
                         level_text(level) if level == NOT_TRACKED else level))
    write_table(path, EXPORT_HEADERS, rows, sheet_name="Stock")
    progress(Progress(stage="export", done=3, total=3, message=f"{len(rows):,} rows written."))
    return len(rows)
