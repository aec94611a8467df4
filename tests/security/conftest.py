"""Security fixtures: sandboxes over loopback (optionally echoing credentials in their error
answers, ``sandbox.faults``), and the checks that a secret appears in no file and no text."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Iterable, Iterator

import pytest

from desktop_app.sandbox import registry as sandbox_registry
from desktop_app.sandbox.http import SandboxServer

PLATFORMS = ["genstore", "zettle", "marketplacer", "shoplazza"]
#: the User-Agent httpx sends: it is in a text only when a request's header map was dumped into it
HEADER_DUMP_MARKER = "python-httpx"


def known_token(name: str = "token") -> str:
    return f"known-{name}-{secrets.token_hex(12)}"


@pytest.fixture
def sandbox() -> Iterator[Any]:
    started: list[SandboxServer] = []

    def start(platform: str, *, token: str | None = None, catalog: str = "synthetic:6x2", faults: str | None = None,
              seed: int = 5, **options: Any) -> tuple[Any, SandboxServer]:
        app = sandbox_registry.create_app(platform, catalog=catalog, rate="none", token=token, faults=faults,
                                          seed=seed, **options)
        server = SandboxServer(app).start()
        started.append(server)
        return app, server

    yield start
    for server in started:
        server.stop()


def files_holding(root: Path, secret: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``secret`` (any of its usual encodings)."""
    forms = {secret.encode(), secret.encode("utf-16-le")}
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
            and any(f in p.read_bytes() for f in forms)]


def texts_holding(texts: Iterable[str], *needles: str) -> list[str]:
    return [t for t in texts for n in needles if n and n in t]
