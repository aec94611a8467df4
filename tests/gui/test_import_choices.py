"""The user's per-import and per-store choices: overwriting stale levels (review page, demo store
over loopback HTTP) and where Zettle's removed stock goes (connection dialog, Zettle sandbox)."""
from __future__ import annotations

import csv
from pathlib import Path

import keyring
import pytest

from desktop_app.app import DemoStore, connect_store
from desktop_app.gui.connection_dialog import ConnectionDialog
from desktop_app.gui.review_model import Group
from desktop_app.gui.settings import Settings
from desktop_app.gui.submit_dialog import SubmitDialog

WAIT = 20_000
SHOPIFY_HEADERS = ["Handle", "Title", "Option1 Name", "Option1 Value", "SKU", "Location",
                   "Available (not editable)", "On hand (current)", "On hand (new)"]


# -- stale levels ---------------------------------------------------------------------------------
def live_level(workspace, sku: str, location: str) -> int:
    catalog = workspace.catalog(refresh=True)
    variant = next(v for v in catalog.variants if v.sku == sku)
    loc = next(x for x in catalog.locations if x.name == location)
    return workspace.connector.read_levels({variant.id}, {loc.id}).get((variant.id, loc.id))


@pytest.fixture
def shopify_sheet(tmp_path, workspace) -> tuple[Path, dict[str, int]]:
    """A Shopify inventory export of two levels; the user saw TS-BLK-M's level before a sale moved it."""
    fresh, moved = live_level(workspace, "TS-BLK-S", "Main Warehouse"), live_level(workspace, "TS-BLK-M",
                                                                                   "Main Warehouse")
    path = tmp_path / "inventory_export.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(SHOPIFY_HEADERS)
        w.writerow(["organic-cotton-t-shirt", "Organic Cotton T-Shirt", "Title", "Black / S", "TS-BLK-S",
                    "Main Warehouse", fresh, fresh, fresh + 5])
        w.writerow(["organic-cotton-t-shirt", "Organic Cotton T-Shirt", "Title", "Black / M", "TS-BLK-M",
                    "Main Warehouse", moved + 2, moved + 2, moved + 10])
    return path, {"TS-BLK-S": fresh + 5, "TS-BLK-M": moved + 10, "moved": moved}


def submit(qtbot, window, monkeypatch) -> str:
    asked: list[str] = []
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, *, text: asked.append(text) or True))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.review_page.submit_button.click()
    return asked[0]


def test_a_stale_level_is_not_written_by_default_and_the_confirmation_says_so(qtbot, window, shopify_sheet,
                                                                              monkeypatch):
    path, wanted = shopify_sheet
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(path)
    page = window.review_page
    box = page.force_stale_box
    assert box.isVisible() and not box.isChecked()
    assert page.prepared.data.counts[Group.STALE] == 1 and page.prepared.summary.changes == 1
    assert "Overwrite stale levels" in page.hint.text()
    text = submit(qtbot, window, monkeypatch)
    assert "Not written: 1 stale level" in text and "overwritten" not in text
    assert window.finished.result.applied == 1 and window.finished.result.stale == 1
    assert live_level(window.workspace, "TS-BLK-S", "Main Warehouse") == wanted["TS-BLK-S"]
    assert live_level(window.workspace, "TS-BLK-M", "Main Warehouse") == wanted["moved"]


