"""Fault injection for any emulator: ``stocksheet sandbox --faults SPEC --seed N``.

``SPEC`` is a comma-separated list of ``kind=rate`` (rate = share of requests, 0..1)::

    5xx=0.1,429=0.1,timeout=0.05,reset=0.05,spike=0.05,drop=0.1

=========  ==========================================================  ===========
kind       what the client sees                                        applied?
=========  ==========================================================  ===========
5xx        ``500``/``502``/``503`` with ``{"error": …}``                no
429        ``429 Too Many Requests``, in bursts of 1–4 requests        no
timeout    the connection is held (``hold_ms``), then closed unanswered no
reset      the connection is aborted at once (TCP RST), unanswered      no
spike      the answer comes ``spike_ms`` late                          yes
drop       *commit-then-drop*: the request is applied, then the        yes
           connection is closed without an answer
422        a write is refused ``422`` with ``{"error": …}`` (not a GET,   no
           nor a POST its emulator lists in ``read_posts``)
redirect   ``307`` to ``redirect_to`` (another host), the same path     no
=========  ==========================================================  ===========

Two options change answers instead of replacing them:

* ``echo=RATE`` — that share of error answers (status >= 400, the emulator's own or injected)
  echo the request's credentials, as some stores do: every text of the body gets
  `` (sent <header>: <value>)`` for each credential header the request carried (and a token
  exchange's ``assertion``), and a JSON object body gets ``"request": {"headers": {…all of
  them…}}``. The way to prove a client never repeats a token a store hands back.
* ``redirect_to=URL`` — where a ``redirect`` sends the client (default ``http://localhost:9``).

``drop`` is the fault that makes a naive client apply a movement twice: it sees no answer and
resends. ``FaultyApp`` wraps any ``App`` around its ``handle``, so no emulator changes; every
other attribute (``ledger()``, ``set_level()``, ``token``…) is the wrapped app's. ``enabled``
switches injection off and on (tests prepare against a healthy store, then break it). One
seeded ``random.Random`` draws the faults, so a seed repeats the same sequence of faults for the
same sequence of requests.
"""
from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from desktop_app.sandbox.http import App, Hangup, Request, Response

KINDS = ("5xx", "429", "timeout", "reset", "spike", "drop", "422", "redirect")
#: request headers that carry credentials (lower-cased), echoed by ``echo``
CREDENTIAL_HEADERS = ("authorization", "x-genstore-access-token", "access-token", "marketplacer-api-key")
_STATUSES = (500, 502, 503)


@dataclass(frozen=True, slots=True)
class FaultSpec:
    rates: dict[str, float] = field(default_factory=dict)
    hold_ms: float = 300.0        # how long a "timeout" holds the connection before closing it
    spike_ms: float = 150.0       # extra latency of a "spike"
    max_burst: int = 4            # a 429 burst lasts 1..max_burst requests
    echo: float = 0.0             # share of error answers that echo the request's credentials
    redirect_to: str = "http://localhost:9"

    @property
    def total(self) -> float:
        return sum(self.rates.values())


def parse_faults(spec: str) -> FaultSpec:
    """Parse ``kind=rate,…`` (also ``hold_ms=…``/``spike_ms=…``). Raises ValueError with a sentence."""
    rates: dict[str, float] = {}
    extra: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if name == "redirect_to":
            if not value.strip().startswith(("http://", "https://")):
                raise ValueError(f"redirect_to must be a URL such as http://localhost:9, not {value!r}")
            extra[name] = value.strip()
            continue
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not sep or number < 0:
            raise ValueError(f"fault '{part}' must look like KIND=RATE with a rate from 0 to 1, e.g. 5xx=0.1")
        if name in ("hold_ms", "spike_ms"):
            extra[name] = number
            continue
        if name == "echo":
            if number > 1:
                raise ValueError(f"echo is a share of error answers from 0 to 1, not {value}")
            extra[name] = number
            continue
        if name not in KINDS:
            raise ValueError(f"unknown fault kind '{name}'; choose from {', '.join(KINDS)}")
        if number > 1:
            raise ValueError(f"fault rate for '{name}' must be at most 1, not {value}")
        rates[name] = number
    result = FaultSpec(rates=rates, **extra)
    if result.total > 1:
        raise ValueError(f"fault rates add up to {result.total:g}; together they must be at most 1")
    return result


