"""Auth as the real stores do it, from the command line, against the sandboxes over loopback:
Zettle's API key exchanged for short-lived tokens, Marketplacer sites behind HTTP Basic auth.
Secrets come from the environment (or the keyring), never from argv, and never reach the output."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys

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


# -- every command that connects: import, export, undo and resume share one helper ---------------
USER, PASSWORD = "shop", "s3cret-basic-pass"


@pytest.fixture
def basic_site(monkeypatch):
    app = create_app("marketplacer", catalog="demo", rate="none", basic_auth=f"{USER}:{PASSWORD}")
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
        monkeypatch.delenv("STOCKSHEET_BASIC_PASSWORD", raising=False)
        yield app, server.url


def everything_written(stocksheet_home, *paths) -> str:
    """The text of every file Stocksheet wrote for itself (logs, journal, settings) and of ``paths``."""
    files = [p for p in stocksheet_home.rglob("*") if p.is_file()] + [p for p in paths if p]
    return "".join(open(p, "rb").read().decode("utf-8", "replace") for p in files)


def test_the_basic_password_never_reaches_stdout_stderr_json_reports_logs_or_the_journal(
        basic_site, capsys, tmp_path, monkeypatch, stocksheet_home):
    app, url = basic_site
    conn = ["--platform", "marketplacer", "--url", url, "--basic-user", USER]
    monkeypatch.setenv("STOCKSHEET_BASIC_PASSWORD", PASSWORD)
    sheet, edited = edited_export(capsys, tmp_path, conn)
    with open(sheet, "a", encoding="utf-8") as f:      # one bad row, so that an error report is written
        f.write("NO-SUCH-SKU,,,,,,,,,,abc\n")
    code, out, text = run(capsys, "import", sheet, *conn)
    assert code == 1 and out["applied"] == edited and out["report"], out
    assert PASSWORD not in text and PASSWORD not in json.dumps(out)

    monkeypatch.setenv("STOCKSHEET_BASIC_PASSWORD", "wrong-" + PASSWORD)
    code, _, refused = run(capsys, "export", *conn, "-o", str(tmp_path / "x.csv"))
    assert code == 3 and "HTTP Basic" in refused and PASSWORD not in refused
    assert PASSWORD not in everything_written(stocksheet_home, out["report"])


def test_the_basic_password_can_come_from_the_keyring_entry_the_window_saves(basic_site, capsys, tmp_path,
                                                                            monkeypatch):
    import keyring
    app, url = basic_site
    saved = {url + "#basic-auth": PASSWORD}
    monkeypatch.setattr(keyring, "get_password", lambda service, name: saved.get(name))
    code, out, text = run(capsys, "export", "--platform", "marketplacer", "--url", url + "/", "--basic-user", USER,
                          "-o", str(tmp_path / "x.csv"))
    assert code == 0 and out["rows"] > 0, text


def test_undo_and_resume_connect_as_the_run_did_and_take_the_same_auth_flags(basic_site, capsys, tmp_path,
                                                                             monkeypatch, stocksheet_home):
    app, url = basic_site
    conn = ["--platform", "marketplacer", "--url", url, "--basic-user", USER]
    monkeypatch.setenv("STOCKSHEET_BASIC_PASSWORD", PASSWORD)
    sheet, edited = edited_export(capsys, tmp_path, conn)
    code, out, _ = run(capsys, "import", sheet, *conn)
    assert code == 0 and out["applied"] == edited
    run_id = out["run_id"]
    assert PASSWORD not in everything_written(stocksheet_home)     # the user is journalled, never the password

    code, _, text = run(capsys, "undo", run_id, "--basic-user", "someone-else")   # a flag given now wins
    assert code == 3 and PASSWORD not in text
    code, undone, text = run(capsys, "undo", run_id)                 # the run's Basic user, from the journal
    assert code == 0 and undone["applied"] == edited, text
    code, _, text = run(capsys, "undo", undone["run_id"])            # an undo's undo: the same again
    assert code == 0, text
    code, _, text = run(capsys, "resume", run_id, "--basic-user", USER)
    assert code == 2 and "already finished" in text
    code, _, text = run(capsys, "resume", run_id, "--zettle-client-id", "abc")
    assert code == 2 and "--zettle-client-id" in text


def test_a_zettle_run_made_with_an_api_key_is_undone_with_the_client_id_from_the_environment(
        capsys, tmp_path, monkeypatch):
    app = create_app("zettle", catalog="demo", rate="none", token_lifetime_requests=2)
    with SandboxServer(app) as server:
        monkeypatch.setenv("STOCKSHEET_TOKEN", app.api_key)
        monkeypatch.setenv("STOCKSHEET_ZETTLE_CLIENT_ID", app.client_id)
        conn = ["--platform", "zettle", "--url", server.url]
        sheet, edited = edited_export(capsys, tmp_path, conn)
        code, out, _ = run(capsys, "import", sheet, *conn)
        assert code == 0 and out["applied"] == edited
        code, undone, text = run(capsys, "undo", out["run_id"])
        assert code == 0 and undone["applied"] == edited, text
        assert app.tokens_issued > 2 and app.api_key not in text

        monkeypatch.delenv("STOCKSHEET_ZETTLE_CLIENT_ID")        # a run made with the flag: undone without it
        code, out, _ = run(capsys, "import", sheet, *conn, "--zettle-client-id", app.client_id)
        assert code == 0 and out["applied"] == edited
        code, undone, text = run(capsys, "undo", out["run_id"])
        assert code == 0 and undone["applied"] == edited, text
        monkeypatch.setenv("STOCKSHEET_ZETTLE_CLIENT_ID", app.client_id)

        monkeypatch.setenv("STOCKSHEET_ZETTLE_CLIENT_ID", "someone-elses-client")
        code, _, text = run(capsys, "export", *conn, "-o", str(tmp_path / "y.csv"))
        assert code == 3 and "client id" in text and app.api_key not in text


def test_a_missing_api_key_says_where_the_key_goes(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("STOCKSHEET_TOKEN", raising=False)
    import keyring
    monkeypatch.setattr(keyring, "get_password", lambda service, name: None)
    code, _, text = run(capsys, "export", "--platform", "zettle", "--url", "http://127.0.0.1:9",
                        "--zettle-client-id", "abc", "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "API key" in text and "STOCKSHEET_TOKEN" in text


def test_a_password_tucked_into_the_basic_user_is_refused_and_not_echoed(basic_site, capsys, tmp_path,
                                                                        monkeypatch):
    app, url = basic_site
    code, _, text = run(capsys, "export", "--platform", "marketplacer", "--url", url, "--basic-user",
                        f"{USER}:{PASSWORD}", "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "STOCKSHEET_BASIC_PASSWORD" in text and PASSWORD not in text


def test_no_command_that_connects_takes_a_secret_on_its_command_line():
    from desktop_app.cli import build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    secret_words = ("password", "token", "secret", "api-key", "apikey", "credential")
    for name, command in sub.choices.items():
        if name == "sandbox":          # a throwaway emulator's own credentials
            continue
        flags = [s for action in command._actions for s in action.option_strings]
        assert not [f for f in flags if any(w in f.lower() for w in secret_words)], name
    for name in ("import", "export", "resume", "undo"):
        flags = {s for action in sub.choices[name]._actions for s in action.option_strings}
        assert {"--basic-user", "--zettle-client-id"} <= flags, name


# -- stocksheet sandbox: readings and Basic auth --------------------------------------------------
def test_the_sandbox_refuses_a_reading_it_does_not_have_and_basic_auth_off_marketplacer(capsys):
    assert main(["sandbox", "--platform", "zettle", "--reading", "no-such"]) == 2
    assert "partial-4xx" in capsys.readouterr().err
    assert main(["sandbox", "--platform", "genstore", "--basic-auth", "a:b"]) == 2
    assert "--basic-auth" in capsys.readouterr().err
    assert main(["sandbox", "--platform", "marketplacer", "--basic-auth", "no-colon"]) == 2
    assert "USER:PASSWORD" in capsys.readouterr().err


def sandbox(*args: str):
    return subprocess.Popen([sys.executable, "-m", "desktop_app", "sandbox", *args, "--rate", "none"],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_a_marketplacer_sandbox_behind_basic_auth_with_a_reading_serves_the_cli(capsys, tmp_path, monkeypatch):
    proc = sandbox("--platform", "marketplacer", "--reading", "bulk-partial", "--basic-auth", f"{USER}:{PASSWORD}")
    try:
        first = json.loads(proc.stdout.readline())
        assert first["url"].startswith("http://127.0.0.1:") and first["token"] and first["basic_user"] == USER
        monkeypatch.setenv("STOCKSHEET_TOKEN", first["token"])
        conn = ["--platform", "marketplacer", "--url", first["url"]]
        code, _, text = run(capsys, "export", *conn, "-o", str(tmp_path / "x.csv"))
        assert code == 3 and "HTTP Basic" in text
        monkeypatch.setenv("STOCKSHEET_BASIC_PASSWORD", PASSWORD)
        code, out, text = run(capsys, "export", *conn, "--basic-user", USER, "-o", str(tmp_path / "x.csv"))
        assert code == 0 and out["rows"] > 0, text
    finally:
        stop(proc)


def test_a_zettle_sandbox_prints_the_api_key_and_client_id_a_client_exchanges(capsys, tmp_path, monkeypatch):
    proc = sandbox("--platform", "zettle", "--reading", "partial-4xx")
    try:
        first = json.loads(proc.stdout.readline())
        assert {"platform", "url", "token", "api_key", "client_id"} <= first.keys()
        monkeypatch.setenv("STOCKSHEET_TOKEN", first["api_key"])
        code, out, text = run(capsys, "export", "--platform", "zettle", "--url", first["url"],
                              "--zettle-client-id", first["client_id"], "-o", str(tmp_path / "x.csv"))
        assert code == 0 and out["rows"] > 0, text
    finally:
        stop(proc)
