"""The pure pipeline end to end on a Shopify export: map → extract → resolve → diff → plan."""
from __future__ import annotations

from desktop_app.core import issues
from desktop_app.core.diff import diff
from desktop_app.core.mapping import detect_mapping
from desktop_app.core.models import Kind
from desktop_app.core.plan import make_plan
from desktop_app.core.resolve import resolve
from desktop_app.core.rows import extract_rows

HEADERS = ("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,"
           "HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),"
           "Committed (not editable),Available (not editable),On hand (current),On hand (new)").split(",")


def shopify_row(sku, location, current, new):
    return ["tee", "Tee", "Size", "S", None, None, None, None, sku, None, None, location, None, 0, 0, 0, current,
            current, new]


def test_shopify_export_edited_in_a_spreadsheet_becomes_a_plan_with_every_row_accounted_for(sheet, catalog, caps):
    s = sheet(HEADERS, [
        shopify_row("TS-RED-S", "Main Warehouse", 5, 8),       # 2: increase
        shopify_row("TS-RED-M", "Main Warehouse", 5, None),    # 3: blank target → skipped
        shopify_row("TS-RED-M", "Berlin Store", 2, 2),         # 4: unchanged
        shopify_row("TS-BLUE-S", "Main Warehouse", 7, 1),      # 5: stale (live is 6)
        shopify_row("TS-RED-L", "Main Warehouse", 0, 3),       # 6: not in the store
        shopify_row("TS-BLUE-S", "Lyon", "not stocked", 4),    # 7: bind
        shopify_row("TS-RED-S", "Lyon", 1, "2,5"),             # 8: not a whole number
    ])
    mapping = detect_mapping(s.headers, location_names=[loc.name for loc in catalog.locations])
    rows, found, skipped = extract_rows(s, mapping)
    targets, resolve_issues = resolve(rows, catalog)
    live = {("1001", "loc-1"): 5, ("1002", "loc-1"): 5, ("1002", "loc-2"): 2, ("1003", "loc-1"): 6}
    changes, diff_issues = diff(targets, live, caps(max_chunk=2))
    plan = make_plan(changes, caps(max_chunk=2))

    assert skipped == [3]
    assert [(i.row, i.code) for i in found + resolve_issues + diff_issues] == [
        (8, issues.QTY_NOT_INTEGER), (6, issues.VARIANT_NOT_FOUND)]
    assert [(c.row, c.kind) for c in changes] == [
        (2, Kind.INCREASE), (4, Kind.UNCHANGED), (5, Kind.STALE), (7, Kind.BIND)]
    assert [[c.row for c in ch.changes] for ch in plan.chunks] == [[2, 7]]
    assert [c.row for c in plan.stale] == [5] and [c.row for c in plan.unchanged] == [4]
    accounted = {3} | {i.row for i in found + resolve_issues} | {c.row for c in changes}
    assert accounted == {r for r, _ in s.rows}
