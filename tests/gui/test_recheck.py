"""What the review page shows is what Apply does: a mapping change re-checks the sheet by itself
(debounced, in the background) and Apply is off while the shown plan is not the current mapping.

Against the demo store over loopback HTTP, through the real window."""
from __future__ import annotations

from desktop_app.gui.submit_dialog import SubmitDialog

WAIT = 20_000


def levels(window, sku: str) -> dict[str, int]:
    """The store's live levels of ``sku`` by location name, read over HTTP."""
    ws = window.workspace
    catalog = ws.catalog(refresh=True)
    variant = next(v for v in catalog.variants if v.sku == sku)
    names = {loc.id: loc.name for loc in catalog.locations}
    live = ws.connector.read_levels({variant.id}, set(names))
    return {names[loc]: level for (_, loc), level in live.items()}


def test_a_role_change_rechecks_by_itself_and_apply_writes_what_the_page_then_shows(qtbot, window, sheet,
                                                                                      monkeypatch):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    page = window.review_page
    assert page.submit_button.isEnabled()
    before = levels(window, "TS-BLK-S")

    box = page.mapping.role_box("Available")
    box.setCurrentIndex(box.findData("adjust"))      # no "Check again" click
    # the shown plan is the old mapping's: Apply is off until the re-check lands
    assert not page.submit_button.isEnabled()
    assert not window.submit_action.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(SubmitDialog, "confirm", classmethod(lambda cls, parent, **kw: asked.append(kw["text"]) or True))
    window.submit()                                   # Ctrl+Enter in between: refused, nothing asked
    assert asked == []
    assert not window.runner.is_running() or window.runner.name == "checking"

    qtbot.waitUntil(lambda: page.prepared.preview.options.overrides == {"Available": "adjust"}
                    and page.submit_button.isEnabled(), timeout=WAIT)
    preview = page.prepared.preview
    assert {c.mode.value for c in preview.changes} == {"adjust"}
    up = page.prepared.summary.up
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        page.submit_button.click()
    assert len(asked) == 1 and f": +{up:,} units in total" in asked[0].splitlines()[0]   # adjust only adds
    assert "It should take" in asked[0] and "Genstore's rate" in asked[0]   # how long, from the rate
    after = levels(window, "TS-BLK-S")
    # the sheet's 20 and 5 were added to the live levels, not set
    assert after["Main Warehouse"] == before["Main Warehouse"] + 20
    assert after["Outlet Store"] == before["Outlet Store"] + 5


def test_changes_made_while_a_check_runs_are_checked_once_it_ends(qtbot, window, sheet):
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.open_file(sheet)
    page = window.review_page
    box = page.mapping.role_box("Available")
    box.setCurrentIndex(box.findData("adjust"))
    key = page.mapping.key_combo
    qtbot.waitUntil(window.runner.is_running, timeout=WAIT)   # the debounced check started
    box.setCurrentIndex(box.findData("available"))            # back to "set", mid-check
    key.setCurrentIndex(key.findText("SKU"))
    assert not page.submit_button.isEnabled()
    qtbot.waitUntil(lambda: page.is_current() and not window.runner.is_running(), timeout=WAIT)
    options = page.prepared.preview.options
    assert options.overrides.get("Available", "available") == "available"
    assert options.key is not None and options.key.value == "sku"
    assert {c.mode.value for c in page.prepared.preview.changes} == {"set"}
    assert page.submit_button.isEnabled()
