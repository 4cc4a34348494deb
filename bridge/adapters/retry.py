"""Bounded exponential backoff with jitter, and vendor-error translation.

We use tenacity rather than a loop of our own: it bounds by attempts (so tests
can assert exact call counts) as well as by total time, applies full jitter,
and lets tests inject ``sleep``. Only :class:`~bridge.exceptions.RetriableError`
is retried; adapters translate 429/5xx/timeouts into it at the call site.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import google.auth.exceptions
import httplib2
import requests
import tenacity

from bridge.exceptions import AuthError, BridgeError, FatalError, RetriableError

log = logging.getLogger("bridge.retry")

T = TypeVar("T")

RETRIABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Answers that stay the same however often they are asked again: never retried, even when an
#: adapter wrapped one as retriable for its caller (a 404 was asked five times, issue 18).
NEVER_RETRIED = frozenset({400, 404})

#: ``error.errors[].reason`` values with which Google signals a quota as HTTP 403
#: (Drive and Blogger do; googleapiclient retries these too). Daily limits are not among
#: them: retrying within a cycle cannot help.
#: Sheets v4 says it in ``error.details`` instead: ``google.rpc.ErrorInfo`` reason ``RATE_LIMIT_EXCEEDED``.
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})


def error_reasons(body: object) -> frozenset[str]:
    """Every reason in a Google error body: ``error.errors[].reason`` (Drive v3, Blogger v3) and
    ``error.details[].reason`` of ``google.rpc.ErrorInfo`` entries (Sheets v4)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return frozenset()
    reasons: set[str] = set()
    for key in ("errors", "details"):
        entries = error.get(key)
        if isinstance(entries, list):
            reasons |= {str(e["reason"]) for e in entries if isinstance(e, dict) and e.get("reason")}
    return frozenset(reasons)


def is_temporary(status: int, reasons: frozenset[str] = frozenset()) -> bool:
    """Whether a Google HTTP error is worth retrying (5xx, 429, or a 403 that is a rate limit)."""
    return status in RETRIABLE_STATUSES or (status == 403 and bool(reasons & RATE_LIMIT_REASONS))

REAUTH_HINT = (
    "Run `mymein-bridge auth -c CONFIG` on this server (or on a laptop and copy the token file here). "
    "If the OAuth consent screen is still in 'Testing', Google expires tokens after 7 days: "
    "set it to 'In production' in Google Cloud Console > APIs & Services > OAuth consent screen."
)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a Google call is retried.

    Attributes:
        attempts: total tries including the first (>= 1).
        initial: first backoff ceiling in seconds (full jitter: sleep is random in [0, ceiling]).
        maximum: largest backoff ceiling in seconds.
        deadline: give up after this many seconds in total.
        sleep: injected for tests so no test waits on the wall clock.
    """

    attempts: int = 5
    initial: float = 1.0
    maximum: float = 32.0
    deadline: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run ``fn``; retry it while it raises RetriableError, within the bounds."""

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "retrying %s after attempt %d: %s",
                what,
                state.attempt_number,
                exc,
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts) | tenacity.stop_after_delay(self.deadline),
            wait=tenacity.wait_random_exponential(multiplier=self.initial, max=self.maximum),
            retry=tenacity.retry_if_exception(worth_retrying),
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(fn)


NO_RETRY = RetryPolicy(attempts=1)


def worth_retrying(exc: BaseException) -> bool:
    """A RetriableError, unless Google's answer was one that does not change (:data:`NEVER_RETRIED`)."""
    return isinstance(exc, RetriableError) and exc.status not in NEVER_RETRIED


def error_for_status(status: int, message: str, what: str, reasons: frozenset[str] = frozenset()) -> BridgeError:
    """Map an HTTP status from Google to our exception tree (not raised here)."""
    text = f"{what}: HTTP {status}: {message}"
    if is_temporary(status, reasons):
        return RetriableError(text, status=status)
    if status == 401:
        return AuthError(f"{what}: Google refused the credentials (HTTP 401: {message}). {REAUTH_HINT}")
    return FatalError(text)


def credentials_refused(what: str, exc: Exception) -> BridgeError:
    """Google answered 401 and the token could not be renewed: expired, revoked or the 7-day
    Testing expiry (AuthError), unless Google's token service itself failed (retryable)."""
    if getattr(exc, "retryable", False):
        return RetriableError(f"{what}: Google's sign-in service did not answer, will retry: {exc}")
    return AuthError(f"{what}: Google refused the credentials and they could not be renewed ({exc}). {REAUTH_HINT}")


#: Transport failures worth another try: timeouts, refused or dropped connections, TLS errors
#: (all OSError), a body cut off midway, and the same from httplib2 and google-auth.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    httplib2.HttpLib2Error,
    google.auth.exceptions.TransportError,
)


@contextmanager
def translate_google_errors(what: str) -> Iterator[None]:
    """Around one Google call: credential and transport failures become our exceptions."""
    try:
        yield
    except BridgeError:
        raise
    except google.auth.exceptions.RefreshError as exc:
        raise credentials_refused(what, exc) from exc
    except NETWORK_ERRORS as exc:
        raise RetriableError(f"{what}: network error: {network_reason(exc)}") from exc


def network_reason(exc: BaseException) -> str:
    """A transport failure in the words IT staff need ("cannot reach HOST:PORT: Connection refused"):
    urllib3's own text repeats the whole request URL and the connection object's repr."""
    import re

    inner: BaseException = exc
    if isinstance(exc, requests.RequestException) and exc.args and isinstance(exc.args[0], BaseException):
        inner = exc.args[0]  # urllib3's MaxRetryError (or a timeout) inside requests' error
    pool = getattr(inner, "pool", None)
    host = str(getattr(pool, "host", "") or "")
    port = getattr(pool, "port", None)
    if host and port:
        host = f"{host}:{port}"
    reason = getattr(inner, "reason", None)
    text = str(reason if isinstance(reason, BaseException) else inner)
    text = re.sub(r"^(<[^>]*>|HTTPS?Connection(Pool)?\([^)]*\)): ", "", text)
    text = text.removeprefix("Failed to establish a new connection: ")
    text = re.sub(r"\[Errno -?\d+\] ", "", text)
    return f"cannot reach {host}: {text}" if host else text
