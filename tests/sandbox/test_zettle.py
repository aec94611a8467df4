"""The Zettle emulator over real loopback HTTP: shapes, traps and test hooks."""
from __future__ import annotations

import json
import threading
import uuid

import httpx
import pytest

from desktop_app.sandbox.demo import MAIN, demo_base
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.zettle import ZettleApp

SELF = "/organizations/self"


@pytest.fixture
def app():
    return ZettleApp.create(rate="none")


@pytest.fixture
def client(server, app):
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {app.token}"}) as c:
        yield c


@pytest.fixture
def loc(client):
    return {row["type"]: row["uuid"] for row in client.get(f"{SELF}/locations").json()}


def restock(app, sku, change, loc, **extra):
    return {"changes": [{"productUuid": app.product_uuid(sku), "variantUuid": app.variant_uuid(sku),
                         "fromLocationUuid": loc["SUPPLIER"], "toLocationUuid": loc["STORE"], "change": change}], **extra}


def bulk(app, sku, change, loc, *, tracking="NO_CHANGE", src="SUPPLIER", dst="STORE"):
    return {"productChanges": [{"productUuid": app.product_uuid(sku), "trackingStatusChange": tracking, "variantChanges": [
        {"variantUuid": app.variant_uuid(sku), "fromLocationUuid": loc[src], "toLocationUuid": loc[dst], "change": change}]}]}


def test_locations_are_the_four_system_locations_with_store_default_and_v1_uuids(client):
    rows = client.get(f"{SELF}/locations").json()
    assert sorted(r["type"] for r in rows) == ["BIN", "SOLD", "STORE", "SUPPLIER"]
    assert [r["type"] for r in rows if r["default"]] == ["STORE"]
    assert {uuid.UUID(r["uuid"]).version for r in rows} == {1}


def test_demo_catalogue_ids_are_the_same_on_every_start(client):
    again = ZettleApp.create(rate="none")
    with SandboxServer(again) as srv:
        other = httpx.get(f"{srv.url}{SELF}/products/v2", headers={"Authorization": f"Bearer {again.token}"}).json()
    mine = client.get(f"{SELF}/products/v2").json()
    assert [p["uuid"] for p in mine] == [p["uuid"] for p in other]
    assert {uuid.UUID(v["uuid"]).version for p in mine for v in p["variants"]} == {1}


def test_product_library_lists_products_with_variants_sku_and_barcode(client):
    products = client.get(f"{SELF}/products/v2").json()
    shirt = next(p for p in products if p["name"] == "Organic Cotton T-Shirt")
    assert [(v["name"], v["sku"], v["barcode"]) for v in shirt["variants"]][0] == ("Black / S", "TS-BLK-S", "5060123400007")
    mug = next(p for p in products if p["name"] == "Stoneware Mug 350 ml")
    assert [(v["sku"], v["barcode"]) for v in mug["variants"]] == [
        ("MUG-SAGE", "0012345600074"), ("MUG-CHAR", "0012345600081"), (None, None)]


def test_org_uuid_may_replace_self_and_another_org_is_not_found(client, app):
    org = app.state.org_uuid
    assert len(client.get(f"/organizations/{org}/locations").json()) == 4
    other = client.get(f"/organizations/{uuid.uuid1()}/locations")
    assert other.status_code == 404 and other.json()["errorType"] == "ENTITY_NOT_FOUND"


def test_reads_give_balances_as_strings_and_omit_zero_balances_and_untracked_products(client, app, loc):
    body = client.get(f"{SELF}/inventory/locations/{loc['STORE']}").json()
    by_variant = {r["variantUuid"]: r["balance"] for r in body["variants"]}
    assert by_variant[app.variant_uuid("TS-BLK-S")] == "20"
    assert app.variant_uuid("TS-WHT-XL") not in by_variant          # balance 0: omitted
    assert app.product_uuid("TS-WHT-XL") in body["trackedProducts"]
    assert app.product_uuid("GIFT-25") not in body["trackedProducts"]  # untracked: hidden balance 500
    assert app.variant_uuid("GIFT-25") not in by_variant
    assert body["latest"] == 0


