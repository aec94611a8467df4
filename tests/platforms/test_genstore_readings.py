"""The Genstore connector under the emulator's readings of the docs, over real loopback HTTP: the
token's write scope checked before writing, variants whose inventory management is off, committed
stock beside available, and the store's own message whatever shape its error body has."""
from __future__ import annotations

import pytest

from desktop_app.core.errors import AuthError
from desktop_app.core.issues import PLATFORM_REJECTED, UNSUPPORTED
from desktop_app.core.models import Change, Chunk, Kind, Mode
from desktop_app.platforms.genstore import GenstoreConnector
from desktop_app.sandbox.demo import MAIN, OUTLET, POPUP


def open_store(serve, **options):
    served = serve("genstore", **options)
    return served.app, GenstoreConnector(served.url, served.app.token, page_size=5)


def change_for(connector, sku, location, *, after, before=None):
    variant = next(v for v in connector.list_variants() if v.sku == sku)
    loc = next(loc for loc in connector.list_locations() if loc.name == location)
    return Change(row=7, column="Qty", variant_id=variant.id, product_id=variant.product_id, location_id=loc.id,
                  sku=sku, location_name=location, mode=Mode.SET, before=before, after=after,
                  kind=Kind.INCREASE, delta=None, variant=variant)


# ---------------------------------------------------------------- 1. the write scope
@pytest.mark.parametrize("reading", ["default", "scopes-list", "scopes-plain"])
def test_a_token_with_the_write_scope_may_write_and_the_check_is_made_once(serve, reading):
    app, connector = open_store(serve, reading=reading)
    before = app.request_count
    assert connector.write_access() is None
    assert connector.write_access() is None
    assert app.request_count - before == 1
    connector.close()


@pytest.mark.parametrize("reading", ["default", "scopes-list", "scopes-plain"])
def test_a_read_only_token_is_told_before_the_first_write_in_one_sentence(serve, reading):
    app, connector = open_store(serve, reading=reading, scopes="read_products,read_orders")
    assert connector.list_variants() and connector.list_locations()       # export and dry run still work
    problem = connector.write_access()
    assert problem == ("The Genstore access token can read but not write inventory (it lacks the write_products "
                       "scope): ask the store owner for a token with it.")
    assert app.token not in problem
    with pytest.raises(AuthError):                                         # what the engine now avoids
        connector.apply(Chunk(index=0, changes=[change_for(connector, "TS-BLK-S", MAIN, after=5)]))
    assert app.ledger() == []
    connector.close()


def test_a_token_with_no_product_scope_at_all_is_told_it_can_neither_read_nor_write(serve):
    _, connector = open_store(serve, scopes="read_orders")
    assert connector.write_access() == ("The Genstore access token can neither read nor write inventory (it lacks "
                                        "the write_products scope): ask the store owner for a token with it.")
    connector.close()


def test_a_store_without_the_scopes_endpoint_is_unknown_so_writes_are_not_blocked(serve):
    app, connector = open_store(serve, reading="no-scopes-endpoint")
    before = app.request_count
    assert (connector.write_access(), connector.write_access()) == (None, None)
    assert app.request_count - before == 1
    connector.close()


# ---------------------------------------------------------------- 2. committed stock
def test_read_committed_gives_committed_stock_per_bound_level_when_the_store_shows_it(serve):
    app, connector = open_store(serve, reading="stock-states")
    app.set_committed("CANDLE-CREME", OUTLET, 5)
    by_sku = {v.sku: v.id for v in connector.list_variants()}
    loc = {loc.name: loc.id for loc in connector.list_locations()}
    wanted = [by_sku[s] for s in ("TS-BLK-M", "MUG-SAGE", "CANDLE-CREME", "TS-WHT-S")]
    committed = connector.read_committed(wanted, [loc[MAIN], loc[OUTLET], loc[POPUP]])
    assert committed == {
        (by_sku["TS-BLK-M"], loc[MAIN]): 3, (by_sku["TS-BLK-M"], loc[OUTLET]): 0, (by_sku["TS-BLK-M"], loc[POPUP]): 0,
        (by_sku["MUG-SAGE"], loc[MAIN]): 2, (by_sku["MUG-SAGE"], loc[OUTLET]): 1, (by_sku["MUG-SAGE"], loc[POPUP]): 0,
        (by_sku["CANDLE-CREME"], loc[MAIN]): 0, (by_sku["CANDLE-CREME"], loc[OUTLET]): 5,     # not at the Pop-up
        (by_sku["TS-WHT-S"], loc[MAIN]): 0, (by_sku["TS-WHT-S"], loc[OUTLET]): 0,
    }
    # read_levels is unchanged: available only
    assert connector.read_levels([by_sku["MUG-SAGE"]], [loc[MAIN]]) == {(by_sku["MUG-SAGE"], loc[MAIN]): 48}
    connector.close()


