"""The one clock: the bridge and the sandbox both ask a ``Clock`` for the time.

Production uses :func:`system_clock`. Tests share one :class:`ManualClock` between the
bridge and the sandbox, so nothing they assert depends on today's date, the machine's
time zone or how long a test takes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Returns the current time, always time-zone aware."""


def system_clock() -> datetime:
    """The machine's time, in UTC (callers convert to WITA where they show it)."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: ``clock.set(...)`` or ``clock.advance(...)``."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


class RunningClock:
    """Starts at a given moment and runs at real speed from there (the demo's story time).

    The demo's seed data is dated; on this clock its story reads the same in any year.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("RunningClock needs an aware datetime")
        self._start = start
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


class OffsetClock:
    """The machine's time plus an offset that can be moved (the standalone sandbox's clock, so a
    soak can jump it forward or back through ``/_sandbox/clock``)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def __call__(self) -> datetime:
        return system_clock() + self.offset

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self.offset = when - system_clock()

    def advance(self, delta: timedelta) -> None:
        self.offset = self.offset + delta


__all__ = ["Clock", "ManualClock", "OffsetClock", "RunningClock", "system_clock"]