def test_filtered_read_by_location_type_returns_only_the_requested_tracked_products(client, app):
    wanted = [app.product_uuid("CANDLE-CREME"), app.product_uuid("GIFT-25")]
    body = client.post(f"{SELF}/inventory/products", json={"locationType": "STORE", "productUuids": wanted}).json()
    assert body["trackedProducts"] == [app.product_uuid("CANDLE-CREME")]
    assert [(r["variantUuid"], r["balance"]) for r in body["variants"]] == [(app.variant_uuid("CANDLE-CREME"), "35")]


def test_movement_response_gives_numbers_for_the_moved_variants_only(client, app, loc):
    body = client.put(f"{SELF}/inventory", json=restock(app, "TS-BLK-S", 3, loc)).json()
    assert body["locationUuid"] == loc["STORE"]
    assert body["variants"] == [{"locationUuid": loc["STORE"], "locationType": "STORE",
                                 "productUuid": app.product_uuid("TS-BLK-S"),
                                 "variantUuid": app.variant_uuid("TS-BLK-S"), "balance": 23}]
    assert app.level("TS-BLK-S") == 23


@pytest.mark.parametrize("change", [0, -2, 1.5, "3", None])
def test_change_must_be_a_positive_integer(client, app, loc, change):
    response = client.put(f"{SELF}/inventory", json=restock(app, "TS-BLK-S", change, loc))
    assert response.status_code == 400
    assert response.json()["violations"] == [{"propertyName": "changes[0].change",
                                              "developerMessage": "must be a positive integer (greater than 0)"}]
    assert app.level("TS-BLK-S") == 20


def test_movement_locations_must_belong_to_the_organization(client, app, loc):
    payload = restock(app, "TS-BLK-S", 1, loc)
    payload["changes"][0]["fromLocationUuid"] = str(uuid.uuid1())
    response = client.put(f"{SELF}/inventory", json=payload)
    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyName"] == "changes[0].fromLocationUuid"


def test_store_may_go_negative_and_supplier_never_runs_out(client, app, loc):
    client.post(f"{SELF}/v2/inventory/bulk", json=bulk(app, "MUG-CHAR", 38, loc, src="STORE", dst="SOLD"))
    assert app.level("MUG-CHAR") == -2
    client.post(f"{SELF}/v2/inventory/bulk", json=bulk(app, "MUG-CHAR", 1_000_000, loc))
    assert app.level("MUG-CHAR") == 999_998


def test_movement_on_an_untracked_product_fails_with_product_not_tracked(client, app, loc):
    response = client.post(f"{SELF}/v2/inventory/bulk", json=bulk(app, "GIFT-25", 1, loc))
    assert response.status_code == 422
    assert response.json()["errorType"] == "PRODUCT_NOT_TRACKED"
    assert response.json()["violations"][0]["propertyName"] == "productChanges[0].productUuid"
    read = client.get(f"{SELF}/inventory/locations/{loc['STORE']}/products/{app.product_uuid('GIFT-25')}")
    assert read.json()["errorType"] == "PRODUCT_NOT_TRACKED"
    assert app.level("GIFT-25") is None and app.ledger() == []


def test_bulk_start_tracking_in_the_same_request_allows_the_movement_and_reveals_the_hidden_balance(client, app, loc):
    body = client.post(f"{SELF}/v2/inventory/bulk", json=bulk(app, "GIFT-25", 1, loc, tracking="START_TRACKING")).json()
    assert body["variants"] == [{"productUuid": app.product_uuid("GIFT-25"), "variantUuid": app.variant_uuid("GIFT-25"),
                                 "balance": 501}]
    assert [e["type"] for e in app.events()] == ["InventoryTrackingStarted", "InventoryBalanceChanged"]


def test_tracking_only_bulk_request_returns_no_variants(client, app, loc):
    payload = {"productChanges": [{"productUuid": app.product_uuid("APRON-LIN"), "trackingStatusChange": "START_TRACKING",
                                   "variantChanges": []}]}
    assert client.post(f"{SELF}/v2/inventory/bulk", json=payload).json()["variants"] == []
    assert app.level("APRON-LIN") == 0