def test_read_committed_is_none_and_free_once_a_read_showed_the_store_does_not_report_it(serve):
    app, connector = open_store(serve)
    variants = connector.list_variants()
    loc = [loc.id for loc in connector.list_locations()]
    connector.read_levels([v.id for v in variants], loc)
    before = app.request_count
    assert connector.read_committed([v.id for v in variants], loc) is None
    assert app.request_count == before
    connector.close()


def test_read_committed_reads_when_nothing_was_read_yet_and_is_none_under_the_documented_shape(serve):
    app, connector = open_store(serve)
    mug = app.variant_id("MUG-SAGE")
    assert connector.read_committed([mug], [app.location_id(MAIN)]) is None
    connector.close()


def test_read_committed_of_unbound_pairs_only_is_empty_not_unknown(serve):
    app, connector = open_store(serve, reading="stock-states")
    connector.list_variants()
    candle = app.variant_id("CANDLE-CREME")                          # not stocked at the Pop-up
    assert connector.read_committed([candle], [app.location_id(POPUP)]) == {}
    connector.close()


# ---------------------------------------------------------------- 3. inventory management off
@pytest.mark.parametrize("reading", ["default", "boolean-flags", "untracked-refused", "numbers"])
def test_an_unmanaged_variant_is_flagged_and_its_change_fails_with_a_sentence_without_a_request(serve, reading):
    app, connector = open_store(serve, reading=reading)
    app.set_managed("GIFT-25", False)
    variants = {v.sku: v for v in connector.list_variants()}
    assert variants["GIFT-25"].extra.get("inventory_management") is False
    assert "inventory_management" not in variants["TS-BLK-S"].extra
    change = change_for(connector, "GIFT-25", MAIN, before=500, after=400)
    before = app.request_count
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.code, app.request_count - before) == (False, UNSUPPORTED, 0)
    assert outcome.error == ("Genstore does not track stock for variant GIFT-25 (inventory management is off): "
                             "turn it on in the store first.")
    assert app.level("GIFT-25", MAIN) == 500 and app.ledger() == []
    connector.close()


def test_a_change_without_its_variant_attached_is_refused_from_the_listed_catalogue(serve):
    app, connector = open_store(serve)
    app.set_managed("GIFT-25", False)
    change = change_for(connector, "GIFT-25", MAIN, before=500, after=400)
    change.variant = None                                           # e.g. a resumed run's journal entry
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.code, app.ledger()) == (False, UNSUPPORTED, [])
    connector.close()


# ---------------------------------------------------------------- 4. error bodies and ids
@pytest.mark.parametrize("reading", ["default", "errors-list", "code-message"])
def test_a_refused_change_quotes_the_stores_message_whatever_the_error_shape(serve, reading):
    _, connector = open_store(serve, reading=reading)
    change = change_for(connector, "TS-BLK-S", MAIN, after=5)
    change.location_id = "1"
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.code) == (False, PLATFORM_REJECTED)
    assert outcome.error == "Genstore rejected the change: Location 1 not found (HTTP 404)."
    connector.close()


@pytest.mark.parametrize("reading", ["errors-list", "code-message"])
def test_an_auth_error_quotes_the_message_whatever_the_error_shape(serve, reading):
    served = serve("genstore", reading=reading)
    connector = GenstoreConnector(served.url, "not-the-token-" + "y" * 12)
    with pytest.raises(AuthError) as caught:
        connector.list_locations()
    assert "Invalid API key or access token" in str(caught.value) and "{" not in str(caught.value)
    connector.close()


def test_numeric_ids_become_strings_and_a_write_round_trips(serve):
    app, connector = open_store(serve, reading="numbers")
    variants = connector.list_variants()
    assert all(isinstance(v.id, str) and v.id.isdigit() and isinstance(v.product_id, str) for v in variants)
    change = change_for(connector, "TS-BLK-M", MAIN, before=27, after=30)
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.level_after, app.level("TS-BLK-M", MAIN)) == (True, 30, 30)
    connector.close()
