"""The connection test gives up on a refused or silent address within its deadline (5 s; shortened
here) with a sentence, and can be cancelled. Real sockets on loopback; the real dialog."""
from __future__ import annotations

import socket

import pytest

from desktop_app.app import connect_store
from desktop_app.engine import workspace as workspace_module
from desktop_app.gui.connection_dialog import ConnectionDialog

WAIT = 20_000


@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def refused_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()                       # nothing listens there now
    return port


def dialog(qtbot, url: str) -> ConnectionDialog:
    d = ConnectionDialog(platforms=["genstore"], connect=connect_store)
    qtbot.addWidget(d)
    d.url_edit.setText(url)
    d.token_edit.setText("any-token")
    return d


def test_a_silent_store_is_given_up_on_with_a_sentence(qtbot, silent_port, monkeypatch):
    monkeypatch.setattr(workspace_module, "CONNECTION_TEST_SECONDS", 0.5)
    d = dialog(qtbot, f"http://127.0.0.1:{silent_port}")
    with qtbot.waitSignal(d.runner.failed, timeout=WAIT):
        d.test_button.click()
    assert "did not answer within 0.5 s" in d.status.text() and not d.ok_button.isEnabled()
    assert d.test_button.isEnabled() and d.stop_test_button.isHidden()
    d.close()


def test_a_refused_address_says_it_cannot_be_reached(qtbot, refused_port):
    d = dialog(qtbot, f"http://127.0.0.1:{refused_port}")
    with qtbot.waitSignal(d.runner.failed, timeout=WAIT):
        d.test_button.click()
    assert "Cannot reach" in d.status.text() or "did not answer" in d.status.text()
    d.close()


def test_the_connection_test_can_be_cancelled(qtbot, silent_port, monkeypatch):
    monkeypatch.setattr(workspace_module, "CONNECTION_TEST_SECONDS", 2.0)
    d = dialog(qtbot, f"http://127.0.0.1:{silent_port}")
    d.test_button.click()
    assert not d.stop_test_button.isHidden()
    d.stop_test_button.click()
    assert "cancelled" in d.status.text() and d.test_button.isEnabled()
    qtbot.waitUntil(lambda: not d.runner.is_running(), timeout=WAIT)     # the attempt ends by itself, unseen
    assert "cancelled" in d.status.text() and not d.ok_button.isEnabled()
    d.close()
