"""The HTTP seam every connector uses: one httpx.Client, the platform's auth header, and the
mapping of transport failures and error statuses to ``core.errors`` with sentences a user reads.

Connectors give it a ``describe_error(response) -> str`` that extracts the platform's own
message (``{"error": …}``, ``{"developerMessage": …}``, JSON:API ``errors``, ``{"code","message"}``).
The client waits out a 429 itself, a bounded number of times (``RetryPolicy``): ``Retry-After``
when the platform sends it, else capped exponential backoff with jitter. Reads also retry a few
times on 5xx and on a connection reset; writes never retry anything but a 429 (a 429 was not
applied; anything else may have been). Waits go through ``CancelToken.wait`` so a cancel ends
them at once and tests inject a token that records instead of sleeping. The engine's own rate
limiter keeps 429s rare; this is the safety net. ``transport=`` accepts ``httpx.MockTransport``
for narrow edge cases.
"""
from __future__ import annotations

import json
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol
from urllib.parse import urlsplit

import httpx

from desktop_app.core.errors import (
    AmbiguousWriteError, AuthError, CancelledError, InputError, PlatformError, ProtocolError, RateLimitedError,
    UnreachableError,
)
from desktop_app.core.progress import CancelToken

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


class RequestGate(Protocol):
    """The engine's hold on every request its submitter makes (``engine.retry.Gate``): the rate
    limiter before each send, 429 feedback after it, the backoff and the cancel token. Installed
    per thread through ``REQUEST_GATE`` so no connector has to pass it along."""

    cancel: CancelToken
    transient_retries: int                                       # for reads: 5xx, resets (safe to repeat)

    def before_send(self, *, write: bool) -> None: ...          # waits for the limiter; may raise CancelledError

    def after_response(self, status: int, retry_after: float | None) -> None: ...

    def backoff(self, attempt: int, retry_after: float | None) -> float: ...


REQUEST_GATE: ContextVar[RequestGate | None] = ContextVar("stocksheet_request_gate", default=None)

#: (monotonic deadline, seconds) for every request made in this context: the connection test's
#: "give up within 5 s" on a refused or silent address, whatever the connector
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("stocksheet_request_deadline", default=None)


@contextmanager
def answering_within(seconds: float) -> Iterator[None]:
    """Requests made inside give up (UnreachableError) once ``seconds`` have passed in all."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


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


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long the client waits before giving up."""

    rate_limit_retries: int = 6        # 429s waited out per request (reads and writes)
    transient_retries: int = 2         # 5xx / connection reset, reads only
    base_delay: float = 0.5            # first backoff, doubled per attempt ...
    max_delay: float = 8.0             # ... up to this
    max_retry_after: float = 60.0      # a larger Retry-After is clipped to this
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, attempt: int) -> float:
        """Equal jitter: half the capped exponential delay, plus a random share of the other half."""
        delay = min(self.max_delay, self.base_delay * 2 ** attempt)
        return delay / 2 + self.jitter() * delay / 2


NO_RETRY = RetryPolicy(rate_limit_retries=0, transient_retries=0)


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
        retry: RetryPolicy | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self.base_url = check_url(base_url)
        self.platform = platform
        self.describe_error = describe_error
        self.retry = retry or RetryPolicy()
        self.cancel = cancel or CancelToken()
        self.requests_sent = 0
        self.retries = 0                 # requests re-sent after a 429 / transient failure
        self.waited = 0.0                # seconds spent in backoff waits
        self._client = httpx.Client(
            base_url=self.base_url, headers={"Accept": "application/json", **auth_headers},
            timeout=timeout, transport=transport, follow_redirects=False)

    def request(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> httpx.Response:
        """Send one request, waiting out 429s (and, for reads, transient failures).

        Raises AuthError (401/403), RateLimitedError (429 after the retries), UnreachableError,
        AmbiguousWriteError (a write that may have been applied, no answer), PlatformError (5xx),
        CancelledError (cancelled during a wait). Other 4xx are returned to the caller, which
        knows whether they name a row's problem."""
        limited = transient = 0
        gate = REQUEST_GATE.get()
        transient_limit = gate.transient_retries if gate is not None else self.retry.transient_retries
        while True:
            if gate is not None:
                gate.before_send(write=write)
            self.requests_sent += 1
            deadline = _DEADLINE.get()
            if deadline is not None:
                left = deadline[0] - time.monotonic()
                if left <= 0:
                    raise UnreachableError(f"The {self.platform} store at {self.base_url} did not answer within "
                                           f"{deadline[1]:g} s. Check the address and your network.")
                kwargs = {**kwargs, "timeout": left}
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.ConnectError as exc:
                raise UnreachableError(f"Cannot reach the {self.platform} store at {self.base_url}: {exc}. "
                                       "Check the address and your network.") from exc
            except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if write:
                    raise AmbiguousWriteError(f"The {self.platform} store did not answer a write ({method} {path}); "
                                              "it may or may not have been applied.") from exc
                if transient < transient_limit and not isinstance(exc, httpx.TimeoutException):
                    self._wait(gate.backoff(transient, None) if gate is not None else self.retry.backoff(transient))
                    transient += 1
                    continue
                if deadline is not None and isinstance(exc, httpx.TimeoutException):
                    raise UnreachableError(f"The {self.platform} store at {self.base_url} did not answer within "
                                           f"{deadline[1]:g} s. Check the address and your network.") from exc
                raise UnreachableError(f"The {self.platform} store at {self.base_url} did not answer "
                                       f"({type(exc).__name__}).") from exc
            status = response.status_code
            if gate is not None:
                gate.after_response(status, _retry_after(response) if status == 429 else None)
            if status in (401, 403):
                raise AuthError(f"The {self.platform} store refused the access token ({status}: "
                                f"{self.describe_error(response)}). Check the token in the connection settings "
                                "or STOCKSHEET_TOKEN.", status=status)
            if status == 429:
                retry_after = _retry_after(response)
                if limited < self.retry.rate_limit_retries:
                    delay = (gate.backoff(limited, retry_after) if gate is not None
                             else min(max(retry_after, 0.0), self.retry.max_retry_after) if retry_after is not None
                             else self.retry.backoff(limited))
                    self._wait(delay)
                    limited += 1
                    continue
                raise RateLimitedError(f"The {self.platform} store is still rate-limiting requests (429) after "
                                       f"{limited} waits. Try again in a minute, or lower the request rate.",
                                       retry_after=retry_after)
            if status >= 500:
                if not write and transient < transient_limit:
                    self._wait(gate.backoff(transient, None) if gate is not None else self.retry.backoff(transient))
                    transient += 1
                    continue
                raise PlatformError(f"The {self.platform} store had an internal error ({status}: "
                                    f"{self.describe_error(response)}).", status=status)
            return response

    def _wait(self, seconds: float) -> None:
        self.retries += 1
        self.waited += seconds
        gate = REQUEST_GATE.get()
        deadline = _DEADLINE.get()
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline[0] - time.monotonic()))
        if (gate.cancel if gate is not None else self.cancel).wait(seconds):
            raise CancelledError(f"Cancelled while waiting to retry a request to the {self.platform} store.")

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
