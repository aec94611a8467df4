"""Each sandbox answers with the *shape* of the JSON examples in the platforms' own docs.

The examples are copied verbatim into ``doc_examples/`` (provenance in its README). For each, the
equivalent real request goes to the emulator over loopback HTTP and the answer must have the same
keys, recursively, and the same JSON type per key — the point being the types the docs fix:
Genstore ids and quantities are strings, Zettle balances in write answers are numbers, Shoplazza's
level ``location_id`` is a string, Marketplacer prices are strings.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest

from desktop_app.sandbox.demo import MAIN
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.registry import create_app

EXAMPLES = Path(__file__).parent / "doc_examples"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the shape comparison

def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[*]", path)


def assert_same_shape(example: Any, actual: Any, path: str = "$", *, extensions: frozenset[str] = frozenset()) -> None:
    """Fail, naming the JSON path, unless ``actual`` has ``example``'s shape: every documented key
    (extra keys only where ``extensions`` lists their path, written with ``[*]`` for list indices),
    the same JSON type at every path. Each element of an actual list must match one of the
    example list's elements (the docs show alternatives side by side, e.g. a priced and an
    infinite inventory); a documented non-empty list must not come back empty."""
    expected_type, actual_type = _json_type(example), _json_type(actual)
    if expected_type != actual_type:
        raise AssertionError(f"{path}: the docs show a JSON {expected_type} ({example!r}), the sandbox sent a JSON {actual_type} ({actual!r})")
    if isinstance(example, dict):
        missing = [key for key in example if key not in actual]
        if missing:
            raise AssertionError(f"{path}: documented key(s) {missing} are missing; the sandbox sent keys {sorted(actual)}")
        extra = [key for key in actual if key not in example and _generic(f"{path}.{key}") not in extensions]
        if extra:
            raise AssertionError(f"{path}: key(s) {extra} are not in the docs' example nor listed as known extensions")
        for key, value in example.items():
            assert_same_shape(value, actual[key], f"{path}.{key}", extensions=extensions)
    elif isinstance(example, list):
        if example and not actual:
            raise AssertionError(f"{path}: the docs show {len(example)} element(s), the sandbox sent an empty list")
        for index, element in enumerate(actual):
            _assert_matches_one(example, element, f"{path}[{index}]", extensions=extensions)


def _assert_matches_one(alternatives: list[Any], actual: Any, path: str, *, extensions: frozenset[str]) -> None:
    failures = []
    for documented in alternatives:
        try:
            assert_same_shape(documented, actual, path, extensions=extensions)
            return
        except AssertionError as exc:
            failures.append(str(exc))
    if len(set(failures)) == 1:
        raise AssertionError(failures[0])
    raise AssertionError(f"{path} matches none of the {len(alternatives)} documented elements:\n  "
                         + "\n  ".join(f"#{i}: {why}" for i, why in enumerate(failures)))


@pytest.mark.parametrize(("actual", "complaint"), [
    ({"inventory": {"productId": 102744589756584, "variantId": "2", "inventoryCounts": [{"locationId": "1", "available": "1"}]}},
     "$.inventory.productId: the docs show a JSON string ('102744589756584'), the sandbox sent a JSON number"),
    ({"inventory": {"productId": "1", "inventoryCounts": [{"locationId": "1", "available": "1"}]}},
     "$.inventory: documented key(s) ['variantId'] are missing"),
    ({"inventory": {"productId": "1", "variantId": "2", "inventoryCounts": [{"locationId": "1", "available": 5}]}},
     "$.inventory.inventoryCounts[0].available: the docs show a JSON string ('100'), the sandbox sent a JSON number (5)"),
    ({"inventory": {"productId": "1", "variantId": "2", "inventoryCounts": [{"locationId": "1", "available": "1"}],
                    "committed": "0"}},
     "$.inventory: key(s) ['committed'] are not in the docs' example"),
    ({"inventory": {"productId": "1", "variantId": "2", "inventoryCounts": []}},
     "$.inventory.inventoryCounts: the docs show 1 element(s), the sandbox sent an empty list"),
    ({"inventory": None}, "$.inventory: the docs show a JSON object ({'productId'"),
])
def test_shape_check_names_the_path_of_a_wrong_type_a_missing_key_or_an_unlisted_extra_key(actual, complaint):
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        assert_same_shape(example("genstore_put_inventory_response"), actual)


def test_shape_check_accepts_other_values_listed_extensions_and_any_documented_alternative():
    put = example("genstore_put_inventory_response")
    assert_same_shape(put, {"inventory": {"productId": "9", "variantId": "8", "inventoryCounts": [
        {"locationId": "7", "available": "0"}, {"locationId": "6", "available": "-3"}]}})
    assert_same_shape(put, {"inventory": {"productId": "9", "variantId": "8", "inventoryCounts": [
        {"locationId": "7", "available": "0", "committed": "1"}]}},
        extensions=frozenset({"$.inventory.inventoryCounts[*].committed"}))
    parent = example("marketplacer_put_inventories_parent_response")
    infinite = {"id": 9, "type": "inventories", "attributes": {"infinite": True, "seller_id": 4, "fulfilment_provider": ""}}
    assert_same_shape(parent, {"data": [infinite]})
    with pytest.raises(AssertionError, match=r"\$\.data\[0\] matches none of the 3 documented elements"):
        assert_same_shape(parent, {"data": [{**infinite, "attributes": {**infinite["attributes"], "seller_id": "4"}}]})


# ---------------------------------------------------------------- the emulators

def serve(platform: str, headers: Callable[[Any], dict[str, str]]) -> Iterator[tuple[Any, httpx.Client]]:
    app = create_app(platform, catalog="demo", rate="none")
    with SandboxServer(app) as server, httpx.Client(base_url=server.url, headers=headers(app)) as client:
        yield app, client


@pytest.fixture
def genstore():
    yield from serve("genstore", lambda app: {"X-Genstore-Access-Token": app.token})


@pytest.fixture
def zettle():
    yield from serve("zettle", lambda app: {"Authorization": f"Bearer {app.token}"})


@pytest.fixture
def marketplacer():
    yield from serve("marketplacer", lambda app: {"Authorization": f"Bearer {app.token}"})


@pytest.fixture
def shoplazza():
    yield from serve("shoplazza", lambda app: {"Access-Token": app.token})


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


# ---- Genstore (000_8efe8e90ddb20e05.txt) -------------------------------------------------

GENSTORE = "/api/202412"


def _genstore_ids(app, client, sku: str) -> tuple[str, str, str]:
    variant_id = app.variant_id(sku)
    product_id = ok(client.get(f"{GENSTORE}/variants/{variant_id}"))["productVariant"]["productId"]
    return product_id, variant_id, app.location_id(MAIN)


def test_genstore_put_inventory_answers_the_documented_inventory_object(genstore):
    app, client = genstore
    product_id, variant_id, location_id = _genstore_ids(app, client, "TS-BLK-S")
    answer = ok(client.put(f"{GENSTORE}/inventory/{variant_id}",
                           json={"productId": product_id, "locationId": location_id, "available": "100"}))
    assert_same_shape(example("genstore_put_inventory_response"), answer)


def test_genstore_connect_answers_the_documented_inventory_object(genstore):
    app, client = genstore
    product_id, variant_id, location_id = _genstore_ids(app, client, "CANDLE-CREME")
    answer = ok(client.post(f"{GENSTORE}/inventory/connect",
                            json={"productId": product_id, "locationId": location_id, "variantId": variant_id}))
    assert_same_shape(example("genstore_connect_response"), answer)


def test_genstore_inventory_list_answers_the_documented_inventorys_list(genstore):
    _, client = genstore
    answer = ok(client.get(f"{GENSTORE}/inventory"))
    assert_same_shape(example("genstore_inventory_list_response"), answer)


# ---- Zettle (002_f5d19af54d316af4.txt) -----------------------------------------------------

ZETTLE = "/organizations/self"


def _zettle_locations(client) -> dict[str, str]:
    return {row["type"]: row["uuid"] for row in ok(client.get(f"{ZETTLE}/locations"))}


def test_zettle_movement_answers_the_documented_balances_as_numbers(zettle):
    app, client = zettle
    loc = _zettle_locations(client)
    changes = [{"productUuid": app.product_uuid(sku), "variantUuid": app.variant_uuid(sku),
                "fromLocationUuid": loc["SUPPLIER"], "toLocationUuid": loc["STORE"], "change": change}
               for sku, change in (("TS-BLK-S", 42), ("TS-BLK-M", 1337))]
    answer = ok(client.put(f"{ZETTLE}/inventory", json={"changes": changes}))
    assert len(answer["variants"]) == 2
    assert_same_shape(example("zettle_put_inventory_response"), answer)


def test_zettle_bulk_v2_answers_the_documented_short_rows(zettle):
    app, client = zettle
    loc = _zettle_locations(client)
    answer = ok(client.post(f"{ZETTLE}/v2/inventory/bulk", json={
        "returnBalanceForLocationUuid": loc["STORE"],
        "productChanges": [{
            "productUuid": app.product_uuid("TS-BLK-S"), "trackingStatusChange": "START_TRACKING",
            "variantChanges": [{"variantUuid": app.variant_uuid(sku), "fromLocationUuid": loc["SUPPLIER"],
                                "toLocationUuid": loc["STORE"], "change": change}
                               for sku, change in (("TS-BLK-S", 42), ("TS-BLK-M", 1337))]}]}))
    assert len(answer["variants"]) == 2
    assert_same_shape(example("zettle_bulk_v2_response"), answer)


# ---- Marketplacer (003_e03eac439fc84d09.txt) -------------------------------------------------

MARKETPLACER = "/api/v2/client"
JSONAPI = {"Content-Type": "application/vnd.api+json"}
MULTI_STORE_SKU = "BOTTLE-SKY"


def _sellers(client) -> list[int]:
    return [m["attributes"]["seller_id"] for m in ok(client.get(f"{MARKETPLACER}/multi_store_memberships"))["data"]]


def _put_inventories(client, variant_id: int, rows: list[dict[str, Any]]) -> Any:
    body = {"data": [{"type": "inventories", "attributes": attrs} for attrs in rows]}
    return ok(client.put(f"{MARKETPLACER}/variants/{variant_id}/inventories", content=json.dumps(body), headers=JSONAPI))


def test_marketplacer_inventories_list_answers_the_documented_priced_record(marketplacer):
    app, client = marketplacer
    variant_id, (first, *_) = app.variant_id(MULTI_STORE_SKU), _sellers(client)
    for record in ok(client.get(f"{MARKETPLACER}/variants/{variant_id}/inventories"))["data"]:
        assert client.delete(f"{MARKETPLACER}/variants/{variant_id}/inventories/{record['id']}").status_code == 204
    _put_inventories(client, variant_id, [{"count_on_hand": 10, "price": 500, "sale_price": 450, "seller_id": first,
                                           "fulfilment_provider": "fulfilment_provider"}])
    answer = ok(client.get(f"{MARKETPLACER}/variants/{variant_id}/inventories"))
    assert len(answer["data"]) == 1
    assert_same_shape(example("marketplacer_get_inventories_response"), answer)


def test_marketplacer_parent_put_answers_the_documented_priced_unpriced_and_infinite_records(marketplacer):
    app, client = marketplacer
    one, two, three = _sellers(client)[:3]
    answer = _put_inventories(client, app.variant_id(MULTI_STORE_SKU), [   # the docs' parent example, our seller ids
        {"count_on_hand": 10, "price": 500, "sale_price": 450, "seller_id": one, "fulfilment_provider": "fulfilio"},
        {"count_on_hand": 15, "seller_id": two},
        {"infinite": True, "seller_id": three}])
    by_seller = {row["attributes"]["seller_id"]: row["attributes"] for row in answer["data"]}
    assert (by_seller[one]["price"], by_seller[two]["price"], by_seller[three]["infinite"]) == ("500", None, True)
    assert_same_shape(example("marketplacer_put_inventories_parent_response"), answer)


# ---- Shoplazza (004_ddc09cfce9d4a3d2.txt) ---------------------------------------------------

SHOPLAZZA = "/openapi/2026-01"


def test_shoplazza_variant_inventory_items_answer_the_documented_string_ids(shoplazza):
    app, client = shoplazza
    ids = app.variant_ids("MUG-SAGE") + app.variant_ids("TOTE-NAT")
    answer = ok(client.get(f"{SHOPLAZZA}/inventory_items/variant", params=[("variant_ids", v) for v in ids]))
    assert len(answer["data"]["variant_inventory_items"]) == len(ids)
    assert_same_shape(example("shoplazza_inventory_items_variant_response"), answer)


def test_shoplazza_set_level_answers_the_documented_level_with_a_string_location_id(shoplazza):
    app, client = shoplazza
    answer = ok(client.post(f"{SHOPLAZZA}/inventory_levels/set", json={
        "inventory_item_id": app.inventory_item_id("TS-BLK-S"), "location_id": app.location_id(MAIN), "stock": 100}))
    assert_same_shape(example("shoplazza_inventory_levels_set_response"), answer)


def test_shoplazza_product_inventory_answers_the_documented_per_location_stock(shoplazza):
    app, client = shoplazza
    product_id = ok(client.get(f"{SHOPLAZZA}/products"))["data"]["products"][0]["id"]
    answer = ok(client.get(f"{SHOPLAZZA}/products/{product_id}/inventory"))
    assert_same_shape(example("shoplazza_product_inventory_response"), answer)
    levels = [i["stock"] for v in answer["data"]["variants"] for i in v["location_items"]]
    assert levels and answer["data"]["Stock"] == sum(levels)
