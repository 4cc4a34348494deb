"""The Sheets adapter: one request per method, RAW writes, retries only what is temporary."""

from __future__ import annotations

import json
import socket

import pytest
import requests
import responses
from responses import matchers

from bridge.adapters import clients
from bridge.adapters.auth import sandbox_credentials
from bridge.adapters.retry import NO_RETRY
from bridge.adapters.sheets import SheetsGateway, a1_tab, column_letter
from bridge.exceptions import FatalError, RetriableError

SHEET_ID = "sheet123"
BASE = "https://sheets.googleapis.com/v4/spreadsheets"


def google_error(code: int, status: str, message: str = "boom") -> dict[str, object]:
    return {"error": {"code": code, "message": message, "status": status}}

BATCH_GET = f"{BASE}/{SHEET_ID}/values:batchGet"


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_batch_get_retries_429_then_succeeds(gateway: SheetsGateway, sleeps: list[float]) -> None:
    """A quota hiccup (429) does not lose a cycle: the read is retried with backoff."""
    responses.get(BATCH_GET, status=429, json=google_error(429, "RESOURCE_EXHAUSTED"))
    responses.get(BATCH_GET, status=503, json=google_error(503, "UNAVAILABLE"))
    responses.get(BATCH_GET, json={"valueRanges": [{"values": [["a"]]}, {}]})
    result = gateway.batch_get(SHEET_ID, ["'A'!1:1", "'B'"])
    assert result == [[["a"]], []]
    assert len(responses.calls) == 3
    assert len(sleeps) == 2
    assert all(0 <= s <= 8.0 for s in sleeps)


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_retries_are_bounded(gateway: SheetsGateway) -> None:
    """A Google outage ends in a clear temporary error after a bounded number of tries."""
    for _ in range(4):
        responses.get(BATCH_GET, status=500, json=google_error(500, "INTERNAL"))
    with pytest.raises(RetriableError):
        gateway.batch_get(SHEET_ID, ["'A'"])
    assert len(responses.calls) == 4


@responses.activate
def test_403_is_fatal_and_says_what_to_do(gateway: SheetsGateway) -> None:
    """An unshared spreadsheet stops the bridge with advice instead of retrying forever."""
    responses.get(BATCH_GET, status=403, json=google_error(403, "PERMISSION_DENIED", "The caller does not have permission"))
    with pytest.raises(FatalError, match="Share the spreadsheet"):
        gateway.batch_get(SHEET_ID, ["'A'"])
    assert len(responses.calls) == 1


@responses.activate
def test_reads_values_not_locale_strings(gateway: SheetsGateway) -> None:
    """Timestamps are read as serial numbers, so an Indonesian-locale sheet is not misread; the
    answer comes without indentation (prettyPrint=false: about half the bytes)."""
    responses.get(
        BATCH_GET,
        match=[matchers.query_param_matcher(
            {"ranges": "'Form Responses 1'!1:1", "valueRenderOption": "UNFORMATTED_VALUE",
             "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS", "prettyPrint": "false"}
        )],
        json={"valueRanges": [{"values": [["Timestamp"]]}]},
    )
    assert gateway.batch_get(SHEET_ID, ["'Form Responses 1'!1:1"]) == [[["Timestamp"]]]


@responses.activate
def test_append_writes_raw(gateway: SheetsGateway) -> None:
    """Submitter text like =IMPORTXML(...) is sent RAW, so it can never become a formula."""
    url = f"{BASE}/{SHEET_ID}/values/%27Review%27%21A1:append"
    responses.post(url, json={"updates": {"updatedRange": "'Review'!A2:B2"}})
    assert gateway.append_rows(SHEET_ID, "Review", [["=IMPORTXML(\"x\")", "b"]]) == "'Review'!A2:B2"
    call = responses.calls[0]
    assert "valueInputOption=RAW" in call.request.url
    assert json.loads(call.request.body)["values"] == [["=IMPORTXML(\"x\")", "b"]]


@responses.activate
def test_update_ranges_is_one_raw_call(gateway: SheetsGateway) -> None:
    """Writing many cells back costs one request, whatever the number of rows."""
    responses.post(f"{BASE}/{SHEET_ID}/values:batchUpdate", json={"totalUpdatedCells": 3})
    count = gateway.update_ranges(SHEET_ID, [("'Review'!L2", [["TERBIT"]]), ("'Review'!O2", [["u"]]), ("'Review'!L9", [["GAGAL"]])])
    assert count == 3
    assert len(responses.calls) == 1
    body = json.loads(responses.calls[0].request.body)
    assert body["valueInputOption"] == "RAW"
    assert [d["range"] for d in body["data"]] == ["'Review'!L2", "'Review'!O2", "'Review'!L9"]


def test_a1_helpers() -> None:
    """Tab names with spaces or quotes produce valid ranges; column letters go past Z."""
    assert a1_tab("Form Responses 1") == "'Form Responses 1'"
    assert a1_tab("KIM's") == "'KIM''s'"
    assert [column_letter(i) for i in (0, 25, 26, 701)] == ["A", "Z", "AA", "ZZ"]


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_a_rate_limit_403_is_retried(gateway: SheetsGateway) -> None:
    """Google sometimes signals quota as 403 rateLimitExceeded: wait and retry, do not give up."""
    body = {"error": {"code": 403, "message": "Rate Limit Exceeded", "errors": [{"reason": "rateLimitExceeded"}]}}
    responses.get(BATCH_GET, status=403, json=body)
    responses.get(BATCH_GET, json={"valueRanges": [{}]})
    assert gateway.batch_get(SHEET_ID, ["'A'"]) == [[]]
    assert len(responses.calls) == 2


@responses.activate
def test_a_body_cut_off_midway_is_temporary(gateway: SheetsGateway) -> None:
    responses.get(BATCH_GET, body=requests.exceptions.ChunkedEncodingError("connection dropped mid-body"))
    with pytest.raises(RetriableError, match="network error"):
        gateway.batch_get(SHEET_ID, ["'A'"])


def test_a_silent_server_times_out_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection Google never answers must not hold the service forever (gspread's default is no timeout)."""
    monkeypatch.setattr(clients, "HTTP_TIMEOUT", 0.3)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never answers
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        gw = SheetsGateway(clients.sheets_client(sandbox_credentials("ya29.test"), endpoint), NO_RETRY)
        with pytest.raises(RetriableError, match="network error"):
            gw.batch_get(SHEET_ID, ["'A'"])
        gw.client.http_client.session.close()
