"""The sandbox's Gmail v1 users.messages.send, outbox and webhook sink (issue 19), through the real client."""

from __future__ import annotations

import base64
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from bridge.adapters.auth import sandbox_credentials
from bridge.adapters.clients import gmail_service
from bridge.sandbox.gmail import outbox
from bridge.sandbox.server import SandboxServer

from .helpers import assert_google_error, call


@pytest.fixture
def gmail(sandbox: SandboxServer) -> Iterator[Any]:
    service = gmail_service(sandbox_credentials(sandbox.api_token), sandbox.url)
    yield service
    service.close()


def _raw(to: str, subject: str = "Halo", body: str = "Isi pesan") -> str:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = to, subject
    msg.set_content(body)
    return base64.urlsafe_b64encode(msg.as_bytes()).decode("ascii")


def test_send_keeps_the_message_in_the_outbox(sandbox: SandboxServer, gmail: Any) -> None:
    """A message the bridge mails would not show in the sandbox, so no test could see what operators get."""
    sent = gmail.users().messages().send(userId="me", body={"raw": _raw("op@example.com", "Diterima", "Nomor MM-1")}).execute()
    assert sent["labelIds"] == ["SENT"]
    (entry,) = outbox(sandbox.state)
    assert (entry["channel"], entry["to"], entry["subject"], entry["body"].strip()) == ("gmail", "op@example.com", "Diterima", "Nomor MM-1")
    assert sandbox.state.to_json()["outbox"] == [entry]
    page = urllib.request.urlopen(sandbox.url + "/_sandbox/outbox").read().decode("utf-8")
    assert "Nomor MM-1" in page


def test_bad_recipients_are_refused_as_gmail_does(sandbox: SandboxServer, gmail: Any) -> None:
    """A malformed address would be 'sent' in tests and fail silently in production."""
    with pytest.raises(HttpError) as bad:
        gmail.users().messages().send(userId="me", body={"raw": _raw("bukan-alamat")}).execute()
    assert bad.value.resp.status == 400 and "Invalid To header" in str(bad.value)
    resp = call(sandbox.url, "POST", "/gmail/v1/users/me/messages/send", json={})
    assert_google_error(resp, 400, "INVALID_ARGUMENT")
    assert outbox(sandbox.state) == []


def test_a_token_without_gmail_send_is_refused(sandbox: SandboxServer) -> None:
    """A grant made before e-mail was turned on would look fine in tests and get 403 from Google."""
    sandbox.state.data["auth"].setdefault("tokens", {})["narrow"] = {"account": "bridge@example.com",
                                                      "scopes": ["https://www.googleapis.com/auth/spreadsheets"]}
    resp = call(sandbox.url, "POST", "/gmail/v1/users/me/messages/send", json={"raw": _raw("op@example.com")},
                headers={"Authorization": "Bearer narrow"})
    assert_google_error(resp, 403, "PERMISSION_DENIED", "insufficientPermissions")
    sandbox.state.data["auth"]["tokens"]["narrow"]["scopes"].append("https://www.googleapis.com/auth/gmail.send")
    resp = call(sandbox.url, "POST", "/gmail/v1/users/me/messages/send", json={"raw": _raw("op@example.com")},
                headers={"Authorization": "Bearer narrow"})
    assert resp.status_code == 200 and outbox(sandbox.state)[0]["from"] == "bridge@example.com"


def test_the_webhook_sink_keeps_what_apprise_json_posts(sandbox: SandboxServer) -> None:
    """Apprise's json:// messages would vanish, so the Telegram/WhatsApp/SMTP path could not be tested."""
    resp = call(sandbox.url, "POST", "/_sandbox/webhook/op%40example.com", auth=False,
                json={"version": "1.0", "title": "Judul", "message": "Isi", "type": "info"})
    assert resp.status_code == 200
    (entry,) = outbox(sandbox.state)
    assert (entry["channel"], entry["to"], entry["subject"], entry["body"]) == ("webhook:op@example.com", "op@example.com", "Judul", "Isi")


def test_the_preview_shows_the_outbox(sandbox: SandboxServer, gmail: Any) -> None:
    """Someone trying the demo could not see the messages operators would receive."""
    gmail.users().messages().send(userId="me", body={"raw": _raw("op@example.com", "Berita terbit", "Tautan: x")}).execute()
    page = urllib.request.urlopen(sandbox.url + "/").read().decode("utf-8")
    assert "Kotak keluar" in page and "Berita terbit" in page and "gmail &rarr; op@example.com" in page
