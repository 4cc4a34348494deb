"""The OAuth grant's end (issue 19): IT is warned once, days before a *Testing* grant ends.

`auth` records the consent time in the token file (:data:`bridge.adapters.auth.CONSENTED_AT`); the
config says whether the OAuth app is in Testing (``[google] oauth_app_status``). From
``grant_warn_days`` before the end, `run` sends one IT alert through ``[notify] it_alerts``, and
remembers it in the token file (beside the consent it is about, so a new `auth` starts afresh) and in
the ledger: whichever survives (a lost ledger, a token file the service cannot write) stops a second
one, across restarts. A failed send is tried again after the next cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bridge.adapters.auth import CONSENTED_AT, EXPIRY_WARNED, note_in_token, read_token_notes
from bridge.adapters.ledger import Ledger
from bridge.config import Settings
from bridge.core.grant import Grant, GrantState, alert_text

log = logging.getLogger("bridge.grant")

def grant_of(settings: Settings) -> Grant | None:
    """The grant as the config and the token file say; None for the sandbox's own token (no grant)."""
    if settings.uses_sandbox:
        return None
    notes = read_token_notes(settings.token)
    try:
        consented: datetime | None = datetime.fromisoformat(notes[CONSENTED_AT]).astimezone(settings.tz)
    except (KeyError, ValueError):
        consented = None
    return Grant(settings.oauth_app_status == "testing", consented, settings.grant_warn_days)


def warn_grant_ending(settings: Settings, now: datetime, ledger: Ledger,
                      alert: Callable[[str, str], None] | None) -> bool:
    """Tell IT once that the grant ends within ``grant_warn_days``; True when told now."""
    grant = grant_of(settings)
    if grant is None or grant.state(now) is not GrantState.ENDING or grant.consented_at is None:
        return False
    key = grant.consented_at.isoformat(timespec="seconds")
    notes = read_token_notes(settings.token)
    if key in (notes.get(EXPIRY_WARNED), ledger.state.grant_warned):
        return False
    subject, body = alert_text(grant, now.astimezone(settings.tz))
    log.warning("the OAuth grant ends %s (app in Testing): run `mymein-bridge auth` again before then",
                grant.ends_at.isoformat(timespec="minutes") if grant.ends_at else "?")
    if alert is not None:
        try:
            alert(subject, body)
        except Exception as exc:  # noqa: BLE001 - an alert that cannot go must not stop the service
            log.warning("IT alert '%s' not sent, will try again after the next cycle: %s", subject, exc)
            return False
    with ledger.transaction():
        ledger.state.grant_warned = key
    try:
        note_in_token(settings.token, EXPIRY_WARNED, key)
    except (OSError, ValueError) as exc:  # the ledger remembers it meanwhile
        log.warning("could not note the grant warning in %s (%s); the ledger keeps it", settings.token, exc)
    return True


__all__ = ["grant_of", "warn_grant_ending"]
