"""The connector contract, run against every platform's emulator over real loopback HTTP.

Every platform registered in both registries (connector and emulator) joins automatically. Behaviour is branched
on ``capabilities`` (e.g. ``single_location``), never on the platform's name. Page size 25 makes
every listing span several pages of the 120-variant contract catalogue.
"""
from __future__ import annotations

import re

import pytest

from desktop_app.core.errors import AuthError
from desktop_app.core.models import Change, Chunk, Kind, Location, Mode, Variant
from desktop_app.platforms import registry as platform_registry
from desktop_app.platforms.registry import connect
from desktop_app.sandbox import registry as sandbox_registry

CONTRACT_PLATFORMS = sorted(set(platform_registry.PLATFORMS) & set(sandbox_registry.PLATFORMS))
#: every connector against every reading of its platform's docs (``sandbox.readings``)
MATRIX = [pytest.param(p, r.name, id=f"{p}-{r.name}")
          for p in CONTRACT_PLATFORMS for r in sandbox_registry.readings(p)]

pytestmark = pytest.mark.parametrize(("platform", "reading"), MATRIX)


@pytest.fixture
def store(platform, reading, serve, contract_catalog):
    served = serve(platform, catalog=contract_catalog, rate="none", reading=reading)
    connector = connect(platform, served.url, served.app.token, page_size=25)
    yield connector
    connector.close()


def stock_location(locations: list[Location], name: str) -> Location:
    """The location a catalogue location became: by name, else (single-location platforms) the default."""
    for loc in locations:
        if loc.name == name:
            return loc
    return next((loc for loc in locations if loc.default), locations[0])


def make_change(variant: Variant, location: Location, *, before, after, row: int) -> Change:
    kind = Kind.BIND if before is None else (Kind.INCREASE if after > before else Kind.DECREASE)
    return Change(row=row, column="Quantity", variant_id=variant.id, product_id=variant.product_id,
                  location_id=location.id, sku=variant.sku, location_name=location.name, mode=Mode.SET,
                  before=before, after=after, kind=kind, delta=after - (before or 0), variant=variant)


def chunks_of(changes: list[Change], size: int) -> list[Chunk]:
    return [Chunk(index=i, changes=changes[start:start + size])
            for i, start in enumerate(range(0, len(changes), size))]


def apply_all(connector, changes: list[Change]):
    outcomes = []
    for chunk in chunks_of(changes, connector.capabilities.max_chunk):
        outcomes.extend(connector.apply(chunk))
    return outcomes


def test_lists_the_catalogue_locations(store, contract):
    locations = store.list_locations()
    ids = [loc.id for loc in locations]
    assert locations and all(isinstance(i, str) and i for i in ids)
    assert len(set(ids)) == len(ids)
    if not store.capabilities.single_location:
        names = {loc.name for loc in locations}
        # The first catalogue location may be the platform's own unnamed default (Marketplacer keeps
        # the merchant's stock on the variant: "Own stock"); every other location appears by name.
        assert contract.outlet in names
        assert contract.main in names or stock_location(locations, contract.main).default


def test_lists_every_variant_across_pages_and_resolves_by_sku_barcode_and_id(store, contract):
    variants = store.list_variants()
    by_sku = {v.sku: v for v in variants}
    by_barcode = {v.barcode: v for v in variants}
    by_id = {v.id: v for v in variants}
    n = contract.variants
    assert len(variants) == n
    assert set(by_sku) == {contract.sku(i) for i in range(n)}
    assert len(by_id) == n and all(isinstance(i, str) and i for i in by_id)
    last = by_sku[contract.sku(n - 1)]                                  # on the last page
    assert by_barcode[contract.barcode(n - 1)] is last
    assert by_barcode[contract.barcode(0)].sku == contract.sku(0)
    assert by_id[last.id].sku == last.sku and isinstance(last.product_id, str) and last.product_id


def test_reads_live_levels_across_pages(store, contract):
    locations = store.list_locations()
    variants = store.list_variants()
    main = stock_location(locations, contract.main)
    levels = store.read_levels([v.id for v in variants], [loc.id for loc in locations])
    index = {contract.sku(i): i for i in range(contract.variants)}
    assert {v.sku: levels.get((v.id, main.id)) for v in variants} == \
           {v.sku: contract.level(index[v.sku], contract.main) for v in variants}
    if not store.capabilities.single_location:
        outlet = stock_location(locations, contract.outlet)
        assert {v.sku: levels.get((v.id, outlet.id)) for v in variants} == \
               {v.sku: contract.level(index[v.sku], contract.outlet) for v in variants}


def test_applies_increases_decreases_a_binding_and_zeroing_then_reads_them_back(store, contract):
    locations = store.list_locations()
    by_sku = {v.sku: v for v in store.list_variants()}
    main = stock_location(locations, contract.main)
    up, down, zero, bind = (by_sku[contract.sku(i)] for i in (118, 116, 114, 119))   # four distinct products
    level = lambda i: contract.level(i, contract.main)                               # noqa: E731
    changes = [
        make_change(up, main, before=level(118), after=level(118) + 5, row=2),
        make_change(down, main, before=level(116), after=level(116) - 2, row=3),
        make_change(zero, main, before=level(114), after=0, row=4),
    ]
    if not store.capabilities.single_location:
        outlet = stock_location(locations, contract.outlet)
        assert contract.level(119, contract.outlet) is None
        changes.append(make_change(bind, outlet, before=None, after=7, row=5))
    outcomes = apply_all(store, changes)
    assert [(o.change.row, o.ok, o.code) for o in outcomes] == [(c.row, True, "") for c in changes]
    assert all(o.level_after in (None, o.change.after) for o in outcomes)
    live = store.read_levels([c.variant_id for c in changes], [loc.id for loc in locations])
    assert {c.row: live.get((c.variant_id, c.location_id)) for c in changes} == {c.row: c.after for c in changes}


def test_an_unknown_variant_in_a_chunk_is_a_failed_outcome_not_a_crash(store, contract):
    main = stock_location(store.list_locations(), contract.main)
    variants = store.list_variants()
    real = variants[0]
    ids = {v.id for v in variants}
    ghost_id = re.sub(r"[0-9]", "9", real.id)
    while ghost_id in ids:
        ghost_id += "9"
    ghost = Variant(id=ghost_id, product_id=real.product_id, sku="GHOST")
    [outcome] = store.apply(Chunk(index=0, changes=[make_change(ghost, main, before=4, after=5, row=9)]))
    assert (outcome.change.row, outcome.ok) == (9, False)
    assert outcome.code and outcome.error


def test_a_wrong_token_is_an_auth_error_that_does_not_echo_the_token(platform, reading, serve, contract_catalog):
    served = serve(platform, catalog=contract_catalog, reading=reading)
    wrong = "wrong-token-" + "x" * 20
    connector = connect(platform, served.url, wrong, page_size=25)
    try:
        with pytest.raises(AuthError) as caught:
            connector.list_locations()
    finally:
        connector.close()
    assert wrong not in str(caught.value) and served.app.token not in str(caught.value)


def test_a_burst_of_reads_past_the_rate_limit_is_waited_out(platform, reading, serve, contract_catalog):
    served = serve(platform, catalog=contract_catalog, rate="2/4", counting=True, reading=reading)
    connector = connect(platform, served.url, served.app.token, page_size=250)
    try:
        results = [connector.list_locations() for _ in range(4)]
    finally:
        connector.close()
    assert all(r == results[0] and r for r in results)
    assert 429 in served.app.statuses
