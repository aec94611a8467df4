"""The Marketplacer emulator over real loopback HTTP, spoken to with plain httpx (no connector)."""
from __future__ import annotations

import json

import httpx
import pytest

from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.marketplacer import DEFAULT_TOKEN, MarketplacerApp

API = "/api/v2/client"
JSONAPI = {"Content-Type": "application/vnd.api+json"}


@pytest.fixture
def app():
    return MarketplacerApp.create(rate="none")


@pytest.fixture
def client(app):
    with SandboxServer(app) as server, httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}) as http:
        yield http


def send(client: httpx.Client, method: str, path: str, body: object) -> httpx.Response:
    return client.request(method, path, content=json.dumps(body), headers=JSONAPI)


def test_both_documented_auth_headers_are_accepted_and_anything_else_is_a_jsonapi_401(app, client):
    assert client.get(f"{API}/variants").status_code == 200
    by_key = client.get(f"{API}/variants", headers={"Authorization": "Basic dXNlcjpwdw==",
                                                    "MARKETPLACER-API-KEY": DEFAULT_TOKEN})
    assert by_key.status_code == 200
    refused = client.get(f"{API}/variants", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["status"] == "401"
    assert refused.json()["errors"][0]["title"] == "Unauthorized"


def test_request_bodies_must_be_jsonapi_content_type_or_415(app, client):
    vid = app.variant_id("TS-BLK-S")
    refused = client.post(f"{API}/variants/stock_on_hand", json={"count_on_hand": {str(vid): 1}})
    assert refused.status_code == 415
    assert "application/vnd.api+json" in refused.json()["errors"][0]["detail"]
    assert app.level("TS-BLK-S") != 1


def test_variants_page_with_links_next_until_the_last_page(client):
    seen, url, pages = [], f"{API}/variants?page[size]=7", 0
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["data"]]
        url = body["links"].get("next")
        pages += 1
        assert body["links"]["first"].endswith("page%5Bnumber%5D=1&page%5Bsize%5D=7")
    everything = client.get(f"{API}/variants", params={"page[size]": 500}).json()["data"]
    assert len(everything) > 14 and pages == -(-len(everything) // 7)
    assert seen == [item["id"] for item in everything]


def test_page_size_above_500_is_rejected_by_default(client):
    response = client.get(f"{API}/variants", params={"page[size]": 501})
    assert response.status_code == 400
    assert "page[size]" in response.json()["errors"][0]["detail"]


def test_variant_filters_match_one_value_exactly(client):
    by_sku = client.get(f"{API}/variants", params={"sku": "MUG-SAGE"}).json()["data"]
    by_barcode = client.get(f"{API}/variants", params={"barcode": by_sku[0]["attributes"]["barcode"]}).json()["data"]
    by_external = client.get(f"{API}/variants", params={"external_id": "ERP-MUG-SAGE"}).json()["data"]
    assert [v["id"] for v in by_sku] == [v["id"] for v in by_barcode] == [v["id"] for v in by_external]
    assert client.get(f"{API}/variants", params={"sku": "MUG"}).json()["data"] == []


def test_single_variant_answers_data_as_a_one_element_list_like_the_docs(app, client):
    body = client.get(f"{API}/variants/{app.variant_id('GIFT-25')}").json()
    assert isinstance(body["data"], list) and body["data"][0]["attributes"]["infinite"] is True


def test_bulk_stock_on_hand_sets_counts_and_infinite_and_answers_201(app, client):
    blk, gift = app.variant_id("TS-BLK-S"), app.variant_id("GIFT-25")
    response = send(client, "POST", f"{API}/variants/stock_on_hand",
                    {"count_on_hand": {str(blk): "INFINITE", str(gift): 7}})
    assert response.status_code == 201
    assert (app.level("TS-BLK-S"), app.level("GIFT-25")) == ("INFINITE", 7)


@pytest.mark.parametrize("bad", ["INF", "OTHER", -1, 2.5, True, "infinite"])
def test_one_invalid_value_fails_the_whole_bulk_request_and_applies_nothing(app, client, bad):
    blk, wht = app.variant_id("TS-BLK-S"), app.variant_id("TS-WHT-S")
    before = app.ledger()
    response = send(client, "POST", f"{API}/variants/stock_on_hand",
                    {"count_on_hand": {str(blk): 3, str(wht): bad}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == f"/count_on_hand/{wht}"
    assert app.ledger() == before and app.level("TS-BLK-S") != 3


def test_bulk_naming_an_unknown_variant_is_rejected_whole(app, client):
    response = send(client, "POST", f"{API}/variants/stock_on_hand",
                    {"count_on_hand": {str(app.variant_id("TS-BLK-S")): 3, "99999": 1}})
    assert response.status_code == 422 and app.ledger() == []


def test_put_variant_count_keeps_infinite_until_it_is_cleared(app, client):
    gift = app.variant_id("GIFT-25")
    send(client, "PUT", f"{API}/variants/{gift}", {"data": {"type": "variants", "attributes": {"count_on_hand": 4}}})
    assert app.level("GIFT-25") == "INFINITE"
    send(client, "PUT", f"{API}/variants/{gift}",
         {"data": {"type": "variants", "attributes": {"count_on_hand": 4, "infinite": False}}})
    assert app.level("GIFT-25") == 4


def test_memberships_list_sellers_with_ids_distinct_from_membership_ids(client):
    data = client.get(f"{API}/multi_store_memberships").json()["data"]
    assert [m["attributes"]["seller_name"] for m in data] == ["Bob's Bikes", "Harbour Street Gifts", "Green Corner Co-op"]
    assert all(m["id"] != m["attributes"]["seller_id"] for m in data)


def test_inventories_of_a_single_seller_variant_are_refused(app, client):
    response = client.get(f"{API}/variants/{app.variant_id('TS-BLK-S')}/inventories")
    assert response.status_code == 422 and "single-seller" in response.json()["errors"][0]["detail"]


def test_infinite_inventory_rows_omit_count_on_hand(app, client):
    rows = client.get(f"{API}/variants/{app.variant_id('BOTTLE-SKY')}/inventories").json()["data"]
    infinite = [r["attributes"] for r in rows if r["attributes"]["infinite"]]
    assert infinite and all("count_on_hand" not in a for a in infinite)


def test_parent_put_upserts_only_the_sellers_sent_and_returns_all_records(app, client):
    sky = app.variant_id("BOTTLE-SKY")
    response = send(client, "PUT", f"{API}/variants/{sky}/inventories", {"data": [
        {"type": "inventories", "attributes": {"seller_id": 102, "count_on_hand": 0}}]})
    assert response.status_code == 200
    assert sorted(r["attributes"]["seller_id"] for r in response.json()["data"]) == [101, 102, 103]
    assert app.level("BOTTLE-SKY", "Harbour Street Gifts") == 0          # explicit 0: a record
    assert app.level("BOTTLE-SKY", "Bob's Bikes") == 3                   # left out: unchanged
    assert app.level("BOTTLE-SKY", "Green Corner Co-op") == "INFINITE"


def test_parent_put_with_one_unknown_seller_applies_nothing(app, client):
    sky = app.variant_id("BOTTLE-SKY")
    response = send(client, "PUT", f"{API}/variants/{sky}/inventories", {"data": [
        {"type": "inventories", "attributes": {"seller_id": 101, "count_on_hand": 9}},
        {"type": "inventories", "attributes": {"seller_id": 1, "count_on_hand": 9}}]})
    assert response.status_code == 422 and app.level("BOTTLE-SKY", "Bob's Bikes") == 3


def test_deleting_an_inventory_record_answers_204_and_unstocks_the_seller(app, client):
    steel = app.variant_id("BOTTLE-STEEL")
    rows = client.get(f"{API}/variants/{steel}/inventories").json()["data"]
    harbour = next(r["id"] for r in rows if r["attributes"]["seller_id"] == 102)
    response = client.delete(f"{API}/variants/{steel}/inventories/{harbour}")
    assert response.status_code == 204 and response.content == b""
    assert app.level("BOTTLE-STEEL", "Harbour Street Gifts") is None
    assert client.delete(f"{API}/variants/{steel}/inventories/{harbour}").status_code == 404


def test_renumber_changes_ids_but_external_id_still_finds_the_variant(app, client):
    old = app.variant_id("MUG-SAGE")
    app.renumber()
    assert client.get(f"{API}/variants/{old}").status_code == 404
    found = client.get(f"{API}/variants", params={"external_id": "ERP-MUG-SAGE"}).json()["data"]
    assert [v["id"] for v in found] == [app.variant_id("MUG-SAGE")] and found[0]["id"] != old
    sky = app.variant_id("BOTTLE-SKY")
    assert len(client.get(f"{API}/variants/{sky}/inventories").json()["data"]) == 2


def test_requests_beyond_the_bucket_get_429_with_an_errors_body():
    app = MarketplacerApp.create(rate="3/0")     # 3 tokens, never refilled
    with SandboxServer(app) as server, httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}) as http:
        statuses = [http.get(f"{API}/variants").status_code for _ in range(4)]
        last = http.get(f"{API}/variants")
    assert statuses == [200, 200, 200, 429] and last.json()["errors"][0]["status"] == "429"
    assert app.request_count == 5


def test_state_survives_a_restart_from_the_same_file(tmp_path):
    first = MarketplacerApp.create(state=tmp_path / "mp.sqlite3", rate="none")
    first.set_level("TOTE-NAT", 3)
    first.renumber()
    new_id = first.variant_id("TOTE-NAT")
    first.close()
    second = MarketplacerApp.create(state=tmp_path / "mp.sqlite3", rate="none")
    try:
        assert second.level("TOTE-NAT") == 3 and second.variant_id("TOTE-NAT") == new_id
        assert [e["after"] for e in second.ledger()] == [3]
    finally:
        second.close()


def test_a_custom_catalogue_makes_later_locations_sellers_of_multi_store_adverts(tmp_path):
    spec = tmp_path / "catalog.json"
    spec.write_text(json.dumps({"locations": [{"name": "Mine"}, {"name": "Bob's Bikes"}], "variants": [
        {"product": "Solo", "sku": "S-1", "levels": {"Mine": 4}},
        {"product": "Shared", "sku": "M-1", "levels": {"Bob's Bikes": 2}}]}), encoding="utf-8")
    app = MarketplacerApp.create(catalog=str(spec))
    assert (app.level("S-1"), app.level("S-1", "Bob's Bikes")) == (4, None)
    assert app.level("M-1", "Bob's Bikes") == 2


# -- readings of the docs (the module's READINGS table) and HTTP Basic auth ----------------------
def serve_with(**options):
    """A client on a sandbox created with ``options`` (a context manager yielding (app, client))."""
    from contextlib import contextmanager

    @contextmanager
    def opened():
        app = MarketplacerApp.create(rate="none", catalog="synthetic:250x1", **options)
        with SandboxServer(app) as server, httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}) as http:
            yield app, http
    return opened()


