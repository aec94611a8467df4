"""The Genstore emulator's state, demo shop, rate limit and concurrency."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from desktop_app.sandbox.genstore import GenstoreApp
from desktop_app.sandbox.http import Request, SandboxServer

API = "/api/202412"


def get(app: GenstoreApp, path: str, token: str | None = None):
    return app.handle(Request("GET", path, {}, {"x-genstore-access-token": token or app.token}))


def set_available(client: httpx.Client, app: GenstoreApp, sku: str, location: str, qty: int) -> httpx.Response:
    vid = app.variant_id(sku)
    pid = client.get(f"{API}/variants/{vid}").json()["productVariant"]["productId"]
    return client.put(f"{API}/inventory/{vid}",
                      json={"productId": pid, "locationId": app.location_id(location), "available": str(qty)})


def test_state_and_token_survive_a_restart_on_the_same_file(tmp_path):
    state = tmp_path / "genstore.sqlite"
    first = GenstoreApp.create(state=state, rate="none")
    with SandboxServer(first) as server, httpx.Client(
            base_url=server.url, headers={"X-Genstore-Access-Token": first.token}) as client:
        assert set_available(client, first, "TOTE-NAT", "Pop-up", 42).status_code == 200
    second = GenstoreApp.create(state=state, rate="none", catalog="synthetic:5x1")   # catalogue ignored: not new
    try:
        assert second.token == first.token
        assert second.level("TOTE-NAT", "Pop-up") == 42
        assert [(e["before"], e["after"]) for e in second.ledger()] == [(9, 42)]
        assert get(second, f"{API}/shops/locations/count").body == {"count": "3"}
    finally:
        second.close()


def test_in_memory_state_starts_fresh_each_time():
    first = GenstoreApp.create(rate="none")
    first.set_level("TOTE-NAT", "Pop-up", 1)
    second = GenstoreApp.create(rate="none")
    assert (first.level("TOTE-NAT", "Pop-up"), second.level("TOTE-NAT", "Pop-up")) == (1, 9)
    assert first.token != second.token


def test_a_synthetic_catalogue_seeds_a_hundred_thousand_levels():
    app = GenstoreApp.create(catalog="synthetic:25000x4", rate="none")
    with app.store.reading() as db:
        assert db.execute("SELECT COUNT(*) FROM levels").fetchone()[0] == 100_000
    assert app.level("SKU-025000", "Warehouse 4") is not None


def test_seeding_refuses_infinite_stock_and_unknown_locations(tmp_path):
    bad = tmp_path / "bad.json"
    for levels in ({"Main": "INFINITE"}, {"Elsewhere": 3}):
        bad.write_text(json.dumps({"locations": [{"name": "Main"}],
                                   "variants": [{"product": "P", "sku": "A", "levels": levels}]}))
        with pytest.raises(ValueError):
            GenstoreApp.create(catalog=str(bad))


def test_the_bucket_answers_429_in_the_error_shape_once_empty():
    app = GenstoreApp.create(rate="3/0.001")
    statuses = [get(app, f"{API}/shops/locations").status for _ in range(4)]
    limited = get(app, f"{API}/shops/locations")
    assert statuses == [200, 200, 200, 429]
    assert limited.body == {"error": "Too Many Requests"} and "Retry-After" not in limited.headers


def test_retry_after_is_sent_only_when_asked_for():
    app = GenstoreApp.create(rate="1/0.5", retry_after=True)
    get(app, f"{API}/inventory")
    limited = get(app, f"{API}/inventory")
    assert limited.status == 429 and limited.headers["Retry-After"] == "2"


def test_a_bad_token_does_not_spend_the_apps_rate_budget():
    app = GenstoreApp.create(rate="1/0.001")
    assert get(app, f"{API}/inventory", token="wrong").status == 401
    assert get(app, f"{API}/inventory").status == 200
    assert app.request_count == 2


def test_concurrent_writes_over_http_are_all_applied_and_ledgered():
    app = GenstoreApp.create(catalog="synthetic:40x2", rate="none")
    skus = [f"SKU-{i:06d}" for i in range(1, 41)]
    with SandboxServer(app) as server, httpx.Client(
            base_url=server.url, headers={"X-Genstore-Access-Token": app.token}) as client:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda s: set_available(client, app, s, "Warehouse 2", 500).status_code, skus))
        assert statuses == [200] * 40
        assert {app.level(s, "Warehouse 2") for s in skus} == {500}
        assert len(app.ledger()) == 40


def test_set_level_simulates_another_writer_outside_the_ledger():
    app = GenstoreApp.create(rate="none")
    app.set_level("CANDLE-CREME", "Pop-up", 3)
    assert app.level("CANDLE-CREME", "Pop-up") == 3 and app.ledger() == []


def test_the_demo_shop_carries_the_awkward_cases():
    app = GenstoreApp.create(rate="none")
    products = app.handle(Request("GET", f"{API}/products", {"limit": ["250"]},
                                  {"x-genstore-access-token": app.token})).body["products"]
    titles = [p["title"] for p in products]
    barcodes = [v["barcode"] for p in products for v in p["variants"]]
    assert '=HYPERLINK("http://evil","Free gift")' in titles
    assert any(t.startswith("Crème") for t in titles) and any(t.startswith("Ünïcode") for t in titles)
    assert sum(b.startswith("00") for b in barcodes) >= 3
    assert app.level("CANDLE-CREME", "Pop-up") is None and app.level("CANDLE-CREME", "Main Warehouse") == 35
    assert app.committed("TS-BLK-M", "Main Warehouse") == 3 and app.committed("MUG-SAGE", "Outlet Store") == 1
    assert {(loc["name"], loc["isDefault"]) for loc in get(app, f"{API}/shops/locations").body["locations"]} == {
        ("Main Warehouse", "true"), ("Outlet Store", "false"), ("Pop-up", "false")}


def test_non_ascii_names_travel_as_utf8_json_over_http():
    app = GenstoreApp.create(rate="none")
    with SandboxServer(app) as server:
        raw = httpx.get(f"{server.url}{API}/variants/{app.variant_id('PIN-ÜNI')}",
                        headers={"X-Genstore-Access-Token": app.token})
    assert raw.headers["content-type"].startswith("application/json")
    assert json.loads(raw.content.decode("utf-8"))["productVariant"]["sku"] == "PIN-ÜNI"
