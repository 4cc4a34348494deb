"""Blogger's time and limits (issue 17): a server clock that is off, 'out now' after a schedule,
the posts-per-day limit and the daily request quota.

Counts are exact; Google's clock is the sandbox's ManualClock (``bridge.now``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.commands.check import run_check
from bridge.config import load_settings
from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.cycle.context import CycleContext
from bridge.cycle.pipeline import run_cycle

from .conftest import Bridge

SYSTEM = ReviewColumn.SYSTEM_NOTE.value
FAST = timedelta(hours=3)


def _skewed_deps(bridge: Bridge, ahead: timedelta) -> CycleContext:
    """The bridge on a server whose clock is ``ahead`` of Google's."""
    settings = load_settings(bridge.write_config(), env={})
    clock = bridge.clock
    return build_deps(settings, retry=RetryPolicy(attempts=6, initial=0.001, maximum=0.01), clock=lambda: clock() + ahead)


def _ids(bridge: Bridge, status: Status = Status.MENUNGGU) -> list[str]:
    return [r["ID"] for r in bridge.review() if r["Status"] == status.value]


def _posts_of(bridge: Bridge, sid: str) -> list[dict[str, Any]]:
    return [p for p in bridge.posts() if sid in find_marker_ids(p.get("content", ""))]


def _costs(bridge: Bridge) -> dict[str, int]:
    return {m: e["requests"] for m, e in bridge.stats()["by_method"].items()}


def test_a_server_clock_three_hours_fast_still_schedules_by_googles_time(bridge: Bridge) -> None:
    """A post scheduled two hours ahead would go out at once on a server whose clock runs three hours fast."""
    bridge.cycle()
    sid = _ids(bridge)[0]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    at = (bridge.now + timedelta(hours=2)).astimezone(bridge.clock().tzinfo).strftime("%Y-%m-%dT%H:%M:%S")
    bridge.officer_sets({sid: {"datetime": at}}, column=ReviewColumn.SCHEDULE)
    deps = _skewed_deps(bridge, FAST)
    try:
        run_cycle(deps)
        assert deps.google_time is not None and deps.google_time.skewed()
    finally:
        deps.close()
    assert [p["status"] for p in _posts_of(bridge, sid)] == ["SCHEDULED"]


def test_a_skewed_clock_is_logged_by_the_cycle_and_reported_by_check(bridge: Bridge, caplog: Any) -> None:
    """IT staff would never learn that the server's time is hours off (nothing compared it with Google's)."""
    deps = _skewed_deps(bridge, FAST)
    try:
        assert run_cycle(deps).clock_skewed
    finally:
        deps.close()
    assert any("3 min" not in r.getMessage() and "180 min 0 s ahead of Google's" in r.getMessage() for r in caplog.records)
    settings = load_settings(bridge.write_config(), env={})
    clock = bridge.clock
    lines, _ = run_check(settings, clock=lambda: clock() + FAST)
    assert any(line.startswith("WARN") and "clock: this server's clock is 180 min 0 s ahead of Google's" in line for line in lines)
    lines, _ = run_check(settings, clock=clock)
    assert any("clock: this server's time agrees with Google's" in line for line in lines)


def test_clearing_a_schedule_publishes_now_not_at_the_saved_date(bridge: Bridge) -> None:
    """An officer who clears Jadwal Terbit to publish at once would see the old schedule kept, silently."""
    bridge.cycle()
    sid = _ids(bridge)[0]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.officer_sets({sid: {"datetime": "2026-11-25T08:00:00"}}, column=ReviewColumn.SCHEDULE)
    bridge.cycle()
    assert [p["status"] for p in _posts_of(bridge, sid)] == ["SCHEDULED"]
    bridge.officer_sets({sid: ""}, column=ReviewColumn.SCHEDULE)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    assert [p["status"] for p in _posts_of(bridge, sid)] == ["LIVE"]
    assert "Sudah tayang" in next(r for r in bridge.review() if r["ID"] == sid)[SYSTEM]


