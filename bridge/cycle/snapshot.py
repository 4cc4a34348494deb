"""The cycle's one batched read: responses header + new rows, the Review tab, the KIM registry."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import SpreadsheetInfo, a1_tab, column_letter
from bridge.core import columns, review_view
from bridge.core.header_row import kim_title_rows
from bridge.core.model import KimColumn, KimRecord, ReviewColumn, ReviewRow
from bridge.cycle import review_pages
from bridge.cycle.context import CycleContext
from bridge.cycle.ledger_copies import CopiesOnDemand
from bridge.cycle.tabs import follow_tabs
from bridge.exceptions import FatalError

log = logging.getLogger("bridge.snapshot")

LAST_COLUMN = "ZZ"


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
    #: Review was read whole: once the cycle has remembered the rows, the next whole read is
    #: REVIEW_WHOLE_EVERY away (see :func:`note_whole_read`).
    read_whole: bool = False
    kim_missing: tuple[str, ...] = ()  # KIM registry headers not found
    kim_moved: str = ""  # the KIM headers are below row 1 (a title row above them): what to say
    warnings: list[str] = field(default_factory=list)
    #: Review rows with content but an empty ID cell (an officer cleared it): the Review watch recognises them.
    review_unidentified: list[ReviewRow] = field(default_factory=list)
    #: 0: ``responses`` is everything from ``responses_start``; N: a full read's first page of N rows
    #: (intake reads the rest page by page, see :func:`bridge.cycle.intake.full_read_pages`).
    responses_page: int = 0
    #: A full read's first page packed (:func:`pack_rows`), ``responses`` then empty: see :meth:`first_page`.
    responses_packed: bytes = b""

    def first_page(self) -> list[list[Any]]:
        """The responses read with the snapshot (a full read's first page), let go by the snapshot:
        intake takes them once."""
        if self.responses_packed:
            rows, self.responses_packed = unpack_rows(self.responses_packed), b""
            return rows
        rows, self.responses = self.responses, []
        return rows


def pack_rows(rows: list[list[Any]]) -> bytes:
    """A range's values as one JSON text: a full read's first responses page is held so while Review
    is read whole in pages, which is the daily full scan's peak (5,000 responses of the benchmark: 5.4
    MiB of lists and texts, 3.2 packed; issue 22). Not compressed: the benchmark's answers repeat
    (they would pack 60-fold, officers' texts about 2.5-fold), so a compressed page would flatter the
    measure. The values are JSON's own (text, number, boolean), so they come back equal (a float's
    JSON is its ``repr``, which reads back exactly)."""
    # A cell may hold a lone surrogate (tests/e2e/test_bad_cells.py): kept as UTF-8 does with
    # "surrogatepass", which is how json.loads decodes bytes, so it comes back as it was.
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def unpack_rows(packed: bytes) -> list[list[Any]]:
    """The values :func:`pack_rows` packed."""
    rows: list[list[Any]] = json.loads(packed)
    return rows


def responses_range(tab: str, start_row: int, page: int = 0) -> str:
    return f"{a1_tab(tab)}!A{start_row}:{LAST_COLUMN}{start_row + page - 1 if page else ''}"


def read_snapshot(deps: CycleContext, start_row: int, *, full: bool = False, changed: bool = True) -> Snapshot:
    """One ``values.batchGet`` (two if Review lives in another spreadsheet), and one more for the
    Review rows with work when there are any (see "Review through its ID and Status columns" below).

    Args:
        start_row: first responses row to read (the watermark row, to verify it; 2 = all).
        full: a read of the whole tab: only its first page here, the rest by intake.
        changed: the spreadsheet may have changed since the last cycle (its Drive version moved):
            DISETUJUI/DITARIK rows are read in full even if their status is as last seen.

    Raises:
        FatalError: a tab the bridge needs is missing (run ``init``).
    """
    form, same, tab_problems = _find_tabs(deps)
    s = deps.settings  # as follow_tabs left it: the tabs named as they are now
    page = deps.pages.full_read if full else 0
    layout = None if full or _whole_read_due(deps) else _stored_layout(deps.ledger)
    whole_range = "" if layout else review_pages.first_range(deps)
    (header_v, rows_v), review_v, kim_v = _batch_read(deps, same, start_row, page, layout, whole_range)
    packed = pack_rows(rows_v) if page else b""
    if page:
        rows_v = []  # held packed while Review is read (intake unpacks it: Snapshot.first_page)
    sheet_tz = _sheet_zone(form, s.tz)
    header, rows, rows_whole = _review_read(deps, layout, review_v, changed, whole_range)
    del review_v
    review_index, review_missing = columns.review_header_index(header)
    if rows_whole:
        _note_layout(deps, header)
    kim_index, kim_missing = columns.kim_header_index(_header_of(kim_v))
    identified, unidentified = _by_id_cell(rows)
    return Snapshot(
        form=form,
        sheet_tz=sheet_tz,
        header=_header_of(header_v),
        responses_start=start_row,
        responses=rows_v,
        review_index=review_index,
        review=identified,
        kim=_kim_records(kim_v, kim_index, s.tz),
        review_missing=tuple(review_missing),
        kim_missing=tuple(kim_missing),
        kim_moved=(kim_title_rows(kim_v or []) or "") if kim_missing else "",
        review_unidentified=unidentified,
        responses_page=page,
        responses_packed=packed,
        read_whole=rows_whole,
        warnings=tab_problems,
    )


def _by_id_cell(rows: list[ReviewRow]) -> tuple[list[ReviewRow], list[ReviewRow]]:
    """The rows with an ID, and those with content but an empty ID cell (one pass: a settled row's ID is
    asked once, not once per list)."""
    identified: list[ReviewRow] = []
    unidentified: list[ReviewRow] = []
    for r in rows:
        if r.id:
            identified.append(r)
        elif any(str(v).strip() for v in r.values.values()):
            unidentified.append(r)
    return identified, unidentified


def _find_tabs(deps: CycleContext) -> tuple[SpreadsheetInfo, bool, list[str]]:
    """The form's spreadsheet, whether Review lives in it too, and the problems of following the tabs
    by identity (a renamed tab is followed, issue 17: ``deps.settings`` then names it as it is now).

    Raises:
        FatalError: the responses tab, Review or the KIM tab is missing.
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
    tab_problems = follow_tabs(deps, review_info)
    s = deps.settings
    missing = [t for t in (s.review_tab, s.registry_tab) if t not in review_info.tabs]
    if missing:
        raise FatalError(f"tab(s) {', '.join(missing)} missing in '{review_info.title}': run `mymein-bridge init -c CONFIG`")
    return form, same, tab_problems


