"""The Genstore emulator's readings of the docs, over real loopback HTTP: access scopes and the
scopes endpoint, error body shapes, ids and quantities as strings or numbers, ``inventoryManagement``
as a string or a boolean, writes to a variant whose inventory management is off, and the stock
states (committed, on hand) beside ``available``."""
from __future__ import annotations

from contextlib import contextmanager

import httpx
import pytest

from desktop_app.sandbox.demo import MAIN, OUTLET
from desktop_app.sandbox.genstore import READINGS, GenstoreApp
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app

API = "/api/202412"


@contextmanager
def shop(**options):
    app = GenstoreApp.create(rate="none", token="test-token", **options)
    with SandboxServer(app) as server, httpx.Client(
            base_url=server.url, headers={"X-Genstore-Access-Token": app.token}) as client:
        yield app, client


def ids(app, sku, location=MAIN):
    with app.store.reading() as db:
        product = db.execute("SELECT product_id FROM variants WHERE sku = ?", (sku,)).fetchone()[0]
    return product, app.variant_id(sku), app.location_id(location)


def put(client, app, sku, available, location=MAIN):
    product, variant, loc = ids(app, sku, location)
    return client.put(f"{API}/inventory/{variant}", json={"productId": product, "locationId": loc,
                                                           "available": str(available)})


# ---------------------------------------------------------------- access scopes
def test_access_scopes_answer_the_documented_bracketed_string():
    with shop() as (_, client):
        response = client.get(f"{API}/oauth2/access_scopes")
    assert response.status_code == 200
    assert response.json() == {"accessScopes": "[read_products,write_products]"}


def test_a_read_only_token_reads_everything_but_every_write_is_a_403_naming_the_scope():
    with shop(scopes="read_products") as (app, client):
        assert client.get(f"{API}/inventory").status_code == 200
        assert client.get(f"{API}/products").status_code == 200
        assert client.get(f"{API}/variants/{app.variant_id('TS-BLK-S')}").status_code == 200
        refused = put(client, app, "TS-BLK-S", 5)
        product, variant, loc = ids(app, "CANDLE-CREME", "Pop-up")
        connect = client.post(f"{API}/inventory/connect",
                              json={"productId": product, "variantId": variant, "locationId": loc})
        scopes = client.get(f"{API}/oauth2/access_scopes").json()
        assert app.ledger() == [] and app.level("TS-BLK-S", MAIN) != 5
    assert (refused.status_code, connect.status_code) == (403, 403)
    assert set(refused.json()) == {"error"} and "write_products" in refused.json()["error"]
    assert scopes == {"accessScopes": "[read_products]"}


def test_a_token_without_any_product_scope_cannot_read_the_catalogue():
    with shop(scopes="read_orders,write_orders") as (app, client):
        assert client.get(f"{API}/products").status_code == 403
        assert client.get(f"{API}/inventory").status_code == 403
        assert client.get(f"{API}/oauth2/access_scopes").status_code == 200


@pytest.mark.parametrize("fmt, expected", [
    ("list", ["read_products", "write_products"]),
    ("plain", "read_products,write_products"),
])
def test_access_scopes_in_the_other_formats(fmt, expected):
    with shop(scopes_format=fmt) as (_, client):
        assert client.get(f"{API}/oauth2/access_scopes").json() == {"accessScopes": expected}


def test_a_store_without_the_scopes_endpoint_answers_404_in_its_error_shape():
    with shop(scopes_endpoint=False) as (_, client):
        response = client.get(f"{API}/oauth2/access_scopes")
    assert response.status_code == 404 and set(response.json()) == {"error"}


# ---------------------------------------------------------------- error bodies
@pytest.mark.parametrize("shape, keys", [
    ("error", {"error"}), ("errors", {"errors"}), ("code_message", {"code", "message"}),
])
def test_every_error_answer_has_the_readings_body_shape(shape, keys):
    with shop(error_shape=shape) as (app, client):
        answers = [client.get(f"{API}/variants/1"),                                   # 404 from a handler
                   client.get(f"{API}/nowhere"),                                      # 404 from the router
                   client.get(f"{API}/inventory", headers={"X-Genstore-Access-Token": "nope"}),   # 401
                   put(client, app, "TS-BLK-S", "lots")]                              # 400
    assert [a.status_code for a in answers] == [404, 404, 401, 400]
    for answer in answers:
        body = answer.json()
        assert set(body) == keys
        text = body.get("error") or body.get("message") or body["errors"][0]
        assert isinstance(text, str) and text
    if shape == "errors":
        assert answers[0].json() == {"errors": ["Variant 1 not found"]}
    if shape == "code_message":
        assert answers[0].json()["message"] == "Variant 1 not found"


