"""What happens in Blogger is seen (issue 17): deleted and reverted posts, the cost of looking, daily limits.

Counts are exact; the clock is the shared ManualClock (``bridge.now``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.cycle.pipeline import run_cycle
from bridge.sandbox.seed import DEMO_BLOG_ID

from .conftest import Bridge

SYSTEM = ReviewColumn.SYSTEM_NOTE.value
LINK = ReviewColumn.POST_URL.value
TEN_MINUTES = timedelta(minutes=10)  # bridge.cycle.blog_watch.BLOG_CHECK_EVERY


def _publish_one(bridge: Bridge, **overrides: Any) -> str:
    bridge.cycle(**overrides)
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    assert bridge.cycle(**overrides).publish.published == 1
    return sid


def _post(bridge: Bridge, sid: str) -> dict[str, Any]:
    return next(p for p in bridge.posts() if sid in find_marker_ids(p.get("content", "")))


def _posts_of(bridge: Bridge, sid: str) -> list[dict[str, Any]]:
    return [p for p in bridge.posts() if sid in find_marker_ids(p.get("content", ""))]


def _in_blogger(bridge: Bridge, post_id: str, *, delete: bool = False, status: str = "") -> None:
    """An officer deletes a post, or reverts it to draft, in Blogger's own editor."""
    state = bridge.sandbox.state
    with state.lock:
        posts = state.blog(DEMO_BLOG_ID)["posts"]
        post = next(p for p in posts if p["id"] == post_id)
        if delete:
            posts.remove(post)
        else:
            post["status"] = status


def _row(bridge: Bridge, sid: str) -> dict[str, Any]:
    return next(r for r in bridge.review() if r["ID"] == sid)


def _costs(bridge: Bridge) -> dict[str, int]:
    return {m: e["requests"] for m, e in bridge.stats()["by_method"].items()}


def test_a_post_deleted_in_blogger_is_said_so_and_approving_again_makes_a_new_post(bridge: Bridge) -> None:
    """A deleted post would leave TERBIT with a dead link, and DISETUJUI would give a GAGAL blaming blog_id."""
    sid = _publish_one(bridge)
    _in_blogger(bridge, _post(bridge, sid)["id"], delete=True)
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()
    row = _row(bridge, sid)
    assert row["Status"] == Status.GAGAL.value and "DIHAPUS di Blogger" in row[SYSTEM] and row[LINK] == ""
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    assert bridge.cycle().publish.published == 1
    row = _row(bridge, sid)
    assert row["Status"] == Status.TERBIT.value and "blog_id" not in row[SYSTEM]
    assert [p["status"] for p in _posts_of(bridge, sid)] == ["LIVE"] and row[LINK] == _post(bridge, sid)["url"]


def test_a_post_reverted_to_draft_in_blogger_no_longer_says_it_is_on_the_website(bridge: Bridge) -> None:
    """A post taken back to draft in Blogger would stay 'Sudah tayang' in Review."""
    sid = _publish_one(bridge)
    post_id = _post(bridge, sid)["id"]
    _in_blogger(bridge, post_id, status="DRAFT")
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()
    row = _row(bridge, sid)
    assert "Sudah tayang" not in row[SYSTEM] and "DRAF di Blogger" in row[SYSTEM]
    assert row[LINK].endswith(f"/{post_id}") and row[ReviewColumn.PUBLISHED.value] == ""
    bridge.officer_sets({sid: Status.DISETUJUI.value})  # the officers put it back through the bridge
    bridge.cycle()
    assert [p["status"] for p in _posts_of(bridge, sid)] == ["LIVE"]


def test_a_draft_deleted_in_blogger_is_not_looked_up_forever(bridge: Bridge) -> None:
    """A deleted draft would cost a posts.get every ten minutes for ever, and its row would still say DRAF."""
    sid = _publish_one(bridge, blog__publish_mode="draft")
    _in_blogger(bridge, _post(bridge, sid)["id"], delete=True)
    bridge.sandbox.reset_stats()
    for _ in range(4):
        bridge.now = bridge.now + TEN_MINUTES
        bridge.cycle(blog__publish_mode="draft")
    assert _costs(bridge).get("blogger.posts.get", 0) == 1
    assert "DIHAPUS di Blogger" in _row(bridge, sid)[SYSTEM]


