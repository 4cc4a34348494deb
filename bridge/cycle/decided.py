"""``Diputuskan (WITA)`` (issue 19): when the bridge first saw an officer's decision on a row.

Written once, in the cycle's own Review write-back (no extra request), for a row whose Status the
bridge sees become DISETUJUI or DITOLAK: the ledger's copy of the row last said MENUNGGU or TIDAK
VALID, or the row is DISETUJUI (waiting for the bridge, so decided since its last cycle). A row whose
earlier status nobody knows (a lost ledger, a tab from before the column) is left empty rather than
given a wrong time. The report's waiting times (received → decided) use it.
"""

from __future__ import annotations

from bridge.app import Deps
from bridge.core.columns import TIME_CELL_FORMAT
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.core.review_machine import DECISIONS, decision_is_new
from bridge.cycle.publish import PublishResult

TIME_FORMAT = TIME_CELL_FORMAT  # as Diterima (WITA)


def stamp_decisions(deps: Deps, rows: list[ReviewRow], review_index: dict[ReviewColumn, int], result: PublishResult) -> int:
    """Put the decision time into ``result``'s write-back for rows decided since the last cycle."""
    if ReviewColumn.DECIDED not in review_index or deps.dry_run:
        return 0
    fresh = [r for r in rows if r.id and r.status in DECISIONS and not r.get(ReviewColumn.DECIDED).strip()]
    if not fresh:
        return 0
    last = deps.ledger.last_rows_of(r.id for r in fresh)
    when = deps.now().strftime(TIME_FORMAT)
    stamped = 0
    for row in fresh:
        if decision_is_new(row.status, str(last.get(row.id, {}).get(ReviewColumn.STATUS.name, ""))):
            result.put(row.id, {ReviewColumn.DECIDED: when})
            stamped += 1
    return stamped


__all__ = ["stamp_decisions"]
