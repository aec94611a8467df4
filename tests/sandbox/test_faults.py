"""Fault injection: each kind does what a client on a bad network sees, seeded and generic."""
from __future__ import annotations

import httpx
import pytest

from desktop_app.sandbox.faults import FaultyApp, parse_faults
from desktop_app.sandbox.http import Request, Response, SandboxServer
from desktop_app.sandbox.registry import create_app


class Counter:
    """A tiny App whose state is how many requests it has applied."""

    platform = "counter"
    token = "t"

    def __init__(self) -> None:
        self.applied = 0

    def handle(self, request: Request) -> Response:
        self.applied += 1
        return Response(200, {"applied": self.applied})

    def ledger(self) -> list[int]:
        return list(range(self.applied))


def serve(kind: str) -> tuple[SandboxServer, FaultyApp]:
    app = FaultyApp(Counter(), f"{kind}=1,hold_ms=10,spike_ms=10", seed=3)
    return SandboxServer(app), app


def test_spec_parsing_reads_rates_and_timings():
    spec = parse_faults("5xx=0.1, 429=0.2,drop=0.05,hold_ms=50")
    assert spec.rates == {"5xx": 0.1, "429": 0.2, "drop": 0.05} and spec.hold_ms == 50


@pytest.mark.parametrize("bad, words", [("boom=0.1", "unknown fault kind"), ("5xx", "KIND=RATE"),
                                        ("5xx=2", "at most 1"), ("5xx=0.6,drop=0.6", "add up")])
def test_spec_parsing_explains_what_is_wrong(bad, words):
    with pytest.raises(ValueError, match=words):
        parse_faults(bad)


@pytest.mark.parametrize("kind, status", [("5xx", {500, 502, 503}), ("429", {429})])
def test_error_statuses_are_answered_without_applying_anything(kind, status):
    server, app = serve(kind)
    with server:
        response = httpx.post(server.url + "/x")
    assert response.status_code in status and app.app.applied == 0


@pytest.mark.parametrize("kind, error", [("timeout", httpx.RemoteProtocolError), ("reset", httpx.ReadError)])
def test_timeouts_and_resets_end_the_connection_unanswered_and_unapplied(kind, error):
    server, app = serve(kind)
    with server, pytest.raises(error):
        httpx.post(server.url + "/x")
    assert app.app.applied == 0


def test_commit_then_drop_applies_the_request_but_never_answers():
    server, app = serve("drop")
    with server, pytest.raises(httpx.RemoteProtocolError):
        httpx.post(server.url + "/x")
    assert app.app.applied == 1 and app.counts["drop"] == 1


def test_a_latency_spike_still_answers():
    server, app = serve("spike")
    with server:
        assert httpx.get(server.url + "/x").json() == {"applied": 1}


def test_the_same_seed_draws_the_same_faults_and_other_attributes_pass_through():
    spec = "5xx=0.2,429=0.2,drop=0.2"
    a, b = FaultyApp(Counter(), spec, seed=9), FaultyApp(Counter(), spec, seed=9)
    assert [a.draw() for _ in range(200)] == [b.draw() for _ in range(200)]
    assert a.ledger() == [] and a.platform == "counter"


def test_disabled_injection_answers_normally():
    app = FaultyApp(Counter(), "5xx=1", seed=1)
    app.enabled = False
    assert app.handle(Request("GET", "/", {}, {})).status == 200


def test_create_app_wraps_any_emulator_when_faults_are_given():
    app = create_app("genstore", catalog="synthetic:2x1", faults="429=0.5", seed=4)
    try:
        assert isinstance(app, FaultyApp) and app.platform == "genstore" and app.ledger() == []
    finally:
        app.close()
    with pytest.raises(ValueError, match="unknown fault kind"):
        create_app("genstore", catalog="synthetic:2x1", faults="meteor=0.1")
