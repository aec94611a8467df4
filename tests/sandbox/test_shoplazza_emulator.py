"""The Shoplazza emulator reproduces the live API's traps, spoken to over real loopback HTTP.

Every test runs on the adding reading (what live stores were reported to do) unless it names
another reading of the docs (``READINGS``)."""
from __future__ import annotations

import json

import httpx
import pytest

from desktop_app.sandbox.demo import MAIN, OUTLET, POPUP
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.readings import by_name
from desktop_app.sandbox.shoplazza import BASE, READINGS, ShoplazzaApp
from desktop_app.sandbox.shoplazza_state import CLOSED


@pytest.fixture
def serve():
    started: list[tuple[SandboxServer, httpx.Client]] = []

    def start(*, reading: str = "adding", **options) -> tuple[ShoplazzaApp, httpx.Client]:
        options = {"rate": "none", **by_name(READINGS, reading).options, **options}
        app = ShoplazzaApp.create(**options)
        server = SandboxServer(app).start()
        client = httpx.Client(base_url=server.url + BASE, headers={"Access-Token": app.token})
        started.append((server, client))
        return app, client

    yield start
    for server, client in started:
        client.close()
        server.stop()


def data(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == "Success"
    return body["data"]


def test_location_ids_are_bare_json_numbers_above_2_53(serve):
    app, client = serve()
    text = client.get("/locations").text
    main_id = app.location_id(MAIN)
    assert int(main_id) > 2**53
    assert f'"id":{main_id},' in text                      # a number, not a string
    assert json.loads(text)["data"]["locations"][0]["id"] == int(main_id)


def test_json_suffix_is_accepted_and_default_location_is_the_first(serve):
    app, client = serve()
    location = data(client.get("/locations/default.json"))["location"]
    assert (str(location["id"]), location["default"]) == (app.location_id(MAIN), True)


def test_a_bearer_token_alone_is_refused_in_the_platform_error_shape(serve):
    app, client = serve()
    response = httpx.get(str(client.base_url) + "/locations", headers={"Authorization": f"Bearer {app.token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "Unauthorized"
    assert "Access-Token" in response.json()["message"]


def test_lists_default_to_10_rows_and_end_with_has_more_null_after_a_cursor(serve):
    _, client = serve(catalog="synthetic:4x12")
    first = data(client.get("/locations"))
    assert (len(first["locations"]), first["has_more"], first["total"]) == (10, True, 12)
    last = data(client.get("/locations", params={"cursor": first["cursor"]}))
    assert (len(last["locations"]), last["has_more"], last["cursor"]) == (2, None, "")
    assert data(client.get("/locations", params={"page_size": 250}))["has_more"] is False
    assert client.get("/locations", params={"page_size": 251}).json()["code"] == "InvalidParameter"


def test_a_misspelt_filter_is_ignored_and_returns_every_level(serve):
    app, client = serve()
    item = app.inventory_item_id("TOTE-NAT")
    filtered = data(client.get("/inventory_levels", params={"inventory_item_ids": item, "page_size": 250}))
    misspelt = data(client.get("/inventory_levels", params={"inventory_item_id": item, "page_size": 250}))
    assert {r["inventory_item_id"] for r in filtered["inventory_levels"]} == {item}
    assert len(misspelt["inventory_levels"]) > 20


def test_array_parameters_repeat_the_key_and_a_comma_joined_value_matches_nothing(serve):
    app, client = serve()
    ids = app.variant_ids("MUG-SAGE")
    repeated = data(client.get("/inventory_items/variant", params=[("variant_ids", v) for v in ids]))
    joined = data(client.get("/inventory_items/variant", params={"variant_ids": ",".join(ids)}))
    assert sorted(r["variant_id"] for r in repeated["variant_inventory_items"]) == sorted(ids)
    assert joined["variant_inventory_items"] == []


def test_level_rows_omit_stock_when_it_is_zero(serve):
    app, client = serve()
    app.set_level("TOTE-NAT", OUTLET, 0)
    rows = data(client.get("/inventory_levels", params={"inventory_item_ids": app.inventory_item_id("TOTE-NAT")}))
    by_location = {r["location_id"]: r for r in rows["inventory_levels"]}
    assert "stock" not in by_location[app.location_id(OUTLET)]
    assert by_location[app.location_id(MAIN)]["stock"] == 60


def test_an_id_rounded_through_a_float_is_location_not_found(serve):
    app, client = serve(reading="absolute")
    body = {"inventory_item_id": app.inventory_item_id("TOTE-NAT"), "stock": 5}
    exact = app.location_id(OUTLET)
    assert data(client.post("/inventory_levels/set", json={**body, "location_id": exact}))["inventory_level"]["stock"] == 5
    rounded = client.post("/inventory_levels/set", json={**body, "location_id": float(exact)})
    js_rounded = client.post("/inventory_levels/set", json={**body, "location_id": exact[:-3] + "000"})
    for response in (rounded, js_rounded):
        assert (response.status_code, response.json()) == (404, {"code": "NotFound", "message": "Location not found"})


def level_write(client, app, path, method="POST", **fields):
    body = {"inventory_item_id": app.inventory_item_id("TOTE-NAT"), "location_id": app.location_id(OUTLET), **fields}
    return client.request(method, path, json=body)


def test_documented_set_is_absolute_and_adjust_takes_signed_deltas(serve):
    app, client = serve(reading="absolute")
    assert data(level_write(client, app, "/inventory_levels/set", stock=5))["inventory_level"]["stock"] == 5
    assert data(level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=-2))["inventory_level"]["stock"] == 3
    assert app.level("TOTE-NAT", OUTLET) == 3


def test_observed_set_adds_and_silently_ignores_zero(serve):
    app, client = serve()
    assert data(level_write(client, app, "/inventory_levels/set", stock=5))["inventory_level"]["stock"] == 17
    assert data(level_write(client, app, "/inventory_levels/set", stock=0))["inventory_level"]["stock"] == 17
    assert [(e["op"], e["before"], e["after"]) for e in app.ledger()] == [("set-adds", 12, 17)]


def test_observed_adjust_refuses_non_positive_and_reports_insufficient_stock(serve):
    app, client = serve()
    refused = level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=-2)
    below_zero = level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=-13)
    assert (refused.status_code, refused.json()["code"]) == (422, "InvalidParameter")
    assert (below_zero.status_code, below_zero.json()) == (422, {"error": "insufficient_stock", "current_stock": 12})
    assert app.level("TOTE-NAT", OUTLET) == 12 and app.ledger() == []


