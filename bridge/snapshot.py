"""The cycle's one batched read: responses header + new rows, the Review tab, the KIM registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bridge.adapters.sheets import SpreadsheetInfo, a1_tab
from bridge.app import Deps
from bridge.core import columns
from bridge.core.model import KimRecord, ReviewColumn, ReviewRow
from bridge.exceptions import FatalError, SchemaError

LAST_COLUMN = "ZZ"
#: Rows per request when the whole responses tab is read (the daily full scan, a first run, a rescan):
#: memory stays bounded by a page at any tab size (issue 13).
FULL_READ_PAGE = 5_000


@dataclass
class Snapshot:
    """What one cycle knows about the sheet, read in as few calls as possible."""

    form: SpreadsheetInfo
    sheet_tz: ZoneInfo
    header: list[str]
    responses_start: int  # sheet row number of responses[0]
    responses: list[list[Any]]
    review_index: dict[ReviewColumn, int]
    review: list[ReviewRow]
    kim: list[KimRecord]
    review_missing: tuple[str, ...] = ()  # Review headers not found (officers renamed or deleted them)
    kim_missing: tuple[str, ...] = ()  # KIM registry headers not found
    warnings: list[str] = field(default_factory=list)
    #: Review rows with content but an empty ID cell (an officer cleared it): the Review watch recognises them.
    review_unidentified: list[ReviewRow] = field(default_factory=list)
    #: 0: ``responses`` is everything from ``responses_start``; N: a full read's first page of N rows
    #: (intake reads the rest page by page, see :func:`bridge.intake.full_read_pages`).
    responses_page: int = 0


def responses_range(tab: str, start_row: int, page: int = 0) -> str:
    return f"{a1_tab(tab)}!A{start_row}:{LAST_COLUMN}{start_row + page - 1 if page else ''}"


def read_snapshot(deps: Deps, start_row: int, *, full: bool = False) -> Snapshot:
    """One ``values.batchGet`` (two if Review lives in another spreadsheet).

    Args:
        start_row: first responses row to read (the watermark row, to verify it; 2 = all).
        full: a read of the whole tab: only its first page here, the rest by intake.

    Raises:
        FatalError: a tab the bridge needs is missing (run ``init``).
    """
    s = deps.settings
    form = deps.sheets.info(s.spreadsheet_id)
    if s.responses_tab not in form.tabs:
        raise FatalError(
            f"responses tab '{s.responses_tab}' not found in spreadsheet '{form.title}' "
            f"(tabs: {', '.join(form.tabs)}); set [sheets] responses_tab"
        )
    same = s.review_spreadsheet_id == s.spreadsheet_id
    review_info = form if same else deps.sheets.info(s.review_spreadsheet_id)
    missing = [t for t in (s.review_tab, s.registry_tab) if t not in review_info.tabs]
    if missing:
        raise FatalError(f"tab(s) {', '.join(missing)} missing in '{review_info.title}': run `mymein-bridge init -c CONFIG`")

    page = FULL_READ_PAGE if full else 0
    form_ranges = [f"{a1_tab(s.responses_tab)}!1:1", responses_range(s.responses_tab, start_row, page)]
    review_ranges = [a1_tab(s.review_tab), a1_tab(s.registry_tab)]
    if same:
        header_v, rows_v, review_v, kim_v = deps.sheets.batch_get(s.spreadsheet_id, form_ranges + review_ranges)
    else:
        header_v, rows_v = deps.sheets.batch_get(s.spreadsheet_id, form_ranges)
        review_v, kim_v = deps.sheets.batch_get(s.review_spreadsheet_id, review_ranges)

    try:
        sheet_tz = ZoneInfo(form.time_zone) if form.time_zone else s.tz
    except (ZoneInfoNotFoundError, ValueError):
        sheet_tz = s.tz

    review_index, review_missing = columns.review_header_index([str(h) for h in (review_v[0] if review_v else [])])
    if ReviewColumn.ID not in review_index or ReviewColumn.STATUS not in review_index:
        raise SchemaError(
            f"Review tab '{s.review_tab}' has no '{ReviewColumn.ID.value}' or '{ReviewColumn.STATUS.value}' column: "
            "run `mymein-bridge init -c CONFIG` to restore the headers"
        )
    review = [columns.row_to_review(row, n, review_index) for n, row in enumerate(review_v[1:], start=2)]
    unidentified = [r for r in review if not r.id and any(str(v).strip() for v in r.values.values())]
    review = [r for r in review if r.id]

    kim_index, kim_missing = columns.kim_header_index([str(h) for h in (kim_v[0] if kim_v else [])])
    kim = [columns.row_to_kim(row, n, kim_index, s.tz) for n, row in enumerate(kim_v[1:], start=2) if any(str(c).strip() for c in row)]

    return Snapshot(
        form=form,
        sheet_tz=sheet_tz,
        header=[str(h) for h in (header_v[0] if header_v else [])],
        responses_start=start_row,
        responses=rows_v,
        review_index=review_index,
        review=review,
        kim=kim,
        review_missing=tuple(review_missing),
        kim_missing=tuple(kim_missing),
        review_unidentified=unidentified,
        responses_page=page,
    )
