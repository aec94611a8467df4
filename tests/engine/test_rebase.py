"""The concurrent-sale and ambiguous-write rules, as pure functions."""
from __future__ import annotations

from desktop_app.core.models import Change, Kind, Mode
from desktop_app.core.results import Status
from desktop_app.engine.rebase import Verdict, rebase, remainder


def change(mode: Mode = Mode.SET, before=10, after=4) -> Change:
    return Change(row=2, column="Available", variant_id="v1", product_id="p1", location_id="l1", sku="TS-1",
                  location_name="Main", mode=mode, before=before, after=after, kind=Kind.DECREASE,
                  delta=after - before if before is not None else None)


def test_an_unmoved_level_is_written_as_planned():
    c = change()
    assert rebase(c, 10, force=False) is c


def test_a_moved_set_row_is_stale_and_names_both_values():
    verdict = rebase(change(), 9, force=False)
    assert isinstance(verdict, Verdict) and verdict.status is Status.STALE
    assert "it was 10" in verdict.message and "now 9" in verdict.message


def test_a_moved_set_row_is_written_over_when_forced():
    c = rebase(change(), 9, force=True)
    assert isinstance(c, Change) and (c.before, c.after, c.delta) == (9, 4, -5)


def test_a_set_row_whose_level_already_reads_the_target_needs_no_write():
    verdict = rebase(change(), 4, force=False)
    assert isinstance(verdict, Verdict) and verdict.status is Status.UNCHANGED


def test_a_moved_adjust_row_keeps_its_delta_on_top_of_the_new_level():
    c = rebase(change(Mode.ADJUST, before=10, after=13), 8, force=False)
    assert isinstance(c, Change) and (c.before, c.after, c.delta, c.kind) == (8, 11, 3, Kind.INCREASE)


def test_an_adjust_row_on_an_infinite_level_fails_with_a_reason():
    verdict = rebase(change(Mode.ADJUST, before=10, after=13), "INFINITE", force=False)
    assert isinstance(verdict, Verdict) and verdict.status is Status.FAILED and "INFINITE" in verdict.message


def test_after_an_unanswered_write_only_the_missing_part_is_sent():
    c = change(Mode.ADJUST, before=10, after=13)
    assert remainder(c, live=13, target=13) is None                 # it landed
    left = remainder(c, live=10, target=13)                         # it did not
    assert (left.before, left.after, left.delta) == (10, 13, 3)
    bound = remainder(change(before=None, after=5), live=0, target=5)   # a bind landed, the set did not
    assert (bound.before, bound.after, bound.kind) == (0, 5, Kind.INCREASE)
