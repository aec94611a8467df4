"""The HTTP seam every connector uses: one httpx.Client, the platform's auth header, and the
mapping of transport failures and error statuses to ``core.errors`` with sentences a user reads.

Connectors give it a ``describe_error(response) -> str`` that extracts the platform's own
message (``{"error": …}``, ``{"developerMessage": …}``, JSON:API ``errors``, ``{"code","message"}``).
Rate limiting, retries and backoff are layered here by the engine's submitter (issue 4 grows
``RequestPolicy``); the client itself stays a thin, testable wrapper (``transport=`` accepts
``httpx.MockTransport`` for narrow edge cases).
"""
from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from desktop_app.core.errors import (
    AmbiguousWriteError, AuthError, InputError, PlatformError, ProtocolError, RateLimitedError, UnreachableError,
)

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def check_url(url: str) -> str:
    """HTTPS is required except for loopback (the sandbox). Returns the URL without a trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"'{url}' is not a store URL. Give the full address, e.g. https://myshop.example.com.")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InputError(
            f"'{url}' uses plain http. Stocksheet only sends your access token over https "
            f"(plain http is allowed for 127.0.0.1/localhost only). Use https://{parts.netloc}{parts.path}.")
    return url.rstrip("/")


def default_describe(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("error", "message", "developerMessage", "error_description"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
    return str(body)[:200]


class HttpClient:
    def __init__(
        self,
        base_url: str,
        *,
        platform: str,
        auth_headers: dict[str, str],
        describe_error: Callable[[httpx.Response], str] = default_describe,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = check_url(base_url)
        self.platform = platform
        self.describe_error = describe_error
        self.requests_sent = 0
        self._client = httpx.Client(
            base_url=self.base_url, headers={"Accept": "application/json", **auth_headers},
            timeout=timeout, transport=transport, follow_redirects=False)

    def request(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> httpx.Response:
        """Send one request. Raises AuthError (401/403), RateLimitedError (429), UnreachableError,
        AmbiguousWriteError (a write that may have been applied, no answer), PlatformError (5xx).
        Other 4xx are returned to the caller, which knows whether they name a row's problem."""
        self.requests_sent += 1
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            raise UnreachableError(f"Cannot reach the {self.platform} store at {self.base_url}: {exc}. "
                                   "Check the address and your network.") from exc
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            if write:
                raise AmbiguousWriteError(f"The {self.platform} store did not answer a write ({method} {path}); "
                                          "it may or may not have been applied.") from exc
            raise UnreachableError(f"The {self.platform} store at {self.base_url} did not answer ({type(exc).__name__}).") from exc
        status = response.status_code
        if status in (401, 403):
            raise AuthError(f"The {self.platform} store refused the access token ({status}: {self.describe_error(response)}). "
                            "Check the token in the connection settings or STOCKSHEET_TOKEN.", status=status)
        if status == 429:
            raise RateLimitedError(f"The {self.platform} store is rate-limiting requests (429).",
                                   retry_after=_retry_after(response))
        if status >= 500:
            raise PlatformError(f"The {self.platform} store had an internal error ({status}: {self.describe_error(response)}).",
                                status=status)
        return response

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProtocolError(f"The {self.platform} store answered {response.request.method} {response.request.url.path} "
                                f"with something that is not JSON.") from exc

    def close(self) -> None:
        self._client.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None
