"""Help ▸ About (version, platforms, folders, "Copy details") and Help ▸ "Report a problem…"
(the details and the log's last lines, scrubbed, for the user to read before copying).
The text comes from ``engine.diagnostics``; these dialogs only show it and copy it."""
from __future__ import annotations

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from desktop_app import __version__
from desktop_app.engine import diagnostics
from desktop_app.engine.paths import logs_dir
from desktop_app.gui.app_icon import app_icon

FOLDER_LABELS = ("Data folder", "Log folder")


def window_details(window) -> list[tuple[str, str]]:
    """The details of ``window`` (a MainWindow): its store, the platforms it offers, Qt's version."""
    return diagnostics.details(platforms=getattr(window, "_platforms", ()), store=window.workspace.info,
                               toolkit=[("Qt", qVersion()), ("PySide6", PySide6.__version__)])


def _copy(text: str, status: QLabel, what: str) -> None:
    QGuiApplication.clipboard().setText(text)
    status.setText(f"{what} copied to the clipboard.")


class AboutDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Stocksheet")
        self.rows = rows
        header = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel(f"<h2>Stocksheet {__version__}</h2>Put a stock spreadsheet into an online store, safely.")
        header.addWidget(logo)
        header.addWidget(title, 1)

        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in rows:
            shown = QLabel()
            if label in FOLDER_LABELS:   # a link that opens the folder in the file manager
                shown.setText(f'<a href="{QUrl.fromLocalFile(value).toString()}">{value}</a>')
                shown.setOpenExternalLinks(True)
            else:
                shown.setText(value)
                shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            shown.setWordWrap(True)
            self.values[label] = shown
            form.addRow(f"{label}:", shown)

        self.status = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip("Copy these details as text, for a message to support")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def details_text(self) -> str:
        return diagnostics.details_text(self.rows)

    def _on_copy_clicked(self) -> None:
        _copy(self.details_text(), self.status, "Details")

    @classmethod
    def open_for(cls, window) -> "AboutDialog":
        dialog = cls(window_details(window), window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class ProblemReportDialog(QDialog):
    """The report as editable text: the user adds what happened, reads the rest, then copies it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Report a problem")
        self.resize(760, 560)
        intro = QLabel("Below is what a report would contain: Stocksheet's details and the last lines of its log. "
                       "Tokens, passwords and the credentials in store URLs have been replaced by ***. Write what "
                       "you did at the top, read the rest, then copy it into your message to support.")
        intro.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setPlainText(text)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.status = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy report", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip("Copy the text above, as it is now, to the clipboard")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.open_logs_button = QPushButton("Open log folder")
        self.open_logs_button.clicked.connect(self._on_open_logs_clicked)
        buttons.addButton(self.open_logs_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.Start)
        cursor.movePosition(cursor.MoveOperation.Down, n=1)   # on the blank line under the question
        self.text.setTextCursor(cursor)
        self.text.setFocus()

    def _on_copy_clicked(self) -> None:
        _copy(self.text.toPlainText(), self.status, "Report")

    def _on_open_logs_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(logs_dir())))

    @classmethod
    def open_for(cls, window) -> "ProblemReportDialog":
        dialog = cls(diagnostics.problem_report(window_details(window)), window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
