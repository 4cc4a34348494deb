"""Drive v3 through google-api-python-client: multipart/resumable upload, download, sharing, public URLs."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload

from bridge.sandbox.seed import DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, png_bytes
from bridge.sandbox.server import SandboxServer


def test_multipart_upload_download_share_and_public_url(sandbox: SandboxServer, drive: Any) -> None:
    """Re-hosted photos would not upload, or would show on the blog without being shared."""
    data = png_bytes(8, 6, (10, 200, 30))
    media = MediaInMemoryUpload(data, mimetype="image/png", resumable=False)
    created = drive.files().create(body={"name": "foto.png", "parents": []}, media_body=media,
                                   fields="id,name,mimeType,size").execute()
    assert created["name"] == "foto.png" and created["size"] == str(len(data)) and created["mimeType"] == "image/png"
    assert drive.files().get_media(fileId=created["id"]).execute() == data
    public = f"{sandbox.url}/_sandbox/files/{created['id']}"
    assert requests.get(public, timeout=5).status_code == 403
    perm = drive.permissions().create(fileId=created["id"], body={"type": "anyone", "role": "reader"}).execute()
    assert perm["kind"] == "drive#permission" and perm["type"] == "anyone" and perm["role"] == "reader"
    resp = requests.get(public, timeout=5)
    assert resp.status_code == 200 and resp.content == data and resp.headers["Content-Type"] == "image/png"
    assert sandbox.state.drive_file(created["id"])["permissions"][0]["type"] == "anyone"


def test_files_get_fields_and_not_found(drive: Any) -> None:
    """Photo checks (size, owner) or missing files would not behave like Drive."""
    with pytest.raises(HttpError) as info:
        drive.files().get(fileId="missing").execute()
    assert info.value.resp.status == 404 and b"File not found: missing." in info.value.content
    folder = drive.files().create(body={"name": "Foto KIM", "mimeType": "application/vnd.google-apps.folder"}).execute()
    assert set(folder) == {"kind", "id", "name", "mimeType"}
    meta = drive.files().get(fileId=folder["id"], fields="id,owners(emailAddress)", supportsAllDrives=True).execute()
    assert meta == {"id": folder["id"], "owners": [{"emailAddress": "kimbalangan.bridge@gmail.com"}]}


def test_resumable_upload(drive: Any) -> None:
    """Large photos uploaded with resumable=True would fail against the sandbox."""
    data = b"\x00\x01" * 5000
    media = MediaInMemoryUpload(data, mimetype="application/octet-stream", resumable=True)
    created = drive.files().create(body={"name": "big.bin"}, media_body=media, fields="id,size").execute()
    assert created["size"] == str(len(data))
    assert drive.files().get_media(fileId=created["id"]).execute() == data


def test_seed_photo_links_resolve_to_pngs(sandbox: SandboxServer, drive: Any) -> None:
    """The demo's form photo links would point at files the bridge cannot download."""
    rows = sandbox.state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)
    ids = [i for row in rows[1:] for i in re.findall(r"id=([\w-]+)", str(row[7]))]
    assert len(ids) == 8 and any(row[7] == "" for row in rows[1:])
    for fid in ids:
        meta = drive.files().get(fileId=fid, fields="id,mimeType,owners").execute()
        assert meta["mimeType"] == "image/png" and meta["owners"][0]["emailAddress"] == "kimbalangan.form@gmail.com"
        assert drive.files().get_media(fileId=fid).execute().startswith(b"\x89PNG\r\n\x1a\n")


def test_simple_media_upload_and_public_url_errors(sandbox: SandboxServer) -> None:
    """uploadType=media, or unknown public photo ids, would not answer like Drive/lh3."""
    resp = requests.post(f"{sandbox.url}/upload/drive/v3/files", params={"uploadType": "media"}, data=b"abc",
                         headers={"Authorization": f"Bearer {sandbox.api_token}", "Content-Type": "image/jpeg"}, timeout=5)
    assert resp.status_code == 200 and resp.json()["mimeType"] == "image/jpeg"
    assert requests.get(f"{sandbox.url}/_sandbox/files/nope", timeout=5).status_code == 404