def test_stop_tracking_answers_204_and_keeps_the_balance_hidden_until_tracking_restarts(client, app, loc):
    product = app.product_uuid("CANDLE-CREME")
    response = client.delete(f"{SELF}/inventory/products/{product}")
    assert response.status_code == 204 and response.content == b""
    assert product not in client.get(f"{SELF}/inventory/locations/{loc['STORE']}").json()["trackedProducts"]
    assert app.level("CANDLE-CREME") is None
    client.post(f"{SELF}/inventory", json={"productUuid": product})
    assert app.level("CANDLE-CREME") == 35


def test_invalid_bulk_request_applies_nothing(client, app, loc):
    good = bulk(app, "TS-BLK-S", 5, loc)["productChanges"][0]
    bad = bulk(app, "MUG-SAGE", 0, loc)["productChanges"][0]
    response = client.post(f"{SELF}/v2/inventory/bulk", json={"productChanges": [good, bad]})
    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyName"] == "productChanges[1].variantChanges[0].change"
    assert app.level("TS-BLK-S") == 20 and app.ledger() == []


def test_more_products_than_the_bulk_cap_are_refused_with_a_violation(loc):
    app = ZettleApp.create(catalog="synthetic:8x1", rate="none", max_bulk_products=3)
    with SandboxServer(app) as srv:
        products = httpx.get(f"{srv.url}{SELF}/products/v2", headers={"Authorization": f"Bearer {app.token}"}).json()
        payload = {"productChanges": [{"productUuid": p["uuid"], "trackingStatusChange": "NO_CHANGE", "variantChanges": []}
                                      for p in products[:2] * 2]}
        response = httpx.post(f"{srv.url}{SELF}/v2/inventory/bulk", json=payload,
                              headers={"Authorization": f"Bearer {app.token}"})
    assert response.status_code == 400
    assert response.json()["violations"] == [{"propertyName": "productChanges",
                                              "developerMessage": "size must be between 1 and 3"}]


def test_external_uuid_is_echoed_but_a_movement_sent_twice_is_applied_twice(client, app, loc):
    external = str(uuid.uuid1())
    for _ in range(2):
        assert client.put(f"{SELF}/inventory", json=restock(app, "TS-BLK-S", 3, loc, externalUuid=external)).status_code == 200
    assert app.level("TS-BLK-S") == 26
    assert [(m["externalUuid"], m["change"], m["from"], m["to"]) for m in app.ledger()] == [
        (external, 3, "SUPPLIER", "STORE"), (external, 3, "SUPPLIER", "STORE")]
    changed = [e for e in app.events() if e["type"] == "InventoryBalanceChanged"]
    assert [(e["externalUuid"], e["balanceBefore"][0]["balance"], e["balanceAfter"][0]["balance"]) for e in changed] == [
        (external, "20", "23"), (external, "23", "26")]


def test_dedupe_option_applies_an_external_uuid_once():
    app = ZettleApp.create(rate="none", dedupe_external_uuid=True)
    with SandboxServer(app) as srv, httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {app.token}"}) as c:
        loc = {r["type"]: r["uuid"] for r in c.get(f"{SELF}/locations").json()}
        payload = restock(app, "TS-BLK-S", 3, loc, externalUuid=str(uuid.uuid1()))
        answers = [c.put(f"{SELF}/inventory", json=payload).json() for _ in range(2)]
        assert answers[0] == answers[1] and app.level("TS-BLK-S") == 23 and len(app.ledger()) == 1


