"""Paths that once wrote a wrong level and reported it applied (issue 8), end to end: sheets written
by real libraries, the Genstore sandbox over loopback HTTP, the CLI's exit status and JSON."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from desktop_app.cli import main
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app


@pytest.fixture
def genstore(tmp_path, monkeypatch):
    """Start a Genstore sandbox on a catalogue spec: ``app, url = genstore(spec)``."""
    servers: list[SandboxServer] = []

    def start(spec: dict):
        path = tmp_path / "catalogue.json"
        path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        app = create_app("genstore", catalog=str(path), state=None, rate="none")
        servers.append(SandboxServer(app).start())
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        return app, servers[-1].url

    yield start
    for server in servers:
        server.stop()


def run(capsys, *args: str) -> tuple[int, dict]:
    code = main([*args, "--json"])
    out = capsys.readouterr()
    assert out.out.strip(), out.err
    return code, json.loads(out.out.strip().splitlines()[-1])


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def report_rows(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


# --- 1. numeric identity cells naming different variants ---------------------------------------

NUMERIC_KEYS = {
    "locations": [{"name": "Main Warehouse"}],
    "variants": [
        {"product": "Numbered", "sku": "123", "barcode": "4006381333931", "levels": {"Main Warehouse": 4}},
        {"product": "Zero-led", "sku": "ZL-1", "barcode": "01234567890", "levels": {"Main Warehouse": 6}},
    ],
}


def test_numeric_sku_and_barcode_cells_naming_different_variants_are_a_key_conflict_not_a_write(
        genstore, tmp_path, capsys):
    """SKU 123 and barcode 1234567890 as real number cells: the barcode is 01234567890 without
    its leading zeros, the other variant's. The row is reported as the text-cell row is."""
    app, url = genstore(NUMERIC_KEYS)
    sheet = write_xlsx(tmp_path / "numbers.xlsx", [["SKU", "Barcode", "Location", "Available"],
                                                   [123, 1234567890, "Main Warehouse", 50]])
    cells = openpyxl.load_workbook(sheet).active
    assert (cells["A2"].data_type, cells["B2"].data_type) == ("n", "n")  # real numeric cells
    text = write_csv(tmp_path / "text.csv", [["SKU", "Barcode", "Location", "Available"],
                                             ["123", "01234567890", "Main Warehouse", 50]])
    code, out = run(capsys, "import", str(text), "--platform", "genstore", "--url", url,
                    "--report", str(tmp_path / "text.errors.csv"))
    assert (code, out["invalid"], out["applied"]) == (1, 1, 0)
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url,
                    "--report", str(tmp_path / "numbers.errors.csv"))
    assert (code, out["invalid"], out["applied"], out["changes"]) == (1, 1, 0, 0), out
    assert app.level("123", "Main Warehouse") == 4 and app.level("ZL-1", "Main Warehouse") == 6
    [row] = report_rows(out["report"])
    assert row["Status"] == "invalid"
    assert "SKU '123' is Numbered" in row["Error"] and "but barcode '1234567890'" in row["Error"]
    assert "Correct the wrong cell" in row["Hint"]


