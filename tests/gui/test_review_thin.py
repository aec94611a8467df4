"""Thin checks of the review page against the demo store over loopback HTTP: a SKU fixed in the
review table is checked again and its row moves; the units chart carries the sheet's per-location
ups and downs (its data, not its pixels); Tab leaves every table of the page."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.results import Status
from desktop_app.gui.review_model import Column, Group

from .conftest import write_csv

WAIT = 20_000


def live_levels(workspace, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(SKU, location name) → the demo store's live level, read over HTTP."""
    catalog = workspace.catalog(refresh=True)
    variant = {v.sku: v.id for v in catalog.variants}
    location = {loc.name: loc.id for loc in catalog.locations}
    levels = workspace.connector.read_levels([variant[s] for s, _ in pairs], [location[n] for _, n in pairs])
    return {(s, n): levels[(variant[s], location[n])] for s, n in pairs}


def outcome(window, row: int):
    return next(o for o in window.review_page.prepared.data.outcomes if o.row == row)


def test_a_sku_fixed_in_the_review_table_is_checked_again_and_the_row_moves(qtbot, window, workspace, tmp_path):
    live = live_levels(workspace, [("TS-BLK-S", "Main Warehouse")])[("TS-BLK-S", "Main Warehouse")]
    sheet = write_csv(tmp_path / "count.csv", [["SKU", "Location", "Available"],
                                               ["TS-BLK-SX", "Main Warehouse", live + 3],
                                               ["TS-BLK-M", "Main Warehouse", 1]])
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    page, model = window.review_page, window.review_page.table.model
    assert outcome(window, 2).status is Status.INVALID and outcome(window, 2).code == "variant-not-found"
    view_row = next(r for r in range(model.rowCount()) if model.outcome(r).row == 2)
    index = model.index(view_row, Column.VARIANT)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable and index.data() == "TS-BLK-SX"
    model.setData(index, "TS-BLK-S")
    assert not page.submit_button.isEnabled()
    qtbot.waitUntil(lambda: page.is_current() and outcome(window, 2).status is Status.PENDING, timeout=WAIT)
    fixed = outcome(window, 2)
    assert (fixed.sku, fixed.before, fixed.after) == ("TS-BLK-S", live, live + 3)
    assert page.prepared.preview.options.edits == {2: {"SKU": "TS-BLK-S"}}
    assert page.prepared.data.counts[Group.INVALID] == 0


def test_the_units_chart_shows_each_locations_units_up_and_down(qtbot, window, workspace, tmp_path):
    pairs = [("TS-BLK-S", "Main Warehouse"), ("TS-BLK-M", "Main Warehouse"), ("TS-BLK-S", "Outlet Store"),
             ("TS-BLK-M", "Outlet Store")]
    live = live_levels(workspace, pairs)
    wanted = {pairs[0]: live[pairs[0]] + 7, pairs[1]: max(0, live[pairs[1]] - 2),
              pairs[2]: live[pairs[2]] + 4, pairs[3]: live[pairs[3]]}
    sheet = write_csv(tmp_path / "count.csv", [["SKU", "Location", "Available"],
                                               *([s, n, wanted[(s, n)]] for s, n in pairs)])
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    chart = window.review_page.summary.chart
    got = {t.name: (t.up, t.down) for t in chart.locations}
    down = live[pairs[1]] - wanted[pairs[1]]
    assert down > 0, "the demo store's TS-BLK-M level at Main Warehouse should be above zero"
    assert got == {"Main Warehouse": (7, down), "Outlet Store": (4, 0)}
    assert "Main Warehouse: +7" in chart.accessibleDescription()


@pytest.fixture
def review(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    window.review_page.mapping_toggle.setChecked(True)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    return window.review_page


def test_tab_leaves_every_table_of_the_review_page(qtbot, review):
    tables = {"review table": review.table.view, "column mapping": review.mapping.table,
              "sheet preview": review.mapping.sheet_preview.view}
    for name, table in tables.items():
        assert table.isVisible(), name
        table.setFocus()
        qtbot.waitUntil(table.hasFocus, timeout=WAIT)
        qtbot.keyClick(table, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        assert focus is not None and focus is not table and not table.isAncestorOf(focus), \
            f"Tab stayed in the {name}"
        table.setFocus()
        qtbot.keyClick(table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        focus = QApplication.focusWidget()
        assert focus is not table and not table.isAncestorOf(focus), f"Shift+Tab stayed in the {name}"
