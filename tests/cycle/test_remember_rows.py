"""The ledger's copies of Review rows after a cycle: only changed rows written, compared a page at a time."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from bridge.core.identity import WatchPlan
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.cycle.review_watch import ROWS_PER_COMPARE, remember_rows


class FakeSubmissions:
    """Row copies by ID, counting how many copies each look-up decodes."""

    def __init__(self, copies: dict[str, dict[str, str]]) -> None:
        self.copies = copies
        self.asked: list[int] = []
        self.written: dict[str, dict[str, str]] = {}

    def last_rows_of(self, ids: Any) -> dict[str, dict[str, str]]:
        ids = list(ids)
        self.asked.append(len(ids))
        return {i: self.copies[i] for i in ids if i in self.copies}

    def set_last_rows(self, rows: dict[str, dict[str, str]]) -> None:
        self.written.update(rows)


class FakeLedger:
    def __init__(self, copies: dict[str, dict[str, str]]) -> None:
        self.submissions = FakeSubmissions(copies)
        self.asked, self.written = self.submissions.asked, self.submissions.written

    def transaction(self) -> Any:
        return nullcontext()


def _row(n: int, status: str = "MENUNGGU", cached: bool = False) -> ReviewRow:
    return ReviewRow(n + 1, {ReviewColumn.ID: f"MM-2026-{n:05d}", ReviewColumn.STATUS: status}, cached=cached)


def test_a_whole_read_compares_copies_a_page_at_a_time_and_writes_only_changes() -> None:
    """After a whole read of 50k Review rows, memory holds a page of the ledger's copies, not all of them."""
    rows = [_row(n) for n in range(1, 1_201)]
    stored = {r.id: {"ID": r.id, "STATUS": "MENUNGGU"} for r in rows}
    stored["MM-2026-00007"]["STATUS"] = "DISETUJUI"  # an officer's change since the copy
    del stored["MM-2026-00008"]  # no copy yet
    ledger = FakeLedger(stored)
    plan = WatchPlan(seen={r.id: r for r in rows}, last_rows={r.id: {} for r in rows})
    plan.seen["MM-2026-00009"] = _row(9, cached=True)  # read through the two columns: its copy is the ledger's
    plan.seen["MM-2026-00010"] = _row(10, cached=True)
    remember_rows(ledger, plan, {"MM-2026-00010": {ReviewColumn.STATUS: "TERBIT"}})
    assert ledger.asked == [ROWS_PER_COMPARE, ROWS_PER_COMPARE, 1_199 - 2 * ROWS_PER_COMPARE]
    assert ledger.written == {
        "MM-2026-00007": {"ID": "MM-2026-00007", "STATUS": "MENUNGGU"},
        "MM-2026-00008": {"ID": "MM-2026-00008", "STATUS": "MENUNGGU"},
        "MM-2026-00010": {"ID": "MM-2026-00010", "STATUS": "TERBIT"},
    }


def test_the_watch_s_last_rows_share_one_empty_row() -> None:
    """A reading cycle at 50k Review rows held an empty dict per submission (3 MiB) for the whole cycle (issue 22)."""
    from bridge.cycle.review_watch import known_ledger

    class Glancing:
        def glance(self, texts: Any = None) -> tuple[dict[str, str], set[str]]:
            return {f"MM-2026-{n:05d}": f"{n:016x}" for n in range(1, 4)}, set()

        def known_of(self, ids: Any) -> list[Any]:
            return []

    class Ledger:
        submissions = Glancing()

    last = known_ledger(Ledger()).last_rows()  # type: ignore[arg-type]
    assert set(last) == {"MM-2026-00001", "MM-2026-00002", "MM-2026-00003"}
    assert all(row == {} for row in last.values()) and len({id(row) for row in last.values()}) == 1
