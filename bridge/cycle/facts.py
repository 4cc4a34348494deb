"""The facts the status machine (:mod:`bridge.core.review_machine`) decides on, gathered from a Review
row and the ledger. Only reads; what to do is the machine's, doing it is the cycle step's."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bridge.adapters.ledger import JournalEntry, Ledger
from bridge.config import Settings
from bridge.core import render
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.review_machine import ACTING, Conditions, Journal, Row


def row_facts(row: ReviewRow, coordination: bool = False) -> Row:
    """What the machine needs of one Review row (``coordination``: it waits for a coordinator, issue 20)."""
    return Row(
        status=row.status,
        id=row.id,
        system_id=render.is_submission_id(row.id),
        row_number=row.row_number,
        link_shown=bool(row.get(ReviewColumn.POST_URL).strip()),
        coordination=coordination,
        leader=row.get(ReviewColumn.LEADER),
    )


def journal_facts(entry: JournalEntry | None) -> Journal:
    """The publish journal's entry as the machine reads it (without the submission's record)."""
    if entry is None:
        return Journal()
    return Journal(state=entry.state, post_id=entry.post_id, post_status=entry.post_status)


def facts(ledger: Ledger, row: ReviewRow, entry: JournalEntry | None, coordination: bool = False) -> tuple[Row, Journal]:
    """The row's facts and its journal entry's. The submission's record (one more ledger look-up) is read
    only where the machine looks at it: a GAGAL row, and an approved or withdrawn row with no journal entry."""
    facts_row = row_facts(row, coordination)
    journal = journal_facts(entry)
    if facts_row.system_id and (row.status == Status.GAGAL or (entry is None and row.status in ACTING)):
        sub = ledger.submissions.get(row.id)
        if sub is not None:
            journal = replace(journal, recorded=sub.status, from_form=sub.origin == "form")
    return facts_row, journal


def conditions(settings: Settings, paused: datetime | None = None, *, template_ok: bool = True, handover: bool = False) -> Conditions:
    """The cycle's conditions for the machine."""
    c = settings.coordination
    return Conditions(mode=settings.publish_mode, paused_until=paused, tz=settings.tz,
                      template_ok=template_ok, handover=handover,
                      coordination_on=c.on, coordinators=" atau ".join(dict.fromkeys(p.role for p in c.coordinators)))


__all__ = ["conditions", "facts", "journal_facts", "row_facts"]
