"""Report periods: a month ``2026-11``, a quarter ``2026-Q4``, a half-year ``2026-S2``, a year
``2026`` or a date range ``2026-10-01..2026-11-30`` (both ends included)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

#: Indonesian month names, for titles and dates an officer reads.
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember")
MONTHS_SHORT_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


class PeriodError(ValueError):
    """The period text is not one of the accepted forms (message says which forms are)."""


FORMS = "a month 2026-11, a quarter 2026-Q4, a half-year 2026-S2, a year 2026 or a range 2026-10-01..2026-11-30"


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included; ``key`` is the text it was given as."""

    key: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """The period in words, for the tab's title: 'November 2026', 'Triwulan IV 2026'."""
        m = re.fullmatch(r"(\d{4})-(\d{2})", self.key)
        if m:
            return f"{MONTHS_ID[int(m.group(2)) - 1]} {m.group(1)}"
        m = re.fullmatch(r"(\d{4})-Q([1-4])", self.key)
        if m:
            return f"Triwulan {('I', 'II', 'III', 'IV')[int(m.group(2)) - 1]} {m.group(1)}"
        m = re.fullmatch(r"(\d{4})-S([12])", self.key)
        if m:
            return f"Semester {('I', 'II')[int(m.group(2)) - 1]} {m.group(1)}"
        if re.fullmatch(r"\d{4}", self.key):
            return f"Tahun {self.key}"
        return f"{long_date(self.start)} s.d. {long_date(self.end)}"

    def months(self) -> list[tuple[int, int]]:
        """Every (year, month) the period touches, in order."""
        out: list[tuple[int, int]] = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def long_date(day: date) -> str:
    """'1 Desember 2026'."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return nxt - timedelta(days=1)


def parse_period(text: str) -> Period:
    """Read a period given on the command line.

    Raises:
        PeriodError: not one of the accepted forms, or an impossible date.
    """
    key = text.strip().upper().replace(" ", "")
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", key):
            y, mo = int(m.group(1)), int(m.group(2))
            if not 1 <= mo <= 12:
                raise PeriodError(f"{text!r}: month {mo} does not exist; use {FORMS}")
            return Period(f"{y}-{mo:02d}", date(y, mo, 1), _month_end(y, mo))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", key):
            y, q = int(m.group(1)), int(m.group(2))
            return Period(key, date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        if m := re.fullmatch(r"(\d{4})-S([12])", key):
            y, s = int(m.group(1)), int(m.group(2))
            return Period(key, date(y, 6 * s - 5, 1), _month_end(y, 6 * s))
        if re.fullmatch(r"\d{4}", key):
            y = int(key)
            return Period(key, date(y, 1, 1), date(y, 12, 31))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", key):
            start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            if end < start:
                raise PeriodError(f"{text!r}: the range ends before it starts")
            return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"{text!r}: {exc}; use {FORMS}") from None
    raise PeriodError(f"{text!r} is not a period; use {FORMS}")


def previous_month(today: date) -> Period:
    """The calendar month before ``today``'s (what the monthly report covers)."""
    last = today.replace(day=1) - timedelta(days=1)
    return parse_period(f"{last.year}-{last.month:02d}")





def ends_after(period: Period, today: date) -> bool:
    """The period ends after ``today``: its report cannot be complete (refused unless asked for)."""
    return period.end > today


def has_ended(period: Period, today: date) -> bool:
    """Every day of the period is before ``today``; otherwise its report is provisional (sementara)."""
    return period.end < today


def monthly_report_due(now: datetime, hour: int, last_written: str) -> Period | None:
    """The month whose report is due at local time ``now``: the previous month, from the 1st at
    ``hour`` on (later in the month if the service was not running then); ``None`` once written."""
    if now.day == 1 and now.hour < hour:
        return None
    period = previous_month(now.date())
    return None if period.key == last_written else period

__all__ = ["FORMS", "MONTHS_ID", "MONTHS_SHORT_ID", "Period", "PeriodError", "ends_after", "has_ended", "long_date", "monthly_report_due", "parse_period",
           "previous_month"]
