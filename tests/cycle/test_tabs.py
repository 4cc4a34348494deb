"""Finding the bridge's tabs by their tags before their names (issue 17), from plain tab lists."""

from __future__ import annotations

from bridge.adapters.sheets import Metadata, SpreadsheetInfo, TabInfo
from bridge.cycle.tabs import ARSIP, KIM, REVIEW, TAB_KEY, find_tabs, new_tab_requests, tag_requests


class _Names:
    review_tab = "Review"
    archive_tab = "Arsip"
    registry_tab = "KIM"


SETTINGS = _Names()


def _tab(title: str, sheet_id: int, role: str | None = None) -> TabInfo:
    meta = (Metadata(sheet_id * 10, TAB_KEY, role, sheet_id),) if role else ()
    return TabInfo(title, sheet_id, 1000, 26, metadata=meta)


def _info(*tabs: TabInfo) -> SpreadsheetInfo:
    return SpreadsheetInfo("ss", "Book", "in_ID", "Asia/Makassar", {t.title: t for t in tabs})


def test_a_tagged_tab_is_found_under_any_name_and_untagged_ones_by_name() -> None:
    """A renamed Review would be taken as missing, and init would make a second one."""
    found = find_tabs(SETTINGS, _info(_tab("Antrian", 5, REVIEW), _tab("Arsip", 6), _tab("Review lama", 7)))  # type: ignore[arg-type]
    assert (found[REVIEW].title, found[REVIEW].tagged, found[REVIEW].renamed) == ("Antrian", True, True)
    assert (found[ARSIP].title, found[ARSIP].tagged) == ("Arsip", False)
    assert found[KIM].tab is None
    assert tag_requests(found) == [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": TAB_KEY, "metadataValue": ARSIP, "location": {"sheetId": 6}, "visibility": "DOCUMENT"}}}]


def test_a_tagged_tab_wins_over_an_untagged_one_with_the_configured_name() -> None:
    """A hand-made empty "Review" beside the renamed tagged one would take over and its rows look deleted."""
    found = find_tabs(SETTINGS, _info(_tab("Review", 1), _tab("Antrian", 5, REVIEW)))  # type: ignore[arg-type]
    assert found[REVIEW].title == "Antrian"


def test_of_two_tagged_copies_the_one_under_the_configured_name_is_used() -> None:
    """A copied tab carrying the tag too would silently become the Review tab."""
    found = find_tabs(SETTINGS, _info(_tab("Salinan Review", 9, REVIEW), _tab("Review", 5, REVIEW)))  # type: ignore[arg-type]
    assert (found[REVIEW].title, found[REVIEW].others) == ("Review", ("Salinan Review",))


def test_new_tabs_are_tagged_in_the_same_batch_with_an_unused_sheet_id() -> None:
    """A tab made by init without its tag would be lost to the bridge after a rename."""
    reqs = new_tab_requests(_info(_tab("Form", 0), _tab("Review", 1, REVIEW)), {ARSIP: "Arsip"}, {ARSIP: 30})
    assert reqs[0]["addSheet"]["properties"]["sheetId"] == 2
    assert reqs[0]["addSheet"]["properties"]["gridProperties"]["columnCount"] == 30
    assert reqs[1]["createDeveloperMetadata"]["developerMetadata"]["location"] == {"sheetId": 2}
