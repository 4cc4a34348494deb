"""One bad cell never stops a cycle: dates at the calendar's edges and lone surrogates, in every tab."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.sandbox.seed import DEMO_REGISTRY_TAB, DEMO_SPREADSHEET_ID

from .conftest import Bridge

SYSTEM = ReviewColumn.SYSTEM_NOTE.value
#: What the hostile-input audit typed (issue 18), and the same edges as the sheet's own date values.
EDGE_DATES: list[Any] = [
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+14:00",
    "31/12/9999 23:59:59",
    {"datetime": "9999-12-31T23:59:59"},
    2958465.9999999995,  # the last serial number, which rounds to the millisecond past the calendar

]


def _approve_valid(b: Bridge) -> list[str]:
    ids = [r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value]
    b.officer_sets({i: Status.DISETUJUI.value for i in ids})
    return ids


def _ours(b: Bridge) -> list[dict[str, Any]]:
    return [p for p in b.posts() if find_marker_ids(p.get("content", ""))]


@pytest.mark.parametrize("edge", EDGE_DATES)
def test_a_schedule_at_the_edge_of_the_calendar_fails_only_its_row(bridge: Bridge, edge: Any) -> None:
    """A Jadwal Terbit of 31/12/9999 stopped every cycle: no approval was ever published again."""
    bridge.cycle()
    ids = _approve_valid(bridge)
    bridge.officer_sets({ids[0]: edge}, column=ReviewColumn.SCHEDULE)
    report = bridge.cycle()
    review = {r["ID"]: r for r in bridge.review()}
    assert review[ids[0]]["Status"] == Status.GAGAL.value
    assert review[ids[0]][SYSTEM].startswith("Jadwal Terbit ") and "tidak terbaca" in review[ids[0]][SYSTEM]
    assert [review[i]["Status"] for i in ids[1:]] == [Status.TERBIT.value] * (len(ids) - 1)
    assert report.publish.published == len(ids) - 1 and len(_ours(bridge)) == len(ids) - 1


@pytest.mark.parametrize("edge", [*EDGE_DATES, "30/12/9999 00:00"])  # the last time read: archiving adds days to it
def test_a_received_time_at_the_edge_of_the_calendar_changes_nothing_else(bridge: Bridge, edge: Any) -> None:
    """An officer's 9999 in Diterima of a settled row stopped the cycle (archiving, the quiet-time sums)."""
    bridge.cycle()
    ids = _approve_valid(bridge)
    bridge.cycle()
    bridge.set_cell(ids[0], ReviewColumn.RECEIVED, edge)
    bridge.set_cell(ids[0], ReviewColumn.PUBLISHED, edge)
    bridge.now = bridge.now.replace(year=bridge.now.year + 1)  # every settled row is due for Arsip
    report = bridge.cycle()
    assert report.problems == []
    assert report.archived == len(ids) - 1, "the other published rows went to Arsip"
    assert [r["ID"] for r in bridge.review() if r["ID"] in ids] == [ids[0]], "the unreadable one stays in view"
    assert bridge.cycle().problems == [], "alone among the settled rows, it still stops nothing"


@pytest.mark.parametrize("edge", EDGE_DATES)
def test_a_form_timestamp_at_the_edge_of_the_calendar_is_unreadable_with_a_reason(bridge: Bridge, edge: Any) -> None:
    """A response stamped 9999-12-31T23:59:59Z stopped intake for every later response."""
    rows = bridge.responses()
    rows[1][0] = edge
    bridge.set_responses(rows)
    report = bridge.cycle()
    assert report.problems == [] and report.intake.queued == len(rows) - 1
    first = next(r for r in bridge.review() if r["Judul"] == rows[1][5])
    assert first["Status"] == Status.TIDAK_VALID.value and "Stempel waktu" in first[SYSTEM]
    assert "tidak terbaca" in first[SYSTEM]


