"""MarketplacerConnector under every reading of Marketplacer's docs the sandbox offers (the
``READINGS`` table of ``sandbox.marketplacer``), with the connector's own defaults (page size
500), over real loopback HTTP."""
from __future__ import annotations

import pytest

from desktop_app.core.errors import AuthError, ProtocolError
from desktop_app.core.issues import PLATFORM_REJECTED
from desktop_app.core.models import INFINITE, Change, Chunk, Kind, Mode, Variant
from desktop_app.platforms.marketplacer import MarketplacerConnector
from desktop_app.sandbox import registry as sandbox_registry

READINGS = [r.name for r in sandbox_registry.readings("marketplacer")]
PAGE_READINGS = ["default", "page-max-100", "page-max-100-422", "page-max-100-clamped", "page-max-1100"]


@pytest.fixture
def opened():
    connectors: list[MarketplacerConnector] = []

    def open_(served, **options) -> MarketplacerConnector:
        connector = MarketplacerConnector(served.url, served.app.token, **options)
        connectors.append(connector)
        return connector

    yield open_
    for c in connectors:
        c.close()


def change(variant: Variant, after, *, before, row: int, location_id: str = "self") -> Change:
    return Change(row=row, column="Qty", variant_id=variant.id, product_id=variant.product_id,
                  location_id=location_id, sku=variant.sku, location_name=location_id, mode=Mode.SET,
                  before=before, after=after, kind=Kind.INCREASE, delta=None, variant=variant)


def level_changes(ledger) -> dict[int, int]:
    counts: dict[int, int] = {}
    for e in ledger:
        if e["before"] != e["after"]:
            counts[e["variant_id"]] = counts.get(e["variant_id"], 0) + 1
    return counts


# -- page size: 100, 500 or 1100, refused (400/422) or clamped ------------------------------------
@pytest.mark.parametrize("reading", PAGE_READINGS)
def test_every_variant_is_listed_and_read_whatever_page_size_the_store_allows(serve, opened, reading):
    served = serve("marketplacer", catalog="synthetic:1200x1", reading=reading)
    conn = opened(served)
    served.app.set_level("SKU-001200", 4321)                   # on the last page, whatever its size
    variants = conn.list_variants()
    assert len(variants) == len({v.id for v in variants}) == 1200
    conn.read_levels([v.id for v in variants], ["self"])       # taken from the listing ...
    levels = conn.read_levels([v.id for v in variants], ["self"])   # ... this one pages again
    assert len(levels) == 1200
    last = next(v for v in variants if v.sku == "SKU-001200")
    assert levels[(last.id, "self")] == 4321


def test_a_refused_page_size_falls_back_from_500_to_100_to_50_once_per_connection(serve, opened):
    served = serve("marketplacer", catalog="synthetic:120x1", max_page_size=50)
    conn = opened(served)
    before = served.app.request_count
    assert len(conn.list_variants()) == 120
    assert served.app.request_count - before == 2 + 3             # 500 and 100 refused, then 3 pages of 50
    before = served.app.request_count
    assert len(conn.list_locations()) == 1
    assert served.app.request_count - before == 1                 # the size that worked is kept


def test_a_store_refusing_even_50_a_page_says_so_in_one_sentence(serve, opened):
    served = serve("marketplacer", catalog="synthetic:20x1", max_page_size=20, oversized_page="422")
    with pytest.raises(ProtocolError, match=r"page size.*50") as caught:
        opened(served).list_variants()
    assert "Traceback" not in str(caught.value)


def test_a_clamping_store_is_followed_along_its_links_and_its_page_size_learnt(serve, opened):
    served = serve("marketplacer", catalog="synthetic:250x1", reading="page-max-100-clamped")
    conn = opened(served)
    before = served.app.request_count
    assert len(conn.list_variants()) == 250 and served.app.request_count - before == 3
    assert conn.page_size == 100 and conn.read_cost(250, 1) == 3


def test_a_page_size_the_caller_chose_below_the_store_limit_is_used_as_is(serve, opened):
    served = serve("marketplacer", catalog="synthetic:120x1", reading="page-max-100")
    conn = opened(served, page_size=30)
    before = served.app.request_count
    assert len(conn.list_variants()) == 120 and served.app.request_count - before == 4


