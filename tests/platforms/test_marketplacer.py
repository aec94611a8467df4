"""MarketplacerConnector against the Marketplacer sandbox over real loopback HTTP."""
from __future__ import annotations

import httpx
import pytest

from desktop_app.core.errors import AuthError
from desktop_app.core.issues import PLATFORM_REJECTED, UNSUPPORTED
from desktop_app.core.models import INFINITE, Change, Chunk, Kind, Mode, Variant
from desktop_app.platforms.marketplacer import MarketplacerConnector, describe_error
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.marketplacer import DEFAULT_TOKEN, MarketplacerApp

BOB, HARBOUR, GREEN = "seller:101", "seller:102", "seller:103"


@pytest.fixture
def app():
    return MarketplacerApp.create(rate="none")


@pytest.fixture
def conn(server):
    connector = MarketplacerConnector(server.url, DEFAULT_TOKEN)
    yield connector
    connector.close()


def variants_by_sku(conn: MarketplacerConnector) -> dict[str, Variant]:
    return {v.sku: v for v in conn.list_variants()}


def change(variant: Variant, location_id: str, after, *, before=0, row: int = 2) -> Change:
    return Change(row=row, column="Qty", variant_id=variant.id, product_id=variant.product_id,
                  location_id=location_id, sku=variant.sku, location_name=location_id, mode=Mode.SET,
                  before=before, after=after, kind=Kind.INCREASE, delta=None, variant=variant)


def test_locations_are_own_stock_plus_one_per_multi_store_seller(conn):
    locations = conn.list_locations()
    assert [(l.id, l.name, l.kind, l.default) for l in locations] == [
        ("self", "Own stock", "own", True), (BOB, "Bob's Bikes", "seller", False),
        (HARBOUR, "Harbour Street Gifts", "seller", False), (GREEN, "Green Corner Co-op", "seller", False)]
    assert conn.capabilities.single_location is False


def test_list_variants_follows_links_next_across_pages(app, server):
    small = MarketplacerConnector(server.url, DEFAULT_TOKEN, page_size=4)
    before = app.request_count
    variants = small.list_variants()
    small.close()
    assert len(variants) == 19 and len({v.id for v in variants}) == 19
    assert app.request_count - before == 5                       # ceil(19 / 4)


def test_variants_carry_external_id_and_the_multi_store_flag(conn):
    by_sku = variants_by_sku(conn)
    assert by_sku["MUG-SAGE"].external_id == "ERP-MUG-SAGE"
    assert by_sku["CANDLE-CREME"].external_id is None
    assert by_sku["BOTTLE-SKY"].extra["multi_store"] is True and by_sku["MUG-SAGE"].extra["multi_store"] is False
    assert by_sku["BOTTLE-SKY"].product_id == by_sku["BOTTLE-STEEL"].product_id != by_sku["MUG-SAGE"].product_id


def test_read_levels_gives_own_stock_infinite_and_seller_records_with_absent_meaning_unstocked(conn):
    by_sku = variants_by_sku(conn)
    ids = [by_sku[s].id for s in ("MUG-SAGE", "GIFT-25", "BOTTLE-STEEL", "BOTTLE-SKY")]
    levels = conn.read_levels(ids, ["self", BOB, HARBOUR, GREEN])
    mug, gift, steel, sky = ids
    assert levels == {(mug, "self"): 48, (gift, "self"): INFINITE, (steel, "self"): 10, (sky, "self"): 0,
                      (steel, BOB): 6, (steel, HARBOUR): 0,           # a 0 record is 0
                      (sky, BOB): 3, (sky, GREEN): INFINITE}          # no record: absent (not stocked)


def test_own_stock_of_many_variants_is_read_by_paging_the_catalogue_not_one_request_each(app, conn):
    ids = [v.id for v in conn.list_variants()]
    conn.read_levels(ids, ["self"])                               # the listing's own levels (see below)
    app.set_level("TOTE-NAT", 77)
    before = app.request_count
    levels = conn.read_levels(ids, ["self"])
    assert len(levels) == len(ids) == 19 and app.request_count - before == 1
    assert levels[(variants_by_sku(conn)["TOTE-NAT"].id, "self")] == 77


