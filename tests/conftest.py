"""Shared test settings: no test may reach a real Google host, and no test reads the wall clock."""

from __future__ import annotations

import socket
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bridge.clock import ManualClock

WITA = ZoneInfo("Asia/Makassar")
#: The moment every test starts at, whatever today's date is (issue 8).
TEST_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=WITA)

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        raise AssertionError(f"test tried to reach a non-local host: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection outside loopback fails the test (responses/HttpMock never connect)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def clock() -> ManualClock:
    """The one clock a test's bridge and sandbox share; move it with ``clock.advance``."""
    return ManualClock(TEST_NOW)
