"""`run`'s pulse in the journal (issue 19): failure once, recovery once, alive hourly."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

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


def test_it_is_told_on_the_first_failure_and_on_recovery_only(clock: ManualClock) -> None:
    """IT would get a mail every minute while Google is down, or never hear that the bridge stopped."""
    told: list[tuple[str, str]] = []
    pulse = Pulse(clock, lambda subject, body: told.append((subject, body)))
    pulse.record(None)
    for _ in range(5):
        pulse.record("Google refused the credentials")
    pulse.record(None)
    pulse.record(None)
    assert [s for s, _ in told] == ["MY MEIN bridge tidak bekerja", "MY MEIN bridge bekerja lagi"]
    assert "Google refused the credentials" in told[0][1] and "5 siklus gagal" in told[1][1]


def test_an_alert_that_cannot_go_does_not_stop_the_service(clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    """A mail server that is down too would crash `run` at the moment it is needed most."""
    def down(subject: str, body: str) -> None:
        raise OSError("connection refused")

    pulse = Pulse(clock, down)
    pulse.record("boom")
    assert "IT alert 'MY MEIN bridge tidak bekerja' not sent: connection refused" in caplog.text


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Any]:
    from bridge.sandbox.seed import demo_state
    from bridge.sandbox.server import SandboxServer
    from bridge.sandbox.state import SandboxState

    with SandboxServer(SandboxState.from_json(demo_state()), clock=clock) as server:
        yield server


def test_it_alerts_reach_the_configured_addresses(sandbox: Any, tmp_path: Any) -> None:
    """The alert callback `run` uses would be wired to nothing, or to the wrong account."""
    from bridge.app import it_alert
    from bridge.config import load_settings, render_config
    from bridge.sandbox.gmail import outbox
    from bridge.sandbox.server import sandbox_config_values

    values = sandbox_config_values(sandbox.url, sandbox.state, tmp_path)
    nobody = tmp_path / "nobody.toml"
    nobody.write_text(render_config(values), encoding="utf-8")
    assert it_alert(load_settings(nobody, env={})) is None
    values[("notify", "it_alerts")] = ["it@balangankab.go.id", "kabid@balangankab.go.id"]
    path = tmp_path / "bridge.toml"
    path.write_text(render_config(values), encoding="utf-8")
    settings = load_settings(path, env={})
    send = it_alert(settings)
    assert send is not None
    send("MY MEIN bridge tidak bekerja", "uji")
    assert [(m["to"], m["subject"]) for m in outbox(sandbox.state)] == [
        ("it@balangankab.go.id", "MY MEIN bridge tidak bekerja"), ("kabid@balangankab.go.id", "MY MEIN bridge tidak bekerja")]


def test_the_alert_gives_the_time_in_wita_from_the_utc_system_clock() -> None:
    """IT staff in Balangan would read an 8-hour-off, unlabelled time ('Sejak 23/11/2026 02:01') in the alert."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    utc = ManualClock(datetime(2026, 11, 23, 2, 1, tzinfo=UTC))  # as system_clock gives it
    told: list[tuple[str, str]] = []
    pulse = Pulse(utc, lambda subject, body: told.append((subject, body)), tz=ZoneInfo("Asia/Makassar"))
    pulse.record("Google refused the credentials")
    utc.advance(timedelta(minutes=2))
    pulse.record(None)
    assert told[0][1].startswith("Sejak 23/11/2026 10:01 WITA, siklus bridge gagal:\n")
    assert told[1][1] == "Bridge bekerja lagi sejak 23/11/2026 10:03 WITA, setelah 1 siklus gagal sejak 23/11/2026 10:01 WITA."