# -- the read right after a listing reuses it, once, and never across a write --------------------
def test_the_read_right_after_the_listing_reuses_its_levels_without_a_request(app, conn):
    by_sku = variants_by_sku(conn)
    ids = [v.id for v in by_sku.values()]
    before = app.request_count
    levels = conn.read_levels(ids, ["self"])
    assert app.request_count == before
    assert levels[(by_sku["MUG-SAGE"].id, "self")] == 48 and levels[(by_sku["GIFT-25"].id, "self")] == INFINITE
    app.set_level("MUG-SAGE", 40)                                 # a sale: the next read must see it
    assert conn.read_levels(ids, ["self"])[(by_sku["MUG-SAGE"].id, "self")] == 40
    assert app.request_count - before == 1


def test_a_write_after_the_listing_makes_the_next_read_go_to_the_store(app, conn):
    by_sku = variants_by_sku(conn)
    mug = by_sku["MUG-SAGE"]
    conn.apply(Chunk(0, [change(mug, "self", 9, before=48)]))
    before = app.request_count
    assert conn.read_levels([v.id for v in by_sku.values()], ["self"])[(mug.id, "self")] == 9
    assert app.request_count - before == 1


def test_a_listing_older_than_the_reuse_window_is_not_reused(server, app):
    conn = MarketplacerConnector(server.url, DEFAULT_TOKEN, reuse_seconds=0)
    try:
        ids = [v.id for v in conn.list_variants()]
        before = app.request_count
        conn.read_levels(ids, ["self"])
    finally:
        conn.close()
    assert app.request_count - before == 1


def test_a_sale_between_the_preview_and_the_write_is_still_caught(app, conn, tmp_path):
    from desktop_app.engine.prepare import prepare
    from desktop_app.engine.submit import submit
    preview = prepare(_sheet(tmp_path, ("SKU", "Available"), [("MUG-SAGE", 30), ("TOTE-NAT", 5)]), conn)
    app.set_level("MUG-SAGE", 47)                                 # sold one, right after the preview
    result = submit(preview, conn, rate=None)
    assert (result.applied, result.stale) == (1, 1) and app.level("MUG-SAGE") == 47


def test_seller_levels_are_read_only_for_multi_store_variants(app, conn):
    ids = [v.id for v in conn.list_variants()]
    before = app.request_count
    levels = conn.read_levels(ids, [BOB])
    assert len(levels) == 2 and app.request_count - before == 2      # one inventories read per bottle


def test_own_stock_chunk_is_one_bulk_request_answered_201(app, conn):
    by_sku = variants_by_sku(conn)
    chunk = Chunk(0, [change(by_sku["TS-BLK-S"], "self", 5), change(by_sku["TOTE-NAT"], "self", 0),
                      change(by_sku["MUG-SAGE"], "self", INFINITE)])
    before = app.request_count
    outcomes = conn.apply(chunk)
    assert app.request_count - before == 1
    assert [(o.ok, o.level_after) for o in outcomes] == [(True, 5), (True, 0), (True, INFINITE)]
    assert (app.level("TS-BLK-S"), app.level("TOTE-NAT"), app.level("MUG-SAGE")) == (5, 0, INFINITE)


def test_infinite_stock_can_be_replaced_by_a_count(app, conn):
    gift = variants_by_sku(conn)["GIFT-25"]
    [outcome] = conn.apply(Chunk(0, [change(gift, "self", 40, before=INFINITE)]))
    assert outcome.ok and app.level("GIFT-25") == 40
    assert conn.read_levels([gift.id], ["self"]) == {(gift.id, "self"): 40}


