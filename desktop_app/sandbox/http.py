"""A tiny threaded HTTP framework for the emulators: routing, token bucket, latency, serving.

Each platform emulator is an ``App`` (``handle(request) -> Response``); ``SandboxServer`` serves
it on 127.0.0.1 in a background thread (tests) or in the foreground (``stocksheet sandbox``).
"""
from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Protocol
from urllib.parse import parse_qs, urlsplit


@dataclass(slots=True)
class Request:
    method: str
    path: str                                  # without query string
    query: dict[str, list[str]]                # repeated keys keep every value, in order
    headers: dict[str, str]                    # lower-cased names
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)  # path parameters from the route

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(slots=True)
class Response:
    status: int = 200
    body: Any = None                           # dict/list → JSON; bytes/str sent as-is
    headers: dict[str, str] = field(default_factory=dict)
    raw_json: str | None = None                # pre-serialised JSON (e.g. bare 64-bit numbers)

    def encode(self) -> bytes:
        if self.raw_json is not None:
            return self.raw_json.encode("utf-8")
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Hangup:
    """What an App may return instead of a Response to end the connection unanswered (fault
    injection, ``sandbox.faults``): closed in order, or aborted with a TCP RST (``reset``).
    Returning ``None`` is the same as ``Hangup()``."""

    reset: bool = False


def json_object(request: Request, reject: Callable[[str], Exception], *, not_json: str,
                not_object: str) -> dict[str, Any]:
    """The request body as a JSON object, or ``reject(message)`` raised: ``not_json`` when the body
    is not JSON (``{error}`` in it is the decoder's complaint), ``not_object`` when it is JSON but not
    an object. Each emulator passes its own error type and wording: only the parsing is shared."""
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise reject(not_json.format(error=exc)) from exc
    if not isinstance(body, dict):
        raise reject(not_object)
    return body


Handler = Callable[[Request], Response]


class Router:
    """``router.add("GET", r"/api/202412/inventory/(?P<variant_id>\\d+)", fn)``."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(pattern + r"\Z"), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.add(method, pattern, fn)
            return fn
        return deco

    def match(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """Return (handler, params, path_exists)."""
        path_exists = False
        for m, rx, fn in self._routes:
            hit = rx.match(path)
            if hit:
                path_exists = True
                if m == method:
                    return fn, hit.groupdict(), True
        return None, {}, path_exists


class TokenBucket:
    """Thread-safe token bucket: ``burst`` tokens, refilled at ``rate`` per second."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.rate = rate
        self._tokens = float(burst)
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> tuple[bool, float]:
        """Take one token; return (granted, seconds until one is available)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True, 0.0
            return False, (1 - self._tokens) / self.rate if self.rate > 0 else 1.0


def parse_rate(spec: str, default: tuple[int, float] | None) -> tuple[int, float] | None:
    """``default`` | ``none`` | ``BURST/RATE`` (e.g. ``40/2``, ``40/50``) → (burst, per-second)."""
    if spec == "default":
        return default
    if spec == "none":
        return None
    m = re.fullmatch(r"(\d+)/(\d+(?:\.\d+)?)", spec.strip())
    if not m:
        raise ValueError(f"rate must be 'default', 'none' or BURST/PER_SECOND like 40/2, not {spec!r}")
    return int(m.group(1)), float(m.group(2))


class App(Protocol):
    platform: str
    token: str

    def handle(self, request: Request) -> Response: ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # header and body go out as two writes: avoid 40 ms delayed-ACK stalls
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr access log
        return

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        sandbox = self.server.sandbox
        if sandbox.latency_ms:
            time.sleep(sandbox.latency_ms / 1000)
        try:
            resp = sandbox.app.handle(req)
        except Exception as exc:  # an emulator bug must surface as a 500, not a hung socket
            resp = Response(500, {"error": f"sandbox error: {exc!r}"})
        if resp is None or isinstance(resp, Hangup):  # the app asked to drop the connection (fault injection)
            self.close_connection = True
            try:
                if resp is not None and resp.reset:   # linger 0: close() sends RST, not FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.rfile.close()                 # the reader holds the socket open otherwise
                    self.connection.close()
                else:
                    self.connection.shutdown(2)
            except OSError:
                pass
            return
        payload = resp.encode()
        self.send_response(resp.status)
        ctype = resp.headers.pop("Content-Type", "application/json")
        if payload or resp.status not in (204, 304):
            self.send_header("Content-Type", ctype)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: "SandboxServer"


LOOPBACK = "127.0.0.1"


class SandboxServer:
    """Serve an App on ``host`` (loopback, ``127.0.0.1``, unless told otherwise: a sandbox's token
    is a throwaway and its http is plain, so other machines must not reach it by accident).
    ``tls`` (an ``ssl.SSLContext`` with a certificate) serves https instead. ``start()`` runs it in
    a daemon thread; ``stop()`` ends it."""

    def __init__(self, app: App, *, port: int = 0, latency_ms: float = 0.0, host: str = LOOPBACK,
                 tls: Any = None) -> None:
        self.app = app
        self.latency_ms = latency_ms
        self.host = host
        self._httpd = _Server((host, port), _Handler)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self._httpd.sandbox = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def loopback_only(self) -> bool:
        return self.host in (LOOPBACK, "localhost", "::1") or self.host.startswith("127.")

    @property
    def url(self) -> str:
        host = LOOPBACK if self.host in ("0.0.0.0", "") else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def announcement(self) -> str:
        """One sentence saying where it listens and who can reach it (``stocksheet sandbox`` prints it)."""
        platform = getattr(self.app, "platform", "")
        if self.loopback_only:
            return (f"The {platform} sandbox listens on {self.host}:{self.port}, loopback only: no other machine can "
                    "reach it (--host ADDRESS serves another interface).")
        return (f"The {platform} sandbox listens on {self.host or '0.0.0.0'}:{self.port}, reachable from other "
                "machines on your network, over plain http with its throwaway token: use it only on a network you "
                "trust, and never with a real store's token.")

    def start(self) -> "SandboxServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox-{self.app.platform}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        close = getattr(self.app, "close", None)
        if close:
            close()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
