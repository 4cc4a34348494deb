"""Blogger v3 through google-api-python-client: blog info, posts insert/find/publish/revert.

Posting needs a user token of a blog author (no service account). HTTP errors
are translated here: 429/5xx/timeouts → RetriableError, 401 → AuthError,
other 4xx while publishing one item → PublishError (that row becomes GAGAL).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, TypeVar

from bridge.adapters.apiclient import execute
from bridge.adapters.retry import NO_RETRY, RetryPolicy
from bridge.exceptions import BridgeError, FatalError, PublishError

log = logging.getLogger("bridge.blogger")

T = TypeVar("T")


@dataclass(frozen=True)
class BlogInfo:
    id: str
    name: str
    url: str
    posts: int


@dataclass(frozen=True)
class PostRef:
    id: str
    url: str
    status: str  # LIVE, DRAFT or SCHEDULED
    published: str = ""


BLOGGER_REASONS_ID = {
    403: "akun sistem bukan penulis (author) blog ini atau tidak punya izin",
    404: "blog atau post tidak ditemukan (periksa blog_id di konfigurasi)",
    400: "Blogger menolak isi post",
}


class BloggerGateway:
    """Posts of one blog."""

    def __init__(self, service: Any, blog_id: str, retry: RetryPolicy = NO_RETRY) -> None:
        self.service = service
        self.blog_id = blog_id
        self.retry = retry

    def _call(
        self,
        what: str,
        request: Callable[[], Any],
        *,
        item: str = "",
        retry: RetryPolicy | None = None,
        failed: str = "Gagal terbit",
        again: str = "DISETUJUI",
    ) -> Any:
        """Execute; a permanent error about one item becomes a PublishError saying
        ``failed: reason`` and which Status the officer sets (``again``) to retry."""

        def permanent(status: int, message: str, reasons: frozenset[str] = frozenset()) -> BridgeError:
            if item:
                reason = BLOGGER_REASONS_ID.get(status, "Blogger menolak permintaan")
                return PublishError(
                    f"{failed}: {reason} (HTTP {status}). Hubungi staf TI; setelah diperbaiki, ubah Status menjadi {again} lagi.",
                    f"{what}: HTTP {status}: {message}",
                    submission_id=item,
                )
            return FatalError(f"{what}: HTTP {status}: {message}")

        return execute(what, request, retry or self.retry, permanent)

    def blog(self) -> BlogInfo:
        data = self._call(f"blogs.get {self.blog_id}", lambda: self.service.blogs().get(blogId=self.blog_id, maxPosts=0))
        return BlogInfo(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            url=str(data.get("url", "")),
            posts=int(data.get("posts", {}).get("totalItems", 0) or 0),
        )

    def insert(
        self,
        *,
        title: str,
        html: str,
        labels: list[str],
        draft: bool,
        published_at: datetime | None = None,
        item: str = "",
        marker: str = "",
    ) -> PostRef:
        """Insert a post, retrying without ever creating it twice.

        A 5xx or timeout may come *after* Blogger created the post, so before
        each retry the blog is searched for the post's marker (``marker`` must
        be in ``html``); only when it is absent is the insert sent again.
        """
        body: dict[str, Any] = {"kind": "blogger#post", "title": title, "content": html, "labels": labels}
        if published_at is not None:
            body["published"] = published_at.isoformat()
        status = "DRAFT" if draft else "LIVE"  # what we asked for: Blogger only reports status to admins
        tried = False

        def attempt() -> PostRef:
            nonlocal tried
            if tried and marker:
                found = self.find_markers([item], lambda _i: marker)
                if item in found:
                    log.warning("%s: an earlier attempt did create post %s; not inserting again", item, found[item].id)
                    return found[item]
            tried = True
            data = self._call(
                f"posts.insert {item}",
                lambda: self.service.posts().insert(blogId=self.blog_id, body=body, isDraft=draft, fetchBody=bool(marker)),
                item=item,
                retry=NO_RETRY,
            )
            if marker and marker not in str(data.get("content", marker)):
                # Exactly-once after a crash relies on finding this marker on the blog again.
                log.error(
                    "%s: Blogger did not keep the bridge's marker in post %s; after a crash this post could be "
                    "published twice. Please report this (the post template or Blogger changed).", item, data.get("id")
                )
            return _ref(data, status)

        return self.retry.call(f"posts.insert {item}", attempt)

    def publish(self, post_id: str, *, item: str = "", publish_at: datetime | None = None) -> PostRef:
        kwargs: dict[str, Any] = {"blogId": self.blog_id, "postId": post_id}
        if publish_at is not None:
            kwargs["publishDate"] = publish_at.isoformat()
        data = self._call(f"posts.publish {item}", lambda: self.service.posts().publish(**kwargs), item=item)
        return _ref(data, "SCHEDULED" if publish_at is not None else "LIVE")

    def revert(self, post_id: str, *, item: str = "") -> PostRef:
        data = self._call(
            f"posts.revert {item}",
            lambda: self.service.posts().revert(blogId=self.blog_id, postId=post_id),
            item=item,
            failed="Gagal menarik post (post MASIH TAYANG di website)",
            again="DITARIK",
        )
        return _ref(data, "DRAFT")

    def update(self, post_id: str, *, title: str, html: str, labels: list[str], item: str = "", status: str = "") -> PostRef:
        """Replace a post's title, content and labels; ``status`` is what the caller knows it to be."""
        body = {"title": title, "content": html, "labels": labels}
        data = self._call(
            f"posts.patch {item}",
            lambda: self.service.posts().patch(blogId=self.blog_id, postId=post_id, body=body),
            item=item,
        )
        return _ref(data, status)

    def find_markers(self, ids: Iterable[str], marker_of: Callable[[str], str]) -> dict[str, PostRef]:
        """Find posts (live, scheduled or draft) whose content carries the marker of any id.

        Used to reconcile publish intents left unfinished by a crash: a post found
        here was created, so it must not be inserted again. One listing per status,
        because Blogger reports a post's status only to blog admins.
        """
        wanted = {i: marker_of(i) for i in ids}
        found: dict[str, PostRef] = {}
        for status in ("LIVE", "SCHEDULED", "DRAFT"):
            token: str | None = None
            while len(found) < len(wanted):
                page_token = token

                def request(page_token: str | None = page_token, status: str = status) -> Any:
                    kwargs: dict[str, Any] = {
                        "blogId": self.blog_id,
                        "status": status,
                        "fetchBodies": True,
                        "maxResults": 100,
                        "view": "AUTHOR",
                        "fields": "nextPageToken,items(id,url,status,published,content)",
                    }
                    if page_token:
                        kwargs["pageToken"] = page_token
                    return self.service.posts().list(**kwargs)

                data = self._call(f"posts.list {status.lower()} (reconcile)", request)
                for post in data.get("items", []) or []:
                    content = str(post.get("content", ""))
                    for sid, marker in wanted.items():
                        if sid not in found and marker in content:
                            found[sid] = _ref(post, status)
                token = data.get("nextPageToken")
                if not token:
                    break
        return found