@pytest.mark.parametrize("edge", EDGE_DATES)
def test_kim_sk_dates_at_the_edge_of_the_calendar_are_unreadable_with_a_reason(bridge: Bridge, edge: Any) -> None:
    """A Tanggal SK of 0001-01-01T00:00:00+14:00 in the KIM tab stopped every cycle before intake."""
    rows = bridge.rows(DEMO_REGISTRY_TAB)
    rows[1][5] = edge  # Tanggal SK
    rows[1][6] = edge  # SK Berlaku Sampai
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_REGISTRY_TAB, rows)
    report = bridge.cycle()
    assert report.problems == [] and report.intake.queued == len(bridge.responses()) - 1
    kim = rows[1][0]
    notes = [r[SYSTEM] for r in bridge.review() if r["KIM"] == kim]
    assert notes and all(f"SK Berlaku Sampai untuk {kim} berisi" in n for n in notes), notes


def test_an_sk_with_no_end_may_be_written_as_the_last_day_of_the_calendar(bridge: Bridge) -> None:
    """An officer who writes 31/12/9999 for an SK without end date would see it called unreadable."""
    rows = bridge.rows(DEMO_REGISTRY_TAB)
    rows[1][6] = "31/12/9999"
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_REGISTRY_TAB, rows)
    report = bridge.cycle()
    assert not [a for a in report.alerts if a.kim == rows[1][0] and a.code.startswith("sk_")]


def test_a_lone_surrogate_in_a_text_cell_is_cleaned(bridge: Bridge) -> None:
    """A title holding half of an emoji (a lone UTF-16 surrogate) stopped intake through the fingerprint."""
    rows = bridge.responses()
    rows[1][5] = "Panen raya \ud83c di desa"
    rows[2][6] = rows[2][6] + " \udfff"
    bridge.set_responses(rows)
    report = bridge.cycle()
    assert report.problems == [] and report.intake.queued == len(rows) - 1
    titles = [r["Judul"] for r in bridge.review()]
    assert "Panen raya \ufffd di desa" in titles
    bridge.cycle()
    assert len(bridge.review()) == len(rows) - 1, "queued once, not again each cycle"


@pytest.mark.parametrize("edge", EDGE_DATES)
def test_the_report_reads_rows_with_dates_at_the_edge_of_the_calendar(bridge: Bridge, edge: Any) -> None:
    """A Diterima or Waktu Terbit of 9999-12-31T23:59:59Z stopped the monthly report for every KIM."""
    from bridge.commands.report import write_report
    from bridge.core.period import parse_period

    bridge.cycle()
    ids = _approve_valid(bridge)
    bridge.cycle()
    for column in (ReviewColumn.RECEIVED, ReviewColumn.PUBLISHED, ReviewColumn.SCHEDULE):
        bridge.set_cell(ids[0], column, edge)
    rows = bridge.rows(DEMO_REGISTRY_TAB)
    rows[2][5], rows[2][6], rows[2][-1] = edge, edge, edge  # Tanggal SK, SK Berlaku Sampai, Tanggal Dihentikan
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, DEMO_REGISTRY_TAB, rows)
    deps = bridge.deps()
    try:
        result = write_report(deps, parse_period("2026-11"))
    finally:
        deps.close()
    assert result.report.tables and not any("tidak terbaca" in n for t in result.report.tables for n in t.notes)


def test_an_approved_row_with_a_foreign_id_and_an_odd_fingerprint_is_gagal_with_what_to_do(bridge: Bridge) -> None:
    """An ID typed by hand with text in Sidik Jari stopped the cycle (the post marker refused it) after journaling an intent."""
    bridge.cycle()
    ids = _approve_valid(bridge)
    bridge.set_cell(ids[0], ReviewColumn.FINGERPRINT, "9999-12-31T23:59:59Z")
    bridge.set_cell(ids[0], ReviewColumn.ID, "MM-2026-9999")
    report = bridge.cycle()
    review = {str(r["ID"]): r for r in bridge.review()}
    assert review["MM-2026-9999"]["Status"] == Status.GAGAL.value
    assert review["MM-2026-9999"][SYSTEM].startswith("Sidik Jari '9999-12-31T23:59:59Z' bukan buatan sistem")
    assert [review[i]["Status"] for i in ids[1:]] == [Status.TERBIT.value] * (len(ids) - 1)
    assert report.publish.failed == 1
