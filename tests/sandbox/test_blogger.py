"""Blogger v3 through google-api-python-client: drafts, live posts, search, revert, publish."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from bridge.sandbox.seed import DEMO_BLOG_ID
from bridge.sandbox.server import SandboxServer

B = DEMO_BLOG_ID


def test_blog_get_and_unknown_blog(blogger: Any) -> None:
    """`check` could not show the blog name, or would not recognise a wrong blog id."""
    blog = blogger.blogs().get(blogId=B).execute()
    assert blog["kind"] == "blogger#blog" and blog["name"] == "KIM Balangan"
    assert blog["posts"]["totalItems"] == 2 and blog["url"] == "https://kimbalangan.blogspot.com/"
    with pytest.raises(HttpError) as info:
        blogger.blogs().get(blogId="123").execute()
    assert info.value.resp.status == 404 and b"Blog not found" in info.value.content


def test_blog_by_url(blogger: Any) -> None:
    """A blog address pasted as blog_id could not be turned into the id to put in the config."""
    for url in ("https://kimbalangan.blogspot.com/", "http://kimbalangan.blogspot.com"):
        assert blogger.blogs().getByUrl(url=url).execute()["id"] == B
    with pytest.raises(HttpError) as info:
        blogger.blogs().getByUrl(url="https://lain.blogspot.com/").execute()
    assert info.value.resp.status == 404 and b"Blog not found" in info.value.content


def test_draft_live_search_revert_publish_roundtrip(sandbox: SandboxServer, blogger: Any) -> None:
    """Publishing would misreport draft/live status or URLs compared with Blogger."""
    posts = blogger.posts()
    draft = posts.insert(blogId=B, isDraft=True, body={
        "title": "Posyandu Melati Mantuyan Timbang 48 Balita", "content": "<p>Kader posyandu menimbang balita.</p>",
        "labels": ["Halong", "Mantuyan"]}).execute()
    assert draft["status"] == "DRAFT" and "url" not in draft and draft["id"].isdigit() and len(draft["id"]) >= 16
    live = posts.insert(blogId=B, body={"title": "Panen Karet di Buntu Karau", "content": "<p>Harga getah naik.</p>",
                                         "labels": ["Juai"]}).execute()
    assert live["status"] == "LIVE"
    assert live["url"].startswith("https://kimbalangan.blogspot.com/") and live["url"].endswith("/panen-karet-di-buntu-karau.html")

    listed = posts.list(blogId=B).execute()
    assert draft["id"] not in [p["id"] for p in listed["items"]]
    assert listed["items"][0]["id"] == live["id"]
    drafts = posts.list(blogId=B, status="DRAFT").execute()
    assert [p["id"] for p in drafts["items"]] == [draft["id"]]
    assert [p["id"] for p in posts.list(blogId=B, labels="Juai", fetchBodies=False).execute()["items"]] == [live["id"]]
    assert "content" not in posts.list(blogId=B, fetchBodies=False).execute()["items"][0]

    found = posts.search(blogId=B, q="getah").execute()
    assert [p["id"] for p in found["items"]] == [live["id"]]
    assert "items" not in posts.search(blogId=B, q="balita").execute()  # drafts are not searchable

    published = posts.publish(blogId=B, postId=draft["id"]).execute()
    assert published["status"] == "LIVE" and published["url"].endswith("/posyandu-melati-mantuyan-timbang-48.html")
    assert posts.search(blogId=B, q="balita").execute()["items"][0]["id"] == draft["id"]
    reverted = posts.revert(blogId=B, postId=live["id"]).execute()
    assert reverted["status"] == "DRAFT"
    assert posts.get(blogId=B, postId=live["id"], view="ADMIN").execute()["status"] == "DRAFT"
    stored = {p["id"]: p["status"] for p in sandbox.state.posts(B)}
    assert stored[draft["id"]] == "LIVE" and stored[live["id"]] == "DRAFT"


def test_patch_update_delete_and_scheduled(blogger: Any) -> None:
    """Editing, deleting or scheduling posts would behave differently from Blogger."""
    posts = blogger.posts()
    post = posts.insert(blogId=B, isDraft=True, body={"title": "Judul", "content": "a", "labels": ["X"]}).execute()
    patched = posts.patch(blogId=B, postId=post["id"], body={"title": "Judul Baru"}).execute()
    assert patched["title"] == "Judul Baru" and patched["labels"] == ["X"]
    updated = posts.update(blogId=B, postId=post["id"], body={"title": "T", "content": "b"}).execute()
    assert "labels" not in updated and updated["content"] == "b"
    later = posts.insert(blogId=B, body={"title": "Nanti", "content": "c", "published": "2099-01-01T08:00:00+08:00"}).execute()
    assert later["status"] == "SCHEDULED"
    assert later["id"] in [p["id"] for p in posts.list(blogId=B, status=["SCHEDULED", "LIVE"]).execute()["items"]]
    posts.delete(blogId=B, postId=post["id"]).execute()
    with pytest.raises(HttpError) as info:
        posts.get(blogId=B, postId=post["id"]).execute()
    assert info.value.resp.status == 404


def test_list_pagination_and_empty_list(blogger: Any) -> None:
    """Code that ignores nextPageToken, or expects `items` in an empty list, would break on Blogger."""
    posts = blogger.posts()
    for i in range(5):
        posts.insert(blogId=B, body={"title": f"Berita {i}", "content": "x"}).execute()
    first = posts.list(blogId=B, maxResults=3).execute()
    assert len(first["items"]) == 3 and "nextPageToken" in first
    rest = posts.list(blogId=B, maxResults=3, pageToken=first["nextPageToken"]).execute()
    assert len(rest["items"]) == 3 and "nextPageToken" in rest
    last = posts.list(blogId=B, maxResults=3, pageToken=rest["nextPageToken"]).execute()
    assert len(last["items"]) == 1 and "nextPageToken" not in last
    empty = posts.list(blogId=B, status="SOFT_TRASHED").execute()
    assert "items" not in empty and empty["kind"] == "blogger#postList"


def test_scheduled_post_goes_live_when_the_sandbox_clock_passes_its_time(sandbox: SandboxServer, blogger: Any, clock: Any) -> None:
    """A post scheduled for tomorrow would show today, or never, whatever the real date is."""
    from datetime import timedelta

    posts = blogger.posts()
    draft = posts.insert(blogId=B, isDraft=True, body={"title": "Jadwal Besok", "content": "<p>x</p>"}).execute()
    when = (clock() + timedelta(days=1)).isoformat()
    scheduled = posts.publish(blogId=B, postId=draft["id"], publishDate=when).execute()
    assert scheduled["status"] == "SCHEDULED"
    assert posts.get(blogId=B, postId=draft["id"], view="ADMIN").execute()["status"] == "SCHEDULED"
    assert draft["id"] not in [p["id"] for p in posts.list(blogId=B).execute()["items"]]

    clock.advance(timedelta(hours=23, minutes=59))
    assert posts.get(blogId=B, postId=draft["id"], view="ADMIN").execute()["status"] == "SCHEDULED"
    clock.advance(timedelta(minutes=1))
    assert posts.get(blogId=B, postId=draft["id"], view="ADMIN").execute()["status"] == "LIVE"
    assert posts.list(blogId=B).execute()["items"][0]["id"] == draft["id"]


def test_published_and_updated_come_from_the_sandbox_clock(sandbox: SandboxServer, blogger: Any, clock: Any) -> None:
    """Post times would follow the machine's date instead of the clock the bridge runs on."""
    from datetime import timedelta

    live = blogger.posts().insert(blogId=B, body={"title": "Waktu", "content": "<p>t</p>"}).execute()
    assert live["published"] == "2026-11-23T10:00:00+08:00" and live["updated"] == live["published"]
    clock.advance(timedelta(days=2, hours=1))
    patched = blogger.posts().patch(blogId=B, postId=live["id"], body={"title": "Waktu 2"}).execute()
    assert patched["updated"] == "2026-11-25T11:00:00+08:00" and patched["published"] == live["published"]


