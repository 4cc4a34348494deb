"""Blogger v3 pageViews.get in the sandbox (the report's outtakes), through google-api-python-client."""

from __future__ import annotations

from typing import Any

import requests

from bridge.sandbox.seed import DEMO_BLOG_ID
from bridge.sandbox.server import SandboxServer


def test_page_views_answer_only_the_ranges_asked_in_bloggers_shape(sandbox: SandboxServer, blogger: Any) -> None:
    """The report's page views would be misread, or a bad range accepted where Google refuses it."""
    res = blogger.pageViews().get(blogId=DEMO_BLOG_ID, range=["7DAYS", "all"]).execute()
    assert res == {"kind": "blogger#page_views", "blogId": DEMO_BLOG_ID,
                   "counts": [{"timeRange": "SEVEN_DAYS", "count": "412"}, {"timeRange": "ALL_TIME", "count": "1587"}]}
    assert "counts" not in blogger.pageViews().get(blogId=DEMO_BLOG_ID).execute()
    bad = requests.get(f"{sandbox.url}/v3/blogs/{DEMO_BLOG_ID}/pageviews", params={"range": "1YEAR"},
                       headers={"Authorization": f"Bearer {sandbox.api_token}"}, timeout=5)
    assert bad.status_code == 400
