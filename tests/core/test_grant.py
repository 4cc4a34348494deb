"""When a Testing OAuth grant ends (issue 19), on plain data."""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.core.grant import Grant, GrantState, alert_text, check_line, sheet_text
from tests.conftest import WITA

CONSENT = datetime(2026, 11, 20, 9, 30, tzinfo=WITA)


def test_a_testing_grant_ends_seven_days_after_consent_and_warns_two_days_before() -> None:
    """IT would be warned too early, too late, or not at all before Google ends a Testing grant."""
    g = Grant(True, CONSENT, 2)
    assert g.ends_at == CONSENT + timedelta(days=7)
    assert g.state(CONSENT + timedelta(days=4, hours=23, minutes=59)) is GrantState.OK
    assert g.state(CONSENT + timedelta(days=5)) is GrantState.ENDING
    assert g.state(CONSENT + timedelta(days=7)) is GrantState.ENDED
    assert Grant(True, CONSENT, 3).state(CONSENT + timedelta(days=4)) is GrantState.ENDING


def test_production_and_unknown_consent_never_warn() -> None:
    """An app In production, or a token file from before the consent time was kept, would raise a made-up deadline."""
    assert Grant(False, CONSENT).state(CONSENT + timedelta(days=30)) is GrantState.PRODUCTION
    assert Grant(True, None).state(CONSENT) is GrantState.UNKNOWN
    assert sheet_text(Grant(True, None), CONSENT) == ""
    assert check_line(Grant(False, CONSENT), CONSENT) == (
        False, "OAuth app In production ([google] oauth_app_status): the grant has no 7-day end")
    warn, text = check_line(Grant(True, None), CONSENT)
    assert warn and "does not say when `auth` was run" in text


def test_the_words_officers_and_it_read() -> None:
    """Officers and IT would not learn when the grant ends or what to run."""
    g, now = Grant(True, CONSENT, 2), CONSENT + timedelta(days=5, hours=1)
    assert sheet_text(g, CONSENT) == ""
    assert sheet_text(g, now) == (
        "Izin Google bridge berakhir 27/11/2026 09:30 WITA (1 hari 23 jam lagi; aplikasi OAuth masih berstatus Testing). "
        "Minta TI menjalankan `mymein-bridge auth` sebelum itu, atau menerbitkan aplikasi (In production).")
    subject, body = alert_text(g, now)
    assert subject == "MY MEIN bridge: izin Google segera berakhir"
    assert "berakhir 27/11/2026 09:30 WITA, 1 hari 23 jam lagi" in body and "mymein-bridge auth -c CONFIG" in body
    assert check_line(g, now) == (True, "OAuth app in Testing: the grant ends 27/11/2026 09:30 WITA (1 day(s) 23 hour(s) "
                                        "left); run `mymein-bridge auth` again before then, or publish the app (In production)")
    assert check_line(g, CONSENT + timedelta(days=8))[1] == ("OAuth app in Testing: the grant ended 27/11/2026 09:30 WITA; "
                                                             "run `mymein-bridge auth` again")
