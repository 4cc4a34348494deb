"""Review read whole, a page at a time, checked to be one moment of the tab (issue 22).

A whole read of Review used to be one request: one moment of the tab, but the whole tab in one
answer (40 MB of JSON at 50,000 rows, held as bytes, as text and parsed at once). Read in pages,
the answer is bounded, but the pages are no longer one moment: a row an officer deletes, inserts or
sorts between two pages moves the rows below it, so one row can be missed (and the Review watch
would take it for a deleted one, archived as DIHAPUS) or read twice.

So the last page is read in the same request as Review's ID and Sidik Jari columns whole, and the
pages are trusted only when the IDs and Sidik Jari they hold, row by row, are the columns' at that
last moment. Why that is enough: a row present at the last moment sits at some row number there,
and the page that covered that number held the same ID at it, so it was read; a row deleted
between two pages shifts every row below it, so some row number holds another ID in the columns
than in the pages, and so does a sort or an insertion. When the check fails the tab is read whole
in one request instead, as before (logged): nothing is concluded from pages that do not fit.

The last page is open-ended (``A{row}:ZZ``: "Sheet1!A5:A refers to all the cells of the first
column of Sheet 1, from row 5 onward", https://developers.google.com/sheets/api/guides/concepts#expandable-1),
so rows added below the grid size the pages were planned by are in it. Ranges of one
``values.batchGet`` are read together ("Returns one or more ranges of values from a spreadsheet",
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchGet: one request,
one answer). Empty trailing rows and cells are left out of each range's values ("empty trailing rows
and columns will not be included", ValueRange.values,
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values#ValueRange), so both
sides of the check drop their trailing empty rows before they are compared.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from bridge.adapters.sheets import a1_tab, column_letter
from bridge.core import columns
from bridge.core.compact_row import CompactRow, RowLayout
from bridge.core.header_row import explain_header_row
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.review_view import ACTING, BRIEF_COLUMNS, SettledRow, asks_nothing
from bridge.cycle.context import CycleContext
from bridge.cycle.ledger_copies import CopiesOnDemand
from bridge.exceptions import FatalError, SchemaError

log = logging.getLogger("bridge.snapshot")

#: Review rows per request when the tab is read whole (the 6-hourly read, the daily full scan) are
#: ``deps.pages.review_read``: the answer a cycle holds at once stays about this many rows at any tab
#: size. A tab whose grid has no more rows than this (and its header) is read in one request, as one
#: moment, with no check.
LAST_COLUMN = "ZZ"

_ID, _FP = ReviewColumn.ID, ReviewColumn.FINGERPRINT
_COMPARE = 500  # rows compared with the ledger's copies at once (one query, one decode of their copies)
#: Cells whose texts repeat from row to row: one text object per distinct value, not one per row.
_SHARED = frozenset({
    ReviewColumn.KECAMATAN, ReviewColumn.DESA, ReviewColumn.KIM, ReviewColumn.OPERATOR, ReviewColumn.EMAIL,
    ReviewColumn.STATUS, ReviewColumn.LEADER, ReviewColumn.DECIDED_BY, ReviewColumn.SYSTEM_NOTE,
})


def first_range(deps: CycleContext) -> str:
    """The range a cycle's batched read asks for when Review is read whole: the tab, or its first page
    (the header row and ``deps.pages.review_read`` rows) when its grid is larger."""
    s = deps.settings
    tab = a1_tab(s.review_tab)
    info = deps.sheets.info(s.review_spreadsheet_id).tabs.get(s.review_tab)
    if info is None or info.row_count <= deps.pages.review_read + 1:
        return tab
    return f"{tab}!A1:{LAST_COLUMN}{deps.pages.review_read + 1}"


def read_whole(
    deps: CycleContext, first: list[list[Any]] | None = None, first_read: str = ""
) -> tuple[list[str], list[ReviewRow]]:
    """Review's header and rows, read whole: ``first`` is what the range ``first_read`` (one of
    :func:`first_range`) gave; both read here when None. Pages after it are read one request each,
    the last with the check above.

    Raises:
        SchemaError: the header row lacks the ID or Status header.
    """
    s = deps.settings
    if first is None:
        first_read = first_range(deps)
        (first,) = deps.sheets.batch_get(s.review_spreadsheet_id, [first_read])
    header = [str(h) for h in (first[0] if first else [])]
    index, _ = columns.review_header_index(header)
    if _ID not in index or ReviewColumn.STATUS not in index:
        raise SchemaError(explain_header_row(s.review_tab, first))
    make = _Rows(index)
    settle = _Settled(deps, make.layout)
    rows = settle.keep(make.of(first[1:], 2))
    if first_read == a1_tab(s.review_tab):
        return header, settle.finish(rows)  # the tab in one request: one moment
    short = len(first) < deps.pages.review_read + 1
    del first
    paged = _later_pages(deps, index, rows, make, short, settle)
    if paged is None:
        rows.clear()  # the pages' rows go before the whole tab comes
        (whole,) = deps.sheets.batch_get(s.review_spreadsheet_id, [a1_tab(s.review_tab)])
        header = [str(h) for h in (whole[0] if whole else [])]
        index, _ = columns.review_header_index(header)
        if _ID not in index or ReviewColumn.STATUS not in index:
            raise SchemaError(explain_header_row(s.review_tab, whole))
        make = _Rows(index)
        return header, _Settled(deps, make.layout).finish(make.of(whole[1:], 2))
    return header, settle.finish(paged)


class _Rows:
    """Makes a whole read's rows, page after page: compact (:class:`CompactRow`, one layout for all
    of them), each repeating text held once however many rows show it."""

    def __init__(self, index: dict[ReviewColumn, int]) -> None:
        self.layout = RowLayout(tuple(index))
        self.positions = tuple(index.values())
        self.shared_at = frozenset(n for n, c in enumerate(self.layout.columns) if c in _SHARED)
        self.shared: dict[str, str] = {}

    def of(self, values: Iterable[list[Any]], start: int) -> list[ReviewRow]:
        """Review rows from a range's values (sheet row ``start`` first)."""
        text, shared, positions, shared_at = columns.cell_text, self.shared, self.positions, self.shared_at
        out: list[ReviewRow] = []
        for n, cells in enumerate(values, start=start):
            width = len(cells)
            row = [text(cells[i]) if i < width else "" for i in positions]
            for at in shared_at:
                if row[at]:
                    row[at] = shared.setdefault(row[at], row[at])
            out.append(CompactRow(n, self.layout, tuple(row)))
        return out


