"""One way to execute a google-api-python-client request and translate its failures.

429/5xx and transport failures → RetriableError; 401 or a token Google will not
renew → AuthError; any other
HTTP status is handed to the adapter's ``permanent`` callback, which knows what
that status means for its API (a GAGAL reason, or a fatal problem).
"""

from __future__ import annotations

import json
from typing import Any, Callable

import google.auth.exceptions
import httplib2
from googleapiclient.errors import HttpError

from bridge.adapters.retry import REAUTH_HINT, RetryPolicy, credentials_refused, error_reasons, is_temporary
from bridge.exceptions import AuthError, BridgeError, RetriableError

Permanent = Callable[[int, str, frozenset[str]], BridgeError]  # status, message, error reasons


def _error_body(exc: HttpError) -> object:
    try:
        return json.loads(exc.content.decode("utf-8"))
    except (ValueError, TypeError, AttributeError):
        return None


def http_error_message(exc: HttpError) -> str:
    """Google's error message from an HttpError body, or the error's own text."""
    try:
        return str(_error_body(exc)["error"]["message"])  # type: ignore[index]
    except (KeyError, TypeError):
        return str(exc)


def execute(what: str, request: Callable[[], Any], retry: RetryPolicy, permanent: Permanent) -> Any:
    """Build and execute ``request()`` under ``retry``, translating errors to our tree."""

    def once() -> Any:
        try:
            return request().execute(num_retries=0)
        except HttpError as exc:
            status = int(exc.resp.status)
            message = http_error_message(exc)
            reasons = error_reasons(_error_body(exc))
            if is_temporary(status, reasons):
                raise RetriableError(f"{what}: HTTP {status}: {message}", status=status) from exc
            if status == 401:
                raise AuthError(f"{what}: Google refused the credentials (HTTP 401: {message}). {REAUTH_HINT}") from exc
            raise permanent(status, message, reasons) from exc
        except google.auth.exceptions.RefreshError as exc:
            raise credentials_refused(what, exc) from exc
        except (OSError, httplib2.HttpLib2Error, google.auth.exceptions.TransportError) as exc:
            # timeouts, refused or dropped connections, TLS errors (OSError covers socket.timeout)
            raise RetriableError(f"{what}: network error: {exc}") from exc
        except BridgeError:
            raise

    return retry.call(what, once)
