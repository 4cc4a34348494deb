"""Shared test settings: no test may reach a real Google host, and no test reads the wall clock."""

from __future__ import annotations

import dataclasses
import gc
import socket
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bridge.clock import ManualClock
from bridge.config import Settings, load_settings
from bridge.core.report import Rules as ReportRules
from bridge.core.validate import Rules as ValidationRules

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


@pytest.fixture(autouse=True)
def _collector_thawed() -> Iterator[None]:
    """`run` called in-process freezes the garbage collector's view of the process as a real `run` does
    once started (bridge.cycle.release.keep_started); the tests after it get the collector back whole."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture
def clock() -> ManualClock:
    """The one clock a test's bridge and sandbox share; move it with ``clock.advance``."""
    return ManualClock(TEST_NOW)


def default_settings() -> Settings:
    """The settings as ``bridge.config.SPECS`` declares them, with the two values no default can give."""
    return load_settings(None, env={"MYMEIN_SHEETS_SPREADSHEET_ID": "sheet-id", "MYMEIN_BLOG_BLOG_ID": "blog-id"})


def validation_rules(**changes: Any) -> ValidationRules:
    """Intake's validation rules as the default settings build them, with ``changes``."""
    return dataclasses.replace(default_settings().validation_rules(), **changes)


def report_rules(**changes: Any) -> ReportRules:
    """The report's rules as the default settings build them, with ``changes``."""
    return dataclasses.replace(default_settings().report_rules(), **changes)
