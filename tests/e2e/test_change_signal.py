"""The change signal (issue 13): an unchanged spreadsheet costs one Drive ``files.get`` per cycle.

Counts are exact; the clock is the shared ManualClock (``bridge.now``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.core.model import Status
from bridge.cycle.pipeline import SAFETY_READ_EVERY, run_cycle
from bridge.exceptions import RetriableError

from .conftest import Bridge


def _costs(bridge: Bridge) -> dict[str, int]:
    return {m: e["requests"] for m, e in bridge.stats()["by_method"].items()}


READ = {"drive.files.get": 1, "sheets.spreadsheets.values.batchGet": 1}
UNCHANGED = {"drive.files.get": 1}


def _settle(bridge: Bridge) -> None:
    bridge.cycle()  # queues the demo responses
    bridge.cycle()  # nothing left to do; remembers the version
    bridge.sandbox.reset_stats()


def test_an_unchanged_spreadsheet_costs_one_drive_call_and_no_sheets_request(bridge: Bridge) -> None:
    """An idle bridge would spend Sheets quota (and bytes growing with Review) every minute for nothing."""
    _settle(bridge)
    report = bridge.cycle()
    assert report.unchanged and "unchanged" in report.summary()
    assert _costs(bridge) == UNCHANGED
    assert bridge.stats()["bytes"] < 1_000


def test_an_officer_edit_makes_the_next_cycle_read_and_act(bridge: Bridge) -> None:
    """An approval would wait for the safety net instead of being published in the next cycle."""
    bridge.cycle()
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.cycle()
    bridge.officer_sets({sid: Status.DISETUJUI.value})  # set_sheet_rows: the version moves on
    bridge.sandbox.reset_stats()
    report = bridge.cycle()
    assert not report.unchanged and report.publish.published == 1
    assert next(r for r in bridge.review() if r["ID"] == sid)["Status"] == Status.TERBIT.value


def test_the_bridges_own_writes_do_not_look_like_an_edit(bridge: Bridge) -> None:
    """After publishing, every following idle cycle would read the whole Review tab again."""
    bridge.cycle()
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    assert bridge.cycle().publish.published == 1  # wrote TERBIT back: the version moved on by its writes
    bridge.sandbox.reset_stats()
    assert bridge.cycle().unchanged
    assert _costs(bridge) == UNCHANGED


def test_the_safety_net_reads_at_least_every_fifteen_minutes(bridge: Bridge) -> None:
    """If the signal ever lagged, an officer's decision would wait forever instead of at most 15 minutes."""
    bridge.cycle()
    deps = bridge.deps()  # one process, as `run` is
    try:
        assert run_cycle(deps).unchanged
        for _period in range(2):  # (the process's first read also fetches the layout it then keeps)
            for _ in range(int(SAFETY_READ_EVERY / timedelta(minutes=1)) - 1):
                bridge.now = bridge.now + timedelta(minutes=1)
                assert run_cycle(deps).unchanged
            bridge.now = bridge.now + timedelta(minutes=1)
            bridge.sandbox.reset_stats()
            assert not run_cycle(deps).unchanged
        # The safety-net read also moves the Status Bridge tab's time on (issue 19): its one RAW write,
        # after the lease's generation write every cycle that writes makes (which renews the lease too).
        assert _costs(bridge) == {**READ, "sheets.spreadsheets.batchUpdate": 1, "sheets.spreadsheets.values.batchUpdate": 1}
        bridge.sandbox.reset_stats()
        assert run_cycle(deps).unchanged and _costs(bridge) == UNCHANGED
    finally:
        deps.close()


def test_a_failed_drive_call_counts_as_changed(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Drive outage would stop the bridge reading the sheet, so approvals would never go out."""
    _settle(bridge)
    deps = bridge.deps()

    def down(file_id: str) -> object:
        raise RetriableError("files.get: HTTP 503: backend error")

    monkeypatch.setattr(deps.drive, "file_version", down)
    try:
        report = run_cycle(deps)
    finally:
        deps.close()
    assert not report.unchanged and not report.skipped
    assert _costs(bridge).get("sheets.spreadsheets.values.batchGet") == 1


def test_a_temporary_publish_failure_is_retried_without_an_edit(bridge: Bridge) -> None:
    """A row whose publish failed for a moment would wait for the safety net, or an officer, to be retried."""
    bridge.cycle()
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    deps = bridge.deps()

    def busy(*args: object, **kwargs: object) -> object:
        raise RetriableError("posts.insert: HTTP 503: backend error")

    real = deps.blogger.insert
    deps.blogger.insert = busy  # type: ignore[method-assign]
    try:
        assert run_cycle(deps).publish.retry_later == 1
    finally:
        deps.blogger.insert = real  # type: ignore[method-assign]
        deps.close()
    bridge.sandbox.reset_stats()
    report = bridge.cycle()
    assert not report.unchanged and report.publish.published == 1
