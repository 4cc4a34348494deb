"""When the bridge's OAuth grant ends, pure (issue 19).

Google ends every refresh token of an OAuth app whose consent screen is left in *Testing* 7 days
after the consent: "A Google Cloud Platform project with an OAuth consent screen configured for an
external user type and a publishing status of 'Testing' is issued a refresh token expiring in 7
days" (https://developers.google.com/identity/protocols/oauth2#expiration; also "'Testing' status
tokens always expire in 7 days regardless of the selected duration",
https://developers.google.com/data-portability/user-guide/configure-oauth). An app *In production*
has no such end. The bridge cannot ask Google which status the app has, so the config says it
(``[google] oauth_app_status``), and `auth` records when the consent was given (in the token file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TESTING_GRANT = timedelta(days=7)


class GrantState(StrEnum):
    """What the grant's end means now."""

    PRODUCTION = "production"  # the app is In production: no 7-day end
    UNKNOWN = "unknown"  # Testing, but the token file has no consent time (written before it was recorded)
    OK = "ok"  # Testing, ends later than the warning days
    ENDING = "ending"  # Testing, ends within the warning days: warn IT once
    ENDED = "ended"  # Testing, the 7 days are over: Google refuses the token


@dataclass(frozen=True)
class Grant:
    """The grant as config and token file describe it."""

    testing: bool
    consented_at: datetime | None
    warn_days: int = 2

    @property
    def ends_at(self) -> datetime | None:
        return self.consented_at + TESTING_GRANT if self.testing and self.consented_at is not None else None

    @property
    def warn_from(self) -> datetime | None:
        ends = self.ends_at
        return ends - timedelta(days=self.warn_days) if ends is not None else None

    def state(self, now: datetime) -> GrantState:
        if not self.testing:
            return GrantState.PRODUCTION
        ends, warn_from = self.ends_at, self.warn_from
        if ends is None or warn_from is None:
            return GrantState.UNKNOWN
        if now >= ends:
            return GrantState.ENDED
        return GrantState.ENDING if now >= warn_from else GrantState.OK


def _left(ends: datetime, now: datetime) -> str:
    hours = max(0, int((ends - now).total_seconds() // 3600))
    return f"{hours // 24} hari {hours % 24} jam" if hours >= 24 else f"{hours} jam"


def sheet_text(grant: Grant, now: datetime) -> str:
    """One line for the sheet's status tab (Indonesian), empty when there is nothing to say."""
    state, ends = grant.state(now), grant.ends_at
    if state is GrantState.ENDING and ends is not None:
        return (f"Izin Google bridge berakhir {ends:%d/%m/%Y %H:%M} WITA ({_left(ends, now)} lagi; aplikasi OAuth masih "
                "berstatus Testing). Minta TI menjalankan `mymein-bridge auth` sebelum itu, atau menerbitkan aplikasi "
                "(In production).")
    if state is GrantState.ENDED and ends is not None:
        return (f"Izin Google bridge sudah berakhir {ends:%d/%m/%Y %H:%M} WITA (aplikasi OAuth berstatus Testing). Minta TI "
                "menjalankan `mymein-bridge auth`.")
    return ""


def alert_text(grant: Grant, now: datetime) -> tuple[str, str]:
    """(subject, body) of the IT warning, in Indonesian like the other IT alerts."""
    ends = grant.ends_at
    assert ends is not None and grant.consented_at is not None
    return ("MY MEIN bridge: izin Google segera berakhir",
            f"Izin Google bridge (token dari `mymein-bridge auth` pada {grant.consented_at:%d/%m/%Y %H:%M} WITA) berakhir "
            f"{ends:%d/%m/%Y %H:%M} WITA, {_left(ends, now)} lagi: aplikasi OAuth di Google Cloud Console masih berstatus "
            "Testing, dan Google mengakhiri izinnya 7 hari setelah persetujuan.\n\n"
            "Sebelum itu, jalankan `mymein-bridge auth -c CONFIG` lagi di server (lalu `mymein-bridge check -c CONFIG`); "
            "atau terbitkan aplikasi (OAuth consent screen > Publish app, status In production), jalankan `auth` sekali "
            "lagi, dan tulis [google] oauth_app_status = \"production\" di konfigurasi.\n\n"
            "Pesan ini dikirim sekali untuk izin ini.")


def check_line(grant: Grant, now: datetime) -> tuple[bool, str]:
    """(a warning?, the line `check` prints, in English like its other lines)."""
    state, ends = grant.state(now), grant.ends_at
    if state is GrantState.PRODUCTION:
        return False, "OAuth app In production ([google] oauth_app_status): the grant has no 7-day end"
    if state is GrantState.UNKNOWN:
        return True, ("OAuth app in Testing ([google] oauth_app_status): Google ends the grant 7 days after `auth`, but this "
                      "token file does not say when `auth` was run (written by an older version); run `mymein-bridge auth` "
                      "again to start the count, or set oauth_app_status = \"production\" once the app is published")
    assert ends is not None
    left = ends - now
    when = f"{ends:%d/%m/%Y %H:%M} WITA"
    if state is GrantState.ENDED:
        return True, f"OAuth app in Testing: the grant ended {when}; run `mymein-bridge auth` again"
    days = left.days
    text = (f"OAuth app in Testing: the grant ends {when} ({days} day(s) {left.seconds // 3600} hour(s) left); run "
            "`mymein-bridge auth` again before then, or publish the app (In production)")
    return state is GrantState.ENDING, text


__all__ = ["TESTING_GRANT", "Grant", "GrantState", "alert_text", "check_line", "sheet_text"]