def test_numeric_cells_that_repair_to_the_same_variant_are_applied(genstore, tmp_path, capsys):
    spec = {"locations": [{"name": "Main Warehouse"}],
            "variants": [{"product": "Zero-led", "sku": "123", "barcode": "01234567890",
                          "levels": {"Main Warehouse": 6}}]}
    app, url = genstore(spec)
    sheet = write_xlsx(tmp_path / "numbers.xlsx", [["SKU", "Barcode", "Location", "Available"],
                                                   [123, 1234567890, "Main Warehouse", 50]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert (code, out["applied"]) == (0, 1), out
    assert app.level("123", "Main Warehouse") == 50


# --- 2. location names outside ASCII -------------------------------------------------------------

def _locations_spec(*names: str) -> dict:
    return {"locations": [{"name": n} for n in names],
            "variants": [{"product": "Tee", "sku": sku, "levels": {n: 1 for n in names}}
                         for sku in ("TEE-S", "TEE-M", "TEE-L")]}


def test_non_latin_location_names_the_store_lacks_are_not_written_into_another(genstore, tmp_path, capsys):
    app, url = genstore(_locations_spec("Main Warehouse", "上海仓"))
    sheet = write_csv(tmp_path / "stock.csv", [["SKU", "Location", "Available"], ["TEE-S", "北京仓", 11],
                                               ["TEE-M", "Склад Казань", 12], ["TEE-L", "—", 13]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert (code, out["invalid"], out["applied"]) == (1, 3, 0), out
    assert [app.level(sku, "上海仓") for sku in ("TEE-S", "TEE-M", "TEE-L")] == [1, 1, 1]
    errors = [r["Error"] for r in report_rows(out["report"])]
    assert errors[0].startswith("Location '北京仓' is not in the store.") and len(errors) == 3


def test_non_latin_location_names_go_to_their_own_locations(genstore, tmp_path, capsys):
    app, url = genstore(_locations_spec("Main Warehouse", "上海仓", "Склад Казань"))
    sheet = write_csv(tmp_path / "stock.csv", [["SKU", "Location", "Available"], ["TEE-S", "上海仓", 11],
                                               ["TEE-M", "склад казань", 12], ["TEE-L", "Main Warehouse", 13]])
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert (code, out["applied"], out["invalid"]) == (0, 3, 0), out
    assert (app.level("TEE-S", "上海仓"), app.level("TEE-M", "Склад Казань"), app.level("TEE-L", "Main Warehouse")) \
        == (11, 12, 13)
    assert (app.level("TEE-S", "Склад Казань"), app.level("TEE-M", "上海仓")) == (1, 1)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_store_with_two_non_latin_locations_reimports_its_own_export(genstore, tmp_path, capsys, suffix):
    app, url = genstore(_locations_spec("上海仓", "Склад Казань"))
    export = tmp_path / f"export{suffix}"
    assert main(["export", "--platform", "genstore", "--url", url, "-o", str(export)]) == 0
    capsys.readouterr()
    code, out = run(capsys, "import", str(export), "--platform", "genstore", "--url", url)
    assert code == 0, out
    assert (out["rows"], out["invalid"], out["changes"], out["unchanged"]) == (6, 0, 0, 6)


# --- 3. false stale after applying a Shopify sheet -------------------------------------------------

SHOPIFY_HEADER = ["Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
                  "Option3 Name", "Option3 Value", "SKU", "HS Code", "COO", "Location", "Bin name",
                  "Incoming (not editable)", "Unavailable (not editable)", "Committed (not editable)",
                  "Available (not editable)", "On hand (current)", "On hand (new)"]


def _shopify_row(sku: str, size: str, location: str, current: int, new: object) -> list[object]:
    return ["tee", "Tee", "Size", size, "", "", "", "", sku, "", "", location, "", 0, 0, 0, current, current, new]


def test_reimporting_an_applied_shopify_sheet_is_all_unchanged_not_stale(genstore, tmp_path, capsys):
    spec = {"locations": [{"name": "Main Warehouse"}, {"name": "Outlet Store"}],
            "variants": [{"product": "Tee", "title": "S", "sku": "TEE-S", "levels": {"Main Warehouse": 10, "Outlet Store": 3}},
                         {"product": "Tee", "title": "M", "sku": "TEE-M", "levels": {"Main Warehouse": 5}}]}
    app, url = genstore(spec)
    sheet = write_csv(tmp_path / "inventory_export.csv", [
        SHOPIFY_HEADER, _shopify_row("TEE-S", "S", "Main Warehouse", 10, 14),
        _shopify_row("TEE-S", "S", "Outlet Store", 3, 1), _shopify_row("TEE-M", "M", "Main Warehouse", 5, 5),
        _shopify_row("TEE-M", "M", "Outlet Store", 0, "")])  # blank: no change
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert (code, out["applied"], out["unchanged"], out["stale"]) == (0, 2, 1, 0), out
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert (code, out["changes"], out["applied"], out["unchanged"], out["stale"], out["invalid"]) \
        == (0, 0, 0, 3, 0, 0), out
    # a level that really moved since (a sale) and is not at its target is still stale
    app.set_level("TEE-S", "Main Warehouse", 13)
    code, out = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", url)
    assert (code, out["stale"], out["unchanged"]) == (1, 1, 2), out
    assert app.level("TEE-S", "Main Warehouse") == 13
