"""ShoplazzaConnector against the Shoplazza emulator over real loopback HTTP.

Every test runs on the adding reading (what live stores were reported to do) unless it names
another reading of the docs; the readings past these two have their own module,
``test_shoplazza_readings.py``."""
from __future__ import annotations

import httpx
import pytest

from desktop_app.core import issues
from desktop_app.core.errors import AuthError, RateLimitedError
from desktop_app.core.models import Change, Chunk, Kind, Mode
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.http import RetryPolicy
from desktop_app.platforms.shoplazza import API, ShoplazzaConnector
from desktop_app.sandbox.demo import MAIN, OUTLET, POPUP
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.readings import by_name
from desktop_app.sandbox.shoplazza import READINGS, ShoplazzaApp
from desktop_app.sandbox.shoplazza_state import CLOSED

BEHAVIOURS = ["adding", "absolute"]       # the two readings of `set` (README)


@pytest.fixture
def shop():
    opened: list = []

    def start(*, reading: str = "adding", connector_options: dict | None = None,
              **options) -> tuple[ShoplazzaApp, ShoplazzaConnector]:
        options = {"rate": "none", **by_name(READINGS, reading).options, **options}
        app = ShoplazzaApp.create(**options)
        server = SandboxServer(app).start()
        connector = ShoplazzaConnector(server.url, app.token, **(connector_options or {}))
        opened.append((server, connector))
        return app, connector

    yield start
    for server, connector in opened:
        connector.close()
        server.stop()


def change_for(connector: ShoplazzaConnector, app: ShoplazzaApp, sku: str, location: str, after, *,
               variant_index: int = 0) -> Change:
    variant_id = app.variant_ids(sku)[variant_index]
    before = app.level(sku, location, variant_id=variant_id)
    variant = next(v for v in connector.list_variants() if v.id == variant_id)
    return Change(row=2, column="Stock", variant_id=variant_id, product_id=variant.product_id,
                  location_id=app.location_id(location), sku=sku, location_name=location, mode=Mode.SET,
                  before=before, after=after, delta=None if before is None else after - before,
                  kind=Kind.BIND if before is None else (Kind.INCREASE if after > before else Kind.DECREASE),
                  variant=variant)


def apply_one(connector: ShoplazzaConnector, change: Change):
    [outcome] = connector.apply(Chunk(index=0, changes=[change]))
    return outcome


# ---- reads ------------------------------------------------------------------------------------

def test_location_ids_above_2_53_arrive_exactly_and_stay_strings(shop):
    app, connector = shop()
    locations = connector.list_locations()                 # the deactivated one is not offered
    assert [(loc.id, loc.name) for loc in locations] == [(app.location_id(n), n) for n in (MAIN, OUTLET, POPUP)]
    assert all(isinstance(loc.id, str) and int(loc.id) > 2**53 for loc in locations)
    assert [loc.default for loc in locations] == [True, False, False]


def test_a_location_id_rounded_through_a_float_fails_with_location_not_found(shop):
    app, connector = shop()
    change = change_for(connector, app, "TOTE-NAT", OUTLET, 20)
    exact = change.location_id
    change.location_id = str(int(float(exact)))            # what a float-parsing client would send
    assert change.location_id != exact
    outcome = apply_one(connector, change)
    assert not outcome.ok and outcome.code == issues.PLATFORM_REJECTED
    assert "Location not found" in outcome.error and "TOTE-NAT at Outlet Store" in outcome.error
    assert app.level("TOTE-NAT", OUTLET) == 12 and app.ledger() == []


def test_connector_asks_for_250_rows_where_the_store_default_is_10(shop):
    app, connector = shop(catalog="synthetic:1200x12")
    assert len(connector.list_locations()) == 12 and connector.http.requests_sent == 1
    variants = connector.list_variants()           # 300 products: 2 pages, then 12 item batches of 100
    assert len(variants) == 1200 and connector.http.requests_sent == 1 + 2 + 12
    levels = connector.read_levels([v.id for v in variants[:30]], [app.location_id("Warehouse 1"), app.location_id("Warehouse 12")])
    assert len(levels) == 60