def _batch_read(
    deps: CycleContext, same: bool, start_row: int, page: int, layout: list[str] | None, whole_range: str
) -> tuple[list[list[list[Any]]], list[list[list[Any]]], list[list[Any]]]:
    """The cycle's batched read: the responses header and rows; Review (through its ID and Status
    columns when ``layout`` is known, else ``whole_range``: the tab or its first page); the KIM tab.
    One request, two when Review lives in another spreadsheet. Returns (header and rows, Review's
    ranges, KIM)."""
    s = deps.settings
    form_ranges = [f"{a1_tab(s.responses_tab)}!1:1", responses_range(s.responses_tab, start_row, page)]
    review_ranges = _view_ranges(s.review_tab, layout) if layout else [whole_range]
    review_ranges.append(a1_tab(s.registry_tab))
    if same:
        values = deps.sheets.batch_get(s.spreadsheet_id, form_ranges + review_ranges)
        form_v, review_v = values[:2], values[2:]
    else:
        form_v = deps.sheets.batch_get(s.spreadsheet_id, form_ranges)
        review_v = deps.sheets.batch_get(s.review_spreadsheet_id, review_ranges)
    kim_v = review_v.pop()
    return form_v, review_v, kim_v


def _sheet_zone(form: SpreadsheetInfo, default: ZoneInfo) -> ZoneInfo:
    """The form spreadsheet's time zone (its times are in it), or the configured one when it has none we know."""
    try:
        return ZoneInfo(form.time_zone) if form.time_zone else default
    except (ZoneInfoNotFoundError, ValueError):
        return default


def _header_of(values: list[list[Any]]) -> list[str]:
    """A read range's first row as text (empty when the range is)."""
    return [str(h) for h in (values[0] if values else [])]


def _review_read(
    deps: CycleContext, layout: list[str] | None, review_v: list[list[list[Any]]], changed: bool, whole_range: str
) -> tuple[list[str], list[ReviewRow], bool]:
    """Review as the batched read gave it: (header, rows, read whole?). Read through its ID and
    Status columns when ``layout`` is known; whole (here, or when the columns are not enough, in
    more requests: :mod:`bridge.cycle.review_pages`) otherwise.

    Raises:
        SchemaError: the header row lacks the ID or Status header.
    """
    if layout is None:  # handed on, not kept here: the first page is let go once its rows are made
        return (*review_pages.read_whole(deps, review_v.pop(), whole_range), True)
    header_row, ids, statuses = review_v
    header = _header_of(header_row)
    if header == layout:
        # Settled rows are made from their briefs; a copy is decoded only when a step asks (issue 22).
        rows = _through_view(deps, header, ids[1:], statuses[1:], deps.ledger.submissions.settled_briefs(), changed)
        if rows is not None:
            return header, rows, False
    else:
        log.info("Review headers changed since the last cycle: reading the tab whole")
    review_v.clear()  # the columns are let go before the whole read (issue 22)
    return (*review_pages.read_whole(deps), True)


def _note_layout(deps: CycleContext, header: list[str]) -> None:
    """After a whole read: its header row is the layout the next cycles read the ID and Status columns by."""
    if not deps.dry_run:
        with deps.ledger.transaction():
            deps.ledger.state.review_layout = [str(h) for h in header]


def _kim_records(kim_v: list[list[Any]], kim_index: dict[KimColumn, int], tz: ZoneInfo) -> list[KimRecord]:
    """The KIM registry's records (blank rows skipped)."""
    return [columns.row_to_kim(row, n, kim_index, tz) for n, row in enumerate(kim_v[1:], start=2) if any(str(c).strip() for c in row)]


