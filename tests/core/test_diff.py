"""Diff: targets against live levels, every Kind, and what a platform can't do."""
from __future__ import annotations

from desktop_app.core import issues
from desktop_app.core.diff import diff
from desktop_app.core.models import Kind, Mode, Target


def target(known, row, quantity, *, mode=Mode.SET, variant=None, location=None, seen=None, column="Qty"):
    return Target(row=row, column=column, variant=variant or known.RED_S, location=location or known.MAIN,
                  mode=mode, quantity=quantity, seen=seen)


def test_set_targets_become_unchanged_increase_decrease_or_bind(known, caps):
    live = {("1001", "loc-1"): 5, ("1002", "loc-1"): 5, ("1003", "loc-1"): 5}
    targets = [target(known, 2, 5), target(known, 3, 8, variant=known.RED_M), target(known, 4, -2, variant=known.BLUE_S),
               target(known, 5, 0, location=known.LYON)]
    changes, found = diff(targets, live, caps())
    assert found == []
    assert [(c.row, c.kind, c.before, c.after, c.delta) for c in changes] == [
        (2, Kind.UNCHANGED, 5, 5, 0), (3, Kind.INCREASE, 5, 8, 3), (4, Kind.DECREASE, 5, -2, -7),
        (5, Kind.BIND, None, 0, None)]
    c = changes[1]
    assert (c.variant_id, c.product_id, c.location_id, c.sku, c.location_name, c.mode, c.column) == (
        "1002", "P1", "loc-1", "TS-RED-M", "Main Warehouse", Mode.SET, "Qty")
    assert c.variant is known.RED_M


def test_adjust_adds_to_the_live_level_and_binds_an_unstocked_one(known, caps):
    live = {("1001", "loc-1"): 5}
    targets = [target(known, 2, -3, mode=Mode.ADJUST), target(known, 3, 4, mode=Mode.ADJUST, location=known.LYON),
               target(known, 4, 0, mode=Mode.ADJUST, variant=known.RED_M, location=known.BERLIN)]
    changes, _ = diff(targets, live, caps())
    assert [(c.kind, c.before, c.after, c.delta) for c in changes] == [
        (Kind.DECREASE, 5, 2, -3), (Kind.BIND, None, 4, 4), (Kind.BIND, None, 0, 0)]


def test_seen_level_that_differs_from_live_makes_the_change_stale(known, caps):
    live = {("1001", "loc-1"): 4, ("1002", "loc-1"): 5}
    targets = [target(known, 2, 9, seen=5), target(known, 3, 9, seen=5, variant=known.RED_M),
               target(known, 4, 9, seen=0, location=known.LYON)]
    changes, found = diff(targets, live, caps())
    assert found == []
    assert [(c.kind, c.before, c.after, c.seen) for c in changes] == [
        (Kind.STALE, 4, 9, 5), (Kind.INCREASE, 5, 9, 5), (Kind.STALE, None, 9, 0)]


def test_a_level_already_at_its_target_is_unchanged_whatever_the_sheet_saw(known, caps):
    """Re-opening a Shopify sheet right after applying it: live is the target, the sheet still
    shows the old "On hand (current)". Nothing to write, and nothing stale about it."""
    live = {("1001", "loc-1"): 9, ("1002", "loc-1"): 9, ("1003", "loc-1"): 7}
    targets = [target(known, 2, 9, seen=5), target(known, 3, 0, seen=2, mode=Mode.ADJUST, variant=known.RED_M),
               target(known, 4, 9, seen=5, variant=known.BLUE_S)]
    changes, found = diff(targets, live, caps())
    assert found == []
    assert [(c.row, c.kind, c.before, c.after) for c in changes] == [
        (2, Kind.UNCHANGED, 9, 9), (3, Kind.UNCHANGED, 9, 9), (4, Kind.STALE, 7, 9)]


def test_a_not_stocked_target_on_an_unstocked_level_is_unchanged_whatever_the_sheet_saw(known, caps):
    changes, found = diff([target(known, 2, None, seen=3)], {}, caps())
    assert found == [] and [(c.kind, c.before, c.after) for c in changes] == [(Kind.UNCHANGED, None, None)]


def test_negative_targets_are_legal_stock(known, caps):
    changes, found = diff([target(known, 2, -4)], {("1001", "loc-1"): 0}, caps())
    assert found == [] and changes[0].kind is Kind.DECREASE and changes[0].after == -4


def test_infinite_target_needs_a_platform_that_supports_it(known, caps):
    live = {("1001", "loc-1"): 3}
    changes, found = diff([target(known, 2, "INFINITE")], live, caps(display_name="Zettle"))
    assert changes == [] and found[0].code == issues.UNSUPPORTED
    assert "Zettle has no infinite stock" in found[0].message
    changes, found = diff([target(known, 2, "INFINITE")], live, caps(supports_infinite=True))
    assert found == [] and (changes[0].kind, changes[0].after, changes[0].delta) == (Kind.INCREASE, "INFINITE", None)


def test_infinite_levels_compare_and_cannot_be_adjusted(known, caps):
    live = {("1001", "loc-1"): "INFINITE", ("1002", "loc-1"): "INFINITE"}
    targets = [target(known, 2, "INFINITE"), target(known, 3, 10, variant=known.RED_M),
               target(known, 4, 2, mode=Mode.ADJUST, column="Adjust")]
    changes, found = diff(targets, live, caps(supports_infinite=True))
    assert [(c.row, c.kind) for c in changes] == [(2, Kind.UNCHANGED), (3, Kind.DECREASE)]
    assert [(i.row, i.code, i.column) for i in found] == [(4, issues.UNSUPPORTED, "Adjust")]
    assert "infinite stock, which can't be adjusted" in found[0].message


def test_not_stocked_target_is_unchanged_when_unbound_and_unsupported_when_bound(known, caps):
    live = {("1002", "loc-1"): 6}
    targets = [target(known, 2, None), target(known, 3, None, variant=known.RED_M)]
    changes, found = diff(targets, live, caps())
    assert [(c.row, c.kind) for c in changes] == [(2, Kind.UNCHANGED)]
    assert (found[0].row, found[0].code) == (3, issues.UNSUPPORTED)
    assert "Stocksheet can't unstock SKU 'TS-RED-M' at Main Warehouse" in found[0].message
    assert "Remove the row" in found[0].hint


def test_a_row_with_one_unsupported_cell_yields_no_changes(known, caps):
    targets = [target(known, 2, 5, column="Available: Main"),
               target(known, 2, "INFINITE", location=known.LYON, column="Available: Lyon"), target(known, 3, 1)]
    changes, found = diff(targets, {}, caps())
    assert [c.row for c in changes] == [3] and [i.row for i in found] == [2]