@pytest.mark.parametrize(("oversized", "status"), [("400", 400), ("422", 422)])
def test_a_page_size_above_the_store_maximum_is_refused_with_the_chosen_status(oversized, status):
    with serve_with(max_page_size=100, oversized_page=oversized) as (_app, client):
        refused = client.get(f"{API}/variants", params={"page[size]": 101})
        accepted = client.get(f"{API}/variants", params={"page[size]": 100})
    assert refused.status_code == status and "between 1 and 100" in refused.json()["errors"][0]["detail"]
    assert accepted.status_code == 200 and len(accepted.json()["data"]) == 100


def test_a_clamping_store_answers_its_maximum_and_links_pages_of_that_size():
    with serve_with(max_page_size=100, oversized_page="clamp") as (_app, client):
        body = client.get(f"{API}/variants", params={"page[size]": 500}).json()
        seen, url = [item["id"] for item in body["data"]], body["links"].get("next")
        while url:
            page = client.get(url).json()
            seen += [item["id"] for item in page["data"]]
            url = page["links"].get("next")
    assert len(body["data"]) == 100 and "page%5Bsize%5D=100" in body["links"]["next"]
    assert len(seen) == len(set(seen)) == 250


def test_a_store_with_a_maximum_of_1100_serves_pages_that_large():
    with serve_with(max_page_size=1100) as (_app, client):
        assert len(client.get(f"{API}/variants", params={"page[size]": 1100}).json()["data"]) == 250
        assert client.get(f"{API}/variants", params={"page[size]": 1101}).status_code == 400