def test_paging_stops_when_has_more_is_null(shop):
    app, connector = shop(catalog="synthetic:4x12", connector_options={"page_size": 5})
    raw = httpx.get(connector.url + API + "/locations", params={"page_size": 5, "cursor": "MTA="},
                    headers={"Access-Token": app.token}).json()["data"]
    assert raw["has_more"] is None
    assert len(connector.list_locations()) == 12 and connector.http.requests_sent == 3


def test_read_levels_keeps_only_asked_rows_even_when_the_store_ignores_a_misspelt_filter(shop):
    app, connector = shop()
    tote, candle = app.variant_ids("TOTE-NAT")[0], app.variant_ids("CANDLE-CREME")[0]
    wanted = [app.location_id(OUTLET), app.location_id(POPUP)]
    expected = {(tote, wanted[0]): 12, (tote, wanted[1]): 9, (candle, wanted[0]): 8}
    assert connector.read_levels([tote, candle], wanted) == expected
    connector.ITEM_FILTER, connector.LOCATION_FILTER = "inventory_item_id", "location_id"   # misspelt: ignored by the store
    raw = httpx.get(connector.url + API + "/inventory_levels", headers={"Access-Token": app.token},
                    params={"inventory_item_id": app.inventory_item_id("TOTE-NAT"), "page_size": 250}).json()["data"]
    assert len({r["inventory_item_id"] for r in raw["inventory_levels"]}) == len(connector.list_variants())  # all of them
    assert connector.read_levels([tote, candle], wanted) == expected


def test_read_levels_reports_zero_for_an_omitted_stock_and_leaves_unconnected_pairs_out(shop):
    app, connector = shop()
    app.set_level("TOTE-NAT", OUTLET, 0)
    tote, candle = app.variant_ids("TOTE-NAT")[0], app.variant_ids("CANDLE-CREME")[0]
    levels = connector.read_levels([tote, candle], [app.location_id(OUTLET), app.location_id(POPUP)])
    assert levels[(tote, app.location_id(OUTLET))] == 0
    assert (candle, app.location_id(POPUP)) not in levels


def test_duplicate_skus_come_back_as_two_variants_with_their_own_inventory_items(shop):
    app, connector = shop()
    mugs = [v for v in connector.list_variants() if v.sku == "MUG-SAGE"]
    assert sorted(v.id for v in mugs) == sorted(app.variant_ids("MUG-SAGE"))
    assert {v.extra["inventory_item_id"] for v in mugs} == {
        app.inventory_item_id("MUG-SAGE", variant_id=v) for v in app.variant_ids("MUG-SAGE")}
    assert {(v.product, v.title) for v in mugs} == {("Stoneware Mug 350 ml", "Sage"), ("Stoneware Mug Gift Set", "Sage, boxed")}


def test_a_lowercase_success_code_is_accepted(shop):
    _, connector = shop(success_code="success")
    assert len(connector.list_locations()) == 3


def test_the_token_goes_in_access_token_and_a_wrong_one_is_an_auth_error(shop):
    app, connector = shop()
    assert connector.http._client.headers["Access-Token"] == app.token
    wrong = ShoplazzaConnector(connector.url, "not-the-token")
    try:
        with pytest.raises(AuthError, match="Invalid or missing access token"):
            wrong.list_locations()
    finally:
        wrong.close()


def test_429_is_waited_out_using_retry_after(shop):
    app, connector = shop(rate="2/20", retry_after=True)
    for _ in range(4):
        assert len(connector.list_locations()) == 3
    assert app.request_count > 4                  # some were refused with 429 and resent


