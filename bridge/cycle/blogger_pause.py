"""Blogger's daily limits (issue 17): after the first refusal, nothing is sent to Blogger until tomorrow.

Blogger limits new posts per day ("wait 24 hours", Blogger Help on word verification) and the API has
a daily request quota; asking again the same day cannot help. The pause ends at 00:00 WITA the next
day by Google's clock; while it lasts there is no insert, no retry, no listing, and the waiting rows
carry one plain Indonesian note.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bridge.cycle.context import CycleContext
from bridge.exceptions import LimitError

log = logging.getLogger("bridge.publish")



def paused_until(deps: CycleContext) -> datetime | None:
    """The end of the pause, if one is running now."""
    until = deps.ledger.state.blogger_paused_until
    return until if until is not None and deps.google_now() < until else None


def pause(deps: CycleContext, exc: LimitError, what: str) -> datetime:
    """Start (or keep) the pause until tomorrow 00:00 WITA; returns its end."""
    local = deps.google_now().astimezone(deps.settings.tz)
    until = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=deps.settings.tz)
    if not deps.dry_run:
        with deps.ledger.transaction():
            deps.ledger.state.blogger_paused_until = until
    log.error("Blogger refused %s for today (%s); nothing more is sent to Blogger until %s", what, exc, until.isoformat())
    return until


__all__ = ["paused_until", "pause"]
