"""Zettle (PayPal/iZettle) connector: product library v2 + inventory v1/v2.

Zettle has no absolute "set": stock moves between the organisation's 4 system locations. The
real stock lives in STORE; SUPPLIER is an infinite source, SOLD and BIN are sinks. So a target
level becomes a movement computed from the live balance: SUPPLIER→STORE to raise it,
STORE→BIN (or SOLD, ``removal_location``) to lower it. Tracking is per product; an untracked
product reads as 0 and is tracked (``START_TRACKING``) in the same bulk request that sets it.

Writes are **not idempotent**: ``externalUuid`` is only a correlation id (echoed in webhooks), so
a movement sent twice is applied twice. This connector therefore never resends a movement whose
outcome is unknown: an ``AmbiguousWriteError`` from the HTTP client propagates to the engine,
which must re-read live balances before deciding anything. Two follow-up requests are made, both
only after a definite answer:

* a 4xx for a bulk request means nothing was applied (the request is validated as a whole, as
  the sandbox does; Zettle documents nothing else). If its violations name product changes
  (``productChanges[i]…``), those products' changes fail with the platform's message and the rest
  is sent again under a fresh ``externalUuid``; products named by ``PRODUCT_NOT_TRACKED`` (the
  merchant switched tracking off after the read) are resent with ``START_TRACKING`` instead. A 4xx
  naming no product fails the whole chunk with the platform's ``developerMessage``;
* re-tracking a product brings back the balance it had when tracking stopped, which no read could
  show; when a product tracked by this request comes back at a balance other than the target,
  one corrective movement brings it to the target.

In production the product library is on ``products.izettle.com`` and inventory on
``inventory.izettle.com``; given the inventory URL the connector derives the other (the sandbox
serves both on one address).
"""
from __future__ import annotations

import re
import uuid
from typing import Any, Iterable
from urllib.parse import urlsplit

import httpx

from desktop_app.core import issues
from desktop_app.core.errors import InputError, PlatformError, ProtocolError
from desktop_app.core.models import Capabilities, Change, Chunk, Level, Location, Variant
from desktop_app.platforms.base import ChangeOutcome
from desktop_app.platforms.http import HttpClient, default_describe

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
           "Products whose stock is not tracked read as 0 and start being tracked when written."),
)

REMOVAL_LOCATIONS = ("BIN", "SOLD")
_PRODUCT_INDEX = re.compile(r"productChanges\[(\d+)\]")
_SELF = "/organizations/self"


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


