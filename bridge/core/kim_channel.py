"""Where a KIM's operator messages go (issue 19): the KIM tab's ``Kanal Notifikasi`` and
``Alamat Notifikasi`` cells, checked per row and mapped to an Apprise URL by ``[notify] kim_channels``.

Pure: registry records and the configured URL templates in, routes and problems out. A row that
cannot be used is a :class:`ChannelProblem` (Indonesian for officers, English for the log) and its
KIM's messages go to the form's e-mail, as when the cells are empty; one bad row stops nothing.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bridge.core.model import KimRecord, kim_key


class KimChannel(StrEnum):
    """What an officer may write in ``Kanal Notifikasi``."""

    EMAIL = "email"  # to Alamat Notifikasi (or the form's e-mail) through [notify] channel
    TELEGRAM = "telegram"  # a chat id (-100123...) or @channel, through kim_channels.telegram
    WHATSAPP = "whatsapp"  # a phone number, through kim_channels.whatsapp (the official Cloud API)
    WEBHOOK = "webhook"  # an https URL (http only to a loopback host), through kim_channels.webhook (e.g. a WhatsApp gateway)
    NONE = "tidak"  # this KIM gets no messages


#: Other words officers are likely to type for the same choice.
ALIASES: dict[str, KimChannel] = {
    "e-mail": KimChannel.EMAIL, "surel": KimChannel.EMAIL, "tg": KimChannel.TELEGRAM, "wa": KimChannel.WHATSAPP,
    "none": KimChannel.NONE, "tidak ada": KimChannel.NONE, "mati": KimChannel.NONE, "-": KimChannel.NONE,
}
CHOICES = "email, telegram, whatsapp, webhook atau tidak"

_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")
_TELEGRAM = re.compile(r"^(-?\d{5,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
_WEBHOOK = re.compile(r"^https://[^\s/@]+\.[^\s/@]+(/\S*)?$", re.IGNORECASE)
#: Plain http only to this machine (the sandbox's webhook sink in tests, a local relay): nothing crosses a
#: network unencrypted, so the officers' message and README can say "https://" and mean it.
_LOOPBACK_HTTP = re.compile(r"^http://(127(?:\.\d{1,3}){3}|localhost|\[::1\])(:\d{1,5})?(/\S*)?$", re.IGNORECASE)


def _webhook_ok(address: str) -> bool:
    """An https URL with a dotted host, or http to a loopback host."""
    return bool(_WEBHOOK.match(address) or _LOOPBACK_HTTP.match(address))


@dataclass(frozen=True)
class Route:
    """Where one KIM's messages go instead of the form's e-mail."""

    channel: KimChannel
    address: str  # the e-mail, chat id, phone number (62...) or webhook URL
    url: str = ""  # the Apprise URL; "" for email (it goes through [notify] channel) and NONE


@dataclass(frozen=True)
class ChannelProblem:
    """A KIM row whose channel cannot be used: its messages go to the form's e-mail."""

    kim: str
    row: int
    id: str  # Indonesian, for officers
    en: str  # English, for the log


def parse_channel(text: str) -> KimChannel | None:
    """The channel a cell names (case, spaces ignored); None when the word is unknown."""
    word = " ".join(text.casefold().split())
    try:
        return KimChannel(word)
    except ValueError:
        return ALIASES.get(word)


def _phone(text: str) -> str:
    """'0812-3456 7890' / '+62 812...' → '6281234567890'; '' when it is no phone number."""
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits if digits.isdigit() and 10 <= len(digits) <= 15 else ""


def route_of(record: KimRecord, templates: Mapping[str, str] | None) -> Route | ChannelProblem | None:
    """The record's route; None when its messages go to the form's e-mail (the cells are empty, or
    ``email`` without an address); a problem when a cell cannot be used.

    Args:
        templates: ``[notify] kim_channels`` (channel → Apprise URL with ``{address}``); None checks the
            cells only (the registry self-check, which does not know the configuration).
    """
    typed, address = record.notify_channel.strip(), record.notify_address.strip()

    def problem(id_: str, en: str) -> ChannelProblem:
        return ChannelProblem(record.name, record.row_number, f"Baris {record.row_number} ({record.name or 'tanpa nama'}): {id_} "
                              "Pesan untuk operator KIM ini dikirim ke email di formulir.", en)

    if not typed:
        if address:
            return problem(f"Alamat Notifikasi '{address}' diisi tetapi Kanal Notifikasi kosong; pilih {CHOICES}.",
                           "Alamat Notifikasi filled but Kanal Notifikasi empty")
        return None
    channel = parse_channel(typed)
    if channel is None:
        return problem(f"Kanal Notifikasi '{typed}' tidak dikenal; pilih {CHOICES}.", f"unknown Kanal Notifikasi {typed!r}")
    if channel == KimChannel.NONE:
        return Route(channel, "")
    if channel == KimChannel.EMAIL:
        if not address:
            return None
        if not _EMAIL.match(address):
            return problem(f"Alamat Notifikasi '{address}' bukan alamat email yang benar.", f"malformed e-mail {address!r}")
        return Route(channel, address.lower())
    if not address:
        return problem(f"Kanal Notifikasi {channel.value} tanpa Alamat Notifikasi; tulis alamatnya.", f"{channel.value} without an address")
    if channel == KimChannel.TELEGRAM:
        if not _TELEGRAM.match(address):
            return problem(f"Alamat Notifikasi '{address}' bukan ID chat Telegram (angka seperti -1001234567890, atau @namakanal).",
                           f"not a Telegram chat id: {address!r}")
        value, quoted = address, urllib.parse.quote(address, safe="")
    elif channel == KimChannel.WHATSAPP:
        value = _phone(address)
        if not value:
            return problem(f"Alamat Notifikasi '{address}' bukan nomor WhatsApp (tulis seperti 081234567890).",
                           f"not a phone number: {address!r}")
        quoted = value
    else:
        if not _webhook_ok(address):
            return problem(f"Alamat Notifikasi '{address}' bukan alamat webhook (harus diawali https://).",
                           f"not a webhook URL: {address!r}")
        value, quoted = address, address.split("://", 1)[1]
    if templates is None:
        return Route(channel, value)
    template = templates.get(channel.value)
    if not template:
        return problem(f"Kanal Notifikasi {channel.value} belum disiapkan staf TI ([notify] kim_channels).",
                       f"channel {channel.value} not configured in [notify] kim_channels")
    return Route(channel, value, template.replace("{address}", quoted))


def kim_routes(records: Iterable[KimRecord], templates: Mapping[str, str]) -> tuple[dict[str, Route], list[ChannelProblem]]:
    """Every named KIM's route (by :func:`~bridge.core.model.kim_key`) and the rows that cannot be used.
    A KIM listed twice takes its first row (the registry self-check reports the duplicate)."""
    routes: dict[str, Route] = {}
    problems: list[ChannelProblem] = []
    seen: set[str] = set()
    for record in records:
        key = kim_key(record.name)
        if not key or key in seen:
            continue
        seen.add(key)
        found = route_of(record, templates)
        if isinstance(found, ChannelProblem):
            problems.append(found)
        elif found is not None:
            routes[key] = found
    return routes, problems


__all__ = ["ALIASES", "ChannelProblem", "KimChannel", "Route", "kim_routes", "parse_channel", "route_of"]
