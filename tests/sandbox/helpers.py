"""Raw-HTTP helpers for protocol-level sandbox tests."""

from __future__ import annotations

from typing import Any

import requests

#: The token each running test sandbox issued, by its URL (set by the ``sandbox`` fixture): the
#: sandbox refuses a token it did not issue, as Google does.
TOKENS: dict[str, str] = {}


def auth_header(base: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[base]}"}


def call(base: str, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> requests.Response:
    headers = auth_header(base) if auth else {}
    headers.update(kwargs.pop("headers", {}))
    return requests.request(method, base + path, headers=headers, timeout=10, **kwargs)


def assert_google_error(resp: requests.Response, code: int, status: str, reason: str | None = None) -> dict[str, Any]:
    assert resp.status_code == code, resp.text
    body = resp.json()
    err = body["error"]
    assert err["code"] == code
    if "errors" not in err:  # Sheets v4: status + details (ErrorInfo), no errors[]
        assert err["status"] == status
        return err
    assert err.get("status", status) == status  # Drive v3 / Blogger v3: errors[] (no status)
    assert err["errors"][0]["domain"] == "global"
    assert err["errors"][0]["message"] == err["message"]
    if reason:
        assert err["errors"][0]["reason"] == reason
    return err
