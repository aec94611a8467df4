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

Security policy, here once for every connector:

* **HTTPS** for every store URL except loopback (``check_url``), and no credentials inside a URL
  (``https://user:password@…`` is refused: the URL is journalled and shown; secrets belong in the
  keyring or the environment). A loopback URL never goes through a proxy from the environment
  (``direct_to_loopback``): its plain http must not leave the machine.
* **TLS verification** is httpx's default and is never switched off; a certificate that cannot
  be verified is an ``UnreachableError`` saying so and what to do (``SSL_CERT_FILE`` for a
  company CA), never a silent fallback.
* **Redirects** are never followed (``follow_redirects=False``): a 3xx is a ``ProtocolError``
  naming where it points, so the token never travels to another host.
* **Secrets by value**: every credential header sent is ``core.redaction.remember``-ed, and an
  error answer (status >= 400) is cleaned before any connector reads it (``clean_error``): the
  secrets are masked by value and an echoed request (``"request"``/``"headers"`` objects) is
  dropped, so no message, log line, report or journal field can repeat them.
"""
from __future__ import annotations

import base64
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
from desktop_app.core.redaction import redact, redact_bytes, remember

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
#: request headers that carry credentials (lower-cased)
CREDENTIAL_HEADERS = ("authorization", "x-genstore-access-token", "access-token", "marketplacer-api-key",
                      "proxy-authorization")
#: keys of an error body that echo the request back (dropped by ``clean_error``)
_ECHO_KEYS = {"headers", "request", "request_headers", "requestheaders"}
_REDIRECTS = (301, 302, 303, 307, 308)


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
    if parts.username is not None or parts.password is not None:
        remember(parts.password)
        address = f"{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"
        raise InputError(
            f"'{parts.scheme}://***@{address}' has a user name or password inside it. Stocksheet keeps store URLs in its journal and "
            "shows them in its history, so a URL must not carry a secret: give the address alone "
            f"(https://{address}); the access token goes "
            "in STOCKSHEET_TOKEN or the keyring, and a Marketplacer site's HTTP Basic login in --basic-user with "
            "STOCKSHEET_BASIC_PASSWORD (or the connection dialog).")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"'{url}' is not a store URL. Give the full address, e.g. https://myshop.example.com.")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InputError(
            f"'{url}' uses plain http. Stocksheet only sends your access token over https "
            f"(plain http is allowed for 127.0.0.1/localhost only). Use https://{parts.netloc}{parts.path}.")
    return url.rstrip("/")


def direct_to_loopback(url: str) -> dict[str, None]:
    """httpx ``mounts`` that keep a loopback URL off any proxy from the environment (plain http
    is allowed there only because it never leaves the machine); nothing for other hosts."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        return {}
    return {f"all://{f'[{host}]' if ':' in host else host}": None}


def default_describe(response: httpx.Response) -> str:
    """The store's own words from an error answer: a message field, else the status phrase
    (never a dump of the whole body, which may echo the request)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return redact(response.text[:200]) or response.reason_phrase
    if isinstance(body, dict):
        for key in ("error", "message", "developerMessage", "error_description"):
            if isinstance(body.get(key), str) and body[key]:
                return redact(body[key])
    if isinstance(body, str) and body:
        return redact(body[:200])
    return response.reason_phrase or f"HTTP {response.status_code}"


def json_body(response: httpx.Response) -> Any:
    """The answer's JSON, or None when its body is not JSON (an error page, an empty body)."""
    try:
        return response.json()
    except ValueError:
        return None


def on_origin(base_url: str, link: str) -> str:
    """A paging link's path and query on ``base_url``'s scheme and host: a next page is only ever
    asked for from the store itself, so the token never travels elsewhere."""
    base, target = urlsplit(base_url), urlsplit(link)
    return f"{base.scheme}://{base.netloc}{target.path}" + (f"?{target.query}" if target.query else "")


def remember_credentials(request: httpx.Request) -> None:
    """Remember every credential a request carries (the header value and, for ``Scheme value``
    forms, the value alone) so ``core.redaction.redact`` masks it wherever it turns up."""
    for name in CREDENTIAL_HEADERS:
        value = request.headers.get(name)
        if value:
            scheme, _, credential = value.partition(" ")
            remember(value, credential if scheme.lower() in ("bearer", "basic", "token") else None)
            if scheme.lower() == "basic":
                try:
                    remember(base64.b64decode(credential).decode("utf-8").partition(":")[2])
                except (ValueError, UnicodeDecodeError):
                    pass


def clean_error(response: httpx.Response) -> httpx.Response:
    """An error answer (status >= 400) as it may be read: every known secret masked by value and
    any echoed request or header map dropped from a JSON body. Other answers are returned as is."""
    if response.status_code < 400:
        return response
    content = response.read()
    cleaned = content
    try:
        body = json.loads(content) if content.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, (dict, list)):
        stripped = _without_echo(body)
        if stripped != body:
            cleaned = json.dumps(stripped).encode("utf-8")
    cleaned = redact_bytes(cleaned)
    if cleaned == content:
        return response
    headers = [(k, v) for k, v in response.headers.multi_items()
               if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")]
    return httpx.Response(response.status_code, headers=headers, content=cleaned, request=response.request,
                          extensions=response.extensions)


def _without_echo(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_echo(v) for k, v in value.items()
                if not (str(k).lower() in _ECHO_KEYS and isinstance(v, (dict, list)))}
    if isinstance(value, list):
        return [_without_echo(v) for v in value]
    return value


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
            timeout=timeout, transport=transport, follow_redirects=False, verify=True,
            mounts=direct_to_loopback(self.base_url))
        remember_credentials(self._client.build_request("GET", "/"))

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
                raise UnreachableError(_unreachable(self.platform, self.base_url, exc)) from exc
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
            remember_credentials(response.request)   # per-request auth (Zettle's exchanged tokens) too
            response = clean_error(response)
            status = response.status_code
            if status in _REDIRECTS:
                raise ProtocolError(_redirected(self.platform, self.base_url, method, path,
                                                response.headers.get("Location", "")), status=status)
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


def _unreachable(platform: str, base_url: str, exc: httpx.ConnectError) -> str:
    text = redact(str(exc))
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text.lower():
        return (f"The {platform} store at {base_url} presented a TLS certificate that could not be verified "
                f"({text}). Stocksheet does not send your access token to a server it cannot verify: check the "
                "address; behind a company proxy or CA, point SSL_CERT_FILE at its certificate bundle.")
    return f"Cannot reach the {platform} store at {base_url}: {text}. Check the address and your network."


def _redirected(platform: str, base_url: str, method: str, path: str, location: str) -> str:
    target = urlsplit(httpx.URL(base_url).join(location).__str__()) if location else None
    origin = urlsplit(base_url)
    where = redact(location) or "an address it did not give"
    if target is not None and (target.scheme, target.hostname, target.port) != (origin.scheme, origin.hostname,
                                                                                   origin.port):
        return (f"The {platform} store at {base_url} redirected {method} {path} to {where}, another host. Stocksheet "
                "does not follow redirects, so your access token was not sent there; if that is your store's "
                "address, use it as the store URL.")
    return (f"The {platform} store at {base_url} redirected {method} {path} to {where}. Stocksheet does not "
            "follow redirects; check the store URL (its exact address, with https://).")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None
