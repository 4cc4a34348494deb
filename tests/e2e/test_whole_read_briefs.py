"""A whole read of Review keeps settled rows as their briefs (issue 22: 60 MiB of rows at 50k), and
still sees, restores and remembers what an officer edited by hand on a settled row."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from bridge.adapters.ledger import Ledger, Submissions
from bridge.core.compact_row import CompactRow
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.review_view import SettledRow
from bridge.cycle import review_pages
from bridge.cycle.ledger_copies import CopiesOnDemand
from bridge.cycle.pipeline import CycleReport
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge
from .test_cycle_costs import _settled_tab
from .test_review_pages import _whole_read_due

ID, STATUS, TITLE, FP = (c.value for c in (ReviewColumn.ID, ReviewColumn.STATUS, ReviewColumn.TITLE, ReviewColumn.FINGERPRINT))


def _whole_read(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> tuple[CycleReport, list[ReviewRow], Counter[str]]:
    """One cycle with the 6-hourly whole read of Review due: its report, the rows the read made, and
    counts: copies compared with rows (``compared``), copies decoded for a step (``decoded``)."""
    _whole_read_due(bridge)
    made: list[list[ReviewRow]] = []
    counts: Counter[str] = Counter()
    real_read, real_compare, real_load = review_pages.read_whole, Submissions.settled_rows_of, CopiesOnDemand.__call__

    def read(*args: Any, **kwargs: Any) -> Any:
        header, rows = real_read(*args, **kwargs)
        made.append(rows)
        return header, rows

    def compare(self: Submissions, ids: Any) -> Any:
        out = real_compare(self, ids)
        counts["compared"] += len(out)
        return out

    def load(self: CopiesOnDemand, sub_id: str) -> Any:
        before = self.decoded
        out = real_load(self, sub_id)
        counts["decoded"] += self.decoded - before
        return out

    monkeypatch.setattr(review_pages, "read_whole", read)
    monkeypatch.setattr(Submissions, "settled_rows_of", compare)
    monkeypatch.setattr(CopiesOnDemand, "__call__", load)
    report = bridge.cycle()
    monkeypatch.undo()
    (rows,) = made
    return report, rows, counts


def _copy(bridge: Bridge, sub_id: str) -> dict[str, str]:
    ledger = Ledger(bridge.workdir / "bridge-state.sqlite3")
    try:
        return ledger.submissions.last_rows_of([sub_id])[sub_id]
    finally:
        ledger.close()


def test_a_whole_read_keeps_settled_rows_as_briefs(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 6-hourly whole read would hold every Review row whole for the cycle (over 150 MiB at 50k rows)."""
    ids = _settled_tab(bridge)
    review = bridge.review()
    report, rows, counts = _whole_read(bridge, monkeypatch)
    assert not report.problems and report.publish.published == 0 and not report.publish.updates
    kinds = Counter(type(r).__name__ for r in rows)
    assert len(rows) == len(review) == 8
    assert kinds == {"SettledRow": 8}, kinds
    assert all(r.cached and not r.decoded for r in rows if isinstance(r, SettledRow))
    assert counts == {"compared": 8}  # each row compared once with its copy; none decoded for a step
    assert [r.id for r in rows] == [r[ID] for r in review] and ids[0] in {r.id for r in rows}


def test_a_row_waiting_for_the_bridge_stays_a_full_row_in_a_whole_read(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row approved by an officer would be published from the ledger's copy instead of what the sheet says."""
    ids = _settled_tab(bridge)
    bridge.officer_sets({ids[3]: Status.DISETUJUI.value})
    report, rows, _ = _whole_read(bridge, monkeypatch)
    full = [r for r in rows if not isinstance(r, SettledRow)]
    assert [(r.id, type(r)) for r in full] == [(ids[3], CompactRow)]
    assert report.publish.published == 1


def test_a_hand_edit_on_a_settled_row_is_seen_by_the_whole_read(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Sidik Jari cleared or a Judul typed on a settled row would go unseen: never restored, never remembered."""
    ids = _settled_tab(bridge)
    typed, cleared = ids[3], ids[0]  # a row waiting for an officer; a published one (TERBIT)
    fingerprint = next(r[FP] for r in bridge.review() if r[ID] == cleared)
    assert fingerprint
    bridge.set_cell(typed, ReviewColumn.TITLE, "Judul diketik petugas")
    bridge.set_cell(cleared, ReviewColumn.FINGERPRINT, "")
    report, rows, counts = _whole_read(bridge, monkeypatch)
    after = {r[ID]: r for r in bridge.review()}
    assert after[cleared][FP] == fingerprint  # restored by the Review watch
    assert after[typed][TITLE] == "Judul diketik petugas"
    assert _copy(bridge, typed)["TITLE"] == "Judul diketik petugas"  # remembered: a deletion archives it so
    assert _copy(bridge, cleared)["FINGERPRINT"] == fingerprint
    assert sorted(r.id for r in rows if not isinstance(r, SettledRow)) == sorted([typed, cleared])
    assert counts["compared"] == 8
    assert not report.problems


def test_a_row_pasted_twice_is_no_settled_row_on_either_page(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row copied further down (its ID on two rows) would be taken from the ledger's copy on one of them."""
    _settled_tab(bridge)
    bridge.pages = replace(bridge.pages, review_read=3)  # the copy is pages after the row it copies
    rows = bridge.rows("Review")
    pasted = rows[5]  # sheet row 6, on the second page
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", [*rows, list(pasted)])
    report, made, _ = _whole_read(bridge, monkeypatch)
    both = [r for r in made if r.id == pasted[0]]
    assert [r.row_number for r in both] == [6, 10]
    assert [r.cached for r in both] == [False, False]  # full rows: the Review watch says which one counts
    assert sum(1 for r in made if isinstance(r, SettledRow) and r.cached) == 7
    assert report.publish.decided.get(pasted[0]) == 6 and not report.deleted
