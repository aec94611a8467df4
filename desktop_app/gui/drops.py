"""Dropping a sheet anywhere on the main window: the drop zone highlights what it will read and
says which formats it reads when it will not. A mixin of ``MainWindow``."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent

#: what the window opens (by extension; the reader then goes by content)
SHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")


class SheetDrops:
    @staticmethod
    def dropped_sheet(event: QDragEnterEvent | QDropEvent) -> Path | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in SHEET_SUFFIXES:
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.dropped_sheet(event) is not None and not self.runner.is_running():
            event.acceptProposedAction()
            self.start_page.set_drag_state("accepted", message="Drop it to check it against the store.")
            return
        event.ignore()
        mime = event.mimeData()
        names = [Path(u.toLocalFile()).name for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
        if self.runner.is_running():
            text = "Wait for the current job to finish (or cancel it) before dropping another sheet."
        else:
            text = (f"{names[0] if names else 'That'} can't be read: Stocksheet reads CSV, TSV and TXT text, "
                    "and XLSX, XLSM, XLS and ODS workbooks.")
        self.start_page.set_drag_state("refused", message=text)
        self.statusBar().showMessage(text)

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction() if self.dropped_sheet(event) is not None else event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self.start_page.set_drag_state(None)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.start_page.set_drag_state(None)
        path = self.dropped_sheet(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_file(path)
