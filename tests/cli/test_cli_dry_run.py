"""A dry run a person can read (a table grouped as changes, problems by kind, unchanged counted)
and a script can trust (``--json`` with ``outcomes`` and counts on every path)."""
from __future__ import annotations

from .conftest import run_cli, write_csv

ROWS = [["SKU", "Location", "Available"],
        ["SKU-000001", "Warehouse 1", 5],        # a decrease
        ["SKU-000002", "Warehouse 1", "lots"],   # qty-not-integer
        ["SKU-000003", "Warehouse 1", 100],      # an increase
        ["NOPE", "Warehouse 1", 3],              # variant-not-found
        ["SKU-000004", "Nowhere", 3]]            # location-not-found


def sheet_with_an_unchanged_row(tmp_path, app):
    rows = ROWS + [["SKU-000005", "Warehouse 1", app.level("SKU-000005", "Warehouse 1")]]
    return write_csv(tmp_path / "stock.csv", rows)


def test_a_dry_run_prints_a_table_of_changes_then_problems_by_kind_then_a_count_of_unchanged(synthetic, tmp_path,
                                                                                            capsys):
    app, url = synthetic(10)
    sheet = sheet_with_an_unchanged_row(tmp_path, app)
    live = app.level("SKU-000001", "Warehouse 1")
    code, text, _ = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run")
    assert code == 1
    lines = text.splitlines()
    at = {name: next(i for i, line in enumerate(lines) if line.startswith(name)) for name in
          ("Changes it would make (2 rows)", "Problems: qty-not-integer (1 row)", "Problems: variant-not-found",
           "Problems: location-not-found", "Unchanged: 1 level")}
    assert list(at.values()) == sorted(at.values())
    assert lines[at["Changes it would make (2 rows)"] + 1].split() == ["Row", "SKU", "Location", "Live", "→", "New",
                                                                       "Change", "Status", "Reason"]
    decrease = next(line for line in lines if line.lstrip().startswith("2 "))
    assert f"{live} → 5" in decrease and f"−{live - 5}" in decrease and "to change" in decrease
    assert any("NOPE" in line and "not in the store" in line for line in lines)
    assert "6 rows: 2 to change, 1 unchanged, 3 invalid" in text
    assert "2 levels would change, in 2 requests." in text
    assert app.level("SKU-000001", "Warehouse 1") == live


def test_show_picks_the_rows_listed(synthetic, tmp_path, capsys):
    app, url = synthetic(10)
    sheet = sheet_with_an_unchanged_row(tmp_path, app)
    args = ["import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run", "--show"]
    _, changes, _ = run_cli(capsys, *args, "changes")
    assert "Changes it would make" in changes and "Problems" not in changes
    _, problems, _ = run_cli(capsys, *args, "problems")
    assert "Problems: variant-not-found" in problems and "Changes it would make" not in problems
    _, none, _ = run_cli(capsys, *args, "none")
    assert "Row  SKU" not in none and "6 rows:" in none


def test_json_carries_the_outcomes_and_counts_that_add_up(synthetic, tmp_path, capsys):
    app, url = synthetic(10)
    sheet = sheet_with_an_unchanged_row(tmp_path, app)
    code, out, _ = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run",
                           "--json")
    assert code == 1
    statuses = sorted((o["row"], o["status"], o["code"]) for o in out["outcomes"])
    assert statuses == [(2, "pending", ""), (3, "invalid", "qty-not-integer"), (4, "pending", ""),
                        (5, "invalid", "variant-not-found"), (6, "invalid", "location-not-found"),
                        (7, "unchanged", "")]
    first = next(o for o in out["outcomes"] if o["row"] == 2)
    assert (first["sku"], first["location"], first["after"]) == ("SKU-000001", "Warehouse 1", 5)
    counts = out["counts"]
    assert counts["rows"] == 6 == sum(v for k, v in counts.items() if k != "rows")
    code, out, _ = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 1 and out["counts"]["applied"] == 2 and sum(out["counts"].values()) == 2 * out["counts"]["rows"]
    assert [o["row"] for o in out["outcomes"]] == [3, 5, 6]          # a real run lists its problems by default


def test_json_says_what_went_wrong_when_the_run_fails(synthetic, tmp_path, capsys, monkeypatch):
    _, url = synthetic(10)
    sheet = write_csv(tmp_path / "stock.csv", ROWS)
    monkeypatch.setenv("STOCKSHEET_TOKEN", "wrong-token")
    code, out, err = run_cli(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 3 and out["exit"] == 3 and "refused the access token" in out["error"]
    code, out, err = run_cli(capsys, "import", str(tmp_path / "missing.csv"), "--platform", "genstore", "--url", url,
                             "--json")
    assert code == 2 and out["exit"] == 2 and "missing.csv" in out["error"]


def test_a_dry_run_says_how_it_read_the_sheet_and_how_long_the_import_will_take(synthetic, tmp_path, capsys):
    app, url = synthetic(200)
    rows = [["Stock count"], [], ["SKU", "Location", "Availble"]] + [[f"SKU-{i:06d}", "Warehouse 1", 500 + i]
                                                                    for i in range(1, 26)]
    sheet = write_csv(tmp_path / "count.csv", rows)
    args = ["import", str(sheet), "--platform", "genstore", "--url", url]
    code, text, _ = run_cli(capsys, *args, "--dry-run", "--show", "none")
    assert f"Read {sheet}: CSV, utf-8, delimiter ',', header on row 3, layout long" in text
    assert "column A 'SKU': sku" in text and "column B 'Location': location" in text
    assert "column C 'Availble': available — a guess" in text and "--map 'Availble=ROLE'" in text
    assert "duplicates: the same variant × location twice makes both rows invalid" in text
    code, dry, _ = run_cli(capsys, *args, "--dry-run", "--json")
    reading, estimate = dry["reading"], dry["estimate"]
    assert (reading["header_row"], reading["layout"], reading["delimiter"]) == (3, "long", ",")
    assert [c["guess"] for c in reading["columns"]] == [False, False, True]
    assert estimate["writes"] == 25 and estimate["requests"] > 40 and estimate["seconds"] > 0
    assert f"about {estimate['seconds'] // 60:.0f} min" in text or f"about {estimate['seconds']:.0f} s" in text
    code, real, _ = run_cli(capsys, *args, "--json")
    assert code == 0 and real["applied"] == 25
    assert abs(real["requests"] - estimate["requests"]) <= 0.1 * real["requests"]
