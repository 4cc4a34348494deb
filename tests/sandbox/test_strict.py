"""The sandbox refuses what real Google refuses (issue 12); each test names the behaviour's source."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests

from bridge.clock import ManualClock
from bridge.sandbox import oauth
from bridge.sandbox.seed import (
    BRIDGE_ACCOUNT,
    DEMO_BLOG_ID,
    DEMO_SPREADSHEET_ID,
    FORM_OWNER,
    UPLOADS_FOLDER_ID,
)
from bridge.sandbox.server import SandboxServer

from .helpers import call

SS = f"/v4/spreadsheets/{DEMO_SPREADSHEET_ID}"
KIM_SHEET_ID = 1187364520


def _as(sandbox: SandboxServer, account: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {oauth.issue_token(sandbox.state, account)}"}


def _photo_id(sandbox: SandboxServer) -> str:
    return next(f["id"] for f in sandbox.state.data["drive"]["files"] if f["mimeType"] == "image/png")


# --- Drive ACLs (developers.google.com/drive/api/guides/handle-errors#file-not-found, manage-sharing) ------

def test_unshared_form_upload_is_404_for_the_bridge_account(sandbox: SandboxServer) -> None:
    """A photo the office never shared with the bridge would look readable in tests and fail on the real day."""
    fid = _photo_id(sandbox)
    assert call(sandbox.url, "GET", f"/drive/v3/files/{fid}").status_code == 200  # the seed's folder is shared
    sandbox.state.drive_file(UPLOADS_FOLDER_ID)["permissions"] = []
    resp = call(sandbox.url, "GET", f"/drive/v3/files/{fid}")
    assert resp.status_code == 404
    assert resp.json()["error"] == {"code": 404, "message": f"File not found: {fid}.", "errors": [
        {"message": f"File not found: {fid}.", "domain": "global", "reason": "notFound"}]}
    owner = call(sandbox.url, "GET", f"/drive/v3/files/{fid}", auth=False, headers=_as(sandbox, FORM_OWNER))
    assert owner.status_code == 200  # the form owner still sees it


def test_reader_may_read_but_not_delete_or_share(sandbox: SandboxServer) -> None:
    """The bridge could appear to delete or re-share the office's uploads, which Drive refuses a Viewer."""
    fid = _photo_id(sandbox)
    assert call(sandbox.url, "GET", f"/drive/v3/files/{fid}", params={"alt": "media"}).status_code == 200
    resp = call(sandbox.url, "DELETE", f"/drive/v3/files/{fid}")
    assert resp.status_code == 403 and resp.json()["error"]["errors"][0]["reason"] == "insufficientFilePermissions"
    resp = call(sandbox.url, "POST", f"/drive/v3/files/{fid}/permissions", json={"type": "anyone", "role": "reader"})
    assert resp.status_code == 403
    assert call(sandbox.url, "DELETE", f"/drive/v3/files/{fid}", auth=False, headers=_as(sandbox, FORM_OWNER)).status_code == 204


def test_about_names_the_tokens_account(sandbox: SandboxServer) -> None:
    """check could not say which account the office must share the upload folder with."""
    resp = call(sandbox.url, "GET", "/drive/v3/about", params={"fields": "user(emailAddress)"})
    assert resp.json() == {"user": {"emailAddress": BRIDGE_ACCOUNT}}


# --- OAuth (developers.google.com/identity/protocols/oauth2#expiration, .../web-server#offline) ------------

def test_access_tokens_expire_after_an_hour_of_sandbox_time(sandbox: SandboxServer, clock: ManualClock) -> None:
    """A refresh path that never runs in tests would be the first thing to break in production."""
    headers = _as(sandbox, BRIDGE_ACCOUNT)
    assert call(sandbox.url, "GET", SS, auth=False, headers=headers).status_code == 200
    clock.advance(timedelta(seconds=3601))
    resp = call(sandbox.url, "GET", SS, auth=False, headers=headers)
    assert resp.status_code == 401
    error = resp.json()["error"]
    assert error["status"] == "UNAUTHENTICATED" and "errors" not in error
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"


def test_token_endpoint_refreshes_and_refuses_a_revoked_grant(sandbox: SandboxServer, clock: ManualClock) -> None:
    """A revoked sign-in would not be rehearsed: Google's invalid_grant is what the bridge must explain."""
    refresh = oauth.add_grant(sandbox.state, BRIDGE_ACCOUNT, "client-1")
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "client-1", "client_secret": "s"}
    answer = requests.post(f"{sandbox.url}/token", data=form, timeout=5)
    assert answer.status_code == 200 and answer.json()["expires_in"] == 3599 and answer.json()["token_type"] == "Bearer"
    token = answer.json()["access_token"]
    assert call(sandbox.url, "GET", SS, auth=False, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    oauth.revoke_grant(sandbox.state, refresh)
    refused = requests.post(f"{sandbox.url}/token", data=form, timeout=5)
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}


