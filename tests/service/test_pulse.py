"""`run`'s pulse in the journal (issue 19): failure once, recovery once, alive hourly."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bridge.clock import ManualClock
from bridge.service.pulse import Pulse


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bridge.service"]


def test_a_failure_is_logged_once_and_the_recovery_once(clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    """IT staff would find the journal full of the same error every minute, or no line when the bridge works again."""
    caplog.set_level(logging.INFO, logger="bridge.service")
    pulse = Pulse(clock)
    pulse.record(None)
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        pulse.record("Google did not answer")
    clock.advance(timedelta(minutes=1))
    pulse.record(None)
    clock.advance(timedelta(minutes=1))
    pulse.record(None)
    assert _lines(caplog) == [
        "bridge not working since 2026-11-23T10:01:00+08:00: Google did not answer",
        "bridge recovered at 2026-11-23T10:04:00+08:00 after 3 failed cycle(s) since 2026-11-23T10:01:00+08:00",
    ]


def test_one_alive_line_an_hour(clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    """A silent journal would look the same for a healthy bridge and a dead one."""
    caplog.set_level(logging.INFO, logger="bridge.service")
    pulse = Pulse(clock)
    for _ in range(121):  # two hours of one-minute cycles
        pulse.record(None)
        clock.advance(timedelta(minutes=1))
    alive = [line for line in _lines(caplog) if line.startswith("alive:")]
    assert alive == [
        "alive: 61 cycle(s) since 2026-11-23T10:00:00+08:00, 0 failed; last good cycle 2026-11-23T11:00:00+08:00",
        "alive: 60 cycle(s) since 2026-11-23T11:00:00+08:00, 0 failed; last good cycle 2026-11-23T12:00:00+08:00",
    ]
