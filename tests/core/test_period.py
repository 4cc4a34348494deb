"""Report periods as typed on the command line."""

from __future__ import annotations

from datetime import date

import pytest

from bridge.core.period import PeriodError, parse_period, previous_month


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
        ("2024-2", date(2024, 2, 1), date(2024, 2, 29), "Februari 2024"),
        ("2026-q4", date(2026, 10, 1), date(2026, 12, 31), "Triwulan IV 2026"),
        ("2026-S1", date(2026, 1, 1), date(2026, 6, 30), "Semester I 2026"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "Tahun 2026"),
        ("2026-10-01..2026-11-30", date(2026, 10, 1), date(2026, 11, 30), "1 Oktober 2026 s.d. 30 November 2026"),
    ],
)
def test_each_form_covers_its_days(text: str, start: date, end: date, label: str) -> None:
    """A report for a quarter or a half-year would miss or add days."""
    p = parse_period(text)
    assert (p.start, p.end, p.label) == (start, end, label)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "Nov 2026", "2026-11-30..2026-10-01", "2026-02-30..2026-03-01", ""])
def test_bad_periods_say_which_forms_work(text: str) -> None:
    """A typo would silently produce an empty or wrong report."""
    with pytest.raises(PeriodError):
        parse_period(text)


def test_previous_month_crosses_the_year() -> None:
    """The monthly report written on 1 January would cover the wrong month."""
    assert previous_month(date(2027, 1, 1)).key == "2026-12"
    assert parse_period("2026-Q4").months() == [(2026, 10), (2026, 11), (2026, 12)]


def test_monthly_report_is_due_from_the_first_at_the_hour_until_written() -> None:
    """`run` would write the monthly report too early, never, or every cycle."""
    from datetime import datetime

    from bridge.core.period import monthly_report_due
    from tests.conftest import WITA

    assert monthly_report_due(datetime(2026, 12, 1, 6, 59, tzinfo=WITA), 7, "2026-10") is None
    due = monthly_report_due(datetime(2026, 12, 1, 7, 0, tzinfo=WITA), 7, "2026-10")
    assert due is not None and due.key == "2026-11"
    assert monthly_report_due(datetime(2026, 12, 3, 1, 0, tzinfo=WITA), 7, "2026-10") == due  # the service was down on the 1st
    assert monthly_report_due(datetime(2026, 12, 9, 7, 0, tzinfo=WITA), 7, "2026-11") is None