def test_testing_app_grant_expires_after_seven_days(sandbox: SandboxServer, clock: ManualClock) -> None:
    """An app left in Testing loses its sign-in after 7 days; the sandbox could not show it."""
    refresh = oauth.add_grant(sandbox.state, BRIDGE_ACCOUNT, testing_days=7)
    form = {"grant_type": "refresh_token", "refresh_token": refresh}
    assert requests.post(f"{sandbox.url}/token", data=form, timeout=5).status_code == 200
    clock.advance(timedelta(days=7, seconds=1))
    assert requests.post(f"{sandbox.url}/token", data=form, timeout=5).json()["error"] == "invalid_grant"


# --- error bodies (cloud.google.com/apis/design/errors; gspread cassettes) and fault reasons --------------

def test_sheets_errors_carry_details_and_faults_choose_the_reason(sandbox: SandboxServer) -> None:
    """The bridge's retry of Sheets' RATE_LIMIT_EXCEEDED and Drive's userRateLimitExceeded could not be exercised."""
    missing = call(sandbox.url, "GET", "/v4/spreadsheets/nope")
    assert missing.json() == {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
    sandbox.set_faults({"rate": 1.0, "codes": [429]})
    body = call(sandbox.url, "GET", SS).json()["error"]
    assert body["status"] == "RESOURCE_EXHAUSTED" and body["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert body["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    sandbox.set_faults({"rate": 1.0, "codes": [403], "reason": "userRateLimitExceeded"})
    drive = call(sandbox.url, "GET", f"/drive/v3/files/{_photo_id(sandbox)}").json()["error"]
    assert drive["code"] == 403 and drive["errors"][0]["reason"] == "userRateLimitExceeded"


# --- Sheets ---------------------------------------------------------------------------------------------

def test_append_writes_after_the_first_table_not_the_last_row(sandbox: SandboxServer) -> None:
    """With a blank row in a tab, the sandbox appended at the bottom where Google writes into the gap
    (developers.google.com/sheets/api/guides/values#append_values: the table the range finds)."""
    sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "KIM", [["h"], ["a"], [], ["b"]])
    resp = call(sandbox.url, "POST", f"{SS}/values/KIM!A1:append", params={"valueInputOption": "RAW"},
                json={"values": [["new"]]})
    assert resp.json()["tableRange"] == "KIM!A1:A2" and resp.json()["updates"]["updatedRange"] == "KIM!A3"
    resp = call(sandbox.url, "POST", f"{SS}/values/KIM!A4:append", params={"valueInputOption": "RAW"},
                json={"values": [["last"]]})
    assert resp.json()["updates"]["updatedRange"] == "KIM!A5"
    assert sandbox.state.sheet_rows(DEMO_SPREADSHEET_ID, "KIM") == [["h"], ["a"], ["new"], ["b"], ["last"]]


def test_a_cell_holds_at_most_50000_characters(sandbox: SandboxServer) -> None:
    """A 60,000-character body written raw would be stored, where Google refuses the whole write."""
    resp = call(sandbox.url, "PUT", f"{SS}/values/KIM!A2", params={"valueInputOption": "RAW"},
                json={"values": [["x" * 60_000]]})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "Your input contains more than the maximum of 50000 characters in a single cell."
    ok = call(sandbox.url, "PUT", f"{SS}/values/KIM!A2", params={"valueInputOption": "RAW"}, json={"values": [["x" * 50_000]]})
    assert ok.status_code == 200


def test_a_spreadsheet_holds_at_most_ten_million_cells(sandbox: SandboxServer) -> None:
    """Arsip growing forever would never hit the limit that stops every append in production."""
    resp = call(sandbox.url, "POST", f"{SS}:batchUpdate", json={"requests": [
        {"addSheet": {"properties": {"title": "Besar", "gridProperties": {"rowCount": 400_000, "columnCount": 26}}}}]})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == ("Invalid requests[0].addSheet: This action would increase the number of "
                                               "cells in the workbook above the limit of 10000000 cells.")


def _protect(sandbox: SandboxServer, editors: list[str]) -> None:
    sheet = sandbox.state.sheet(DEMO_SPREADSHEET_ID, "KIM")
    sheet["protectedRanges"] = [{"protectedRangeId": 7, "range": {"sheetId": KIM_SHEET_ID, "startColumnIndex": 0,
                                                                   "endColumnIndex": 1}, "editors": {"users": editors}}]


def test_protected_range_refuses_accounts_that_are_not_editors(sandbox: SandboxServer) -> None:
    """The bridge writing its protected columns without being an editor would pass tests and fail at the office."""
    _protect(sandbox, ["petugas@balangankab.go.id"])
    sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["permissions"].append(
        {"type": "user", "role": "writer", "emailAddress": "petugas@balangankab.go.id"})  # an officer, an Editor
    body = {"values": [["x"]]}
    resp = call(sandbox.url, "PUT", f"{SS}/values/KIM!A2", params={"valueInputOption": "RAW"}, json=body)
    assert resp.status_code == 400 and resp.json()["error"]["message"].startswith("You are trying to edit a protected cell")
    editor = _as(sandbox, "petugas@balangankab.go.id")
    assert call(sandbox.url, "PUT", f"{SS}/values/KIM!A2", auth=False, headers=editor, params={"valueInputOption": "RAW"},
                json=body).status_code == 200
    owner = _as(sandbox, FORM_OWNER)
    assert call(sandbox.url, "PUT", f"{SS}/values/KIM!A3", auth=False, headers=owner, params={"valueInputOption": "RAW"},
                json=body).status_code == 200
    assert call(sandbox.url, "PUT", f"{SS}/values/KIM!B2", params={"valueInputOption": "RAW"}, json=body).status_code == 200
    delete = {"requests": [{"deleteDimension": {"range": {"sheetId": KIM_SHEET_ID, "dimension": "ROWS", "startIndex": 2,
                                                          "endIndex": 3}}}]}
    resp = call(sandbox.url, "POST", f"{SS}:batchUpdate", json=delete)  # a row through the protected column
    assert resp.status_code == 400 and "protected cell" in resp.json()["error"]["message"]


def test_strict_dropdown_refuses_other_values(sandbox: SandboxServer) -> None:
    """A Status the dropdown does not list would be stored, where Google refuses it (support.google.com/docs/answer/186103)."""
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "AKTIF"}, {"userEnteredValue": "TIDAK AKTIF"}]},
            "strict": True}
    sandbox.state.sheet(DEMO_SPREADSHEET_ID, "KIM")["dataValidation"] = [
        {"range": {"sheetId": KIM_SHEET_ID, "startRowIndex": 1, "startColumnIndex": 7, "endColumnIndex": 8}, "rule": rule}]
    params = {"valueInputOption": "RAW"}
    assert call(sandbox.url, "PUT", f"{SS}/values/KIM!H2", params=params, json={"values": [["AKTIF"]]}).status_code == 200
    assert call(sandbox.url, "PUT", f"{SS}/values/KIM!H2", params=params, json={"values": [[""]]}).status_code == 200
    resp = call(sandbox.url, "PUT", f"{SS}/values/KIM!H2", params=params, json={"values": [["MUNGKIN"]]})
    assert resp.status_code == 400 and "violates the data validation rules" in resp.json()["error"]["message"]


