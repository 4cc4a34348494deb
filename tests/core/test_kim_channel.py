"""The KIM tab's 'Kanal Notifikasi' and 'Alamat Notifikasi' (pure)."""

from __future__ import annotations

from bridge.core.kim_channel import ChannelProblem, KimChannel, Route, kim_routes, route_of
from bridge.core.model import KimRecord

URLS = {"telegram": "tgram://BOT/{address}", "whatsapp": "whatsapp://T@P/{address}", "webhook": "jsons://{address}"}


def _kim(channel: str, address: str = "", name: str = "KIM A") -> KimRecord:
    return KimRecord(name, "Paringin", "Lasung Batu", row_number=3, notify_channel=channel, notify_address=address)


def test_each_channel_maps_to_its_url() -> None:
    """A KIM's messages would go to the wrong place, or to a URL built from an unescaped address."""
    assert route_of(_kim(""), URLS) is None
    assert route_of(_kim("Email", "Op@Desa.id"), URLS) == Route(KimChannel.EMAIL, "op@desa.id")
    assert route_of(_kim("email"), URLS) is None, "email without an address: the form's e-mail"
    assert route_of(_kim("TG", "-1001234567890"), URLS) == Route(KimChannel.TELEGRAM, "-1001234567890", "tgram://BOT/-1001234567890")
    assert route_of(_kim("wa", "0812-3456-7890"), URLS) == Route(KimChannel.WHATSAPP, "6281234567890", "whatsapp://T@P/6281234567890")
    assert route_of(_kim("webhook", "https://gw.example.id/kirim?x=1"), URLS) == Route(
        KimChannel.WEBHOOK, "https://gw.example.id/kirim?x=1", "jsons://gw.example.id/kirim?x=1")
    assert route_of(_kim("tidak ada"), URLS) == Route(KimChannel.NONE, "")


def test_a_bad_row_is_a_specific_reason_and_stops_nothing() -> None:
    """An officer's typo would stop the cycle, or leave the operators unreached with no word of why."""
    cases = {
        ("sms", "0812"): "Kanal Notifikasi 'sms' tidak dikenal",
        ("telegram", ""): "Kanal Notifikasi telegram tanpa Alamat Notifikasi",
        ("telegram", "budi"): "bukan ID chat Telegram",
        ("whatsapp", "12"): "bukan nomor WhatsApp",
        ("webhook", "gw.example.id"): "bukan alamat webhook",
        ("webhook", "http://gw.example.id/kirim"): "harus diawali https://",
        ("webhook", "http://127.0.0.1.example.id/kirim"): "harus diawali https://",
        ("email", "budi@"): "bukan alamat email yang benar",
        ("", "budi@desa.id"): "Kanal Notifikasi kosong",
    }
    for (channel, address), words in cases.items():
        found = route_of(_kim(channel, address), URLS)
        assert isinstance(found, ChannelProblem) and words in found.id, (channel, address, found)
        assert found.id.startswith("Baris 3 (KIM A): ") and found.id.endswith("dikirim ke email di formulir.")
    missing = route_of(_kim("telegram", "-1001234567890"), {})
    assert isinstance(missing, ChannelProblem) and "belum disiapkan staf TI" in missing.id
    routes, problems = kim_routes([_kim("sms", name="KIM B"), _kim("telegram", "@kimbalangan", name="KIM  a")], URLS)
    assert list(routes) == ["kim a"] and [p.kim for p in problems] == ["KIM B"]


def test_a_webhook_needs_https_except_on_this_machine() -> None:
    """Messages would cross the internet unencrypted to an http:// gateway, though officers are told https:// is required."""
    for address in ("http://127.0.0.1:8765/_sandbox/webhook/karet", "http://localhost/relay", "http://[::1]:9000/x",
                    "https://gw.example.id/kirim"):
        assert isinstance(route_of(_kim("webhook", address), URLS), Route), address
    for address in ("http://gw.example.id/kirim", "http://10.0.0.5/x", "http://127.0.0.1@evil.example/x", "ftp://gw.example.id"):
        assert isinstance(route_of(_kim("webhook", address), URLS), ChannelProblem), address
