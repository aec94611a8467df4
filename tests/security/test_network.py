"""The network policy, once in ``platforms/http.py`` for every connector: HTTPS for every store
URL except loopback, no credentials inside a URL (it is journalled and shown by ``history``),
TLS verification that no environment variable switches off, redirects never followed (so the
token never travels to another host), and a sandbox that binds to loopback unless told
otherwise, and says so."""
from __future__ import annotations

import json
import os
import sqlite3
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.errors import InputError, ProtocolError, UnreachableError
from desktop_app.engine import paths
from desktop_app.platforms.http import check_url
from desktop_app.platforms.registry import connect
from desktop_app.sandbox.http import Request, Response, SandboxServer
from desktop_app.sandbox.registry import create_app

from .conftest import PLATFORMS, known_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:5",
                                 "https://myshop.example.com", "https://127.0.0.1:9"])
def test_https_or_loopback_urls_are_accepted(url):
    assert check_url(url + "/") == url


@pytest.mark.parametrize("url", ["http://myshop.example.com", "http://127.0.0.1.evil.example", "http://localhost.evil",
                                 "http://10.0.0.5:8080", "ftp://myshop.example.com", "myshop.example.com"])
def test_plain_http_beyond_loopback_and_other_schemes_are_refused(url):
    with pytest.raises(InputError, match="https"):
        check_url(url)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_password_inside_the_store_url_is_refused_never_journalled_nor_shown(platform, sandbox, tmp_path,
                                                                              monkeypatch, capsys):
    app, server = sandbox(platform)
    password = known_token("url-password")
    url = server.url.replace("http://", f"http://shop:{password}@")
    monkeypatch.setenv("STOCKSHEET_TOKEN", app.token)
    sheet = tmp_path / "stock.csv"
    sheet.write_text("SKU,Location,Available\nSKU-00000,Main,5\n")
    for args in (["import", str(sheet), "--platform", platform, "--url", url],
                 ["export", "--platform", platform, "--url", url, "-o", str(tmp_path / "out.csv")]):
        code = main(args)
        err = capsys.readouterr().err
        assert code == 2 and "user name or password inside it" in err and password not in err, err
        assert "STOCKSHEET_TOKEN" in err
    assert main(["history"]) == 0
    assert password not in capsys.readouterr().out
    if paths.journal_path().exists():
        assert password not in "\n".join(sqlite3.connect(paths.journal_path()).iterdump())
    assert not (tmp_path / "out.csv").exists()


# ---- TLS -----------------------------------------------------------------------------------
@pytest.fixture
def tls_store(tmp_path):
    """A Genstore sandbox over https on 127.0.0.1, its certificate from a throwaway CA that the
    system does not trust; yields (app, server, the CA's PEM file)."""
    trustme = pytest.importorskip("trustme", reason="trustme makes the test CA (pip install -e '.[test]')")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    app = create_app("genstore", catalog="synthetic:2x1", rate="none")
    with SandboxServer(app, tls=context) as server:
        yield app, server, ca_file


@pytest.mark.parametrize("switch_off", [{}, {"PYTHONHTTPSVERIFY": "0"}, {"CURL_CA_BUNDLE": ""},
                                        {"REQUESTS_CA_BUNDLE": ""}, {"SSL_CERT_FILE": ""}])
def test_an_unverifiable_certificate_is_refused_with_a_sentence_whatever_the_environment(tls_store, switch_off,
                                                                                        monkeypatch):
    app, server, _ = tls_store
    for name, value in switch_off.items():
        monkeypatch.setenv(name, value)
    assert server.url.startswith("https://")
    connector = connect("genstore", server.url, app.token)
    with pytest.raises(UnreachableError, match="could not be verified") as refused:
        connector.list_locations()
    assert "SSL_CERT_FILE" in str(refused.value) and app.token not in str(refused.value)
    connector.close()


def test_a_certificate_from_a_ca_the_user_trusts_is_accepted(tls_store, monkeypatch):
    app, server, ca_file = tls_store
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))     # how a company CA is trusted
    connector = connect("genstore", server.url, app.token)
    assert connector.list_locations()
    connector.close()


# ---- redirects -----------------------------------------------------------------------------
class Recorder:
    """Another host: it records what reaches it."""

    platform, token = "recorder", "none"

    def __init__(self) -> None:
        self.requests: list[Request] = []

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        return Response(200, {"locations": []})


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_redirect_to_another_host_is_not_followed_and_the_token_never_travels_there(platform, sandbox):
    recorder = Recorder()
    with SandboxServer(recorder) as other:
        elsewhere = other.url.replace("127.0.0.1", "localhost")        # another host name, same machine
        app, server = sandbox(platform, faults=f"redirect=1,redirect_to={elsewhere}")
        connector = connect(platform, server.url, app.token)
        with pytest.raises(ProtocolError) as refused:
            connector.list_locations()
        connector.close()
    message = str(refused.value)
    assert elsewhere in message and "another host" in message and "not sent there" in message
    assert recorder.requests == []
    assert app.counts["redirect"] >= 1


# ---- the sandbox listens on loopback unless told otherwise -----------------------------------
def sandbox_process(*args: str) -> tuple[dict, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "desktop_app", "sandbox", "--platform", "genstore", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        info = json.loads(proc.stdout.readline())
        said = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return info, said


def test_the_sandbox_listens_on_loopback_by_default_and_says_so():
    info, said = sandbox_process()
    assert info["url"].startswith("http://127.0.0.1:")
    assert "127.0.0.1" in said and "loopback only" in said and "--host" in said


def test_a_sandbox_told_to_serve_the_network_says_who_can_reach_it():
    info, said = sandbox_process("--host", "0.0.0.0")
    assert "reachable from other machines" in said and "never with a real store's token" in said


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_loopback_store_is_never_reached_through_a_proxy_from_the_environment(variable, sandbox, monkeypatch):
    """Plain http is allowed for loopback only because it never leaves the machine: a proxy set
    in the environment would carry the token, in clear, to wherever it runs."""
    recorder = Recorder()
    with SandboxServer(recorder) as proxy:
        monkeypatch.setenv(variable, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        app, server = sandbox("genstore")
        connector = connect("genstore", server.url, app.token)
        assert connector.list_locations()
        connector.close()
    assert recorder.requests == []
