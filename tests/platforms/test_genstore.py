"""Genstore connector specifics, against the emulator (and MockTransport for malformed answers)."""
from __future__ import annotations

import json

import httpx
import pytest

from desktop_app.core.errors import ProtocolError
from desktop_app.core.issues import PLATFORM_REJECTED, UNSUPPORTED
from desktop_app.core.models import INFINITE, Change, Chunk, Kind, Mode
from desktop_app.platforms.genstore import GenstoreConnector, next_link


@pytest.fixture
def demo(serve):
    served = serve("genstore")
    connector = GenstoreConnector(served.url, served.app.token, page_size=5)
    yield served.app, connector
    connector.close()


def change_for(app, connector, sku, location, *, after, before=None):
    variant = next(v for v in connector.list_variants() if v.sku == sku)
    loc = next(loc for loc in connector.list_locations() if loc.name == location)
    return Change(row=7, column="Qty", variant_id=variant.id, product_id=variant.product_id, location_id=loc.id,
                  sku=sku, location_name=location, mode=Mode.SET, before=before, after=after,
                  kind=Kind.INCREASE, delta=None, variant=variant)


def mock_connector(handler) -> GenstoreConnector:
    return GenstoreConnector("https://shop.genmystore.com", "tok", transport=httpx.MockTransport(handler))


def test_ids_stay_strings_and_leading_zero_barcodes_survive(demo):
    _, connector = demo
    variants = {v.sku: v for v in connector.list_variants()}
    mug, candle = variants["MUG-SAGE"], variants["CANDLE-CREME"]
    assert len(mug.id) == 15 and mug.id.isdigit() and isinstance(mug.product_id, str)
    assert (mug.barcode, mug.product, mug.title) == ("0012345600074", "Stoneware Mug 350 ml", "Sage")
    assert (candle.product, candle.title) == ("Crème Brûlée Scented Candle", "")
    assert variants["GIFT-25"].barcode is None
    assert [loc.default for loc in connector.list_locations()] == [True, False, False]


def test_read_levels_leaves_unbound_pairs_out_and_skips_unwanted_locations(demo):
    app, connector = demo
    locations = {loc.name: loc.id for loc in connector.list_locations()}
    candle = next(v for v in connector.list_variants() if v.sku == "CANDLE-CREME")
    levels = connector.read_levels([candle.id], [locations["Main Warehouse"], locations["Pop-up"]])
    assert levels == {(candle.id, locations["Main Warehouse"]): 35}


def test_read_levels_stops_paging_once_every_wanted_variant_was_seen(demo):
    app, connector = demo
    first = app.variant_id("TS-BLK-S")
    before = app.request_count
    connector.read_levels([first], [app.location_id("Main Warehouse")])
    assert app.request_count - before == 1


def test_apply_sets_available_and_reports_the_level_after_without_touching_committed(demo):
    app, connector = demo
    change = change_for(app, connector, "TS-BLK-M", "Main Warehouse", before=27, after=30)
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.level_after) == (True, 30)
    assert (app.level("TS-BLK-M", "Main Warehouse"), app.committed("TS-BLK-M", "Main Warehouse")) == (30, 3)
    assert app.ledger()[-1]["path"] == f"/api/202412/inventory/{change.variant_id}"


def test_a_change_the_store_refuses_is_a_failed_outcome_with_its_message(demo):
    app, connector = demo
    change = change_for(app, connector, "TS-BLK-S", "Main Warehouse", after=5)
    change.location_id = "1"
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.code) == (False, PLATFORM_REJECTED)
    assert "Location 1 not found" in outcome.error and "404" in outcome.error


@pytest.mark.parametrize("after", [None, INFINITE])
def test_not_stocked_or_infinite_targets_are_unsupported_and_send_nothing(demo, after):
    app, connector = demo
    change = change_for(app, connector, "TS-BLK-S", "Main Warehouse", after=after)
    before = app.request_count
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.code, app.request_count) == (False, UNSUPPORTED, before)


def test_a_pasted_api_root_is_accepted_as_the_store_url(serve):
    served = serve("genstore")
    connector = GenstoreConnector(f"{served.url}/api/202412/", served.app.token)
    try:
        assert len(connector.list_locations()) == 3 and connector.url == served.url
    finally:
        connector.close()


