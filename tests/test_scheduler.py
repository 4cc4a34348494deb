"""`run` plumbing: one bridge per state file, and a stop flag the cycle can see."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.exceptions import FatalError
from bridge.scheduler import StopFlag, single_instance


def test_second_bridge_on_same_state_refuses(tmp_path: Path) -> None:
    """Starting a second bridge on the same ledger fails with a clear message, not a race."""
    state = tmp_path / "bridge.sqlite3"
    with single_instance(state):
        with pytest.raises(FatalError, match="already running"):
            with single_instance(state):
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
