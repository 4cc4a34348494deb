"""Partnership alerts in the cycle: one log line per cycle (never one per row), from what the
cycle has already read (the KIM tab and the Review tab), at no extra Sheets request.

The "no accepted submission in N days" alert needs each KIM's latest accepted submission.
Rows leave Review for Arsip after ``archive_after_days``, so the latest day seen in Review is
kept in the ledger's meta table (a cache: after a lost ledger it starts again from Review,
and `check` and `report` read Arsip themselves).
"""

from __future__ import annotations

import json
import logging
from datetime import date

from bridge.app import Deps
from bridge.core import columns
from bridge.core.model import ReviewColumn, kim_key
from bridge.core.registry import Alert, partnership_alerts, summarise_alerts
from bridge.core.report import APPROVED
from bridge.cycle.snapshot import Snapshot

log = logging.getLogger("bridge.alerts")

LAST_ACCEPTED = "kim_last_accepted"


def cycle_alerts(deps: Deps, snap: Snapshot) -> list[Alert]:
    """Compute the alerts as of today and log them in one line."""
    s = deps.settings
    try:
        known = {k: date.fromisoformat(v) for k, v in json.loads(deps.ledger.get_meta(LAST_ACCEPTED, "{}") or "{}").items()}
    except (ValueError, TypeError, AttributeError):
        known = {}
    seen = dict(known)
    for row in snap.review:
        if row.cached:
            continue  # as last read: already counted then (a status an officer changes is read afresh)
        kim = row.get(ReviewColumn.KIM).strip()
        when = columns.parse_datetime_cell(row.get(ReviewColumn.RECEIVED), s.tz)
        if kim and when is not None and row.status in APPROVED:
            key, day = kim_key(kim), when.date()
            if key not in seen or day > seen[key]:
                seen[key] = day
    if seen != known and not deps.dry_run:
        deps.ledger.set_meta(LAST_ACCEPTED, json.dumps({k: v.isoformat() for k, v in sorted(seen.items())}))
    alerts = partnership_alerts(snap.kim, seen, deps.now().date(), sk_warning_days=s.sk_warning_days, quiet_days=s.quiet_days)
    log.info(summarise_alerts(alerts), extra={"fields": {"event": "partnership_alerts", "alerts": len(alerts)}})
    return alerts


__all__ = ["cycle_alerts"]
