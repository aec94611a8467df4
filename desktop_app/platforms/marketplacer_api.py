"""Marketplacer's JSON:API on the shared ``HttpClient``: error answers as sentences (an HTTP Basic
challenge as what to do), paged collections with the page-size fallback, the ``data`` member, and
the values a variant or inventory record carries (``platforms.marketplacer``'s docstring has the
rules). May import: core, httpx, ``platforms.http``."""
from __future__ import annotations

from typing import Any, Iterable

import httpx

from desktop_app.core.errors import AuthError, ProtocolError
from desktop_app.core.models import INFINITE, Level
from desktop_app.platforms.http import HttpClient, default_describe, json_body, on_origin

API = "/api/v2/client"
JSONAPI = "application/vnd.api+json"
OWN_STOCK = "self"
SELLER_PREFIX = "seller:"
#: Page sizes tried, largest first, when a store refuses the one asked for (docs: 1100, 500, 100).
PAGE_SIZES = (500, 100, 50)

_BASIC_CHALLENGE = "an HTTP Basic challenge"


class JsonApiClient(HttpClient):
    """``HttpClient`` for the JSON:API: paged collections (at ``page_size``, learnt from the store),
    the ``data`` member, and a refusal by a web server's HTTP Basic challenge that says so, and what
    to do."""

    def __init__(self, base_url: str, *, page_size: int = PAGE_SIZES[0], **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.page_size = page_size

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return super().request(method, path, **kwargs)
        except AuthError as exc:
            if _BASIC_CHALLENGE not in str(exc):
                raise
            raise AuthError(f"The Marketplacer site at {self.base_url} is behind HTTP Basic auth and refused the user "
                            "name and password sent (401): enter the site's Basic user and password in the connection "
                            "dialog, or use --basic-user with STOCKSHEET_BASIC_PASSWORD on the command line.",
                            status=exc.status) from exc

    def collection(self, path: str, params: dict[str, str] | None = None) -> Iterable[dict[str, Any]]:
        """Every item of a paged JSON:API collection, following ``links.next`` on our own origin.
        A first page refused (400/422) at our page size is asked again at the next smaller one."""
        url: str | None = path
        size = self.page_size
        query: dict[str, Any] | None = {**(params or {}), "page[number]": 1, "page[size]": size}
        pages = 0
        while url:
            response = self.request("GET", url, params=query, headers={"Accept": JSONAPI})
            if pages == 0 and response.status_code in (400, 422) and (smaller := _smaller(size)) is not None:
                size = smaller
                query = {**(params or {}), "page[number]": 1, "page[size]": size}
                continue
            if response.status_code != 200:
                tried = f" even with a page size of {size}" if size != self.page_size or size <= PAGE_SIZES[-1] else ""
                raise ProtocolError(f"Marketplacer refused to list {path}{tried} ({response.status_code}: "
                                    f"{self.describe_error(response).rstrip('.')}).", status=response.status_code)
            if pages == 0 and size != self.page_size:
                self.page_size = size           # the size this store accepts, for every later listing
            body = self.json(response)
            data = self.data(response, body)
            link = (body.get("links") or {}).get("next")
            if pages == 0 and link and isinstance(data, list) and 0 < len(data) < size:
                self.page_size = len(data)      # the store cut the page to its maximum (read_cost)
            yield from data
            pages += 1
            if not link or pages > 100_000:
                return
            url, query = on_origin(self.base_url, link), None

    def data(self, response: httpx.Response, body: Any = None) -> Any:
        body = self.json(response) if body is None else body
        if not isinstance(body, dict) or "data" not in body:
            raise ProtocolError(f"Marketplacer answered {response.request.method} {response.request.url.path} "
                                "without a JSON:API 'data' member.")
        return body["data"]


def describe_error(response: httpx.Response) -> str:
    """The JSON:API ``errors`` details as one sentence-ish string; ``{"error": …}`` as usual; an
    empty or HTML body as its status phrase; a web server's HTTP Basic challenge as what to do."""
    if response.status_code == 401 and response.headers.get("WWW-Authenticate", "").lower().startswith("basic"):
        return _BASIC_CHALLENGE
    if not response.content.strip() or "html" in response.headers.get("Content-Type", "").lower():
        return response.reason_phrase or f"HTTP {response.status_code}"
    body = json_body(response)
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        parts = []
        for err in body["errors"]:
            if isinstance(err, dict):
                text = err.get("detail") or err.get("title")
                if text:
                    parts.append(str(text).rstrip("."))
        if parts:
            return "; ".join(parts) + "."
    return default_describe(response)


def _smaller(size: int) -> int | None:
    """The next page size to try after ``size`` was refused (500 → 100 → 50), or None."""
    return next((s for s in PAGE_SIZES if s < size), None)


def whole(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def inventory_level(attrs: dict[str, Any]) -> Level:
    if attrs.get("infinite"):
        return INFINITE
    return whole(attrs.get("count_on_hand"))
