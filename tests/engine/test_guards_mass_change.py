"""The guards against the disasters of the field (issue 12), end to end against the sandboxes:
an empty sheet, a column of zeros, a sheet that halves most levels — each stops the import
before anything is written and says which guard with its numbers; allowed on purpose, it writes."""
from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.errors import InputError
from desktop_app.engine import guards
from desktop_app.engine.guards import GuardLimits, check, measure, parse_share
from desktop_app.engine.prepare import prepare

from .conftest import write_sheet


def stocked(store):
    """(sku, location name, level) of every level the store holds above 0, at its first location."""
    location = store.locations[0]
    variants = store.connector.list_variants()
    live = store.connector.read_levels([v.id for v in variants], [location.id])
    return [(v.sku, location.name, live[(v.id, location.id)]) for v in variants
            if isinstance(live.get((v.id, location.id)), int) and live[(v.id, location.id)] > 0]


@pytest.fixture
def genstore(open_store):
    return open_store("genstore", catalog="synthetic:30x2")


def run_cli(capsys, store, *args):
    code = main(["import", *args, "--platform", store.platform, "--url", store.server.url, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out.strip().splitlines()[-1]), out


def test_a_sheet_zeroing_most_levels_trips_the_zero_guard_and_writes_nothing(genstore, tmp_path, capsys,
                                                                              monkeypatch):
    levels = stocked(genstore)
    assert len(levels) >= guards.DEFAULT_MIN_LEVELS
    sheet = write_sheet(tmp_path / "feed.csv", [(sku, loc, 0) for sku, loc, _ in levels])
    monkeypatch.setenv("STOCKSHEET_TOKEN", genstore.app.token)
    code, summary, _ = run_cli(capsys, genstore, str(sheet))
    assert code == 1
    [zero] = [g for g in summary["guards"] if g["guard"] == guards.ZERO_SHARE]
    assert (zero["levels"], zero["stocked"], zero["share"], zero["limit"]) == (len(levels), len(levels), 1.0, 0.25)
    assert "100%" in zero["message"] and "25%" in zero["message"]
    assert summary["applied"] == 0 and summary["run_id"] is None
    assert genstore.app.ledger() == []                                        # nothing was sent
    assert all(genstore.app.level(sku, loc) == level for sku, loc, level in levels)


def test_allowing_a_mass_change_writes_it(genstore, tmp_path, capsys, monkeypatch):
    levels = stocked(genstore)
    sheet = write_sheet(tmp_path / "clear-out.csv", [(sku, loc, 0) for sku, loc, _ in levels])
    monkeypatch.setenv("STOCKSHEET_TOKEN", genstore.app.token)
    code, summary, _ = run_cli(capsys, genstore, str(sheet), "--allow-mass-change")
    assert code == 0 and summary["guards"] == [] and summary["applied"] == summary["verified"] == len(levels)
    assert all(genstore.app.level(sku, loc) == 0 for sku, loc, _ in levels)


def test_a_sheet_halving_most_levels_trips_the_drop_guard_and_a_raised_limit_lets_it_through(
        genstore, tmp_path, capsys, monkeypatch):
    levels = [(sku, loc, level) for sku, loc, level in stocked(genstore) if level >= 4]
    rows = [(sku, loc, level // 4) for sku, loc, level in levels]
    sheet = write_sheet(tmp_path / "feed.csv", rows)
    monkeypatch.setenv("STOCKSHEET_TOKEN", genstore.app.token)
    code, summary, _ = run_cli(capsys, genstore, str(sheet), "--max-zero-share", "100%")
    assert code == 1
    [drop] = [g for g in summary["guards"] if g["guard"] == guards.DROP_SHARE]
    assert drop["levels"] == len(levels) and drop["limit"] == 0.5
    assert genstore.app.ledger() == []
    code, summary, _ = run_cli(capsys, genstore, str(sheet), "--max-zero-share", "100%", "--max-drop-share", "1")
    assert code == 0 and summary["applied"] == len(levels)
    assert all(genstore.app.level(sku, loc) == level // 4 for sku, loc, level in levels)


def test_a_header_only_sheet_says_it_has_no_data_rows_and_exits_1(genstore, tmp_path, capsys, monkeypatch):
    sheet = write_sheet(tmp_path / "truncated.csv", [])
    monkeypatch.setenv("STOCKSHEET_TOKEN", genstore.app.token)
    for extra in ([], ["--dry-run"], ["--allow-mass-change"]):
        code, summary, out = run_cli(capsys, genstore, str(sheet), *extra)
        assert code == 1 and [g["guard"] for g in summary["guards"]] == [guards.NO_DATA_ROWS]
        assert "no data rows" in summary["notices"][0] and "truncated.csv" in summary["notices"][0]
    assert genstore.app.ledger() == []


def test_the_guard_is_said_in_plain_text_without_json(genstore, tmp_path, capsys, monkeypatch):
    levels = stocked(genstore)
    sheet = write_sheet(tmp_path / "feed.csv", [(sku, loc, 0) for sku, loc, _ in levels])
    monkeypatch.setenv("STOCKSHEET_TOKEN", genstore.app.token)
    code = main(["import", str(sheet), "--platform", "genstore", "--url", genstore.server.url])
    out = capsys.readouterr().out
    assert code == 1
    assert "Stopped before writing anything" in out and f"{len(levels)} of the {len(levels)} stocked levels" in out
    assert "would change" in out and "applied" not in out and "read back" not in out


def test_a_few_zeros_are_an_ordinary_correction_not_a_disaster(genstore, tmp_path):
    levels = stocked(genstore)[:3]
    preview = prepare(write_sheet(tmp_path / "sold-out.csv", [(sku, loc, 0) for sku, loc, _ in levels]),
                      genstore.connector)
    assert measure(preview)["to_zero"] == 3
    assert check(preview) == []                         # 3 stocked levels named: below min_levels


def test_a_sheet_going_up_trips_nothing_and_limits_are_checked(genstore, tmp_path):
    levels = stocked(genstore)
    preview = prepare(write_sheet(tmp_path / "restock.csv", [(sku, loc, n + 5) for sku, loc, n in levels]),
                      genstore.connector)
    assert check(preview, GuardLimits(max_zero_share=0.0, max_drop_share=0.0)) == []
    assert parse_share("40%") == 0.4 and parse_share("0.4") == 0.4
    for bad in ("lots", "150%", "-0.1"):
        with pytest.raises(InputError, match="share"):
            parse_share(bad)
    with pytest.raises(InputError, match="max-zero-share"):
        GuardLimits(max_zero_share=2)


def test_a_bad_share_flag_is_a_usage_error(genstore, tmp_path, capsys, monkeypatch):
    sheet = write_sheet(tmp_path / "feed.csv", [("SKU-000001", genstore.locations[0].name, 1)])
    monkeypatch.setenv("STOCKSHEET_TOKEN", genstore.app.token)
    code = main(["import", str(sheet), "--platform", "genstore", "--url", genstore.server.url,
                 "--max-zero-share", "most"])
    assert code == 2 and "'most' is not a share" in capsys.readouterr().err
