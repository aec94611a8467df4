"""Where secrets come from: the environment first, then the OS keyring (a dict here, as the
dialog tests fake it); the Basic password sits beside the store's token as ``URL#basic-auth``."""
from __future__ import annotations

import keyring
import keyring.errors
import pytest

from desktop_app.engine import credentials


@pytest.fixture
def fake_keyring(monkeypatch) -> dict[str, str]:
    saved: dict[str, str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda service, name, secret: saved.update({name: secret}))
    monkeypatch.setattr(keyring, "get_password", lambda service, name: saved.get(name))
    monkeypatch.delenv("STOCKSHEET_BASIC_PASSWORD", raising=False)
    return saved


def test_the_basic_password_is_kept_beside_the_token_and_the_environment_wins(fake_keyring, monkeypatch):
    assert credentials.save_token("https://shop.example/", "api-key")
    assert credentials.save_basic_password("https://shop.example/", "pw")
    assert fake_keyring == {"https://shop.example": "api-key", "https://shop.example#basic-auth": "pw"}
    assert credentials.get_basic_password("https://shop.example") == "pw"
    assert credentials.get_token("https://shop.example") == "api-key"
    assert credentials.get_basic_password("https://other.example") is None
    monkeypatch.setenv("STOCKSHEET_BASIC_PASSWORD", "from-env")
    assert credentials.get_basic_password("https://shop.example/") == "from-env"


def test_without_a_keyring_nothing_is_saved_and_nothing_is_found(monkeypatch):
    def no_keyring(*_):
        raise keyring.errors.NoKeyringError("no backend")
    monkeypatch.setattr(keyring, "set_password", no_keyring)
    monkeypatch.setattr(keyring, "get_password", no_keyring)
    monkeypatch.delenv("STOCKSHEET_BASIC_PASSWORD", raising=False)
    assert credentials.save_basic_password("https://shop.example", "pw") is False
    assert credentials.get_basic_password("https://shop.example") is None
