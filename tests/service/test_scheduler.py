"""`run` plumbing: one bridge per state file, and a stop flag the cycle can see."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.exceptions import AuthError, FatalError
from bridge.service.scheduler import ServiceCycle, StopFlag, single_instance


def test_second_bridge_on_same_state_refuses(tmp_path: Path) -> None:
    """Starting a second bridge on the same ledger fails with a clear message, not a race."""
    state = tmp_path / "bridge.sqlite3"
    with single_instance(state), pytest.raises(FatalError, match="already running"), single_instance(state):
        pass


def test_lock_is_released_after_exit(tmp_path: Path) -> None:
    """After a clean stop (or a crash) the bridge can start again."""
    state = tmp_path / "bridge.sqlite3"
    with single_instance(state):
        pass
    with single_instance(state) as lock:
        assert lock.read_text().strip().isdigit()


def test_stop_flag() -> None:
    """SIGTERM sets the flag the cycle checks between items."""
    flag = StopFlag()
    assert flag() is False
    flag.set()
    assert flag() is True and flag.wait(0) is True


def test_the_service_reconnects_after_google_refused_the_token() -> None:
    """After `mymein-bridge auth` writes a new token, the running service picks it up at its next
    cycle (it reconnects after a refusal) instead of failing until someone restarts it."""
    connects: list[int] = []
    closed: list[int] = []
    outcomes = [AuthError("HTTP 401"), None, None]

    def run(conn: int) -> None:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    cycle = ServiceCycle(lambda: connects.append(len(connects)) or len(connects), run, closed.append)
    cycle.connect()
    with pytest.raises(AuthError):
        cycle()
    cycle()
    cycle()
    assert connects == [0, 1] and closed == [1]  # connected once more after the refusal, not every cycle
    cycle.close()
    assert closed == [1, 2]
