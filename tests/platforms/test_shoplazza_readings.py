"""The Shoplazza connector under the emulator's readings of the docs, over real loopback HTTP.

The behaviour of ``set`` is learnt from a read of the level, never from a write's answer (which
may be an echo); a refused adjustment is 400 or 422; a store that changes behaviour mid-run never
leaves a wrong level reported ok; decreases away from the default location on an adding store go
through disconnect + connect + add; listings page on the cursor whatever ``has_more`` says; the
variant write sends the price the schema requires."""
from __future__ import annotations

import pytest

from desktop_app.core import issues
from desktop_app.core.models import Change, Chunk, Kind, Mode
from desktop_app.platforms.shoplazza import ShoplazzaConnector
from desktop_app.sandbox.demo import MAIN, OUTLET, POPUP


def open_store(serve, reading="adding", *, page_size=250, **options):
    served = serve("shoplazza", reading=reading, **options)
    return served.app, ShoplazzaConnector(served.url, served.app.token, page_size=page_size)


def change_for(connector, app, sku, location, after, *, before="live"):
    variant_id = app.variant_ids(sku)[0]
    before = app.level(sku, location) if before == "live" else before
    variant = next(v for v in connector.list_variants() if v.id == variant_id)
    kind = Kind.BIND if before is None else (Kind.INCREASE if after > before else Kind.DECREASE)
    return Change(row=4, column="Stock", variant_id=variant_id, product_id=variant.product_id,
                  location_id=app.location_id(location), sku=sku, location_name=location, mode=Mode.SET,
                  before=before, after=after, delta=None if before is None else after - before, kind=kind,
                  variant=variant)


def apply_one(connector, change):
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    return outcome


def ops(app):
    return [(e["op"], e["location"], e["before"], e["after"]) for e in app.ledger()]


# ---- 1. the set/adding probe learns from a read ------------------------------------------------

@pytest.mark.parametrize(("location", "target"), [(MAIN, 0), (OUTLET, 0), (MAIN, 10), (OUTLET, 5)])
def test_an_echoed_write_answer_is_not_taken_for_the_stored_level(serve, location, target):
    app, connector = open_store(serve, "adding-echo")
    connector.list_locations()
    outcome = apply_one(connector, change_for(connector, app, "TOTE-NAT", location, target))
    assert (outcome.ok, outcome.error) == (True, "")
    assert app.level("TOTE-NAT", location) == target and connector.semantics == "adding"
    connector.close()


@pytest.mark.parametrize("location", [MAIN, OUTLET])
def test_a_refused_adjustment_answered_with_400_is_read_as_the_adding_behaviour(serve, location):
    app, connector = open_store(serve, "adding-refuses-400")
    connector.list_locations()
    outcome = apply_one(connector, change_for(connector, app, "TOTE-NAT", location, 7))
    assert (outcome.ok, outcome.error) == (True, "")
    assert app.level("TOTE-NAT", location) == 7 and connector.semantics == "adding"
    connector.close()


def test_a_refusal_that_is_not_about_the_behaviour_is_not_learnt_from(serve):
    app, connector = open_store(serve)
    change = change_for(connector, app, "TOTE-NAT", OUTLET, 5)
    app.set_level("TOTE-NAT", OUTLET, None)          # disconnected by someone else meanwhile
    outcome = apply_one(connector, change)
    assert not outcome.ok and outcome.code == issues.PLATFORM_REJECTED and "not stocked" in outcome.error
    assert connector.semantics is None and app.ledger() == []
    connector.close()


def test_a_store_switching_to_adding_mid_run_is_detected_and_no_wrong_level_is_left(serve):
    app, connector = open_store(serve, "absolute")
    connector.list_locations()
    assert apply_one(connector, change_for(connector, app, "TOTE-NAT", OUTLET, 10)).ok
    assert connector.semantics == "absolute"
    app.switch_semantics("observed")                 # a platform release, mid-run
    for sku, location, target in [("TOTE-NAT", POPUP, 3), ("MUG-CHAR", OUTLET, 2), ("TS-BLK-M", MAIN, 40),
                                  ("TS-BLK-M", POPUP, 0)]:
        outcome = apply_one(connector, change_for(connector, app, sku, location, target))
        assert (outcome.ok, outcome.error, app.level(sku, location)) == (True, "", target)
    assert connector.semantics == "adding"
    assert not [e for e in app.ledger() if e["op"] == "set-adds"]     # nothing was added on top
    connector.close()


def test_a_store_switching_back_to_absolute_mid_run_still_reaches_every_target(serve):
    app, connector = open_store(serve)
    connector.list_locations()
    assert apply_one(connector, change_for(connector, app, "TOTE-NAT", OUTLET, 10)).ok
    app.switch_semantics("documented")
    for sku, location, target in [("TOTE-NAT", POPUP, 3), ("MUG-CHAR", OUTLET, 2), ("TS-BLK-M", MAIN, 40)]:
        outcome = apply_one(connector, change_for(connector, app, sku, location, target))
        assert (outcome.ok, app.level(sku, location)) == (True, target)
    connector.close()


@pytest.mark.parametrize("reading", ["adding", "adding-echo"])
def test_binding_reads_the_level_it_connected_before_adding_to_it(serve, reading):
    app, connector = open_store(serve, reading)
    change = change_for(connector, app, "CANDLE-CREME", POPUP, 6)        # not stocked there when read
    app.set_level("CANDLE-CREME", POPUP, 4)          # ... but connected with 4 since (another channel)
    outcome = apply_one(connector, change)
    assert outcome.ok and app.level("CANDLE-CREME", POPUP) == 6
    connector.close()


