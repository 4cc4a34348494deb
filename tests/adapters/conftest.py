"""Small concrete fakes for adapter tests: no sandbox, HTTP answered by `responses` or HttpMock."""

from __future__ import annotations

import pytest

from bridge.adapters.auth import sandbox_credentials
from bridge.adapters.clients import sheets_client
from bridge.adapters.retry import RetryPolicy
from bridge.adapters.sheets import SheetsGateway


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(sleeps: list[float]) -> RetryPolicy:
    """Retry policy that records its backoff instead of sleeping."""
    return RetryPolicy(attempts=4, initial=1.0, maximum=8.0, sleep=sleeps.append)


@pytest.fixture
def gateway(policy: RetryPolicy) -> SheetsGateway:
    return SheetsGateway(sheets_client(sandbox_credentials("ya29.test")), policy)