def test_variant_inventory_quantity_sets_the_default_location_and_zero_clears_tracking(serve):
    app, client = serve()
    variant_id = app.variant_ids("TOTE-NAT")[0]
    data(client.put(f"/variants/{variant_id}", json={"variant": {"inventory_quantity": 7}}))
    assert (app.level("TOTE-NAT", MAIN), app.level("TOTE-NAT", OUTLET)) == (7, 12)
    variant = data(client.put(f"/variants/{variant_id}", json={"variant": {"inventory_quantity": 0}}))["variant"]
    assert variant["inventory_quantity"] is None and not app.tracking("TOTE-NAT")
    data(client.put(f"/inventory_items/{app.inventory_item_id('TOTE-NAT')}", json={"inventory_item": {"tracking": True}}))
    assert app.tracking("TOTE-NAT") and app.level("TOTE-NAT", MAIN) == 0


def test_writes_to_an_unconnected_level_need_a_connect_first(serve):
    app, client = serve()
    body = {"inventory_item_id": app.inventory_item_id("CANDLE-CREME"), "location_id": app.location_id(POPUP)}
    assert client.post("/inventory_levels/set", json={**body, "stock": 3}).status_code == 422
    assert "stock" not in data(client.post("/inventory_levels", json=body))["inventory_level"]
    assert app.level("CANDLE-CREME", POPUP) == 0


def test_the_demo_catalogue_has_two_variants_sharing_one_sku(serve):
    app, client = serve()
    products = data(client.get("/products", params={"per_page": 250}))["products"]
    skus = [v["sku"] for p in products for v in p["variants"]]
    assert skus.count("MUG-SAGE") == 2 and len(app.variant_ids("MUG-SAGE")) == 2


