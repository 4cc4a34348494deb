"""Sheets v4 through gspread and raw HTTP: the behaviours that break naive code."""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from bridge.sandbox import a1
from bridge.sandbox.errors import ApiError
from bridge.sandbox.seed import DEMO_REGISTRY_TAB, DEMO_RESPONSES_TAB, DEMO_SPREADSHEET_ID, RESPONSES_HEADER
from bridge.sandbox.server import SandboxServer

from .helpers import call

SS = DEMO_SPREADSHEET_ID


def _review(gc: gspread.Client, rows: int = 1000, cols: int = 26) -> gspread.Worksheet:
    return gc.open_by_key(SS).add_worksheet("Review", rows, cols)


def test_seed_reads_through_gspread(gc: gspread.Client) -> None:
    """The demo form responses would not be readable by the bridge's real client."""
    sh = gc.open_by_key(SS)
    assert [ws.title for ws in sh.worksheets()] == [DEMO_RESPONSES_TAB, DEMO_REGISTRY_TAB]
    values = sh.worksheet(DEMO_RESPONSES_TAB).get_all_values()
    assert values[0] == RESPONSES_HEADER
    assert len(values) == 9
    assert values[1][0] == "22/11/2026 10.00.00"


def test_trailing_empty_rows_and_cells_are_omitted(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """Code indexing row[7] on a short row, or expecting empty rows, would crash on real Google."""
    ws = _review(gc)
    ws.update([["a", "b", "", ""], ["", "", "", ""], ["c"], ["", ""]], "A1", raw=True)
    resp = ws.client.values_get(SS, "Review!A1:F10")
    assert resp["values"] == [["a", "b"], [], ["c"]]
    assert resp["range"] == "Review!A1:F10"
    empty = ws.client.values_get(SS, "Review!H1:H5")
    assert "values" not in empty
    assert empty == {"range": "Review!H1:H5", "majorDimension": "ROWS"}


def test_user_entered_makes_formulas_raw_keeps_text(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """A news title starting with '=' would become a live formula (injection) unnoticed."""
    ws = _review(gc)
    row = ["=HYPERLINK(\"x\")", "+62812", "-5", "@mention", "'=quoted", "2,5", "TRUE", "hello", "-abc"]
    ws.update([row], "A1", value_input_option="USER_ENTERED")
    ws.update([row], "A2", value_input_option="RAW")
    stored = sandbox.state.sheet_rows(SS, "Review")
    assert stored[0] == [{"formula": "=HYPERLINK(\"x\")"}, 62812, -5, {"formula": "@mention"}, "=quoted", 2.5, True,
                         "hello", {"formula": "-abc"}]
    assert stored[1] == row
    formulas = ws.get("A1:I2", value_render_option="FORMULA")
    assert formulas[0][0] == "=HYPERLINK(\"x\")"
    assert ws.get("A1", value_render_option="FORMATTED_VALUE")[0][0] == a1.FORMULA_NOT_EVALUATED
    assert ws.get("F1:G1")[0] == ["2,5", "TRUE"]
    assert ws.get("F1:G1", value_render_option="UNFORMATTED_VALUE")[0] == [2.5, True]
    grid = call(sandbox.url, "GET", f"/v4/spreadsheets/{SS}", params={"includeGridData": "true", "ranges": "Review!A1:A2"}).json()
    cells = grid["sheets"][0]["data"][0]["rowData"]
    assert cells[0]["values"][0]["userEnteredValue"] == {"formulaValue": "=HYPERLINK(\"x\")"}
    assert cells[1]["values"][0]["userEnteredValue"] == {"stringValue": "=HYPERLINK(\"x\")"}


def test_datetimes_render_per_locale_and_as_serials(sandbox: SandboxServer, session: Any) -> None:
    """Form timestamps would be parsed wrongly (day/month swapped, dots in the time) by the bridge."""
    url = f"{sandbox.url}/v4/spreadsheets/{SS}/values/{DEMO_RESPONSES_TAB}!A2"

    def get(**params: str) -> Any:
        return session.get(url, params=params).json()["values"][0][0]

    assert get() == "22/11/2026 10.00.00"
    assert get(valueRenderOption="UNFORMATTED_VALUE") == pytest.approx(46348 + 10 / 24)
    assert get(valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING") == "22/11/2026 10.00.00"
    sandbox.state.spreadsheet(SS)["locale"] = "en_US"
    assert get() == "11/22/2026 10:00:00"
    sandbox.state.spreadsheet(SS)["locale"] = "en_GB"
    assert get() == "22/11/2026 10:00:00"
    assert a1.format_number(1234.5, "in_ID") == "1234,5" and a1.format_number(3.0, "in_ID") == "3"


def test_user_entered_iso_date_becomes_a_date(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """Writing '2025-01-15' with USER_ENTERED reads back as a localised date on Google; code expecting the ISO text would break."""
    ws = _review(gc)
    ws.update([["2025-01-15", "2026-11-22 10:05"]], "A1", value_input_option="USER_ENTERED")
    assert ws.get("A1:B1")[0] == ["15/01/2025", "22/11/2026 10.05.00"]
    assert ws.get("A1", value_render_option="UNFORMATTED_VALUE")[0] == [45672]


def test_write_beyond_grid_fails_and_append_grows(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """A Review tab that fills its 1000 rows would break publishing on Google but not in tests."""
    ws = _review(gc, rows=3, cols=17)
    with pytest.raises(gspread.exceptions.APIError) as info:
        ws.update([["x"] * 17], "A4")
    assert info.value.response.json()["error"]["message"] == (
        "Range ('Review'!A4:Q4) exceeds grid limits. Max rows: 3, max columns: 17"
    )
    ws.update([["h1", "h2"], ["r1", "r1"]], "A1")
    resp = ws.append_rows([["a", "b"], ["c", "d"]], value_input_option="RAW")
    assert resp["tableRange"] == "Review!A1:B2"
    assert resp["updates"]["updatedRange"] == "Review!A3:B4"
    assert sandbox.state.sheet(SS, "Review")["rowCount"] == 4
    resp = ws.append_row(["e", "f"], insert_data_option="INSERT_ROWS")
    assert resp["updates"]["updatedRange"] == "Review!A5:B5"
    assert sandbox.state.sheet(SS, "Review")["rowCount"] == 5
    assert gc.open_by_key(SS).worksheet("Review").row_count == 5


def test_update_outside_requested_range_is_rejected(sandbox: SandboxServer, session: Any) -> None:
    """Writing more cells than the range holds would silently succeed instead of failing like Google."""
    url = f"{sandbox.url}/v4/spreadsheets/{SS}/values/KIM!A20:B20"
    resp = session.put(url, params={"valueInputOption": "RAW"}, json={"values": [["a", "b", "c"]]})
    assert resp.status_code == 400
    assert "tried writing to column [C]" in resp.json()["error"]["message"]
    resp = session.put(url, json={"values": [["a"]]})
    assert resp.status_code == 400 and "valueInputOption" in resp.json()["error"]["message"]


def test_batch_get_batch_update_and_columns(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """Batch reads/writes, echoed ranges or column-major output would differ from Google."""
    ws = _review(gc)
    sh = gc.open_by_key(SS)
    res = sh.values_batch_update({"valueInputOption": "RAW", "data": [
        {"range": "Review!A1:B2", "values": [[1, 2], [3, 4]]},
        {"range": "Review!D1", "values": [["x"]]},
    ]})
    assert res["totalUpdatedCells"] == 5 and res["totalUpdatedSheets"] == 1 and len(res["responses"]) == 2
    got = sh.values_batch_get(["Review!A1:B2", "'Review'!D:D", "Review!1:1"], params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert [v["range"] for v in got["valueRanges"]] == ["Review!A1:B2", "Review!D1:D1000", "Review!A1:Z1"]
    assert got["valueRanges"][0]["values"] == [[1, 2], [3, 4]]
    cols = sh.values_get("Review!A1:B2", params={"majorDimension": "COLUMNS"})
    assert cols["values"] == [["1", "3"], ["2", "4"]]
    sh.values_clear("Review!A1:A2")
    assert ws.get_all_values()[0][:4] == ["", "2", "", "x"]


def test_spreadsheet_batch_update_requests(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """prepare/archive would misbehave: duplicate tabs, protected ranges, row deletion, sorting."""
    sh = gc.open_by_key(SS)
    ws = _review(gc)
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.add_worksheet("Review", 10, 10)
    assert 'A sheet with the name "Review" already exists. Please enter another name.' in str(info.value)
    ws.update([["id"], ["c"], ["a"], ["b"]], "A1")
    res = sh.batch_update({"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": ws.id, "gridProperties": {"frozenRowCount": 1}},
                                   "fields": "gridProperties.frozenRowCount"}},
        {"sortRange": {"range": {"sheetId": ws.id, "startRowIndex": 1}, "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "ASCENDING"}]}},
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": ws.id, "startColumnIndex": 0, "endColumnIndex": 1},
                                                  "warningOnly": True}}},
        {"setDataValidation": {"range": {"sheetId": ws.id, "startRowIndex": 1, "startColumnIndex": 1, "endColumnIndex": 2},
                               "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "DISETUJUI"}]}}}},
        {"autoResizeDimensions": {"dimensions": {"sheetId": ws.id, "dimension": "COLUMNS"}}},
    ]})
    assert len(res["replies"]) == 5 and res["replies"][0] == {}
    assert res["replies"][2]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    assert ws.col_values(1) == ["id", "a", "b", "c"]
    sh.batch_update({"requests": [{"deleteDimension": {"range": {"sheetId": ws.id, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}}]})
    assert ws.col_values(1) == ["id", "c"]
    sheet = sandbox.state.sheet(SS, "Review")
    assert sheet["frozenRowCount"] == 1 and sheet["rowCount"] == 998 and sheet["protectedRanges"] and sheet["dataValidation"]
    meta = sh.fetch_sheet_metadata()
    review = [s for s in meta["sheets"] if s["properties"]["title"] == "Review"][0]
    assert review["properties"]["gridProperties"]["frozenRowCount"] == 1 and review["protectedRanges"]


def test_batch_update_is_atomic_and_names_unsupported_kinds(sandbox: SandboxServer, session: Any) -> None:
    """A failed batch would leave half-applied changes, unlike Google."""
    url = f"{sandbox.url}/v4/spreadsheets/{SS}:batchUpdate"
    resp = session.post(url, json={"requests": [{"addSheet": {"properties": {"title": "Arsip"}}},
                                                {"addSheet": {"properties": {"title": "KIM"}}}]})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"].startswith("Invalid requests[1].addSheet: A sheet with the name")
    assert [s["title"] for s in sandbox.state.spreadsheet(SS)["sheets"]] == [DEMO_RESPONSES_TAB, "KIM"]
    resp = session.post(url, json={"requests": [{"findReplace": {"find": "a", "replacement": "b"}}]})
    assert resp.status_code == 400 and "findReplace" in resp.json()["error"]["message"]


def test_spreadsheets_get_fields_mask(sandbox: SandboxServer, session: Any) -> None:
    """Partial responses (fields=) would return the wrong shape to the bridge's `check`."""
    resp = session.get(f"{sandbox.url}/v4/spreadsheets/{SS}", params={"fields": "sheets.properties(title,sheetId),properties.timeZone"})
    body = resp.json()
    assert body == {"properties": {"timeZone": "Asia/Makassar"},
                    "sheets": [{"properties": {"sheetId": 0, "title": DEMO_RESPONSES_TAB}},
                               {"properties": {"sheetId": 1187364520, "title": "KIM"}}]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'Jawaban Formulir 1'!A2:Z", ("Jawaban Formulir 1", 1, None, 0, 26)),
        ("KIM!A:C", ("KIM", 0, None, 0, 3)),
        ("KIM!1:1", ("KIM", 0, 1, 0, None)),
        ("KIM", ("KIM", 0, None, 0, None)),
        ("A1:B2", ("Jawaban Formulir 1", 0, 2, 0, 2)),
        ("KIM!B3", ("KIM", 2, 3, 1, 2)),
        ("'It''s'!A1:B2", ("It's", 0, 2, 0, 2)),
    ],
)
def test_a1_parsing(text: str, expected: tuple[Any, ...]) -> None:
    """Ranges written the way the bridge writes them would address the wrong cells."""
    ss = {"sheets": [{"title": "Jawaban Formulir 1", "rowCount": 1000, "columnCount": 26},
                     {"title": "KIM", "rowCount": 1000, "columnCount": 26},
                     {"title": "It's", "rowCount": 1000, "columnCount": 26}]}
    gr = a1.parse_range(ss, text)
    assert (gr.title, gr.start_row, gr.end_row, gr.start_col, gr.end_col) == expected
    with pytest.raises(ApiError, match="Unable to parse range: Nope!A1"):
        a1.parse_range(ss, "Nope!A1")
    assert a1.format_range("It's", 0, 2, 0, 2) == "'It''s'!A1:B2"
    assert a1.format_range("Review", 0, 12, 0, 8) == "Review!A1:H12"
    assert a1.format_range("Form Responses 1", 0, 12, 0, 8) == "'Form Responses 1'!A1:H12"


def test_more_batch_update_kinds(sandbox: SandboxServer, gc: gspread.Client) -> None:
    """prepare's grid set-up requests (cells, dimensions, charts, tab deletion) would not match Google."""
    sh = gc.open_by_key(SS)
    ws = _review(gc, rows=5, cols=3)
    cell = {"userEnteredValue": {"stringValue": "id"}}
    res = sh.batch_update({"requests": [
        {"updateCells": {"start": {"sheetId": ws.id, "rowIndex": 0, "columnIndex": 0},
                         "rows": [{"values": [cell, {"userEnteredValue": {"formulaValue": "=ROW()"}}]}],
                         "fields": "userEnteredValue"}},
        {"appendCells": {"sheetId": ws.id, "rows": [{"values": [{"userEnteredValue": {"numberValue": 7}}]}],
                         "fields": "userEnteredValue"}},
        {"insertDimension": {"range": {"sheetId": ws.id, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}},
        {"appendDimension": {"sheetId": ws.id, "dimension": "COLUMNS", "length": 2}},
        {"updateDimensionProperties": {"range": {"sheetId": ws.id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                                       "properties": {"pixelSize": 200}, "fields": "pixelSize"}},
        {"repeatCell": {"range": {"sheetId": ws.id, "startRowIndex": 4, "endRowIndex": 5, "startColumnIndex": 0, "endColumnIndex": 2},
                        "cell": {"userEnteredValue": {"boolValue": False}}, "fields": "userEnteredValue"}},
        {"addChart": {"chart": {"spec": {"title": "Kiriman"}, "position": {"newSheet": True}}}},
    ]})
    assert res["replies"][6]["addChart"]["chart"]["chartId"]
    assert sandbox.state.sheet_rows(SS, "Review") == [["id", {"formula": "=ROW()"}], [], [7], [], [False, False]]
    sheet = sandbox.state.sheet(SS, "Review")
    assert (sheet["rowCount"], sheet["columnCount"]) == (6, 5)
    sh.values_batch_clear(body={"ranges": ["Review!A1:B1", "Review!A5:B5"]})
    assert sandbox.state.sheet_rows(SS, "Review") == [[], [], [7]]
    sh.del_worksheet(ws)
    assert [w.title for w in sh.worksheets()] == [DEMO_RESPONSES_TAB, DEMO_REGISTRY_TAB]