def test_one_bad_value_is_isolated_by_splitting_and_the_rest_is_applied(app, conn):
    variants = [v for v in conn.list_variants() if not v.extra["multi_store"]][:16]
    changes = [change(v, "self", 10 + i, row=i + 2) for i, v in enumerate(variants)]
    changes[11] = change(variants[11], "self", -4, row=13)            # the platform rejects negatives
    before = app.request_count
    outcomes = conn.apply(Chunk(0, changes))
    # 1 bulk + at most 2·log2(16) halves + 1 look-up by external_id (was it renumbered? no)
    assert app.request_count - before <= 1 + 2 * 4 + 1
    bad = outcomes[11]
    assert not bad.ok and bad.code == PLATFORM_REJECTED and "count_on_hand must be a whole number" in bad.error
    assert all(o.ok for i, o in enumerate(outcomes) if i != 11)
    assert [app.level(v.sku) for v in variants[:3]] == [10, 11, 12]
    assert app.level(variants[11].sku) != -4


def test_seller_changes_send_only_changed_sellers_with_an_explicit_zero(app, conn):
    sky = variants_by_sku(conn)["BOTTLE-SKY"]
    outcomes = conn.apply(Chunk(0, [change(sky, GREEN, 0, before=INFINITE), change(sky, HARBOUR, 4, before=None)]))
    assert [(o.ok, o.level_after) for o in outcomes] == [(True, 0), (True, 4)]
    assert app.level("BOTTLE-SKY", "Green Corner Co-op") == 0              # a 0 record, not removed
    assert app.level("BOTTLE-SKY", "Bob's Bikes") == 3                     # untouched
    assert sorted(e["location"] for e in app.ledger()) == ["Green Corner Co-op", "Harbour Street Gifts"]


def test_seller_can_be_made_infinite_or_unstocked(app, conn):
    steel = variants_by_sku(conn)["BOTTLE-STEEL"]
    outcomes = conn.apply(Chunk(0, [change(steel, BOB, INFINITE, before=6), change(steel, HARBOUR, None)]))
    assert [(o.ok, o.level_after) for o in outcomes] == [(True, INFINITE), (True, None)]
    assert app.level("BOTTLE-STEEL", "Bob's Bikes") == INFINITE
    assert app.level("BOTTLE-STEEL", "Harbour Street Gifts") is None


def test_own_stock_cannot_be_made_unstocked_and_is_refused_before_sending(app, conn):
    mug = variants_by_sku(conn)["MUG-SAGE"]
    [outcome] = conn.apply(Chunk(0, [change(mug, "self", None, before=48)]))
    assert outcome.code == UNSUPPORTED and "set 0 instead" in outcome.error
    assert app.ledger() == []


def test_own_stock_of_a_multi_store_variant_is_set_on_the_variant_leaving_sellers_alone(app, conn):
    sky = variants_by_sku(conn)["BOTTLE-SKY"]
    [outcome] = conn.apply(Chunk(0, [change(sky, "self", 4)]))
    assert outcome.ok and app.level("BOTTLE-SKY") == 4 and app.level("BOTTLE-SKY", "Bob's Bikes") == 3


def test_seller_stock_on_a_single_seller_variant_fails_with_the_platform_message(conn):
    mug = variants_by_sku(conn)["MUG-SAGE"]
    [outcome] = conn.apply(Chunk(0, [change(mug, BOB, 2, before=None)]))
    assert not outcome.ok and outcome.code == PLATFORM_REJECTED and "single-seller" in outcome.error


def test_after_a_reimport_writes_find_the_variant_again_by_external_id(app, conn):
    by_sku = variants_by_sku(conn)
    app.renumber()                                                # ids from list_variants are now stale
    outcomes = conn.apply(Chunk(0, [change(by_sku["MUG-SAGE"], "self", 9), change(by_sku["BOTTLE-SKY"], BOB, 1),
                                    change(by_sku["CANDLE-CREME"], "self", 2)]))
    assert [o.ok for o in outcomes] == [True, True, False]        # the candle has no external_id
    assert app.level("MUG-SAGE") == 9 and app.level("BOTTLE-SKY", "Bob's Bikes") == 1
    assert "does not exist" in outcomes[2].error
    # later reads use the new id under the id the caller knows
    mug = by_sku["MUG-SAGE"].id
    assert conn.read_levels([mug], ["self"]) == {(mug, "self"): 9}


