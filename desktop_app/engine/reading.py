"""How a sheet was read, and what the real import will cost — said before anything is written.

``describe_reading(preview)`` is a plain dict (the CLI prints it and puts it in ``--json`` as
``reading``; the window can show the same): file, format, sheet, encoding, delimiter, header row,
layout, each column's role and whether it is a guess, repairs of Excel damage, how duplicates are
handled and the location matches used. ``estimate(preview, connector)`` counts the requests the
real import makes — the pre-write reads and the read-back included — and the time the platform's
rate limit gives them.
"""
from __future__ import annotations

import math
from typing import Any

from desktop_app.core.columns import column_letter
from desktop_app.core.mapping import Layout, Role
from desktop_app.engine.prepare import Preview
from desktop_app.platforms.base import Connector

LAYOUTS = {Layout.LONG: "long (a row per variant × location)", Layout.WIDE: "wide (a column per location)",
           Layout.SHOPIFY: "Shopify's inventory export", Layout.MATRIXIFY: "Matrixify's Products sheet"}
DUPLICATES = {"error": "the same variant × location twice makes both rows invalid (--duplicates last|sum to choose)",
              "last": "the same variant × location twice: the last row wins (--duplicates last)",
              "sum": "the same variant × location twice: adjustments are summed (--duplicates sum)"}


def describe_reading(preview: Preview) -> dict[str, Any]:
    sheet, mapping = preview.sheet, preview.mapping
    names = {loc.id: loc.name for loc in preview.catalog.locations}
    columns = []
    for c in sorted(mapping.columns, key=lambda c: c.index):
        if c.role is Role.INFO and c.confidence == 0:
            role = "not used"
        elif c.role in (Role.INFO, Role.IGNORE):
            role = "not used" if c.role is Role.IGNORE else "information"
        else:
            role = c.override()
        columns.append({"column": column_letter(c.index), "header": c.header, "role": role,
                        "confidence": c.confidence, "guess": 0 < c.confidence < 1})
    return {
        "file": sheet.path, "format": sheet.format, "sheet": sheet.sheet_name, "encoding": sheet.encoding,
        "delimiter": sheet.delimiter, "header_row": sheet.header_row, "layout": str(mapping.layout),
        "layout_text": LAYOUTS.get(mapping.layout, str(mapping.layout)), "columns": columns,
        "repairs": [{"row": row, "repair": text} for row, text in preview.repairs],
        "duplicates": DUPLICATES[str(preview.options.duplicates.value)],
        "locations": {sheet_name: names.get(loc_id, loc_id)
                      for sheet_name, loc_id in preview.options.location_aliases.items()},
        "warnings": list(mapping.warnings),
    }


def estimate(preview: Preview, connector: Connector) -> dict[str, Any]:
    """Requests of the real import (writes, the re-read before each group of chunks, the
    read-back) and the seconds the platform's documented rate limit needs for them."""
    from desktop_app.engine.submit import group_size, make_limiter
    caps = preview.capabilities
    plan = preview.plan
    writes = plan.requests
    limiter = make_limiter("default", caps)
    group = group_size(limiter, caps, 2.0)
    groups = math.ceil(len(plan.chunks) / group) if plan.chunks else 0
    per_group = math.ceil(len(plan.changes) / groups) if groups else 0
    cost = getattr(connector, "read_cost", None)
    read_each = (cost(per_group, 1) if cost else per_group) if per_group else 0
    reads = groups * read_each
    verify = read_each if groups else 0      # the read-back rides on the next re-read; the last one is its own
    total = writes + reads + verify
    seconds = max(0.0, (total - caps.rate_burst) / caps.rate_per_second) if caps.rate_per_second else 0.0
    return {"requests": total, "writes": writes, "reads": reads + verify, "seconds": round(seconds, 1),
            "rate": f"{caps.rate_burst} at once, then {caps.rate_per_second:g} a second"}