def test_the_bucket_answers_429_once_its_burst_is_spent(serve):
    app, client = serve(rate="2/0.001", retry_after=True)
    statuses = [client.get("/locations").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert float(client.get("/locations").headers["Retry-After"]) > 1 and app.request_count == 4


def test_state_survives_a_restart(tmp_path, serve):
    state = tmp_path / "shoplazza.sqlite"
    app, client = serve(state=state, reading="absolute")
    data(level_write(client, app, "/inventory_levels/set", stock=41))
    app.close()
    reopened = ShoplazzaApp.create(state=state, rate="none")
    try:
        assert reopened.level("TOTE-NAT", OUTLET) == 41 and len(reopened.ledger()) == 1
    finally:
        reopened.close()


# ---- the other readings of the docs, and the paths they exercise ---------------------------

def test_the_adding_reading_is_the_default_of_the_emulator(serve):
    app = ShoplazzaApp.create(rate="none")
    try:
        assert app.semantics == "observed"
    finally:
        app.close()


def test_a_refused_adjustment_answers_400_under_its_reading(serve):
    app, client = serve(reading="adding-refuses-400")
    refused = level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=-2)
    assert (refused.status_code, refused.json()["code"]) == (400, "InvalidParameter")
    assert app.level("TOTE-NAT", OUTLET) == 12 and app.ledger() == []


def test_an_echoing_store_answers_the_stock_sent_not_the_stored_level(serve):
    app, client = serve(reading="adding-echo")
    assert data(level_write(client, app, "/inventory_levels/set", stock=5))["inventory_level"]["stock"] == 5
    assert "stock" not in data(level_write(client, app, "/inventory_levels/set", stock=0))["inventory_level"]
    assert "stock" not in data(level_write(client, app, "/inventory_levels"))["inventory_level"]   # connected: echo
    assert app.level("TOTE-NAT", OUTLET) == 17


def test_switch_semantics_changes_the_behaviour_from_the_next_request(serve):
    app, client = serve(reading="absolute")
    assert data(level_write(client, app, "/inventory_levels/set", stock=5))["inventory_level"]["stock"] == 5
    app.switch_semantics("observed")
    assert data(level_write(client, app, "/inventory_levels/set", stock=5))["inventory_level"]["stock"] == 10


@pytest.mark.parametrize(("reading", "after_set"), [("absolute-then-adding", 14 + 5), ("adding-then-absolute", 5)])
def test_a_reading_can_switch_behaviour_after_two_level_writes(serve, reading, after_set):
    app, client = serve(reading=reading)
    data(level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=1))
    data(level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=1))            # 14, then the switch
    data(level_write(client, app, "/inventory_levels/set", stock=5))
    assert app.level("TOTE-NAT", OUTLET) == after_set


def test_disconnect_removes_the_level_and_connect_brings_it_back_at_zero(serve):
    app, client = serve()
    body = {"inventory_item_id": app.inventory_item_id("TOTE-NAT"), "location_id": app.location_id(OUTLET)}
    data(client.request("DELETE", "/inventory_levels", json=body))
    assert app.level("TOTE-NAT", OUTLET) is None
    levels = data(client.get("/inventory_levels", params={"inventory_item_ids": body["inventory_item_id"]}))
    assert body["location_id"] not in {r["location_id"] for r in levels["inventory_levels"]}
    assert client.request("DELETE", "/inventory_levels", json=body).status_code == 404
    assert "stock" not in data(client.post("/inventory_levels", json=body))["inventory_level"]
    assert app.level("TOTE-NAT", OUTLET) == 0
    assert [(e["op"], e["before"], e["after"]) for e in app.ledger()] == [("disconnect", 12, None), ("connect", None, 0)]


