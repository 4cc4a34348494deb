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


__all__ = ["notice_lines"]
