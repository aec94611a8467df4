"""How the window tells the user something went wrong.

Two kinds of failure:

* expected ones (``StocksheetError``: unreadable sheet, store unreachable, token refused) carry a
  sentence written for the user; it is shown as is;
* anything else is a bug: the traceback goes to the log file under ``STOCKSHEET_HOME/logs`` and
  the user sees a short dialog that says what happened and where the log is — never a traceback.

Dialogs go through ``Dialogs``' classmethods so tests can monkeypatch them.
"""
from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.core.errors import StocksheetError
from desktop_app.engine.logs import STDERR, setup_logging

log = logging.getLogger("stocksheet.gui")


class Dialogs:
    """Every modal message box of the window. Tests replace these classmethods."""

    @classmethod
    def error(cls, parent: QWidget | None, *, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setAccessibleName(title)
        box.exec()

    @classmethod
    def info(cls, parent: QWidget | None, *, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setAccessibleName(title)
        box.exec()

    @classmethod
    def ask(cls, parent: QWidget | None, *, title: str, text: str, yes: str = "Continue") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
        ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(ok)
        box.exec()
        return box.clickedButton() is ok


def user_message(exc: BaseException, *, doing: str) -> str:
    """The sentence to show for ``exc`` raised while ``doing`` (e.g. "opening orders.xlsx").

    Unexpected exceptions are logged with their traceback; the message points to the log."""
    if isinstance(exc, StocksheetError):
        return str(exc)
    log_path = setup_logging()
    log.error("Unexpected error while %s", doing, exc_info=(type(exc), exc, exc.__traceback__))
    where = (f"were printed on {STDERR} (Stocksheet's folder cannot be written, so there is no log file)"
             if log_path == STDERR else f"are in the log file {log_path}")
    return (f"Something unexpected went wrong while {doing}. Nothing more was changed. "
            f"The details {where} — please send them with a bug report.")


def report(parent: QWidget | None, exc: BaseException, *, doing: str, title: str = "Stocksheet") -> str:
    from desktop_app.gui.words import window_words
    text = window_words(user_message(exc, doing=doing))
    Dialogs.error(parent, title=title, text=text)
    return text


def install_excepthook(parent_getter=lambda: None) -> None:
    """Route exceptions escaping Qt slots to the log and a short dialog instead of stderr."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        exc.__traceback__ = tb
        report(parent_getter(), exc, doing="handling your last action")

    sys.excepthook = hook
