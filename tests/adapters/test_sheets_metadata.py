"""The Sheets adapter's developer metadata: request builders, search, get, tags read with the tab list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import responses
from responses import matchers

from bridge.adapters import clients
from bridge.adapters.auth import sandbox_credentials
from bridge.adapters.retry import NO_RETRY
from bridge.adapters.sheets import (
    Metadata,
    SheetsGateway,
    create_metadata_request,
    delete_metadata_request,
    update_metadata_request,
)
from bridge.clock import ManualClock
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID, demo_state
from bridge.sandbox.server import SandboxServer
from bridge.sandbox.state import SandboxState

SHEET_ID = "sheet123"
SEARCH = f"https://sheets.googleapis.com/v4/spreadsheets/{SHEET_ID}/developerMetadata:search"
SS = DEMO_SPREADSHEET_ID


@pytest.fixture
def live() -> Iterator[SheetsGateway]:
    """The gateway against a fresh sandbox (the real protocol, checked against the discovery document)."""
    with SandboxServer(SandboxState.from_json(demo_state()), port=0,
                       clock=ManualClock(datetime(2026, 11, 22, 2, 0, tzinfo=UTC))) as sb:
        gw = SheetsGateway(clients.sheets_client(sandbox_credentials(sb.api_token), sb.url), NO_RETRY)
        yield gw
        gw.client.http_client.session.close()


@responses.activate(registry=responses.registries.OrderedRegistry)
def test_search_is_one_retried_request_with_a_key_lookup(gateway: SheetsGateway, sleeps: list[float]) -> None:
    """A quota hiccup while looking for the bridge's tags would stop the cycle instead of retrying."""
    body = {"dataFilters": [{"developerMetadataLookup": {"metadataKey": "mymein.tab", "metadataLocation": {"sheetId": 9}}}]}
    responses.post(SEARCH, status=429, json={"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}})
    responses.post(SEARCH, match=[matchers.json_params_matcher(body)], json={"matchedDeveloperMetadata": [{
        "developerMetadata": {"metadataId": 5, "metadataKey": "mymein.tab", "metadataValue": "review",
                              "location": {"locationType": "SHEET", "sheetId": 9}, "visibility": "DOCUMENT"},
        "dataFilters": body["dataFilters"]}]})
    assert gateway.search_metadata(SHEET_ID, "mymein.tab", sheet_id=9) == [Metadata(5, "mymein.tab", "review", 9)]
    assert len(responses.calls) == 2 and len(sleeps) == 1


def test_builders_round_trip_through_one_batch_update(live: SheetsGateway) -> None:
    """A tag created, changed and removed alongside other requests would not land as the bridge meant."""
    review = live.batch_update(SS, [{"addSheet": {"properties": {"title": "Review"}}}])[0]["addSheet"]["properties"]["sheetId"]
    replies = live.batch_update(SS, [
        create_metadata_request("mymein.tab", "review", sheet_id=review),
        create_metadata_request("mymein.gen", "1", metadata_id=77),
    ])
    tag = Metadata.from_api(replies[0]["createDeveloperMetadata"]["developerMetadata"])
    assert (tag.key, tag.value, tag.sheet_id) == ("mymein.tab", "review", review)
    assert live.search_metadata(SS, "mymein.gen") == [Metadata(77, "mymein.gen", "1", None)]
    replies = live.batch_update(SS, [update_metadata_request(77, "2")])
    assert [m["metadataValue"] for m in replies[0]["updateDeveloperMetadata"]["developerMetadata"]] == ["2"]
    assert live.get_metadata(SS, 77) == Metadata(77, "mymein.gen", "2", None)
    live.batch_update(SS, [delete_metadata_request(77)])
    assert live.get_metadata(SS, 77) is None
    assert live.search_metadata(SS, "mymein.tab", sheet_id=review) == [tag]


def test_info_carries_the_tags_at_no_extra_request(live: SheetsGateway) -> None:
    """Finding a renamed tab by its tag would cost a request every cycle."""
    review = live.batch_update(SS, [{"addSheet": {"properties": {"title": "Review"}}}])[0]["addSheet"]["properties"]["sheetId"]
    live.batch_update(SS, [create_metadata_request("mymein.tab", "review", sheet_id=review),
                           create_metadata_request("mymein.gen", "3", metadata_id=9),
                           {"updateSheetProperties": {"properties": {"sheetId": review, "title": "Antrian"}, "fields": "title"}}])
    info = live.info(SS)
    assert [t.title for t in info.tabs_tagged("mymein.tab", "review")] == ["Antrian"]
    assert info.tab_by_id(review) is info.tabs["Antrian"]
    assert info.tabs["Antrian"].tag("mymein.tab") == "review"
    assert info.metadata == (Metadata(9, "mymein.gen", "3", None),)
