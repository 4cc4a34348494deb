"""The facts the status machine decides on, gathered from a Review row and the ledger (plain fakes)."""

from __future__ import annotations

from bridge.adapters.ledger import DONE, JournalEntry, LedgerSubmission
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.core.review_machine import Journal, JournalState, PostState, Status
from bridge.cycle.facts import facts, journal_facts, row_facts


class _Submissions:
    def __init__(self, origin: str) -> None:
        self.asked: list[str] = []
        self.origin = origin

    def get(self, sid: str) -> LedgerSubmission:
        self.asked.append(sid)
        return LedgerSubmission(sid, "fp", Status.GAGAL.value, True, "", self.origin)


class _Ledger:
    def __init__(self, origin: str = "form") -> None:
        self.submissions = _Submissions(origin)
        self.asked = self.submissions.asked


def _row(status: str, sid: str = "MM-2026-0001", link: str = "") -> ReviewRow:
    return ReviewRow(7, {ReviewColumn.ID: sid, ReviewColumn.STATUS: status, ReviewColumn.POST_URL: link})


ENTRY = JournalEntry("MM-2026-0001", DONE, 1, "p1", "https://blog/p1", "LIVE", "25/11/2026 10:00", "")


def test_row_and_journal_facts() -> None:
    """The machine sees the row's status, whether its ID is the bridge's, its link, and the post as the ledger knows it."""
    facts_row = row_facts(_row("disetujui ", link="https://blog/p1"))
    assert (facts_row.status, facts_row.system_id, facts_row.link_shown, facts_row.row_number) == (Status.DISETUJUI, True, True, 7)
    assert not row_facts(_row("DISETUJUI", sid="MM 2026/1")).system_id
    journal = journal_facts(ENTRY)
    assert journal.state == JournalState.DONE and journal.post_status == PostState.LIVE and journal.on_website
    assert journal_facts(None) == Journal()


def test_the_submission_record_is_read_only_where_the_machine_looks_at_it() -> None:
    """A reading cycle over thousands of settled rows would cost one more ledger look-up per row."""
    ledger = _Ledger()
    for status in ("MENUNGGU", "TERBIT", "DITOLAK"):
        facts(ledger, _row(status), None)
    facts(ledger, _row("DISETUJUI"), ENTRY)  # its journal says enough
    facts(ledger, _row("DISETUJUI", sid="MM 2026/1"), None)  # not the bridge's ID
    assert ledger.asked == []
    _, gagal = facts(ledger, _row("GAGAL"), None)
    assert gagal.recorded == Status.GAGAL and gagal.from_form
    _, rebuilt = facts(_Ledger(origin="review"), _row("DITARIK"), None)
    assert rebuilt.recorded == Status.GAGAL and not rebuilt.from_form
    assert ledger.asked == ["MM-2026-0001"]