def test_blogger_rewrites_content_like_blogger(sandbox: SandboxServer, blogger: Any) -> None:
    """Content comes back as Blogger stores it (jump break as an anchor, no empty paragraphs, collapsed
    whitespace), so a bridge that relies on byte-for-byte content fails here first (issue 12)."""
    sent = "<p>Satu.</p>\n\n<!--more-->\n<p>  </p><p>&nbsp;</p>\n<p>Dua   kalimat.</p><!-- mymein-id: MM-2026-0001 -->"
    post = blogger.posts().insert(blogId=B, body={"title": "T", "content": sent}).execute()
    assert post["content"] == '<p>Satu.</p> <a name="more"></a> <p>Dua kalimat.</p><!-- mymein-id: MM-2026-0001 -->'
    again = blogger.posts().get(blogId=B, postId=post["id"]).execute()
    assert again["content"] == post["content"]


def test_comment_stripping_switch_drops_comments_but_keeps_anchors(sandbox: SandboxServer, blogger: Any) -> None:
    """The worst case users report: every HTML comment disappears; empty named anchors (Blogger's own
    jump-break form) stay. Switched per blog with "stripComments" in the state."""
    sandbox.state.blog(B)["stripComments"] = True
    sent = '<p>x</p><!-- mymein-id: MM-2026-0001 fp: ab12 --><a name="mymein.MM-2026-0001.ab12"></a>'
    post = blogger.posts().insert(blogId=B, body={"title": "T", "content": sent}).execute()
    assert post["content"] == '<p>x</p><a name="mymein.MM-2026-0001.ab12"></a>'
    patched = blogger.posts().patch(blogId=B, postId=post["id"], body={"content": "<p>y</p><!-- c -->"}).execute()
    assert patched["content"] == "<p>y</p>"


def test_a_deleted_posts_id_is_never_given_to_a_new_post(blogger: Any) -> None:
    """A test of a post deleted in Blogger could pass because the next post took the old post's ID."""
    posts = blogger.posts()
    first = posts.insert(blogId=B, body={"title": "Pertama", "content": "<p>1</p>"}).execute()
    posts.delete(blogId=B, postId=first["id"]).execute()
    second = posts.insert(blogId=B, body={"title": "Kedua", "content": "<p>2</p>"}).execute()
    assert int(second["id"]) > int(first["id"])
    with pytest.raises(HttpError) as info:
        posts.get(blogId=B, postId=first["id"]).execute()
    assert info.value.resp.status == 404