def test_a_next_link_to_another_host_is_not_followed():
    def handler(request):
        return httpx.Response(200, json={"locations": [{"locationId": "1", "name": "A"}]},
                              headers={"Link": "<https://evil.example/api/202412/shops/locations?pageToken=x>; rel=next"})
    with pytest.raises(ProtocolError, match="another host"):
        mock_connector(handler).list_locations()


def test_a_paging_loop_is_detected():
    def handler(request):
        return httpx.Response(200, json={"locations": []}, headers={
            "Link": "<https://shop.genmystore.com/api/202412/shops/locations?pageToken=same&limit=250>; rel=next"})
    with pytest.raises(ProtocolError, match="loops"):
        mock_connector(handler).list_locations()


def test_numeric_quantities_are_tolerated_but_fractional_ones_and_float_ids_are_not():
    def answer(counts, variant_id="107362235756584", *, paged=True):
        body = {"inventorys": [{"productId": "1", "variantId": variant_id, "inventoryCounts": counts}]}
        one = {"productVariant": {"variantId": variant_id, "inventoryQuantities": counts}}
        c = mock_connector(lambda request: httpx.Response(200, json=body if request.url.path.endswith("/inventory")
                                                          else one))
        if paged:             # as after list_variants of a one-page catalogue: a paged pass over /inventory
            c._catalogue_size = 1
        return c
    for paged in (True, False):   # without the catalogue's size (undo, resume): one GET per variant
        assert answer([{"locationId": 54002, "available": 12}], paged=paged).read_levels(
            ["107362235756584"], ["54002"]) == {("107362235756584", "54002"): 12}
        with pytest.raises(ProtocolError, match="whole number"):
            answer([{"locationId": "54002", "available": "1.5"}], paged=paged).read_levels(
                ["107362235756584"], ["54002"])
    with pytest.raises(ProtocolError, match="not an id"):
        answer([], variant_id=1.0736223575658e14).read_levels(["107362235756584"], ["54002"])


def test_a_successful_write_with_an_unreadable_answer_still_counts_as_applied():
    sent = []

    def handler(request):
        sent.append(json.loads(request.content))
        return httpx.Response(200, content=b"OK")
    change = Change(row=2, column="Qty", variant_id="107362235756584", product_id="102744589756584",
                    location_id="54002", sku="A", location_name="Main", mode=Mode.SET, before=1, after=4,
                    kind=Kind.INCREASE, delta=3)
    [outcome] = mock_connector(handler).apply(Chunk(index=0, changes=[change]))
    assert (outcome.ok, outcome.level_after) == (True, None)
    assert sent == [{"productId": "102744589756584", "locationId": "54002", "available": "4"}]


@pytest.mark.parametrize("header, expected", [
    ("<https://s/a?pageToken=p&limit=3>; rel=previous, <https://s/a?pageToken=n&limit=3>; rel=next",
     "https://s/a?pageToken=n&limit=3"),
    ('<https://s/a?pageToken=n>; rel="next"', "https://s/a?pageToken=n"),
    ("<https://s/a?pageToken=p>; rel=previous", None),
    ("", None),
    (None, None),
])
def test_next_link_picks_rel_next_from_a_link_header(header, expected):
    assert next_link(header) == expected


def test_capabilities_describe_absolute_single_change_writes():
    caps = GenstoreConnector.capabilities
    assert (caps.can_set, caps.can_adjust, caps.single_location, caps.max_chunk) == (True, False, False, 1)
    assert (caps.rate_burst, caps.rate_per_second, caps.max_in_flight, caps.idempotent_writes) == (40, 2.0, 4, True)


def test_a_reread_of_a_few_variants_costs_one_request_each_not_a_full_inventory_pass():
    from desktop_app.platforms.genstore import GenstoreConnector
    from desktop_app.sandbox.genstore import GenstoreApp
    from desktop_app.sandbox.http import SandboxServer

    app = GenstoreApp.create(catalog="synthetic:1000x2", rate="none")
    with SandboxServer(app) as server:
        connector = GenstoreConnector(server.url, app.token, page_size=50)
        variants = connector.list_variants()
        locations = [loc.id for loc in connector.list_locations()]
        full = connector.read_levels([v.id for v in variants], locations)
        before = app.request_count
        few = connector.read_levels([variants[500].id, variants[999].id], locations)
        assert app.request_count - before == 2
        assert few == {k: v for k, v in full.items() if k[0] in (variants[500].id, variants[999].id)} and len(few) == 4
        connector.close()