def _ref(data: dict[str, Any], status: str = "") -> PostRef:
    """A post reference; ``status`` stands in when Blogger leaves it out (non-admin authors)."""
    return PostRef(
        id=str(data.get("id", "")),
        url=str(data.get("url", "") or ""),
        status=str(data.get("status", "") or status),
        published=str(data.get("published", "") or ""),
    )


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class BloggerStats:
    """What Blogger tells about readers (outtakes): comments per post and the blog's page views."""

    def __init__(self, gateway: BloggerGateway) -> None:
        self.gateway = gateway

    def comments_by_url(self) -> dict[str, int]:
        """Live post URL → its comment count (``replies.totalItems``), over every page of posts."""
        g = self.gateway
        out: dict[str, int] = {}
        token: str | None = None
        while True:
            page_token = token

            def request(page_token: str | None = page_token) -> Any:
                kwargs: dict[str, Any] = {"blogId": g.blog_id, "status": "LIVE", "fetchBodies": False, "maxResults": 500,
                                          "fields": "nextPageToken,items(url,replies/totalItems)"}
                if page_token:
                    kwargs["pageToken"] = page_token
                return g.service.posts().list(**kwargs)

            data = g._call("posts.list live (report)", request)
            for post in data.get("items", []) or []:
                if post.get("url"):
                    out[str(post["url"])] = _count((post.get("replies") or {}).get("totalItems"))
            token = data.get("nextPageToken")
            if not token:
                return out

    def page_views(self) -> dict[str, int]:
        """The blog's page views: ``SEVEN_DAYS``, ``THIRTY_DAYS`` and ``ALL_TIME`` → count."""
        g = self.gateway
        data = g._call(
            f"pageViews.get {g.blog_id}",
            lambda: g.service.pageViews().get(blogId=g.blog_id, range=["7DAYS", "30DAYS", "all"]),
        )
        return {str(c.get("timeRange", "")): _count(c.get("count")) for c in data.get("counts", []) or []}
