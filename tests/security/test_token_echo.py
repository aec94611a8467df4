"""A store that echoes the access token in its error answers (401, 422) — as some do — never gets
it printed, logged, reported or journalled, on any of the four platforms, whether the token came
from the environment or the keyring; nor does a 422 print the request's header map. The
sandboxes echo as a fault option (``--faults echo=1``) to reproduce it."""
from __future__ import annotations

import csv
import sqlite3

import keyring
import pytest

from desktop_app.cli import main
from desktop_app.core.errors import AuthError
from desktop_app.platforms.registry import connect
from desktop_app.engine import paths

from .conftest import HEADER_DUMP_MARKER, PLATFORMS, files_holding, known_token


@pytest.fixture
def fake_keyring(monkeypatch) -> dict[str, str]:
    saved: dict[str, str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda service, name, secret: saved.update({name: secret}))
    monkeypatch.setattr(keyring, "get_password", lambda service, name: saved.get(name))
    return saved


@pytest.mark.parametrize("source", ["environment", "keyring"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_401_that_echoes_the_token_never_prints_or_logs_it(platform, source, sandbox, stocksheet_home, tmp_path,
                                                             monkeypatch, fake_keyring, capsys):
    app, server = sandbox(platform, faults="echo=1")
    wrong = known_token("wrong")                         # the one the user gave: still a secret
    if source == "environment":
        monkeypatch.setenv("STOCKSHEET_TOKEN", wrong)
    else:
        fake_keyring[server.url] = wrong
    code = main(["export", "--platform", platform, "--url", server.url, "-o", str(tmp_path / "out.csv")])
    out = capsys.readouterr()
    assert code == 3 and "refused the access token" in out.err
    assert wrong not in out.out + out.err
    assert app.counts["5xx"] == 0                        # (the echo is the only fault)
    assert files_holding(stocksheet_home, wrong) == []   # the log included
    assert (paths.logs_dir() / "stocksheet.log").read_text().count("refused the access token") == 1


def edited_export(path, *, add: int) -> int:
    """Raise every numeric level of an exported CSV by ``add``; returns how many."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    numeric = [row for row in rows if row["Available"].lstrip("-").isdigit()]
    for row in numeric:
        row["Available"] = str(int(row["Available"]) + add)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(numeric)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_422_that_echoes_the_request_prints_neither_the_token_nor_the_header_map(platform, sandbox, stocksheet_home,
                                                                                  tmp_path, monkeypatch, capsys):
    token = known_token()
    app, server = sandbox(platform, token=token, faults="422=1,echo=1")   # every write refused, echoing it all
    monkeypatch.setenv("STOCKSHEET_TOKEN", token)
    sheet = tmp_path / "stock.csv"
    conn = ["--platform", platform, "--url", server.url]
    assert main(["export", *conn, "-o", str(sheet)]) == 0
    assert edited_export(sheet, add=3) > 0
    report = tmp_path / "report.csv"
    code = main(["import", str(sheet), *conn, "--report", str(report)])
    out = capsys.readouterr()
    assert code == 1 and app.counts["422"] > 0, out.out + out.err
    texts = out.out + out.err + report.read_text(encoding="utf-8-sig")
    assert token not in texts and HEADER_DUMP_MARKER not in texts
    journal = "\n".join(sqlite3.connect(paths.journal_path()).iterdump())
    assert token not in journal and HEADER_DUMP_MARKER not in journal
    assert files_holding(stocksheet_home, token) == [] and files_holding(tmp_path, token) == []


def test_a_zettle_sign_in_that_echoes_a_wrong_api_key_never_prints_or_logs_it(sandbox, stocksheet_home, tmp_path,
                                                                             monkeypatch, capsys):
    app, server = sandbox("zettle", faults="echo=1")
    wrong = known_token("api-key")
    monkeypatch.setenv("STOCKSHEET_TOKEN", wrong)
    code = main(["export", "--platform", "zettle", "--url", server.url, "--zettle-client-id", app.client_id,
                 "-o", str(tmp_path / "out.csv")])
    out = capsys.readouterr()
    assert code == 3 and "refused the API key" in out.err, out.err
    assert wrong not in out.out + out.err and files_holding(stocksheet_home, wrong) == []
    connector = connect("zettle", server.url, wrong, client_id=app.client_id)
    with pytest.raises(AuthError) as refused:              # the exception itself, before any printing
        connector.list_locations()
    connector.close()
    assert wrong not in str(refused.value) and "refused the API key" in str(refused.value)
