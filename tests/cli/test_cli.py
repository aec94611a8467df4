"""The CLI contract, end to end: real sheets written by real libraries, the Genstore sandbox over
loopback HTTP, and the documented exit statuses and JSON fields."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from desktop_app.cli import main
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app

CATALOG = {
    "locations": [{"name": "Main Warehouse"}, {"name": "Outlet Store"}],
    "variants": [
        {"product": "Tee", "sku": "TEE-S", "barcode": "0012345678905", "levels": {"Main Warehouse": 10, "Outlet Store": 3}},
        {"product": "Tee", "sku": "TEE-M", "barcode": "0012345678912", "levels": {"Main Warehouse": 5}},
        {"product": "Mug", "sku": "MUG-1", "barcode": "4006381333931", "levels": {"Main Warehouse": 0, "Outlet Store": 7}},
        {"product": "=HYPERLINK(\"http://evil\",\"x\")", "sku": "EVIL-1", "barcode": "5901234123457",
         "levels": {"Main Warehouse": 1}},
    ],
}


@pytest.fixture
def store(tmp_path, monkeypatch):
    cat = tmp_path / "catalog.json"
    cat.write_text(json.dumps(CATALOG), encoding="utf-8")
    app = create_app("genstore", catalog=str(cat), state=None, rate="none")
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        yield app, server.url


def run(capsys, *args: str) -> tuple[int, dict | str]:
    code = main(list(args))
    out = capsys.readouterr()
    if "--json" in args and out.out.strip():
        return code, json.loads(out.out.strip().splitlines()[-1])
    return code, out.out + out.err


def write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def test_long_csv_import_applies_changes_and_exits_0(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "stock.csv", [["SKU", "Location", "Available"],
                                                ["TEE-S", "Main Warehouse", 12], ["TEE-M", "main warehouse", 5],
                                                ["MUG-1", "Outlet Store", 0]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 0, out
    assert (out["rows"], out["valid"], out["invalid"], out["changes"], out["applied"], out["unchanged"]) == (3, 3, 0, 2, 2, 1)
    assert {"rows", "valid", "invalid", "unchanged", "changes", "applied", "failed", "stale", "requests", "report",
            "verified", "unverified"} <= out.keys()
    assert out["verified"] == out["applied"] == 2 and out["unverified"] == 0
    assert app.level("TEE-S", "Main Warehouse") == 12 and app.level("MUG-1", "Outlet Store") == 0


def test_dry_run_reports_the_plan_and_writes_nothing(store, tmp_path, capsys):
    app, url = store
    sheet = write_xlsx(tmp_path / "stock.xlsx", [["SKU", "Location", "Available"], ["TEE-S", "Main Warehouse", 99]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--dry-run", "--json")
    assert code == 0 and out["changes"] == 1 and out["applied"] == 0 and out["requests"] == 1
    assert app.level("TEE-S", "Main Warehouse") == 10


def test_invalid_rows_exit_1_with_a_report_that_reimports_once_fixed(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "stock.csv", [["SKU", "Location", "Available"], ["TEE-S", "Main Warehouse", 11],
                                                ["NOPE-1", "Main Warehouse", 4], ["TEE-M", "Main Warehouse", "lots"]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 1 and out["invalid"] == 2 and out["applied"] == 1
    report = Path(out["report"])
    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["SKU", "Location", "Available", "Row", "Status", "Error", "Hint"]
    assert [r[3] for r in rows[1:]] == ["3", "4"] and all(r[4] == "invalid" for r in rows[1:])
    assert "NOPE-1" in rows[1][5] and rows[1][6]
    # the user fixes the report and drops it back in
    rows[1][0], rows[2][2] = "TEE-S", "8"
    rows[1][1] = "Outlet Store"
    write_csv(report, rows)
    code, out = run(capsys, "import", str(report), "--platform", "genstore", "--url", url, "--json")
    assert code == 0, out
    assert app.level("TEE-S", "Outlet Store") == 4 and app.level("TEE-M", "Main Warehouse") == 8


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_unedited_export_imports_back_with_zero_changes(store, tmp_path, capsys, suffix):
    app, url = store
    out_file = tmp_path / f"export{suffix}"
    code, _ = run(capsys, "export", "--platform", "genstore", "--url", url, "-o", str(out_file))
    assert code == 0 and out_file.exists()
    code, out = run(capsys, "import", str(out_file), "--platform", "genstore", "--url", url, "--json")
    assert code == 0, out
    assert out["changes"] == 0 and out["invalid"] == 0 and out["unchanged"] == out["rows"] == 6


def test_export_neutralises_a_formula_product_name(store, tmp_path, capsys):
    _, url = store
    out_file = tmp_path / "export.csv"
    assert run(capsys, "export", "--platform", "genstore", "--url", url, "-o", str(out_file))[0] == 0
    text = out_file.read_text(encoding="utf-8-sig")
    assert "\n=HYPERLINK" not in text and "'=HYPERLINK" in text


def test_shopify_export_with_a_stale_row_exits_1_and_writes_nothing_for_it(store, tmp_path, capsys):
    app, url = store
    header = ["Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name",
              "Option3 Value", "SKU", "HS Code", "COO", "Location", "Bin name", "Incoming (not editable)",
              "Unavailable (not editable)", "Committed (not editable)", "Available (not editable)",
              "On hand (current)", "On hand (new)"]
    base = ["tee", "Tee", "Size", "S", "", "", "", "", "", "", "", "", "", 0, 0, 0]
    rows = [header,
            base[:8] + ["TEE-S", "", "", "Main Warehouse", ""] + [0, 0, 0, 10, 10, 14],   # seen 10 = live: applied
            base[:8] + ["TEE-M", "", "", "Main Warehouse", ""] + [0, 0, 0, 4, 4, 9],      # seen 4, live 5: stale
            base[:8] + ["MUG-1", "", "", "Outlet Store", ""] + [0, 0, 0, 7, 7, ""]]        # blank: no change
    sheet = write_csv(tmp_path / "inventory_export.csv", rows)
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 1 and out["stale"] == 1 and out["applied"] == 1
    assert app.level("TEE-S", "Main Warehouse") == 14 and app.level("TEE-M", "Main Warehouse") == 5


def test_wide_sheet_with_a_column_per_location(store, tmp_path, capsys):
    app, url = store
    sheet = write_xlsx(tmp_path / "wide.xlsx", [["Stock count, March"], [], ["SKU", "Main Warehouse", "Available: Outlet Store"],
                                                ["TEE-S", 10, 6], ["MUG-1", 2, 7]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 0, out
    assert out["changes"] == 2 and out["unchanged"] == 2
    assert app.level("TEE-S", "Outlet Store") == 6 and app.level("MUG-1", "Main Warehouse") == 2


def test_matrixify_adjust_columns_add_deltas(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "mx.csv", [["Variant SKU", "Inventory Available Adjust: Main Warehouse"],
                                            ["TEE-S", "-3"], ["TEE-M", "+2"]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 0, out
    assert app.level("TEE-S", "Main Warehouse") == 7 and app.level("TEE-M", "Main Warehouse") == 7


def test_map_override_and_cp1252_semicolon_csv(store, tmp_path, capsys):
    app, url = store
    sheet = write_csv(tmp_path / "lager.csv", [["Artikel", "Lager", "Menge", "Bemerkung"],
                                               ["TEE-S", "Main Warehouse", "1.234", "Größe S – €"]],
                      encoding="cp1252", delimiter=";")
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json",
                    "--map", "Artikel=sku", "--map", "Lager=location", "--map", "Menge=available")
    assert code == 0, out
    assert app.level("TEE-S", "Main Warehouse") == 1234


def test_barcode_stripped_of_leading_zeros_by_excel_is_repaired(store, tmp_path, capsys):
    app, url = store
    sheet = write_xlsx(tmp_path / "bc.xlsx", [["Barcode", "Location", "Qty"], [12345678905, "Main Warehouse", 21]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 0, out
    assert app.level("TEE-S", "Main Warehouse") == 21


@pytest.mark.parametrize("args, needle", [
    (["import", "missing.xlsx"], "missing.xlsx"),
    (["import", "{sheet}", "--url", "http://shop.example.com"], "https"),
    (["import", "{sheet}", "--key", "colour"], "invalid choice"),
])
def test_bad_usage_or_unreadable_input_exits_2(store, tmp_path, capsys, args, needle):
    _, url = store
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["TEE-S", "Main Warehouse", 1]])
    argv = [a.format(sheet=sheet) for a in args]
    if "--url" not in argv:
        argv += ["--url", url]
    code, out = run(capsys, *argv, "--platform", "genstore")
    assert code == 2 and needle in out and "Traceback" not in out


def test_missing_token_is_bad_usage_not_a_crash(store, tmp_path, capsys, monkeypatch):
    _, url = store
    monkeypatch.delenv("STOCKSHEET_TOKEN")
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["TEE-S", "Main Warehouse", 1]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert code == 2 and "STOCKSHEET_TOKEN" in out


def test_refused_token_and_unreachable_store_exit_3(store, tmp_path, capsys, monkeypatch):
    _, url = store
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["TEE-S", "Main Warehouse", 1]])
    monkeypatch.setenv("STOCKSHEET_TOKEN", "wrong-token")
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert code == 3 and "token" in out.lower() and "wrong-token" not in out
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", "http://127.0.0.1:9")
    assert code == 3 and "reach" in out.lower()


def test_sandbox_command_prints_its_address_first_and_stops_on_sigterm(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "desktop_app", "sandbox", "--platform", "genstore",
                             "--state", str(tmp_path / "s.sqlite3")], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        first = json.loads(proc.stdout.readline())
        assert first["platform"] == "genstore" and first["url"].startswith("http://127.0.0.1:") and first["token"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_a_saved_mapping_profile_is_reused_by_name(store, tmp_path, capsys):
    app, url = store
    rows = [["Artikel", "Lager", "Menge"], ["TEE-S", "Main Warehouse", 31]]
    first = write_csv(tmp_path / "a.csv", rows)
    code, out = run(capsys, "import", str(first), "--platform", "genstore", "--url", url, "--json", "--dry-run",
                    "--map", "Artikel=sku", "--map", "Lager=location", "--map", "Menge=available",
                    "--save-profile", "Lager export")
    assert code == 0 and out["changes"] == 1
    code, out = run(capsys, "import", str(first), "--platform", "genstore", "--url", url, "--json",
                    "--profile", "Lager export")
    assert code == 0 and out["applied"] == 1 and app.level("TEE-S", "Main Warehouse") == 31
    code, out = run(capsys, "import", str(first), "--platform", "genstore", "--url", url, "--profile", "nope")
    assert code == 2 and "Lager export" in out


def test_the_token_never_reaches_logs_or_reports(store, tmp_path, capsys, stocksheet_home):
    app, url = store
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["NOPE", "Main Warehouse", 1]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 1
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in stocksheet_home.rglob("*") if p.is_file()
             and p.suffix in (".log", ".json", ".csv")]
    texts.append(Path(out["report"]).read_text(encoding="utf-8-sig"))
    assert texts and not any(app.token in t for t in texts)


def test_a_report_that_cannot_be_written_next_to_the_sheet_goes_under_stocksheet_home(store, tmp_path, capsys,
                                                                                     stocksheet_home):
    _, url = store
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["NOPE", "Main Warehouse", 1]])
    (tmp_path / "s.errors.csv").mkdir()      # the spot is taken (as on a read-only share, even for root)
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url, "--json")
    assert code == 1 and Path(out["report"]) == stocksheet_home / "reports" / "s.errors.csv"
    assert "NOPE" in Path(out["report"]).read_text(encoding="utf-8-sig")
