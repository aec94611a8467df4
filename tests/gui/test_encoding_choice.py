"""The window says which encoding a text sheet was read with and reads it again with another one
chosen in the mapping panel's "Text encoding" dropdown (the window's ``--encoding``)."""
from __future__ import annotations

import csv

from desktop_app.gui.review_model import Group

WAIT = 20_000


def test_the_encoding_is_shown_and_another_one_chosen_in_the_panel_reads_the_sheet_again(qtbot, window, tmp_path):
    sheet = tmp_path / "lager.csv"
    with sheet.open("w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([["SKU", "Location", "Available", "Notiz"],
                                                 ["TS-BLK-S", "Main Warehouse", 7, "Größe S, Müller"]])
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    panel = window.review_page.mapping
    preview = window.review_page.prepared.preview
    assert preview.sheet.encoding == "cp1252" and preview.sheet.rows[0][1][3] == "Größe S, Müller"
    assert panel.encoding_box.isVisibleTo(panel)
    assert panel.encoding_combo.currentText() == "Windows-1252 (Western Europe)"
    assert any("read as Windows-1252 (Western Europe)" in n for n in preview.notices)
    assert "read as Windows-1252" in window.review_page.hint.text()
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        panel.encoding_combo.setCurrentIndex(panel.encoding_combo.findData("utf-8"))
    preview = window.review_page.prepared.preview
    assert preview.options.encoding == "utf-8" and preview.sheet.encoding == "utf-8"
    assert preview.sheet.rows[0][1][3] == "Gr\ufffd\ufffde S, M\ufffdller"  # what UTF-8 makes of these bytes
    assert panel.encoding_combo.currentText() == "UTF-8"
    assert window.review_page.table.model.review.counts[Group.ALL] == 1


def test_a_workbook_has_no_encoding_to_choose(qtbot, window, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    for row in (["SKU", "Location", "Available"], ["TS-BLK-S", "Main Warehouse", 7]):
        book.active.append(row)
    book.save(tmp_path / "stock.xlsx")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(tmp_path / "stock.xlsx")
    assert not window.review_page.mapping.encoding_box.isVisibleTo(window.review_page.mapping)
