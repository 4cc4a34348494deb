"""Sending operator messages (issue 19): Gmail API as the bridge's own account, or Apprise by URL.

One job: deliver one :class:`~bridge.core.notices.Message` and translate the vendor's failure into
:class:`~bridge.exceptions.RetriableError` (try again later) or
:class:`~bridge.exceptions.AddressError` (the address is wrong: report once, never retry).
"""

from __future__ import annotations

import base64
import contextlib
import email.message
import email.utils
import logging
import urllib.parse
import warnings
from collections.abc import Iterator
from typing import Any, Protocol

from bridge.core.notices import Message
from bridge.exceptions import AddressError, AuthError, RetriableError

log = logging.getLogger("bridge.notify")


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


class GmailChannel:
    """``users.messages.send`` with scope ``gmail.send`` (sensitive, not restricted)."""

    name = "email"

    def __init__(self, service: Any, sender_name: str = "Diskominfo Balangan") -> None:
        self.service = service
        self.sender_name = sender_name

    def send(self, message: Message) -> None:
        from googleapiclient.errors import HttpError

        mime = email.message.EmailMessage()
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Message-ID"] = email.utils.make_msgid(idstring=message.key.replace(":", "."))
        mime.set_content(message.body)
        raw = base64.urlsafe_b64encode(mime.as_bytes()).decode("ascii")
        try:
            self.service.users().messages().send(userId="me", body={"raw": raw}).execute(num_retries=0)
        except HttpError as exc:
            status = int(getattr(exc.resp, "status", 0) or 0)
            detail = exc.reason if hasattr(exc, "reason") else str(exc)
            if status == 400:
                raise AddressError(f"Gmail refused the message to {message.to}: {detail}") from exc
            if status == 403 and ("accessNotConfigured" in str(exc.content) or "SERVICE_DISABLED" in str(exc.content)):
                # the API is off in the Cloud project: a new consent would not help
                raise AuthError(f"Gmail refused to send ({status}): {detail}; enable the Gmail API in the bridge's "
                                "Google Cloud project (APIs & Services > Library)") from exc
            if status in (401, 403):
                raise AuthError(f"Gmail refused to send ({status}): {detail}; run `mymein-bridge auth` with e-mail on") from exc
            raise RetriableError(f"Gmail answered {status}: {detail}", status=status) from exc
        except (OSError, TimeoutError) as exc:
            raise RetriableError(f"Gmail unreachable: {exc}") from exc


def shown_url(url: str) -> str:
    """An Apprise URL as IT staff may see it in a terminal or the journal: its scheme only, since the
    rest may hold a bot token or a password (``tgram//123:ABC/...`` with the colon forgotten has no
    scheme at all, so nothing of it is shown)."""
    scheme, sep, _ = url.partition("://")
    if sep and scheme.isalnum():
        return f"{scheme}://…"
    return "(a URL without a scheme such as tgram:// or json://)"


@contextlib.contextmanager
def quiet_apprise() -> Iterator[None]:
    """Apprise logs a URL it cannot parse at ERROR, token and all (``Unparseable URL whatsap://TOKEN@...``);
    our own message names the config key instead, without the secret."""
    logger = logging.getLogger("apprise")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


#: addresses an Apprise URL template takes when it is right (an e-mail, a phone number, a host),
#: to tell IT's bad URL from an operator's bad address
SAMPLE_ADDRESSES = ("test%40example.com", "6281234567890", "example.com/hook")


class AppriseChannel:
    """Apprise (Telegram, WhatsApp Cloud API, SMTP, a plain webhook...) by URL; ``{address}`` in a URL
    is replaced by the operator's address (an e-mail, a Telegram chat id, a phone number)."""

    name = "apprise"

    def __init__(self, urls: tuple[str, ...], source: str = "[notify] apprise_urls") -> None:
        self.urls = urls
        self.source = source  # the config key the URLs come from, named when one cannot be used

    @staticmethod
    def _understood(url: str) -> bool:
        import apprise

        with quiet_apprise():
            return bool(apprise.Apprise().add(url))

    def send(self, message: Message) -> None:
        with warnings.catch_warnings():
            # Apprise's plugins import imghdr, deprecated since Python 3.11 (removed in 3.13, where
            # Apprise falls back by itself); not ours to fix, and pytest runs with warnings as errors.
            warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
            import apprise

            bot = apprise.Apprise()
            for url in self.urls:
                with quiet_apprise():
                    added = bot.add(url.replace("{address}", urllib.parse.quote(message.to, safe="")))
                if not added:
                    target = f" for {message.to}" if message.to else ""
                    if not any(self._understood(url.replace("{address}", sample)) for sample in SAMPLE_ADDRESSES if "{address}" in url):
                        # IT's URL itself is wrong, not the address: the message waits (retried with
                        # backoff, bounded) until IT fixes the config, which `check` shows as FAIL
                        raise RetriableError(f"Apprise does not understand the URL {shown_url(url)} (fix {self.source}; "
                                             "`mymein-bridge check` verifies it)")
                    raise AddressError(f"Apprise cannot use the URL {shown_url(url)}{target} (check {self.source})")
            # Plain text: Apprise escapes it for targets that read HTML or Markdown (Telegram's default
            # parse mode is HTML, where a "<" in a title would make the Bot API refuse the message).
            if not bot.notify(title=message.subject, body=message.body, body_format=apprise.NotifyFormat.TEXT):
                raise RetriableError(f"Apprise could not deliver the message to {message.to}")


__all__ = ["Channel", "GmailChannel", "AppriseChannel", "quiet_apprise", "shown_url"]
