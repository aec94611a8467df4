"""One of a thing is said in the singular everywhere: "1 row", "1 change", "1 data row" — in the
check's progress lines, the feed's lines for cron, the window's mapping and result."""
from __future__ import annotations

import re

from desktop_app.cli import main
from desktop_app.core.words import plural
from desktop_app.engine.prepare import prepare

from .conftest import write_sheet

ONE_PLURAL = re.compile(r"(?<![\d,.])1 (rows|changes|levels|requests|data rows)\b")


def test_plural_counts_one_as_one():
    assert [plural(n, "row") for n in (0, 1, 2, 1204)] == ["0 rows", "1 row", "2 rows", "1,204 rows"]
    assert plural(1, "data row") == "1 data row" and plural(3, "entry", "entries") == "3 entries"


def test_a_one_row_sheet_is_counted_in_the_singular_by_the_check_and_the_feed(open_store, tmp_path, capsys,
                                                                             monkeypatch):
    store = open_store("genstore")
    sku, location, level = store.stocked(1)[0]
    sheet = write_sheet(tmp_path / "one.csv", [(sku, location, level + 1)])
    said: list[str] = []
    preview = prepare(sheet, store.connector, progress=lambda p: said.append(p.message))
    assert len(preview.plan.changes) == 1
    assert not [m for m in said if ONE_PLURAL.search(m)], said
    assert "1 change in 1 request." in said

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_sheet(inbox / "one.csv", [(sku, location, level + 2)])
    assert main(["watch", str(inbox), "--once", "--settle", "0", "--platform", "genstore", "--url", store.url]) == 0
    printed = capsys.readouterr().out
    assert "read 1 data row;" in printed and not ONE_PLURAL.search(printed), printed

