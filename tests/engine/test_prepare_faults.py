"""The preview reads the store with the same patience as a run: 5xx, resets, timeouts and 429s
on reads are retried, so a flaky store still gives a complete, correct preview."""
from __future__ import annotations

import pytest

from desktop_app.engine.export import export_stock
from desktop_app.engine.prepare import prepare
from desktop_app.sheets.reader import read_sheet

from .conftest import PLATFORMS, write_sheet

READ_FAULTS = "5xx=0.2,429=0.1,reset=0.1,timeout=0.05,hold_ms=40"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_preview_and_an_export_survive_a_flaky_store(open_store, tmp_path, platform):
    store = open_store(platform, catalog="synthetic:60x2", faults=READ_FAULTS, seed=7)
    healthy = prepare(write_sheet(tmp_path / "s.csv", [(f"SKU-{i:06d}", "Warehouse 1", 5) for i in range(1, 61)]),
                      store.connector)
    store.faults(True)
    flaky = prepare(healthy.sheet, store.connector)
    assert store.app.counts and sum(store.app.counts.values()) > 0     # faults really happened
    assert [(c.variant_id, c.before, c.kind) for c in flaky.changes] == \
        [(c.variant_id, c.before, c.kind) for c in healthy.changes]
    assert export_stock(store.connector, tmp_path / "out.csv") == len(read_sheet(tmp_path / "out.csv").rows) > 0
