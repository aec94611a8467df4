"""The connection dialog and auth as the real stores do it, against real sandboxes over loopback:
Zettle's API key + client id (exchanged for short-lived tokens), and a Marketplacer site behind
HTTP Basic auth whose user is remembered and whose password comes back from the keyring. The
keyring is a dict (``keyring.set_password``/``get_password`` patched), as the other dialog tests do."""
from __future__ import annotations

import keyring
import pytest

from desktop_app.app import connect_store
from desktop_app.gui.connection_dialog import ConnectionDialog
from desktop_app.gui.settings import Settings
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app

WAIT = 20_000
USER, PASSWORD = "shop-admin", "s3cret-basic-pw"


@pytest.fixture
def fake_keyring(monkeypatch) -> dict[str, str]:
    saved: dict[str, str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda service, name, secret: saved.update({name: secret}))
    monkeypatch.setattr(keyring, "get_password", lambda service, name: saved.get(name))
    monkeypatch.delenv("STOCKSHEET_BASIC_PASSWORD", raising=False)
    return saved


@pytest.fixture
def zettle():
    app = create_app("zettle", catalog="demo", rate="none", token_lifetime_requests=2)
    with SandboxServer(app) as server:
        yield app, server.url


@pytest.fixture
def basic_site():
    app = create_app("marketplacer", catalog="demo", rate="none", basic_auth=f"{USER}:{PASSWORD}")
    with SandboxServer(app) as server:
        yield app, server.url


class RecordingConnect:
    """The real ``app.connect_store``, remembering the option names the dialog passed."""

    def __init__(self) -> None:
        self.options: list[dict[str, str]] = []

    def __call__(self, **kwargs):
        self.options.append({k: v for k, v in kwargs.items() if k not in ("platform", "url", "token")})
        return connect_store(**kwargs)


def dialog_for(qtbot, platform: str, *, settings: Settings | None = None, connect=None) -> ConnectionDialog:
    dialog = ConnectionDialog(platforms=["genstore", "marketplacer", "zettle"], connect=connect or RecordingConnect(),
                              settings=settings)
    qtbot.addWidget(dialog)
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData(platform))
    return dialog


def token_label(dialog: ConnectionDialog) -> str:
    return dialog.form.labelForField(dialog.token_edit).text().replace("&", "")


def ini_text(stocksheet_home) -> str:
    return "".join(p.read_text(errors="ignore") for p in stocksheet_home.rglob("*.ini"))


def test_zettle_asks_for_a_client_id_and_names_the_secret_an_api_key_or_access_token(qtbot):
    dialog = dialog_for(qtbot, "genstore")
    dialog.show()
    assert not dialog.client_id_edit.isVisible() and token_label(dialog) == "Access token:"
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("zettle"))
    assert dialog.client_id_edit.isVisible() and token_label(dialog) == "API key or access token:"
    assert dialog.token_edit.accessibleName() == "API key or access token"
    assert dialog.options() == {"removal_location": "BIN"}          # no client id: a plain bearer token
    dialog.client_id_edit.setText("  my-client  ")
    assert dialog.options() == {"removal_location": "BIN", "client_id": "my-client"}
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findData("marketplacer"))
    assert not dialog.client_id_edit.isVisible() and "client_id" not in dialog.options()
    assert token_label(dialog) == "Access token:"
    dialog.close()


