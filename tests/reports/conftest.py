"""Stock-report fixtures: each platform's demo store served on loopback, and helpers that edit
and re-import reports with real libraries (openpyxl, the csv module)."""
from __future__ import annotations


import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from desktop_app.core.issues import NOTICES
from desktop_app.core.models import Kind
from desktop_app.engine.prepare import Preview, prepare
from desktop_app.platforms import registry as platform_registry
from desktop_app.platforms.base import Connector
from desktop_app.sandbox import registry as sandbox_registry
from desktop_app.sandbox.http import SandboxServer

PLATFORMS = [p for p in sandbox_registry.PLATFORMS if p in platform_registry.PLATFORMS]


@dataclass
class DemoStore:
    platform: str
    app: Any
    url: str
    connector: Connector


@pytest.fixture
def demo_store() -> Iterator[Any]:
    opened: list[tuple[SandboxServer, Connector]] = []

    def make(platform: str, *, catalog: str = "demo", **options: Any) -> DemoStore:
        app = sandbox_registry.create_app(platform, catalog=catalog, rate="none", **options)
        server = SandboxServer(app).start()
        connector = platform_registry.connect(platform, server.url, app.token)
        opened.append((server, connector))
        return DemoStore(platform, app, server.url, connector)

    yield make
    for server, connector in opened:
        connector.close()
        server.stop()


def changes(preview: Preview) -> dict[tuple[str, str], Any]:
    """What an import would write: (variant id, location name) → new level."""
    return {(c.variant_id, c.location_name): c.after for c in preview.changes if c.kind is not Kind.UNCHANGED}


def assert_imports_unchanged(path: Path, connector: Connector) -> Preview:
    preview = prepare(path, connector)
    # a notice is no problem: the wide layout's Total row is read as a footer and skipped
    assert [(i.row, i.code, i.message) for i in preview.issues if i.code not in NOTICES] == []
    assert preview.mapping.warnings == []
    assert changes(preview) == {} and preview.plan.changes == []
    assert preview.changes, "the report held no stock at all"
    return preview


def read_csv(path: Path, *, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
