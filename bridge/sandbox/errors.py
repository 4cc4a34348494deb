"""Google-shaped API errors, in each API's own shape.

* Sheets v4 is a "One Platform" API: ``{"error": {"code", "message", "status", "details"}}``
  with ``details`` carrying ``google.rpc.ErrorInfo`` (reason ``RATE_LIMIT_EXCEEDED``,
  ``ACCESS_TOKEN_EXPIRED`` ...) and no ``errors[]`` list. Source: Google's "Errors" guide
  (https://cloud.google.com/apis/design/errors#http_mapping) and the Sheets answers recorded
  in gspread's cassettes (burnash/gspread tests/cassettes/ClientTest.test_access_non_existing_spreadsheet.json:
  ``{"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}``).
* Drive v3 and Blogger v3 keep the older shape with ``errors[]`` (``domain``, ``reason``),
  e.g. ``403 userRateLimitExceeded`` (https://developers.google.com/drive/api/guides/handle-errors).
"""

from __future__ import annotations

from typing import Any

STATUS = {
    400: ("INVALID_ARGUMENT", "badRequest"),
    401: ("UNAUTHENTICATED", "authError"),
    403: ("PERMISSION_DENIED", "forbidden"),
    404: ("NOT_FOUND", "notFound"),
    409: ("ALREADY_EXISTS", "conflict"),
    429: ("RESOURCE_EXHAUSTED", "rateLimitExceeded"),
    500: ("INTERNAL", "backendError"),
    501: ("UNIMPLEMENTED", "notImplemented"),
    503: ("UNAVAILABLE", "backendError"),
}

DEFAULT_MESSAGES = {
    401: "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential.",
    403: "The caller does not have permission",
    429: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}

#: ErrorInfo reasons Sheets v4 puts in ``details`` (for the statuses that carry one).
SHEETS_REASONS = {429: "RATE_LIMIT_EXCEEDED", 401: "ACCESS_TOKEN_TYPE_UNSUPPORTED"}

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class ApiError(Exception):
    """Raised by handlers; rendered as Google's ``{"error": {...}}`` body."""

    def __init__(self, code: int, message: str = "", reason: str | None = None, headers: dict[str, str] | None = None,
                 info_reason: str | None = None, domain: str = "global"):
        super().__init__(message)
        self.domain = domain
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, "Error")
        self.reason = reason
        self.info_reason = info_reason
        self.headers = headers or {}

    def body(self, api: str = "") -> dict[str, Any]:
        """The error body as ``api`` (``sheets``, ``drive``, ``blogger``; empty = legacy shape) sends it."""
        status, reason = STATUS.get(self.code, ("UNKNOWN", "unknown"))
        if api == "sheets":
            error: dict[str, Any] = {"code": self.code, "message": self.message, "status": status}
            info = self.info_reason or SHEETS_REASONS.get(self.code)
            if info:
                error["details"] = [{"@type": ERROR_INFO, "reason": info, "domain": "googleapis.com",
                                     "metadata": {"service": "sheets.googleapis.com"}}]
            return {"error": error}
        entry = {"message": self.message, "domain": self.domain, "reason": self.reason or reason}
        if api in ("drive", "blogger"):
            return {"error": {"code": self.code, "message": self.message, "errors": [entry]}}
        return {"error": {"code": self.code, "message": self.message, "status": status, "errors": [entry]}}


def api_of(method_id: str) -> str:
    """``sheets.spreadsheets.get`` -> ``sheets``."""
    return method_id.split(".", 1)[0] if method_id else ""


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)
