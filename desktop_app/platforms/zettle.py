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
"""
from __future__ import annotations

import re
import threading
import time
import uuid
from typing import Any, Callable, Generator, Iterable
from urllib.parse import urlsplit

import httpx

from desktop_app.core import issues
from desktop_app.core.errors import (
    AmbiguousWriteError, AuthError, InputError, PlatformError, ProtocolError, StocksheetError, UnreachableError,
)
from desktop_app.core.models import NOT_TRACKED, Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import (
    HttpClient, RetryPolicy, check_url, clean_error, default_describe, direct_to_loopback,
)

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
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PRODUCTION_TOKEN_URL = "https://oauth.zettle.com/token"
REFRESH_MARGIN = 60.0              # seconds before expiry at which the API key is exchanged again
_PRODUCT_INDEX = re.compile(r"productChanges\[(\d+)\]")
_SELF = "/organizations/self"
_AMBIGUOUS_ROUNDS = 2              # re-reads after unanswered writes that started tracking, per chunk


def describe_error(response: httpx.Response) -> str:
    """``{"developerMessage","errorType","violations":[{"propertyName","developerMessage"}]}`` as one sentence."""
    try:
        body = response.json()
    except ValueError:
        return default_describe(response)
    if not isinstance(body, dict) or not isinstance(body.get("developerMessage"), str):
        return default_describe(response)
    text = body["developerMessage"].rstrip(".")
    if body.get("errorType"):
        text += f" ({body['errorType']})"
    details = [f"{v.get('propertyName', '')}: {v.get('developerMessage', '')}".strip(": ")
               for v in body.get("violations") or [] if isinstance(v, dict)]
    return text + (": " + "; ".join(details) if details else "") + "."


def _products_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname == "inventory.izettle.com":
        return url.replace("inventory.izettle.com", "products.izettle.com", 1)
    return url


def _token_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("izettle.com"):
        return PRODUCTION_TOKEN_URL
    return url.rstrip("/") + "/token"


class ApiKeyAuth(httpx.Auth):
    """Bearer access tokens exchanged from a Zettle API key at the OAuth token endpoint (the
    assertion grant), exchanged again ``REFRESH_MARGIN`` seconds before they expire on ``clock``,
    and once more when a request is answered 401 (which is then sent again: a 401 applied nothing).
    Shared by the connector's clients and threads; the key never appears in a message."""

    requires_request_body = True

    def __init__(self, *, api_key: str, client_id: str, token_url: str, clock: Callable[[], float] = time.monotonic,
                 transport: httpx.BaseTransport | None = None, timeout: float = 30.0) -> None:
        self.token_url = check_url(token_url)
        self.exchanges = 0
        self._api_key = api_key
        self._client_id = client_id
        self._clock = clock
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False,
                                    mounts=direct_to_loopback(token_url))
        self._lock = threading.Lock()
        self._access: str | None = None
        self._expires_at = 0.0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        used = self._current()
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self._renew(stale=used)}"
            yield request

    def _current(self) -> str:
        with self._lock:
            if self._access is None or self._clock() >= self._expires_at - REFRESH_MARGIN:
                self._exchange()
            assert self._access is not None
            return self._access

    def _renew(self, *, stale: str) -> str:
        with self._lock:
            if self._access == stale:        # another thread may have exchanged it already
                self._exchange()
            assert self._access is not None
            return self._access

    def _exchange(self) -> None:
        form = {"grant_type": JWT_BEARER, "client_id": self._client_id, "assertion": self._api_key}
        started = self._clock()
        try:
            response = clean_error(self._client.post(self.token_url, data=form, headers={"Accept": "application/json"}))
        except httpx.HTTPError as exc:
            raise UnreachableError(f"Cannot reach Zettle's sign-in service at {self.token_url} "
                                   f"({type(exc).__name__}). Check your network and try again.") from exc
        self.exchanges += 1
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in (400, 401, 403):
            error = body.get("error") if isinstance(body, dict) else None
            detail = body.get("error_description") if isinstance(body, dict) else None
            reason = ": ".join(str(x) for x in (error, detail) if x) or f"HTTP {response.status_code}"
            raise AuthError(f"Zettle refused the API key ({reason}). Check the API key and the client id "
                            "in the connection settings or STOCKSHEET_TOKEN.", status=response.status_code)
        if response.status_code >= 400:
            raise PlatformError(f"Zettle's sign-in service failed ({response.status_code}: "
                                f"{default_describe(response)}). Try again in a minute.", status=response.status_code)
        try:
            access = body["access_token"]
            lifetime = float(body.get("expires_in", 7200))
            if not isinstance(access, str) or not access:
                raise ValueError("access_token")
        except (TypeError, KeyError, ValueError) as exc:
            raise ProtocolError("Zettle's sign-in service answered without an access token.") from exc
        self._access, self._expires_at = access, started + lifetime

    def close(self) -> None:
        self._client.close()


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
            self._auth = ApiKeyAuth(api_key=token, client_id=client_id, token_url=token_url or _token_url(base),
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
            body = self._get_json(self._http, "GET", f"{_SELF}/locations")
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
        products = self._get_json(self._products, "GET", f"{_SELF}/products/v2")
        store = self._locations()["STORE"]
        tracked = set(self._get_json(self._http, "GET", f"{_SELF}/inventory/locations/{store}").get("trackedProducts") or [])
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
                response = self._request(self._http, "GET", f"{_SELF}/inventory/locations/{store}")
            else:
                response = self._request(self._http, "POST", f"{_SELF}/inventory/products",
                                         json={"locationType": "STORE", "productUuids": page})
            if response.status_code >= 400 and _error_type(response) == "PRODUCT_NOT_TRACKED":
                # a filtered read that refuses untracked products: the whole STORE never does
                body = self._get_json(self._http, "GET", f"{_SELF}/inventory/locations/{store}")
            elif response.status_code >= 400:
                raise PlatformError(f"Zettle refused to read balances ({response.status_code}: {describe_error(response)})",
                                    status=response.status_code)
            else:
                body = self._http.json(response)
            wanted = set(page)
            tracked.update(p for p in body.get("trackedProducts") or [] if p in wanted)
            for p, v, b in _balance_rows(body):
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
            results.update(_ChunkWrite(self, sendable).run())
        return [results[i] for i in range(len(chunk.changes))]

    def _note_tracking(self, product: str, *, tracked: bool) -> None:
        if tracked:
            self._untracked.discard(product)
        else:
            self._untracked.add(product)

    def _post_bulk(self, product_changes: list[dict[str, Any]]) -> httpx.Response:
        external = str(uuid.uuid1())
        self.external_uuids.append(external)
        body = {"returnBalanceForLocationUuid": self._locations()["STORE"], "externalUuid": external,
                "productChanges": product_changes}
        return self._request(self._http, "POST", f"{_SELF}/v2/inventory/bulk", json=body, write=True)

    def _movement(self, variant: str, delta: int) -> dict[str, Any]:
        loc = self._locations()
        src, dst = (loc["SUPPLIER"], loc["STORE"]) if delta > 0 else (loc["STORE"], loc[self.removal_location])
        return {"variantUuid": variant, "fromLocationUuid": src, "toLocationUuid": dst, "change": abs(delta)}

    def close(self) -> None:
        self._http.close()
        if self._products is not self._http:
            self._products.close()
        if self._auth is not None:
            self._auth.close()


class _ChunkWrite:
    """One chunk's write: the bulk request, what a 4xx or a re-read says, and the settling of the
    products whose tracking it started. Knows, per variant, the last balance an answer or a read
    gave (``live``; absent = unknown or hidden) and, per product, whether it is tracked."""

    def __init__(self, connector: ZettleConnector, items: list[tuple[int, Change]]) -> None:
        self.z = connector
        self.items = items
        self.target = {c.variant_id: c.after for _, c in items}
        self.product_of = {c.variant_id: c.product_id for _, c in items}
        self.products = list(dict.fromkeys(c.product_id for _, c in items))
        fresh = {c.product_id for _, c in items if c.before == NOT_TRACKED}
        self.fresh = [p for p in self.products if p in fresh]        # untracked when read: hidden balances
        # tracked when the sheet was compared, untracked since (the merchant): tracked again
        self.restarted = [p for p in self.products if p in connector._untracked and p not in fresh]
        self.tracked = {p: p not in fresh and p not in self.restarted for p in self.products}
        self.started: set[str] = set()      # products whose tracking this chunk started
        self.live: dict[str, int] = {c.variant_id: c.before if type(c.before) is int else 0
                                     for _, c in items if self.tracked[c.product_id]}
        #: a restarted product's balances when last visible (what tracking will bring back)
        self.last_seen: dict[str, int] = {c.variant_id: c.before for _, c in items
                                          if c.product_id in self.restarted and type(c.before) is int}
        self.failed: dict[str, str] = {}     # product → the platform's message
        self.ambiguous_rounds = 0

    # ---- the run --------------------------------------------------------------------------
    def run(self) -> dict[int, ChangeOutcome]:
        try:
            self._send(self.products, dict(self.target))
            self._settle_tracking()
        finally:
            for p in self.products:
                self.z._note_tracking(p, tracked=self.tracked[p])
        out: dict[int, ChangeOutcome] = {}
        for i, c in self.items:
            level = self.live.get(c.variant_id)
            who = c.sku or c.variant_id
            if c.product_id in self.failed:
                out[i] = ChangeOutcome(c, ok=False, level_after=level, code=issues.PLATFORM_REJECTED,
                                       error=f"Zettle rejected the change to {who}: {self.failed[c.product_id]}")
            elif level == c.after:
                out[i] = ChangeOutcome(c, ok=True, level_after=level)
            elif level is None:
                out[i] = ChangeOutcome(c, ok=False, code=issues.PLATFORM_REJECTED,
                                       error=f"Zettle accepted the change to {who} but did not report its new "
                                             "balance. Check it in Zettle before importing again.")
            else:
                out[i] = ChangeOutcome(c, ok=False, level_after=level, code=issues.PLATFORM_REJECTED,
                                       error=f"Zettle reports {level} for {who} after the change, not {c.after}: "
                                             "the level moved while importing (a sale?). Export the stock again "
                                             "and re-import.")
        return out

    def _send(self, products: list[str], wanted: dict[str, int]) -> None:
        """Bring ``wanted`` (variant → level) of ``products`` about, in one request if Zettle accepts it."""
        products = [p for p in products if p not in self.failed]
        members = set(products)
        moves = {v: t - self.live.get(v, self.last_seen.get(v, 0)) for v, t in wanted.items()
                 if self._product(v) in members}
        start = [p for p in products if not self.tracked[p]]
        body_products = [p for p in products if p in start or any(d for v, d in moves.items() if self._product(v) == p)]
        if not body_products:
            return
        changes = [{"productUuid": p, "trackingStatusChange": "START_TRACKING" if p in start else "NO_CHANGE",
                    "variantChanges": [self.z._movement(v, d) for v, d in moves.items() if d and self._product(v) == p]}
                   for p in body_products]
        sent = {v for v, d in moves.items() if d}
        try:
            response = self.z._post_bulk(changes)
        except AmbiguousWriteError:
            # A request on a product whose tracking this chunk (maybe) started touches variants the
            # engine does not know of: only this connector's re-read can tell what landed.
            own = [p for p in body_products if p in self.fresh and (p in start or p in self.started)]
            if not own or self.ambiguous_rounds >= _AMBIGUOUS_ROUNDS:
                self._warn_unsettled(own)
                raise
            self.ambiguous_rounds += 1
            try:
                self._reread(body_products, started=start)
            except StocksheetError:
                self._warn_unsettled(own)
                raise
            self._send(products, wanted)
            return
        if response.status_code < 400:
            for v in sent:
                self.live.pop(v, None)      # known again only from the answer
            for p in start:
                self.tracked[p] = True
                self.started.add(p)
            self.live.update({v: b for _, v, b in _balance_rows(self.z._http.json(response))})
            return
        message = describe_error(response)
        untracked = self._reread(body_products, started=start)
        if untracked:                       # tracking switched off since the read: track it again
            self._send(products, wanted)
            return
        named = _named_products(response, body_products)
        if named:
            self.failed.update({p: message for p in named})
            self._send([p for p in products if p not in named], wanted)
        elif len(body_products) > 1:        # no product named: isolate the rejected ones by halves
            half = len(body_products) // 2
            self._send(body_products[:half], wanted)
            self._send(body_products[half:], wanted)
        else:
            self.failed[body_products[0]] = message

    def _reread(self, products: list[str], *, started: list[str]) -> list[str]:
        """Read the products again after a 4xx or an unanswered write: their balances, and whether
        they are tracked. Returns those found untracked although tracked when read (each once)."""
        tracked, rows = self.z._read_products(products)
        untracked = []
        for p in products:
            now = p in tracked
            if now and not self.tracked[p] and p in started:
                self.started.add(p)                     # our START_TRACKING landed
            if not now and self.tracked[p]:
                if p in self.restarted:                 # switched off again: do not loop
                    self.failed[p] = "Zettle stopped tracking this product again while it was being written."
                else:
                    self.restarted.append(p)
                    untracked.append(p)
                    for v in self._variants(p):
                        if v in self.live:
                            self.last_seen[v] = self.live[v]
            self.tracked[p] = now
            for v in self._variants(p):
                self.live.pop(v, None)
        for p, v, b in rows:
            self.product_of.setdefault(v, p)
            self.live[v] = b
        for p in products:
            if self.tracked[p]:
                for v in self._variants(p):
                    self.live.setdefault(v, 0)          # missing from a read = 0
        return untracked

    def _settle_tracking(self) -> None:
        """Every variant of a product this chunk started tracking ends at the sheet's target or,
        for a product that was untracked when read, at 0 if the sheet does not name it."""
        settling = [p for p in self.products if p in self.started and p not in self.failed]
        unsettled = [p for p in self.products if p in self.started and p in self.failed]
        self._warn_unsettled(unsettled)
        if not settling:
            return
        fresh = [p for p in settling if p in self.fresh]
        if any(v not in self.live for p in fresh for v in self._variants(p)) or \
                any(v not in self.live for v in self.target if self._product(v) in settling):
            self._reread(settling, started=[])
        others = {v: 0 for p in fresh for v in self._variants(p) if v not in self.target}
        revealed = {v: self.live.get(v, 0) for v in others}
        wanted = {**{v: t for v, t in self.target.items() if self._product(v) in settling}, **others}
        self._send(settling, wanted)
        for v, hidden in revealed.items():
            self._tell_zeroed(v, hidden=hidden, now=self.live.get(v))
        for p in self.restarted:
            if p in settling:
                rest = any(v not in self.target for v in self._variants(p))
                self.z.notices.append(f"Zettle had stopped tracking {self._name(p)} during the import; Stocksheet "
                                      "started tracking it again" + (
                                          ", and its variants not in the sheet kept their levels." if rest else "."))

    # ---- helpers -------------------------------------------------------------------------
    def _product(self, variant: str) -> str:
        return self.product_of.get(variant) or self.z._product_of.get(variant, "")

    def _variants(self, product: str) -> list[str]:
        known = self.z._variants_of.get(product, [])
        extra = [v for v, p in self.product_of.items() if p == product and v not in known]
        return known + extra

    def _name(self, product: str) -> str:
        return self.z._names.get(product, product)

    def _tell_zeroed(self, variant: str, *, hidden: int, now: int | None) -> None:
        product = self._product(variant)
        who = f"Zettle started tracking {self._name(product)}: its variant " + \
              self.z._names.get(variant, f"{variant} (") + "not in the sheet)"
        if now == 0:
            self.z.notices.append(who + (f" came back with an old hidden balance of {hidden} and was set to 0."
                                         if hidden else " is now tracked at 0."))
        else:
            why = self.failed.get(product) or (f"Zettle reports {now}" if now is not None else "no balance was reported")
            self.z.notices.append(who + f" came back with an old hidden balance of {hidden} and could not be set to 0 "
                                        f"({why.rstrip('.')}). Set it in Zettle.")

    def _warn_unsettled(self, products: list[str]) -> None:
        for p in products:
            if p in self.fresh:
                self.z.notices.append(f"Stocksheet started tracking {self._name(p)} in Zettle but could not confirm "
                                      "its variants' levels: those not in the sheet may show old hidden balances. "
                                      "Check them in Zettle.")


def _error_type(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("errorType", "")) if isinstance(body, dict) else ""


def _named_products(response: httpx.Response, products: list[str]) -> set[str]:
    """Products a 4xx's violations point at (``productChanges[i]…``)."""
    try:
        violations = response.json().get("violations") or []
    except (ValueError, AttributeError):
        return set()
    named = set()
    for v in violations:
        m = _PRODUCT_INDEX.match(str(v.get("propertyName", ""))) if isinstance(v, dict) else None
        if m and int(m.group(1)) < len(products):
            named.add(products[int(m.group(1))])
    return named


def _balance_rows(body: Any) -> list[tuple[str, str, int]]:
    """(product, variant, balance) from a read (strings) or a write (numbers) answer."""
    out: list[tuple[str, str, int]] = []
    try:
        for row in body.get("variants") or []:
            value = row["balance"]
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ValueError(value)
            out.append((str(row.get("productUuid") or ""), str(row["variantUuid"]), int(value)))
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise ProtocolError("Zettle answered with balances in an unknown shape.") from exc
    return out
