"""`check`'s lines for operator messages (issue 19): each configured channel verified, nothing sent;
with ``--send-test ADDRESS`` one test message."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import jinja2

from bridge.adapters.notify import shown_url
from bridge.config import Settings, notice_template
from bridge.core.notices import Event, Message, render_message
from bridge.exceptions import BridgeError

if TYPE_CHECKING:
    from bridge.cycle.context import CycleContext

OK, BAD, WARN = "OK  ", "FAIL", "WARN"

SAMPLE = {"id": "MM-2026-0001", "judul": "Contoh judul", "operator": "Operator Contoh", "kecamatan": "Paringin",
          "desa": "Paringin Kota", "kim": "KIM Contoh", "tautan": "https://contoh.blogspot.com/p.html",
          "alasan": "Contoh alasan", "status": "MENUNGGU",
          "langkah": "Silakan perbaiki lalu kirim ulang lewat formulir yang sama.", "kirim_ulang": True}  # perlu-perbaikan
TEST_SUBJECT = "Pesan uji MY MEIN bridge"
TEST_BODY = "Ini pesan uji dari `mymein-bridge check --send-test`. Bila Anda menerimanya, saluran pesan bekerja."


def _token_scopes(settings: Settings) -> list[str] | None:
    try:
        info = json.loads(settings.token.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    scopes = info.get("scopes")
    return [str(s) for s in scopes] if isinstance(scopes, list) else None


def _apprise_understands(url: str) -> bool:
    import warnings

    from bridge.adapters.notify import quiet_apprise

    with warnings.catch_warnings(), quiet_apprise():
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        import apprise

        return bool(apprise.Apprise().add(url))


TELEGRAM_API = "https://api.telegram.org"


def get_me(token: str) -> tuple[bool | None, str]:
    """Telegram's ``getMe``, "a simple method for testing your bot's authentication token"
    (https://core.telegram.org/bots/api#getme): (True, "@username") when the token works, (False, why)
    when Telegram refuses it (401 Unauthorized, 404 for a malformed one), (None, why) when Telegram
    cannot be reached from here. Never raises; the token never appears in what it returns."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{TELEGRAM_API}/bot{token}/getMe", timeout=5) as resp:  # noqa: S310 - fixed https host
            data = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return (False if exc.code in (401, 404) else None), f"HTTP {exc.code} {exc.reason}"
    except (OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc)).replace(token, "…")
    result = data.get("result") if isinstance(data, dict) else None
    return True, "@" + str((result or {}).get("username", "?"))


def _telegram_token(url: str) -> str:
    """The bot token of a ``tgram://`` URL Apprise understands, else ''."""
    import warnings

    from bridge.adapters.notify import quiet_apprise

    if not url.lower().startswith("tgram://"):
        return ""
    with warnings.catch_warnings(), quiet_apprise():
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        import apprise

        plugin = apprise.Apprise.instantiate(url)
    return str(getattr(plugin, "bot_token", "") or "")


def _telegram_line(settings: Settings, label: str, url: str) -> str | None:
    """Whether Telegram accepts the URL's bot token (issue 19: "the Telegram bot token answers getMe
    where it can reach it"); None for other URLs, and against the sandbox (no call leaves this machine)."""
    token = "" if settings.uses_sandbox else _telegram_token(url)
    if not token:
        return None
    works, detail = get_me(token)
    if works:
        return f"{OK} {label}: Telegram bot {detail} answers (getMe)"
    if works is False:
        return f"{BAD} {label}: Telegram refused the bot token (getMe: {detail}); copy it again from @BotFather"
    return f"{WARN} {label}: Telegram could not be asked about the bot token from this server (getMe: {detail})"


