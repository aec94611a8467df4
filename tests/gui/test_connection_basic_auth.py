"""The connection dialog's HTTP Basic fields (Marketplacer sites behind Basic auth), against a real
Marketplacer sandbox that requires Basic credentials, over loopback."""
from __future__ import annotations

import keyring
import pytest

from desktop_app.gui.connection_dialog import ConnectionDialog
from desktop_app.gui.settings import Settings
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.marketplacer import MarketplacerApp

WAIT = 20_000
USER, PASSWORD = "shop-admin", "s3cret-basic-pw"


@pytest.fixture
def basic_store():
    app = MarketplacerApp.create(rate="none", basic_auth=f"{USER}:{PASSWORD}")
    with SandboxServer(app) as server:
        yield app, server


class RecordingConnect:
    """The real ``app.connect_store``, remembering which options the dialog passed (not their secrets)."""

    def __init__(self) -> None:
        self.options: list[set[str]] = []

    def __call__(self, **kwargs):
        from desktop_app.app import connect_store
        self.options.append(set(kwargs) - {"platform", "url", "token"})
        return connect_store(**kwargs)


def fill(dialog: ConnectionDialog, server, token: str, *, user: str = "", password: str = "") -> None:
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("marketplacer"))
    dialog.url_edit.setText(server.url)
    dialog.token_edit.setText(token)
    dialog.basic_user_edit.setText(user)
    dialog.basic_password_edit.setText(password)


def test_the_basic_auth_fields_are_offered_for_marketplacer_only(qtbot):
    dialog = ConnectionDialog(platforms=["genstore", "marketplacer", "zettle"], connect=RecordingConnect())
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.basic_user_edit.isVisible() and not dialog.basic_password_edit.isVisible()
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("marketplacer"))
    assert dialog.basic_user_edit.isVisible() and dialog.basic_password_edit.isVisible()
    assert dialog.basic_password_edit.echoMode() == dialog.basic_password_edit.EchoMode.Password
    assert dialog.options() == {}                                  # no Basic user: plain Bearer key
    dialog.basic_user_edit.setText(USER)
    dialog.basic_password_edit.setText(PASSWORD)
    assert dialog.options() == {"basic_user": USER, "basic_password": PASSWORD}
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("zettle"))
    assert not dialog.basic_user_edit.isVisible() and "basic_user" not in dialog.options()
    dialog.close()


def test_a_site_behind_basic_auth_connects_and_the_password_goes_to_the_keyring_not_settings(
        qtbot, basic_store, monkeypatch, stocksheet_home):
    app, server = basic_store
    saved: dict[str, str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda service, name, secret: saved.update({name: secret}))
    settings, connect = Settings(), RecordingConnect()
    dialog = ConnectionDialog(platforms=["genstore", "marketplacer"], connect=connect, settings=settings)
    qtbot.addWidget(dialog)
    fill(dialog, server, app.token, user=USER, password=PASSWORD)
    with qtbot.waitSignal(dialog.runner.finished, timeout=WAIT):
        dialog.test_button.click()
    assert "Own stock" in dialog.status.text() and dialog.ok_button.isEnabled()
    assert connect.options == [{"basic_user", "basic_password"}]
    dialog.ok_button.click()
    dialog.workspace.close()
    assert dialog.keyring_saved is True
    assert saved[server.url] == app.token and PASSWORD in saved.values() and len(saved) == 2
    settings.sync()
    ini = "".join(p.read_text(errors="ignore") for p in stocksheet_home.rglob("*.ini"))
    assert USER in ini and PASSWORD not in ini and app.token not in ini

    # the same store URL brings the Basic user back (never the password)
    again = ConnectionDialog(platforms=["genstore", "marketplacer"], connect=connect, settings=Settings())
    qtbot.addWidget(again)
    again.platform_combo.setCurrentIndex(again.platform_combo.findData("marketplacer"))
    again.url_edit.setText(server.url)
    assert again.basic_user_edit.text() == USER and again.basic_password_edit.text() == ""


def test_without_the_basic_credentials_the_dialog_says_the_site_wants_them(qtbot, basic_store):
    app, server = basic_store
    dialog = ConnectionDialog(platforms=["marketplacer"], connect=RecordingConnect())
    qtbot.addWidget(dialog)
    fill(dialog, server, app.token)
    with qtbot.waitSignal(dialog.runner.failed, timeout=WAIT):
        dialog.test_button.click()
    text = dialog.status.text()
    assert "HTTP Basic" in text and "Traceback" not in text and app.token not in text
    assert not dialog.ok_button.isEnabled()


@pytest.mark.parametrize("key", ["basic_password", "api_key", "client_secret", "token"])
def test_store_options_never_hold_a_secret(qtbot, key):
    with pytest.raises(ValueError, match="keyring"):
        Settings().remember_store_options(url="https://shop.example", options={key: "x"})
