"""The Zettle connector against the Zettle emulator over real loopback HTTP (MockTransport only
for answers the emulator never gives)."""
from __future__ import annotations

import json

import httpx
import pytest

from desktop_app.core import issues
from desktop_app.core.errors import AmbiguousWriteError, AuthError, InputError
from desktop_app.core.models import NOT_TRACKED, Change, Chunk, Kind, Mode, Variant
from desktop_app.platforms.zettle import ZettleConnector, describe_error
from desktop_app.sandbox.http import SandboxServer
from desktop_app.sandbox.zettle import ZettleApp


@pytest.fixture
def app():
    return ZettleApp.create(rate="none")


@pytest.fixture
def connect(server, app):
    made = []

    def make(**options) -> ZettleConnector:
        connector = ZettleConnector(server.url, app.token, **options)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def zettle(connect):
    return connect()


def prepared(connector: ZettleConnector) -> tuple[dict[str, Variant], str, dict[tuple[str, str], int]]:
    """What the engine does before planning: locations, variants, live levels."""
    [store] = connector.list_locations()
    variants = connector.list_variants()
    levels = connector.read_levels([v.id for v in variants], [store.id])
    return {v.sku: v for v in variants if v.sku}, store.id, levels


def change(variant: Variant, store: str, *, before: int, after: int, row: int = 2) -> Change:
    kind = Kind.UNCHANGED if after == before else Kind.INCREASE if after > before else Kind.DECREASE
    return Change(row=row, column="Quantity", variant_id=variant.id, product_id=variant.product_id, location_id=store,
                  sku=variant.sku, location_name="STORE", mode=Mode.SET, before=before, after=after, kind=kind,
                  delta=after - before, variant=variant)


def set_levels(connector, targets: dict[str, int]):
    by_sku, store, levels = prepared(connector)
    changes = [change(by_sku[sku], store, before=levels[(by_sku[sku].id, store)], after=after, row=i + 2)
               for i, (sku, after) in enumerate(targets.items())]
    return connector.apply(Chunk(index=0, changes=changes))


def test_capabilities_say_movements_only_one_location_and_non_idempotent_writes(zettle):
    caps = zettle.capabilities
    assert (caps.can_set, caps.can_adjust, caps.single_location, caps.idempotent_writes) == (False, True, True, False)
    assert (caps.max_chunk, caps.chunk_by, caps.rate_burst, caps.rate_per_second) == (100, "product", 40, 10.0)


def test_the_only_location_is_the_default_store(zettle, app):
    [store] = zettle.list_locations()
    assert (store.name, store.kind, store.default) == ("STORE", "STORE", True)
    assert store.id == app.state.uuid_of("STORE")


def test_variants_come_from_the_product_library_with_their_tracking_flag(zettle):
    variants = zettle.list_variants()
    by_sku = {v.sku: v for v in variants}
    shirt = by_sku["TS-BLK-S"]
    assert (shirt.product, shirt.title, shirt.barcode, shirt.extra) == (
        "Organic Cotton T-Shirt", "Black / S", "5060123400007", {"tracked": True})
    assert by_sku["GIFT-25"].extra == {"tracked": False}
    assert [v.title for v in variants if v.sku is None] == ["Seconds"]
    assert sum(v.sku == "TOTE-NAT" for v in variants) == 2


def test_read_levels_turns_string_balances_into_ints_missing_into_zero_and_untracked_into_not_tracked(zettle):
    by_sku, store, levels = prepared(zettle)
    assert levels[(by_sku["TS-BLK-S"].id, store)] == 20           # "20" on the wire
    assert levels[(by_sku["TS-WHT-XL"].id, store)] == 0           # zero balances are omitted
    assert levels[(by_sku["GIFT-25"].id, store)] == NOT_TRACKED   # untracked: hidden 500 is not visible
    assert levels[(by_sku["APRON-LIN"].id, store)] == NOT_TRACKED
    assert all(type(v) is int for k, v in levels.items() if k[0] not in (by_sku["GIFT-25"].id, by_sku["APRON-LIN"].id))


