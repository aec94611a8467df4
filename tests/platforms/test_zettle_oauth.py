"""Zettle auth as the real store does it, against the Zettle emulator over real loopback HTTP:
an API key is exchanged at the OAuth token endpoint for an access token that lives 7,200 s, and
the connector exchanges it again when it expires (there is no refresh token)."""
from __future__ import annotations

import pytest

from desktop_app.core.errors import AuthError
from desktop_app.core.models import Change, Chunk, Kind, Mode
from desktop_app.platforms.registry import connect
from desktop_app.platforms.zettle import ZettleConnector


class Clock:
    """A clock the test moves: no sleeps."""

    def __init__(self) -> None:
        self.now = 50_000.0

    def __call__(self) -> float:
        return self.now


def raise_by_one(connector: ZettleConnector, sku: str, *, row: int = 2) -> list:
    [store] = connector.list_locations()
    variant = next(v for v in connector.list_variants() if v.sku == sku)
    before = connector.read_levels([variant.id], [store.id])[(variant.id, store.id)]
    c = Change(row=row, column="Quantity", variant_id=variant.id, product_id=variant.product_id, location_id=store.id,
               sku=sku, location_name="STORE", mode=Mode.SET, before=before, after=before + 1, kind=Kind.INCREASE,
               delta=1, variant=variant)
    return connector.apply(Chunk(index=0, changes=[c]))


def test_an_api_key_is_exchanged_for_an_access_token_through_the_registry(serve):
    served = serve("zettle")
    app = served.app
    zettle = connect("zettle", served.url, app.api_key, client_id=app.client_id)
    try:
        [store] = zettle.list_locations()
    finally:
        zettle.close()
    assert store.name == "STORE" and app.tokens_issued == 1


def test_a_run_that_outlives_its_access_tokens_applies_every_change_exactly_once(serve):
    served = serve("zettle", token_lifetime_requests=3)     # a token answers 3 requests, then 401
    app = served.app
    zettle = ZettleConnector(served.url, app.api_key, client_id=app.client_id)
    try:
        outcomes = [o for _ in range(6) for o in raise_by_one(zettle, "TS-BLK-S")]
    finally:
        zettle.close()
    assert all(o.ok for o in outcomes) and app.level("TS-BLK-S") == 26
    assert [m["change"] for m in app.ledger()] == [1] * 6                 # a 401 applied nothing, resent once
    assert app.tokens_issued >= 6


def test_a_token_expired_on_the_clock_is_exchanged_again_before_the_request(serve):
    clock = Clock()
    served = serve("zettle", clock=clock)
    app = served.app
    zettle = ZettleConnector(served.url, app.api_key, client_id=app.client_id, clock=clock)
    try:
        zettle.list_locations()
        clock.now += 7_200 - 30                              # inside the refresh margin: exchanged before sending
        outcomes = raise_by_one(zettle, "TS-BLK-S")
        clock.now += 10_000                                  # long expired
        outcomes += raise_by_one(zettle, "TS-BLK-S", row=3)
    finally:
        zettle.close()
    assert [o.ok for o in outcomes] == [True, True] and app.level("TS-BLK-S") == 22
    assert app.tokens_issued == 3


def test_a_wrong_api_key_is_an_auth_error_that_names_no_secret(serve):
    served = serve("zettle")
    wrong = "wrong-api-key-" + "k" * 20
    zettle = ZettleConnector(served.url, wrong, client_id=served.app.client_id)
    try:
        with pytest.raises(AuthError, match="API key") as caught:
            zettle.list_locations()
    finally:
        zettle.close()
    assert "invalid_grant" in str(caught.value)
    assert wrong not in str(caught.value) and served.app.api_key not in str(caught.value)


def test_an_access_token_the_store_keeps_refusing_is_an_auth_error_after_one_new_exchange(serve):
    served = serve("zettle", token_lifetime_requests=0)     # every exchanged token is refused
    app = served.app
    zettle = ZettleConnector(served.url, app.api_key, client_id=app.client_id)
    try:
        with pytest.raises(AuthError, match="UNAUTHORIZED"):
            zettle.list_locations()
    finally:
        zettle.close()
    assert app.tokens_issued == 2


def test_a_plain_bearer_token_is_still_sent_as_is(serve):
    served = serve("zettle", token_lifetime_requests=0)
    zettle = ZettleConnector(served.url, served.app.token)
    try:
        assert zettle.list_locations()
    finally:
        zettle.close()
    assert served.app.tokens_issued == 0