def test_disconnect_is_refused_at_the_default_location_and_everywhere_under_no_disconnect(serve):
    app, client = serve()
    main = {"inventory_item_id": app.inventory_item_id("TOTE-NAT"), "location_id": app.location_id(MAIN)}
    assert client.request("DELETE", "/inventory_levels", json=main).status_code == 422
    app, client = serve(reading="no-disconnect")
    outlet = {"inventory_item_id": app.inventory_item_id("TOTE-NAT"), "location_id": app.location_id(OUTLET)}
    refused = client.request("DELETE", "/inventory_levels", json=outlet)
    assert refused.status_code == 422 and "cannot be disconnected" in refused.json()["message"]
    assert app.level("TOTE-NAT", OUTLET) == 12 and app.ledger() == []


@pytest.mark.parametrize(("reading", "products", "locations"), [
    ("adding", True, True), ("products-without-has-more", False, True), ("no-has-more", False, False)])
def test_has_more_is_present_or_absent_by_reading_and_the_cursor_always_pages(serve, reading, products, locations):
    _, client = serve(reading=reading, catalog="synthetic:40x12")
    first_products = data(client.get("/products", params={"per_page": 4}))
    first_locations = data(client.get("/locations", params={"page_size": 5}))
    assert ("has_more" in first_products, "has_more" in first_locations) == (products, locations)
    assert first_products["cursor"] and first_locations["cursor"]
    last = data(client.get("/locations", params={"page_size": 5, "cursor": first_locations["cursor"]}))
    last = data(client.get("/locations", params={"page_size": 5, "cursor": last["cursor"]}))
    assert (len(last["locations"]), last["cursor"]) == (2, "")


def test_has_more_false_even_when_a_cursor_leads_on(serve):
    _, client = serve(reading="has-more-false", catalog="synthetic:4x12")
    first = data(client.get("/locations"))
    assert (len(first["locations"]), first["has_more"], bool(first["cursor"])) == (10, False, True)


def test_variants_carry_a_price_and_a_put_without_it_is_refused_where_the_schema_is_followed(serve):
    app, client = serve(reading="variant-price-required")
    variant_id = app.variant_ids("TOTE-NAT")[0]
    variant = data(client.get(f"/variants/{variant_id}"))["variant"]
    assert variant["price"] == app.price("TOTE-NAT") and variant["inventory_quantity"] == 81
    refused = client.put(f"/variants/{variant_id}", json={"variant": {"inventory_quantity": 7}})
    assert (refused.status_code, refused.json()["message"]) == (400, "variant.price is required.")
    data(client.put(f"/variants/{variant_id}", json={"variant": {"price": variant["price"], "inventory_quantity": 7}}))
    assert (app.level("TOTE-NAT", MAIN), app.price("TOTE-NAT")) == (7, variant["price"])
    product = data(client.get(f"/products/{variant['product_id']}"))["product"]
    assert [v["id"] for v in product["variants"]] == [variant_id]


def test_a_deactivated_location_is_listed_inactive_and_refuses_writes(serve):
    app, client = serve()
    listed = {loc["name"]: loc for loc in data(client.get("/locations"))["locations"]}
    assert (listed[CLOSED]["active"], listed[MAIN]["active"]) == (False, True)
    assert CLOSED not in {loc["name"] for loc in data(client.get("/locations", params={"status": 1}))["locations"]}
    body = {"inventory_item_id": app.inventory_item_id("TOTE-NAT"), "location_id": app.location_id(CLOSED)}
    refused = client.post("/inventory_levels", json=body)
    assert (refused.status_code, refused.json()["message"]) == (422, "The location is deactivated.")


def test_deactivating_a_location_moves_its_stock_to_the_target(serve):
    app, client = serve()
    data(client.post("/locations/deactivate", params={"location_id": app.location_id(POPUP),
                                                      "target_location_id": app.location_id(OUTLET)}))
    assert (app.level("TOTE-NAT", POPUP), app.level("TOTE-NAT", OUTLET)) == (None, 21)
    popup = next(loc for loc in data(client.get("/locations"))["locations"] if loc["name"] == POPUP)
    assert popup["active"] is False
    default = client.post("/locations/deactivate", params={"location_id": app.location_id(MAIN)})
    assert default.status_code == 400
