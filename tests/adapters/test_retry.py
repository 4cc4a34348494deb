"""What is worth retrying: Google's statuses and reasons, and failures below HTTP."""

from __future__ import annotations

import ssl

import google.auth.exceptions
import pytest
import requests

from bridge.adapters.retry import error_for_status, translate_google_errors
from bridge.exceptions import AuthError, FatalError, RetriableError


@pytest.mark.parametrize(
    ("status", "reasons", "kind"),
    [
        (429, frozenset(), RetriableError),
        (503, frozenset(), RetriableError),
        (403, frozenset({"userRateLimitExceeded"}), RetriableError),
        (403, frozenset({"forbidden"}), FatalError),
        (403, frozenset({"dailyLimitExceeded"}), FatalError),  # waiting minutes cannot help
        (401, frozenset(), AuthError),
    ],
)
def test_statuses_map_to_what_the_caller_should_do(status: int, reasons: frozenset[str], kind: type) -> None:
    assert type(error_for_status(status, "m", "call", reasons)) is kind


@pytest.mark.parametrize(
    "failure",
    [
        ssl.SSLEOFError("EOF occurred in violation of protocol"),
        TimeoutError("timed out"),
        requests.exceptions.ChunkedEncodingError("connection dropped mid-body"),
        google.auth.exceptions.TransportError("no route to host"),
        google.auth.exceptions.RefreshError("server_error: Internal error", retryable=True),
    ],
)
def test_failures_below_http_are_temporary(failure: Exception) -> None:
    with pytest.raises(RetriableError), translate_google_errors("call"):
        raise failure


def test_a_token_google_will_not_renew_needs_auth_again() -> None:
    with pytest.raises(AuthError, match="mymein-bridge auth"), translate_google_errors("call"):
        raise google.auth.exceptions.RefreshError("invalid_grant: Token has been expired or revoked.")


def test_sheets_errorinfo_reason_counts_as_a_rate_limit() -> None:
    """Sheets v4 names its rate limit in error.details (ErrorInfo), not errors[]: a 403 so named was not retried."""
    from bridge.adapters.retry import error_reasons, is_temporary

    body = {"error": {"code": 403, "message": "Quota exceeded", "status": "PERMISSION_DENIED", "details": [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com"}]}}
    assert error_reasons(body) == frozenset({"RATE_LIMIT_EXCEEDED"})
    assert is_temporary(403, error_reasons(body))


def test_a_refused_connection_is_said_in_a_few_words() -> None:
    """With the network down, every log line and FAIL line repeated urllib3's whole request URL and pool repr."""
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(RetriableError) as info, translate_google_errors("values.batchGet SHEET"):
            requests.get(f"http://127.0.0.1:{port}/v4/spreadsheets/SHEET?fields=a%2Cb", timeout=5)
    assert str(info.value) == f"values.batchGet SHEET: network error: cannot reach 127.0.0.1:{port}: Connection refused"


def test_an_os_level_failure_keeps_its_words() -> None:
    """A bare OSError from httplib2 (Blogger, Drive) lost nothing but its errno number."""
    with pytest.raises(RetriableError) as info, translate_google_errors("blogs.get 7"):
        raise ConnectionRefusedError(111, "Connection refused")
    assert str(info.value) == "blogs.get 7: network error: Connection refused"


def test_a_404_is_asked_once_even_when_wrapped_as_retriable() -> None:
    """A call that answers 404 was asked again and again with backoff: a not-found stays not-found."""
    from bridge.adapters.retry import RetryPolicy

    calls: list[int] = []

    def not_there() -> None:
        calls.append(1)
        raise RetriableError("files.get x: HTTP 404: File not found", status=404)

    with pytest.raises(RetriableError):
        RetryPolicy(attempts=5, sleep=lambda s: None).call("files.get x", not_there)
    assert calls == [1]
