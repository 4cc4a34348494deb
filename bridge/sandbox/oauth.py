"""Who a bearer token belongs to, when it expires, and Google's OAuth 2.0 token endpoint.

State (``auth`` in the state JSON)::

    {"rejected_tokens": ["..."],                       # always 401 (a revoked access token)
     "default_account": "kimbalangan.bridge@gmail.com",  # unregistered tokens (e.g. "sandbox-token")
     "tokens": {"ya29.sandbox-...": {"account": "a@b.c", "expires": "2026-11-23T03:00:00Z"}},
     "grants": {"1//refresh": {"account": "a@b.c", "client_id": "...", "revoked": false,
                               "expires": null}},
     "publishing_status": "testing"}                    # optional: the consent screen's app is in Testing

* Access tokens issued here live 3600 s by the sandbox clock: Google's access tokens
  "expire after one hour" and refresh answers ``expires_in: 3599``
  (https://developers.google.com/identity/protocols/oauth2#expiration,
  https://developers.google.com/identity/protocols/oauth2/web-server#offline).
  An expired token gets 401 UNAUTHENTICATED with ErrorInfo reason ``ACCESS_TOKEN_EXPIRED``.
* ``GET /o/oauth2/auth`` consents at once and redirects back with a code (``mymein-bridge auth``
  against the sandbox); ``POST /token`` (``https://oauth2.googleapis.com/token``) exchanges it
  (``grant_type=authorization_code``) or renews (``grant_type=refresh_token``).
  A revoked or expired grant answers ``400 {"error": "invalid_grant", "error_description":
  "Token has been expired or revoked."}``, Google's wording; a grant of an app left in
  *Testing* expires after 7 days ("expires", https://developers.google.com/identity/protocols/oauth2#expiration;
  "'Testing' status tokens always expire in 7 days", https://developers.google.com/data-portability/user-guide/configure-oauth):
  with ``"publishing_status": "testing"`` every consent (``auth``) gives such a grant.
* A bearer token the sandbox did not issue gets 401 UNAUTHENTICATED "Request had invalid
  authentication credentials..." with ErrorInfo reason ``ACCESS_TOKEN_TYPE_UNSUPPORTED``, as Google
  answers a token it did not issue (recorded in
  https://github.com/GoogleCloudPlatform/cloud-logging-data-source-plugin/issues/126): a sandbox that
  took any token would let anyone who reaches its port read and change everything, and would hide a
  bridge that sends the wrong token.
* ``auth = "sandbox"`` configs carry a token the sandbox issued for its default account that never
  expires (:func:`config_token`, kept in the state so a saved state keeps it valid); it is written
  to a file beside the config the sandbox writes (``[google] token``). Tests take theirs the same way,
  or from :func:`issue_token`.
"""

from __future__ import annotations

import secrets
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

from bridge.sandbox.state import SandboxState

ACCESS_TOKEN_SECONDS = 3600
DEFAULT_ACCOUNT = "kimbalangan.sandbox@gmail.com"
INVALID_GRANT = "Token has been expired or revoked."
TESTING_GRANT_DAYS = 7


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _auth(state: SandboxState) -> dict[str, Any]:
    auth = state.data.setdefault("auth", {})
    auth.setdefault("tokens", {})
    auth.setdefault("grants", {})
    return auth


def default_account(state: SandboxState) -> str:
    with state.lock:
        auth = state.data.get("auth", {})
        return str(auth.get("default_account") or state.data.get("drive", {}).get("me") or DEFAULT_ACCOUNT)


def token_account(state: SandboxState, token: str) -> tuple[str | None, str]:
    """``(account, problem)``: the token's account, or None and why Google would refuse it."""
    with state.lock:
        if token in state.rejected_tokens():
            return None, "revoked"
        entry = state.data.get("auth", {}).get("tokens", {}).get(token)
        if entry is None:
            return None, "unknown"
        expires = entry.get("expires")
        if expires and _parse(expires) <= state.now():
            return None, "expired"
        return str(entry.get("account") or default_account(state)), ""


def issue_token(state: SandboxState, account: str, seconds: int | None = ACCESS_TOKEN_SECONDS) -> str:
    """A new access token for ``account``, valid ``seconds`` by the sandbox clock (None: never expires)."""
    token = "ya29.sandbox-" + secrets.token_urlsafe(18)
    with state.lock:
        expires = _iso(state.now() + timedelta(seconds=seconds)) if seconds is not None else None
        _auth(state)["tokens"][token] = {"account": account, "expires": expires}
    return token