def test_strict_dropdown_compares_letter_case_exactly(sandbox: SandboxServer) -> None:
    """A Status typed as 'disetujui' would pass the sandbox's dropdown although no source says Google's does
    (see bridge.sandbox.strict): the tests would trust a spelling real Sheets may refuse."""
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "DISETUJUI"}]}, "strict": True}
    sandbox.state.sheet(DEMO_SPREADSHEET_ID, "KIM")["dataValidation"] = [
        {"range": {"sheetId": KIM_SHEET_ID, "startRowIndex": 1, "startColumnIndex": 7, "endColumnIndex": 8}, "rule": rule}]
    params = {"valueInputOption": "RAW"}
    for typed in ("disetujui", "DISETUJUI "):
        resp = call(sandbox.url, "PUT", f"{SS}/values/KIM!H2", params=params, json={"values": [[typed]]})
        assert resp.status_code == 400 and "violates the data validation rules" in resp.json()["error"]["message"]
    assert call(sandbox.url, "PUT", f"{SS}/values/KIM!H2", params=params, json={"values": [["DISETUJUI"]]}).status_code == 200


def test_blogger_refuses_labels_over_200_characters(sandbox: SandboxServer) -> None:
    """Long labels would publish in tests and be refused with 400 by the real blog."""
    path = f"/v3/blogs/{DEMO_BLOG_ID}/posts"
    labels = ["a" * 100, "b" * 98]  # 198 + ", " = 200
    assert call(sandbox.url, "POST", path, json={"title": "t", "content": "c", "labels": labels}).status_code == 200
    resp = call(sandbox.url, "POST", path, json={"title": "t", "content": "c", "labels": labels + ["c"]})
    assert resp.status_code == 400 and "labels" in resp.json()["error"]["message"]


