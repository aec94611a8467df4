"""Zettle (PayPal/iZettle) connector: product library v2 + inventory v1/v2.

Zettle has no absolute "set": stock moves between the organisation's 4 system locations. The
real stock lives in STORE; SUPPLIER is an infinite source, SOLD and BIN are sinks. So a target
level becomes a movement computed from the live balance: SUPPLIER→STORE to raise it,
STORE→BIN (or SOLD, ``removal_location``) to lower it.

**Tracking** is per product. An untracked product is its own state: ``read_levels`` gives its
variants ``NOT_TRACKED`` (not 0), and a whole-number target on it starts tracking
(``START_TRACKING``) in the same bulk request. Starting to track brings back the balances the
variants had when tracking stopped, which no read could show, so every variant of a product this
connector starts tracking ends at the sheet's target or, when the sheet does not name it, at 0:
after the request the product is read again (the bulk answer holds only the variants it moved)
and one corrective movement follows; each variant the sheet did not name gets a sentence in
``notices``. A product the merchant stopped tracking *after* the read is tracked again and only the
sheet's variants are brought to their targets (the others were not hidden from the user).

Writes are **not idempotent**: ``externalUuid`` is only a correlation id (echoed in webhooks), so
a movement sent twice is applied twice. This connector never resends a movement whose outcome is
unknown: an ``AmbiguousWriteError`` propagates to the engine, which re-reads the live balances and
sends only what is still missing. (A request that started tracking is the exception: the engine
cannot know the variants outside the sheet, so the connector re-reads that request's products
itself, by the same rule.) A **4xx** for a bulk request is treated the same way, since Zettle does
not document whether the valid part of a rejected request was applied: the balances are read
again first and only what is still missing is sent. Then

* products that the re-read shows untracked (the merchant switched tracking off after the read;
  ``PRODUCT_NOT_TRACKED``) are sent again with ``START_TRACKING`` — whether or not the violations
  name them;
* products the violations name (``productChanges[i]…``) fail with the platform's message, and the
  rest is sent again under a fresh ``externalUuid``;
* a 4xx naming no product is isolated by splitting the request in halves until each rejected
  product stands alone (as Marketplacer's 422 handling does); it fails with the ``developerMessage``.

**Auth**: a plain bearer token is sent as is. Given ``client_id``, the token is Zettle's *API key*:
it is exchanged at the OAuth token endpoint (``POST https://oauth.zettle.com/token``, the assertion
grant) for an access token that lives ``expires_in`` seconds (7,200); there is no refresh token, so
the key is exchanged again shortly before expiry, and once more when a request is answered 401
(a 401 was not applied, so the request is then sent again).

In production the product library is on ``products.izettle.com`` and inventory on
``inventory.izettle.com``; given the inventory URL the connector derives the other (the sandbox
serves both, and the token endpoint, on one address).

Split along those seams: ``zettle_auth`` (the API key's exchange), ``zettle_write`` (one chunk's
bulk requests, their answers and the tracking they start), ``zettle_api`` (error sentences and
balance rows, for reads and writes); this module holds the connector and its reads, and re-exports
their public names. May import: core, httpx, the modules above.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import httpx

from desktop_app.core import issues
from desktop_app.core.errors import InputError, PlatformError, ProtocolError
from desktop_app.core.models import NOT_TRACKED, Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import HttpClient, RetryPolicy, check_url
from desktop_app.platforms.zettle_api import SELF, balance_rows, describe_error, error_type
from desktop_app.platforms.zettle_auth import (
    JWT_BEARER, PRODUCTION_TOKEN_URL, REFRESH_MARGIN, ApiKeyAuth, token_url_for,
)
from desktop_app.platforms.zettle_write import ChunkWrite

__all__ = ["CAPABILITIES", "JWT_BEARER", "PRODUCTION_TOKEN_URL", "REFRESH_MARGIN", "REMOVAL_LOCATIONS", "ApiKeyAuth",
           "ZettleConnector", "describe_error"]

CAPABILITIES = Capabilities(
    platform="zettle",
    display_name="Zettle",
    location_noun="location",
    can_set=False,
    can_adjust=True,
    single_location=True,
    max_chunk=100,                 # products per bulk request (Zettle's own connector's batch size)
    chunk_by="product",
    rate_burst=40,                 # no limit documented for v1/v2: the sandbox's generous default
    rate_per_second=10.0,
    max_in_flight=4,
    id_format="UUID v1 (time-based), e.g. 3cc3b9f6-623b-11ec-90d6-0242ac120003",
    idempotent_writes=False,
    supports_infinite=False,
    notes=("Levels are changed by movements from SUPPLIER or to BIN/SOLD; there is no absolute set.",
           "Products whose stock is not tracked read as 'not tracked'; a level written to one starts tracking it, "
           "and its variants not in the sheet are set to 0."),
)

REMOVAL_LOCATIONS = ("BIN", "SOLD")


def _products_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname == "inventory.izettle.com":
        return url.replace("inventory.izettle.com", "products.izettle.com", 1)
    return url


class ZettleConnector:
    capabilities = CAPABILITIES

    def __init__(self, url: str, token: str, *, page_size: int = 100, transport: httpx.BaseTransport | None = None,
                 removal_location: str = "BIN", products_url: str | None = None, client_id: str | None = None,
                 token_url: str | None = None, clock: Callable[[], float] = time.monotonic,
                 retry: RetryPolicy | None = None) -> None:
        """``token`` is a bearer access token, or, with ``client_id``, an API key exchanged at
        ``token_url`` (default: ``https://oauth.zettle.com/token`` for Zettle's hosts, else
        ``{url}/token``, as the sandbox serves it)."""
        if removal_location not in REMOVAL_LOCATIONS:
            raise InputError(f"The Zettle removal location must be BIN or SOLD, not '{removal_location}'.")
        base = check_url(url)
        self._auth: ApiKeyAuth | None = None
        if client_id:
            self._auth = ApiKeyAuth(api_key=token, client_id=client_id, token_url=token_url or token_url_for(base),
                                    clock=clock, transport=transport)
            headers: dict[str, str] = {}
        else:
            headers = {"Authorization": f"Bearer {token}"}
        self._http = HttpClient(base, platform="Zettle", auth_headers=headers, describe_error=describe_error,
                                transport=transport, retry=retry)
        self.url = self._http.base_url
        products_base = (products_url or _products_url(self.url)).rstrip("/")
        self._products = self._http if products_base == self.url else HttpClient(
            products_base, platform="Zettle", auth_headers=headers, describe_error=describe_error, transport=transport,
            retry=retry)
        self.page_size = page_size
        self.removal_location = removal_location
        #: the options (never secrets) that connect to this store again: a run's resume or undo uses them
        self.reconnect = {k: v for k, v in (("client_id", client_id or ""), ("removal_location", removal_location))
                          if v and not (k == "removal_location" and v == "BIN")}
        self.external_uuids: list[str] = []        # every externalUuid sent, in order (for the journal)
        #: sentences for the user about levels this connector changed beyond the sheet's rows
        #: (variants of a product it started tracking), in order; the caller shows and clears them
        self.notices: list[str] = []
        self._location_uuids: dict[str, str] = {}  # type → uuid
        self._product_of: dict[str, str] = {}      # variant → product
        self._variants_of: dict[str, list[str]] = {}   # product → its variants, catalogue order
        self._names: dict[str, str] = {}           # variant → "'Blue' (TEE-BLU" …, product → "'Tee'"
        self._untracked: set[str] = set()          # products read as untracked

    @property
    def requests_sent(self) -> int:
        return self._http.requests_sent + (self._products.requests_sent if self._products is not self._http else 0)

    # --- HTTP ---------------------------------------------------------------------------
    def _request(self, client: HttpClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._auth is not None:
            kwargs["auth"] = self._auth
        return client.request(method, path, **kwargs)

    def _get_json(self, client: HttpClient, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(client, method, path, **kwargs)
        if response.status_code >= 400:
            raise PlatformError(f"Zettle refused {method} {path} ({response.status_code}: {describe_error(response)})",
                                status=response.status_code)
        return client.json(response)

    # --- reads --------------------------------------------------------------------------
    def _locations(self, *, refresh: bool = False) -> dict[str, str]:
        """type → uuid of the 4 system locations, fetched once (and on ``list_locations``)."""
        if refresh or not self._location_uuids:
            body = self._get_json(self._http, "GET", f"{SELF}/locations")
            try:
                self._location_uuids = {str(loc["type"]).upper(): str(loc["uuid"]) for loc in body}
            except (TypeError, KeyError) as exc:
                raise ProtocolError("Zettle answered the location list in an unknown shape.") from exc
            missing = {"STORE", "SUPPLIER", self.removal_location} - set(self._location_uuids)
            if missing:
                raise ProtocolError(f"Zettle's location list lacks the system location(s) {', '.join(sorted(missing))}.")
        return self._location_uuids

    def list_locations(self) -> list[Location]:
        """The STORE only: SUPPLIER, SOLD and BIN hold no stock the user can set."""
        return [Location(id=self._locations(refresh=True)["STORE"], name="STORE", kind="STORE", default=True)]

    def list_variants(self) -> list[Variant]:
        """Every product's variants from the product library (which returns all products at once),
        with ``extra["tracked"]`` from the STORE's list of tracked products."""
        products = self._get_json(self._products, "GET", f"{SELF}/products/v2")
        store = self._locations()["STORE"]
        tracked = set(self._get_json(self._http, "GET", f"{SELF}/inventory/locations/{store}").get("trackedProducts") or [])
        variants = []
        try:
            for p in products:
                self._note_tracking(p["uuid"], tracked=p["uuid"] in tracked)
                self._names[p["uuid"]] = f"'{p.get('name') or p['uuid']}'"
                self._variants_of[p["uuid"]] = []
                for v in p.get("variants") or []:
                    self._product_of[v["uuid"]] = p["uuid"]
                    self._variants_of[p["uuid"]].append(v["uuid"])
                    self._names[v["uuid"]] = f"'{v.get('name') or v['uuid']}' (" + (
                        f"{v['sku']}, " if v.get("sku") else "")
                    variants.append(Variant(
                        id=v["uuid"], product_id=p["uuid"], sku=v.get("sku") or None, barcode=v.get("barcode") or None,
                        title=v.get("name") or "", product=p.get("name") or "", extra={"tracked": p["uuid"] in tracked}))
        except (TypeError, KeyError) as exc:
            raise ProtocolError("Zettle answered the product library in an unknown shape.") from exc
        return variants

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        """STORE balances. Zettle omits zero balances (missing = 0) and sends them as strings; the
        variants of an untracked product read ``NOT_TRACKED`` (their old balances are hidden)."""
        store = self._locations()["STORE"]
        wanted = list(variant_ids)
        if store not in set(location_ids) or not wanted:
            return {}
        if any(v not in self._product_of for v in wanted):
            self.list_variants()
        products = list(dict.fromkeys(self._product_of[v] for v in wanted if v in self._product_of))
        tracked, rows = self._read_products(products)
        balances = {v: b for _, v, b in rows}
        return {(v, store): (balances.get(v, 0) if self._product_of[v] in tracked else NOT_TRACKED)
                for v in wanted if v in self._product_of}

    def read_cost(self, variants: int, locations: int) -> int:
        """Requests ``read_levels`` needs (``engine.verify``): one — a filtered read for up to
        ``page_size`` products, else the whole STORE in one ``GET``."""
        return 1 if variants > 0 else 0

    def _read_products(self, products: list[str]) -> tuple[set[str], list[tuple[str, str, int]]]:
        """(tracked products, [(product, variant, balance)]) for these products: one filtered read
        for up to ``page_size`` products, else one read of the whole STORE (cheaper than pages)."""
        store = self._locations()["STORE"]
        tracked: set[str] = set()
        rows: list[tuple[str, str, int]] = []
        whole = len(products) > self.page_size
        for start in range(0, len(products), len(products) if whole else self.page_size):
            page = products[start:start + (len(products) if whole else self.page_size)]
            if whole:
                response = self._request(self._http, "GET", f"{SELF}/inventory/locations/{store}")
            else:
                response = self._request(self._http, "POST", f"{SELF}/inventory/products",
                                         json={"locationType": "STORE", "productUuids": page})
            if response.status_code >= 400 and error_type(response) == "PRODUCT_NOT_TRACKED":
                # a filtered read that refuses untracked products: the whole STORE never does
                body = self._get_json(self._http, "GET", f"{SELF}/inventory/locations/{store}")
            elif response.status_code >= 400:
                raise PlatformError(f"Zettle refused to read balances ({response.status_code}: {describe_error(response)})",
                                    status=response.status_code)
            else:
                body = self._http.json(response)
            wanted = set(page)
            tracked.update(p for p in body.get("trackedProducts") or [] if p in wanted)
            for p, v, b in balance_rows(body):
                p = p or self._product_of.get(v, "")
                if p in wanted:
                    rows.append((p, v, b))
        for p in products:
            self._note_tracking(p, tracked=p in tracked)
        return tracked, rows

    # --- writes -------------------------------------------------------------------------
    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        """Bulk requests for the chunk (≤ 100 products): usually one. Outcomes come from the
        balances Zettle returns: ok iff the returned balance equals the target. Raises
        AmbiguousWriteError, unrecovered, when a write got no answer: resending could apply it twice."""
        results: dict[int, ChangeOutcome] = {}
        sendable: list[tuple[int, Change]] = []
        for i, c in enumerate(chunk.changes):
            if type(c.after) is not int or not (c.before is None or c.before == NOT_TRACKED or type(c.before) is int):
                results[i] = ChangeOutcome(c, ok=False, code=issues.UNSUPPORTED,
                                           error=f"Zettle cannot set {c.sku or c.variant_id} to {c.after!r}: "
                                                 "levels must be whole numbers.")
            else:
                sendable.append((i, c))
        if sendable:
            results.update(ChunkWrite(self, sendable).run())
        return [results[i] for i in range(len(chunk.changes))]

    def _note_tracking(self, product: str, *, tracked: bool) -> None:
        if tracked:
            self._untracked.discard(product)
        else:
            self._untracked.add(product)

    def close(self) -> None:
        self._http.close()
        if self._products is not self._http:
            self._products.close()
        if self._auth is not None:
            self._auth.close()
