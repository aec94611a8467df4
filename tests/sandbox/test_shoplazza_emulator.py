"""The Shoplazza emulator reproduces the live API's traps, spoken to over real loopback HTTP."""
from __future__ import annotations

import json

import httpx
import pytest

from desktop_app.sandbox.demo import MAIN, OUTLET, POPUP
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.shoplazza import BASE, ShoplazzaApp


@pytest.fixture
def serve():
    started: list[tuple[SandboxServer, httpx.Client]] = []

    def start(**options) -> tuple[ShoplazzaApp, httpx.Client]:
        options.setdefault("rate", "none")
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
    app, client = serve()
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
    app, client = serve(semantics="documented")
    assert data(level_write(client, app, "/inventory_levels/set", stock=5))["inventory_level"]["stock"] == 5
    assert data(level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=-2))["inventory_level"]["stock"] == 3
    assert app.level("TOTE-NAT", OUTLET) == 3


def test_observed_set_adds_and_silently_ignores_zero(serve):
    app, client = serve(semantics="observed")
    assert data(level_write(client, app, "/inventory_levels/set", stock=5))["inventory_level"]["stock"] == 17
    assert data(level_write(client, app, "/inventory_levels/set", stock=0))["inventory_level"]["stock"] == 17
    assert [(e["op"], e["before"], e["after"]) for e in app.ledger()] == [("set-adds", 12, 17)]


def test_observed_adjust_refuses_non_positive_and_reports_insufficient_stock(serve):
    app, client = serve(semantics="observed")
    refused = level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=-2)
    below_zero = level_write(client, app, "/inventory_levels", "PUT", stock_adjustment=-13)
    assert (refused.status_code, refused.json()["code"]) == (422, "InvalidParameter")
    assert (below_zero.status_code, below_zero.json()) == (422, {"error": "insufficient_stock", "current_stock": 12})
    assert app.level("TOTE-NAT", OUTLET) == 12 and app.ledger() == []


def test_variant_inventory_quantity_sets_the_default_location_and_zero_clears_tracking(serve):
    app, client = serve(semantics="observed")
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
    app, client = serve(state=state, semantics="documented")
    data(level_write(client, app, "/inventory_levels/set", stock=41))
    app.close()
    reopened = ShoplazzaApp.create(state=state, rate="none")
    try:
        assert reopened.level("TOTE-NAT", OUTLET) == 41 and len(reopened.ledger()) == 1
    finally:
        reopened.close()
