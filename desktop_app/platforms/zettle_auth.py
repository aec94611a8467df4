"""Zettle's sign-in: a Zettle API key exchanged at the OAuth token endpoint for bearer access
tokens (the assertion grant), used and renewed by ``ZettleConnector`` (see ``platforms.zettle``).
May import: core, httpx, ``platforms.http``."""
from __future__ import annotations

import threading
import time
from typing import Callable, Generator
from urllib.parse import urlsplit

import httpx

from desktop_app.core.errors import AuthError, PlatformError, ProtocolError, UnreachableError
from desktop_app.platforms.http import check_url, clean_error, default_describe, direct_to_loopback, json_body

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PRODUCTION_TOKEN_URL = "https://oauth.zettle.com/token"
REFRESH_MARGIN = 60.0              # seconds before expiry at which the API key is exchanged again


def token_url_for(url: str) -> str:
    """The token endpoint for a store URL: Zettle's own for its hosts, else ``{url}/token`` (the sandbox)."""
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
        body = json_body(response)
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