def test_a_partial_bulk_store_applies_the_good_entries_and_names_the_bad_ones_in_its_422():
    with serve_with(bulk="partial") as (app, client):
        good, bad = app.variant_id("SKU-000001"), app.variant_id("SKU-000002")
        response = send(client, "POST", f"{API}/variants/stock_on_hand",
                        {"count_on_hand": {str(good): 31, str(bad): -1}})
        assert response.status_code == 422
        assert response.json()["errors"][0]["source"]["pointer"] == f"/count_on_hand/{bad}"
        assert app.level("SKU-000001") == 31 and app.level("SKU-000002") != -1


@pytest.mark.parametrize(("shape", "body"), [("error", {"error": "The API key is missing or not valid."}),
                                             ("empty", None)])
def test_error_bodies_come_in_the_chosen_shape(shape, body):
    with serve_with(error_body=shape) as (app, client):
        refused = client.get(f"{API}/variants", headers={"Authorization": "Bearer wrong"})
        invalid = send(client, "POST", f"{API}/variants/stock_on_hand",
                       {"count_on_hand": {str(app.variant_id("SKU-000001")): "OTHER"}})
    assert refused.status_code == 401 and invalid.status_code == 422
    assert (refused.json() if refused.content else None) == body
    assert (invalid.content == b"") == (shape == "empty")