def test_created_and_modified_times_come_from_the_sandbox_clock(drive: Any) -> None:
    """Drive times would follow the machine's date instead of the clock the bridge runs on."""
    media = MediaInMemoryUpload(png_bytes(2, 2, (1, 2, 3)), mimetype="image/png", resumable=False)
    created = drive.files().create(body={"name": "t.png"}, media_body=media, fields="id,createdTime,modifiedTime").execute()
    assert created["createdTime"] == created["modifiedTime"] == "2026-11-23T02:00:00.000Z"


def test_files_list_finds_by_app_property_and_refuses_unknown_queries() -> None:
    """The sandbox would find copies Google would not (or the reverse), hiding a duplicate-upload bug."""
    from bridge.sandbox.drive import _query
    from bridge.sandbox.errors import ApiError

    files = [
        {"id": "a", "name": "x.jpg", "appProperties": {"mymein_photo": "k1"}, "parents": ["f"]},
        {"id": "b", "name": "y.jpg", "appProperties": {"mymein_photo": "k1"}, "trashed": True},
        {"id": "c", "name": "it's.jpg"},
    ]

    def ids(q: str) -> list[str]:
        tests = _query(q)
        return [f["id"] for f in files if all(t(f) for t in tests)]

    assert ids("appProperties has { key='mymein_photo' and value='k1' } and trashed = false") == ["a"]
    assert ids("'f' in parents") == ["a"] and ids("name = 'it\\'s.jpg'") == ["c"] and ids("") == ["a", "b", "c"]
    for bad in ("fullText contains 'x'", "trashed = false or name = 'x'"):
        with pytest.raises(ApiError) as info:
            _query(bad)
        assert info.value.code == 400


def test_form_uploads_show_their_folders_and_a_file_shared_alone_shows_none(sandbox: SandboxServer, drive: Any) -> None:
    """The bridge would accept a file shared with it alone as a form upload, or refuse real uploads, because
    the sandbox showed parents Drive hides (or hid the form's folders)."""
    from bridge.sandbox.seed import FORM_OWNER, PHOTO_FOLDER_ID, UPLOADS_FOLDER_ID

    rows = sandbox.state.sheet_rows(DEMO_SPREADSHEET_ID, DEMO_RESPONSES_TAB)
    upload = re.findall(r"id=([\w-]+)", str(rows[1][7]))[0]
    meta = drive.files().get(fileId=upload, fields="parents,owners(emailAddress,permissionId),trashed").execute()
    assert meta["parents"] == [PHOTO_FOLDER_ID] and meta["trashed"] is False
    assert meta["owners"][0]["emailAddress"] == FORM_OWNER and len(meta["owners"][0]["permissionId"]) == 20
    question = drive.files().get(fileId=PHOTO_FOLDER_ID, fields="name,parents").execute()
    assert question == {"name": "Foto Berita (File responses)", "parents": [UPLOADS_FOLDER_ID]}
    top = drive.files().get(fileId=UPLOADS_FOLDER_ID, fields="name,parents").execute()
    assert top == {"name": "MY MEIN - Kiriman Berita KIM (File responses)", "parents": []}
    with sandbox.state.lock:
        sandbox.state.data["drive"]["files"] += [
            {"id": "1StrangerFolder", "name": "Pribadi", "mimeType": "application/vnd.google-apps.folder", "owner": "x@gmail.com",
             "parents": [], "permissions": []},
            {"id": "1SharedAlone", "name": "a.jpg", "mimeType": "image/jpeg", "owner": "x@gmail.com", "parents": ["1StrangerFolder"],
             "permissions": [{"id": "1", "type": "user", "role": "reader", "emailAddress": "kimbalangan.bridge@gmail.com"}]},
        ]
    assert drive.files().get(fileId="1SharedAlone", fields="parents").execute() == {"parents": []}
    assert sandbox.state.drive_file("1SharedAlone")["parents"] == ["1StrangerFolder"], "the owner still sees it in its folder"
