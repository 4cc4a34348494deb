"""What a soak needs from the sandbox (issue 23): faults aimed at one method's n-th call, and a
clock it can move that a bridge in another process follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import gspread
import pytest
import requests

from bridge.adapters.sandbox_clock import SandboxClock
from bridge.clock import OffsetClock
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer
from bridge.sandbox.state import SandboxState


def _rows(sandbox: SandboxServer) -> int:
    return len(sandbox.state.sheet_rows(DEMO_SPREADSHEET_ID, "KIM"))


def _delete_row(gc: gspread.Client) -> None:
    sh = gc.open_by_key(DEMO_SPREADSHEET_ID)
    sid = sh.worksheet("KIM").id
    sh.batch_update({"requests": [{"deleteDimension": {"range": {"sheetId": sid, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}}]})


def test_a_target_fails_the_nth_matching_call_only(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """A soak could not say "the second batchUpdate that deletes rows fails with 429": only random faults."""
    target = {"method": "sheets.spreadsheets.batchUpdate", "contains": "deleteDimension", "nth": 2, "code": 429}
    assert requests.post(f"{sandbox.url}/_sandbox/faults/targets", json=target, headers=sandbox.admin_headers, timeout=5).status_code == 200
    before = _rows(sandbox)
    _delete_row(gc)  # the first: applied
    with pytest.raises(gspread.exceptions.APIError) as info:
        _delete_row(gc)
    assert info.value.code == 429
    assert _rows(sandbox) == before - 1  # a 429 "before" applies nothing
    _delete_row(gc)  # spent: the third goes through
    assert _rows(sandbox) == before - 2
    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["targets"] == []


def test_a_target_after_applying_changes_the_sheet_and_answers_an_error(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """The 'applied, then the answer failed' case (a 5xx after the work) could not be aimed at one write."""
    sandbox.set_faults({"targets": [{"method": "sheets.spreadsheets.batchUpdate", "code": 503, "when": "after"}]})
    before = _rows(sandbox)
    with pytest.raises(gspread.exceptions.APIError) as info:
        _delete_row(gc)
    assert info.value.code == 503
    assert _rows(sandbox) == before - 1


def test_a_target_with_an_unknown_key_is_refused(sandbox: SandboxServer) -> None:
    """A typo in a soak's fault ("metod") would silently aim at nothing."""
    answer = requests.post(f"{sandbox.url}/_sandbox/faults/targets", json={"metod": "x"}, headers=sandbox.admin_headers, timeout=5)
    assert answer.status_code == 400 and "metod" in answer.json()["error"]["message"]


def test_the_clock_endpoint_moves_the_time_the_bridge_follows() -> None:
    """A soak could not live through a month of archiving, nor a clock jumping back, in minutes."""
    with SandboxServer(SandboxState.from_json(demo_state())) as sb:
        assert isinstance(sb.clock, OffsetClock)
        follower = SandboxClock(sb.url, refresh=0)
        follower()
        assert round(follower.offset / timedelta(days=1)) == 0  # not moved yet (in days, as below: no race with the wall clock)
        moved = requests.post(f"{sb.url}/_sandbox/clock", json={"advance_seconds": 31 * 86400}, headers=sb.admin_headers, timeout=5).json()
        assert round(moved["offset_seconds"] / 86400) == 31
        assert round((follower() - datetime.now(UTC)) / timedelta(days=1)) == 31
        # a scheduled post the sandbox publishes follows the same clock
        assert round((sb.state.now() - datetime.now(UTC)) / timedelta(days=1)) == 31
        requests.post(f"{sb.url}/_sandbox/clock", json={"set": "2026-01-01T00:00:00+00:00"}, headers=sb.admin_headers, timeout=5)
        assert follower().date().isoformat() == "2026-01-01"
        follower.close()


def test_a_clock_that_runs_on_its_own_says_it_cannot_be_moved() -> None:
    """`demo`'s story clock would jump silently, or the soak would believe it had moved it."""
    from bridge.clock import RunningClock

    with SandboxServer(SandboxState.from_json(demo_state()), clock=RunningClock(datetime(2026, 11, 23, tzinfo=UTC))) as sb:
        answer = requests.post(f"{sb.url}/_sandbox/clock", json={"advance_seconds": 60}, headers=sb.admin_headers, timeout=5)
        assert answer.status_code == 400 and "cannot be moved" in answer.json()["error"]["message"]
