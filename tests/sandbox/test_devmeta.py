"""Sheets v4 developer metadata in the sandbox: create/update/delete in batchUpdate, search, get, spreadsheets.get."""

from __future__ import annotations

from typing import Any

import gspread

from bridge.sandbox.seed import DEMO_SPREADSHEET_ID
from bridge.sandbox.server import SandboxServer

from .helpers import assert_google_error, call

SS = DEMO_SPREADSHEET_ID
BASE = f"/v4/spreadsheets/{SS}"


def _batch(sandbox: SandboxServer, *requests: dict[str, Any]) -> Any:
    return call(sandbox.url, "POST", f"{BASE}:batchUpdate", json={"requests": list(requests)})


def _create(key: str, value: str | None = None, sheet_id: int | None = None, mid: int | None = None,
            visibility: str = "DOCUMENT") -> dict[str, Any]:
    loc: dict[str, Any] = {"spreadsheet": True} if sheet_id is None else {"sheetId": sheet_id}
    meta: dict[str, Any] = {"metadataKey": key, "location": loc, "visibility": visibility}
    if value is not None:
        meta["metadataValue"] = value
    if mid is not None:
        meta["metadataId"] = mid
    return {"createDeveloperMetadata": {"developerMetadata": meta}}


def _search(sandbox: SandboxServer, **lookup: Any) -> Any:
    return call(sandbox.url, "POST", f"{BASE}/developerMetadata:search",
                json={"dataFilters": [{"developerMetadataLookup": lookup}]})


def _sheet_id(gc: gspread.Client, title: str) -> int:
    return int(gc.open_by_key(SS).add_worksheet(title, 10, 5).id)


