"""Found by reviewing the ID/Status read and the page-by-page intake: each failed before its fix."""
from __future__ import annotations

from typing import Any

import pytest

from bridge.adapters.sheets import SheetsGateway
from bridge.core.model import ReviewColumn, Status
from bridge.cycle.context import PageSizes

from .conftest import Bridge
from .test_officers import _posts_of, _tab
from .test_review_reads_officers import _between_reads, _no_whole_read_now, _put_rows, _settle

ID, STATUS = ReviewColumn.ID.value, ReviewColumn.STATUS.value


def _fail_page_two_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The read of the responses tab's second page (pages of 3 rows) answers 503 once."""
    from bridge.exceptions import RetriableError

    real = SheetsGateway.batch_get
    state = {"n": 0}

    def flaky(self: SheetsGateway, spreadsheet_id: str, ranges: Any, *a: Any, **kw: Any) -> Any:
        if len(ranges) == 1 and "!A5:" in ranges[0] and state["n"] == 0:
            state["n"] += 1
            raise RetriableError("503 backend error")
        return real(self, spreadsheet_id, ranges, *a, **kw)

    monkeypatch.setattr(SheetsGateway, "batch_get", flaky)


def test_last_row_approved_row_above_deleted_between_reads(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(bridge)
    rows = bridge.rows("Review")
    h = [str(x) for x in rows[0]]
    waiting = next(r for r in rows[1:] if r[h.index(STATUS)] == Status.MENUNGGU.value)
    _put_rows(bridge, [rows[0]] + [r for r in rows[1:] if r is not waiting] + [waiting])  # a valid row last
    bridge.cycle()
    _no_whole_read_now(bridge)
    rows = bridge.rows("Review")
    last = rows[-1][0]
    bridge.officer_sets({last: Status.DISETUJUI.value})

    def deleting() -> None:
        rows = bridge.rows("Review")
        _put_rows(bridge, [rows[0]] + rows[2:])  # the first data row deleted; the approved last row moves up

    _between_reads(monkeypatch, deleting)
    report = bridge.cycle()
    arsip_ids = [r[ID] for r in _tab(bridge, "Arsip")]
    assert last not in arsip_ids, f"approved row {last} (still in Review) recorded as deleted; deleted={report.deleted}"
    bridge.cycle()
    bridge.cycle()
    assert len(_posts_of(bridge, last)) == 1, "approved item never published"


def test_temporary_error_on_a_later_page_of_a_full_read(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """run_cycle promises not to raise for temporary trouble; a 503 on page 2 of the first run's read."""
    from .test_intake_pages import _data_rows, _each_once

    bridge.pages = PageSizes(full_read=3)
    expected = len(_data_rows(bridge))
    _fail_page_two_once(monkeypatch)
    report = bridge.cycle()  # the cycle goes on and says why intake waits
    assert report.problems and report.intake.queued == 0
    bridge.cycle()
    _each_once(bridge, expected)


def test_lost_ledger_start_now_503_on_page_two_then_history_requeued(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a lost ledger with start=now, one temporary error on a later page must not let history in."""
    from .test_intake import _data_rows, _lose_ledger, _response

    history = len(_data_rows(bridge))
    bridge.cycle(intake__start="now")
    december = [_response(bridge, "2026-12-01T09:00:00", "Berita Desember satu"), _response(bridge, "2026-12-05T09:00:00", "Berita Desember dua")]
    bridge.set_responses(bridge.responses() + december)
    assert bridge.cycle(intake__start="now").intake.queued == 2
    _lose_ledger(bridge)
    bridge.pages = PageSizes(full_read=3)
    _fail_page_two_once(monkeypatch)
    assert bridge.cycle(intake__start="now").problems  # the rebuild is on record, the read is not
    report = bridge.cycle(intake__start="now")
    assert report.intake.queued == 0 and report.intake.skipped == history, (report.intake.queued, report.intake.skipped)
    assert len(bridge.review()) == 2
