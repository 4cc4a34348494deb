"""Archive moves are atomic (issue 23): an item is in exactly one of Review and Arsip whatever
fails, and Arsip never contradicts what the bridge did to the item's post."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.config import load_settings
from bridge.core.model import ReviewColumn, Status
from bridge.cycle.pipeline import run_cycle
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge

MOVE = {"method": "sheets.spreadsheets.batchUpdate", "contains": "deleteDimension"}


def _published(b: Bridge) -> list[str]:
    """Every valid demo submission approved and published (live)."""
    b.cycle()
    ids = [r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value]
    b.officer_sets({i: Status.DISETUJUI.value for i in ids})
    b.cycle()
    assert {r["Status"] for r in b.review() if r["ID"] in ids} == {Status.TERBIT.value}
    return ids


def _arsip(b: Bridge) -> list[dict[str, Any]]:
    rows = b.rows("Arsip")
    header = [str(h) for h in rows[0]]
    return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(header)} for r in rows[1:] if any(r)]


def _delete_review_rows(b: Bridge, ids: set[str]) -> None:
    """An officer selects rows in Review and deletes them."""
    rows = b.rows("Review")
    b.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", [rows[0]] + [r for r in rows[1:] if not r or r[0] not in ids])


def _post_of(b: Bridge, sid: str) -> dict[str, Any]:
    [post] = [p for p in b.posts() if sid in str(p.get("content", ""))]
    return post


def test_a_move_refused_with_429_leaves_every_item_in_review_only_and_arsip_tells_the_truth_later(
    bridge: Bridge, caplog: pytest.LogCaptureFixture
) -> None:
    """The issue's three steps: archiving fails with 429, an officer withdraws one item, then deletes its
    row. Arsip must not say "Sudah tayang" (TERBIT) for a post that is a draft, nor the log "never published"."""
    ids = _published(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.sandbox.set_faults({"targets": [dict(MOVE, code=429, times=6)]})  # every attempt of this cycle
    bridge.cycle()
    bridge.sandbox.set_faults({})
    in_review = {r["ID"] for r in bridge.review()}
    assert set(ids) <= in_review
    assert not {a["ID"] for a in _arsip(bridge)} & set(ids)  # in Review only, never in both

    withdrawn = ids[0]
    bridge.officer_sets({withdrawn: Status.DITARIK.value})
    bridge.cycle()  # the withdrawal; the others move to Arsip now
    assert _post_of(bridge, withdrawn)["status"] == "DRAFT"
    assert [r["ID"] for r in bridge.review() if r["ID"] in ids] == [withdrawn]

    _delete_review_rows(bridge, {withdrawn})
    with caplog.at_level(logging.WARNING, logger="bridge.archive"):
        bridge.cycle()
    arsip = _arsip(bridge)
    assert sorted(a["ID"] for a in arsip if a["ID"] in ids) == sorted(ids)  # each exactly once
    [row] = [a for a in arsip if a["ID"] == withdrawn]
    assert row[ReviewColumn.STATUS.value] == Status.DITARIK.value
    assert "ditarik menjadi draf" in row[ReviewColumn.SYSTEM_NOTE.value]
    assert _post_of(bridge, withdrawn)["status"] == "DRAFT"
    said = [r.getMessage() for r in caplog.records if withdrawn in r.getMessage() and "recorded in" in r.getMessage()]
    assert len(said) == 1 and "withdrawn to a draft" in said[0] and "never published" not in said[0]


def test_a_move_applied_but_answered_500_is_not_sent_again(bridge: Bridge) -> None:
    """Google moves the rows but answers 500: the retry sees them in Arsip and deletes no other row."""
    ids = _published(bridge)
    total = len(bridge.review())
    bridge.now = bridge.now + timedelta(days=31)
    bridge.sandbox.set_faults({"targets": [dict(MOVE, code=500, when="after")]})
    report = bridge.cycle()
    assert report.archived == len(ids)
    assert sorted(a["ID"] for a in _arsip(bridge)) == sorted(ids)
    assert len(bridge.review()) == total - len(ids)  # a second delete would have taken other rows
    assert bridge.sandbox.get_faults()["targets"] == []  # the fault was met
    bridge.cycle()
    assert sorted(a["ID"] for a in _arsip(bridge)) == sorted(ids)


def test_a_row_withdrawn_while_the_move_is_retried_stays_in_review(bridge: Bridge) -> None:
    """An officer sets DITARIK between the failed attempt and the retry: that row is not moved
    (it would stand in Arsip as TERBIT), the others are."""
    ids = _published(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.sandbox.set_faults({"targets": [dict(MOVE, code=503)]})
    withdrawn = ids[-1]

    def officer_meanwhile(_seconds: float) -> None:
        bridge.officer_sets({withdrawn: Status.DITARIK.value})

    settings = load_settings(bridge.write_config(), env={})
    deps = build_deps(settings, retry=RetryPolicy(attempts=3, initial=0.001, maximum=0.01, sleep=officer_meanwhile),
                      clock=bridge.clock)
    try:
        run_cycle(deps)
    finally:
        deps.close()
    assert [r["ID"] for r in bridge.review() if r["ID"] in ids] == [withdrawn]
    assert sorted(a["ID"] for a in _arsip(bridge)) == sorted(set(ids) - {withdrawn})


def test_arsip_rows_are_written_as_text_never_as_formulas(bridge: Bridge) -> None:
    """A title that looks like a formula stays text in Arsip after the move (RAW, as in Review)."""
    ids = _published(bridge)
    bridge.set_cell(ids[0], ReviewColumn.TITLE, "=IMPORTXML(\"http://x\",\"//a\")")
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()
    [row] = [a for a in _arsip(bridge) if a["ID"] == ids[0]]
    assert row[ReviewColumn.TITLE.value] == "=IMPORTXML(\"http://x\",\"//a\")"


def test_an_older_bridges_terbit_copy_in_arsip_is_made_right_when_the_withdrawn_row_is_deleted(bridge: Bridge) -> None:
    """Arsip already holds a TERBIT copy (an older bridge appended it, then failed to delete the
    Review row); the item is withdrawn, then its row deleted: Arsip says DITARIK, once, not TERBIT."""
    ids = _published(bridge)
    sid = ids[0]
    review = bridge.rows("Review")
    arsip = bridge.rows("Arsip")
    [copy] = [list(r) for r in review[1:] if r and r[0] == sid]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", [*arsip, copy])
    bridge.officer_sets({sid: Status.DITARIK.value})
    bridge.cycle()
    _delete_review_rows(bridge, {sid})
    bridge.cycle()
    [row] = [a for a in _arsip(bridge) if a["ID"] == sid]
    assert row[ReviewColumn.STATUS.value] == Status.DITARIK.value
    assert "ditarik menjadi draf" in row[ReviewColumn.SYSTEM_NOTE.value]


def test_a_write_back_retried_after_officers_sorted_review_lands_on_the_right_rows(bridge: Bridge) -> None:
    """The write-back of TERBIT and the link fails with 503 and an officer sorts Review during the
    backoff: the retry wrote to the old row numbers, so one item showed another's TERBIT and link."""
    bridge.cycle()
    ids = [r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value]
    bridge.officer_sets({ids[0]: Status.DISETUJUI.value})
    bridge.sandbox.set_faults({"targets": [{"method": "sheets.spreadsheets.values.batchUpdate", "code": 503}]})

    def officer_sorts(_seconds: float) -> None:
        rows = bridge.rows("Review")
        bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", [rows[0], *reversed(rows[1:])])

    settings = load_settings(bridge.write_config(), env={})
    deps = build_deps(settings, retry=RetryPolicy(attempts=3, initial=0.001, maximum=0.01, sleep=officer_sorts),
                      clock=bridge.clock)
    try:
        run_cycle(deps)
    finally:
        deps.close()
    status = {r["ID"]: r["Status"] for r in bridge.review()}
    assert status[ids[0]] == Status.TERBIT.value
    assert [i for i, s in status.items() if s == Status.TERBIT.value] == [ids[0]]
