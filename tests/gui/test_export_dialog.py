"""Store ▸ Export stock report: the dialog's choices become the engine's export options; the
window writes the report in the background and offers Open and Show in folder."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.app import DemoStore, build_window
from desktop_app.core.issues import NOTICES
from desktop_app.core.models import Location
from desktop_app.engine.prepare import prepare
from desktop_app.gui.export_dialog import ExportDialog
from desktop_app.sheets.reader import read_sheet

LOCATIONS = [Location("1", "Main Warehouse"), Location("2", "Outlet Store"), Location("3", "Pop-up")]
WAIT = 20_000


def test_the_dialog_proposes_a_file_named_after_the_store_and_the_day(qtbot, tmp_path):
    dialog = ExportDialog(locations=LOCATIONS, store="Demo store (Genstore sandbox)", folder=tmp_path,
                          today=date(2026, 12, 2))
    qtbot.addWidget(dialog)
    assert dialog.path_edit.text() == str(tmp_path / "stock-demo-store-genstore-sandbox-2026-12-02.xlsx")
    assert not dialog.bom_check.isEnabled() and not dialog.delimiter_box.isEnabled()
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(".csv"))
    assert dialog.path_edit.text().endswith("2026-12-02.csv")
    assert dialog.bom_check.isEnabled() and dialog.delimiter_box.isEnabled()
    choice = dialog.choice()
    assert choice.options.locations == () and choice.options.low_stock is None and choice.options.bom


def test_the_dialog_choices_become_export_options(qtbot, tmp_path):
    dialog = ExportDialog(locations=LOCATIONS, store="Shop", folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.layout_box.setCurrentIndex(dialog.layout_box.findData("wide"))
    dialog.location_list.item(2).setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.only_low_check.isEnabled()
    dialog.low_check.setChecked(True)
    dialog.low_spin.setValue(3)
    dialog.only_low_check.setChecked(True)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(".csv"))
    dialog.bom_check.setChecked(False)
    dialog.delimiter_box.setCurrentIndex(dialog.delimiter_box.findData(";"))
    options = dialog.choice().options
    assert (options.layout, options.locations, options.low_stock, options.only_low, options.bom, options.delimiter) == \
        ("wide", ("Main Warehouse", "Outlet Store"), 3, True, False, ";")
    for i in range(2):
        dialog.location_list.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.export_button.isEnabled()          # nothing to export


def test_store_export_writes_the_report_in_the_background_and_shows_the_folder(qtbot, window, monkeypatch, tmp_path):
    chosen, shown, written = [], [], []

    def ask(cls, parent, *, locations, store, folder, can_filter_changes):
        assert not can_filter_changes                 # Genstore cannot filter by update time
        dialog = cls(locations=locations, store=store, folder=tmp_path, parent=parent,
                     can_filter_changes=can_filter_changes)
        assert not dialog.since_check.isEnabled() and "cannot say" in dialog.since_check.toolTip()
        dialog.layout_box.setCurrentIndex(dialog.layout_box.findData("wide"))
        dialog.low_check.setChecked(True)
        chosen.append(([loc.name for loc in locations], dialog.choice()))
        dialog.deleteLater()
        return chosen[-1][1]

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    monkeypatch.setattr(ExportDialog, "written", classmethod(lambda cls, parent, *, text: written.append(text) or "folder"))
    monkeypatch.setattr(ExportDialog, "show_path", classmethod(lambda cls, path: shown.append(path) or True))
    window.export_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    names, choice = chosen[0]
    assert names == ["Main Warehouse", "Outlet Store", "Pop-up"]
    assert shown == [choice.path.parent] and choice.path.exists() and choice.path.suffix == ".xlsx"
    assert "stock levels" in written[0] and str(choice.path) in window.statusBar().currentMessage()
    preview = prepare(choice.path, window.workspace.connector)
    assert preview.plan.changes == [] and [i for i in preview.issues if i.code not in NOTICES] == []
    assert read_sheet(choice.path).headers[-2:] == ["Total", "Low stock at"]
    store_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Store")
    assert window.export_action in store_menu.actions()                                # Store ▸ Export


def test_only_levels_changed_since_a_time_on_a_store_that_can_filter(qtbot, tmp_path, monkeypatch):
    store = DemoStore("shoplazza", state_dir=tmp_path / "demo")
    ws = store.workspace()
    window = build_window(ws, demo=store)
    qtbot.addWidget(window)
    try:
        [variant] = [v for v in ws.catalog().variants if v.sku == "TS-BLK-S"]
        location = ws.locations()[0]
        level = ws.connector.read_levels([variant.id], [location.id])[(variant.id, location.id)]
        chosen = []

        def ask(cls, parent, *, locations, store, folder, can_filter_changes):
            dialog = cls(locations=locations, store=store, folder=tmp_path, parent=parent,
                         can_filter_changes=can_filter_changes)
            assert dialog.since_check.isEnabled() and not dialog.since_edit.isEnabled()
            dialog.since_check.setChecked(True)
            assert dialog.since_edit.isEnabled()
            dialog.since_edit.setDateTime(datetime.now() - timedelta(minutes=5))
            dialog.format_box.setCurrentIndex(dialog.format_box.findData(".csv"))
            chosen.append(dialog.choice())
            dialog.deleteLater()
            return chosen[-1]

        # one level changed now; the demo's seeded levels were last changed months ago
        sheet = tmp_path / "one.csv"
        sheet.write_text(f"SKU,Location,Available\nTS-BLK-S,{location.name},{int(level) + 3}\n", encoding="utf-8")
        assert ws.submit(prepare(sheet, ws.connector), progress=lambda p: None).applied == 1
        monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
        monkeypatch.setattr(ExportDialog, "written", classmethod(lambda cls, parent, *, text: None))
        window.export_action.trigger()
        qtbot.waitUntil(lambda: bool(chosen) and chosen[0].path.exists() and not window.runner.is_running(),
                        timeout=WAIT)
        assert chosen[0].options.changed_since is not None
        report = read_sheet(chosen[0].path)
        sku = report.headers.index("SKU")
        assert [cells[sku] for _, cells in report.rows] == ["TS-BLK-S"]     # only the level changed since then
    finally:
        window.runner.cancel()
        window.runner.wait()
        ws.close()
        store.stop()
