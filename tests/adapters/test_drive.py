"""The Drive adapter with googleapiclient's HttpMockSequence: which account writes, and error reasons."""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.discovery import build
from googleapiclient.http import HttpMockSequence

from bridge.adapters.drive import DriveGateway
from bridge.adapters.retry import RetryPolicy
from bridge.exceptions import PublishError


def _drive(http: HttpMockSequence) -> Any:
    return build("drive", "v3", http=http, static_discovery=True, cache_discovery=False)


def test_drive_quota_and_uploads_go_to_the_right_account() -> None:
    """Photo copies are written by the upload account (the blog author, not a service account
    without storage); a full Drive gets its own plain reason."""
    reader = HttpMockSequence([])
    full = {"error": {"code": 403, "message": "quota", "errors": [{"reason": "storageQuotaExceeded"}]}}
    uploader = HttpMockSequence([({"status": "403"}, json.dumps(full))])
    gw = DriveGateway(_drive(reader), RetryPolicy(attempts=1), upload_service=_drive(uploader))
    with pytest.raises(PublishError) as info:
        gw.upload_public(name="MM-2026-0001-foto-1.png", mime_type="image/png", content=b"png", item="MM-2026-0001")
    assert "kuota Google Drive" in info.value.reason_id
    assert reader.request_sequence == [] and len(uploader.request_sequence) == 1


def test_a_rate_limit_403_is_retried_not_a_missing_photo() -> None:
    limited = {"error": {"code": 403, "message": "Rate limit", "errors": [{"reason": "rateLimitExceeded"}]}}
    info = {"id": "abc", "name": "foto.png", "mimeType": "image/png", "size": "3"}
    http = HttpMockSequence([({"status": "403"}, json.dumps(limited)), ({"status": "200"}, json.dumps(info))])
    gw = DriveGateway(_drive(http), RetryPolicy(attempts=2, sleep=lambda s: None))
    assert gw.info("abc", item="MM-2026-0001").mime_type == "image/png"


def test_own_copies_are_found_by_app_property_with_the_value_quoted() -> None:
    """A lost ledger would make the bridge upload every photo again; a quote in a value would break the search."""
    import urllib.parse

    found = {"files": [{"id": "1copy", "shared": False}]}
    uploader = HttpMockSequence([({"status": "200"}, json.dumps(found)), ({"status": "200"}, json.dumps({"files": []}))])
    gw = DriveGateway(_drive(HttpMockSequence([])), RetryPolicy(attempts=1), upload_service=_drive(uploader))
    assert gw.find_own("mymein_photo", "ab'c", item="MM-2026-0001") == ("1copy", False)
    assert gw.find_own("mymein_photo", "none") is None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(uploader.request_sequence[0][0]).query)
    assert query["q"] == ["appProperties has { key='mymein_photo' and value='ab\\'c' } and trashed = false"]
