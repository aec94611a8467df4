"""The HTTP seam's retry rules: 429s are waited out, reads survive transient failures, writes don't retry."""
from __future__ import annotations

import httpx
import pytest

from desktop_app.core.errors import (
    AmbiguousWriteError, AuthError, CancelledError, InputError, PlatformError, RateLimitedError, UnreachableError,
)
from desktop_app.core.progress import CancelToken
from desktop_app.platforms.http import HttpClient, RetryPolicy

SECRET = "s3cret-token-value"


class RecordingCancel(CancelToken):
    """Records the waits instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return self.cancelled


def scripted(*steps):
    """A transport answering each request with the next step: a status, (status, headers) or an exception."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        step = steps[min(len(calls), len(steps) - 1)]
        calls.append(request)
        if isinstance(step, Exception):
            raise step
        status, headers = step if isinstance(step, tuple) else (step, {})
        return httpx.Response(status, json={"error": f"status {status}"}, headers=headers)
    return httpx.MockTransport(handler), calls


def client_for(transport, *, retry=None, cancel=None):
    return HttpClient("http://127.0.0.1:1", platform="Genstore", auth_headers={"X-Token": SECRET},
                      transport=transport, retry=retry or RetryPolicy(jitter=lambda: 1.0), cancel=cancel)


def test_a_429_with_retry_after_is_waited_out_for_exactly_that_long():
    transport, calls = scripted((429, {"Retry-After": "3"}), 200)
    cancel = RecordingCancel()
    response = client_for(transport, cancel=cancel).request("GET", "/x")
    assert response.status_code == 200 and len(calls) == 2 and cancel.waits == [3.0]


def test_without_retry_after_the_backoff_doubles_up_to_its_cap():
    transport, _ = scripted(429, 429, 429, 429, 429, 429, 200)
    cancel = RecordingCancel()
    client_for(transport, cancel=cancel).request("GET", "/x")
    assert cancel.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_keeps_each_wait_between_half_and_all_of_the_backoff():
    policy = RetryPolicy(jitter=lambda: 0.0)
    assert [policy.backoff(n) for n in range(5)] == [0.25, 0.5, 1.0, 2.0, 4.0]


def test_a_huge_retry_after_is_clipped():
    transport, _ = scripted((429, {"Retry-After": "86400"}), 200)
    cancel = RecordingCancel()
    client_for(transport, cancel=cancel).request("GET", "/x")
    assert cancel.waits == [60.0]


def test_429s_past_the_retry_budget_raise_rate_limited():
    transport, calls = scripted(429)
    with pytest.raises(RateLimitedError) as caught:
        client_for(transport, retry=RetryPolicy(rate_limit_retries=2, jitter=lambda: 1.0),
                   cancel=RecordingCancel()).request("GET", "/x")
    assert len(calls) == 3 and "429" in str(caught.value)


def test_a_write_that_got_429_is_resent_because_it_was_not_applied():
    transport, calls = scripted(429, 200)
    response = client_for(transport, cancel=RecordingCancel()).request("PUT", "/x", write=True, json={})
    assert response.status_code == 200 and len(calls) == 2


def test_cancelling_during_a_wait_stops_at_once():
    transport, calls = scripted(429)
    cancel = RecordingCancel()
    cancel.cancel()
    with pytest.raises(CancelledError):
        client_for(transport, cancel=cancel).request("GET", "/x")
    assert len(calls) == 1


def test_reads_retry_a_5xx_and_a_connection_reset():
    reset = httpx.ReadError("connection reset by peer")
    transport, calls = scripted(503, reset, 200)
    cancel = RecordingCancel()
    response = client_for(transport, cancel=cancel).request("GET", "/x")
    assert response.status_code == 200 and len(calls) == 3 and len(cancel.waits) == 2


def test_reads_give_up_after_the_transient_budget():
    transport, calls = scripted(502)
    with pytest.raises(PlatformError) as caught:
        client_for(transport, cancel=RecordingCancel()).request("GET", "/x")
    assert caught.value.status == 502 and len(calls) == 3


def test_writes_never_retry_a_5xx_or_a_lost_answer():
    transport, calls = scripted(500)
    with pytest.raises(PlatformError):
        client_for(transport, cancel=RecordingCancel()).request("PUT", "/x", write=True)
    lost, lost_calls = scripted(httpx.ReadError("reset"))
    with pytest.raises(AmbiguousWriteError):
        client_for(lost, cancel=RecordingCancel()).request("PUT", "/x", write=True)
    assert (len(calls), len(lost_calls)) == (1, 1)


def test_a_refused_connection_is_unreachable_without_retrying():
    transport, calls = scripted(httpx.ConnectError("connection refused"))
    with pytest.raises(UnreachableError):
        client_for(transport, cancel=RecordingCancel()).request("GET", "/x")
    assert len(calls) == 1


def test_auth_errors_quote_the_platform_but_never_the_token():
    transport, _ = scripted(401)
    with pytest.raises(AuthError) as caught:
        client_for(transport).request("GET", "/x")
    assert "status 401" in str(caught.value) and SECRET not in str(caught.value)


def test_plain_http_is_refused_except_for_loopback():
    with pytest.raises(InputError):
        HttpClient("http://shop.example.com", platform="Genstore", auth_headers={})
