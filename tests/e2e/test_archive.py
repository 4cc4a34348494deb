"""Archive: old TERBIT/DITOLAK rows leave Review for Arsip, each exactly once, readable as they were."""

from __future__ import annotations

from datetime import timedelta

from bridge.core.model import ReviewColumn, Status
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge


def _approve_valid(b: Bridge) -> list[str]:
    ids = [r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value]
    b.officer_sets({i: Status.DISETUJUI.value for i in ids})
    return ids


def _arsip_ids(b: Bridge) -> list[str]:
    rows = b.rows("Arsip")
    col = [str(h) for h in rows[0]].index(ReviewColumn.ID.value)
    return sorted(str(r[col]) for r in rows[1:])


def test_archive_moves_old_rows(bridge: Bridge) -> None:
    """Rows TERBIT/DITOLAK longer than archive_after_days leave Review for Arsip, once."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    bridge.cycle()
    total = len(bridge.review())
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()
    remaining = {r["ID"] for r in bridge.review()}
    assert not remaining & set(approved)
    arsip = bridge.rows("Arsip")
    archived_ids = [r[0] for r in arsip[1:]]
    assert sorted(archived_ids) == sorted(approved)
    assert len(remaining) == total - len(approved)
    bridge.cycle()
    assert len(bridge.rows("Arsip")) == len(arsip)


def test_old_submission_published_today_stays_in_review_until_it_is_old(bridge: Bridge) -> None:
    """Age counts from publication: an item approved 40 days after it arrived shows TERBIT in
    Review (officers see the link), and only moves to Arsip archive_after_days later."""
    bridge.cycle()
    bridge.now = bridge.now + timedelta(days=40)
    approved = _approve_valid(bridge)
    bridge.cycle()
    statuses = {r["ID"]: r["Status"] for r in bridge.review()}
    assert {statuses[sid] for sid in approved} == {Status.TERBIT.value}
    assert len(bridge.rows("Arsip")) == 1
    bridge.cycle()
    assert len(bridge.rows("Arsip")) == 1  # the published time, not the received time, counts

    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()
    assert sorted(r[0] for r in bridge.rows("Arsip")[1:]) == sorted(approved)


def _archive_with_a_lost_answer(b: Bridge) -> None:
    """A month later the archive's append to Arsip is applied but answered 500; then all is well."""
    b.now = b.now + timedelta(days=31)
    b.sandbox.set_faults({"after_rate": 1.0, "codes": [500]})
    b.cycle()
    b.sandbox.set_faults({})
    b.cycle()
    b.cycle()


def test_an_append_whose_answer_was_lost_is_not_repeated(bridge: Bridge) -> None:
    """Google adds the rows to Arsip but answers 500: the next cycle does not add them again."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    bridge.cycle()
    _archive_with_a_lost_answer(bridge)
    assert _arsip_ids(bridge) == sorted(approved)
    assert not set(approved) & {r["ID"] for r in bridge.review()}


def test_archive_finds_the_id_column_where_officers_moved_it(bridge: Bridge) -> None:
    bridge.cycle()
    approved = _approve_valid(bridge)
    bridge.cycle()
    rows = bridge.rows("Review")
    rows = [["No."] + rows[0]] + [[n] + r for n, r in enumerate(rows[1:], start=1)]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)
    bridge.now = bridge.now + timedelta(days=31)
    assert bridge.cycle().archived == len(approved)
    assert _arsip_ids(bridge) == sorted(approved)


def test_an_officers_schedule_date_stays_a_date_in_arsip(bridge: Bridge) -> None:
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    # typed as a date: the API reads it back as a serial number
    bridge.officer_sets({sid: {"datetime": "2026-11-23T08:00:00"}}, column=ReviewColumn.SCHEDULE)
    bridge.cycle()
    bridge.now = bridge.now + timedelta(days=40)
    bridge.cycle()
    arsip = bridge.rows("Arsip")
    row = next(r for r in arsip[1:] if r[0] == sid)
    assert row[[str(h) for h in arsip[0]].index(ReviewColumn.SCHEDULE.value)] == "23/11/2026 08:00:00"


def test_arsip_with_moved_id_column(bridge: Bridge) -> None:
    """Rows land under Arsip's own headers, once, even when an append's answer is lost."""
    bridge.cycle()
    ids = [r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value]
    bridge.officer_sets({i: Status.DISETUJUI.value for i in ids})
    bridge.cycle()
    arsip = bridge.rows("Arsip")
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", [["No."] + list(arsip[0])])
    _archive_with_a_lost_answer(bridge)
    rows = bridge.rows("Arsip")
    col = [str(h) for h in rows[0]].index(ReviewColumn.ID.value)
    under_id = sorted(str(r[col]) for r in rows[1:] if len(r) > col)
    assert len(rows) - 1 == len(ids)
    assert under_id == sorted(ids)


def test_missing_arsip_with_old_rows_is_made_again_then_quiet(bridge: Bridge) -> None:
    """Without an Arsip tab, old TERBIT/DITOLAK rows must not add reads to every quiet cycle: the first
    cycle makes Arsip again (issue 17) and archives them, and quiet cycles then cost one Drive call."""
    bridge.cycle()
    bridge.officer_sets({r["ID"]: Status.DITOLAK.value for r in bridge.review()})
    bridge.cycle()  # the decisions are seen (Diputuskan written) while the rows are young
    ss = bridge.sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)
    ss["sheets"] = [s for s in ss["sheets"] if s.get("properties", s).get("title") != "Arsip"]
    bridge.now = bridge.now + timedelta(days=31)
    assert bridge.settled_cycle_cost() == {"drive.files.get": 1}
    arsip = [r for r in bridge.rows("Arsip")[1:] if r]
    assert arsip and len(arsip) + len(bridge.review()) == 8


def test_rows_that_are_not_really_done_stay_in_review(bridge: Bridge) -> None:
    """A TERBIT typed by hand (no post) and a DITOLAK whose post is still live stay in view:
    archiving them would hide an unpublished item or a live post that was meant to come down."""
    bridge.cycle()
    by_hand, rejected_live, *_ = _approve_valid(bridge)
    bridge.officer_sets({by_hand: Status.MENUNGGU.value})
    bridge.cycle()  # rejected_live is published
    bridge.officer_sets({by_hand: Status.TERBIT.value, rejected_live: Status.DITOLAK.value})
    bridge.cycle()
    notes = {r["ID"]: r[ReviewColumn.SYSTEM_NOTE.value] for r in bridge.review()}
    assert "belum punya post" in notes[by_hand] and "Pilih DITARIK" in notes[rejected_live]
    bridge.now = bridge.now + timedelta(days=40)
    bridge.cycle()
    assert {by_hand, rejected_live} <= {r["ID"] for r in bridge.review()}
    assert not {by_hand, rejected_live} & set(_arsip_ids(bridge))
