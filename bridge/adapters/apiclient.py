"""One way to execute a google-api-python-client request and translate its failures.

429/5xx, 403 rate limits and transport failures → RetriableError; 401 or a token
Google will not renew → AuthError; any other HTTP status is handed to the adapter's
``permanent`` callback, which knows what that status means for its API (a GAGAL
reason, or a fatal problem).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from googleapiclient.errors import HttpError

from bridge.adapters.retry import RetryPolicy, error_for_status, error_reasons, translate_google_errors
from bridge.exceptions import AuthError, BridgeError, LimitError, RetriableError

Permanent = Callable[[int, str, frozenset[str]], BridgeError]  # status, message, error reasons


def _error_body(exc: HttpError) -> object:
    try:
        return json.loads(exc.content.decode("utf-8"))
    except (ValueError, TypeError, AttributeError):
        return None


def http_error_message(exc: HttpError) -> str:
    """Google's error message from an HttpError body, or the error's own text."""
    try:
        # the body is Google's JSON, whatever its shape: a missing key or a non-dict is caught below
        return str(_error_body(exc)["error"]["message"])  # type: ignore[index]
    except (KeyError, TypeError):
        return str(exc)


def execute(
    what: str, request: Callable[[], Any], retry: RetryPolicy, permanent: Permanent,
    daily_limit: Callable[[int, frozenset[str]], bool] | None = None,
) -> Any:
    """Build and execute ``request()`` under ``retry``, translating errors to our tree.

    ``daily_limit(status, reasons)`` tells an error that lasts the rest of the day (raised as
    :class:`LimitError`, never retried) for an API that has one."""

    def once() -> Any:
        with translate_google_errors(what):
            try:
                return request().execute(num_retries=0)
            except HttpError as exc:
                status = int(exc.resp.status)
                message = http_error_message(exc)
                reasons = error_reasons(_error_body(exc))
                if daily_limit is not None and daily_limit(status, reasons):
                    raise LimitError(f"{what}: HTTP {status} ({', '.join(sorted(reasons))}): {message}") from exc
                err = error_for_status(status, message, what, reasons)
                if isinstance(err, (RetriableError, AuthError)):
                    raise err from exc
                raise permanent(status, message, reasons) from exc

    return retry.call(what, once)
