"""The Review watch: what officers did to the Review tab since the last cycle, before anything is published.

Officers delete rows, sort, clear or paste over cells. Every cycle (from the
snapshot already read, no extra request) each row is matched to the submission
it is (:func:`bridge.core.identity.plan_review`):
* a system cell (ID, Sidik Jari) cleared or edited is restored where the match is certain;
* an obvious status spelling is normalised, an unknown one explained;
* a submission whose row is gone is handed to :func:`bridge.cycle.archive.record_deleted`;
* the ledger remembers each row as last seen, so a deleted row is archived as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bridge.adapters.ledger import Ledger
from bridge.core import identity
from bridge.core.compact_row import cells_of
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.cycle.context import CycleContext
from bridge.cycle.intake import format_time
from bridge.cycle.publish import PublishResult
from bridge.cycle.snapshot import Snapshot

log = logging.getLogger("bridge.review")

#: Rows whose copies are compared with the ledger's at once (remember_rows).
ROWS_PER_COMPARE = 500


def _received_text(tz: ZoneInfo, value: str) -> str:
    """The ledger's received time as Review shows it (form rows keep ISO, rebuilt rows Review's text)."""
    try:
        return format_time(datetime.fromisoformat(value), tz)
    except (ValueError, OverflowError):
        return value


#: The row of every submission in the glance: membership is what the watch asks of ``last_rows`` (one
#: shared empty row, not 50k empty dicts held for the whole cycle: 3 MiB, issue 22). Never written in
#: place: a deleted submission's row replaces it whole (:func:`run_watch`).
_UNSEEN: dict[str, str] = {}


def known_ledger(ledger: Ledger, rows: Iterable[ReviewRow] = ()) -> identity.KnownLedger:
    """The ledger's submissions for matching: at a glance for every row, whole records only for rows that
    need the long way (issue 22). No row copies: matching needs none, and remember_rows compares with the
    stored ones page by page (a whole read held every copy decoded beside every row). The glance holds
    the ``rows``' own ID and Sidik Jari texts where they are the ledger's."""
    subs = ledger.submissions
    glance, gone = subs.glance(_texts_of(rows))
    return identity.KnownLedger(
        glance=glance,
        gone=gone,
        load_all=lambda: subs.known(rows_for=()),
        load_some=subs.known_of,
        last_rows=lambda: dict.fromkeys(glance, _UNSEEN),
    )


def _texts_of(rows: Iterable[ReviewRow]) -> dict[str, str]:
    """Each row's ID and Sidik Jari cell, mapped to itself (for :meth:`Submissions.glance`)."""
    held: dict[str, str] = {}
    for row in rows:
        rid, fp, _status, _note = row.matching_cells()  # a settled row's brief texts, no copy decoded
        held[rid] = rid
        held[fp] = fp
    return held


def run_watch(deps: CycleContext, snap: Snapshot, result: PublishResult, just_queued: Iterable[str] = ()) -> identity.WatchPlan:
    """Plan the Review tab's repairs; they are written with publishing's one write-back.

    Returns the plan: ``plan.rows`` are the rows publishing acts on, ``plan.deleted``
    the submissions whose rows are gone.
    """
    if ReviewColumn.FINGERPRINT not in snap.review_index:
        # Sidik Jari renamed or deleted (intake stops and says so): without it no row can be told
        # apart with certainty, so nothing is restored or taken as deleted until it is back.
        return identity.WatchPlan(rows=list(snap.review))
    shown = lambda text: _received_text(deps.settings.tz, text)  # noqa: E731
    review = [*snap.review, *snap.review_unidentified]
    plan = identity.plan_review(review, known_ledger(deps.ledger, review), just_queued, received_text=shown)
    if plan.deleted:  # archived as they last were: their rows, which `known` left out, and their times as Review shows them
        last = deps.ledger.submissions.last_rows_of(k.id for k in plan.deleted)
        plan.deleted = [replace(k, last_row=last.get(k.id, {}), received=shown(k.received)) for k in plan.deleted]
        plan.last_rows.update({k.id: k.last_row for k in plan.deleted})
    result.fingerprint_column = snap.review_index.get(ReviewColumn.FINGERPRINT)
    for sub_id, rows in plan.copies.items():  # issue 17: results go to the row the decision came from
        result.decided[sub_id] = plan.seen[sub_id].row_number
        log.warning("Review: %s is also on row(s) %s (copies); the upper row %d counts, the copies are left alone",
                    sub_id, ", ".join(str(n) for n in rows), plan.seen[sub_id].row_number)
    for fix in plan.fixes:
        result.put(fix.sub_id, fix.cells)
        result.hints[fix.sub_id] = (fix.fingerprint, fix.row_number)
        restored = [c.value for c in fix.cells if c in (ReviewColumn.ID, ReviewColumn.FINGERPRINT)]
        if restored and fix.cells.get(ReviewColumn.SYSTEM_NOTE, "").startswith(identity.NOTE_NEW_ID[:20]):
            log.warning("Review row %d: empty ID cell and no record of it: new ID %s given", fix.row_number, fix.sub_id)
        elif restored:
            log.warning("Review row %d: %s restored for %s (cleared or edited by hand)", fix.row_number, ", ".join(restored), fix.sub_id)
            result.plan.append(f"restore {', '.join(restored)} of {fix.sub_id} on Review row {fix.row_number}")
        if ReviewColumn.STATUS in fix.cells:
            result.plan.append(f"normalise status of {fix.sub_id} to {fix.cells[ReviewColumn.STATUS]}")
    for key, value in plan.unknown_statuses:
        log.warning("%s: status %r is not one the bridge knows; the officers were told which to choose", key, value)
    for row_number, row_id, note in plan.notes:
        log.warning("Review row %d (ID %r): left alone: %s", row_number, row_id, note.split(".")[0])
        result.plan.append(f"leave Review row {row_number} alone and explain why")
    result.row_notes += plan.notes
    return plan


def remember_rows(ledger: Ledger, plan: identity.WatchPlan, updates: dict[str, dict[ReviewColumn, str]]) -> None:
    """Keep each row as it now reads (this cycle's writes included) where it changed: a row deleted
    later is archived as it last was."""
    if not plan.seen:
        return
    last = plan.last_rows
    page: list[tuple[str, dict[str, str]]] = []

    def compare() -> None:  # with the ledger's copies, a page at a time (never every copy at once)
        stored = ledger.submissions.last_rows_of(sub_id for sub_id, _ in page)
        changed = {sub_id: now for sub_id, now in page if stored.get(sub_id, {}) != now}
        if changed:  # written a page at a time too: the first whole read after intake changes every copy (issue 22)
            ledger.submissions.set_last_rows(changed)
        page.clear()

    with ledger.transaction():
        for sub_id, row in plan.seen.items():
            if row.cached and sub_id not in updates:
                continue  # its cells are the ledger's copy: nothing to remember
            if sub_id not in last:
                continue
            page.append((sub_id, {c.name: str(v) for c, v in {**cells_of(row), **updates.get(sub_id, {})}.items()}))
            if len(page) >= ROWS_PER_COMPARE:
                compare()
        if page:
            compare()


__all__ = ["remember_rows", "run_watch"]
