"""Intake over a read in pages (issue 13): each page recorded as it arrives, Review appended in pages,
and the same submissions, IDs and edit flags as one read of everything."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from bridge.core.model import ReviewColumn
from bridge.cycle.context import PageSizes

from .conftest import Bridge


def _data_rows(b: Bridge) -> list[list[Any]]:
    return [r for r in b.responses()[1:] if any(str(c).strip() for c in r)]


def _each_once(b: Bridge, expected: int) -> None:
    review = b.review()
    ids = [r["ID"] for r in review]
    fps = [r[ReviewColumn.FINGERPRINT.value] for r in review]
    assert len(review) == expected and len(set(ids)) == expected and len(set(fps)) == expected, Counter(ids)




def _appends(b: Bridge) -> int:
    return int(b.stats()["by_method"].get("sheets.spreadsheets.values.append", {}).get("requests", 0))


def test_backfill_appends_review_a_page_at_a_time(bridge: Bridge) -> None:
    """A backfill larger than one append page still puts every response in Review once, below each other."""
    bridge.pages = PageSizes(full_read=3, append=2)
    expected = len(_data_rows(bridge))
    before = _appends(bridge)
    report = bridge.cycle()
    assert report.intake.queued == expected and len(report.intake.queued_ids) == expected
    assert _appends(bridge) - before == math.ceil(expected / 2)
    _each_once(bridge, expected)
    assert [r["ID"] for r in bridge.review()] == sorted(r["ID"] for r in bridge.review())
    assert bridge.cycle().intake.queued == 0
    _each_once(bridge, expected)


def test_each_page_is_recorded_before_the_next_is_read(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full read must not keep every new response in memory until the last page is in."""
    from bridge.adapters.ledger import Ledger
    from bridge.adapters.sheets import SheetsGateway

    bridge.pages = PageSizes(full_read=3, append=100)
    expected = len(_data_rows(bridge))
    assert expected > 6, "the demo form needs more than two pages for this test"
    recorded: list[int] = []
    real_get = SheetsGateway.batch_get
    ledgers: list[Ledger] = []
    real_init = Ledger.__init__

    def opened(self: Ledger, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        ledgers.append(self)

    def batch_get(self: SheetsGateway, spreadsheet_id: str, ranges: list[str], *args: Any, **kwargs: Any) -> Any:
        if ledgers and len(ranges) == 1 and "!A" in ranges[0]:  # a later page of the responses tab
            recorded.append(ledgers[-1].submissions.count())
        return real_get(self, spreadsheet_id, ranges, *args, **kwargs)

    monkeypatch.setattr(Ledger, "__init__", opened)
    monkeypatch.setattr(SheetsGateway, "batch_get", batch_get)
    assert bridge.cycle().intake.queued == expected
    assert recorded and 0 < recorded[0] < expected  # page 2 was asked for with page 1's rows already recorded


def test_retriable_append_error_leaves_rows_pending(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Review append that times out is tried again next cycle: nothing lost, nothing twice."""
    from bridge.adapters.sheets import SheetsGateway
    from bridge.exceptions import RetriableError

    expected = len(_data_rows(bridge))
    real = SheetsGateway.append_rows

    def unavailable(self: SheetsGateway, *args: Any, **kwargs: Any) -> str:
        raise RetriableError("values.append Review: HTTP 503")

    monkeypatch.setattr(SheetsGateway, "append_rows", unavailable)
    report = bridge.cycle()
    assert report.intake.queued == 0 and report.intake.new == expected
    assert "Review tab not updated, will retry next cycle: values.append Review: HTTP 503" in report.problems
    monkeypatch.setattr(SheetsGateway, "append_rows", real)
    assert bridge.cycle().intake.queued == expected
    _each_once(bridge, expected)


def test_a_row_moved_to_a_later_page_is_not_an_edit(bridge: Bridge) -> None:
    """A response moved down the tab (its row taken by a new one) is found on a later page: no edit flag,
    and the rows after the new one keep sheet order in their IDs."""
    bridge.pages = PageSizes(full_read=2, append=100)
    rows = bridge.responses()
    header, a, b, c, d = rows[0], list(rows[1]), list(rows[2]), list(rows[3]), list(rows[4])
    bridge.set_responses([header, a, b, c, d])
    assert bridge.cycle().intake.queued == 4
    x: list[Any] = list(a)
    x[0] = {"datetime": "2026-11-23T09:30:00"}
    x[5] = "Berita baru di baris yang dulu milik A"
    y: list[Any] = list(b)
    y[0] = {"datetime": "2026-11-23T09:40:00"}
    y[5] = "Berita baru kedua"
    bridge.set_responses([header, x, b, c, d, a, y])  # A moved to row 6; X took its row 2; Y new at row 7
    report = bridge.cycle()
    assert report.intake.queued == 2 and report.intake.rescanned
    review = bridge.review()
    assert [r for r in review if "Tampaknya suntingan" in r[ReviewColumn.SYSTEM_NOTE.value]] == []
    titles = {r[ReviewColumn.TITLE.value]: r["ID"] for r in review}
    assert titles[x[5]] < titles[y[5]]
    _each_once(bridge, 6)


def test_an_edit_found_on_the_first_page_waits_for_the_whole_read(bridge: Bridge) -> None:
    """An edited response (its earlier version nowhere in the tab) is still flagged when the tab is read in pages."""
    from datetime import timedelta

    bridge.pages = PageSizes(full_read=2, append=100)
    expected = len(_data_rows(bridge))
    bridge.cycle()
    rows = bridge.responses()
    edited = list(rows[1])
    edited[0] = {"datetime": "2026-11-23T11:00:00"}
    edited[6] = edited[6] + " (revisi)"
    bridge.set_responses([rows[0], edited] + rows[2:])
    bridge.now = bridge.now + timedelta(hours=25)  # the daily full read
    report = bridge.cycle()
    assert report.intake.queued == 1 and report.intake.invalid == 1
    _each_once(bridge, expected + 1)
    assert "Tampaknya ini suntingan dari kiriman MM-2026-0001" in bridge.review()[-1][ReviewColumn.SYSTEM_NOTE.value]


def test_a_full_read_holds_one_page_at_a_time(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daily full scan would hold the page before the one it reads, the first page all cycle, and start its
    Review watch from a heap still holding both tabs' freed pages (issue 22: over the 150 MiB target at 100k responses)."""
    import weakref
    from datetime import timedelta

    from bridge.cycle import intake, pipeline

    bridge.pages = PageSizes(full_read=2, append=100)
    bridge.cycle()  # everything queued: the full scan below finds nothing new
    real = intake.full_read_pages
    earlier: list[weakref.ref[Any]] = []
    alive_when_next_came: list[int] = []
    first_page_in_snapshot: list[bool] = []

    def watched(deps: Any, snap: Any, *args: Any, **kwargs: Any) -> Any:
        for page in real(deps, snap, *args, **kwargs):
            alive_when_next_came.append(sum(1 for ref in earlier if ref() is not None))
            first_page_in_snapshot.append(bool(snap.responses or snap.responses_packed))
            earlier.extend(weakref.ref(response) for response in page[:1])
            yield page
            del page

    monkeypatch.setattr(intake, "full_read_pages", watched)
    steps: list[str] = []
    monkeypatch.setattr(pipeline, "give_back_memory", lambda: steps.append("trim"))
    real_intake, real_watch = pipeline.run_intake, pipeline.run_watch
    monkeypatch.setattr(pipeline, "run_intake", lambda *a: (steps.append("intake"), real_intake(*a))[1])
    monkeypatch.setattr(pipeline, "run_watch", lambda *a: (steps.append("watch"), real_watch(*a))[1])
    bridge.now = bridge.now + timedelta(hours=25)  # the daily full read (Review read whole with it)
    assert bridge.cycle().intake.read_rows == len(_data_rows(bridge))
    assert steps == ["trim", "intake", "trim", "watch", "trim"]  # after each tab's pages, and at the end
    assert len(alive_when_next_came) >= 3, alive_when_next_came
    assert alive_when_next_came == [0] * len(alive_when_next_came)
    assert first_page_in_snapshot == [False] * len(first_page_in_snapshot)

