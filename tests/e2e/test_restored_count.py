"""The cycle summary tells rows brought back from the blog apart from new responses."""

from __future__ import annotations

from datetime import timedelta

from bridge.core.model import Status
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge
from .test_blog_watch import _publish_one


def test_rows_brought_back_from_the_blog_are_counted_as_restored_not_new(bridge: Bridge) -> None:
    """After a lost ledger and an emptied Arsip, the summary said 'new 1, queued 1' for a published item brought back."""
    sid = _publish_one(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()  # archived
    assert sid not in [r["ID"] for r in bridge.review()]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", bridge.rows("Arsip")[:1])
    bridge.lose_ledger()
    report = bridge.cycle()
    back = next(r for r in bridge.review() if r["ID"] == sid)
    assert back["Status"] == Status.TERBIT.value
    assert (report.intake.new, report.intake.queued, report.intake.restored) == (0, 0, 1)
    assert report.summary().startswith("new 0, queued 0, restored 1 (published, back in Review as TERBIT), invalid")
    assert report.counts()["restored"] == 1