def test_an_archived_rows_post_deleted_in_blogger_is_marked_in_arsip(bridge: Bridge) -> None:
    """Arsip would keep calling a deleted post TERBIT with a dead link."""
    sid = _publish_one(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()  # archived
    assert sid not in {r["ID"] for r in bridge.review()}
    _in_blogger(bridge, _post(bridge, sid)["id"], delete=True)
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()
    rows = bridge.rows("Arsip")
    header = [str(h) for h in rows[0]]
    row = next(dict(zip(header, r, strict=False)) for r in rows[1:] if r and r[header.index("ID")] == sid)
    assert row["Status"] == Status.GAGAL.value and "DIHAPUS di Blogger" in row[SYSTEM] and row[LINK] == ""


def test_watching_the_blog_costs_three_listings_per_ten_minutes_and_nothing_in_between(bridge: Bridge) -> None:
    """Watching the blog would spend Blogger quota every minute, or make idle cycles read the sheet."""
    _publish_one(bridge)
    deps = bridge.deps()  # one process, as `run` is
    try:
        run_cycle(deps)
        for _ in range(9):
            bridge.now = bridge.now + timedelta(minutes=1)
            bridge.sandbox.reset_stats()
            assert run_cycle(deps).unchanged and _costs(bridge) == {"drive.files.get": 1}
        bridge.now = bridge.now + timedelta(minutes=1)
        bridge.sandbox.reset_stats()
        run_cycle(deps)
        costs = _costs(bridge)
        assert {m: n for m, n in costs.items() if m.startswith("blogger.")} == {"blogger.posts.list": 3}
    finally:
        deps.close()


def test_a_post_dated_back_in_blogger_costs_one_lookup_then_is_listed(bridge: Bridge) -> None:
    """A post whose date an officer moved a year back would be looked up one by one every ten minutes, or called deleted."""
    sid = _publish_one(bridge)
    post_id = _post(bridge, sid)["id"]
    state = bridge.sandbox.state
    with state.lock:
        post = next(p for p in state.blog(DEMO_BLOG_ID)["posts"] if p["id"] == post_id)
        post["published"] = "2025-11-01T08:00:00+08:00"
    bridge.sandbox.reset_stats()
    for _ in range(2):
        bridge.now = bridge.now + TEN_MINUTES
        bridge.cycle()
    costs = _costs(bridge)
    assert costs["blogger.posts.list"] == 6 and costs.get("blogger.posts.get", 0) == 1
    row = _row(bridge, sid)
    assert row["Status"] == Status.TERBIT.value and row[LINK] == post["url"]


def test_a_spent_daily_quota_stops_the_watch_until_tomorrow(bridge: Bridge) -> None:
    """With Blogger's daily quota spent, the watch would be refused again every ten minutes all day."""
    _publish_one(bridge)
    bridge.sandbox.state.data["bloggerLimits"] = {"requestsPerDay": 0}
    bridge.sandbox.reset_stats()
    for _ in range(4):
        bridge.now = bridge.now + TEN_MINUTES
        bridge.cycle()
    assert _costs(bridge).get("blogger.posts.list", 0) == 1  # the one refusal


def test_an_archived_rows_post_reverted_in_blogger_is_marked_in_arsip(bridge: Bridge) -> None:
    """Arsip would keep saying a post taken back to draft in Blogger is on the website."""
    sid = _publish_one(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()  # archived
    post_id = _post(bridge, sid)["id"]
    _in_blogger(bridge, post_id, status="DRAFT")
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()
    rows = bridge.rows("Arsip")
    header = [str(h) for h in rows[0]]
    row = next(dict(zip(header, r, strict=False)) for r in rows[1:] if r and r[header.index("ID")] == sid)
    assert "DRAF di Blogger" in row[SYSTEM] and row[LINK].endswith(f"/{post_id}")
    assert row[ReviewColumn.PUBLISHED.value] == ""


def test_a_post_reverted_in_blogger_is_not_blamed_on_an_officer_editing_the_link(bridge: Bridge, caplog: Any) -> None:
    """IT staff read 'Tautan Post was cleared or edited in Review' for a link no officer touched."""
    sid = _publish_one(bridge)
    _in_blogger(bridge, _post(bridge, sid)["id"], status="DRAFT")
    bridge.now = bridge.now + TEN_MINUTES
    caplog.clear()
    bridge.cycle()
    assert "reverted to draft in Blogger" in caplog.text
    assert "cleared or edited" not in caplog.text


def test_a_title_row_above_the_arsip_headers_is_reported_not_silently_skipped(bridge: Bridge, caplog: Any) -> None:
    """With a title row above Arsip's headers, a post deleted in Blogger left its Arsip row saying TERBIT
    with a dead link, the log said "the row says so", and `check` said "OK tab 'Arsip' present"."""
    from bridge.commands.check import run_check
    from bridge.config import load_settings
    from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

    sid = _publish_one(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()  # archived
    post_id = _post(bridge, sid)["id"]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", [["ARSIP KIRIMAN"], *bridge.rows("Arsip")])
    lines, _ = run_check(load_settings(bridge.write_config(), env={}), clock=bridge.clock)
    assert any(line.startswith("FAIL Arsip tab 'Arsip': the headers ('ID' and 'Status' among them) are on row 2")
               for line in lines)
    _in_blogger(bridge, post_id, delete=True)
    bridge.now = bridge.now + TEN_MINUTES
    caplog.clear()
    bridge.cycle()
    assert f"Arsip rows whose post changed in Blogger ({sid}) not updated: the Arsip tab 'Arsip' has no 'ID'" in caplog.text
