"""Cells fixed in place (``ImportOptions.edits``): the file is never changed, the pipeline checks
the edited copy, the journal records the edits, and a corrected copy can be written."""
from __future__ import annotations

import csv

import pytest

from desktop_app.core.edits import apply_edits, edits_for_problem
from desktop_app.core.errors import InputError
from desktop_app.core.results import Status
from desktop_app.engine import runs
from desktop_app.engine.importer import write_corrected_sheet
from desktop_app.engine.journal import Journal
from desktop_app.engine.prepare import ImportOptions, prepare
from desktop_app.engine.submit import submit
from desktop_app.sheets.reader import read_sheet

from .conftest import write_sheet


def test_an_edited_quantity_is_checked_again_and_written_while_the_file_stays_as_it_was(open_store, tmp_path):
    store = open_store("genstore")
    where = store.locations[0].name
    path = write_sheet(tmp_path / "stock.csv", [("SKU-000001", where, "twelve"), ("SKU-000002", where, "x"),
                                                ("SKU-000003", where, 7)])
    original = path.read_bytes()
    first = prepare(path, store.connector)
    invalid = sorted(o.row for o in first.outcomes() if o.status is Status.INVALID)
    assert invalid == [2, 3]
    [problem] = {o.code for o in first.outcomes() if o.status is Status.INVALID}

    edits = {2: {"Available": "12"}}
    edits.update(edits_for_problem([o for o in first.outcomes() if o.row == 3], code=problem,
                                   column="Available", header="Available", value="4"))
    preview = prepare(path, store.connector, ImportOptions(edits=edits))
    assert {o.row: o.status for o in preview.outcomes()} == {2: Status.PENDING, 3: Status.PENDING, 4: Status.PENDING}
    assert preview.original.rows[0][1][2] == "twelve" and preview.sheet.rows[0][1][2] == "12"
    result = submit(preview, store.connector)
    assert result.applied == 3 and store.app.level("SKU-000001", where) == 12
    assert path.read_bytes() == original
    journal = Journal()
    try:
        record = journal.run(result.run_id)
    finally:
        journal.close()
    assert record.options["edits"] == {"2": {"Available": "12"}, "3": {"Available": "4"}}
    [summary] = runs.history()
    assert summary.id == result.run_id

    copy = write_corrected_sheet(preview, tmp_path / "stock.corrected.csv")
    with copy.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["SKU", "Location", "Available"] and [r[2] for r in rows[1:]] == ["12", "4", "7"]
    assert read_sheet(copy).headers == ["SKU", "Location", "Available"]


def test_an_edit_of_a_row_or_column_the_sheet_does_not_have_is_a_sentence(tmp_path):
    path = write_sheet(tmp_path / "stock.csv", [("A", "Main", 1)])
    sheet = read_sheet(path)
    with pytest.raises(InputError, match="no column 'Qty' to edit on row 2"):
        apply_edits(sheet, {2: {"Qty": "3"}})
    with pytest.raises(InputError, match="Row 9 is not a data row"):
        apply_edits(sheet, {9: {"Available": "3"}})
    assert apply_edits(sheet, {2: {"Available": ""}}).rows[0][1][2] is None and sheet.rows[0][1][2] == "1"


def test_the_header_row_can_be_chosen_and_rows_above_it_are_kept_for_the_preview(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Stock count March,,\nshop: north,,\nSKU,Location,Available\nA,Main,1\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.header_row == 3 and [n for n, _ in sheet.above] == [1, 2]
    chosen = read_sheet(path, header_row=2)
    assert chosen.header_row == 2 and chosen.headers[0] == "shop: north" and chosen.rows[0][0] == 3
    with pytest.raises(InputError, match="Row 40 of 'titled.csv' is empty"):
        read_sheet(path, header_row=40)
