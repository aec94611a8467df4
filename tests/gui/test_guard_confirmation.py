"""The guards in the window's confirmation: a sheet that would zero the store shows the guards
and their numbers in red, Apply stays off until "Allow this mass change" is ticked, and nothing
is written unless it is."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from desktop_app.engine import guards
from desktop_app.gui.submit_dialog import GUARD_STYLE, SubmitDialog

WAIT = 30_000


@pytest.fixture
def zeroing_sheet(workspace, tmp_path) -> Path:
    """The demo store's own export with every Available set to 0."""
    export = tmp_path / "stock.csv"
    workspace.export(export)
    with export.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    out = tmp_path / "zeroed.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        at = rows[0].index("Available")
        csv.writer(f).writerows([rows[0]] + [r[:at] + ["0"] + r[at + 1:] for r in rows[1:]])
    return out


def test_a_mass_zeroing_is_shown_in_red_and_not_written_unless_allowed(qtbot, window, zeroing_sheet, monkeypatch):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(zeroing_sheet)
    before = window.workspace.export(zeroing_sheet.with_name("before.csv"))
    asked = []
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, *, text: pytest.fail("no guard")))
    monkeypatch.setattr(SubmitDialog, "confirm_mass_change", classmethod(
        lambda cls, parent, *, text, guards: asked.append(guards) or False))
    window.review_page.submit_button.click()
    [tripped] = asked
    assert guards.ZERO_SHARE in {t.guard for t in tripped}
    assert window.stack.currentWidget() is window.review_page and not window.runner.is_running()
    assert window.workspace.export(zeroing_sheet.with_name("after.csv")).levels == before.levels
    assert zeroing_sheet.with_name("after.csv").read_text() == zeroing_sheet.with_name("before.csv").read_text()

    monkeypatch.setattr(SubmitDialog, "confirm_mass_change", classmethod(lambda cls, parent, *, text, guards: True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.review_page.submit_button.click()
    result = window.finished.result
    assert result.applied == result.changes > 0 and result.failed == 0


def test_the_confirmation_enables_apply_only_once_the_mass_change_is_allowed(qtbot):
    tripped = [guards.Tripped(guards.ZERO_SHARE, "30 of the 30 stocked levels the sheet names (100%) would go to 0",
                              {"levels": 30, "stocked": 30, "share": 1.0, "limit": 0.25})]
    dialog = SubmitDialog("Stocksheet will write 30 stock levels.", guards=tripped)
    qtbot.addWidget(dialog)
    assert "30 of the 30 stocked levels" in dialog.guard_label.text()
    assert dialog.guard_label.styleSheet() == dialog.allow_box.styleSheet() == GUARD_STYLE and "#d32f2f" in GUARD_STYLE
    assert not dialog.guard_label.isHidden() and not dialog.allow_box.isHidden()
    assert not dialog.apply_button.isEnabled()
    dialog.allow_box.setChecked(True)
    assert dialog.apply_button.isEnabled()
    plain = SubmitDialog("Stocksheet will write 2 stock levels.")
    qtbot.addWidget(plain)
    assert plain.apply_button.isEnabled() and plain.allow_box.isHidden() and plain.guard_label.isHidden()
