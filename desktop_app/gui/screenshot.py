"""``--screenshot PATH``: open a sample, show its review page with the column mapping open and
one invalid row fixed in place (as a user would), save the window, quit."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.core.results import Status
from desktop_app.gui.review_data import LOCATION_CODES, QUANTITY_CODES


def fix_first_row(window) -> bool:
    """Fix the first invalid row that one cell can fix (a location from the store's list, or 0);
    False when there is none."""
    page = window.review_page
    data = page.prepared.data if page.prepared else None
    if data is None:
        return False
    fixable = [o for o in data.outcomes if o.status is Status.INVALID and data.fix_header(o)
               and o.code in QUANTITY_CODES | LOCATION_CODES]
    for o in sorted(fixable, key=lambda o: o.code not in QUANTITY_CODES):
        header = data.fix_header(o)
        value = page.table.location_names()[0] if header == data.location_header else "12"
        page.table.fix_requested.emit([r.row for r in data.rows_with_problem(o)], header, value)
        return True
    return False


def show_edited_row(window) -> None:
    """Select the first row fixed in the window: the detail pane shows the cell as read and as fixed."""
    table = window.review_page.table
    model = table.model
    for r in range(model.rowCount()):
        if model.outcome(r).row in model.review.edited:
            table.view.selectRow(r)
            table.view.scrollTo(model.index(r, 0))
            return


def take_screenshot(window, path: Path, *, sample: Path | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"fixed": False}

    def shoot() -> None:
        ok = window.grab().save(str(path))
        print(f"Screenshot saved to {path}" if ok else f"Could not save a screenshot to {path}", flush=True)
        window.close()
        QApplication.instance().exit(0 if ok else 1)

    def settle(*_: object) -> None:
        if not state["fixed"] and window.stack.currentWidget() is window.review_page:
            state["fixed"] = True
            window.review_page.mapping_toggle.setChecked(True)
            if fix_first_row(window):
                return          # shot once the fixed sheet has been checked again
        show_edited_row(window)
        QTimer.singleShot(400, window, shoot)   # let layouts and the table paint

    if sample is not None:
        window.runner.finished.connect(settle)
        window.runner.failed.connect(settle)
        window.open_file(sample)
    else:
        settle()