class _Settled:
    """Keeps a whole read's settled rows as their briefs (issue 22), as the reading cycle does.

    A whole read held every Review row whole for all the cycle's steps (about 1.2 KiB a row: 60 MiB
    at 50,000 rows), though most rows are exactly as the ledger last saw them and ask nothing of the
    bridge. Each page's rows are compared, ``_COMPARE`` at a time, with the ledger's copies of their
    submissions; a row is kept as its brief (:class:`bridge.core.review_view.SettledRow`: the cells a
    step asks of a settled row, the copy decoded only if a step asks another) when

    * its cells are its copy's, every one (an empty cell may be missing from the copy: intake keeps a
      row as it wrote it). A cell edited by hand, say a cleared Sidik Jari, makes the row a full one,
      which the Review watch sees and ``remember_rows`` remembers;
    * its ID cell is a submission's the ledger expects in Review, and no other row of the tab shows it;
    * its status is one the bridge knows, written as the bridge writes it, and asks nothing of it
      (:func:`bridge.core.review_view.asks_nothing`, the reading cycle's rule: DISETUJUI, DITARIK,
      PERLU KOORDINASI and a message waiting for an officer stay full rows).

    Every other row stays full. A brief-backed row needs no ``remember_rows`` write: its copy is right.
    The whole read still puts every differing copy right, since every differing row is a full row.
    """

    def __init__(self, deps: CycleContext, layout: RowLayout) -> None:
        self._submissions = deps.ledger.submissions
        self._names = tuple(c.name for c in layout.columns)  # the ledger keeps cells under the column's name
        self._name_set = frozenset(self._names)
        self._brief_at = tuple(layout.position.get(c) for c in BRIEF_COLUMNS)
        self._id_at, self._status_at = layout.position[_ID], layout.position[ReviewColumn.STATUS]
        self._notices_at = layout.position.get(ReviewColumn.NOTICES)
        self.load = CopiesOnDemand(deps.ledger, ())
        self._seen: set[str] = set()
        self._twice: set[str] = set()  # IDs on more than one row: none of those rows is settled

    def keep(self, rows: list[ReviewRow]) -> list[ReviewRow]:
        """``rows`` (a page, as :class:`_Rows` made them) with each settled row replaced by its brief."""
        seen, twice = self._seen, self._twice
        for start in range(0, len(rows), _COMPARE):
            chunk = rows[start:start + _COMPARE]
            ids = [r.id for r in chunk]
            for rid in ids:
                if rid:
                    (twice if rid in seen else seen).add(rid)
            copies = self._submissions.settled_rows_of(i for i in ids if i and i not in twice)
            for at, (row, rid) in enumerate(zip(chunk, ids, strict=True)):
                copy = copies.get(rid)
                if copy is not None and rid not in twice and isinstance(row, CompactRow):
                    cells = row.texts()
                    brief = self._brief(cells, rid, copy)
                    if brief is not None:
                        self.load.expect(rid)
                        rows[start + at] = SettledRow(row.row_number, rid, cells[self._status_at], brief, self.load)
        return rows

    def _brief(self, cells: tuple[str, ...], rid: str, copy: dict[str, str]) -> tuple[str | None, ...] | None:
        """The row's brief when it is settled (see the class), else None."""
        if cells[self._id_at] != rid:
            return None
        present = 0  # an empty cell may be missing from a copy (intake keeps a row as it wrote it)
        for name, text in zip(self._names, cells, strict=True):
            kept = copy.get(name)
            if kept is None:
                if text:
                    return None
            elif kept != text:
                return None
            else:
                present += 1
        if present != len(copy) and any(text for name, text in copy.items() if name not in self._name_set):
            return None  # the copy holds a cell of a column the tab no longer shows
        raw = cells[self._status_at]
        status = Status.parse(raw)
        notices = cells[self._notices_at] if self._notices_at is not None else None
        if status is None or status.value != raw or not asks_nothing(raw, notices, ACTING):
            return None
        return tuple(None if at is None else cells[at] for at in self._brief_at)

    def finish(self, rows: list[ReviewRow]) -> list[ReviewRow]:
        """``rows`` once the tab is read: a row kept as its brief whose ID a later page showed again
        is a full row after all (its copy decoded: its cells are the copy's)."""
        if self._twice:
            for row in rows:
                if isinstance(row, SettledRow) and row.id in self._twice:
                    row.values = dict(row.values)  # decoded now, and a full row from here on
                    row.cached = False
        self._seen.clear()
        return rows


