"""An unforeseen failure while handling one row stops no other row: intake, publishing, archiving,
the Review watch and the report each catch it at that row, say it there, and go on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bridge.core import columns
from bridge.core.model import ReviewColumn, Status
from bridge.core.period import parse_period
from bridge.core.render import find_marker_ids
from bridge.exceptions import FatalError

from .conftest import Bridge

SYSTEM = ReviewColumn.SYSTEM_NOTE.value


def _approve_valid(b: Bridge) -> list[str]:
    ids = [r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value]
    b.officer_sets({i: Status.DISETUJUI.value for i in ids})
    return ids


def _posts_of(b: Bridge, sid: str) -> list[dict[str, Any]]:
    return [p for p in b.posts() if sid in find_marker_ids(p.get("content", ""))]


def _fail_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, error: BaseException, *, when: Any = None) -> None:
    """``owner.name`` raises ``error`` the first time ``when(*args)`` holds (every call when None), then works again."""
    real = getattr(owner, name)
    done = {"failed": False}

    def failing(*args: Any, **kwargs: Any) -> Any:
        if not done["failed"] and (when is None or when(*args)):
            done["failed"] = True
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)


def test_a_row_that_fails_after_its_post_is_made_is_gagal_and_the_others_publish(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OverflowError after posts.insert left the row unwritten and stopped every later approval, every cycle."""
    from bridge.cycle import publish

    bridge.cycle()
    ids = _approve_valid(bridge)
    _fail_once(monkeypatch, publish, "_done_values", OverflowError("date value out of range"))
    report = bridge.cycle()
    review = {r["ID"]: r for r in bridge.review()}
    assert [review[i]["Status"] for i in ids] == [Status.GAGAL.value] + [Status.TERBIT.value] * (len(ids) - 1)
    assert review[ids[0]][SYSTEM] == (
        "Baris ini tidak dapat diproses karena kesalahan sistem (OverflowError: date value out of range); baris lain "
        "tetap diproses. Staf TI dapat melihat rinciannya di log; periksa isi baris ini."
    )
    assert report.publish.failed == 1 and report.publish.published == len(ids) - 1
    assert report.problems == [f"{ids[0]}: publishing failed (OverflowError: date value out of range)"]
    bridge.officer_sets({ids[0]: Status.DISETUJUI.value})  # the officer tries again: the post made is found, not made twice
    bridge.cycle()
    assert {r["ID"]: r["Status"] for r in bridge.review()}[ids[0]] == Status.TERBIT.value
    assert len(_posts_of(bridge, ids[0])) == 1


def test_a_problem_a_person_must_fix_still_writes_back_what_was_published(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fatal error on the second approval lost the first one's write-back: a post on the blog, its row still DISETUJUI."""
    from bridge.adapters.blogger import BloggerGateway

    bridge.cycle()
    ids = _approve_valid(bridge)
    calls = {"n": 0}

    def second(*args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        return calls["n"] == 2

    _fail_once(monkeypatch, BloggerGateway, "insert", FatalError("photo store: folder not writable"), when=second)
    with pytest.raises(FatalError):
        bridge.cycle()
    review = {r["ID"]: r for r in bridge.review()}
    assert review[ids[0]]["Status"] == Status.TERBIT.value and review[ids[0]]["Tautan Post"]
    assert [review[i]["Status"] for i in ids[1:]] == [Status.DISETUJUI.value] * (len(ids) - 1), "the rest wait, not GAGAL"


def test_a_response_row_that_cannot_be_read_is_queued_for_officers_with_the_cause(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One response that could not be read stopped intake for every response after it, every cycle."""
    from bridge.cycle import intake

    real = columns.row_to_response

    def unreadable(row: Any, row_number: int, *args: Any, **kwargs: Any) -> Any:
        if row_number == 3:
            raise ValueError("unexpected cell")
        return real(row, row_number, *args, **kwargs)

    monkeypatch.setattr(intake.columns, "row_to_response", unreadable)
    report = bridge.cycle()
    rows = bridge.responses()
    assert report.intake.queued == len(rows) - 1 and report.problems == []
    third = next(r for r in bridge.review() if r["Judul"] == rows[2][5])
    assert third["Status"] == Status.TIDAK_VALID.value
    assert third[SYSTEM] == ("1. Pemeriksaan otomatis gagal karena kesalahan sistem (ValueError: unexpected cell); "
                             "periksa kiriman ini secara manual.")
    monkeypatch.setattr(intake.columns, "row_to_response", real)
    bridge.now = bridge.now + timedelta(days=1)  # the daily full scan reads it again: queued once, not twice
    assert bridge.cycle().intake.queued == 0
    assert len(bridge.review()) == len(rows) - 1


def test_a_row_that_cannot_be_archived_stays_in_review_and_the_others_go(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One row that could not be copied to Arsip stopped archiving (and the cycle) for every row."""
    from bridge.cycle import archive

    bridge.cycle()
    ids = _approve_valid(bridge)
    bridge.cycle()
    bridge.now = bridge.now + timedelta(days=31)
    _fail_once(monkeypatch, archive, "_archive_row", KeyError("Foto"), when=lambda row, *a: row.id == ids[1])
    report = bridge.cycle()
    assert report.archived == len(ids) - 1
    (kept,) = [r for r in bridge.review() if r["ID"] in ids]
    assert kept["ID"] == ids[1] and kept[SYSTEM].startswith(
        "Baris ini tidak dapat diproses karena kesalahan sistem (KeyError: 'Foto'); baris lain tetap diproses.")
    assert bridge.cycle().archived == 1, "once it can be, it goes to Arsip"


def test_the_review_watch_failing_does_not_stop_publishing(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unforeseen error in matching Review rows stopped the whole cycle: nothing was published."""
    from bridge.core import identity

    bridge.cycle()
    ids = _approve_valid(bridge)
    _fail_once(monkeypatch, identity, "plan_review", RecursionError("maximum recursion depth exceeded"))
    report = bridge.cycle()
    assert report.publish.published == len(ids)
    assert report.problems == [
        "the Review watch failed, the rest of the cycle went on: RecursionError: maximum recursion depth exceeded"
    ]


def test_a_row_the_report_cannot_read_is_named_in_its_notes(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """One Review row the report could not read stopped the whole monthly report."""
    from bridge.commands import report as report_command

    bridge.cycle()
    sid = bridge.review()[1]["ID"]
    bridge.set_cell(sid, ReviewColumn.RECEIVED, "tanggal aneh")
    real = columns.parse_datetime_cell

    def odd(value: Any, *args: Any, **kwargs: Any) -> Any:
        if value == "tanggal aneh":
            raise OverflowError("date value out of range")
        return real(value, *args, **kwargs)

    monkeypatch.setattr(columns, "parse_datetime_cell", odd)
    deps = bridge.deps()
    try:
        result = report_command.write_report(deps, parse_period("2026-11"))
    finally:
        deps.close()
    assert result.report.tables[0].notes[-1] == (
        "Tidak dihitung karena barisnya tidak terbaca (periksa isinya): Review baris 3 (OverflowError: date value "
        "out of range)."
    )
