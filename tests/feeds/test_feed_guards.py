"""Each guard of a feed trips on the file it is meant for: nothing is written to any store, the
file waits in failed/ with a report naming the guard and its numbers, and a person can apply it
anyway — after which it is applied and filed under done/."""
from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.engine import feeds, guards
from desktop_app.engine.feeds import Feed, Target
from desktop_app.engine.feeds.connect import connect_target

from .conftest import write_sheet


@pytest.fixture
def store(open_store):
    return open_store("genstore")


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "incoming"
    d.mkdir()
    return d


def make_feed(store, folder, **kw) -> Feed:
    feed = Feed(name="supplier", targets=[Target("genstore", store.url)], watch=str(folder), settle=0, **kw)
    feeds.save(feed)
    return feed


def run_once(feed):
    return feeds.run_feed(feed, connect=connect_target)


def tripped_report(folder, name="stock.csv"):
    [kept] = list((folder / "failed").glob(f"*{name}"))
    return kept, kept.with_name(kept.name + ".report.txt").read_text(), json.loads(
        kept.with_name(kept.name + ".report.json").read_text())


def assert_tripped(store, folder, run, guard):
    [f] = run.files
    assert f.status == "tripped" and run.code == 1
    assert guard in {g["guard"] for g in f.guards}
    assert store.app.ledger() == []
    kept, text, data = tripped_report(folder)
    assert guard in text and "Stopped before writing anything" in text and "--apply-anyway" in text
    assert data["status"] == "tripped" and guard in {g["guard"] for g in data["guards"]}
    assert feeds.load_state("supplier").tripped["file"] == str(kept)
    return f, data


def test_an_empty_or_header_only_file_trips_and_writes_nothing(store, folder):
    feed = make_feed(store, folder)
    write_sheet(folder / "stock.csv", [])
    assert_tripped(store, folder, run_once(feed), guards.NO_DATA_ROWS)


def test_a_file_with_far_fewer_rows_than_usual_trips_the_row_count_guard(store, folder):
    feed = make_feed(store, folder)
    levels = store.stocked(20)
    write_sheet(folder / "stock.csv", [(s, loc, n + 1) for s, loc, n in levels])
    assert run_once(feed).code == 0
    assert feeds.load_state("supplier").usual_rows == 20
    write_sheet(folder / "stock.csv", [(s, loc, n + 2) for s, loc, n in levels[:6]])     # truncated: 6 of 20
    before = len(store.app.ledger())
    run = run_once(feed)
    [f] = run.files
    assert f.status == "tripped" and len(store.app.ledger()) == before
    [g] = f.guards
    assert (g["guard"], g["rows"], g["usual_rows"], g["limit"]) == (guards.ROW_COUNT, 6, 20, 0.5)
    assert "6 data rows, fewer than 50% of this feed's usual 20" in tripped_report(folder)[1]


def test_a_file_zeroing_the_store_trips_the_zero_guard(store, folder):
    feed = make_feed(store, folder)
    write_sheet(folder / "stock.csv", [(s, loc, 0) for s, loc, _ in store.stocked()])
    f, data = assert_tripped(store, folder, run_once(feed), guards.ZERO_SHARE)
    [zero] = [g for g in data["guards"] if g["guard"] == guards.ZERO_SHARE]
    assert zero["share"] == 1.0 and zero["limit"] == 0.25 and zero["store"].startswith("genstore ")


def test_a_file_halving_the_store_trips_the_drop_guard(store, folder):
    feed = make_feed(store, folder)
    levels = [(s, loc, n) for s, loc, n in store.stocked() if n >= 4]
    write_sheet(folder / "stock.csv", [(s, loc, n // 4 or 1) for s, loc, n in levels])
    assert_tripped(store, folder, run_once(feed), guards.DROP_SHARE)


def test_a_file_for_another_store_trips_the_unknown_sku_guard(store, folder):
    feed = make_feed(store, folder)
    loc = store.locations[0].name
    write_sheet(folder / "stock.csv", [("SKU-000001", loc, 5)] + [(f"OTHER-{i}", loc, 5) for i in range(9)])
    f, data = assert_tripped(store, folder, run_once(feed), guards.UNKNOWN_SHARE)
    [g] = data["guards"]
    assert (g["unknown"], g["rows"], g["share"]) == (9, 10, 0.9)


def test_a_tripped_file_applied_anyway_is_written_and_filed_under_done(store, folder, capsys):
    make_feed(store, folder)
    levels = store.stocked()
    write_sheet(folder / "stock.csv", [(s, loc, 0) for s, loc, _ in levels])
    assert main(["feed", "run", "supplier", "--once"]) == 1
    assert "zero" in capsys.readouterr().out and store.app.ledger() == []
    assert main(["feed", "run", "supplier", "--apply-anyway", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    [f] = out["files"]
    assert f["status"] == "applied" and f["stores"][0]["applied"] == len(levels)
    assert all(store.level(s, loc) == 0 for s, loc, _ in levels)
    assert list((folder / "failed").iterdir()) == [] and len(list((folder / "done").glob("*stock.csv"))) == 1
    assert feeds.load_state("supplier").tripped is None
    assert main(["feed", "run", "supplier", "--apply-anyway"]) == 2          # nothing waits any more
    assert "no file stopped by a guard" in capsys.readouterr().err


def test_a_guard_tripped_for_one_store_writes_to_none_of_them(open_store, folder):
    full, other = open_store("genstore"), open_store("genstore", catalog="synthetic:10x2")
    feed = Feed(name="supplier", targets=[Target("genstore", full.url), Target("genstore", other.url)],
                watch=str(folder), settle=0)
    loc = full.locations[0].name
    # SKUs 11-30 exist only in the first store: 20 of 30 rows unknown to the second
    write_sheet(folder / "stock.csv", [(s, loc, n + 1) for s, _, n in full.stocked()])
    run = run_once(feed)
    [f] = run.files
    assert f.status == "tripped" and [s.status for s in f.stores] == ["tripped", "tripped"]
    assert [g["guard"] for g in f.guards] == [guards.UNKNOWN_SHARE] and other.url in f.guards[0]["store"]
    assert full.app.ledger() == [] and other.app.ledger() == []