def test_read_levels_of_more_products_than_a_filtered_read_takes_reads_the_whole_store_once(connect, app):
    zettle = connect(page_size=3)
    variants = zettle.list_variants()
    few = [v for v in variants if v.product_id in {w.product_id for w in variants[:2]}]
    before = app.request_count
    some = zettle.read_levels([v.id for v in few], [app.state.uuid_of("STORE")])
    assert app.request_count - before == 1 and len(some) == len(few)          # one filtered read
    before = app.request_count
    levels = zettle.read_levels([v.id for v in variants], [app.state.uuid_of("STORE")])
    assert app.request_count - before == 1 and len(levels) == len(variants)   # one read of the whole STORE
    assert levels == {**levels, **some}
    assert zettle.read_cost(len(variants), 1) == 1


def test_read_levels_falls_back_to_the_whole_store_when_the_filtered_read_refuses_untracked_products(server, app):
    store = app.state.uuid_of("STORE")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/inventory/products"):
            return httpx.Response(422, json={"developerMessage": "Product is not tracked.",
                                             "errorType": "PRODUCT_NOT_TRACKED", "violations": []})
        forwarded = httpx.request(request.method, f"{server.url}{request.url.path}", headers=request.headers,
                                  content=request.content)
        return httpx.Response(forwarded.status_code, content=forwarded.content, headers=forwarded.headers)

    zettle = ZettleConnector("http://127.0.0.1:1", app.token, transport=httpx.MockTransport(handler))
    try:
        variants = {v.sku: v for v in zettle.list_variants()}
        levels = zettle.read_levels([variants["TS-BLK-S"].id, variants["GIFT-25"].id], [store])
    finally:
        zettle.close()
    assert levels == {(variants["TS-BLK-S"].id, store): 20, (variants["GIFT-25"].id, store): NOT_TRACKED}


def test_increase_decrease_and_zeroing_reach_their_targets_in_one_bulk_request(zettle, app):
    by_sku, store, levels = prepared(zettle)
    changes = [change(by_sku["TS-BLK-S"], store, before=20, after=25), change(by_sku["TS-BLK-M"], store, before=27, after=20),
               change(by_sku["MUG-SAGE"], store, before=48, after=0)]
    sent = app.request_count
    outcomes = zettle.apply(Chunk(index=0, changes=changes))
    assert [(o.ok, o.level_after) for o in outcomes] == [(True, 25), (True, 20), (True, 0)]
    assert app.request_count - sent == 1
    assert (app.level("TS-BLK-S"), app.level("TS-BLK-M"), app.level("MUG-SAGE")) == (25, 20, 0)
    assert [(m["sku"], m["from"], m["to"], m["change"]) for m in app.ledger()] == [
        ("TS-BLK-S", "SUPPLIER", "STORE", 5), ("TS-BLK-M", "STORE", "BIN", 7), ("MUG-SAGE", "STORE", "BIN", 48)]
    assert len({m["externalUuid"] for m in app.ledger()}) == 1


def test_removal_destination_setting_sends_decreases_to_sold(connect, app):
    outcomes = set_levels(connect(removal_location="SOLD"), {"CANDLE-CREME": 30})
    assert outcomes[0].ok and [(m["from"], m["to"], m["change"]) for m in app.ledger()] == [("STORE", "SOLD", 5)]


def test_removal_destination_must_be_bin_or_sold(server, app):
    with pytest.raises(InputError, match="BIN or SOLD"):
        ZettleConnector(server.url, app.token, removal_location="SUPPLIER")


def test_an_untracked_product_is_tracked_and_set_in_the_same_request(zettle, app):
    by_sku, store, levels = prepared(zettle)
    sent = app.request_count
    [outcome] = zettle.apply(Chunk(index=0, changes=[change(by_sku["APRON-LIN"], store, before=0, after=6)]))
    assert (outcome.ok, outcome.level_after, app.level("APRON-LIN")) == (True, 6, 6)
    assert app.request_count - sent == 1
    assert [e["type"] for e in app.events()] == ["InventoryTrackingStarted", "InventoryBalanceChanged"]