# ---------------------------------------------------------------- ids and quantities
def test_numbers_reading_sends_ids_and_quantities_as_json_numbers_and_accepts_both_in_writes():
    with shop(json_numbers=True) as (app, client):
        item = client.get(f"{API}/inventory").json()["inventorys"][0]
        location = client.get(f"{API}/shops/locations").json()["locations"][0]
        variant = client.get(f"{API}/products").json()["products"][0]["variants"][0]
        product, vid, loc = ids(app, "TS-BLK-S")
        as_numbers = client.put(f"{API}/inventory/{vid}",
                                json={"productId": int(product), "locationId": int(loc), "available": 11})
        as_strings = put(client, app, "TS-BLK-S", 12)
        level = app.level("TS-BLK-S", MAIN)
    assert isinstance(item["variantId"], int) and isinstance(item["productId"], int)
    assert all(isinstance(v, int) for count in item["inventoryCounts"] for v in count.values())
    assert isinstance(location["locationId"], int) and isinstance(variant["variantId"], int)
    assert (as_numbers.status_code, as_strings.status_code, level) == (200, 200, 12)
    assert as_numbers.json()["inventory"]["inventoryCounts"][0]["available"] == 11


def test_the_documented_reading_keeps_every_id_and_quantity_a_string():
    with shop() as (_, client):
        item = client.get(f"{API}/inventory").json()["inventorys"][0]
    assert isinstance(item["variantId"], str)
    assert all(isinstance(v, str) for count in item["inventoryCounts"] for v in count.values())


# ---------------------------------------------------------------- inventory management
@pytest.mark.parametrize("flags, off, on", [("string", "false", "true"), ("boolean", False, True)])
def test_inventory_management_travels_as_the_readings_type(flags, off, on):
    with shop(flags=flags) as (app, client):
        app.set_managed("GIFT-25", False)
        gift = client.get(f"{API}/variants/{app.variant_id('GIFT-25')}").json()["productVariant"]
        tee = client.get(f"{API}/variants/{app.variant_id('TS-BLK-S')}").json()["productVariant"]
        default = client.get(f"{API}/shops/locations").json()["locations"][0]["isDefault"]
    assert (gift["inventoryManagement"], tee["inventoryManagement"], default) == (off, on, on)


def test_a_write_to_an_unmanaged_variant_is_stored_silently_by_default_and_refused_by_the_refusing_reading():
    with shop() as (app, client):
        app.set_managed("GIFT-25", False)
        accepted = put(client, app, "GIFT-25", 7)
        assert (accepted.status_code, app.level("GIFT-25", MAIN)) == (200, 7)
    with shop(untracked_writes="refuse") as (app, client):
        app.set_managed("GIFT-25", False)
        refused = put(client, app, "GIFT-25", 7)
        assert (refused.status_code, app.level("GIFT-25", MAIN), app.ledger()) == (400, 500, [])
    assert "inventory management" in refused.json()["error"].lower()


# ---------------------------------------------------------------- stock states
def test_the_stock_states_reading_shows_committed_and_on_hand_beside_available():
    with shop(stock_states=True) as (app, client):
        mug = app.variant_id("MUG-SAGE")
        listed = next(i for i in client.get(f"{API}/inventory", params={"limit": "250"}).json()["inventorys"]
                      if i["variantId"] == mug)
        single = client.get(f"{API}/variants/{mug}").json()["productVariant"]
        written = put(client, app, "MUG-SAGE", 40).json()["inventory"]
        main, outlet = app.location_id(MAIN), app.location_id(OUTLET)
    counts = {c["locationId"]: c for c in listed["inventoryCounts"]}
    assert counts[main] == {"locationId": main, "available": "48", "committed": "2", "onHand": "50"}
    assert counts[outlet] == {"locationId": outlet, "available": "6", "committed": "1", "onHand": "7"}
    assert {c["locationId"]: c for c in single["inventoryQuantities"]}[main]["committed"] == "2"
    assert {c["locationId"]: c for c in written["inventoryCounts"]}[main] == \
        {"locationId": main, "available": "40", "committed": "2", "onHand": "42"}


def test_set_committed_is_a_test_hook_outside_the_ledger():
    with shop(stock_states=True) as (app, client):
        app.set_committed("TS-BLK-S", MAIN, 4)
        assert app.committed("TS-BLK-S", MAIN) == 4 and app.ledger() == []


# ---------------------------------------------------------------- the table
def test_unknown_option_values_are_refused_before_anything_is_served():
    for options in ({"error_shape": "xml"}, {"scopes_format": "yaml"}, {"flags": "int"},
                    {"untracked_writes": "maybe"}):
        with pytest.raises(ValueError):
            GenstoreApp.create(rate="none", **options)


def test_every_reading_in_the_table_builds_an_emulator_and_names_are_unique():
    names = [r.name for r in READINGS]
    assert len(set(names)) == len(names) and sum(r.reported for r in READINGS) == 1
    for reading in READINGS:
        assert reading.source and reading.summary and reading.basis in ("documented", "observed", "guess")
        create_app("genstore", rate="none", reading=reading.name).close()
