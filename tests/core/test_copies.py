"""Copied Review rows on plain data (issue 17): the upper row counts, both rows say so, copies are never written."""

from __future__ import annotations

from bridge.core import copies
from bridge.core.identity import KnownSubmission, plan_review
from bridge.core.model import ReviewColumn, ReviewRow


def _row(n: int, sid: str, status: str, note: str = "") -> ReviewRow:
    return ReviewRow(n, {ReviewColumn.ID: sid, ReviewColumn.FINGERPRINT: "fa", ReviewColumn.STATUS: status,
                         ReviewColumn.SYSTEM_NOTE: note})


def test_upper_row_counts_and_both_rows_are_noted() -> None:
    """An officer sees on both rows which one counts; publishing acts on the upper row only, whatever the read order."""
    known = [KnownSubmission("A", "fa", "MENUNGGU", True, "", "Siti", "", {})]
    plan = plan_review([_row(9, "A", "DITOLAK"), _row(4, "A", "DISETUJUI", "Lolos.")], known)
    assert [r.row_number for r in plan.rows] == [4] and plan.copies == {"A": [9]}
    assert plan.notes == [(9, "A", copies.copy_note("A", 4))]
    (fix,) = plan.fixes
    assert fix.row_number == 4 and fix.cells[ReviewColumn.SYSTEM_NOTE].split("\n") == [
        copies.NOTE_HAS_COPY.format(copies="9"), "Lolos."]


def test_copy_line_goes_when_the_copy_is_deleted() -> None:
    """Once the copy is deleted, the line about it leaves the upper row's note and the rest stays."""
    note = copies.with_copy_line("Sudah tayang.", [9])
    assert copies.with_copy_line(note, []) == "Sudah tayang."
    known = [KnownSubmission("A", "fa", "TERBIT", True, "", "Siti", "", {})]
    (fix,) = plan_review([_row(4, "A", "TERBIT", note)], known).fixes
    assert fix.cells == {ReviewColumn.SYSTEM_NOTE: "Sudah tayang."}


def test_write_row_never_picks_a_copy() -> None:
    """Results go to the row the decision came from; when rows moved so that it cannot be told, nowhere."""
    assert copies.write_row([7], None) == 7  # no copy seen: the row, wherever it moved
    assert copies.write_row([4], 4) == 4  # the copy deleted since the read
    assert copies.write_row([7], 4) is None  # the one row left may be the copy (the upper row's ID cleared)
    assert copies.write_row([4, 9], 4) == 4
    assert copies.write_row([5, 9], 4) is None  # moved: 5 may be either row
    assert copies.write_row([4, 5], 5) is None  # the decided number now holds the copy
    assert copies.write_row([4, 9], None) == 4  # a copy pasted since the read: the rule
    assert copies.write_row([], 4) is None
