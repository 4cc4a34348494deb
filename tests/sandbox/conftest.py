"""Fixtures: a fresh sandbox per test and the REAL clients (gspread, google-api-python-client) pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gspread
import pytest

from bridge.adapters.auth import sandbox_credentials
from bridge.adapters.clients import EndpointSession, blogger_service, drive_service, sheets_client
from bridge.clock import ManualClock
from bridge.sandbox.seed import demo_state
from bridge.sandbox.server import SandboxServer
from bridge.sandbox.state import SandboxState
from tests.sandbox import helpers


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxState.from_json(demo_state()), port=0, clock=clock) as sb:
        helpers.TOKENS[sb.url] = sb.api_token  # raw calls present a token the sandbox issued, as the bridge does
        try:
            yield sb
        finally:
            helpers.TOKENS.pop(sb.url, None)


@pytest.fixture
def session(sandbox: SandboxServer) -> Iterator[EndpointSession]:
    """The bridge's own rewriting session (what gspread uses), for raw protocol checks."""
    s = EndpointSession(sandbox_credentials(sandbox.api_token), sandbox.url, timeout=10)
    yield s
    s.close()


@pytest.fixture
def gc(sandbox: SandboxServer) -> Iterator[gspread.Client]:
    client = sheets_client(sandbox_credentials(sandbox.api_token), sandbox.url)
    yield client
    client.http_client.session.close()


@pytest.fixture
def blogger(sandbox: SandboxServer) -> Iterator[Any]:
    service = blogger_service(sandbox_credentials(sandbox.api_token), sandbox.url)
    yield service
    service.close()


@pytest.fixture
def drive(sandbox: SandboxServer) -> Iterator[Any]:
    service = drive_service(sandbox_credentials(sandbox.api_token), sandbox.url)
    yield service
    service.close()