def test_a_zettle_api_key_connects_the_key_goes_to_the_keyring_and_the_client_id_is_remembered(
        qtbot, zettle, fake_keyring, stocksheet_home):
    app, url = zettle
    settings, connect = Settings(), RecordingConnect()
    dialog = dialog_for(qtbot, "zettle", settings=settings, connect=connect)
    dialog.url_edit.setText(url)
    dialog.token_edit.setText(app.api_key)
    dialog.client_id_edit.setText(app.client_id)
    with qtbot.waitSignal(dialog.runner.finished, timeout=WAIT):
        dialog.test_button.click()
    assert "Connected" in dialog.status.text() and app.tokens_issued >= 1
    assert connect.options == [{"removal_location": "BIN", "client_id": app.client_id}]
    dialog.ok_button.click()
    dialog.workspace.close()
    assert dialog.keyring_saved is True and fake_keyring == {url: app.api_key}
    assert settings.store_options(url) == {"removal_location": "BIN", "client_id": app.client_id}
    settings.sync()
    ini = ini_text(stocksheet_home)
    assert app.client_id in ini and app.api_key not in ini

    again = dialog_for(qtbot, "zettle", settings=Settings())
    again.url_edit.setText(url + "/")
    assert again.client_id_edit.text() == app.client_id and again.token_edit.text() == ""


def test_a_zettle_api_key_with_the_wrong_client_id_is_refused_without_showing_the_key(qtbot, zettle):
    app, url = zettle
    dialog = dialog_for(qtbot, "zettle")
    dialog.url_edit.setText(url)
    dialog.token_edit.setText(app.api_key)
    dialog.client_id_edit.setText("someone-elses-client")
    with qtbot.waitSignal(dialog.runner.failed, timeout=WAIT):
        dialog.test_button.click()
    text = dialog.status.text()
    assert "client id" in text and app.api_key not in text and not dialog.ok_button.isEnabled()


def test_the_basic_user_and_password_round_trip_through_settings_and_the_keyring(
        qtbot, basic_site, fake_keyring, stocksheet_home):
    app, url = basic_site
    connect = RecordingConnect()
    dialog = dialog_for(qtbot, "marketplacer", settings=Settings(), connect=connect)
    dialog.url_edit.setText(url)
    dialog.token_edit.setText(app.token)
    dialog.basic_user_edit.setText(USER)
    dialog.basic_password_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.runner.finished, timeout=WAIT):
        dialog.test_button.click()
    dialog.ok_button.click()
    dialog.workspace.close()
    assert fake_keyring == {url: app.token, url + "#basic-auth": PASSWORD}

    # next time: the user comes back from settings, the password from the keyring (never into the field)
    again = dialog_for(qtbot, "marketplacer", settings=Settings(), connect=connect)
    again.url_edit.setText(url)
    assert again.basic_user_edit.text() == USER and again.basic_password_edit.text() == ""
    again.token_edit.setText(app.token)
    with qtbot.waitSignal(again.runner.finished, timeout=WAIT):
        again.test_button.click()
    assert "Connected" in again.status.text() and connect.options[-1]["basic_password"] == PASSWORD
    again.ok_button.click()
    again.workspace.close()
    assert fake_keyring == {url: app.token, url + "#basic-auth": PASSWORD}
    Settings().sync()
    assert PASSWORD not in ini_text(stocksheet_home)


def test_a_remembered_basic_user_without_a_saved_password_says_the_site_wants_it(qtbot, basic_site, fake_keyring):
    app, url = basic_site
    dialog = dialog_for(qtbot, "marketplacer")
    dialog.url_edit.setText(url)
    dialog.token_edit.setText(app.token)
    dialog.basic_user_edit.setText(USER)
    with qtbot.waitSignal(dialog.runner.failed, timeout=WAIT):
        dialog.test_button.click()
    assert "HTTP Basic" in dialog.status.text() and app.token not in dialog.status.text()


@pytest.mark.parametrize("key", ["apikey", "API-Key", "private_key", "client_secret", "basic_password",
                                 "access_token"])
def test_store_options_refuse_any_secret_looking_name(qtbot, key):
    with pytest.raises(ValueError, match="keyring"):
        Settings().remember_store_options(url="https://shop.example", options={key: "x"})


def test_store_options_keep_the_names_that_are_not_secrets(qtbot):
    settings = Settings()
    options = {"removal_location": "SOLD", "client_id": "c", "basic_user": "u"}
    settings.remember_store_options(url="https://shop.example/", options=options)
    assert settings.store_options("https://shop.example") == options
