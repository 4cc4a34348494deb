"""Gmail v1 ``users.messages.send`` and an outbox: what the bridge would have mailed, kept in the state.

The request is checked against the bundled discovery document (``gmail.v1``) like every other
API: ``POST gmail/v1/users/{userId}/messages/send`` with a ``Message`` body whose ``raw`` is the
RFC 2822 message, base64url-encoded ("The entire email message in an RFC 2822 formatted and
base64url encoded string", Message resource,
https://developers.google.com/gmail/api/reference/rest/v1/users.messages#Message), or the
media-upload path with the message itself (``message/*``).

Scope: the discovery document lists the scopes that allow ``send`` (``gmail.send`` among them); a
token issued with scopes none of which is listed gets Google's 403 ``ACCESS_TOKEN_SCOPE_INSUFFICIENT``
("Request had insufficient authentication scopes.", the answer documented for a token without the
needed scope, https://cloud.google.com/apis/design/errors#handling_errors and seen as
``insufficientPermissions`` in the legacy ``errors`` list). Tokens without recorded scopes (the static
``sandbox-token``) hold every scope, as before.

A message with no recipient gets 400 "Recipient address required", a malformed address 400
"Invalid To header" (Gmail's answers, reason ``invalidArgument``, as reported verbatim in
https://stackoverflow.com/questions/24460422 and https://stackoverflow.com/questions/29504289).
``userId`` must be ``me`` or the token's own account ("The user's email address. The special value
``me`` can be used to indicate the authenticated user"; another user is 403 "Delegation denied").

State: ``outbox`` is a list of ``{"channel", "from", "to", "subject", "body", "time", "id"}``; the
webhook sink (``POST /_sandbox/webhook/{name}``, what Apprise's ``json://`` sends: ``{"version",
"title", "message", "type"}``) appends there too, with ``channel = "webhook:{name}"``.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import email.utils
import re
from datetime import UTC
from typing import Any

from bridge.sandbox import discovery
from bridge.sandbox.common import Ctx
from bridge.sandbox.errors import ApiError, bad_request
from bridge.sandbox.state import SandboxState

_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def _allowed_scopes() -> set[str]:
    doc = discovery.load_document("gmail.v1")
    return set(doc["resources"]["users"]["resources"]["messages"]["methods"]["send"]["scopes"])


def _check_scope(ctx: Ctx) -> None:
    token = ctx.headers.get("authorization", "")[7:].strip()
    with ctx.state.lock:
        entry = ctx.state.data.get("auth", {}).get("tokens", {}).get(token) or {}
        scopes = entry.get("scopes")
    if scopes is None:
        return
    if not set(str(scopes).split() if isinstance(scopes, str) else scopes) & _allowed_scopes():
        raise ApiError(403, "Request had insufficient authentication scopes.", reason="insufficientPermissions",
                       info_reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT")


def _message_bytes(ctx: Ctx) -> bytes:
    if ctx.upload:
        return ctx.raw_body
    raw = (ctx.body or {}).get("raw")
    if not raw:
        raise bad_request("'raw' RFC822 payload message string or uploading message via /upload/* URL required")
    try:
        return base64.urlsafe_b64decode(str(raw) + "=" * (-len(str(raw)) % 4))
    except (binascii.Error, ValueError):
        raise bad_request("Invalid value for ByteString: " + str(raw)[:40]) from None


def _now_iso(state: SandboxState) -> str:
    return state.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def append_outbox(state: SandboxState, entry: dict[str, Any]) -> dict[str, Any]:
    """Record one delivered message (Gmail or webhook) and return it with its id and time."""
    with state.lock:
        box = state.data.setdefault("outbox", [])
        entry = {"id": format(len(box) + 1, "016x"), "time": _now_iso(state), **entry}
        box.append(entry)
        return entry


def send(ctx: Ctx) -> dict[str, Any]:
    _check_scope(ctx)
    user = str(ctx.params.get("userId", "me"))
    if user not in ("me", ctx.account):
        raise ApiError(403, "Delegation denied for " + ctx.account, reason="forbidden")
    msg = email.message_from_bytes(_message_bytes(ctx), policy=email.policy.default)
    to = [a for _, a in email.utils.getaddresses([str(v) for v in msg.get_all("To", [])])]
    if not to or not any(to):
        raise ApiError(400, "Recipient address required", reason="invalidArgument")
    if not all(_ADDRESS.match(a) for a in to):
        raise ApiError(400, "Invalid To header", reason="invalidArgument")
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    entry = append_outbox(ctx.state, {"channel": "gmail", "from": ctx.account, "to": ", ".join(to),
                                      "subject": str(msg.get("Subject", "")), "body": text})
    return {"id": entry["id"], "threadId": entry["id"], "labelIds": ["SENT"]}


def webhook(state: SandboxState, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``POST /_sandbox/webhook/{name}``: Apprise's ``json://`` body, kept in the outbox."""
    return append_outbox(state, {"channel": f"webhook:{name}", "from": "", "to": name,
                                 "subject": str(payload.get("title", "")), "body": str(payload.get("message", ""))})


def outbox(state: SandboxState) -> list[dict[str, Any]]:
    with state.lock:
        return [dict(e) for e in state.data.get("outbox", [])]


HANDLERS = {"gmail.users.messages.send": send}

__all__ = ["HANDLERS", "send", "webhook", "outbox", "append_outbox"]
