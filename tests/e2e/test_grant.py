"""The Testing grant's end (issue 19) through the sandbox: `auth` records the consent, `check` and
`run` tell when it ends, and IT is warned once, on its day, across restarts and a lost ledger."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bridge.adapters.auth import CONSENTED_AT, EXPIRY_WARNED
from bridge.app import it_alert
from bridge.cli import EXIT_OK, main
from bridge.config import load_settings
from bridge.cycle.grant import warn_grant_ending
from bridge.exceptions import AuthError
from bridge.sandbox.gmail import outbox

from .conftest import Bridge

SUBJECT = "MY MEIN bridge: izin Google segera berakhir"


def _signed_in(bridge: Bridge, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               **extra: Any) -> tuple[dict[str, Any], Path]:
    """`auth` at the sandbox's consent screen, for an OAuth app in Testing; the options of a user config."""
    import requests

    bridge.sandbox.state.data.setdefault("auth", {})["publishing_status"] = "testing"
    client = bridge.workdir / "credentials.json"
    client.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "secret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"]}}), encoding="utf-8")
    client.chmod(0o600)
    token = bridge.workdir / "token.json"
    url = bridge.sandbox.url.replace("http://", "json://") + "/_sandbox/webhook/it"
    user = {"google__auth": "user", "google__client_secret": str(client), "google__token": str(token),
            "notify__channel": "apprise", "notify__apprise_urls": [url], "notify__it_alerts": ["it@balangankab.go.id"],
            **extra}
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "0")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")

    def officer_pastes(_prompt: str) -> str:
        link = next(x.strip() for x in capsys.readouterr().out.splitlines() if "/o/oauth2/auth?" in x)
        return requests.get(link, allow_redirects=False, timeout=5).headers["Location"]

    monkeypatch.setattr("builtins.input", officer_pastes)
    assert main(["auth", "-c", str(bridge.write_config(**user))], clock=bridge.clock) == EXIT_OK
    capsys.readouterr()
    return user, token


def _warn(bridge: Bridge, user: dict[str, Any]) -> bool:
    """What `run` does after each cycle (a fresh process each time: settings, ledger and alert anew)."""
    deps = bridge.deps(**user)
    try:
        return warn_grant_ending(deps.settings, deps.now(), deps.ledger, it_alert(deps.settings))
    finally:
        deps.close()


def _alerts(bridge: Bridge) -> list[str]:
    return [str(m.get("subject") or m.get("body", "")) for m in outbox(bridge.sandbox.state)]


def test_auth_records_the_consent_time(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Without the consent time nobody could say when a Testing grant ends."""
    user, token = _signed_in(bridge, monkeypatch, capsys)
    assert json.loads(token.read_text(encoding="utf-8"))[CONSENTED_AT] == bridge.now.isoformat(timespec="seconds")
    assert (token.stat().st_mode & 0o777) == 0o600
    assert bridge.cycle(**user).intake.queued == 8


def test_it_is_warned_once_on_its_day_across_restarts_and_a_lost_ledger(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """IT would hear nothing before Google ends the grant, hear it every cycle, or again after a restart."""
    user, token = _signed_in(bridge, monkeypatch, capsys)
    consent = bridge.now
    bridge.now = consent + timedelta(days=4, hours=23, minutes=59)  # grant_warn_days = 2: not yet
    bridge.cycle(**user)
    assert not _warn(bridge, user) and _alerts(bridge) == []
    bridge.now = consent + timedelta(days=5, minutes=1)
    bridge.cycle(**user)
    assert _warn(bridge, user)
    assert _alerts(bridge) == [SUBJECT]
    assert "berakhir 30/11/2026 10:00 WITA, 1 hari 23 jam lagi" in outbox(bridge.sandbox.state)[0]["body"]
    for minutes in (2, 3):  # the next cycles, then a restart: nothing more
        bridge.now = consent + timedelta(days=5, minutes=minutes)
        assert not _warn(bridge, user)
    bridge.lose_ledger()  # the token file remembers it
    assert not _warn(bridge, user)
    assert json.loads(token.read_text(encoding="utf-8"))[EXPIRY_WARNED] == consent.isoformat(timespec="seconds")
    assert _alerts(bridge) == [SUBJECT]
    bridge.now = consent + timedelta(days=7, minutes=1)  # not renewed: Google ends the grant as promised
    with pytest.raises(AuthError, match="expired or revoked"):
        bridge.cycle(**user)


def test_a_new_consent_starts_a_new_count(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """After IT ran `auth` again, the next grant's end would go unwarned (the old warning taken for it)."""
    user, _ = _signed_in(bridge, monkeypatch, capsys)
    bridge.now = bridge.now + timedelta(days=5, hours=1)
    assert _warn(bridge, user)
    user, token = _signed_in(bridge, monkeypatch, capsys)
    assert EXPIRY_WARNED not in json.loads(token.read_text(encoding="utf-8"))
    assert not _warn(bridge, user)
    bridge.now = bridge.now + timedelta(days=5)
    assert _warn(bridge, user)
    assert _alerts(bridge) == [SUBJECT, SUBJECT]


def test_production_apps_and_older_token_files_are_never_warned(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A published app, or a token file from an older version, would get a false deadline, or stop working."""
    user, token = _signed_in(bridge, monkeypatch, capsys, google__oauth_app_status="production")
    bridge.now = bridge.now + timedelta(days=5, hours=1)
    assert not _warn(bridge, user)
    old = json.loads(token.read_text(encoding="utf-8"))
    del old[CONSENTED_AT]
    token.write_text(json.dumps(old), encoding="utf-8")
    testing = {**user, "google__oauth_app_status": "testing"}
    assert not _warn(bridge, testing)
    assert bridge.cycle(**testing).intake.queued == 8
    assert _alerts(bridge) == []


def test_check_says_when_the_grant_ends(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """IT running `check` would not see that the grant ends in two days."""
    user, _ = _signed_in(bridge, monkeypatch, capsys)
    config = str(bridge.write_config(**user))
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert ("OK   OAuth app in Testing: the grant ends 30/11/2026 10:00 WITA (7 day(s) 0 hour(s) left); run "
            "`mymein-bridge auth` again before then, or publish the app (In production)") in lines
    bridge.now = bridge.now + timedelta(days=6)
    assert main(["check", "-c", config], clock=bridge.clock) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("WARN OAuth app in Testing: the grant ends 30/11/2026 10:00 WITA (1 day(s)") for line in lines)
    assert load_settings(Path(config), env={}).grant_warn_days == 2


def test_the_status_tab_shows_the_grant_s_end_on_its_day(bridge: Bridge, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Officers would see OK until the day the bridge stops, with no hint to ask IT to sign in again."""
    user, _ = _signed_in(bridge, monkeypatch, capsys)
    bridge.cycle(**user)
    status = {str(r[0]): str(r[1]) for r in bridge.rows("Status Bridge")}
    assert status["Keadaan"] == "OK"
    bridge.now = bridge.now + timedelta(days=5, hours=1)
    bridge.cycle(**user)
    status = {str(r[0]): str(r[1]) for r in bridge.rows("Status Bridge")}
    assert status["Keadaan"] == "ADA MASALAH"
    assert status["Keterangan"] == (
        "1. Izin Google bridge berakhir 30/11/2026 10:00 WITA (1 hari 23 jam lagi; aplikasi OAuth masih berstatus Testing). "
        "Minta TI menjalankan `mymein-bridge auth` sebelum itu, atau menerbitkan aplikasi (In production).")
