"""Fixtures for connector tests: the contract catalogue, and sandboxes served over real loopback HTTP."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from desktop_app.sandbox import registry as sandbox_registry
from desktop_app.sandbox.http import App, Request, Response, SandboxServer

class ContractCatalog:
    """The contract catalogue: 120 variants (two per product) at two locations. Every variant is
    stocked at the main location (never at 0); the even ones at the outlet too."""

    main = "Main Warehouse"
    outlet = "Outlet Store"
    variants = 120

    @staticmethod
    def sku(i: int) -> str:
        return f"CT-{i + 1:04d}"

    @staticmethod
    def barcode(i: int) -> str:
        return f"40063810{i:05d}"

    def level(self, i: int, location: str) -> int | None:
        if location == self.main:
            return 3 + i % 17
        return 1 + i % 5 if i % 2 == 0 else None

    def spec(self) -> dict[str, Any]:
        rows = []
        for i in range(self.variants):
            levels = {loc: q for loc in (self.main, self.outlet) if (q := self.level(i, loc)) is not None}
            rows.append({"product": f"Contract Tee {i // 2 + 1:03d}", "title": ("Blue", "Green")[i % 2],
                         "sku": self.sku(i), "barcode": self.barcode(i), "levels": levels})
        return {"locations": [{"name": self.main}, {"name": self.outlet}], "variants": rows}


@pytest.fixture
def contract() -> ContractCatalog:
    return ContractCatalog()


@pytest.fixture
def contract_catalog(tmp_path: Path, contract: ContractCatalog) -> Path:
    path = tmp_path / "contract-catalogue.json"
    path.write_text(json.dumps(contract.spec(), ensure_ascii=False), encoding="utf-8")
    return path


class CountingApp:
    """Wraps an emulator and counts the statuses it answers (to see 429s happen)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.platform = app.platform
        self.token = app.token
        self.statuses: list[int] = []
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        response = self.app.handle(request)
        with self._lock:
            self.statuses.append(response.status if response is not None else 0)
        return response

    def close(self) -> None:
        close = getattr(self.app, "close", None)
        if close:
            close()


@dataclass
class Served:
    app: Any
    server: SandboxServer

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """``serve(platform, catalog=..., rate="none", counting=False, **options)`` → a running sandbox,
    stopped at teardown."""
    servers: list[SandboxServer] = []

    def start(platform: str, *, catalog: str | Path = "demo", rate: str = "none", counting: bool = False,
              **options: Any) -> Served:
        app = sandbox_registry.create_app(platform, catalog=str(catalog), rate=rate, **options)
        served_app = CountingApp(app) if counting else app
        server = SandboxServer(served_app).start()
        servers.append(server)
        return Served(app=served_app, server=server)

    yield start
    for server in servers:
        server.stop()
