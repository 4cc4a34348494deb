"""A bridge that keeps running (``run``) reuses its connections and cached sheet layout
across cycles; changes made meanwhile by IT staff or officers must not wedge it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bridge.cycle.pipeline import run_cycle
from bridge.exceptions import FatalError
from bridge.logs import JsonFormatter
from bridge.sandbox.server import SandboxServer

from .conftest import Bridge


def test_service_started_before_init_recovers_once_init_has_run(sandbox: SandboxServer, tmp_path: Path) -> None:
    bridge = Bridge(sandbox=sandbox, workdir=tmp_path, overrides={})
    deps = bridge.deps()  # one CycleContext for the whole life of the service, as `run` does
    try:
        with pytest.raises(FatalError, match="run `mymein-bridge init"):
            run_cycle(deps)
        bridge.init()  # IT staff notice the log line and run init from another shell
        sandbox.reset_stats()
        report = run_cycle(deps)
        assert report.intake.queued == 8
        assert sandbox.stats()["by_method"]["sheets.spreadsheets.get"]["requests"] == 1  # looked again, once

        sandbox.reset_stats()
        run_cycle(deps)
        assert sandbox.stats()["requests"] == 1  # and quiet cycles are one read again
    finally:
        deps.close()


def test_each_cycle_logs_its_counts_as_json_fields(bridge: Bridge, caplog: pytest.LogCaptureFixture) -> None:
    """With log_format = "json", a log shipper can chart the counts without parsing text."""
    with caplog.at_level(logging.INFO, logger="bridge.cycle"):
        bridge.cycle()
    (record,) = [r for r in caplog.records if r.getMessage().startswith("cycle done")]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["event"] == "cycle"
    assert (data["new"], data["queued"], data["invalid"], data["published"], data["problems"]) == (8, 8, 4, 0, 0)
