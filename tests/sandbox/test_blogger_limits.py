"""Blogger as documented (issue 17): status only for admin views, saved schedules, page size, daily limits, Date."""

from __future__ import annotations

import email.utils
import json
from datetime import timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from bridge.clock import ManualClock
from bridge.sandbox.seed import DEMO_BLOG_ID
from bridge.sandbox.server import SandboxServer

B = DEMO_BLOG_ID


def _insert(blogger: Any, **body: Any) -> dict[str, Any]:
    return blogger.posts().insert(blogId=B, isDraft=True, body={"title": "Kerja bakti", "content": "<p>Isi</p>", **body}).execute()


def test_status_is_only_reported_to_admin_views(blogger: Any) -> None:
    """The bridge could rely on a status Blogger does not send ("Only set for admin-level requests", blogger.v3.json)."""
    post = _insert(blogger)
    assert "status" not in blogger.posts().get(blogId=B, postId=post["id"]).execute()
    assert "status" not in blogger.posts().get(blogId=B, postId=post["id"], view="AUTHOR").execute()
    assert blogger.posts().get(blogId=B, postId=post["id"], view="ADMIN").execute()["status"] == "DRAFT"
    listed = blogger.posts().list(blogId=B, status="DRAFT").execute()["items"]
    assert all("status" not in p for p in listed)
    assert {p["status"] for p in blogger.posts().list(blogId=B, status="DRAFT", view="ADMIN").execute()["items"]} == {"DRAFT"}


def test_publish_without_a_date_uses_the_saved_schedule(blogger: Any, clock: ManualClock) -> None:
    """'Out now' without publishDate would silently keep an old schedule, as Blogger documents (posts/publish)."""
    later = (clock() + timedelta(hours=5)).isoformat()
    post = _insert(blogger)
    blogger.posts().publish(blogId=B, postId=post["id"], publishDate=later).execute()
    blogger.posts().revert(blogId=B, postId=post["id"]).execute()
    again = blogger.posts().publish(blogId=B, postId=post["id"]).execute()
    assert again["status"] == "SCHEDULED", "the saved schedule date is used"
    now = blogger.posts().publish(blogId=B, postId=post["id"], publishDate=clock().isoformat()).execute()
    assert now["status"] == "LIVE"
    plain = _insert(blogger)
    assert blogger.posts().publish(blogId=B, postId=plain["id"]).execute()["status"] == "LIVE", "no saved date: now"


def test_pages_larger_than_500_are_refused(blogger: Any) -> None:
    """A listing of 1,000 a page would work here and fail on Blogger (OpenLiveWriter#329: 400 invalid)."""
    with pytest.raises(HttpError) as info:
        blogger.posts().list(blogId=B, maxResults=501).execute()
    assert info.value.resp.status == 400 and b"maximum allowed page size of 500" in info.value.content
    blogger.posts().list(blogId=B, maxResults=500).execute()


def test_posts_per_day_limit_refuses_the_next_insert_for_24_hours(sandbox: SandboxServer, blogger: Any, clock: ManualClock) -> None:
    """A bridge that never met Blogger's posting limit here would hammer it in production."""
    sandbox.state.data["bloggerLimits"] = {"postsPerDay": 2}
    _insert(blogger)
    _insert(blogger)
    with pytest.raises(HttpError) as info:
        _insert(blogger)
    body = json.loads(info.value.content)["error"]
    assert info.value.resp.status == 403 and body["errors"][0]["reason"] == "rateLimitExceeded"
    assert body["errors"][0]["domain"] == "usageLimits"
    clock.advance(timedelta(hours=24))
    _insert(blogger)


def test_the_posting_limit_error_shape_is_configurable(sandbox: SandboxServer, blogger: Any) -> None:
    """The v3 answer is undocumented: a test could not rehearse another shape Blogger might send."""
    sandbox.state.data["bloggerLimits"] = {"postsPerDay": 0, "postLimitError": {"code": 403, "reason": "quotaExceeded",
                                                                                "message": "Posting limit"}}
    with pytest.raises(HttpError) as info:
        _insert(blogger)
    assert json.loads(info.value.content)["error"]["errors"][0]["reason"] == "quotaExceeded"


def test_daily_request_quota_is_refused_until_midnight_pacific(sandbox: SandboxServer, blogger: Any, clock: ManualClock) -> None:
    """A bridge spending Blogger's daily quota would never see the 403 dailyLimitExceeded it gets on Google."""
    sandbox.state.data["bloggerLimits"] = {"requestsPerDay": 2}
    blogger.blogs().get(blogId=B).execute()
    blogger.posts().list(blogId=B).execute()
    with pytest.raises(HttpError) as info:
        blogger.posts().list(blogId=B).execute()
    error = json.loads(info.value.content)["error"]
    assert info.value.resp.status == 403 and error["errors"][0] == {
        "message": error["message"], "domain": "usageLimits", "reason": "dailyLimitExceeded"}
    clock.advance(timedelta(days=1))
    blogger.posts().list(blogId=B).execute()


def test_every_answer_carries_the_sandbox_clocks_date(sandbox: SandboxServer, session: Any, clock: ManualClock) -> None:
    """The bridge could not compare its clock with Google's: the Date header would be the machine's."""
    clock.advance(timedelta(hours=7))
    answer = session.get(f"{sandbox.url}/blogger/v3/blogs/{B}")
    assert email.utils.parsedate_to_datetime(answer.headers["Date"]) == clock().replace(microsecond=0)
