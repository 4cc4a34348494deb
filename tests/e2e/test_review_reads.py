"""A cycle reads Review's ID and Status columns, and full rows only where there is work (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import SheetsGateway, column_letter
from bridge.core.model import REVIEW_HEADERS, ReviewColumn, Status
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID
from tests.e2e.conftest import Bridge

LAST = column_letter(len(REVIEW_HEADERS) - 1)  # the Review tab's last column (issue 20 added two)

ID, STATUS = ReviewColumn.ID.value, ReviewColumn.STATUS.value


def _record(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every ``values.batchGet``'s ranges, in order."""
    calls: list[list[str]] = []
    real = SheetsGateway.batch_get

    def recording(self: SheetsGateway, spreadsheet_id: str, ranges: Any, **kw: Any) -> Any:
        calls.append(list(ranges))
        return real(self, spreadsheet_id, ranges, **kw)

    monkeypatch.setattr(SheetsGateway, "batch_get", recording)
    return calls


def _review_ranges(calls: list[list[str]]) -> list[list[str]]:
    return [[r for r in call if r.startswith("'Review'")] for call in calls]


def _settle(bridge: Bridge) -> None:
    bridge.cycle()  # queued
    bridge.cycle()  # first look at the rows it queued


def test_an_edit_with_nothing_to_do_reads_only_the_id_and_status_columns(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(bridge)
    sid = next(r[ID] for r in bridge.review() if r[STATUS] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: "Judul yang disunting petugas"}, ReviewColumn.TITLE)
    calls = _record(monkeypatch)
    report = bridge.cycle()
    assert not report.unchanged and report.publish.published == 0
    assert _review_ranges(calls) == [["'Review'!1:1", "'Review'!A:A", "'Review'!L:L"]]


def test_an_approval_reads_that_row_in_full_and_publishes_what_the_sheet_says_now(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settle(bridge)
    rows = bridge.review()
    n, sid = next((i, r[ID]) for i, r in enumerate(rows, start=2) if r[STATUS] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: "Judul suntingan terakhir"}, ReviewColumn.TITLE)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    calls = _record(monkeypatch)
    report = bridge.cycle()
    assert report.publish.published == 1
    reads = _review_ranges(calls)
    assert reads[0] == ["'Review'!1:1", "'Review'!A:A", "'Review'!L:L"]
    assert reads[1] == [f"'Review'!A{n}:{LAST}{n}"]  # that one row, nothing else
    (post,) = [p for p in bridge.posts() if p["title"] == "Judul suntingan terakhir"]
    assert post["status"] == "LIVE" or post["status"] == "DRAFT"


def test_a_row_left_disetujui_is_not_read_again_while_nothing_changed(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A withdrawal with no post to withdraw stays DITARIK: re-reading it every safety-net cycle would
    cost a request each time; it is read again only when the spreadsheet changed."""
    _settle(bridge)
    sid = bridge.review()[0][ID]
    bridge.officer_sets({sid: Status.DITARIK.value})
    bridge.cycle()
    calls = _record(monkeypatch)
    assert bridge.read_cycle_cost() == {"drive.files.get": 1, "sheets.spreadsheets.values.batchGet": 1}
    calls.clear()
    bridge.officer_sets({sid: "Catatan baru"}, ReviewColumn.OFFICER_NOTE)  # the version moves
    bridge.cycle()
    assert len(calls) == 2 and _review_ranges(calls)[1] == [f"'Review'!A2:{LAST}2"]


def test_headers_moved_by_an_officer_are_followed(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Status dragged to the far left: the columns the last whole read found are wrong now; the
    header row read with them says so, and the tab is read whole once, then by its new columns."""
    _settle(bridge)
    rows = bridge.rows("Review")
    col = [str(h) for h in rows[0]].index(STATUS)
    moved = [[r[col] if col < len(r) else "", *r[:col], *r[col + 1:]] for r in rows]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", moved)
    with bridge.sandbox.state.lock:  # Sheets moves a column's dropdown with it; the sandbox's rows do not
        for rule in bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review").get("dataValidation", []):
            rng = rule["range"]
            start = rng.get("startColumnIndex", 0)
            shift = -col if start == col else (1 if start < col else 0)
            rng["startColumnIndex"], rng["endColumnIndex"] = start + shift, rng.get("endColumnIndex", start + 1) + shift
    sid = next(r[ID] for r in bridge.review() if r[STATUS] == Status.MENUNGGU.value)
    bridge.set_cell(sid, ReviewColumn.STATUS, Status.DISETUJUI.value)
    calls = _record(monkeypatch)
    assert bridge.cycle().publish.published == 1
    reads = _review_ranges(calls)
    assert reads[0] == ["'Review'!1:1", "'Review'!A:A", "'Review'!L:L"] and reads[1] == ["'Review'"]
    assert next(r for r in bridge.review() if r[ID] == sid)[STATUS] == Status.TERBIT.value
    calls.clear()
    bridge.set_cell(sid, ReviewColumn.OFFICER_NOTE, "catatan")
    bridge.cycle()
    assert _review_ranges(calls) == [["'Review'!1:1", "'Review'!B:B", "'Review'!A:A"]]


def test_archiving_copies_the_row_as_the_sheet_holds_it_not_the_ledger_copy(bridge: Bridge) -> None:
    _settle(bridge)
    sid = next(r[ID] for r in bridge.review() if r[STATUS] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: Status.DITOLAK.value})
    bridge.cycle()
    bridge.clock.advance(timedelta(days=31))
    ledger = Ledger(bridge.workdir / "bridge-state.sqlite3")
    with ledger.transaction():  # the daily full scan and the whole read of Review were just done
        ledger.state.last_full_scan = bridge.now
        ledger.state.review_read_whole = bridge.now
    ledger.close()
    bridge.officer_sets({sid: "Ditolak: foto bukan dari desa ini"}, ReviewColumn.OFFICER_NOTE)
    assert bridge.cycle().archived >= 1
    rows = bridge.rows("Arsip")
    header = [str(h) for h in rows[0]]
    (kept,) = [r for r in rows[1:] if r and r[header.index(ID)] == sid]
    assert kept[header.index(ReviewColumn.OFFICER_NOTE.value)] == "Ditolak: foto bukan dari desa ini"
    assert sid not in {r[ID] for r in bridge.review()}


def test_a_reading_cycle_reads_about_thirty_bytes_per_review_row(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Review part of a read with nothing to do, in the bytes Google would send (without indentation)."""
    form = bridge.responses()
    extra = []
    for n in range(400):  # 400 more submissions from the seed's valid rows, each its own
        row = list(form[1 + n % 4])
        row[0] = {"datetime": f"2026-11-{1 + n % 20:02d}T{n % 24:02d}:{n % 60:02d}:00"}
        row[5] = f"{row[5]} (kabar nomor {n})"
        extra.append(row)
    bridge.set_responses(form + extra)
    _settle(bridge)
    review = len(bridge.review())
    assert review >= 400
    bridge.officer_sets({bridge.review()[0][ID]: "Judul yang disunting"}, ReviewColumn.TITLE)
    calls = _record(monkeypatch)
    bridge.cycle()
    (asked,) = _review_ranges(calls)
    deps = bridge.deps()
    try:
        bridge.sandbox.reset_stats()
        deps.sheets.batch_get(DEMO_SPREADSHEET_ID, asked)  # the same ranges again, counted alone
    finally:
        deps.close()
    assert bridge.stats()["bytes"] / review <= 32