def test_a_hidden_balance_revealed_by_tracking_is_corrected_to_the_target(zettle, app):
    by_sku, store, levels = prepared(zettle)
    [outcome] = zettle.apply(Chunk(index=0, changes=[change(by_sku["GIFT-25"], store, before=0, after=10)]))
    assert (outcome.ok, outcome.level_after, app.level("GIFT-25")) == (True, 10, 10)
    assert [(m["from"], m["to"], m["change"]) for m in app.ledger()] == [("SUPPLIER", "STORE", 10), ("STORE", "BIN", 500)]
    assert len({m["externalUuid"] for m in app.ledger()}) == 2


def test_a_product_untracked_after_the_read_is_tracked_and_set_without_losing_the_rest(zettle, app):
    by_sku, store, levels = prepared(zettle)
    app.untrack("CANDLE-CREME")                      # the merchant switches tracking off meanwhile
    changes = [change(by_sku["CANDLE-CREME"], store, before=35, after=30),
               change(by_sku["TS-BLK-S"], store, before=20, after=21, row=3)]
    outcomes = zettle.apply(Chunk(index=0, changes=changes))
    assert [(o.ok, o.level_after) for o in outcomes] == [(True, 30), (True, 21)]
    assert (app.level("CANDLE-CREME"), app.level("TS-BLK-S")) == (30, 21)


def test_each_movement_is_sent_exactly_once_although_the_store_would_apply_a_resend(zettle, app):
    set_levels(zettle, {"TS-BLK-S": 23, "TS-WHT-S": 40})
    ledger = app.ledger()
    assert [(m["sku"], m["change"]) for m in ledger] == [("TS-BLK-S", 3), ("TS-WHT-S", 8)]
    assert zettle.external_uuids == [ledger[0]["externalUuid"]]


def test_a_write_without_answer_raises_ambiguous_and_is_not_resent(zettle, app):
    by_sku, store, levels = prepared(zettle)
    app.fail_next("drop-after-commit", path_contains="/bulk")
    with pytest.raises(AmbiguousWriteError):
        zettle.apply(Chunk(index=0, changes=[change(by_sku["TS-BLK-S"], store, before=20, after=26)]))
    assert app.level("TS-BLK-S") == 26 and len(app.ledger()) == 1


def test_a_level_moved_by_a_sale_after_the_read_is_reported_not_ok(zettle, app):
    by_sku, store, levels = prepared(zettle)
    app.set_level("TS-BLK-S", 18)                    # a sale of 2 at the till
    [outcome] = zettle.apply(Chunk(index=0, changes=[change(by_sku["TS-BLK-S"], store, before=20, after=25)]))
    assert (outcome.ok, outcome.level_after, outcome.code) == (False, 23, issues.PLATFORM_REJECTED)
    assert "a sale?" in outcome.error and app.level("TS-BLK-S") == 23


def test_a_rejected_product_fails_with_the_platform_message_and_the_rest_is_applied(zettle, app):
    by_sku, store, levels = prepared(zettle)
    shirt = by_sku["TS-BLK-S"]
    ghost = Variant(id="00000000-0000-1000-8000-000000000000", product_id=by_sku["MUG-SAGE"].product_id, sku="GHOST")
    outcomes = zettle.apply(Chunk(index=0, changes=[change(ghost, store, before=1, after=2),
                                                    change(shirt, store, before=20, after=22, row=3)]))
    assert [o.ok for o in outcomes] == [False, True]
    assert outcomes[0].code == issues.PLATFORM_REJECTED and "ENTITY_NOT_FOUND" in outcomes[0].error
    assert "not found" in outcomes[0].error and app.level("TS-BLK-S") == 22