def config_token(state: SandboxState) -> str:
    """The never-expiring token of the default account that ``auth = "sandbox"`` configs carry; issued
    once per state and kept in it."""
    with state.lock:
        auth = _auth(state)
        token = auth.get("config_token")
        if token and token in auth["tokens"] and token not in state.rejected_tokens():
            return str(token)
        token = issue_token(state, default_account(state), seconds=None)
        auth["config_token"] = token
        return token


def add_grant(state: SandboxState, account: str, client_id: str = "", *, testing_days: int | None = None) -> str:
    """A refresh token (what the consent screen gives ``auth``); ``testing_days`` = app in Testing."""
    refresh = "1//sandbox-" + secrets.token_urlsafe(24)
    with state.lock:
        expires = _iso(state.now() + timedelta(days=testing_days)) if testing_days else None
        _auth(state)["grants"][refresh] = {"account": account, "client_id": client_id, "revoked": False, "expires": expires}
    return refresh


def revoke_grant(state: SandboxState, refresh_token: str) -> None:
    """The user removed the app's access (myaccount.google.com/permissions)."""
    with state.lock:
        _auth(state)["grants"][refresh_token]["revoked"] = True


def authorize(state: SandboxState, query: dict[str, str]) -> tuple[int, str]:
    """``GET /o/oauth2/auth``: the consent screen, consented at once as ``login_hint`` (or the default
    account); ``(status, Location)`` of the redirect back with ``code`` and ``state``, as Google sends it
    (https://developers.google.com/identity/protocols/oauth2/native-app#handlingresponse)."""
    redirect = query.get("redirect_uri", "")
    if not redirect.startswith(("http://localhost", "http://127.0.0.1")) or query.get("response_type") != "code":
        return 400, ""
    code = "4/sandbox-" + secrets.token_urlsafe(18)
    with state.lock:
        _auth(state).setdefault("codes", {})[code] = {
            "account": query.get("login_hint") or default_account(state), "client_id": query.get("client_id", ""),
            "redirect_uri": redirect, "scope": query.get("scope", ""),
        }
    params = {"state": query.get("state", ""), "code": code, "scope": query.get("scope", "")}
    return 302, redirect + ("&" if "?" in redirect else "?") + urllib.parse.urlencode(params)


def _exchange(state: SandboxState, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    with state.lock:
        entry = _auth(state).setdefault("codes", {}).pop(form.get("code", ""), None)  # a code works once
    if entry is None or entry["redirect_uri"] != form.get("redirect_uri", entry["redirect_uri"] if entry else ""):
        return 400, {"error": "invalid_grant", "error_description": "Malformed auth code."}
    with state.lock:
        testing = _auth(state).get("publishing_status") == "testing"
    refresh = add_grant(state, entry["account"], entry["client_id"], testing_days=TESTING_GRANT_DAYS if testing else None)
    token = issue_token(state, entry["account"])
    return 200, {"access_token": token, "expires_in": ACCESS_TOKEN_SECONDS - 1, "refresh_token": refresh,
                 "scope": entry["scope"], "token_type": "Bearer"}


def token_endpoint(state: SandboxState, raw: bytes) -> tuple[int, dict[str, Any]]:
    """``POST /token``: exchange a code or refresh an access token; (status, JSON body) as Google answers."""
    form = dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        return _exchange(state, form)
    if grant_type != "refresh_token":
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant_type}"}
    with state.lock:
        grant = _auth(state)["grants"].get(form.get("refresh_token", ""))
        if grant is None:
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        if grant.get("client_id") and form.get("client_id") and form["client_id"] != grant["client_id"]:
            return 401, {"error": "unauthorized_client", "error_description": "Unauthorized"}
        expires = grant.get("expires")
        if grant.get("revoked") or (expires and _parse(expires) <= state.now()):
            return 400, {"error": "invalid_grant", "error_description": INVALID_GRANT}
        token = issue_token(state, str(grant["account"]))
    return 200, {"access_token": token, "expires_in": ACCESS_TOKEN_SECONDS - 1, "token_type": "Bearer",
                 "scope": form.get("scope", "https://www.googleapis.com/auth/blogger https://www.googleapis.com/auth/spreadsheets "
                                   "https://www.googleapis.com/auth/drive.readonly https://www.googleapis.com/auth/drive.file")}


__all__ = ["config_token", "token_account", "issue_token", "add_grant", "revoke_grant", "token_endpoint", "default_account"]