# --- Review through its ID and Status columns (issue 13) -----------------------------------
#
# A cycle reads Review's ID and Status columns, not its rows; rows are read in full only where
# there is work (:mod:`bridge.core.review_view`). The layout those two columns are found by is
# the header row as last read whole, kept in the ledger; the header row is read with the columns,
# and if it changed the tab is read whole again, once. A full read (the daily full scan, a first
# run, a rescan) reads Review whole, and so does the first read REVIEW_WHOLE_EVERY after the last
# whole one: that puts the ledger's copies of the rows right, and finds what the two columns
# cannot show (a Sidik Jari or Tautan Post cleared on a settled row, a row typed without an ID).

REVIEW_WHOLE_EVERY = timedelta(hours=6)
#: Read the tab whole instead when more rows than this share need reading (or too many ranges).
WHOLE_READ_SHARE = 0.25
MAX_SPANS = 40


def note_whole_read(deps: CycleContext, snap: Snapshot) -> None:
    """After the cycle has remembered every row it read whole: the ledger's copies are right as of now.
    (Recorded at the end, so a cycle cut short reads whole again instead of trusting stale copies.)"""
    if snap.read_whole and not deps.dry_run:
        with deps.ledger.transaction():
            deps.ledger.state.review_read_whole = deps.now()


def _whole_read_due(deps: CycleContext) -> bool:
    last = deps.ledger.state.review_read_whole
    return last is None or deps.now() - last >= REVIEW_WHOLE_EVERY


def _stored_layout(ledger: Ledger) -> list[str] | None:
    layout = ledger.state.review_layout
    if layout is None:
        return None
    index, _ = columns.review_header_index(layout)
    return layout if ReviewColumn.ID in index and ReviewColumn.STATUS in index else None


def _view_ranges(tab: str, layout: list[str]) -> list[str]:
    index, _ = columns.review_header_index(layout)
    id_col, status_col = column_letter(index[ReviewColumn.ID]), column_letter(index[ReviewColumn.STATUS])
    return [f"{a1_tab(tab)}!1:1", f"{a1_tab(tab)}!{id_col}:{id_col}", f"{a1_tab(tab)}!{status_col}:{status_col}"]


def _through_view(
    deps: CycleContext, header: list[str], ids: list[list[Any]], statuses: list[list[Any]],
    briefs: dict[str, list[Any]], changed: bool,
) -> list[ReviewRow] | None:
    """Review's rows from the two columns, the ledger's briefs of the rows, and one read of the rows
    with work; None when so many rows need reading that reading the tab whole is cheaper."""
    load = CopiesOnDemand(deps.ledger, list(briefs))
    plan = review_view.plan_view(ids, statuses, briefs, load, acting=review_view.ACTING if changed else frozenset())
    if plan.missing:
        # Never conclude "deleted" from two columns: a row whose ID and Status were cleared is still
        # there, and its Sidik Jari says whose it is. One whole read decides (once per deletion).
        log.info("%d submission(s) not in Review's ID column (%s): reading the tab whole",
                 len(plan.missing), ", ".join(plan.missing[:5]))
        return None
    if not plan.to_read:
        return plan.rows
    total = max(len(ids), len(statuses))
    if len(review_view.spans(plan.to_read)) > MAX_SPANS or len(plan.to_read) > max(20, total * WHOLE_READ_SHARE):
        return None
    index, _ = columns.review_header_index(header)
    fresh = read_review_rows(deps, index, plan.to_read, width=len(header))
    # a row with work that came back empty, or rows holding other IDs, mean the tab moved
    moved = [n for n in plan.to_read if n not in fresh] + [n for n, row in fresh.items() if row.id != plan.ids.get(n, "")]
    if moved:
        # An officer sorted, inserted or deleted rows between the two reads: the row numbers the
        # columns gave are stale, so nothing read through them is trusted. One whole read instead.
        log.info("Review rows moved between the cycle's reads (row %d): reading the tab whole", moved[0])
        return None
    rows = [r for r in plan.rows if r.row_number not in fresh] + list(fresh.values())
    rows.sort(key=lambda r: r.row_number)
    return rows


def read_review_rows(
    deps: CycleContext, index: dict[ReviewColumn, int], row_numbers: Sequence[int], *, width: int = 0, tab: str = ""
) -> dict[int, ReviewRow]:
    """Review rows (or another Review-shaped tab's, ``tab``) read in full, by sheet row number: one
    ``values.batchGet`` of a few spans.

    Rows close together share a span, so a row or two between them is read too (and returned).
    """
    if not row_numbers:
        return {}
    s = deps.settings
    spans = review_view.spans(row_numbers)
    last = column_letter(max(width, max(index.values()) + 1) - 1)
    ranges = [f"{a1_tab(tab or s.review_tab)}!A{a}:{last}{b}" for a, b in spans]
    out: dict[int, ReviewRow] = {}
    for (a, _b), values in zip(spans, deps.sheets.batch_get(s.review_spreadsheet_id, ranges), strict=True):
        for n, row in enumerate(values, start=a):
            out[n] = columns.row_to_review(row, n, index)
    return out