def digest_lines(settings: Settings) -> list[str]:
    """The officers' digest and the per-KIM channels (issue 19): template and URLs, nothing sent."""
    from bridge.core.digest import DigestInput, Health, Sending, context
    from bridge.cycle.digest import TEMPLATE

    n = settings.notify
    lines: list[str] = []
    if n.digest:
        path = n.templates / TEMPLATE
        try:
            from datetime import datetime

            now = datetime(2026, 1, 1, 7, 30, tzinfo=settings.tz)
            render_message(path.read_text(encoding="utf-8"), context(DigestInput(Sending("harian", now, now), [], "SHEET", 0, 24, 10,
                                                                                    health=Health())))
            when = f"daily at {n.digest_at} WITA" if n.digest_at else "no daily digest"
            wait = f", reminder after {n.digest_wait_hours} h of waiting" if n.digest_wait_hours else ""
            if not n.digest_at and not n.digest_wait_hours:
                lines.append(f"{WARN} officers' digest: never sent (digest_at is empty and digest_wait_hours is 0); set one "
                             "of them, or empty digest_to and digest_urls")
            else:
                lines.append(f"{OK} officers' digest: {when}{wait}, to {len(n.digest_to)} address(es) and "
                             f"{len(n.digest_urls)} URL(s)")
        except (OSError, jinja2.TemplateError) as exc:
            lines.append(f"{BAD} digest template {path}: {exc}")
        for url in n.digest_urls:
            shown = shown_url(url)  # a URL may hold a token
            if not _apprise_understands(url):
                lines.append(f"{BAD} digest URL {shown} not understood by Apprise ([notify] digest_urls; see its wiki for the format)")
                continue
            lines.append(_telegram_line(settings, f"digest URL {shown}", url) or f"{OK} digest URL {shown} understood")
    for name, url in n.kim_channels.items():
        shown = shown_url(url)
        sample = {"telegram": "-1001234567890", "whatsapp": "6281234567890", "webhook": "example.com/hook"}.get(name, "x")
        filled = url.replace("{address}", sample)
        if not _apprise_understands(filled):
            lines.append(f"{BAD} KIM channel {name}: {shown} not understood by Apprise ([notify] kim_channels)")
            continue
        lines.append(_telegram_line(settings, f"KIM channel {name}", filled) or f"{OK} KIM channel {name}: {shown} understood")
    return lines


def _users(settings: Settings) -> list[str]:
    """What goes through ``[notify] channel``: operator messages, IT alerts, the digest's ``digest_to``."""
    n = settings.notify
    return [what for what, on in (("operator messages", n.operator_messages), ("IT alerts", bool(n.it_alerts)),
                                  ("the digest to digest_to", bool(n.digest_to))) if on]


def _test_channel(settings: Settings, deps: CycleContext) -> Any:
    channel = deps.notifier or deps.officer_channel
    if channel is None and settings.notify.it_alerts:  # `run` builds the IT alerts' channel at each alert
        from bridge.app import build_channel, load_credentials

        creds = load_credentials(settings).blogger if settings.notify.channel == "email" else None
        channel = build_channel(settings, creds, settings.endpoint)
    return channel


def notice_lines(settings: Settings, deps: CycleContext, send_test: str = "") -> list[str]:
    """The templates when operator messages are on, and ``[notify] channel`` whenever anything uses it
    (operator messages, IT alerts, the digest's addresses): nothing when nothing does."""
    n = settings.notify
    users = _users(settings)
    if not users:
        return [f"{BAD} --send-test: nothing is sent through [notify] channel (operator_messages = false, "
                "it_alerts and digest_to empty)"] if send_test else []
    lines: list[str] = []
    if n.operator_messages:
        for event in n.events:
            path = notice_template(n.templates, event)
            try:
                render_message(path.read_text(encoding="utf-8"), SAMPLE)
            except (OSError, jinja2.TemplateError) as exc:
                lines.append(f"{BAD} message template {path}: {exc}")
        if not any(line.startswith(BAD) for line in lines):
            lines.append(f"{OK} message templates for {', '.join(n.events)} in {n.templates}")
    who = ", ".join(users[:-1]) + " and " + users[-1] if len(users) > 1 else users[0]
    if n.channel == "email":
        from bridge.adapters.auth import GMAIL_SEND_SCOPE

        scopes = None if settings.uses_sandbox else _token_scopes(settings)
        if scopes is not None and GMAIL_SEND_SCOPE not in scopes:
            lines.append(f"{BAD} e-mail: the token does not allow sending mail (gmail.send), needed for {who}: "
                         "run `mymein-bridge auth` again")
        else:
            lines.append(f"{OK} e-mail: {who} go through Gmail as the bridge's account")
    else:
        for url in n.apprise_urls:
            shown = shown_url(url)  # a URL may hold a token or a password
            filled = url.replace("{address}", "test%40example.com")
            if _apprise_understands(filled):
                lines.append(_telegram_line(settings, f"apprise: {shown}", filled) or f"{OK} apprise: {shown} URL understood")
            else:
                lines.append(f"{BAD} apprise: {shown} URL not understood by Apprise (see its wiki for the format)")
    if send_test:
        try:
            _test_channel(settings, deps).send(Message(send_test, TEST_SUBJECT, TEST_BODY, f"test:{Event.DITERIMA.value}"))
            lines.append(f"{OK} test message sent to {send_test}")
        except BridgeError as exc:
            lines.append(f"{BAD} test message to {send_test}: {exc}")
    return lines


__all__ = ["digest_lines", "notice_lines"]
