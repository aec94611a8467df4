"""Plan: only real changes are written, in sheet order, in chunks by change or by product."""
from __future__ import annotations

from desktop_app.core.models import Change, Kind, Mode
from desktop_app.core.plan import make_plan


def change(row, kind=Kind.INCREASE, product="P1", variant=None, column="Qty"):
    return Change(row=row, column=column, variant_id=variant or f"V{row}", product_id=product, location_id="L1",
                  sku=None, location_name="Main", mode=Mode.SET, before=1, after=2, kind=kind, delta=1)


def test_only_increase_decrease_and_bind_are_written_the_rest_is_set_aside(caps):
    changes = [change(2), change(3, Kind.UNCHANGED), change(4, Kind.STALE), change(5, Kind.BIND),
               change(6, Kind.DECREASE)]
    plan = make_plan(changes, caps(max_chunk=10))
    assert [c.row for c in plan.changes] == [2, 5, 6]
    assert [c.row for c in plan.unchanged] == [3] and [c.row for c in plan.stale] == [4]
    assert plan.requests == 1 and plan.platform == "genstore"
    assert plan.chunks[0].request == "genstore write of 3 changes"


def test_chunks_by_change_hold_at_most_max_chunk_in_sheet_order(caps):
    changes = [change(r) for r in (9, 2, 7, 3, 5)]
    plan = make_plan(changes, caps(max_chunk=2))
    assert [[c.row for c in ch.changes] for ch in plan.chunks] == [[2, 3], [5, 7], [9]]
    assert [ch.index for ch in plan.chunks] == [0, 1, 2]
    assert plan.chunks[2].request == "genstore write of 1 change"


def test_wide_row_changes_keep_their_column_order(caps):
    changes = [change(2, column="A", variant="x"), change(2, column="B", variant="y"), change(1)]
    plan = make_plan(changes, caps(max_chunk=5))
    assert [(c.row, c.column) for c in plan.changes] == [(1, "Qty"), (2, "A"), (2, "B")]


def test_chunks_by_product_count_distinct_products_and_keep_a_products_changes_together(caps):
    changes = [change(2, product="A"), change(3, product="B"), change(4, product="A"), change(5, product="C"),
               change(6, product="B"), change(7, product="D")]
    plan = make_plan(changes, caps(platform="zettle", max_chunk=2, chunk_by="product"))
    assert [[(c.row, c.product_id) for c in ch.changes] for ch in plan.chunks] == [
        [(2, "A"), (4, "A"), (3, "B"), (6, "B")], [(5, "C"), (7, "D")]]
    assert plan.chunks[0].request == "zettle write of 4 changes (2 products)"


def test_same_changes_give_the_same_plan(caps):
    changes = [change(r, product=f"P{r % 3}") for r in range(2, 40)]
    a = make_plan(list(changes), caps(max_chunk=4, chunk_by="product"))
    b = make_plan(list(reversed(changes)), caps(max_chunk=4, chunk_by="product"))
    assert [[c.row for c in ch.changes] for ch in a.chunks] == [[c.row for c in ch.changes] for ch in b.chunks]


def test_nothing_to_write_is_an_empty_plan(caps):
    plan = make_plan([change(2, Kind.UNCHANGED)], caps())
    assert plan.chunks == [] and plan.requests == 0 and len(plan.unchanged) == 1
