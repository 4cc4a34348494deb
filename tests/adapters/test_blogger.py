"""The Blogger adapter with googleapiclient's HttpMockSequence: retries and error translation."""

from __future__ import annotations

import json
import ssl
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.discovery import build
from googleapiclient.http import HttpMockSequence

from bridge.adapters.blogger import BloggerGateway
from bridge.adapters.retry import RetryPolicy
from bridge.exceptions import AuthError, PublishError, RetriableError


def _gateway(sequence: list[tuple[dict[str, str], str]], attempts: int = 3) -> tuple[BloggerGateway, HttpMockSequence]:
    http = HttpMockSequence(sequence)
    service = build("blogger", "v3", http=http, static_discovery=True, cache_discovery=False)
    return BloggerGateway(service, "777", RetryPolicy(attempts=attempts, sleep=lambda s: None)), http


def _err(code: int) -> tuple[dict[str, str], str]:
    return {"status": str(code)}, json.dumps({"error": {"code": code, "message": f"err {code}"}})


POST = {"id": "5", "url": "https://kim.example/2026/11/x.html", "status": "LIVE", "published": "2026-11-22T10:00:00+08:00"}


def test_insert_retries_then_returns_post() -> None:
    """A 429 from Blogger delays the post instead of losing it."""
    gw, http = _gateway([_err(429), ({"status": "200"}, json.dumps(POST))])
    ref = gw.insert(title="T", html="<p>x</p>", labels=["Juai"], draft=False, item="MM-2026-0001")
    assert ref.id == "5" and ref.status == "LIVE"
    assert len(http.request_sequence) == 2  # one 429, one success


def test_permanent_error_is_publish_error_in_indonesian() -> None:
    """'Not an author' becomes GAGAL with a reason an officer understands."""
    gw, _ = _gateway([_err(403)])
    with pytest.raises(PublishError) as info:
        gw.insert(title="T", html="x", labels=[], draft=True, item="MM-2026-0001")
    assert "bukan penulis" in info.value.reason_id
    assert "403" in info.value.reason_en


def test_401_is_auth_error() -> None:
    """A revoked token says to run `auth` again instead of failing each row."""
    gw, _ = _gateway([_err(401)])
    with pytest.raises(AuthError, match="mymein-bridge auth"):
        gw.blog()


def test_retries_exhausted_are_retriable() -> None:
    """A long outage leaves the item for the next cycle (it is not marked failed)."""
    gw, _ = _gateway([_err(503), _err(503)], attempts=2)
    with pytest.raises(RetriableError):
        gw.insert(title="T", html="x", labels=[], draft=False, item="MM-2026-0001")


def test_find_markers_pages_through_all_statuses() -> None:
    """Reconciling after a crash finds the post wherever it is (live, scheduled or draft, any page),
    and knows its status even when Blogger reports none (authors who are not blog admins)."""
    live1: dict[str, Any] = {"items": [{"id": "1", "content": "<p>a</p>"}], "nextPageToken": "p2"}
    live2: dict[str, Any] = {"items": [{"id": "2", "url": "u2", "content": "<!-- mymein-id: MM-2026-0002 -->"}]}
    scheduled: dict[str, Any] = {}
    draft: dict[str, Any] = {"items": [{"id": "3", "content": "<p>b</p><!-- mymein-id: MM-2026-0001 -->"}]}
    pages = [live1, live2, scheduled, draft]
    gw, http = _gateway([({"status": "200"}, json.dumps(p)) for p in pages])
    found = gw.find_markers(["MM-2026-0001", "MM-2026-0002", "MM-2026-0003"])
    assert {k: (v.id, v.status) for k, v in found.items()} == {"MM-2026-0001": ("3", "DRAFT"), "MM-2026-0002": ("2", "LIVE")}
    assert ["status=LIVE" in u for u, *_ in http.request_sequence] == [True, True, False, False]
    assert "status=DRAFT" in http.request_sequence[-1][0]


def test_insert_after_ambiguous_failure_checks_marker_first() -> None:
    """A 500 that hid a successful insert does not produce a second post."""
    marker = "<!-- mymein-id: MM-2026-0001 -->"
    listed = {"items": [{"id": "9", "status": "LIVE", "url": "u9", "content": "<p>x</p>" + marker}]}
    gw, http = _gateway([_err(500), ({"status": "200"}, json.dumps(listed)), ({"status": "200"}, "{}"), ({"status": "200"}, "{}")])
    ref = gw.insert(title="T", html="<p>x</p>" + marker, labels=[], draft=False, item="MM-2026-0001", marker=marker)
    assert ref.id == "9"
    methods = [req[1] for req in http.request_sequence]
    assert methods == ["POST", "GET", "GET", "GET"]  # one insert, one listing per status, no second insert