def test_consent_redirects_with_a_code_that_works_once(sandbox: SandboxServer) -> None:
    """`auth` against the sandbox would sign in twice with one code, which Google refuses."""
    resp = requests.get(f"{sandbox.url}/o/oauth2/auth", allow_redirects=False, timeout=5, params={
        "response_type": "code", "client_id": "cid", "redirect_uri": "http://localhost:8085/", "state": "s1", "scope": "x"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("http://localhost:8085/?state=s1&code=4%2Fsandbox-")
    from urllib.parse import parse_qs, urlparse

    code = parse_qs(urlparse(resp.headers["Location"]).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:8085/", "client_id": "cid"}
    first = requests.post(f"{sandbox.url}/token", data=form, timeout=5).json()
    assert first["refresh_token"].startswith("1//sandbox-") and first["expires_in"] == 3599
    assert requests.post(f"{sandbox.url}/token", data=form, timeout=5).json()["error"] == "invalid_grant"


def test_a_spreadsheet_not_shared_with_the_account_is_403(sandbox: SandboxServer) -> None:
    """A spreadsheet the office never shared with the bridge would open in tests and refuse it at the office."""
    stranger = _as(sandbox, "orang.lain@gmail.com")
    resp = call(sandbox.url, "GET", SS, auth=False, headers=stranger)
    assert resp.status_code == 403
    assert resp.json()["error"] == {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}
    sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["permissions"].append(
        {"type": "user", "role": "reader", "emailAddress": "orang.lain@gmail.com"})
    assert call(sandbox.url, "GET", SS, auth=False, headers=stranger).status_code == 200
    write = call(sandbox.url, "PUT", f"{SS}/values/KIM!A2", auth=False, headers=stranger, params={"valueInputOption": "RAW"},
                 json={"values": [["x"]]})
    assert write.status_code == 403  # a Viewer may read, not write


def test_files_list_shows_only_files_the_account_can_open(sandbox: SandboxServer, drive: Any) -> None:
    """The bridge could find (and reuse) a photo copy another account owns and it cannot read."""
    from googleapiclient.http import MediaInMemoryUpload

    from bridge.sandbox.seed import png_bytes

    media = MediaInMemoryUpload(png_bytes(2, 2, (1, 2, 3)), mimetype="image/png", resumable=False)
    created = drive.files().create(body={"name": "milik-bridge.png", "appProperties": {"mymein_photo": "k1"}},
                                   media_body=media, fields="id").execute()
    q = "appProperties has { key='mymein_photo' and value='k1' } and trashed = false"
    assert [f["id"] for f in drive.files().list(q=q, fields="files(id)").execute()["files"]] == [created["id"]]
    stranger = oauth.issue_token(sandbox.state, "orang.lain@gmail.com")
    resp = requests.get(f"{sandbox.url}/drive/v3/files", params={"q": q, "fields": "files(id)"},
                        headers={"Authorization": f"Bearer {stranger}"}, timeout=5)
    assert resp.status_code == 200 and resp.json()["files"] == []


def test_drive_hides_a_spreadsheet_not_shared_with_the_caller(sandbox: SandboxServer) -> None:
    """A spreadsheet unshared from the bridge would still answer Drive's change signal, so the bridge (and IT's alert)
    would notice only at the 15-minute safety read, where Google answers 404 at once."""
    path = f"/drive/v3/files/{DEMO_SPREADSHEET_ID}"
    assert call(sandbox.url, "GET", path, params={"fields": "version"}).status_code == 200
    sandbox.state.spreadsheet(DEMO_SPREADSHEET_ID)["permissions"] = []  # the owner stopped sharing it
    resp = call(sandbox.url, "GET", path, params={"fields": "version"})
    assert resp.status_code == 404 and resp.json()["error"]["message"] == f"File not found: {DEMO_SPREADSHEET_ID}."
    owner = _as(sandbox, FORM_OWNER)
    assert call(sandbox.url, "GET", path, auth=False, headers=owner, params={"fields": "version"}).status_code == 200
