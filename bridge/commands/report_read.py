"""What `report` (and `check`) read from the spreadsheet, in pages, keeping only what the tables need.

Sheets requests: one ``values.batchGet`` for Review's and Arsip's header rows and the whole KIM tab,
then one ``values.batchGet`` per :data:`PAGE_ROWS` rows of Review and Arsip (a page may hold the end
of Review and the start of Arsip), each asking
only for the columns the report reads (never Isi, the longest cell of a row). Each page becomes
:class:`~bridge.core.report.Item` s at once and is dropped; an item is kept only when the report's
period needs it. So memory follows the period, not the sheet's history.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.adapters.sheets import a1_tab, column_letter
from bridge.app import Deps
from bridge.core import columns
from bridge.core.model import KimRecord, ReviewColumn, Status, kim_key
from bridge.core.period import Period
from bridge.core.report import APPROVED, Item

#: Rows of Review + Arsip per ``values.batchGet``: about 3 MB of JSON for the report's columns.
PAGE_ROWS = 10_000
#: The Review/Arsip columns the report reads.
NEEDED = (ReviewColumn.ID, ReviewColumn.RECEIVED, ReviewColumn.KECAMATAN, ReviewColumn.KIM, ReviewColumn.TITLE,
          ReviewColumn.PHOTOS, ReviewColumn.SYSTEM_NOTE, ReviewColumn.STATUS, ReviewColumn.OFFICER_NOTE,
          ReviewColumn.POST_URL, ReviewColumn.PUBLISHED, ReviewColumn.DECIDED,
          ReviewColumn.LEADER)  # issue 20: the report's coordination table


@dataclass(frozen=True)
class SheetData:
    """What the report reads from the spreadsheet."""

    items: list[Item]  # Review and Arsip, one per ID (Review first); only those the period needs
    registry: list[KimRecord]
    last_accepted: dict[str, date]  # KIM (kim_key) → day of its latest accepted submission, over all rows
    #: Rows that could not be read, left out of the counts: "<tab> baris <n> (<cause>)", for the report's notes.
    unreadable: tuple[str, ...] = ()


def spans(indexes: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs of column indexes, as (first, last) both included."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(indexes)):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


class _Tab:
    """One of Review/Arsip: its column positions and how many rows it may hold."""

    def __init__(self, title: str, header: list[Any], row_count: int) -> None:
        self.title = title
        self.index, _ = columns.review_header_index([str(h) for h in header])
        self.spans = spans([self.index[c] for c in NEEDED if c in self.index])
        self.width = max((last for _, last in self.spans), default=-1) + 1
        self.rows = max(0, row_count - 1) if self.index else 0  # data rows below the header

    def ranges(self, first: int, count: int) -> list[str]:
        """A1 ranges of the needed columns for data rows ``first``.. (0 = the row under the header)."""
        top, bottom = first + 2, first + 1 + count
        return [f"{a1_tab(self.title)}!{column_letter(a)}{top}:{column_letter(b)}{bottom}" for a, b in self.spans]

    def rows_of(self, parts: list[list[list[Any]]]) -> Iterator[list[Any]]:
        """Whole-width rows (unread columns empty) from the spans' values."""
        height = max((len(p) for p in parts), default=0)
        for r in range(height):
            row: list[Any] = [""] * self.width
            for (a, _), part in zip(self.spans, parts, strict=True):
                if r < len(part):
                    row[a:a + len(part[r])] = part[r]
            yield row


def _item(row: list[Any], index: dict[ReviewColumn, int], deps: Deps) -> Item | None:
    tz = deps.settings.tz

    def cell(column: ReviewColumn) -> Any:
        i = index.get(column)
        return row[i] if i is not None and i < len(row) else ""

    def text(column: ReviewColumn) -> str:
        return columns.cell_text(cell(column)).strip()

    if not any(str(c).strip() for c in row):
        return None
    # Interned: a kecamatan, a KIM or a status is repeated on thousands of rows.
    return Item(
        id=text(ReviewColumn.ID),
        received=columns.parse_datetime_cell(cell(ReviewColumn.RECEIVED), tz),
        kecamatan=sys.intern(text(ReviewColumn.KECAMATAN)),
        kim=sys.intern(text(ReviewColumn.KIM)),
        title=" ".join(text(ReviewColumn.TITLE).split()),
        status=Status.parse(text(ReviewColumn.STATUS)),
        system_note=text(ReviewColumn.SYSTEM_NOTE),
        officer_note=text(ReviewColumn.OFFICER_NOTE),
        has_photo=bool(text(ReviewColumn.PHOTOS)),
        post_url=text(ReviewColumn.POST_URL),
        published=columns.parse_datetime_cell(cell(ReviewColumn.PUBLISHED), tz),
        decided=columns.parse_datetime_cell(cell(ReviewColumn.DECIDED), tz),
        leader=text(ReviewColumn.LEADER),
    )