def test_insert_after_ambiguous_failure_finds_a_post_whose_markers_were_stripped() -> None:
    """Blogger dropped the markers and the answer to the insert was lost: title, labels and time still
    recognise the post, so no second post is made."""
    marker = "<!-- mymein-id: MM-2026-0001 -->"
    listed = {"items": [{"id": "9", "status": "LIVE", "url": "u9", "title": "T", "labels": ["Juai"],
                         "updated": "2026-11-23T10:00:30+08:00", "content": "<p>x</p>"}]}
    gw, http = _gateway([_err(500), ({"status": "200"}, json.dumps(listed)), ({"status": "200"}, "{}"), ({"status": "200"}, "{}")])
    since = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    ref = gw.insert(title="T", html="<p>x</p>" + marker, labels=["Juai"], draft=False, item="MM-2026-0001", marker=marker, since=since)
    assert ref.id == "9" and [req[1] for req in http.request_sequence].count("POST") == 1


def test_a_rate_limit_403_is_retried_not_gagal() -> None:
    """Blogger's 403 userRateLimitExceeded means 'slow down', not 'you are no author'."""
    limited = {"error": {"code": 403, "message": "Rate limit", "errors": [{"reason": "userRateLimitExceeded"}]}}
    gw, http = _gateway([({"status": "403"}, json.dumps(limited)), ({"status": "200"}, json.dumps(POST))])
    assert gw.insert(title="T", html="x", labels=[], draft=False, item="MM-2026-0001").id == "5"
    assert len(http.request_sequence) == 2


def test_a_status_blogger_leaves_out_is_asked_for_never_guessed() -> None:
    """Blogger reports status only to admin-level requests (blogger.v3.json); a guessed LIVE could hide a draft."""
    bare = {"id": "5", "url": ""}
    admin = {"id": "5", "url": "", "status": "SCHEDULED"}
    gw, http = _gateway([({"status": "200"}, json.dumps(bare)), ({"status": "200"}, json.dumps(admin))])
    uris: list[str] = []
    real = http.request

    def request(uri: str, *args: Any, **kwargs: Any) -> Any:
        uris.append(uri)
        return real(uri, *args, **kwargs)

    http.request = request  # type: ignore[method-assign]
    assert gw.publish("5", item="MM-2026-0001", publish_at=datetime(2026, 11, 25, tzinfo=UTC)).status == "SCHEDULED"
    assert "publishDate=2026-11-25" in uris[0] and "view=ADMIN" in uris[1]


def test_a_marker_blogger_did_not_keep_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    """Exactly-once after a crash depends on the marker: if Blogger ever strips it, say so loudly."""
    marker = "<!-- mymein-id: MM-2026-0001 -->"
    gw, _ = _gateway([({"status": "200"}, json.dumps({**POST, "content": "<p>x</p>"}))])
    gw.insert(title="T", html="<p>x</p>" + marker, labels=[], draft=False, item="MM-2026-0001", marker=marker)
    assert any(r.levelname == "ERROR" and "did not keep the bridge's marker" in r.getMessage() for r in caplog.records)


class _FlakyHttp(HttpMockSequence):
    """A TLS connection dropped once (ssl.SSLEOFError, which httplib2 passes through unwrapped)."""

    def __init__(self, sequence: list[tuple[dict[str, str], str]]) -> None:
        super().__init__(sequence)
        self.dropped = False

    def request(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if not self.dropped:
            self.dropped = True
            raise ssl.SSLEOFError("EOF occurred in violation of protocol")
        return super().request(*args, **kwargs)


def test_a_dropped_tls_connection_is_temporary() -> None:
    http = _FlakyHttp([({"status": "200"}, json.dumps({"id": "777", "name": "KIM", "url": "u", "posts": {"totalItems": 3}}))])
    service = build("blogger", "v3", http=http, static_discovery=True, cache_discovery=False)
    gw = BloggerGateway(service, "777", RetryPolicy(attempts=2, sleep=lambda s: None))
    assert gw.blog().posts == 3 and http.dropped