# -- the bulk map: all-or-none or partial; error bodies in three shapes --------------------------
@pytest.mark.parametrize("reading", ["default", "bulk-partial", "errors-plain", "errors-empty"])
def test_one_bad_value_in_the_bulk_map_fails_alone_and_nothing_is_written_twice(serve, opened, reading):
    served = serve("marketplacer", reading=reading)
    conn = opened(served)
    variants = [v for v in conn.list_variants() if v.sku.startswith("TS-")][:8]
    changes = [change(v, 20 + i, before=served.app.level(v.sku), row=i + 2) for i, v in enumerate(variants)]
    changes[5] = change(variants[5], -3, before=served.app.level(variants[5].sku), row=7)
    outcomes = conn.apply(Chunk(0, changes))
    assert [o.ok for o in outcomes] == [i != 5 for i in range(8)]
    bad = outcomes[5]
    assert bad.code == PLATFORM_REJECTED and bad.error.startswith("Marketplacer rejected the change (422)")
    if reading != "errors-empty":
        assert "count_on_hand must be a whole number" in bad.error
    assert [served.app.level(v.sku) for i, v in enumerate(variants) if i != 5] == [20 + i for i in range(8) if i != 5]
    assert max(level_changes(served.app.ledger()).values()) == 1


@pytest.mark.parametrize("reading", ["default", "errors-plain", "errors-empty"])
def test_a_refused_token_is_an_auth_error_under_every_error_body(serve, opened, reading):
    served = serve("marketplacer", reading=reading)
    conn = MarketplacerConnector(served.url, "not-the-key")
    try:
        with pytest.raises(AuthError, match="refused the access token") as caught:
            conn.list_variants()
    finally:
        conn.close()
    assert served.app.token not in str(caught.value)
    if reading != "errors-empty":
        assert "API key is missing or not valid" in str(caught.value)


@pytest.mark.parametrize("reading", ["default", "errors-plain", "errors-empty"])
def test_seller_stock_on_a_single_seller_variant_fails_with_a_reason_under_every_error_body(serve, opened, reading):
    served = serve("marketplacer", reading=reading)
    conn = opened(served)
    conn.list_locations()
    mug = next(v for v in conn.list_variants() if v.sku == "MUG-SAGE")
    [outcome] = conn.apply(Chunk(0, [change(mug, 2, before=None, row=2, location_id="seller:101")]))
    assert not outcome.ok and outcome.code == PLATFORM_REJECTED and outcome.error.endswith(".")
    assert served.app.ledger() == []


# -- the documented variant fields only: no infinite, external_id or multi_store ----------------
def test_without_the_undocumented_fields_stock_is_still_read_and_written(serve, opened):
    served = serve("marketplacer", reading="documented-fields-only")
    conn = opened(served)
    conn.list_locations()
    by_sku = {v.sku: v for v in conn.list_variants()}
    assert by_sku["MUG-SAGE"].external_id is None and by_sku["BOTTLE-SKY"].extra["multi_store"] is None
    sky, mug = by_sku["BOTTLE-SKY"], by_sku["MUG-SAGE"]
    assert conn.read_levels([sky.id, mug.id], ["self", "seller:101"]) == {
        (sky.id, "self"): 0, (sky.id, "seller:101"): 3, (mug.id, "self"): 48}
    outcomes = conn.apply(Chunk(0, [change(mug, INFINITE, before=48, row=2),
                                    change(sky, 9, before=3, row=3, location_id="seller:101")]))
    assert [o.ok for o in outcomes] == [True, True]
    assert served.app.level("MUG-SAGE") == INFINITE and served.app.level("BOTTLE-SKY", "Bob's Bikes") == 9


def test_without_external_ids_a_renumbered_variant_is_never_written_as_if_at_zero(serve, opened, tmp_path):
    from desktop_app.engine.prepare import prepare
    from desktop_app.engine.submit import submit
    served = serve("marketplacer", reading="documented-fields-only")
    conn = opened(served)
    sheet = tmp_path / "adjust.csv"
    sheet.write_text("SKU,Adjust\nMUG-SAGE,5\n", encoding="utf-8")
    preview = prepare(sheet, conn)
    served.app.renumber()                          # nothing can tell the client where MUG-SAGE went
    result = submit(preview, conn, rate=None)
    assert served.app.level("MUG-SAGE") == 48 and served.app.ledger() == []
    assert result.applied == 0 and [o.status.value for o in result.outcomes] == ["failed"]


@pytest.mark.parametrize("reading", READINGS)
def test_the_readings_table_names_only_options_the_emulator_accepts(reading):
    app = sandbox_registry.create_app("marketplacer", rate="none", reading=reading)
    app.close()
