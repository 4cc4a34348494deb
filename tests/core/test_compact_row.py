"""A whole read's compact Review rows answer like ReviewRow and make their dict only when asked (issue 22)."""
from __future__ import annotations

from bridge.core.compact_row import CompactRow, RowLayout, cells_of
from bridge.core.model import ReviewColumn, ReviewRow, Status

LAYOUT = RowLayout((ReviewColumn.ID, ReviewColumn.STATUS, ReviewColumn.TITLE))


def _row() -> CompactRow:
    return CompactRow(7, LAYOUT, (" MM-2026-0001 ", "disetujui", "Judul"))


def test_compact_row_answers_as_a_review_row() -> None:
    """A row read whole must give the same ID, status and cells as before, or approvals would be missed."""
    row, plain = _row(), ReviewRow(7, {ReviewColumn.ID: " MM-2026-0001 ", ReviewColumn.STATUS: "disetujui",
                                       ReviewColumn.TITLE: "Judul"})
    assert (row.id, row.status, row.get(ReviewColumn.TITLE), row.get(ReviewColumn.BODY)) == (
        plain.id, plain.status, plain.get(ReviewColumn.TITLE), "")
    assert row.status is Status.DISETUJUI and row.row_number == 7 and not row.cached
    assert row == CompactRow(7, LAYOUT, (" MM-2026-0001 ", "disetujui", "Judul"))


def test_compact_row_keeps_no_dict_until_a_step_edits_it() -> None:
    """Reading a whole tab must not hold a dict per row (memory), yet an edit to a row must stick."""
    row = _row()
    assert dict(cells_of(row)) == {ReviewColumn.ID: " MM-2026-0001 ", ReviewColumn.STATUS: "disetujui",
                                   ReviewColumn.TITLE: "Judul"}
    assert row._values is None  # read, not kept
    row.values[ReviewColumn.ID] = "MM-2026-0001"
    assert row.id == "MM-2026-0001" and row.get(ReviewColumn.ID) == "MM-2026-0001"
    assert cells_of(row)[ReviewColumn.ID] == "MM-2026-0001"
    row.values = {ReviewColumn.STATUS: "TERBIT"}
    assert row.status is Status.TERBIT and row.id == ""
