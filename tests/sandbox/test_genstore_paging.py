"""Genstore's cursor paging through the Link header: limits, following, and refused combinations."""
from __future__ import annotations

import re

import httpx
import pytest

from desktop_app.sandbox.genstore import GenstoreApp
from desktop_app.sandbox.http import SandboxServer

INVENTORY = "/api/202412/inventory"
LINK = re.compile(r"<([^>]*)>; rel=(\w+)")


@pytest.fixture
def client():
    app = GenstoreApp.create(catalog="synthetic:120x2", rate="none", token="t")
    with SandboxServer(app) as server, httpx.Client(base_url=server.url, headers={"X-Genstore-Access-Token": "t"}) as c:
        yield c


def links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(response.headers.get("Link", ""))}


def variant_ids(response: httpx.Response) -> list[str]:
    return [item["variantId"] for item in response.json()["inventorys"]]


def test_first_page_holds_fifty_by_default_and_links_to_the_next(client):
    first = client.get(INVENTORY)
    assert len(variant_ids(first)) == 50
    assert set(links(first)) == {"next"}
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/202412/inventory\?pageToken=[\w-]+&limit=50", links(first)["next"])


def test_following_next_links_visits_every_variant_once_and_the_last_page_has_no_next(client):
    seen, url, pages = [], f"{INVENTORY}?limit=25", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += variant_ids(response)
        url = links(response).get("next")
        pages += 1
    assert pages == 5 and len(seen) == 120 and len(set(seen)) == 120
    assert seen == sorted(seen)


def test_previous_link_returns_the_page_before(client):
    first = client.get(INVENTORY, params={"limit": 30})
    second = client.get(links(first)["next"])
    back = client.get(links(second)["previous"])
    assert variant_ids(back) == variant_ids(first)
    assert set(links(second)) == {"previous", "next"}


@pytest.mark.parametrize("limit", ["251", "0", "ten", "-5"])
def test_limits_outside_one_to_250_are_refused(client, limit):
    response = client.get(INVENTORY, params={"limit": limit})
    assert response.status_code == 400 and "limit" in response.json()["error"]


def test_a_limit_of_250_is_served_in_full(client):
    response = client.get(INVENTORY, params={"limit": 250})
    assert len(variant_ids(response)) == 120 and "Link" not in response.headers


def test_a_page_token_may_only_travel_with_limit(client):
    token = re.search(r"pageToken=([^&>]+)", links(client.get(INVENTORY))["next"]).group(1)
    with_limit = client.get(INVENTORY, params={"pageToken": token, "limit": 10})
    with_since = client.get(INVENTORY, params={"pageToken": token, "sinceId": "1"})
    assert with_limit.status_code == 200 and len(variant_ids(with_limit)) == 10
    assert with_since.status_code == 400 and "sinceId" in with_since.json()["error"]


def test_forged_or_foreign_page_tokens_are_refused(client):
    token = re.search(r"pageToken=([^&>]+)", links(client.get(INVENTORY))["next"]).group(1)
    forged = client.get(INVENTORY, params={"pageToken": token[:-2] + "AA"})
    garbage = client.get(INVENTORY, params={"pageToken": "not-a-token"})
    foreign = client.get("/api/202412/products", params={"pageToken": token})
    assert [r.status_code for r in (forged, garbage, foreign)] == [400, 400, 400]
    assert "pageToken" in garbage.json()["error"]


def test_since_id_lists_only_later_ids_and_its_links_keep_the_filter(client):
    everything = variant_ids(client.get(INVENTORY, params={"limit": 250}))
    later = client.get(INVENTORY, params={"sinceId": everything[99], "limit": 15})
    rest = client.get(links(later)["next"])
    assert variant_ids(later) + variant_ids(rest) == everything[100:]
    assert "next" not in links(rest)
