"""Diputuskan (WITA) (issue 19): the time an officer decided is on the row, written once, never guessed."""

from __future__ import annotations

from datetime import timedelta

from bridge.core.model import ReviewColumn, Status

from .conftest import Bridge

DECIDED = ReviewColumn.DECIDED.value


def _waiting(b: Bridge) -> list[str]:
    return [r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value]


def test_the_decision_time_is_written_when_the_bridge_first_sees_it(bridge: Bridge) -> None:
    """An approval and a rejection get the time of the cycle that first saw them, and keep it afterwards."""
    bridge.cycle()
    first, second = _waiting(bridge)[:2]
    assert all(not r[DECIDED] for r in bridge.review())
    bridge.now = bridge.now + timedelta(hours=3)
    bridge.officer_sets({first: Status.DISETUJUI.value, second: Status.DITOLAK.value})
    bridge.cycle()
    rows = {r["ID"]: r for r in bridge.review()}
    assert rows[first]["Status"] == Status.TERBIT.value
    assert rows[first][DECIDED] == rows[second][DECIDED] == "23/11/2026 13:00:00"
    assert sum(1 for r in rows.values() if r[DECIDED]) == 2
    bridge.now = bridge.now + timedelta(hours=1)
    bridge.cycle()
    assert {r["ID"]: r for r in bridge.review()}[first][DECIDED] == "23/11/2026 13:00:00"


def test_a_lost_ledger_does_not_invent_decision_times(bridge: Bridge) -> None:
    """After a wiped disk, a rejection decided before cannot be timed, and is left empty rather than stamped now."""
    bridge.cycle()
    sid = _waiting(bridge)[0]
    bridge.officer_sets({sid: Status.DITOLAK.value})
    bridge.lose_ledger()
    bridge.cycle()
    bridge.cycle()
    assert {r["ID"]: r for r in bridge.review()}[sid][DECIDED] == ""