def _limit(bridge: Bridge, **limits: int) -> None:
    bridge.sandbox.state.data["bloggerLimits"] = limits


def test_the_posting_limit_stops_inserts_until_tomorrow_with_one_note_and_no_listings(bridge: Bridge) -> None:
    """A refused insert was retried with a full three-status listing each time, every minute, all day."""
    bridge.cycle()
    ids = _ids(bridge)[:3]
    bridge.officer_sets({sid: Status.DISETUJUI.value for sid in ids})
    _limit(bridge, postsPerDay=1)
    bridge.sandbox.reset_stats()
    report = bridge.cycle()
    assert report.publish.published == 1
    costs = _costs(bridge)
    assert costs["blogger.posts.insert"] == 2 and "blogger.posts.list" not in costs  # one refusal, no retry, no search
    waiting = [r for r in bridge.review() if r["ID"] in ids and r["Status"] == Status.DISETUJUI.value]
    assert len(waiting) == 2
    assert all("Blogger menolak permintaan baru untuk hari ini" in r[SYSTEM] and "24/11/2026 pukul 00:00 WITA" in r[SYSTEM]
               for r in waiting)
    bridge.sandbox.reset_stats()
    for _ in range(3):  # the rest of the day: nothing sent to Blogger, the note is written once
        bridge.now = bridge.now + timedelta(hours=1)
        bridge.cycle()
    assert not {m for m in _costs(bridge) if m.startswith("blogger.")}
    bridge.now = datetime(2026, 11, 24, 10, 30, tzinfo=bridge.now.tzinfo)  # tomorrow, 24 h after the first post
    bridge.cycle()
    assert len([r for r in bridge.review() if r["ID"] in ids and r["Status"] == Status.TERBIT.value]) == 2
    assert sum(len(_posts_of(bridge, sid)) for sid in ids) == 2


def test_the_daily_request_quota_pauses_blogger_until_tomorrow(bridge: Bridge) -> None:
    """A spent API quota would make every approved row GAGAL (a 403 read as 'not an author')."""
    bridge.cycle()
    sid = _ids(bridge)[0]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    _limit(bridge, requestsPerDay=0)
    report = bridge.cycle()
    row = next(r for r in bridge.review() if r["ID"] == sid)
    assert report.publish.failed == 0 and row["Status"] == Status.DISETUJUI.value
    assert "kuota harian" in row[SYSTEM]
    _limit(bridge)
    bridge.now = datetime(2026, 11, 24, 0, 5, tzinfo=bridge.now.tzinfo)
    bridge.cycle()
    assert next(r for r in bridge.review() if r["ID"] == sid)["Status"] == Status.TERBIT.value


def test_check_says_publishing_waits_for_bloggers_daily_limit(bridge: Bridge) -> None:
    """Officers ask why approved rows do not go out; `check` said only "OK blog", not that Blogger refused until tomorrow."""
    bridge.cycle()
    ids = _ids(bridge)[:2]
    bridge.officer_sets({sid: Status.DISETUJUI.value for sid in ids})
    _limit(bridge, postsPerDay=1)
    bridge.cycle()
    lines, _ = run_check(load_settings(bridge.write_config(), env={}), clock=bridge.clock)
    assert ("WARN Blogger refused new posts for today (posts-per-day limit or daily API quota): approved rows wait and "
            "go out by themselves from 24/11/2026 00:00 WITA; nothing to fix") in lines


def test_a_fast_server_clock_does_not_put_wrong_times_on_review(bridge: Bridge) -> None:
    """On a server three hours fast, Waktu Terbit said 3 hours later than the post's real time on the blog."""
    bridge.cycle()
    sid = _ids(bridge)[0]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    deps = _skewed_deps(bridge, FAST)
    try:
        run_cycle(deps)
    finally:
        deps.close()
    row = next(r for r in bridge.review() if r["ID"] == sid)
    shown = bridge.now.astimezone(bridge.clock().tzinfo).strftime("%d/%m/%Y %H:%M")
    assert row["Status"] == Status.TERBIT.value and row[ReviewColumn.PUBLISHED.value].startswith(shown)
