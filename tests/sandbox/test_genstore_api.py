"""The Genstore emulator over real loopback HTTP: auth, document shapes, writes and their errors."""
from __future__ import annotations

import httpx
import pytest

from desktop_app.sandbox.genstore import GenstoreApp
from desktop_app.sandbox.http import SandboxServer

API = "/api/202412"


@pytest.fixture
def shop():
    app = GenstoreApp.create(rate="none", token="test-token")
    with SandboxServer(app) as server, httpx.Client(
            base_url=server.url, headers={"X-Genstore-Access-Token": app.token}) as client:
        yield app, client


def put(client, variant_id, **body):
    return client.put(f"{API}/inventory/{variant_id}", json=body)


def test_missing_or_wrong_token_is_a_401_with_an_error_field(shop):
    app, client = shop
    missing = httpx.get(f"{client.base_url}{API}/inventory")
    wrong = client.get(f"{API}/inventory", headers={"X-Genstore-Access-Token": "nope"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert set(missing.json()) == {"error"} and set(wrong.json()) == {"error"}
    assert "X-Genstore-Access-Token" in missing.json()["error"]


def test_inventory_list_uses_the_documented_misspelt_key_and_string_typed_object(shop):
    _, client = shop
    body = client.get(f"{API}/inventory").json()
    assert list(body) == ["inventorys"]
    for item in body["inventorys"]:
        assert set(item) == {"productId", "variantId", "inventoryCounts"}
        assert isinstance(item["productId"], str) and isinstance(item["variantId"], str)
        assert len(item["variantId"]) == 15 and item["variantId"].isdigit()
        for count in item["inventoryCounts"]:
            assert set(count) == {"locationId", "available"}
            assert all(isinstance(v, str) for v in count.values())


def test_locations_products_and_variants_are_listed_with_string_ids(shop):
    app, client = shop
    locations = client.get(f"{API}/shops/locations").json()["locations"]
    assert [loc["name"] for loc in locations] == ["Main Warehouse", "Outlet Store", "Pop-up"]
    assert client.get(f"{API}/shops/locations/count").json() == {"count": "3"}
    one = client.get(f"{API}/shops/locations/{locations[1]['locationId']}").json()
    assert one == {"location": locations[1]}
    variant_id = app.variant_id("MUG-SAGE")
    variant = client.get(f"{API}/variants/{variant_id}").json()["productVariant"]
    assert (variant["sku"], variant["barcode"], variant["variantId"]) == ("MUG-SAGE", "0012345600074", variant_id)
    product = client.get(f"{API}/products/{variant['productId']}").json()["product"]
    assert [v["sku"] for v in product["variants"]] == ["MUG-SAGE", "MUG-CHAR"]


def test_paths_with_a_json_suffix_are_accepted(shop):
    _, client = shop
    assert client.get(f"{API}/inventory.json").json() == client.get(f"{API}/inventory").json()


def test_put_sets_available_absolutely_and_answers_the_documented_object(shop):
    app, client = shop
    vid, lid = app.variant_id("TS-BLK-S"), app.location_id("Main Warehouse")
    response = put(client, vid, productId=client.get(f"{API}/variants/{vid}").json()["productVariant"]["productId"],
                   locationId=lid, available="100")
    assert response.status_code == 200
    inventory = response.json()["inventory"]
    assert set(inventory) == {"productId", "variantId", "inventoryCounts"}
    assert {"locationId": lid, "available": "100"} in inventory["inventoryCounts"]
    assert app.level("TS-BLK-S", "Main Warehouse") == 100
    [entry] = app.ledger()
    assert (entry["variant_id"], entry["location_id"], entry["before"], entry["after"]) == (vid, lid, 20, 100)
    assert entry["path"] == f"{API}/inventory/{vid}"


def _ids(app, client, sku, location):
    vid = app.variant_id(sku)
    pid = client.get(f"{API}/variants/{vid}").json()["productVariant"]["productId"]
    return vid, pid, app.location_id(location)


def test_put_to_an_unbound_location_binds_it_first(shop):
    app, client = shop
    vid, pid, lid = _ids(app, client, "CANDLE-CREME", "Pop-up")
    assert app.level("CANDLE-CREME", "Pop-up") is None
    assert put(client, vid, productId=pid, locationId=lid, available="6").status_code == 200
    assert app.level("CANDLE-CREME", "Pop-up") == 6
    assert app.ledger()[-1]["before"] is None


def test_connect_binds_at_zero_and_leaves_a_bound_level_alone(shop):
    app, client = shop
    vid, pid, pop_up = _ids(app, client, "CANDLE-CREME", "Pop-up")
    main = app.location_id("Main Warehouse")
    first = client.post(f"{API}/inventory/connect", json={"productId": pid, "locationId": pop_up, "variantId": vid})
    again = client.post(f"{API}/inventory/connect", json={"productId": pid, "locationId": main, "variantId": vid})
    assert (first.status_code, again.status_code) == (200, 200)
    assert app.level("CANDLE-CREME", "Pop-up") == 0 and app.level("CANDLE-CREME", "Main Warehouse") == 35


def test_committed_stock_cannot_be_written(shop):
    app, client = shop
    vid, pid, lid = _ids(app, client, "TS-BLK-M", "Main Warehouse")
    response = put(client, vid, productId=pid, locationId=lid, available="5", committed="0")
    assert response.status_code == 400
    assert response.json() == {"error": "Committed stock cannot be adjusted via API"}
    assert (app.level("TS-BLK-M", "Main Warehouse"), app.committed("TS-BLK-M", "Main Warehouse")) == (27, 3)
    assert app.ledger() == []


@pytest.mark.parametrize("available", [100, "1.5", "ten", "", None, ["1"]])
def test_available_must_be_a_whole_number_written_as_a_string(shop, available):
    app, client = shop
    vid, pid, lid = _ids(app, client, "TS-BLK-S", "Main Warehouse")
    body = {"productId": pid, "locationId": lid}
    if available is not None:
        body["available"] = available
    response = client.put(f"{API}/inventory/{vid}", json=body)
    assert response.status_code == 400 and "available" in response.json()["error"]
    assert app.level("TS-BLK-S", "Main Warehouse") == 20


def test_unknown_variant_location_or_product_is_refused_with_a_message(shop):
    app, client = shop
    vid, pid, lid = _ids(app, client, "TS-BLK-S", "Main Warehouse")
    other_pid = client.get(f"{API}/variants/{app.variant_id('MUG-SAGE')}").json()["productVariant"]["productId"]
    unknown_variant = put(client, "999999999999999", productId=pid, locationId=lid, available="1")
    unknown_location = put(client, vid, productId=pid, locationId="1", available="1")
    wrong_product = put(client, vid, productId=other_pid, locationId=lid, available="1")
    assert (unknown_variant.status_code, unknown_variant.json()) == (404, {"error": "Variant 999999999999999 not found"})
    assert (unknown_location.status_code, unknown_location.json()) == (404, {"error": "Location 1 not found"})
    assert wrong_product.status_code == 400 and "does not belong" in wrong_product.json()["error"]
    assert app.ledger() == []


def test_bodies_that_are_not_json_objects_are_a_400(shop):
    app, client = shop
    vid = app.variant_id("TS-BLK-S")
    not_json = client.put(f"{API}/inventory/{vid}", content=b"available=5")
    a_list = client.put(f"{API}/inventory/{vid}", json=["5"])
    assert (not_json.status_code, a_list.status_code) == (400, 400)
    assert "error" in not_json.json() and "error" in a_list.json()


def test_unknown_paths_and_methods_answer_in_the_error_shape(shop):
    _, client = shop
    missing = client.get(f"{API}/orders")
    wrong_method = client.delete(f"{API}/inventory")
    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found"})
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"error": "Method Not Allowed"})