class ZettleConnector:
    capabilities = CAPABILITIES

    def __init__(self, url: str, token: str, *, page_size: int = 100, transport: httpx.BaseTransport | None = None,
                 removal_location: str = "BIN", products_url: str | None = None) -> None:
        if removal_location not in REMOVAL_LOCATIONS:
            raise InputError(f"The Zettle removal location must be BIN or SOLD, not '{removal_location}'.")
        auth = {"Authorization": f"Bearer {token}"}
        self._http = HttpClient(url, platform="Zettle", auth_headers=auth, describe_error=describe_error, transport=transport)
        self.url = self._http.base_url
        products_base = (products_url or _products_url(self.url)).rstrip("/")
        self._products = self._http if products_base == self.url else HttpClient(
            products_base, platform="Zettle", auth_headers=auth, describe_error=describe_error, transport=transport)
        self.page_size = page_size
        self.removal_location = removal_location
        self.external_uuids: list[str] = []        # every externalUuid sent, in order (for the journal)
        self._location_uuids: dict[str, str] = {}  # type → uuid
        self._product_of: dict[str, str] = {}      # variant → product
        self._untracked: set[str] = set()          # products read as untracked

    @property
    def requests_sent(self) -> int:
        return self._http.requests_sent + (self._products.requests_sent if self._products is not self._http else 0)

    # --- reads --------------------------------------------------------------------------
    def _get_json(self, client: HttpClient, method: str, path: str, **kwargs: Any) -> Any:
        response = client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise PlatformError(f"Zettle refused {method} {path} ({response.status_code}: {describe_error(response)})",
                                status=response.status_code)
        return client.json(response)

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
                for v in p.get("variants") or []:
                    self._product_of[v["uuid"]] = p["uuid"]
                    variants.append(Variant(
                        id=v["uuid"], product_id=p["uuid"], sku=v.get("sku") or None, barcode=v.get("barcode") or None,
                        title=v.get("name") or "", product=p.get("name") or "", extra={"tracked": p["uuid"] in tracked}))
        except (TypeError, KeyError) as exc:
            raise ProtocolError("Zettle answered the product library in an unknown shape.") from exc
        return variants

    def read_levels(self, variant_ids: Iterable[str], location_ids: Iterable[str]) -> dict[tuple[str, str], Level]:
        """STORE balances. Zettle omits zero balances (missing = 0) and sends them as strings;
        an untracked product reads as 0 and is remembered as needing ``START_TRACKING``."""
        store = self._locations()["STORE"]
        wanted = list(variant_ids)
        if store not in set(location_ids) or not wanted:
            return {}
        if any(v not in self._product_of for v in wanted):
            self.list_variants()
        products = list(dict.fromkeys(self._product_of[v] for v in wanted if v in self._product_of))
        tracked: set[str] = set()
        balances: dict[str, int] = {}
        for start in range(0, len(products), self.page_size):
            page = products[start:start + self.page_size]
            response = self._http.request("POST", f"{_SELF}/inventory/products",
                                          json={"locationType": "STORE", "productUuids": page})
            if response.status_code >= 400 and _error_type(response) == "PRODUCT_NOT_TRACKED":
                # a filtered read that refuses untracked products: the whole STORE never does
                body = self._get_json(self._http, "GET", f"{_SELF}/inventory/locations/{store}")
            elif response.status_code >= 400:
                raise PlatformError(f"Zettle refused to read balances ({response.status_code}: {describe_error(response)})",
                                    status=response.status_code)
            else:
                body = self._http.json(response)
            tracked.update(body.get("trackedProducts") or [])
            balances.update(_balances(body))
        for p in products:
            self._note_tracking(p, tracked=p in tracked)
        return {(v, store): (balances.get(v, 0) if self._product_of.get(v) in tracked else 0)
                for v in wanted if v in self._product_of}

    # --- writes -------------------------------------------------------------------------
    def apply(self, chunk: Chunk) -> list[ChangeOutcome]:
        """One bulk request for the chunk (≤ 100 products). Outcomes come from the balances Zettle
        returns: ok iff the returned balance equals the target. Raises AmbiguousWriteError,
        unrecovered, when a write got no answer: resending could apply it twice."""
        results: dict[int, ChangeOutcome] = {}
        sendable: list[Change] = []
        for i, c in enumerate(chunk.changes):
            if not isinstance(c.after, int) or not isinstance(c.before, (int, type(None))):
                results[i] = ChangeOutcome(c, ok=False, code=issues.UNSUPPORTED,
                                           error=f"Zettle cannot set {c.sku or c.variant_id} to {c.after!r}: "
                                                 "levels must be whole numbers.")
            else:
                sendable.append(c)
        index = {id(c): i for i, c in enumerate(chunk.changes)}
        started = {c.product_id for c in sendable if self._needs_tracking(c)}
        returned = self._send(sendable, deltas={id(c): c.after - (c.before or 0) for c in sendable},
                              start=started, results=results, index=index)
        fixes = [c for c in sendable if index[id(c)] not in results and c.product_id in started
                 and c.variant_id in returned and returned[c.variant_id] != c.after]
        if fixes:  # hidden balances re-appeared with tracking: one correction, the first answer was definite
            returned.update(self._send(fixes, deltas={id(c): c.after - returned[c.variant_id] for c in fixes},
                                       start=set(), results=results, index=index))
        for c in sendable:
            i = index[id(c)]
            if i in results:
                continue
            level = returned.get(c.variant_id, c.before if c.after == c.before else None)
            if level == c.after:
                results[i] = ChangeOutcome(c, ok=True, level_after=level)
            elif level is None:
                results[i] = ChangeOutcome(c, ok=False, code=issues.PLATFORM_REJECTED,
                                           error=f"Zettle accepted the change to {c.sku or c.variant_id} but did not "
                                                 "report its new balance. Check it in Zettle before importing again.")
            else:
                results[i] = ChangeOutcome(c, ok=False, level_after=level, code=issues.PLATFORM_REJECTED,
                                           error=f"Zettle reports {level} for {c.sku or c.variant_id} after the change, "
                                                 f"not {c.after}: the level moved while importing (a sale?). "
                                                 "Export the stock again and re-import.")
        for c in sendable:
            if results[index[id(c)]].ok:
                self._untracked.discard(c.product_id)
        return [results[i] for i in range(len(chunk.changes))]

    def _note_tracking(self, product: str, *, tracked: bool) -> None:
        if tracked:
            self._untracked.discard(product)
        else:
            self._untracked.add(product)

    def _needs_tracking(self, c: Change) -> bool:
        if c.product_id in self._untracked:
            return True
        return c.variant is not None and c.variant.extra.get("tracked") is False

    def _send(self, changes: list[Change], *, deltas: dict[int, int], start: set[str],
              results: dict[int, ChangeOutcome], index: dict[int, int]) -> dict[str, int]:
        """POST bulk requests until one is accepted or nothing is left; returns variant → balance.
        A 4xx answer applied nothing: products its violations name fail (or, if they are merely
        untracked, are added to ``start``), and the rest is sent again."""
        locations = self._locations()
        pending = [c for c in changes if deltas[id(c)] != 0 or c.product_id in start]
        while pending:
            products = list(dict.fromkeys(c.product_id for c in pending))
            external = str(uuid.uuid1())
            body = {"returnBalanceForLocationUuid": locations["STORE"], "externalUuid": external, "productChanges": [
                {"productUuid": p, "trackingStatusChange": "START_TRACKING" if p in start else "NO_CHANGE",
                 "variantChanges": [self._movement(c, deltas[id(c)]) for c in pending
                                    if c.product_id == p and deltas[id(c)] != 0]}
                for p in products]}
            self.external_uuids.append(external)
            response = self._http.request("POST", f"{_SELF}/v2/inventory/bulk", json=body, write=True)
            if response.status_code < 400:
                return _balances(self._http.json(response))
            message = describe_error(response)
            named = _named_products(response, products)
            if _error_type(response) == "PRODUCT_NOT_TRACKED" and named - start:
                start.update(named)  # tracking stopped since the read: nothing was applied, so track and resend
                continue
            rejected = named or set(products)
            for c in pending:
                if c.product_id in rejected:
                    results[index[id(c)]] = ChangeOutcome(
                        c, ok=False, code=issues.PLATFORM_REJECTED,
                        error=f"Zettle rejected the change to {c.sku or c.variant_id}: {message}")
            pending = [c for c in pending if c.product_id not in rejected]
        return {}

    def _movement(self, c: Change, delta: int) -> dict[str, Any]:
        loc = self._locations()
        src, dst = (loc["SUPPLIER"], loc["STORE"]) if delta > 0 else (loc["STORE"], loc[self.removal_location])
        return {"variantUuid": c.variant_id, "fromLocationUuid": src, "toLocationUuid": dst, "change": abs(delta)}

    def close(self) -> None:
        self._http.close()
        if self._products is not self._http:
            self._products.close()


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


def _balances(body: Any) -> dict[str, int]:
    """variant → balance from a read (strings) or a write (numbers) answer."""
    out: dict[str, int] = {}
    try:
        for row in body.get("variants") or []:
            value = row["balance"]
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ValueError(value)
            out[str(row["variantUuid"])] = int(value)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise ProtocolError("Zettle answered with balances in an unknown shape.") from exc
    return out