def test_the_api_key_header_works_for_sites_behind_basic_auth(server):
    connector = MarketplacerConnector(server.url, DEFAULT_TOKEN, auth="api-key")
    try:
        assert len(connector.list_locations()) == 4
    finally:
        connector.close()


def test_a_wrong_token_raises_auth_error_with_the_platform_detail(server):
    connector = MarketplacerConnector(server.url, "not-the-key")
    with pytest.raises(AuthError, match="API key is missing or not valid"):
        connector.list_variants()
    connector.close()


def test_without_a_multi_store_flag_the_connector_finds_sellers_through_inventories():
    app = MarketplacerApp.create(rate="none", expose_multi_store=False)
    with SandboxServer(app) as server:
        conn = MarketplacerConnector(server.url, DEFAULT_TOKEN)
        conn.list_locations()
        by_sku = variants_by_sku(conn)
        assert by_sku["BOTTLE-SKY"].extra["multi_store"] is None
        ids = [by_sku["BOTTLE-SKY"].id, by_sku["MUG-SAGE"].id]
        levels = conn.read_levels(ids, ["self", BOB])
        conn.close()
    assert levels == {(ids[0], BOB): 3, (ids[0], "self"): 0, (ids[1], "self"): 48}


def test_jsonapi_errors_are_described_by_their_details():
    response = httpx.Response(422, json={"errors": [{"status": "422", "title": "Invalid", "detail": "Bad value."},
                                                    {"status": "422", "title": "Not Found"}]})
    assert describe_error(response) == "Bad value; Not Found."


# -- a re-import renumbers the variants between the preview and the write ----------------------
def _sheet(tmp_path, header, rows):
    import csv
    path = tmp_path / "stock.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


#: single-seller variants of the demo catalogue with an external_id (besides MUG-SAGE)
TEES = [f"TS-{colour}-{size}" for colour in ("BLK", "WHT", "NVY") for size in ("S", "M", "L", "XL")]


@pytest.mark.parametrize("extra", [0, 10], ids=["read-one-by-one", "read-by-paging"])
def test_an_adjustment_after_a_reimport_is_added_to_the_live_level_not_to_zero(app, conn, tmp_path, extra):
    from desktop_app.engine.prepare import prepare
    from desktop_app.engine.submit import submit
    present = TEES[:extra]
    rows = [("MUG-SAGE", "Own stock", 5), ("BOTTLE-SKY", "Bob's Bikes", 2)] + [(s, "Own stock", 1) for s in present]
    before = {s: app.level(s) for s in present}
    preview = prepare(_sheet(tmp_path, ("SKU", "Location", "Adjust"), rows), conn)
    app.renumber()                                  # a product CSV re-import, after the preview
    result = submit(preview, conn, rate=None)
    assert app.level("MUG-SAGE") == 53                             # 48 + 5, not 5
    assert app.level("BOTTLE-SKY", "Bob's Bikes") == 5             # 3 + 2, not 2
    assert {s: app.level(s) for s in present} == {s: before[s] + 1 for s in present}
    assert (result.applied, result.failed, result.stale) == (len(rows), 0, 0)


@pytest.mark.parametrize("extra", [0, 10], ids=["read-one-by-one", "read-by-paging"])
def test_a_set_row_after_a_reimport_is_written_not_reported_stale(app, conn, tmp_path, extra):
    from desktop_app.engine.prepare import prepare
    from desktop_app.engine.submit import submit
    present = TEES[:extra]
    rows = [("MUG-SAGE", "Own stock", 30), ("BOTTLE-STEEL", "Bob's Bikes", 1)] + [(s, "Own stock", 77) for s in present]
    preview = prepare(_sheet(tmp_path, ("SKU", "Location", "Available"), rows), conn)
    app.renumber()
    result = submit(preview, conn, rate=None)
    assert [o.message for o in result.outcomes if o.status.value == "stale"] == []
    assert (result.applied, result.failed, result.stale) == (len(rows), 0, 0)
    assert app.level("MUG-SAGE") == 30 and app.level("BOTTLE-STEEL", "Bob's Bikes") == 1
    assert all(app.level(s) == 77 for s in present)