def test_create_replies_with_the_stored_metadata_and_an_assigned_id(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """The bridge could not learn the id of a tag it just put on a tab."""
    sid = _sheet_id(gc, "Review")
    resp = _batch(sandbox, _create("mymein.tab", "review", sheet_id=sid), _create("mymein.gen", "7"))
    assert resp.status_code == 200, resp.text
    first, second = (r["createDeveloperMetadata"]["developerMetadata"] for r in resp.json()["replies"])
    assert first["location"] == {"locationType": "SHEET", "sheetId": sid}
    assert first["metadataKey"] == "mymein.tab" and first["metadataValue"] == "review"
    assert first["visibility"] == "DOCUMENT"
    assert second["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    assert first["metadataId"] > 0 and second["metadataId"] > 0 and first["metadataId"] != second["metadataId"]


def test_a_taken_id_a_missing_key_or_visibility_is_a_400_and_changes_nothing(sandbox: SandboxServer) -> None:
    """Two tags could share an id, or a half-made tag be stored, where Google refuses the batch."""
    assert _batch(sandbox, _create("a", mid=42)).status_code == 200
    for bad in (_create("b", mid=42), _create("", mid=43), _create("c", visibility="DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED"),
                _create("d", sheet_id=987654)):
        resp = _batch(sandbox, _create("ok"), bad)
        assert_google_error(resp, 400, "INVALID_ARGUMENT")
    matched = _search(sandbox).json()["matchedDeveloperMetadata"]
    assert [m["developerMetadata"]["metadataKey"] for m in matched] == ["a"]


def test_search_matches_every_field_the_lookup_sets(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """A search for one tab's tag would find another tab's, or another key's."""
    review, arsip = _sheet_id(gc, "Review"), _sheet_id(gc, "Arsip")
    _batch(sandbox, _create("mymein.tab", "review", sheet_id=review), _create("mymein.tab", "arsip", sheet_id=arsip),
           _create("other", "review", sheet_id=review, visibility="PROJECT"))
    body = _search(sandbox, metadataKey="mymein.tab").json()
    assert [m["developerMetadata"]["metadataValue"] for m in body["matchedDeveloperMetadata"]] == ["review", "arsip"]
    assert body["matchedDeveloperMetadata"][0]["dataFilters"] == [{"developerMetadataLookup": {"metadataKey": "mymein.tab"}}]
    on_arsip = _search(sandbox, metadataLocation={"sheetId": arsip}).json()["matchedDeveloperMetadata"]
    assert [m["developerMetadata"]["metadataValue"] for m in on_arsip] == ["arsip"]
    project = _search(sandbox, visibility="PROJECT", locationType="SHEET").json()["matchedDeveloperMetadata"]
    assert [m["developerMetadata"]["metadataKey"] for m in project] == ["other"]
    assert _search(sandbox, metadataKey="nothing").json() == {}


def test_get_by_id_and_404(sandbox: SandboxServer) -> None:
    """A tag read back by its id would differ from the one stored, or a missing one would not 404."""
    made = _batch(sandbox, _create("k", "v", mid=5)).json()["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert call(sandbox.url, "GET", f"{BASE}/developerMetadata/5").json() == made
    assert_google_error(call(sandbox.url, "GET", f"{BASE}/developerMetadata/6"), 404, "NOT_FOUND")


def test_update_and_delete_reply_with_every_entry_they_touched(sandbox: SandboxServer) -> None:
    """A generation mark bumped in the same batch as a write would not be seen to move."""
    _batch(sandbox, _create("gen", "1", mid=10), _create("gen", "1", mid=11), _create("keep", "x", mid=12))
    resp = _batch(sandbox, {"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": {"metadataId": 10}}],
        "developerMetadata": {"metadataValue": "2"}, "fields": "metadataValue"}})
    updated = resp.json()["replies"][0]["updateDeveloperMetadata"]["developerMetadata"]
    assert [(m["metadataId"], m["metadataValue"]) for m in updated] == [(10, "2")]
    no_fields = _batch(sandbox, {"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": {"metadataId": 10}}], "developerMetadata": {"metadataValue": "3"}}})
    assert_google_error(no_fields, 400, "INVALID_ARGUMENT")
    resp = _batch(sandbox, {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataKey": "gen"}}}})
    gone = resp.json()["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]
    assert sorted(m["metadataId"] for m in gone) == [10, 11]
    assert [m["developerMetadata"]["metadataId"] for m in _search(sandbox).json()["matchedDeveloperMetadata"]] == [12]


def test_spreadsheets_get_shows_metadata_on_its_location_and_honours_fields(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """The bridge could not find a tagged tab from the spreadsheet info it already reads."""
    sid = _sheet_id(gc, "Review")
    _batch(sandbox, _create("mymein.tab", "review", sheet_id=sid, mid=7), _create("book", mid=8))
    full = call(sandbox.url, "GET", BASE).json()
    assert [m["metadataId"] for m in full["developerMetadata"]] == [8]
    tagged = [s for s in full["sheets"] if s.get("developerMetadata")]
    assert [(s["properties"]["sheetId"], s["developerMetadata"][0]["metadataId"]) for s in tagged] == [(sid, 7)]
    slim = call(sandbox.url, "GET", BASE, params={"fields": "sheets(properties(sheetId,title),developerMetadata(metadataKey,metadataValue))"}).json()
    assert slim == {"sheets": [*({"properties": {"sheetId": s["properties"]["sheetId"], "title": s["properties"]["title"]}}
                                 for s in full["sheets"] if s["properties"]["sheetId"] != sid),
                               {"properties": {"sheetId": sid, "title": "Review"},
                                "developerMetadata": [{"metadataKey": "mymein.tab", "metadataValue": "review"}]}]}


def test_deleting_a_sheet_deletes_its_metadata(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """A tag of a deleted tab would still be found and point the bridge at a tab that is gone."""
    sid = _sheet_id(gc, "Arsip")
    _batch(sandbox, _create("mymein.tab", "arsip", sheet_id=sid, mid=3), _create("book", mid=4))
    assert _batch(sandbox, {"deleteSheet": {"sheetId": sid}}).status_code == 200
    assert [m["developerMetadata"]["metadataId"] for m in _search(sandbox).json()["matchedDeveloperMetadata"]] == [4]


def test_row_metadata_and_range_filters_are_refused_plainly(sandbox: SandboxServer) -> None:
    """A test could pass on a metadata behaviour the sandbox does not model."""
    row = {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": "r", "visibility": "DOCUMENT",
        "location": {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}}}}
    err = assert_google_error(_batch(sandbox, row), 400, "INVALID_ARGUMENT")
    assert "sandbox does not support" in err["message"]
    resp = call(sandbox.url, "POST", f"{BASE}/developerMetadata:search", json={"dataFilters": [{"a1Range": "A1:B2"}]})
    assert "sandbox does not support" in assert_google_error(resp, 400, "INVALID_ARGUMENT")["message"]