class FaultyApp:
    """An ``App`` that answers like ``app`` except when a fault is drawn."""

    def __init__(self, app: App, spec: FaultSpec | str, *, seed: int = 0) -> None:
        self.app = app
        self.spec = parse_faults(spec) if isinstance(spec, str) else spec
        self.enabled = True
        self.counts: dict[str, int] = {k: 0 for k in KINDS}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._burst = 0                     # 429s still owed by the current burst

    # the App protocol ------------------------------------------------------------------------
    @property
    def platform(self) -> str:
        return self.app.platform

    @property
    def token(self) -> str:
        return self.app.token

    def handle(self, request: Request) -> Response | Hangup | None:
        response = self._answer(request)
        if isinstance(response, Response) and response.status >= 400 and self.spec.echo and self._echoes():
            return echo_credentials(response, request)
        return response

    def _answer(self, request: Request) -> Response | Hangup | None:
        kind = self.draw()
        if kind == "422" and not self._is_write(request):
            kind = None                     # reads are never refused as unprocessable
        if kind == "5xx":
            status = _STATUSES[self._pick(len(_STATUSES))]
            return Response(status, {"error": f"Injected fault: the server failed ({status})."})
        if kind == "429":
            return Response(429, {"error": "Too Many Requests"})
        if kind == "422":
            return Response(422, {"error": "Injected fault: the request could not be processed."})
        if kind == "redirect":
            return Response(307, None, headers={"Location": self.spec.redirect_to.rstrip("/") + request.path})
        if kind == "timeout":
            time.sleep(self.spec.hold_ms / 1000)
            return Hangup()
        if kind == "reset":
            return Hangup(reset=True)
        if kind == "spike":
            time.sleep(self.spec.spike_ms / 1000)
        response = self.app.handle(request)
        if kind == "drop":
            return Hangup()
        return response

    def draw(self) -> str | None:
        """The fault for the next request (None: answer normally). Thread-safe."""
        with self._lock:
            if not self.enabled:
                return None
            if self._burst > 0:
                self._burst -= 1
                kind: str | None = "429"
            else:
                kind = None
                x = self._rng.random()
                for name in KINDS:
                    rate = self.spec.rates.get(name, 0.0)
                    if name == "429":           # bursts: start fewer, make each longer
                        rate /= (1 + self.spec.max_burst) / 2
                    if x < rate:
                        kind = name
                        break
                    x -= rate
                if kind == "429":
                    self._burst = self._rng.randint(1, self.spec.max_burst) - 1
            if kind:
                self.counts[kind] += 1
            return kind

    def _is_write(self, request: Request) -> bool:
        """Not a GET, nor a POST the emulator lists as a read (``read_posts``: Zettle's balances)."""
        reads = getattr(self.app, "read_posts", ())
        return request.method != "GET" and not any(request.path.endswith(p) for p in reads)

    def _echoes(self) -> bool:
        with self._lock:
            return self._rng.random() < self.spec.echo

    def _pick(self, n: int) -> int:
        with self._lock:
            return self._rng.randrange(n)

    def __getattr__(self, name: str) -> Any:
        # everything else (ledger, set_level, level, close, request_count…) is the wrapped app's
        return getattr(self.app, name)


def echo_credentials(response: Response, request: Request) -> Response:
    """``response`` as a store that repeats the request's credentials in its error answers."""
    sent = [f"{name}: {value}" for name, value in request.headers.items() if name in CREDENTIAL_HEADERS]
    form = parse_qs(request.body.decode("utf-8", "replace")) if b"assertion=" in request.body else {}
    sent += [f"assertion: {value}" for value in form.get("assertion", [])]
    suffix = f" (sent {'; '.join(sent)})" if sent else ""
    body: Any = response.body
    if response.raw_json is not None:
        body = json.loads(response.raw_json)
    if isinstance(body, (dict, list)):
        body = _suffixed(body, suffix)
        if isinstance(body, dict):
            body["request"] = {"method": request.method, "path": request.path, "headers": dict(request.headers)}
    elif isinstance(body, bytes):
        body = body + suffix.encode("utf-8")
    else:
        body = (body or "") + suffix
    return Response(response.status, body, dict(response.headers))


def _suffixed(value: Any, suffix: str) -> Any:
    if isinstance(value, str):
        return value + suffix
    if isinstance(value, dict):
        return {k: _suffixed(v, suffix) for k, v in value.items()}
    if isinstance(value, list):
        return [_suffixed(v, suffix) for v in value]
    return value
