"""Feed fixtures: sandboxes over real loopback HTTP sharing one throwaway token (so one
STOCKSHEET_TOKEN reaches every target store), sheets written with the csv module, and a
loopback HTTP server for URL feeds."""
from __future__ import annotations

import csv
import hashlib
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from desktop_app.core.models import Location
from desktop_app.platforms import registry as platform_registry
from desktop_app.platforms.base import Connector
from desktop_app.sandbox import registry as sandbox_registry
from desktop_app.sandbox.http import SandboxServer

TOKEN = "feed-test-token-8f2c1d"


@dataclass
class Store:
    platform: str
    app: Any
    server: SandboxServer
    connector: Connector

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def locations(self) -> list[Location]:
        return self.connector.list_locations()

    def stocked(self, n: int | None = None) -> list[tuple[str, str, int]]:
        """(sku, first location, level) of the levels above 0 at the store's first location."""
        location = self.locations[0]
        variants = self.connector.list_variants()
        live = self.connector.read_levels([v.id for v in variants], [location.id])
        out = [(v.sku, location.name, live[(v.id, location.id)]) for v in variants
               if isinstance(live.get((v.id, location.id)), int) and live[(v.id, location.id)] > 0]
        return out[:n]

    def level(self, sku: str, location: str) -> Any:
        return self.app.level(sku, location)


@pytest.fixture
def open_store(monkeypatch) -> Iterator[Any]:
    opened: list[Store] = []
    monkeypatch.setenv("STOCKSHEET_TOKEN", TOKEN)

    def make(platform: str = "genstore", *, catalog: str = "synthetic:30x2", **options: Any) -> Store:
        app = sandbox_registry.create_app(platform, catalog=catalog, rate="none", token=TOKEN, **options)
        server = SandboxServer(app).start()
        store = Store(platform, app, server, platform_registry.connect(platform, server.url, TOKEN))
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.connector.close()
        store.server.stop()


def write_sheet(path: Path, rows: list[tuple[Any, ...]], header: tuple[str, ...] = ("SKU", "Location", "Available")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass
class FileServer:
    """A loopback HTTP server with one file at ``/stock.csv``: ETag and Last-Modified when
    ``validators``, 304 to a matching conditional request; it counts requests and full answers."""

    content: bytes = b""
    validators: bool = True
    requests: int = 0
    sent: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.content).hexdigest()[:16] + '"'


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    served = FileServer()
    modified = "Wed, 02 Dec 2026 00:00:00 GMT"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            served.requests += 1
            served.headers.append(dict(self.headers))
            if self.path != "/stock.csv":
                self.send_error(404)
                return
            if served.validators and self.headers.get("If-None-Match") == served.etag:
                self.send_response(304)
                self.end_headers()
                return
            served.sent += 1
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(served.content)))
            if served.validators:
                self.send_header("ETag", served.etag)
                self.send_header("Last-Modified", modified)
            self.end_headers()
            self.wfile.write(served.content)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="feed-file-server", daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}/stock.csv"
    yield served
    server.shutdown()
    server.server_close()
    thread.join(5)


def csv_bytes(rows: list[tuple[Any, ...]], header: tuple[str, ...] = ("SKU", "Location", "Available")) -> bytes:
    lines = [",".join(map(str, header))] + [",".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
