"""Google-shaped API errors."""

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


class ApiError(Exception):
    """Raised by handlers; rendered as Google's ``{"error": {...}}`` body."""

    def __init__(self, code: int, message: str = "", reason: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, "Error")
        self.reason = reason
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        status, reason = STATUS.get(self.code, ("UNKNOWN", "unknown"))
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "status": status,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason or reason}],
            }
        }


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)