def test_variants_can_be_served_with_the_documented_attributes_only():
    with serve_with(expose_infinite=False, expose_external_id=False, expose_multi_store=False) as (_app, client):
        attrs = client.get(f"{API}/variants").json()["data"][0]["attributes"]
    assert {"infinite", "external_id", "multi_store"}.isdisjoint(attrs) and "count_on_hand" in attrs


def test_behind_basic_auth_the_web_server_refuses_requests_without_the_basic_credentials():
    import base64
    basic = "Basic " + base64.b64encode(b"shop-admin:s3cret").decode()
    with serve_with(basic_auth="shop-admin:s3cret") as (_app, client):
        bearer_only = client.get(f"{API}/variants")
        key_only = client.get(f"{API}/variants", headers={"Authorization": "", "MARKETPLACER-API-KEY": DEFAULT_TOKEN})
        basic_only = client.get(f"{API}/variants", headers={"Authorization": basic})
        both = client.get(f"{API}/variants", headers={"Authorization": basic, "MARKETPLACER-API-KEY": DEFAULT_TOKEN})
    assert bearer_only.status_code == key_only.status_code == 401
    assert bearer_only.headers["WWW-Authenticate"].startswith("Basic") and b"<html" in bearer_only.content
    assert basic_only.status_code == 401 and basic_only.json()["errors"][0]["title"] == "Unauthorized"
    assert both.status_code == 200


def test_unknown_reading_options_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="atomic, partial"):
        MarketplacerApp.create(rate="none", bulk="sometimes")