class RecordingCancel(CancelToken):
    """Records the backoff waits instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return False


def test_429_without_retry_after_backs_off_then_gives_up_with_a_sentence(shop):
    cancel = RecordingCancel()
    app, connector = shop(rate="1/0.001", connector_options={
        "retry": RetryPolicy(rate_limit_retries=3, jitter=lambda: 1.0), "cancel": cancel})
    connector.list_locations()
    with pytest.raises(RateLimitedError, match="still rate-limiting"):
        connector.list_locations()
    assert cancel.waits == [0.5, 1.0, 2.0] and app.request_count == 5


# ---- writes: both semantics reach the target ------------------------------------------------

@pytest.mark.parametrize("reading", BEHAVIOURS)
@pytest.mark.parametrize(("sku", "location", "target"), [
    ("TOTE-NAT", OUTLET, 30),     # increase at a non-default location
    ("TOTE-NAT", MAIN, 45),       # decrease at the default location
    ("TOTE-NAT", MAIN, 0),        # zeroing at the default location
    ("TOTE-NAT", OUTLET, 5),      # decrease away from the default location
    ("TOTE-NAT", POPUP, 0),       # zeroing away from the default location
    ("CANDLE-CREME", POPUP, 6),   # not yet stocked there: connect, then raise
])
def test_every_change_reaches_its_target_without_overshooting(shop, reading, sku, location, target):
    app, connector = shop(reading=reading)
    outcome = apply_one(connector, change_for(connector, app, sku, location, target))
    assert (outcome.ok, outcome.level_after in (None, target), outcome.error) == (True, True, "")
    assert app.level(sku, location) == target
    assert all(entry["after"] in (None, 0, target) for entry in app.ledger())   # never an added-on-top level
    assert app.tracking(sku)


def test_on_a_documented_store_zeroing_away_from_the_default_location_is_one_adjustment(shop):
    app, connector = shop(reading="absolute")
    assert apply_one(connector, change_for(connector, app, "TOTE-NAT", POPUP, 0)).ok
    assert connector.semantics == "absolute" and app.level("TOTE-NAT", POPUP) == 0
    assert [(e["op"], e["location"], e["after"]) for e in app.ledger()] == [("adjust", POPUP, 0)]


def test_on_a_documented_store_a_decrease_anywhere_works_and_later_writes_need_no_probe(shop):
    app, connector = shop(reading="absolute")
    assert apply_one(connector, change_for(connector, app, "TOTE-NAT", OUTLET, 5)).ok
    assert connector.semantics == "absolute"
    second = change_for(connector, app, "MUG-CHAR", POPUP, 1)
    sent = connector.http.requests_sent
    assert apply_one(connector, second).ok                                              # one signed adjustment
    assert connector.http.requests_sent - sent == 1
    assert [(e["op"], e["after"]) for e in app.ledger()] == [("adjust", 5), ("adjust", 1)]


def test_the_semantics_are_probed_once_and_remembered(shop):
    app, connector = shop()
    connector.list_locations()                        # as a run does first: the default location is known
    first = change_for(connector, app, "TOTE-NAT", MAIN, 10)
    second = change_for(connector, app, "MUG-SAGE", MAIN, 1)
    sent = connector.http.requests_sent
    assert apply_one(connector, first).ok              # refused probe, read of the level, variant GET + PUT
    assert connector.http.requests_sent - sent == 4 and connector.semantics == "adding"
    assert apply_one(connector, second).ok             # straight to the variant GET + PUT
    assert connector.http.requests_sent - sent == 6
    assert [e["op"] for e in app.ledger()] == ["variant-quantity", "variant-quantity"]


def test_a_deactivated_location_is_not_offered_as_a_target(shop):
    app, connector = shop()
    assert CLOSED not in {loc.name for loc in connector.list_locations()}
    app.deactivate(POPUP)
    assert [loc.name for loc in connector.list_locations()] == [MAIN, OUTLET]


def test_a_level_changed_behind_our_back_is_reported_stale_with_the_store_level(shop):
    app, connector = shop()
    change = change_for(connector, app, "TOTE-NAT", OUTLET, 20)
    app.set_level("TOTE-NAT", OUTLET, 15)              # a sale channel restocked meanwhile
    outcome = apply_one(connector, change)
    assert (outcome.ok, outcome.code, outcome.level_after) == (False, issues.STALE, 23)
    assert "reports 23" in outcome.error and "not the target 20" in outcome.error
