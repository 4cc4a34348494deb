"""Waiting times to an officer's decision (issue 19), on plain data."""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.core.model import Status
from bridge.core.waiting import Waiting, waiting_cells, waiting_line, waiting_note, waiting_of
from tests.conftest import WITA

T0 = datetime(2026, 11, 2, 8, tzinfo=WITA)


def _after(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_no_items_give_dashes_not_zero() -> None:
    """An empty period would show a waiting time of 0 hours, as if officers decided at once."""
    w = waiting_of([])
    assert w == Waiting((), 0)
    assert waiting_cells(w) == ("-", "-")
    assert waiting_line(w) == "waiting for a decision: no decision time recorded in the period"


def test_one_item_is_its_own_median_and_p90() -> None:
    """A single decision 5 hours after submission would be reported as some other figure."""
    w = waiting_of([(Status.DITOLAK, T0, _after(5))])
    assert waiting_cells(w) == ("5,0", "5,0")


def test_median_and_nearest_rank_p90() -> None:
    """Officers would read a p90 interpolated between two items, a time no submission waited."""
    w = waiting_of([(Status.TERBIT, T0, _after(h)) for h in (1, 2, 3, 4, 5, 6, 7, 8, 9, 30)])
    assert waiting_cells(w) == ("5,5", "9,0")


def test_rows_without_a_decision_time_are_not_recorded_never_guessed() -> None:
    """Older rows decided before the column existed would be given a made-up time and skew the median."""
    w = waiting_of([(Status.DISETUJUI, T0, None), (Status.DITARIK, T0, None)])
    assert w == Waiting((), 2)
    assert waiting_cells(w) == ("tidak tercatat", "tidak tercatat")
    mixed = waiting_of([(Status.TERBIT, T0, _after(2)), (Status.DITOLAK, T0, None)])
    assert waiting_cells(mixed) == ("2,0", "2,0")
    assert "1 dari 2 kiriman yang sudah diputuskan tidak tercatat" in waiting_note(mixed)
    assert waiting_line(mixed) == ("waiting for a decision: median 2.0 h, p90 2.0 h over 1 decision(s); "
                                   "1 without a recorded decision time (older rows), not counted")


def test_undecided_rows_are_left_out_even_with_a_time() -> None:
    """A row an officer set back to MENUNGGU would count as decided; a hand-edited time before the submission would be negative."""
    w = waiting_of([(Status.MENUNGGU, T0, _after(3)), (Status.TIDAK_VALID, T0, _after(1)), (None, T0, _after(1)),
                    (Status.GAGAL, T0, T0 - timedelta(hours=1)), (Status.GAGAL, None, _after(1))])
    assert w == Waiting((), 2)