def test_checking_overwrite_rechecks_with_the_same_mapping_and_writes_the_stale_level(qtbot, window, shopify_sheet,
                                                                                      monkeypatch):
    path, wanted = shopify_sheet
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(path)
    page = window.review_page
    role = page.mapping.role_box("Title")               # a mapping choice the re-check must keep
    role.setCurrentIndex(role.findData("ignore"))
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        page.force_stale_box.setChecked(True)
    preview = page.prepared.preview
    assert preview.options.force_stale and preview.options.overrides == {"Title": "ignore"}
    assert page.force_stale_box.isChecked() and page.prepared.data.counts[Group.STALE] == 0
    assert page.prepared.summary.changes == 2 and page.prepared.overwritten == 1
    assert "1 level changed in the store since the sheet was made will be overwritten" in page.hint.text()

    text = submit(qtbot, window, monkeypatch)
    assert "1 level changed since the sheet was made will be overwritten" in text
    assert "Not written" not in text
    assert window.finished.result.applied == 2 and window.finished.result.stale == 0
    assert live_level(window.workspace, "TS-BLK-M", "Main Warehouse") == wanted["TS-BLK-M"]

    # the choice belongs to that import: the next one starts unchecked again
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(path)
    assert not page.force_stale_box.isChecked() and not page.prepared.preview.options.force_stale


def test_the_overwrite_choice_is_hidden_for_a_sheet_that_records_no_seen_level(qtbot, window, tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("SKU,Location,Available\nTS-BLK-S,Main Warehouse,7\n", encoding="utf-8")
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(plain)
    assert not window.review_page.force_stale_box.isVisible()


# -- Zettle's removal destination -----------------------------------------------------------------
@pytest.fixture
def zettle_store(tmp_path):
    store = DemoStore("zettle", state_dir=tmp_path / "zettle-state")
    yield store
    store.stop()


class RecordingConnect:
    """The real ``app.connect_store``, remembering what the dialog asked for."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append({k: v for k, v in kwargs.items() if k != "token"})
        return connect_store(**kwargs)


def test_the_removal_destination_is_offered_for_zettle_only(qtbot):
    dialog = ConnectionDialog(platforms=["genstore", "zettle"], connect=RecordingConnect())
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.removal_combo.isVisible() and dialog.options() == {}
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("zettle"))
    assert dialog.removal_combo.isVisible()
    assert [dialog.removal_combo.itemText(i) for i in range(dialog.removal_combo.count())] == [
        "BIN (discarded)", "SOLD (sold)"]
    assert dialog.options() == {"removal_location": "BIN"}
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("genstore"))
    assert not dialog.removal_combo.isVisible() and dialog.options() == {}
    dialog.close()


def test_the_chosen_removal_destination_reaches_the_connector_and_is_remembered_per_store(
        qtbot, zettle_store, monkeypatch, stocksheet_home):
    monkeypatch.setattr(keyring, "set_password", lambda service, url, token: None)
    settings, connect = Settings(), RecordingConnect()
    dialog = ConnectionDialog(platforms=["genstore", "zettle"], connect=connect, settings=settings)
    qtbot.addWidget(dialog)
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("zettle"))
    dialog.url_edit.setText(zettle_store.server.url)
    dialog.token_edit.setText(zettle_store.app.token)
    dialog.removal_combo.setCurrentIndex(dialog.removal_combo.findData("SOLD"))
    with qtbot.waitSignal(dialog.runner.finished, timeout=WAIT):
        dialog.test_button.click()
    assert connect.calls == [{"platform": "zettle", "url": zettle_store.server.url, "removal_location": "SOLD"}]
    assert dialog.workspace.connector.removal_location == "SOLD"
    dialog.ok_button.click()
    dialog.workspace.close()
    assert settings.store_options(zettle_store.server.url) == {"removal_location": "SOLD"}
    settings.sync()
    ini = "".join(p.read_text(errors="ignore") for p in stocksheet_home.rglob("*.ini"))
    assert "SOLD" in ini and zettle_store.app.token not in ini

    # next time, the same store URL brings the same choice back
    again = ConnectionDialog(platforms=["genstore", "zettle"], connect=connect, settings=Settings())
    qtbot.addWidget(again)
    again.platform_combo.setCurrentIndex(again.platform_combo.findData("zettle"))
    assert again.removal_combo.currentData() == "BIN"
    again.url_edit.setText(zettle_store.server.url + "/")
    assert again.removal_combo.currentData() == "SOLD"
