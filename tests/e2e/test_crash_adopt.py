"""A post found on the blog after a crash is the result of the approval, not a change to announce."""

from __future__ import annotations

from bridge.core.model import ReviewColumn, Status

from .conftest import Bridge, cycle_killed_after_insert


def test_post_found_after_crash_is_adopted_without_update(bridge: Bridge) -> None:
    """After a crash between insert and record, the next cycle neither rewrites the post nor says it was updated."""
    bridge.cycle()
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    cycle_killed_after_insert(bridge.deps())
    bridge.sandbox.reset_stats()
    bridge.cycle()
    assert "blogger.posts.patch" not in bridge.stats()["by_method"]
    assert "blogger.posts.insert" not in bridge.stats()["by_method"]
    assert len([p for p in bridge.posts() if sid in p.get("content", "")]) == 1
    row = next(r for r in bridge.review() if r["ID"] == sid)
    assert row["Status"] == Status.TERBIT.value
    note = row[ReviewColumn.SYSTEM_NOTE.value]
    assert "diperbarui" not in note and "ditemukan di blog setelah bridge terhenti" in note
