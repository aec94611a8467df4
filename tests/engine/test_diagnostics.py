"""What support sees: details and the log's last lines, with no token, password or URL credential."""
from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest

from desktop_app.engine import credentials, diagnostics
from desktop_app.engine.logs import setup_logging
from desktop_app.engine.workspace import StoreInfo

REPO = Path(__file__).resolve().parents[2]
TOKEN = "shpat_0123456789abcdef0123456789abcdef"
PASSWORD = "hunter2-basic-pw"


def secrets_in(text: str) -> list[str]:
    return [s for s in (TOKEN, PASSWORD, "s3cr3t-in-url") if s in text]


@pytest.fixture
def secrets_read(monkeypatch):
    """A token and a Basic password read the way the app reads them (the environment, through
    engine.credentials), so the log's redaction knows them."""
    monkeypatch.setenv("STOCKSHEET_TOKEN", TOKEN)
    monkeypatch.setenv("STOCKSHEET_BASIC_PASSWORD", PASSWORD)
    assert credentials.get_token("https://shop.example.com") == TOKEN
    assert credentials.get_basic_password("https://shop.example.com") == PASSWORD


def test_scrub_removes_the_secrets_read_and_the_credentials_in_store_urls(secrets_read):
    text = (f"store echoed {TOKEN} in an error body\n"
            f"GET https://alice:s3cr3t-in-url@shop.example.com/api/levels?page=2 (basic {PASSWORD})\n"
            "https://shop.example.com/products/mug@2x.png stays as it is")
    scrubbed = diagnostics.scrub(text)
    assert secrets_in(scrubbed) == []
    assert "GET https://***@shop.example.com/api/levels?page=2" in scrubbed
    assert "https://shop.example.com/products/mug@2x.png stays as it is" in scrubbed
    assert "alice" not in scrubbed


def test_details_name_the_version_from_pyproject_the_platforms_the_store_and_both_folders(stocksheet_home):
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    store = StoreInfo(platform="genstore", url="https://bob:s3cr3t-in-url@myshop.genmystore.com", name="My shop")
    rows = dict(diagnostics.details(platforms=["genstore", "zettle"], store=store, toolkit=[("Qt", "6.x")]))
    assert rows["Stocksheet"] == version
    assert rows["Platforms"] == "Genstore, Zettle"
    assert rows["Qt"] == "6.x"
    assert rows["Data folder"] == str(stocksheet_home)
    assert rows["Log folder"] == str(stocksheet_home / "logs")
    text = diagnostics.details_text(list(rows.items()))
    assert "My shop — genstore at https://***@myshop.genmystore.com" in text
    assert secrets_in(text) == []


def test_the_problem_report_carries_the_last_lines_of_the_real_log_scrubbed(stocksheet_home, secrets_read):
    log_file = Path(setup_logging())
    log = logging.getLogger("stocksheet.test")
    for n in range(1, 251):
        log.info("line %d of the run", n)
    log.warning("store answered 401 for %s", TOKEN)
    for handler in logging.getLogger().handlers:
        handler.flush()
    # a line the filter never saw (a crash handler, an older build) still leaves the report clean
    with log_file.open("a", encoding="utf-8") as f:
        f.write(f"raw: https://carol:s3cr3t-in-url@shop.example.com {PASSWORD} {TOKEN}\n")

    report = diagnostics.problem_report(diagnostics.details(platforms=["genstore"]))
    assert secrets_in(report) == []
    assert "line 250 of the run" in report and "line 53 of the run" in report
    assert "line 52 of the run" not in report          # 200 lines: 53…250, the warning, the raw line
    assert f"\nLog folder:" in report and f" {stocksheet_home / 'logs'}\n" in report
    assert report.startswith("What I did, what I expected, and what happened instead:")


def test_a_short_log_is_completed_from_the_rotated_one_and_a_missing_log_is_said(stocksheet_home):
    logs = stocksheet_home / "logs"
    assert diagnostics.log_tail(5, path=logs / "none.log") == f"(no log yet at {logs / 'none.log'})"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "app.log.1").write_text("".join(f"old {n}\n" for n in range(10)), encoding="utf-8")
    (logs / "app.log").write_text("new 0\nnew 1\n", encoding="utf-8")
    assert diagnostics.log_tail(4, path=logs / "app.log").splitlines() == ["old 8", "old 9", "new 0", "new 1"]
