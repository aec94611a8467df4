"""Auth as the real stores do it, from the command line, against the sandboxes over loopback:
Zettle's API key exchanged for short-lived tokens, Marketplacer sites behind HTTP Basic auth.
Secrets come from the environment (or the keyring), never from argv, and never reach the output."""
from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app
from desktop_app.sheets.reader import read_sheet


def run(capsys, *args: str) -> tuple[int, dict, str]:
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    return code, json.loads(lines[-1]) if lines else {}, captured.out + captured.err


def edited_export(capsys, tmp_path, conn: list[str]) -> tuple[str, int]:
    exported = tmp_path / "stock.csv"
    code, out, _ = run(capsys, "export", *conn, "-o", str(exported))
    assert code == 0, out
    sheet = read_sheet(exported)
    col = next(i for i, h in enumerate(sheet.headers) if h.lower() == "available")
    rows = [list(cells) for _, cells in sheet.rows]
    edited = 0
    for cells in rows:
        if str(cells[col]).lstrip("-").isdigit():
            cells[col] = int(cells[col]) + 7
            edited += 1
    with exported.open("w", encoding="utf-8", newline="") as f:
        import csv
        w = csv.writer(f)
        w.writerow(sheet.headers)
        w.writerows(rows)
    return str(exported), edited


def test_a_zettle_import_with_an_api_key_outlives_its_short_lived_tokens(capsys, tmp_path, monkeypatch):
    app = create_app("zettle", catalog="demo", rate="none", token_lifetime_requests=3)
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.api_key)
        conn = ["--platform", "zettle", "--url", server.url, "--zettle-client-id", app.client_id]
        sheet, edited = edited_export(capsys, tmp_path, conn)
        code, out, text = run(capsys, "import", sheet, *conn)
        assert code == 0, out
        assert out["applied"] == out["verified"] == edited > 0
        assert app.tokens_issued > 1                       # the run outlived a token
        assert app.api_key not in text


def test_a_zettle_api_key_without_its_client_id_is_refused_without_echoing_it(capsys, tmp_path, monkeypatch):
    app = create_app("zettle", catalog="demo", rate="none")
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.api_key)        # an API key used as an access token
        code, _, text = run(capsys, "export", "--platform", "zettle", "--url", server.url, "-o",
                            str(tmp_path / "x.csv"))
        assert code == 3 and app.api_key not in text


def test_a_marketplacer_site_behind_basic_auth_works_with_the_password_from_the_environment(
        capsys, tmp_path, monkeypatch):
    password = "s3cret-basic-pass"
    app = create_app("marketplacer", catalog="demo", rate="none", basic_auth=f"shop:{password}")
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        conn = ["--platform", "marketplacer", "--url", server.url, "--basic-user", "shop"]

        monkeypatch.delenv("STOCKSHEET_BASIC_PASSWORD", raising=False)
        code, _, text = run(capsys, "export", *conn, "-o", str(tmp_path / "x.csv"))
        assert code == 2 and "STOCKSHEET_BASIC_PASSWORD" in text

        monkeypatch.setenv("STOCKSHEET_BASIC_PASSWORD", password)
        sheet, edited = edited_export(capsys, tmp_path, conn)
        code, out, text = run(capsys, "import", sheet, *conn)
        assert code == 0, out
        assert out["applied"] == out["verified"] == edited > 0
        assert password not in text and app.token not in text


@pytest.mark.parametrize("flag, value, platform", [("--basic-user", "shop", "genstore"),
                                                   ("--zettle-client-id", "abc", "genstore")])
def test_a_platform_flag_on_another_platform_is_bad_usage_naming_the_flag(capsys, tmp_path, monkeypatch,
                                                                          flag, value, platform):
    monkeypatch.setenv("STOCKSHEET_TOKEN", "t")
    code, _, text = run(capsys, "export", "--platform", platform, "--url", "http://127.0.0.1:9", flag, value,
                        "-o", str(tmp_path / "x.csv"))
    assert code == 2 and flag in text