def test_bad_token_gets_401_in_zettle_error_shape(server):
    response = httpx.get(f"{server.url}{SELF}/locations", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert response.json() == {"developerMessage": "Access token is missing, invalid or expired.",
                               "errorType": "UNAUTHORIZED", "violations": []}


def test_unknown_resources_get_404_entity_not_found(client, app, loc):
    for path in (f"{SELF}/nothing-here", f"{SELF}/products/v2/{uuid.uuid1()}", f"{SELF}/inventory/locations/{uuid.uuid1()}"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["errorType"] == "ENTITY_NOT_FOUND", path
        assert set(response.json()) == {"developerMessage", "errorType", "violations"}


def test_rate_limit_answers_429_in_zettle_error_shape():
    app = ZettleApp.create(rate="2/0.001")
    with SandboxServer(app) as srv:
        statuses = [httpx.get(f"{srv.url}{SELF}/locations", headers={"Authorization": f"Bearer {app.token}"})
                    for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json()["errorType"] == "TOO_MANY_REQUESTS" and "Retry-After" not in statuses[2].headers


def test_set_level_is_a_sale_from_store_to_sold(app):
    app.set_level("TS-BLK-M", 25)
    assert app.level("TS-BLK-M") == 25
    assert [(m["from"], m["to"], m["change"], m["source"]) for m in app.ledger()] == [("STORE", "SOLD", 2, "pos")]


def test_drop_after_commit_applies_the_write_but_sends_no_answer(client, app, loc):
    app.fail_next("drop-after-commit", path_contains="/inventory")
    with pytest.raises(httpx.RemoteProtocolError):
        client.put(f"{SELF}/inventory", json=restock(app, "TS-BLK-S", 3, loc))
    assert app.level("TS-BLK-S") == 23


def test_state_survives_a_restart(tmp_path):
    db = tmp_path / "zettle.sqlite"
    first = ZettleApp.create(state=db, rate="none")
    first.set_level("TS-BLK-S", 4)
    first.close()
    second = ZettleApp.create(state=db, rate="none")
    assert second.level("TS-BLK-S") == 4 and len(second.ledger()) == 1
    second.close()


def test_concurrent_movements_are_all_applied(server, app, loc):
    def worker():
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {app.token}"}) as c:
            for _ in range(10):
                assert c.put(f"{SELF}/inventory", json=restock(app, "TS-NVY-S", 1, loc)).status_code == 200
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert app.level("TS-NVY-S") == 60 and len(app.ledger()) == 60


def test_unparseable_body_is_a_400_in_zettle_error_shape(client):
    response = client.put(f"{SELF}/inventory", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and json.loads(response.text)["errorType"] == "INVALID_JSON"


def test_demo_store_holds_the_shared_demo_main_warehouse_levels_plus_zettle_awkward_cases(app):
    shared = {v.sku: v.levels.get(MAIN, 0) for v in demo_base().variants if v.sku not in ("GIFT-25", "TOTE-NAT")}
    zeroed = {"TS-WHT-XL", "TS-NVY-S"}
    assert {sku: app.level(sku) for sku in shared} == {sku: 0 if sku in zeroed else q for sku, q in shared.items()}
    assert (app.level("GIFT-25"), app.level("APRON-LIN")) == (None, None)       # untracked
    assert len(app.state.variants_by_sku("TOTE-NAT")) == 2                       # a SKU used twice


# ---- readings of the docs (READINGS) ------------------------------------------------------------
@pytest.fixture
def reading_client():
    """``reading_client(**options)`` → (app, client, locations) on a sandbox with those options."""
    opened = []

    def start(**options):
        app = ZettleApp.create(rate="none", **options)
        server = SandboxServer(app).start()
        client = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {app.token}"})
        opened.append((server, client))
        return app, client, {r["type"]: r["uuid"] for r in client.get(f"{SELF}/locations").json()}

    yield start
    for server, client in opened:
        client.close()
        server.stop()


def two_products_one_bad(app, loc):
    good = bulk(app, "TS-BLK-S", 5, loc)["productChanges"][0]
    bad = bulk(app, "MUG-SAGE", 0, loc)["productChanges"][0]
    return {"productChanges": [good, bad]}


def test_partial_reading_applies_the_valid_product_changes_and_still_answers_the_4xx(reading_client):
    app, client, loc = reading_client(bulk_on_error="partial")
    response = client.post(f"{SELF}/v2/inventory/bulk", json=two_products_one_bad(app, loc))
    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyName"] == "productChanges[1].variantChanges[0].change"
    assert (app.level("TS-BLK-S"), app.level("MUG-SAGE")) == (25, 48)
    assert [(m["sku"], m["change"]) for m in app.ledger()] == [("TS-BLK-S", 5)]


def test_anonymous_reading_names_the_property_but_not_the_product_change(reading_client):
    app, client, loc = reading_client(violations="anonymous")
    bad = client.post(f"{SELF}/v2/inventory/bulk", json=two_products_one_bad(app, loc))
    untracked = client.post(f"{SELF}/v2/inventory/bulk", json=bulk(app, "GIFT-25", 1, loc))
    assert bad.json()["violations"] == [{"propertyName": "change",
                                         "developerMessage": "must be a positive integer (greater than 0)"}]
    assert untracked.status_code == 422 and untracked.json()["errorType"] == "PRODUCT_NOT_TRACKED"
    assert app.product_uuid("GIFT-25") not in untracked.text
    assert [v["propertyName"] for v in untracked.json()["violations"]] == ["productUuid"]
    assert app.level("TS-BLK-S") == 20 and app.ledger() == []


def test_string_balance_reading_answers_writes_with_strings(reading_client):
    app, client, loc = reading_client(write_balances="string")
    answer = client.post(f"{SELF}/v2/inventory/bulk", json=bulk(app, "TS-BLK-S", 2, loc)).json()
    assert [r["balance"] for r in answer["variants"]] == ["22"]


def test_every_reading_is_a_set_of_options_the_emulator_accepts():
    from desktop_app.sandbox.zettle import READINGS
    assert READINGS[0].name == "default" and READINGS[0].reported
    for reading in READINGS:
        ZettleApp.create(rate="none", **reading.options).close()


# ---- OAuth: API key → short-lived access token --------------------------------------------------
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def exchange(url, app, *, assertion=None, client_id=None, grant_type=JWT_BEARER):
    return httpx.post(f"{url}/token", data={"grant_type": grant_type, "client_id": client_id or app.client_id,
                                             "assertion": assertion or app.api_key})


def test_the_token_endpoint_exchanges_the_api_key_for_an_access_token_of_7200_seconds(server, app):
    answer = exchange(server.url, app)
    assert answer.status_code == 200 and answer.json()["expires_in"] == 7200
    access = answer.json()["access_token"]
    assert access != app.token and access != app.api_key
    assert httpx.get(f"{server.url}{SELF}/locations", headers={"Authorization": f"Bearer {access}"}).status_code == 200
    assert app.tokens_issued == 1


@pytest.mark.parametrize(("field", "value", "error"), [
    ("assertion", "not-the-key", "invalid_grant"), ("client_id", "someone-else", "invalid_grant"),
    ("grant_type", "client_credentials", "unsupported_grant_type")])
def test_the_token_endpoint_refuses_a_wrong_key_client_or_grant_in_oauth_error_shape(server, app, field, value, error):
    answer = exchange(server.url, app, **{field: value})
    assert answer.status_code == 400
    assert answer.json()["error"] == error and set(answer.json()) == {"error", "error_description"}


def test_an_access_token_expires_after_its_lifetime_on_the_clock():
    clock = Clock()
    app = ZettleApp.create(rate="none", clock=clock)
    with SandboxServer(app) as srv:
        access = exchange(srv.url, app).json()["access_token"]
        headers = {"Authorization": f"Bearer {access}"}
        clock.now += 7199
        assert httpx.get(f"{srv.url}{SELF}/locations", headers=headers).status_code == 200
        clock.now += 1
        expired = httpx.get(f"{srv.url}{SELF}/locations", headers=headers)
        fixed = httpx.get(f"{srv.url}{SELF}/locations", headers={"Authorization": f"Bearer {app.token}"})
    assert expired.status_code == 401 and expired.json()["errorType"] == "UNAUTHORIZED"
    assert fixed.status_code == 200                      # the sandbox's own token never expires


def test_an_access_token_may_expire_after_a_number_of_requests():
    app = ZettleApp.create(rate="none", token_lifetime_requests=2)
    with SandboxServer(app) as srv:
        headers = {"Authorization": f"Bearer {exchange(srv.url, app).json()['access_token']}"}
        statuses = [httpx.get(f"{srv.url}{SELF}/locations", headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 401]
