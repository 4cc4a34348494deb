"""An Arsip row the blog watch could not mark is marked once the problem is gone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bridge.core.model import ReviewColumn, Status
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge
from .test_blog_watch import TEN_MINUTES, _in_blogger, _post, _publish_one


def _arsip_row(bridge: Bridge, sid: str) -> dict[str, Any]:
    rows = bridge.rows("Arsip")
    header = [str(h) for h in rows[0]]
    row = next(r for r in rows[1:] if r and r[0] == sid)
    return {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}


def test_arsip_row_of_a_deleted_post_is_marked_after_the_title_row_is_removed(bridge: Bridge) -> None:
    """An Arsip row the watch could not write kept saying TERBIT with a dead link even after the title row was gone."""
    sid = _publish_one(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()  # archived
    post_id = _post(bridge, sid)["id"]
    clean = bridge.rows("Arsip")
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", [["ARSIP KIRIMAN"], *clean])
    _in_blogger(bridge, post_id, delete=True)
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()  # cannot write: the title row
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", bridge.rows("Arsip")[1:])
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()
    row = _arsip_row(bridge, sid)
    assert row["Status"] == Status.GAGAL.value and row[ReviewColumn.POST_URL.value] == ""
    assert "DIHAPUS di Blogger" in row[ReviewColumn.SYSTEM_NOTE.value]


def test_arsip_row_of_a_reverted_post_is_marked_after_the_title_row_is_removed(bridge: Bridge) -> None:
    """An Arsip row whose post went back to draft kept saying it is on the website after the title row was gone."""
    sid = _publish_one(bridge)
    bridge.now = bridge.now + timedelta(days=31)
    bridge.cycle()  # archived
    post_id = _post(bridge, sid)["id"]
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", [["ARSIP KIRIMAN"], *bridge.rows("Arsip")])
    _in_blogger(bridge, post_id, status="DRAFT")
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()  # cannot write: the title row
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Arsip", bridge.rows("Arsip")[1:])
    bridge.now = bridge.now + TEN_MINUTES
    bridge.cycle()
    row = _arsip_row(bridge, sid)
    assert post_id in row[ReviewColumn.POST_URL.value] and "blogger.com/blog/post/edit" in row[ReviewColumn.POST_URL.value]
    assert "dikembalikan menjadi DRAF" in row[ReviewColumn.SYSTEM_NOTE.value]
