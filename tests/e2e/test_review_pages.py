"""Review read whole in pages (issue 22): an officer's deletion or sort between two pages loses nothing."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import SheetsGateway
from bridge.core.model import ReviewColumn

from .conftest import Bridge
from .test_officers import _tab
from .test_review_reads_officers import _put_rows, _settle

ID = ReviewColumn.ID.value
PAGE = 3  # rows a page: the demo's Review rows take several pages


def _whole_read_due(bridge: Bridge) -> None:
    """The 6-hourly whole read of Review is due (and the daily full scan is not)."""
    ledger = Ledger(bridge.workdir / "bridge-state.sqlite3")
    with ledger.transaction():
        ledger.state.last_full_scan = bridge.now
        ledger.state.review_read_whole = None
        ledger.state.quiet_until = None
    ledger.close()


def _after_first_page(monkeypatch: pytest.MonkeyPatch, officer: Callable[[], None]) -> list[list[str]]:
    """``officer`` edits Review once, right after the read of its first page; returns the ranges of
    every ``values.batchGet`` made from then on (one list per request)."""
    real = SheetsGateway.batch_get
    calls: list[list[str]] = []

    def edited_after(self: SheetsGateway, spreadsheet_id: str, ranges: Any, **kw: Any) -> Any:
        out = real(self, spreadsheet_id, ranges, **kw)
        calls.append([str(r) for r in ranges])
        if len(calls) == 1 and any(str(r).endswith(f"!A1:ZZ{PAGE + 1}") for r in ranges):
            officer()
        return out

    monkeypatch.setattr(SheetsGateway, "batch_get", edited_after)
    return calls


def _paged(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Review settled (its IDs in sheet order), pages of PAGE rows, the whole read due."""
    _settle(bridge)
    bridge.pages = replace(bridge.pages, review_read=PAGE)
    _whole_read_due(bridge)
    ids = [r[ID] for r in _tab(bridge, "Review")]
    assert len(ids) == 8, ids  # pages of rows 2-4, 5-7 and the open-ended last from row 8 (rows 8-9)
    return ids


def test_paged_whole_read_reads_every_row_in_pinned_requests(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6-hourly whole read of a tab larger than a page must see every row, in one request a page."""
    ids = _paged(bridge, monkeypatch)
    calls = _after_first_page(monkeypatch, lambda: None)
    report = bridge.cycle()
    review = [c for c in calls if any("Review" in r for r in c)]
    # responses header and rows, page 1 and KIM; pages 2 and 3 (short: the data ends there); the open-ended
    # last page with the ID and Sidik Jari columns, read together
    assert review[1:] == [["'Review'!A5:ZZ7"], ["'Review'!A8:ZZ10"], ["'Review'!A11:ZZ", "'Review'!A:A", "'Review'!Q:Q"]], review
    assert "'Review'!A1:ZZ4" in review[0], review
    assert report.deleted == 0 and not report.problems, report.problems
    assert [r[ID] for r in _tab(bridge, "Review")] == ids
    assert _tab(bridge, "Arsip") == []


def test_row_deleted_between_two_pages_is_the_only_one_recorded(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """An officer deleting a row while Review is read in pages must not get another row archived as DIHAPUS."""
    ids = _paged(bridge, monkeypatch)

    def delete_first_row() -> None:  # the row below page 1 moves up into it: page 2 would not see it
        rows = bridge.rows("Review")
        _put_rows(bridge, [rows[0]] + rows[2:])

    calls = _after_first_page(monkeypatch, delete_first_row)
    report = bridge.cycle()
    review = [c for c in calls if any("Review" in r for r in c)]
    assert [r[ID] for r in _tab(bridge, "Arsip")] == [ids[0]], "a row still in Review archived as deleted"
    assert [r[ID] for r in _tab(bridge, "Review")] == ids[1:]
    assert report.deleted == 1, report.summary()
    assert [len(c) for c in review] == [4, 1, 1, 3, 1], review
    assert review[4] == ["'Review'"], review  # the pages did not fit: the tab whole in one more request
    bridge.cycle()
    assert [r[ID] for r in _tab(bridge, "Arsip")] == [ids[0]], "a later cycle archived more"


def test_rows_sorted_between_two_pages_lose_nothing(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """An officer sorting Review while it is read in pages must not get any row archived as DIHAPUS."""
    ids = _paged(bridge, monkeypatch)

    def sort_descending() -> None:
        rows = bridge.rows("Review")
        _put_rows(bridge, [rows[0]] + rows[:0:-1])

    calls = _after_first_page(monkeypatch, sort_descending)
    report = bridge.cycle()
    review = [c for c in calls if any("Review" in r for r in c)]
    assert _tab(bridge, "Arsip") == [], "a row still in Review archived as deleted"
    assert [r[ID] for r in _tab(bridge, "Review")] == ids[::-1]
    assert report.deleted == 0, report.summary()
    assert [len(c) for c in review] == [4, 1, 1, 3, 1] and review[4] == ["'Review'"], review
    bridge.cycle()
    assert _tab(bridge, "Arsip") == [] and sorted(r[ID] for r in _tab(bridge, "Review")) == sorted(ids)


def test_cell_edited_between_two_pages_keeps_the_pages(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """An officer's ordinary edit during a paged read must not make the bridge read the whole tab again."""
    ids = _paged(bridge, monkeypatch)
    calls = _after_first_page(monkeypatch, lambda: bridge.set_cell(ids[0], ReviewColumn.OFFICER_NOTE, "dibaca"))
    report = bridge.cycle()
    review = [c for c in calls if any("Review" in r for r in c)]
    assert [len(c) for c in review] == [4, 1, 1, 3], review  # no whole read after the pages
    assert report.deleted == 0 and _tab(bridge, "Arsip") == []
    assert [r[ID] for r in _tab(bridge, "Review")] == ids
