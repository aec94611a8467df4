"""A saved real store is picked from the list of connections (the demo store always one of them):
its token comes from the keyring, never from settings. Real sandboxes over loopback."""
from __future__ import annotations

import keyring
import pytest

from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app

WAIT = 20_000


@pytest.fixture
def shop(monkeypatch):
    saved: dict[str, str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda service, name, secret: saved.update({name: secret}))
    monkeypatch.setattr(keyring, "get_password", lambda service, name: saved.get(name))
    app = create_app("marketplacer", catalog="demo", rate="none")
    with SandboxServer(app) as server:
        keyring.set_password("Stocksheet", server.url.rstrip("/"), app.token)
        yield server.url


def test_a_saved_store_is_picked_from_the_list_and_the_demo_store_is_always_there(qtbot, window, shop):
    window.settings.remember_connection(platform="marketplacer", url=shop, name="My market")
    assert window.store_choices() == [("Demo store", ""), ("My market", shop)]
    demo = window.workspace
    with qtbot.waitSignal(window.runner.finished, timeout=WAIT):
        window.switch_store(shop)
    assert window.workspace.info.platform == "marketplacer" and window.workspace.info.url.rstrip("/") == shop.rstrip("/")
    assert all(b.isHidden() for b in window.start_page.sample_buttons.values())   # samples: demo store only
    assert "token" not in str(window.settings.get("connections/saved")).lower()
    window.switch_store("")
    assert window.workspace is demo and not all(b.isHidden() for b in window.start_page.sample_buttons.values())
