"""The cycle's rows indexed by status answer as a pass over the list would (issue 22)."""

from __future__ import annotations

from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.review_rows import ReviewRows, status_counts, where


def _row(n: int, sub_id: str, status: str) -> ReviewRow:
    return ReviewRow(n, {ReviewColumn.ID: sub_id, ReviewColumn.STATUS: status})


ROWS = [_row(2, "A", "TERBIT"), _row(3, "B", "MENUNGGU"), _row(4, "C", "DITOLAK"), _row(5, "D", "TERBIT"), _row(6, "E", "")]


def test_the_index_gives_the_rows_of_these_statuses_or_ids_in_sheet_order() -> None:
    """A step would publish, archive or check rows in another order than the sheet's, or miss some."""
    indexed = ReviewRows(ROWS)
    for statuses, ids in [((Status.TERBIT,), ()), ((Status.DITOLAK, Status.TERBIT), ()), ((Status.TERBIT,), ("B", "A")),
                          ((), ("E",)), ((None,), ()), ((Status.GAGAL,), ("Z",))]:
        expected = [r for r in ROWS if r.status in statuses or r.id in ids]
        assert indexed.where(statuses, ids) == expected == where(ROWS, statuses, ids)
    assert status_counts(indexed) == status_counts(ROWS) == {Status.TERBIT: 2, Status.MENUNGGU: 1, Status.DITOLAK: 1, None: 1}


def test_rows_added_after_the_index_was_built_are_found() -> None:
    """A row appended to the cycle's rows after a first question would be invisible to later steps."""
    indexed = ReviewRows(ROWS[:2])
    assert indexed.where((Status.TERBIT,)) == [ROWS[0]]
    indexed.append(ROWS[3])
    assert indexed.where((Status.TERBIT,)) == [ROWS[0], ROWS[3]]


def test_the_status_index_holds_a_few_bytes_a_row() -> None:
    """At 50k Review rows the index by status held 4.4 MiB of (position, row) pairs for the whole cycle (issue 22)."""
    import tracemalloc

    rows = ReviewRows(ReviewRow(n, {ReviewColumn.ID: f"MM-2026-{n:05d}", ReviewColumn.STATUS: "TERBIT" if n % 3 else "MENUNGGU"})
                      for n in range(2, 10_002))
    tracemalloc.start()
    try:
        counts = rows.counts()
        size, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counts == {Status.TERBIT: 6_667, Status.MENUNGGU: 3_333}
    assert size < 10_000 * 12, size
    assert [r.row_number for r in rows.where((Status.MENUNGGU,))][:3] == [3, 6, 9]