def _later_pages(
    deps: CycleContext, index: dict[ReviewColumn, int], rows: list[ReviewRow], make: _Rows, short: bool, settle: _Settled,
) -> list[ReviewRow] | None:
    """The rows of the pages after the first appended to ``rows``; None when the pages do not fit
    together (or the grid shrank under them): the caller reads the tab whole in one request.

    Pages follow the grid size as last read; after a page that came back short (its last rows
    empty: the data may end there) the next request is the last, open-ended one, so a large grid
    of empty rows costs one request, not one a page."""
    s = deps.settings
    tab = a1_tab(s.review_tab)
    grid = deps.sheets.info(s.review_spreadsheet_id).tabs[s.review_tab].row_count
    page = deps.pages.review_read
    start = page + 2
    check = [f"{tab}!{column_letter(index[c])}:{column_letter(index[c])}" for c in (_ID, _FP) if c in index]
    try:
        while True:
            last = short or start + page > grid
            rng = f"{tab}!A{start}:{LAST_COLUMN}" + ("" if last else str(start + page - 1))
            # The last request by column: its check columns are then two lists, not 50,000 lists of
            # one cell each (about 6 MiB at 50k rows, at the whole read's peak: issue 22).
            values = deps.sheets.batch_get(s.review_spreadsheet_id, [rng, *check], by_column=True) if last else \
                deps.sheets.batch_get(s.review_spreadsheet_id, [rng])
            rows += settle.keep(make.of(_by_row(values[0]) if last else values[0], start))
            if last:
                break
            short = len(values[0]) < page
            start += page
    except FatalError as exc:
        if "exceeds grid limits" not in str(exc):
            raise
        log.info("Review shrank while it was read in pages: reading it whole in one request")
        deps.sheets.forget(s.review_spreadsheet_id)  # its grid as cached is too large: read it again
        return None
    checked = [c for c in (_ID, _FP) if c in index]
    moved = _first_moved(rows, checked, values[1:])
    del values
    if moved:
        log.info("Review changed while it was read in pages (row %d moved): reading it whole in one request", moved)
        return None
    return rows


def _first_moved(rows: list[ReviewRow], checked: list[ReviewColumn], read: list[list[list[Any]]]) -> int:
    """The first sheet row whose ``checked`` cells differ between the pages (``rows``) and the columns
    read with the last page (``read``, one range each read by column, header row first); 0 when none
    does. One column at a time, as lists of the texts already held (a tuple per row would cost 8 MiB
    at 50k rows)."""
    height = rows[-1].row_number - 1 if rows else 0
    for column, values in zip(checked, read, strict=True):
        in_pages = [""] * height
        for r in rows:
            in_pages[r.row_number - 2] = r.get(column)
        now = [columns.cell_text(v) for v in (values[0][1:] if values else ())]
        _trim(in_pages)
        _trim(now)
        if in_pages != now:
            at = next((i for i, (a, b) in enumerate(zip(in_pages, now, strict=False)) if a != b),
                      min(len(in_pages), len(now)))
            return at + 2
    return 0


def _by_row(by_column: list[list[Any]]) -> Iterator[list[Any]]:
    """A range read by column, a row at a time as a read by row gives it (a cell past the end of its
    column, Google leaving trailing empty cells out, is empty)."""
    height = max((len(c) for c in by_column), default=0)
    for at in range(height):
        yield [c[at] if at < len(c) else "" for c in by_column]


def _trim(cells: list[str]) -> None:
    """Trailing empty cells left out, as Google leaves out trailing empty rows of a range."""
    while cells and not cells[-1]:
        cells.pop()