# ---- 2. decreases away from the default location on an adding store ----------------------------

@pytest.mark.parametrize("target", [5, 0])
def test_a_decrease_away_from_the_default_location_disconnects_reconnects_and_adds(serve, target):
    app, connector = open_store(serve)
    connector.list_locations()
    outcome = apply_one(connector, change_for(connector, app, "TOTE-NAT", OUTLET, target))
    assert (outcome.ok, outcome.code, outcome.error) == (True, "", "")
    assert app.level("TOTE-NAT", OUTLET) == target and app.tracking("TOTE-NAT")
    path = [("disconnect", OUTLET, 12, None), ("connect", OUTLET, None, 0)]
    assert ops(app) == path + ([("adjust", OUTLET, 0, target)] if target else [])
    second = apply_one(connector, change_for(connector, app, "MUG-CHAR", OUTLET, 1))    # no second probe
    assert second.ok and app.level("MUG-CHAR", OUTLET) == 1
    assert [e["op"] for e in app.ledger()].count("disconnect") == 2
    connector.close()


def test_a_store_refusing_the_disconnect_fails_the_row_with_its_reason_and_changes_nothing(serve):
    app, connector = open_store(serve, "no-disconnect")
    connector.list_locations()
    outcome = apply_one(connector, change_for(connector, app, "TOTE-NAT", OUTLET, 5))
    assert not outcome.ok and outcome.code == issues.PLATFORM_REJECTED
    assert "TOTE-NAT at Outlet Store" in outcome.error and "cannot be disconnected" in outcome.error
    assert "Shoplazza admin" in outcome.error
    assert app.level("TOTE-NAT", OUTLET) == 12 and app.ledger() == []
    connector.close()


def test_write_path_tells_the_preview_when_the_disconnect_path_will_be_used(serve):
    app, connector = open_store(serve)
    connector.list_locations()
    lower_outlet = change_for(connector, app, "TOTE-NAT", OUTLET, 5)
    assert connector.write_path(lower_outlet) == (
        "If this Shoplazza store adds on 'set' (as live stores do), it cannot lower a level away from the default "
        "location directly: Stocksheet then disconnects and reconnects TOTE-NAT at Outlet Store, and adds 5.")
    assert connector.write_path(change_for(connector, app, "TOTE-NAT", OUTLET, 30)) is None       # an increase
    assert connector.write_path(change_for(connector, app, "TOTE-NAT", MAIN, 5)) is None          # the default
    assert apply_one(connector, change_for(connector, app, "MUG-CHAR", MAIN, 3)).ok               # learns: adding
    assert connector.write_path(lower_outlet) == (
        "Shoplazza cannot lower a level away from the default location directly: Stocksheet disconnects and "
        "reconnects TOTE-NAT at Outlet Store, then adds 5.")
    assert connector.write_path(change_for(connector, app, "TOTE-NAT", POPUP, 0)) == (
        "Shoplazza cannot lower a level away from the default location directly: Stocksheet disconnects and "
        "reconnects TOTE-NAT at Pop-up, which leaves it at 0.")
    connector.close()


def test_write_path_is_none_once_the_store_is_known_to_lower_directly(serve):
    app, connector = open_store(serve, "absolute")
    connector.list_locations()
    assert apply_one(connector, change_for(connector, app, "MUG-CHAR", OUTLET, 3)).ok
    assert connector.write_path(change_for(connector, app, "TOTE-NAT", OUTLET, 5)) is None
    connector.close()


# ---- 3. paging, deactivated locations, the variant's price ------------------------------------

@pytest.mark.parametrize("reading", ["adding", "products-without-has-more", "no-has-more", "has-more-false"])
def test_every_listing_pages_on_the_cursor_whatever_has_more_says(serve, reading):
    app, connector = open_store(serve, reading, page_size=4, catalog="synthetic:60x9")
    assert len(connector.list_locations()) == 9
    variants = connector.list_variants()                 # 15 products of 4 variants, 4 products a page
    assert len(variants) == 60 and len({v.id for v in variants}) == 60
    levels = connector.read_levels([v.id for v in variants[:3]], [app.location_id("Warehouse 9")])
    assert len(levels) == 3
    connector.close()


def test_a_location_deactivated_since_the_last_listing_is_not_offered(serve):
    app, connector = open_store(serve)
    app.deactivate(OUTLET)
    assert [loc.name for loc in connector.list_locations()] == [MAIN, POPUP]
    connector.close()


def test_the_variant_write_sends_the_current_price_the_schema_requires(serve):
    app, connector = open_store(serve, "variant-price-required")
    connector.list_locations()
    change = change_for(connector, app, "TOTE-NAT", MAIN, 20)
    app.set_price("TOTE-NAT", "31.50")               # the merchant changed it after the catalogue was read
    outcome = apply_one(connector, change)
    assert (outcome.ok, outcome.error) == (True, "")
    assert (app.level("TOTE-NAT", MAIN), app.price("TOTE-NAT")) == (20, "31.50")
    connector.close()


def test_a_level_that_moved_before_a_refused_decrease_is_stale_and_nothing_is_learnt(serve):
    app, connector = open_store(serve)
    change = change_for(connector, app, "TOTE-NAT", OUTLET, 5)
    app.set_level("TOTE-NAT", OUTLET, 10)            # a sale after the pre-write read
    outcome = apply_one(connector, change)
    assert (outcome.ok, outcome.code, outcome.level_after) == (False, issues.STALE, 10)
    assert "moved from 12 to 10" in outcome.error and "5 was not written" in outcome.error
    assert connector.semantics is None and app.ledger() == [] and app.level("TOTE-NAT", OUTLET) == 10
    connector.close()
