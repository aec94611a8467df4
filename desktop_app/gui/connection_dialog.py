"""Connect to a real store: platform, store URL, access token (to the OS keyring), Test connection.

The dialog never imports a connector: ``app.py`` hands it ``connect(platform=, url=, token=,
**options)``, which returns a Workspace (blocking; the dialog runs it through a JobRunner).
``options`` are the platform's own choices (Zettle: where removed stock goes, and the client id
of an API key, which makes the token field an API key exchanged for short-lived access tokens;
Marketplacer: the HTTP Basic user and password of a site behind Basic auth); they are remembered
per store URL in the settings — the token (or API key) and the Basic password never are: both go
to the OS keyring (``engine.credentials``), and a saved Basic password is used when the field is
left empty.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from desktop_app.engine import credentials
from desktop_app.gui.errors import user_message
from desktop_app.gui.runner import JobRunner
from desktop_app.gui.words import window_words

if TYPE_CHECKING:
    from desktop_app.gui.settings import Settings

Connect = Callable[..., object]   # connect(*, platform, url, token, **options) -> Workspace

#: Zettle moves stock out of STORE into one of these locations when a level goes down.
REMOVAL_CHOICES = [("BIN (discarded)", "BIN"), ("SOLD (sold)", "SOLD")]
#: Options that are secrets: handed to the connector, saved to the keyring, never to settings.
SECRET_OPTIONS = {"basic_password"}


#: the token field's label and accessible name; Zettle's holds an API key when a client id is given
TOKEN_LABEL = ("Access &token:", "Access token")
TOKEN_LABELS = {"zettle": ("&API key or access token:", "API key or access token")}


class ConnectionDialog(QDialog):
    def __init__(self, *, platforms: list[str], connect: Connect, settings: "Settings | None" = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a store")
        self.setAccessibleName("Connect to a store")
        self.setMinimumWidth(480)
        self._connect = connect
        self._settings = settings
        self.workspace = None
        self.keyring_saved: bool | None = None
        self.runner = JobRunner(self)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.platform_combo = QComboBox()
        self.platform_combo.setAccessibleName("Platform")
        for p in platforms:
            self.platform_combo.addItem(p.capitalize(), p)
        self.url_edit = QLineEdit()
        self.url_edit.setAccessibleName("Store URL")
        self.url_edit.setPlaceholderText("https://your-store.example.com")
        self.token_edit = QLineEdit()
        self.token_edit.setAccessibleName("Access token")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("Saved in the system keyring, never in settings files")
        form.addRow("&Platform:", self.platform_combo)
        form.addRow("Store &URL:", self.url_edit)
        self.token_label = QLabel(TOKEN_LABEL[0])
        self.token_label.setBuddy(self.token_edit)
        form.addRow(self.token_label, self.token_edit)
        self.client_id_edit = QLineEdit()
        self.client_id_edit.setAccessibleName("Zettle client id")
        self.client_id_edit.setPlaceholderText("Only with an API key: the client id it was made for")
        self.client_id_edit.setToolTip("With a client id, the field above is a Zettle API key, exchanged for "
                                       "short-lived access tokens; leave it empty for an access token.")
        form.addRow("&Client id:", self.client_id_edit)
        self.removal_combo = QComboBox()
        self.removal_combo.setAccessibleName("Where removed stock goes")
        self.removal_combo.setToolTip("Zettle lowers a level by moving units out of the store: into BIN "
                                      "(discarded) or SOLD (sold).")
        for label, value in REMOVAL_CHOICES:
            self.removal_combo.addItem(label, value)
        form.addRow("&Removed stock goes to:", self.removal_combo)
        self.basic_user_edit = QLineEdit()
        self.basic_user_edit.setAccessibleName("HTTP Basic user name")
        self.basic_user_edit.setPlaceholderText("Only if the site asks for a user name and password")
        self.basic_user_edit.setToolTip("Some Marketplacer sites sit behind HTTP Basic auth: the API key then "
                                        "travels as MARKETPLACER-API-KEY, with this user name and password.")
        self.basic_password_edit = QLineEdit()
        self.basic_password_edit.setAccessibleName("HTTP Basic password")
        self.basic_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.basic_password_edit.setPlaceholderText("Saved in the system keyring; leave empty to use the saved one")
        form.addRow("Basic auth &user:", self.basic_user_edit)
        form.addRow("Basic auth pass&word:", self.basic_password_edit)
        self.form = form
        layout.addLayout(form)

        self.status = QLabel("Test the connection to see the store's locations.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Connection status")
        layout.addWidget(self.status)

        self.buttons = QDialogButtonBox()
        self.test_button = self.buttons.addButton("Test connection", QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.setAccessibleName("Test the connection")
        self.stop_test_button = self.buttons.addButton("Cancel test", QDialogButtonBox.ButtonRole.ActionRole)
        self.stop_test_button.setAccessibleName("Cancel the connection test")
        self.stop_test_button.setVisible(False)
        self._test_stopped = False
        self.ok_button = self.buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self._on_ok_clicked)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.stop_test_button.clicked.connect(self._on_stop_test_clicked)
        layout.addWidget(self.buttons)

        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.url_edit.textChanged.connect(self._on_fields_edited)
        self.token_edit.textChanged.connect(self._on_fields_edited)
        self.url_edit.textChanged.connect(self._on_url_edited)
        self.platform_combo.currentIndexChanged.connect(self._on_platform_changed)
        self.removal_combo.currentIndexChanged.connect(self._on_fields_edited)
        self.client_id_edit.textChanged.connect(self._on_fields_edited)
        self.basic_user_edit.textChanged.connect(self._on_fields_edited)
        self.basic_password_edit.textChanged.connect(self._on_fields_edited)
        self._on_platform_changed()

    def options(self) -> dict[str, str]:
        """The platform's own connector options as chosen in the dialog (none for most platforms)."""
        platform = self.platform_combo.currentData()
        if platform == "zettle":
            chosen = {"removal_location": self.removal_combo.currentData()}
            if self.client_id_edit.text().strip():      # the token is then an API key
                chosen["client_id"] = self.client_id_edit.text().strip()
            return chosen
        if platform == "marketplacer" and self.basic_user_edit.text().strip():
            return {"basic_user": self.basic_user_edit.text().strip(), "basic_password": self.basic_password_edit.text()}
        return {}

    def _on_platform_changed(self) -> None:
        platform = self.platform_combo.currentData()
        self.form.setRowVisible(self.removal_combo, platform == "zettle")
        self.form.setRowVisible(self.client_id_edit, platform == "zettle")
        label, name = TOKEN_LABELS.get(platform, TOKEN_LABEL)
        self.token_label.setText(label)
        self.token_edit.setAccessibleName(name)
        self.form.setRowVisible(self.basic_user_edit, platform == "marketplacer")
        self.form.setRowVisible(self.basic_password_edit, platform == "marketplacer")
        self._on_fields_edited()

    def _on_url_edited(self, text: str) -> None:
        if self._settings is None:
            return
        remembered = self._settings.store_options(text)
        saved = remembered.get("removal_location")
        index = self.removal_combo.findData(saved) if saved else -1
        if index >= 0:
            self.removal_combo.setCurrentIndex(index)
        if remembered.get("basic_user") and not self.basic_user_edit.text():
            self.basic_user_edit.setText(remembered["basic_user"])
        if remembered.get("client_id") and not self.client_id_edit.text():
            self.client_id_edit.setText(remembered["client_id"])

    def _on_fields_edited(self) -> None:
        self._drop_workspace()
        self.ok_button.setEnabled(False)

    def _on_test_clicked(self) -> None:
        platform, url, token = self.platform_combo.currentData(), self.url_edit.text().strip(), self.token_edit.text().strip()
        if not url or not token:
            what = "an API key or access token" if platform == "zettle" else "an access token"
            self.status.setText(f"Enter the store URL and {what} first.")
            return
        self._drop_workspace()
        self.test_button.setEnabled(False)
        self.stop_test_button.setVisible(True)
        self.status.setText(f"Connecting to {url}…")
        connect, options = self._connect, self.options()

        def job(*, progress, cancel):
            if "basic_user" in options and not options["basic_password"]:   # the one saved for this store
                options["basic_password"] = credentials.get_basic_password(url) or ""
            ws = connect(platform=platform, url=url, token=token, **options)
            try:   # a refused or silent address gives up within seconds (Workspace.test_connection)
                return ws, (ws.test_connection() if hasattr(ws, "test_connection") else ws.locations())
            except BaseException:
                ws.close()
                raise

        self.runner.start(job, name="test-connection")

    def _on_runner_finished(self, value) -> None:
        self.test_button.setEnabled(True)
        self.stop_test_button.setVisible(False)
        if self._test_stopped:
            self._test_stopped = False
            value[0].close()
            return
        self.workspace, locations = value
        names = ", ".join(loc.name for loc in locations) or "none"
        self.status.setText(f"Connected. The store has {len(locations)} location{'s' if len(locations) != 1 else ''}: "
                            f"{names}.")
        self.ok_button.setEnabled(True)

    def _on_runner_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.stop_test_button.setVisible(False)
        if self._test_stopped:
            self._test_stopped = False
            return
        self.status.setText(window_words(user_message(exc, doing="testing the connection")))

    def _on_stop_test_clicked(self) -> None:
        """Stop waiting for the store (the attempt itself gives up within seconds, unseen)."""
        if self.runner.is_running():
            self._test_stopped = True
            self.runner.cancel()
        self.stop_test_button.setVisible(False)
        self.test_button.setEnabled(True)
        self.status.setText("Connection test cancelled. Check the address, then test again.")

    def _on_ok_clicked(self) -> None:
        if self.workspace is None:
            return
        url, token = self.url_edit.text().strip(), self.token_edit.text().strip()
        options = self.options()
        self.keyring_saved = credentials.save_token(url, token)
        if options.get("basic_password"):      # typed now (an empty field used the saved one)
            saved = credentials.save_basic_password(url, options["basic_password"])
            self.keyring_saved = self.keyring_saved and saved
        remembered = {k: v for k, v in options.items() if k not in SECRET_OPTIONS}
        if self._settings is not None and remembered:
            self._settings.remember_store_options(url=url, options=remembered)
        self.accept()

    def _drop_workspace(self) -> None:
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None

    def done(self, result: int) -> None:
        self.runner.cancel()
        self.runner.wait()
        if result != QDialog.DialogCode.Accepted:
            self._drop_workspace()
        super().done(result)

    @classmethod
    def open_for(cls, parent: QWidget, *, platforms: list[str], connect: Connect,
                 settings: "Settings | None" = None) -> tuple[object | None, bool | None]:
        """Modal; returns (workspace or None, token saved to keyring?). Tests monkeypatch this."""
        dialog = cls(platforms=platforms, connect=connect, settings=settings, parent=parent)
        try:
            dialog.exec()
            return dialog.workspace, dialog.keyring_saved
        finally:
            dialog.deleteLater()
