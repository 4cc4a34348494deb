"""`check`'s lines for operator messages (issue 19): each configured channel verified, nothing sent;
with ``--send-test ADDRESS`` one test message."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import jinja2

from bridge.config import Settings
from bridge.core.notices import Event, Message, render_message
from bridge.exceptions import BridgeError

if TYPE_CHECKING:
    from bridge.app import Deps

OK, BAD = "OK  ", "FAIL"

SAMPLE = {"id": "MM-2026-0001", "judul": "Contoh judul", "operator": "Operator Contoh", "kecamatan": "Paringin",
          "desa": "Paringin Kota", "kim": "KIM Contoh", "tautan": "https://contoh.blogspot.com/p.html",
          "alasan": "Contoh alasan", "status": "MENUNGGU"}
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

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        import apprise

        return bool(apprise.Apprise().add(url))


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
            lines.append(f"{OK} officers' digest: {when}{wait}, to {len(n.digest_to)} address(es) and {len(n.digest_urls)} URL(s)")
        except (OSError, jinja2.TemplateError) as exc:
            lines.append(f"{BAD} digest template {path}: {exc}")
        for url in n.digest_urls:
            shown = url.split("://", 1)[0] + "://…"  # a URL may hold a token
            lines.append(f"{OK} digest URL {shown} understood" if _apprise_understands(url)
                         else f"{BAD} digest URL {shown} not understood by Apprise (see its wiki for the format)")
    for name, url in n.kim_channels.items():
        shown = url.split("://", 1)[0] + "://…"
        sample = {"telegram": "-1001234567890", "whatsapp": "6281234567890", "webhook": "example.com/hook"}.get(name, "x")
        lines.append(f"{OK} KIM channel {name}: {shown} understood" if _apprise_understands(url.replace("{address}", sample))
                     else f"{BAD} KIM channel {name}: {shown} not understood by Apprise ([notify] kim_channels)")
    return lines


def notice_lines(settings: Settings, deps: Deps, send_test: str = "") -> list[str]:
    """Nothing when operator messages are off (and no test is asked for)."""
    n = settings.notify
    if not n.operator_messages:
        return [f"{BAD} --send-test: operator messages are off ([notify] operator_messages = false)"] if send_test else []
    lines: list[str] = []
    for event in n.events:
        path = n.templates / f"notice_{event}.txt"
        try:
            render_message(path.read_text(encoding="utf-8"), SAMPLE)
        except (OSError, jinja2.TemplateError) as exc:
            lines.append(f"{BAD} message template {path}: {exc}")
    if not any(line.startswith(BAD) for line in lines):
        lines.append(f"{OK} message templates for {', '.join(n.events)} in {n.templates}")
    if n.channel == "email":
        from bridge.adapters.auth import GMAIL_SEND_SCOPE

        scopes = None if settings.uses_sandbox else _token_scopes(settings)
        if scopes is not None and GMAIL_SEND_SCOPE not in scopes:
            lines.append(f"{BAD} e-mail: the token does not allow sending mail (gmail.send): run `mymein-bridge auth` again")
        else:
            lines.append(f"{OK} e-mail: operator messages go through Gmail as the bridge's account")
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
            import apprise

            for url in n.apprise_urls:
                shown = url.split("://", 1)[0] + "://…"  # a URL may hold a token or a password
                if apprise.Apprise().add(url.replace("{address}", "test%40example.com")):
                    lines.append(f"{OK} apprise: {shown} URL understood")
                else:
                    lines.append(f"{BAD} apprise: {shown} URL not understood by Apprise (see its wiki for the format)")
    if send_test:
        try:
            deps.notifier.send(Message(send_test, TEST_SUBJECT, TEST_BODY, f"test:{Event.DITERIMA.value}"))
            lines.append(f"{OK} test message sent to {send_test}")
        except BridgeError as exc:
            lines.append(f"{BAD} test message to {send_test}: {exc}")
    return lines


__all__ = ["digest_lines", "notice_lines"]