@pytest.mark.parametrize("extra", [0, 10], ids=["read-one-by-one", "read-by-paging"])
def test_read_levels_finds_renumbered_variants_by_external_id_and_answers_under_the_ids_asked(app, conn, extra):
    by_sku = variants_by_sku(conn)
    ids = [by_sku[s].id for s in ("MUG-SAGE", "BOTTLE-SKY", "CANDLE-CREME")]
    conn.read_levels(ids, ["self", BOB])                          # the preview's read
    app.renumber()
    mug, sky, candle = ids
    levels = conn.read_levels(ids + [by_sku[s].id for s in TEES[:extra]], ["self", BOB])
    levels = {k: v for k, v in levels.items() if k[0] in ids}
    # the candle has no external_id: it cannot be found again, and is left out (never read as 0)
    assert levels == {(mug, "self"): 48, (sky, "self"): 0, (sky, BOB): 3}


def test_seller_stock_alone_is_found_again_after_a_reimport(app, conn):
    by_sku = variants_by_sku(conn)
    sky = by_sku["BOTTLE-SKY"].id
    conn.read_levels([sky], [BOB])
    app.renumber()
    assert conn.read_levels([sky], [BOB, GREEN]) == {(sky, BOB): 3, (sky, GREEN): INFINITE}


# -- sites behind HTTP Basic auth: MARKETPLACER-API-KEY plus the Basic credentials ---------------
@pytest.fixture
def basic_server():
    app = MarketplacerApp.create(rate="none", basic_auth="shop-admin:s3cret pass")
    with SandboxServer(app) as server:
        yield app, server


def test_behind_basic_auth_the_key_goes_as_marketplacer_api_key_with_the_basic_credentials(basic_server):
    app, server = basic_server
    conn = MarketplacerConnector(server.url, DEFAULT_TOKEN, basic_user="shop-admin", basic_password="s3cret pass")
    try:
        assert len(conn.list_locations()) == 4
        mug = variants_by_sku(conn)["MUG-SAGE"]
        [outcome] = conn.apply(Chunk(0, [change(mug, "self", 12, before=48)]))
    finally:
        conn.close()
    assert outcome.ok and app.level("MUG-SAGE") == 12


@pytest.mark.parametrize("credentials", [{}, {"basic_user": "shop-admin", "basic_password": "wrong"},
                                         {"auth": "api-key"}], ids=["none", "wrong-password", "key-only"])
def test_without_the_right_basic_credentials_the_error_says_the_site_wants_them(basic_server, credentials):
    _app, server = basic_server
    conn = MarketplacerConnector(server.url, DEFAULT_TOKEN, **credentials)
    try:
        with pytest.raises(AuthError, match="HTTP Basic") as caught:
            conn.list_variants()
    finally:
        conn.close()
    text = str(caught.value)
    assert DEFAULT_TOKEN not in text and "s3cret" not in text and "<html" not in text


def test_basic_credentials_cannot_be_combined_with_a_bearer_key():
    with pytest.raises(ValueError, match="MARKETPLACER-API-KEY"):
        MarketplacerConnector("https://shop.example.com", "key", basic_user="u", basic_password="p", auth="bearer")
    with pytest.raises(ValueError, match="user name"):
        MarketplacerConnector("https://shop.example.com", "key", basic_password="p")


def test_basic_credentials_reach_the_connector_through_the_registry(basic_server):
    from desktop_app.platforms.registry import connect
    app, server = basic_server
    conn = connect("marketplacer", server.url, DEFAULT_TOKEN, basic_user="shop-admin", basic_password="s3cret pass")
    try:
        assert len(conn.list_variants()) == 19
    finally:
        conn.close()
