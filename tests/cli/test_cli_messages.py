"""Messages that point the right way: each mistake a sentence with what to do, exit 2 where it is
bad usage, never a traceback; reports that do not overwrite each other or outlive their rows."""
from __future__ import annotations

import socket
import subprocess

import pytest

from .conftest import STOCKSHEET, run_cli, sku_sheet, write_csv


def test_urls_that_cannot_be_the_store_are_refused_with_the_right_address(synthetic, tmp_path, capsys):
    _, url = synthetic(5)
    sheet = str(sku_sheet(tmp_path / "s.csv", {1: 5}))
    cases = [
        ("zettle", "https://shop.genmystore.com", "is a Genstore address, but --platform is zettle: use --platform "
                                                  "genstore"),
        ("genstore", "https://shop.genmystore.com/admin/products", "give the store's address alone, "
                                                                   "https://shop.genmystore.com"),
        ("genstore", url.replace("http://", "https://"), "a sandbox on this machine serves plain http: use " + url),
    ]
    for platform, bad, needle in cases:
        code, _, err = run_cli(capsys, "import", sheet, "--platform", platform, "--url", bad, "--dry-run")
        assert code == 2 and needle in err, err


def test_a_refused_token_quotes_the_stores_401_body(synthetic, tmp_path, capsys, monkeypatch):
    _, url = synthetic(5)
    monkeypatch.setenv("STOCKSHEET_TOKEN", "not-the-token")
    code, _, err = run_cli(capsys, "import", str(sku_sheet(tmp_path / "s.csv", {1: 5})), "--platform", "genstore",
                           "--url", url, "--dry-run")
    assert code == 3 and "refused the access token (401: Invalid API key" in err and "STOCKSHEET_TOKEN" in err


def test_a_folder_given_as_the_sheet_names_the_sheets_inside(synthetic, tmp_path, capsys):
    _, url = synthetic(5)
    sku_sheet(tmp_path / "stock.csv", {1: 5})
    code, _, err = run_cli(capsys, "import", str(tmp_path), "--platform", "genstore", "--url", url, "--dry-run")
    assert code == 2 and "is a folder" in err and "stock.csv" in err


def test_map_of_a_header_the_sheet_lacks_and_sheet_on_a_csv_are_bad_usage(synthetic, tmp_path, capsys):
    app, url = synthetic(5)
    sheet = str(sku_sheet(tmp_path / "s.csv", {1: 55}))
    base = ["import", sheet, "--platform", "genstore", "--url", url]
    code, _, err = run_cli(capsys, *base, "--map", "Menge=available")
    assert code == 2 and "no column 'Menge'" in err and "SKU, Location, Available" in err
    code, _, err = run_cli(capsys, *base, "--sheet", "Lager")
    assert code == 2 and "has no sheets" in err and "Leave --sheet out" in err
    assert app.level("SKU-000001", "Warehouse 1") != 55


def test_save_profile_says_it_saved_and_how_to_reuse_it(synthetic, tmp_path, capsys):
    _, url = synthetic(5)
    code, text, _ = run_cli(capsys, "import", str(sku_sheet(tmp_path / "s.csv", {1: 55})), "--platform", "genstore",
                            "--url", url, "--dry-run", "--save-profile", "weekly")
    assert code == 0 and "Saved this mapping as the profile 'weekly': reuse it with --profile 'weekly'" in text


def sandbox(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STOCKSHEET, "sandbox", "--platform", "genstore", *args], capture_output=True, text=True,
                          timeout=60)


def test_a_sandbox_port_in_use_or_out_of_range_and_a_malformed_catalogue_are_bad_usage(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = sandbox("--port", str(port))
    assert done.returncode == 2 and f":{port}" in done.stderr and "--port 0" in done.stderr
    done = sandbox("--port", "70000")
    assert done.returncode == 2 and "not a TCP port" in done.stderr
    bad = tmp_path / "catalog.json"
    bad.write_text('{"locations": [{"name": "Main"}], "variants": [{"sku": "A"}]}')
    done = sandbox("--catalog", str(bad))
    assert done.returncode == 2 and "variants.0.product" in done.stderr and "Sandbox catalogues" in done.stderr
    bad.write_text("{not json")
    done = sandbox("--catalog", str(bad))
    assert done.returncode == 2 and "is not JSON (line 1" in done.stderr
    assert "Traceback" not in done.stderr


def test_reports_of_xls_ods_and_xlsx_inputs_do_not_overwrite_each_other(synthetic, tmp_path, capsys):
    from desktop_app.sheets.report import default_report_path
    names = {default_report_path(tmp_path / f"stock{ext}").name for ext in (".xlsx", ".xls", ".ods", ".xlsm")}
    assert names == {"stock.errors.xlsx", "stock.xls.errors.xlsx", "stock.ods.errors.xlsx", "stock.xlsm.errors.xlsx"}
    assert default_report_path(tmp_path / "stock.ods.errors.xlsx").name == "stock.ods.errors.xlsx"


def test_a_clean_reimport_removes_the_stale_error_report_it_had_written(synthetic, tmp_path, capsys):
    _, url = synthetic(5)
    sheet = write_csv(tmp_path / "s.csv", [["SKU", "Location", "Available"], ["SKU-000001", "Warehouse 1", 8],
                                           ["SKU-000002", "Warehouse 1", "x"]])
    base = ["--platform", "genstore", "--url", url, "--json"]
    code, out, _ = run_cli(capsys, "import", str(sheet), *base)
    assert code == 1 and out["report"] == str(tmp_path / "s.errors.csv")
    write_csv(sheet, [["SKU", "Location", "Available"], ["SKU-000001", "Warehouse 1", 8],
                      ["SKU-000002", "Warehouse 1", 9]])
    code, out, _ = run_cli(capsys, "import", str(sheet), *base)
    assert code == 0 and out["report"] is None
    assert not (tmp_path / "s.errors.csv").exists() and any("Removed the error report" in n for n in out["notices"])


@pytest.mark.parametrize("command", ["sandbox", "export", "import", "history", "resume", "undo", "show", "report"])
def test_every_subcommands_help_has_a_description_an_example_and_the_exit_statuses(command, capsys):
    code, text, _ = run_cli(capsys, command, "--help")
    assert code == 0
    assert "example:" in text and "exit status:" in text and "4  internal error" in text
    if command in ("export", "import"):
        for real in ("YOURSHOP.genmystore.com", "inventory.izettle.com", "YOURSHOP.myshoplaza.com",
                     "YOUR-MARKETPLACE-DOMAIN"):
            assert real in " ".join(text.split())
