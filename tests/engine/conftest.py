"""Engine fixtures: sandboxes over real loopback HTTP (optionally with injected faults), the
connector for each, and sheets written with the csv module."""
from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from desktop_app.core.models import Change, Level, Location
from desktop_app.platforms import registry as platform_registry
from desktop_app.platforms.base import Connector
from desktop_app.sandbox import registry as sandbox_registry
from desktop_app.sandbox.faults import FaultyApp
from desktop_app.sandbox.http import SandboxServer

#: platforms with both an emulator and a connector
PLATFORMS = [p for p in sandbox_registry.PLATFORMS if p in platform_registry.PLATFORMS]
ALL_FAULTS = "5xx=0.1,429=0.1,timeout=0.1,reset=0.1,spike=0.1,drop=0.1,hold_ms=40,spike_ms=25"


@dataclass
class Store:
    platform: str
    app: Any
    server: SandboxServer
    connector: Connector

    @property
    def locations(self) -> list[Location]:
        return self.connector.list_locations()

    def faults(self, enabled: bool) -> None:
        if isinstance(self.app, FaultyApp):
            self.app.enabled = enabled

    def live(self, changes: list[Change]) -> dict[tuple[str, str], Level]:
        """Levels read back through the connector, with fault injection switched off."""
        self.faults(False)
        return self.connector.read_levels([c.variant_id for c in changes], [c.location_id for c in changes])


@pytest.fixture
def open_store() -> Iterator[Any]:
    opened: list[Store] = []

    def make(platform: str, *, catalog: str = "synthetic:40x2", faults: str | None = None, seed: int = 1,
             rate: str = "none", latency_ms: float = 0.0, **options: Any) -> Store:
        app = sandbox_registry.create_app(platform, catalog=catalog, rate=rate, faults=faults, seed=seed, **options)
        if isinstance(app, FaultyApp):
            app.enabled = False               # set up against a healthy store; tests switch faults on
        server = SandboxServer(app, latency_ms=latency_ms).start()
        store = Store(platform, app, server, platform_registry.connect(platform, server.url, app.token))
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


def level_changes(ledger: list[dict[str, Any]]) -> Counter:
    """How many times the emulator's own ledger saw each level really change (a resent absolute
    set that finds the level already at its target is not a change; a movement always is).

    Shoplazza's adding store lowers a level away from the default location the roundabout way:
    ``disconnect`` (the level is gone), ``connect`` (it is back at 0), then ``adjust`` (+ the
    target) — three entries, one change. So a disconnect counts only when no connect follows it,
    and a connect only when no adjust follows it (a roundabout to 0, or a bind at 0); every other
    entry counts as before. A second adjust, or a second roundabout, of a level counts twice."""
    def key(entry: dict[str, Any]) -> tuple[Any, Any]:
        variant = next(entry[k] for k in ("variant_id", "variantUuid", "variant_uuid", "variant", "sku") if k in entry)
        location = next((entry[k] for k in ("location_id", "location", "locationUuid") if k in entry), None)
        return variant, location

    by_level: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for entry in ledger:
        by_level.setdefault(key(entry), []).append(entry)
    counts: Counter = Counter()
    for level, entries in by_level.items():
        for entry, following in zip(entries, entries[1:] + [{}]):
            op, next_op = entry.get("op"), following.get("op")
            if op == "disconnect":
                changed = next_op != "connect"
            elif op == "connect":
                changed = next_op != "adjust"
            else:
                changed = "change" in entry or entry.get("before") != entry.get("after")
            if changed:
                counts[level] += 1
    return counts


def sandbox_level(app: Any, change: Change) -> Level:
    """The level of ``change``'s variant × location as the emulator itself holds it (its own
    test hooks, not the API and not the connector)."""
    platform = app.platform
    if platform == "genstore":
        return app.level(change.sku, change.location_name)
    if platform == "marketplacer":          # own stock has no seller name: ``None``
        return app.level(change.sku, None if change.location_id == "self" else change.location_name)
    if platform == "zettle":                # one location, STORE
        return app.level(change.sku)
    if platform == "shoplazza":
        return app.level(change.sku, change.location_name, variant_id=change.variant_id)
    raise ValueError(f"no level hook for platform {platform!r}")


#: (platform, reading) for every reading of every platform with both an emulator and a connector
READING_CASES = [(p, r.name) for p in PLATFORMS for r in sandbox_registry.readings(p)]
DEFAULT_READINGS = {p: sandbox_registry.default_reading(p).name for p in PLATFORMS}


def fault_seed(default: int) -> int:
    """The fault seed: ``STOCKSHEET_TEST_SEED`` (to shake out flakiness with other sequences),
    added to the test's own default so each test still draws its own sequence."""
    return default + int(os.environ.get("STOCKSHEET_TEST_SEED", "0"))


def untracked(app: Any, changes: list[Change]) -> list[str]:
    """The SKUs of ``changes`` whose Shoplazza item the emulator shows untracked (a level lowered
    to 0 through ``PUT /variants`` switches tracking off; Stocksheet must switch it back on, also
    when that answer was lost)."""
    return [c.sku for c in changes if not app.tracking(c.sku, variant_id=c.variant_id)]
