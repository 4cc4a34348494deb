"""Cells at the edges of the calendar and of Unicode: read as unreadable or cleaned, never an exception."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bridge.core.columns import cell_text, parse_date_cell, parse_datetime_cell

WITA = ZoneInfo("Asia/Makassar")


@pytest.mark.parametrize("cell", [
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "31/12/9999 23:59:59", "01/01/0001 00:00",
    2958465.9999999995, datetime(9999, 12, 31, 23, 0), datetime(1, 1, 1, 0, 0, tzinfo=ZoneInfo("Pacific/Kiritimati")),
    float("nan"), -1,
])
def test_a_date_time_outside_the_calendar_is_unreadable(cell: Any) -> None:
    """A date past 9999 in WITA raised OverflowError, which stopped every cycle."""
    assert parse_datetime_cell(cell, WITA) is None


def test_the_calendar_ends_a_day_before_pythons() -> None:
    """A time the bridge reads must survive a time zone and a day more (archiving adds days)."""
    assert parse_datetime_cell("30/12/9999 00:00", WITA) == datetime(9999, 12, 30, tzinfo=WITA)
    assert parse_datetime_cell("02/01/0001 00:00", WITA) == datetime(1, 1, 2, tzinfo=WITA)


@pytest.mark.parametrize(("cell", "day"), [("31/12/9999", date(9999, 12, 31)), ("9999-12-31", date(9999, 12, 31)),
                                           ("01/01/0001", date(1, 1, 1))])
def test_a_plain_date_keeps_the_whole_calendar(cell: str, day: date) -> None:
    """An SK 'berlaku sampai 31/12/9999' (no end) was called unreadable."""
    assert parse_date_cell(cell, WITA) == day


def test_lone_surrogates_become_the_replacement_character() -> None:
    """Half an emoji in a cell could not be hashed for the fingerprint: intake stopped for everyone."""
    assert cell_text("a\ud83cb\udfff") == "a\ufffdb\ufffd"
    assert cell_text("😀 ok") == "😀 ok"
    assert cell_text("a\ud83cb").encode("utf-8") == "a\ufffdb".encode("utf-8")
