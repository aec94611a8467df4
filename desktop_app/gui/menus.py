"""The main window's menus, their keyboard shortcuts (File, Import, Store) and when each is enabled."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtGui import QAction, QKeySequence


def _action(window, text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _=False: slot())
    return action


def build_menus(self) -> None:
    """Create the menu bar of ``self`` (a MainWindow) and its actions, stored as attributes."""
    bar = self.menuBar()
    file_menu = bar.addMenu("&File")
    self.open_action = _action(self, "&Open sheet…", self.choose_file, QKeySequence.StandardKey.Open)
    file_menu.addAction(self.open_action)
    self.recent_menu = file_menu.addMenu("Open &recent")
    self.recent_menu.aboutToShow.connect(lambda: _fill_recent_menu(self))
    file_menu.addSeparator()
    self.export_action = _action(self, "&Export stock report…", self.export_stock, "Ctrl+E")
    self.report_action = _action(self, "&Save error report…", self.save_error_report, QKeySequence.StandardKey.Save)
    self.corrected_action = _action(self, "Save &corrected sheet…", self.save_corrected_sheet)
    file_menu.addActions([self.export_action, self.report_action, self.corrected_action])
    file_menu.addSeparator()
    file_menu.addAction(_action(self, "&Quit", self.close, QKeySequence.StandardKey.Quit))

    run_menu = bar.addMenu("&Import")
    self.recheck_action = _action(self, "Check &again now",
                                  self.review_page.mapping.recheck_button.click, "Ctrl+R")
    self.submit_action = _action(self, "&Apply changes…", self.submit, "Ctrl+Return")
    self.cancel_action = _action(self, "&Cancel", self.escape, "Esc")
    self.history_action = _action(self, "&History", self.show_history, "Ctrl+H")
    self.undo_action = _action(self, "&Undo this import", self.undo)
    run_menu.addActions([self.recheck_action, self.submit_action, self.cancel_action])
    run_menu.addSeparator()
    run_menu.addActions([self.undo_action, self.history_action])
    store_menu = bar.addMenu("&Store")
    self.connect_action = _action(self, "&Connect to a store…", self.choose_store, "Ctrl+K")
    self.connect_action.setVisible(self._connect is not None)
    store_menu.addAction(self.connect_action)
    self.switch_menu = store_menu.addMenu("S&witch to")
    self.switch_menu.aboutToShow.connect(lambda: _fill_switch_menu(self))
    self._update_actions()


def update_actions(self) -> None:
    """Enable what ``self`` (a MainWindow) can do now: nothing that starts a job while one runs."""
    busy = self.runner.is_running()
    page = self.stack.currentWidget()
    for a in (self.open_action, self.export_action, self.connect_action, self.history_action):
        a.setEnabled(not busy)
    self.recent_menu.setEnabled(not busy)
    self.cancel_action.setEnabled(busy or page is not self.start_page)
    self.cancel_action.setText("&Cancel" if busy else "&Back")
    self.home_button.setEnabled(not busy and page is not self.start_page)
    self.recheck_action.setEnabled(not busy and page is self.review_page)
    can_submit = not busy and page is self.review_page and self.review_page.can_apply()
    self.submit_action.setEnabled(can_submit)
    self.review_page.submit_button.setEnabled(can_submit)
    self.review_page.mapping.recheck_button.setEnabled(not busy)
    self.review_page.force_stale_box.setEnabled(not busy)
    self.report_action.setEnabled(not busy and page is self.result_view and
                                  self.result_view.save_report_button.isEnabled())
    self.corrected_action.setEnabled(not busy and page is self.review_page
                                     and not self.review_page.save_corrected_button.isHidden())
    self.undo_action.setVisible(self.can_undo())
    self.undo_action.setEnabled(not busy and page is self.result_view and self.result_view.undo_button.isEnabled())
    self.history_action.setVisible(self.has_history())
    self.connect_button.setEnabled(not busy)
    self.start_page.setEnabled(not busy)


def _fill_recent_menu(self) -> None:
    self.recent_menu.clear()
    recent = self.settings.recent_files()
    for p in recent:
        self.recent_menu.addAction(Path(p).name, lambda p=p: self.open_file(Path(p))).setToolTip(p)
    if not recent:
        self.recent_menu.addAction("No recent files").setEnabled(False)


def _fill_switch_menu(self) -> None:
    """The demo store and every saved connection; the one in use is checked."""
    self.switch_menu.clear()
    for label, url in self.store_choices():
        action = self.switch_menu.addAction(label, lambda url=url: self.switch_store(url))
        action.setCheckable(True)
        action.setChecked(url == ("" if self.workspace.info.is_demo else self.workspace.info.url))
        action.setEnabled(not self.runner.is_running())
