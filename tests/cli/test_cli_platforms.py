"""Every CLI command works against every platform's sandbox, with the same sheet format."""
from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.platforms.registry import PLATFORMS as CONNECTORS
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import PLATFORMS as EMULATORS
from desktop_app.sheets.reader import read_sheet
from desktop_app.sheets.writer import write_table

PLATFORMS = [p for p in EMULATORS if p in CONNECTORS]


@pytest.fixture(params=PLATFORMS)
def store(request, monkeypatch):
    from desktop_app.sandbox.registry import create_app
    app = create_app(request.param, catalog="demo", state=None, rate="none")
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        yield request.param, app, server.url


def run(capsys, *args: str) -> tuple[int, dict]:
    code = main([*args, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}


def test_export_then_dry_run_and_import_of_an_edit_on_every_platform(store, tmp_path, capsys):
    platform, app, url = store
    conn = ["--platform", platform, "--url", url]
    exported = tmp_path / "stock.xlsx"
    code, out = run(capsys, "export", *conn, "-o", str(exported))
    assert code == 0 and out["rows"] > 0

    code, out = run(capsys, "import", str(exported), *conn, "--dry-run")
    assert code == 0 and out["changes"] == 0 and out["invalid"] == 0, out

    # raise the first numeric level of a SKU-unique row by 5 and import that one-row edit
    sheet = read_sheet(exported)
    col = {h: i for i, h in enumerate(sheet.headers)}
    skus = [cells[col["SKU"]] for _, cells in sheet.rows]
    row = next(cells for _, cells in sheet.rows
               if isinstance(cells[col["Available"]], int) and cells[col["SKU"]] and skus.count(cells[col["SKU"]]) == 1)
    edited = list(row)
    edited[col["Available"]] = row[col["Available"]] + 5
    sheet_path = tmp_path / "edit.csv"
    write_table(sheet_path, sheet.headers, [edited])
    code, out = run(capsys, "import", str(sheet_path), *conn, "--dry-run")
    assert code == 0 and out["changes"] == 1 and out["applied"] == 0, out
    code, out = run(capsys, "import", str(sheet_path), *conn)
    assert code == 0 and out["applied"] == 1, out

    again = tmp_path / "again.csv"
    assert run(capsys, "export", *conn, "-o", str(again))[0] == 0
    after = read_sheet(again)
    acol = {h: i for i, h in enumerate(after.headers)}
    levels = {(c[acol["Variant ID"]], c[acol["Location"]]): c[acol["Available"]] for _, c in after.rows}
    assert str(levels[(str(row[col["Variant ID"]]), row[col["Location"]])]) == str(row[col["Available"]] + 5)


def test_zettle_removals_go_where_the_user_chose(tmp_path, capsys, monkeypatch):
    from desktop_app.sandbox.registry import create_app
    app = create_app("zettle", catalog="demo", state=None, rate="none")
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        sheet = tmp_path / "lower.csv"
        write_table(sheet, ["SKU", "Available"], [["CANDLE-CREME", 1]])
        code, out = run(capsys, "import", str(sheet), "--platform", "zettle", "--url", server.url,
                        "--zettle-removal", "SOLD")
        assert code == 0 and out["applied"] == 1, out
        assert app.level("CANDLE-CREME") == 1
        assert [(m["from"], m["to"]) for m in app.ledger() if m["sku"] == "CANDLE-CREME"][-1] == ("STORE", "SOLD")
        code, _ = run(capsys, "import", str(sheet), "--platform", "genstore", "--url", server.url,
                      "--zettle-removal", "SOLD")
        assert code == 2


def test_a_marketplacer_sheet_without_locations_sets_own_stock_even_with_multi_store_sellers(tmp_path, capsys,
                                                                                          monkeypatch):
    from desktop_app.sandbox.registry import create_app
    app = create_app("marketplacer", catalog="demo", state=None, rate="none")
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        sheet = tmp_path / "own.csv"
        write_table(sheet, ["SKU", "Available"], [["CANDLE-CREME", 17]])
        code, out = run(capsys, "import", str(sheet), "--platform", "marketplacer", "--url", server.url)
        assert code == 0 and out["applied"] == 1, out
        assert app.level("CANDLE-CREME") == 17
