"""The Apprise channel's refusals: they name the config key to fix and never print a URL's secret."""

from __future__ import annotations

import logging

import pytest

from bridge.adapters.notify import AppriseChannel, shown_url
from bridge.core.notices import Message
from bridge.exceptions import AddressError, RetriableError


def test_a_digest_url_missing_its_colon_names_digest_urls_and_hides_the_token(caplog: pytest.LogCaptureFixture) -> None:
    """IT staff would read the bot token in the journal, and be sent to fix apprise_urls instead of digest_urls."""
    channel = AppriseChannel(("tgram//123456:SECRETTOKEN/-1001234567890",), "[notify] digest_urls")
    with caplog.at_level(logging.DEBUG), pytest.raises(RetriableError) as raised:
        channel.send(Message("", "Ringkasan", "isi", "digest:1"))
    assert str(raised.value) == ("Apprise does not understand the URL (a URL without a scheme such as tgram:// or json://) "
                                 "(fix [notify] digest_urls; `mymein-bridge check` verifies it)")
    assert "SECRETTOKEN" not in caplog.text


def test_a_kim_channel_url_apprise_cannot_parse_is_the_configs_fault_not_the_addresss() -> None:
    """A mistyped kim_channels URL would be blamed on the KIM's number and the message dropped, with the token shown."""
    channel = AppriseChannel(("whatsap://SECRETTOKEN@FROMID/6281251230003",), "[notify] kim_channels whatsapp")
    with pytest.raises(RetriableError) as raised:
        channel.send(Message("6281251230003", "Subjek", "isi", "k"))
    assert str(raised.value) == "Apprise does not understand the URL whatsap://… (fix [notify] kim_channels whatsapp; `mymein-bridge check` verifies it)"


def test_an_address_that_breaks_a_good_url_is_the_addresss_fault() -> None:
    """An operator's unusable address would be retried for a day instead of being reported once."""
    channel = AppriseChannel(("json://{address}",))
    with pytest.raises(AddressError) as raised:
        channel.send(Message("", "Subjek", "isi", "k"))
    assert str(raised.value) == "Apprise cannot use the URL json://… (check [notify] apprise_urls)"


def test_shown_url_keeps_only_the_scheme() -> None:
    """A URL shown in `check` or the journal would carry its bot token or SMTP password."""
    assert shown_url("tgram://123:ABC/-100") == "tgram://…"
    assert shown_url("mailtos://user:pass@host?to=x") == "mailtos://…"
    assert "ABC" not in shown_url("tgram//123:ABC/-100")
    assert "pass" not in shown_url("user:pass@host://x")


def test_gmail_disabled_in_the_cloud_project_says_to_enable_it_not_to_run_auth() -> None:
    """IT staff told to run `auth` again for a Gmail API left disabled would re-consent in a loop and never send."""
    import httplib2
    from googleapiclient.errors import HttpError

    from bridge.adapters.notify import GmailChannel
    from bridge.exceptions import AuthError

    # Google's answer when the project never enabled the API: 403, reason accessNotConfigured, as
    # recorded in googleapis/google-api-python-client#920 and googleworkspace/python-samples#17
    content = (b'{"error": {"code": 403, "message": "Gmail API has not been used in project 123 before or it is disabled. '
               b'Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123 '
               b'then retry.", "errors": [{"reason": "accessNotConfigured"}], "status": "PERMISSION_DENIED"}}')

    class Refusing:
        def users(self) -> Refusing:
            return self

        def messages(self) -> Refusing:
            return self

        def send(self, **_: object) -> Refusing:
            return self

        def execute(self, **_: object) -> None:
            raise HttpError(httplib2.Response({"status": 403}), content)

    with pytest.raises(AuthError) as raised:
        GmailChannel(Refusing()).send(Message("op@example.com", "Subjek", "isi", "k"))
    assert "run `mymein-bridge auth`" not in str(raised.value)
    assert str(raised.value).endswith("enable the Gmail API in the bridge's Google Cloud project (APIs & Services > Library)")