def test_a_rejection_naming_no_product_fails_each_product_with_the_developer_message_once_isolated():
    writes = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/locations"):
            return httpx.Response(200, json=[{"uuid": f"u-{t}", "type": t} for t in ("STORE", "BIN", "SOLD", "SUPPLIER")])
        if request.url.path.endswith("/inventory/products"):      # the re-read after the 4xx: nothing moved
            wanted = json.loads(request.content)["productUuids"]
            return httpx.Response(200, json={"trackedProducts": wanted, "latest": 0, "variants": [
                {"productUuid": p, "variantUuid": f"v{p[1:]}", "balance": "1"} for p in wanted]})
        writes.append(len(json.loads(request.content)["productChanges"]))
        return httpx.Response(400, json={"developerMessage": "Inventory is locked for maintenance.",
                                         "errorType": "LOCKED", "violations": []})

    zettle = ZettleConnector("https://inventory.izettle.com", "t", transport=httpx.MockTransport(handler))
    variants = [Variant(id=f"v{i}", product_id=f"p{i}", sku=f"S{i}") for i in range(2)]
    outcomes = zettle.apply(Chunk(index=0, changes=[change(v, "u-STORE", before=1, after=3) for v in variants]))
    zettle.close()
    assert [(o.ok, o.error, o.level_after) for o in outcomes] == [
        (False, f"Zettle rejected the change to S{i}: Inventory is locked for maintenance (LOCKED).", 1) for i in range(2)]
    assert writes == [2, 1, 1]                                    # split in halves until each stands alone


def test_a_chunk_of_one_hundred_products_is_one_request(app_100, server_100):
    app = app_100
    zettle = ZettleConnector(server_100.url, app.token)
    try:
        by_sku, store, levels = prepared(zettle)
        changes = [change(v, store, before=levels[(v.id, store)], after=levels[(v.id, store)] + 1, row=i + 2)
                   for i, v in enumerate(by_sku.values())]
        assert len({c.product_id for c in changes}) == 100
        sent = app.request_count
        outcomes = zettle.apply(Chunk(index=0, changes=changes))
        assert app.request_count - sent == 1 and all(o.ok for o in outcomes)
    finally:
        zettle.close()


@pytest.fixture
def app_100():
    return ZettleApp.create(catalog="synthetic:400x1", rate="none")   # 4 variants per product: 100 products


@pytest.fixture
def server_100(app_100):
    with SandboxServer(app_100) as srv:
        yield srv


def test_a_wrong_token_is_an_auth_error(server):
    zettle = ZettleConnector(server.url, "not-the-token")
    try:
        with pytest.raises(AuthError, match="UNAUTHORIZED"):
            zettle.list_locations()
    finally:
        zettle.close()


def test_describe_error_reads_developer_message_error_type_and_violations():
    response = httpx.Response(404, json={"developerMessage": "A product or variant in the request was not found.",
                                         "errorType": "ENTITY_NOT_FOUND", "violations": [
                                             {"propertyName": "productChanges[0].variantChanges[0].variantUuid",
                                              "developerMessage": "variant not found"}]})
    assert describe_error(response) == ("A product or variant in the request was not found (ENTITY_NOT_FOUND): "
                                        "productChanges[0].variantChanges[0].variantUuid: variant not found.")
    assert describe_error(httpx.Response(502, text="Bad gateway")) == "Bad gateway"


def test_production_reads_products_from_the_product_library_host():
    hosts = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append((request.url.host, request.url.path))
        if request.url.path.endswith("/locations"):
            return httpx.Response(200, json=[{"uuid": f"u-{t}", "type": t} for t in ("STORE", "BIN", "SOLD", "SUPPLIER")])
        if request.url.path.endswith("/products/v2"):
            return httpx.Response(200, content=json.dumps([]).encode())
        return httpx.Response(200, json={"locationUuid": "u-STORE", "trackedProducts": [], "variants": [], "latest": 0})

    zettle = ZettleConnector("https://inventory.izettle.com", "t", transport=httpx.MockTransport(handler))
    assert zettle.list_variants() == []
    zettle.close()
    assert ("products.izettle.com", "/organizations/self/products/v2") in hosts
    assert {h for h, p in hosts if "inventory" in p or "locations" in p} == {"inventory.izettle.com"}