def unreadable_row(tab: str, n: int, exc: Exception, skipped: list[str] | None) -> None:
    """A row the report cannot read: logged once, named in the report's notes, left out of the counts."""
    from bridge.cycle.isolate import row_failed

    cause, _ = row_failed("the report", f"{tab} row {n}", exc)
    if skipped is not None:
        skipped.append(f"{tab} baris {n} ({cause})")


def registry_records(values: list[list[Any]], deps: Deps, skipped: list[str] | None = None) -> list[KimRecord]:
    """The KIM tab's rows as records (a row that cannot be read is skipped with a log line)."""
    if not values:
        return []
    index, _ = columns.kim_header_index([str(h) for h in values[0]])
    out = []
    for n, row in enumerate(values[1:], start=2):
        try:
            out.append(columns.row_to_kim(row, n, index, deps.settings.tz))
        except Exception as exc:  # noqa: BLE001 - one bad registry row must not stop the report
            unreadable_row(deps.settings.registry_tab, n, exc, skipped)
    return out


def needed(item: Item, period: Period | None) -> bool:
    """The report for ``period`` uses the item: received, published or made a draft in it."""
    if period is None:
        return False
    return any(when is not None and when.date() in period for when in (item.received, item.published))


_Chunk = tuple[_Tab, int, int]  # a tab, its first data row (0 = under the header), how many rows


def _pages(tabs: list[_Tab]) -> list[list[_Chunk]]:
    """The tabs' rows in pages of at most :data:`PAGE_ROWS` rows, in order (Review first); a page may hold
    the end of one tab and the start of the next."""
    chunks = [(tab, start, min(PAGE_ROWS, tab.rows - start)) for tab in tabs for start in range(0, tab.rows, PAGE_ROWS)]
    pages: list[list[_Chunk]] = []
    for chunk in chunks:
        if pages and sum(c for _, _, c in pages[-1]) + chunk[2] <= PAGE_ROWS:
            pages[-1].append(chunk)
        else:
            pages.append([chunk])
    return pages


@dataclass
class _Found:
    """What the pages add up to: the items ``period`` needs, the IDs seen, each KIM's latest accepted day."""

    period: Period | None
    items: list[Item] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    last: dict[str, date] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        """Take one item; an ID seen before (an archive move cut short) counts once, as its first row
        (Review's, as core.report.dedupe has it)."""
        if item.id:
            if item.id in self.seen:
                return
            self.seen.add(item.id)
        if item.status in APPROVED and item.received is not None and item.kim.strip():
            k, d = kim_key(item.kim), item.received.date()
            if k not in self.last or d > self.last[k]:
                self.last[k] = d
        if needed(item, self.period):
            self.items.append(item)


def _read_page(deps: Deps, page: list[_Chunk], found: _Found, skipped: list[str]) -> None:
    """One ``values.batchGet`` for the page's rows; each row becomes an item at once (a bad row is skipped)."""
    ranges = [tab.ranges(start, count) for tab, start, count in page]
    values = deps.sheets.batch_get(deps.settings.review_spreadsheet_id, [r for rs in ranges for r in rs])
    at = 0
    for (tab, start, _), rs in zip(page, ranges, strict=True):
        parts, at = values[at:at + len(rs)], at + len(rs)
        for n, row in enumerate(tab.rows_of(parts), start=start + 2):
            try:
                item = _item(row, tab.index, deps)
            except Exception as exc:  # noqa: BLE001 - one bad row must not stop the report (issue 18)
                unreadable_row(tab.title, n, exc, skipped)
                continue
            if item is not None:
                found.add(item)


def read_sheet(deps: Deps, period: Period | None = None) -> SheetData:
    """Review, Arsip and KIM, page by page (a tab that does not exist is left out); items kept for ``period``."""
    from bridge.cycle.tabs import follow_names
    from bridge.exceptions import FatalError

    info = deps.sheets.info(deps.settings.review_spreadsheet_id, refresh=True)
    follow_names(deps, info)  # a tab officers renamed is found by its identity (issue 17)
    s = deps.settings
    if s.review_tab not in info.tabs:
        raise FatalError(f"tab '{s.review_tab}' not found: run `mymein-bridge init -c CONFIG` first")
    titles = [t for t in (s.review_tab, s.archive_tab) if t in info.tabs]
    has_kim = s.registry_tab in info.tabs
    first = deps.sheets.batch_get(s.review_spreadsheet_id, [f"{a1_tab(t)}!1:1" for t in titles]
                                  + ([a1_tab(s.registry_tab)] if has_kim else []))
    tabs = [_Tab(t, (first[n][0] if first[n] else []), info.tabs[t].row_count) for n, t in enumerate(titles)]
    skipped: list[str] = []
    registry = registry_records(first[len(titles)] if has_kim else [], deps, skipped)
    del first
    found = _Found(period)
    for page in _pages(tabs):
        _read_page(deps, page, found, skipped)  # a page's values are dropped before the next is read
    return SheetData(found.items, registry, found.last, tuple(skipped))


__all__ = ["NEEDED", "PAGE_ROWS", "SheetData", "needed", "read_sheet", "registry_records", "spans", "unreadable_row"]
