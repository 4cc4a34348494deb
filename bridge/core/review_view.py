"""The Review tab seen through two columns: which rows the cycle must read in full (pure).

A cycle that reads the sheet (an officer's edit moved the spreadsheet's Drive
version, or the safety net is due) reads Review's ID and Status columns only,
about 30 bytes a row, not the whole row (about 1 KB). Each row is then either

* **settled**: its ID is the ledger's, appears once, its Status is the one the
  ledger last saw, and that status asks nothing of the bridge now. Its other
  cells are taken from the ledger's copy of the row as last read or written
  (``last_row``); or
* **to read**: anything else (a status an officer changed, DISETUJUI or DITARIK
  waiting for the bridge while the spreadsheet changed, an ID the ledger does not
  know or sees twice, an ID cell cleared with a status beside it). Only these rows
  are read in full.

The ledger's copy is a cache, so it is never the only look: every few hours (and
at the daily full scan) the cycle reads the whole tab and puts every copy right
again (a cell edited by hand on a settled row, say a cleared Sidik Jari, is seen
there), and archiving reads each row in full before it copies it to Arsip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge.core.columns import cell_text
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.notices import WAITING, parse_marks

# Statuses that ask the bridge to act this cycle (the status machine's): their rows are always read in
# full, so what is published (or withdrawn) is what the sheet says now, never the cache.
from bridge.core.review_machine import ACTING

_COLUMNS = {c.name: c for c in ReviewColumn}  # the ledger keeps cells under the column's name

#: A row's brief: the cells a reading cycle asks of a settled row (matching it to its submission,
#: deciding that it asks nothing, its age for archiving, the latest published title for the health
#: tab), kept by the ledger beside the row's copy (issue 22). A step that asks a settled row for
#: another cell gets the copy decoded then (:class:`SettledRow`); the columns the cycle writes to a copy before it ends (Status, notes,
#: Notifikasi Terkirim, Diputuskan) are all here, so a copy decoded late reads as it did at the start.
#: Changing this tuple needs a ledger migration that rewrites every brief (see migration 7).
BRIEF_COLUMNS: tuple[ReviewColumn, ...] = (
    ReviewColumn.ID, ReviewColumn.STATUS, ReviewColumn.FINGERPRINT, ReviewColumn.SYSTEM_NOTE, ReviewColumn.POST_URL,
    ReviewColumn.PUBLISHED, ReviewColumn.RECEIVED, ReviewColumn.DECIDED, ReviewColumn.NOTICES, ReviewColumn.LEADER,
    ReviewColumn.DECIDED_BY, ReviewColumn.KIM, ReviewColumn.TITLE,
)
_AT = {c: n for n, c in enumerate(BRIEF_COLUMNS)}  # a column's place in a brief
_ID, _STATUS = ReviewColumn.ID, ReviewColumn.STATUS
_STATUS_AT, _ID_AT, _NOTICES_AT = (BRIEF_COLUMNS.index(c) for c in (ReviewColumn.STATUS, ReviewColumn.ID, ReviewColumn.NOTICES))
_FINGERPRINT_AT, _NOTE_AT = BRIEF_COLUMNS.index(ReviewColumn.FINGERPRINT), BRIEF_COLUMNS.index(ReviewColumn.SYSTEM_NOTE)
#: A brief as the ledger keeps it: the BRIEF_COLUMNS cells in that order, None where the copy has none.
Brief = Sequence[Any]
#: The ledger's copy of a submission's row (column names → text), asked for only when a step needs a
#: cell outside the brief.
CopyLoader = Callable[[str], Mapping[str, Any]]


def brief_of(copy: Mapping[str, Any]) -> list[Any]:
    """A copy's brief (what the ledger stores beside it)."""
    return [copy.get(c.name) for c in BRIEF_COLUMNS]


class SettledRow(ReviewRow):
    """A settled Review row as the view made it: its brief's cells at hand, the rest of the ledger's copy
    decoded only when a step asks for a cell outside the brief (then once, through ``load``).

    The ID and Status cells are the ones the columns showed this cycle; every other cell is the copy's.
    The brief is kept as the ledger's list (no dict per row: a reading cycle makes one per Review row)."""

    def __init__(self, row_number: int, rid: str, raw_status: str, brief: Brief, load: CopyLoader) -> None:
        self.row_number = row_number
        self.cached = True
        self._id = rid
        self._raw_status = raw_status
        self._status = Status.parse(raw_status)  # asked of every row by several steps
        self._brief = brief
        self._load = load
        self._values: dict[ReviewColumn, str] | None = None

    @property
    def values(self) -> dict[ReviewColumn, str]:
        if self._values is None:
            copy = self._load(self._id)
            values = {_COLUMNS[n]: t if t.__class__ is str else str(t) for n, t in copy.items() if n in _COLUMNS}
            for column, text in zip(BRIEF_COLUMNS, self._brief, strict=True):  # as at the start of the cycle,
                if text is None:  # whatever was written to the copy since
                    values.pop(column, None)
                else:
                    values[column] = text if text.__class__ is str else str(text)
            values[ReviewColumn.ID] = self._id
            values[ReviewColumn.STATUS] = self._raw_status
            self._values = values
        return self._values

    @values.setter
    def values(self, values: dict[ReviewColumn, str]) -> None:
        self._values = values

    @property
    def decoded(self) -> bool:
        """Whether a step asked for a cell outside the brief (the copy was decoded)."""
        return self._values is not None

    def get(self, column: ReviewColumn) -> str:
        if self._values is None:
            if column is _ID:
                return self._id
            if column is _STATUS:
                return self._raw_status
            at = _AT.get(column)
            if at is not None:
                text = self._brief[at]
                return text if text.__class__ is str else "" if text is None else str(text)
        return self.values.get(column, "")

    @property
    def id(self) -> str:
        return self._id if self._values is None else self._values.get(ReviewColumn.ID, "").strip()

    def matching_cells(self) -> tuple[str, str, str, str]:
        if self._values is not None:
            return super().matching_cells()
        brief = self._brief
        fp, note = brief[_FINGERPRINT_AT], brief[_NOTE_AT]
        return (self._id, fp if fp.__class__ is str else "" if fp is None else str(fp), self._raw_status,
                note if note.__class__ is str else "" if note is None else str(note))

    @property
    def status(self) -> Status | None:
        return self._status if self._values is None else Status.parse(self._values.get(ReviewColumn.STATUS, ""))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReviewRow):
            return NotImplemented
        return (self.row_number, self.values) == (other.row_number, other.values)

    __hash__ = None  # type: ignore[assignment]


@dataclass
class ViewPlan:
    rows: list[ReviewRow] = field(default_factory=list)  # settled rows, their cells from the ledger's copy
    to_read: list[int] = field(default_factory=list)  # sheet row numbers to read in full, ascending
    #: Submissions with a copy whose ID the column shows nowhere: deleted, or their ID and Status
    #: cleared (the Sidik Jari may still say whose row it is). Only a whole read can tell.
    missing: list[str] = field(default_factory=list)
    ids: dict[int, str] = field(default_factory=dict)  # row number → ID cell as the column showed it


def _waits_for_officer(notices: Any) -> bool:
    """An operator message waits for an officer's cell (DITOLAK without 'Pesan untuk Operator',
    issue 19): while the spreadsheet changes, the row is read in full, so the message is seen."""
    return bool(notices) and any(m.state == WAITING for m in parse_marks(str(notices)).values())


def asks_nothing(raw_status: str, notices: Any, acting: frozenset[Status] = ACTING) -> bool:
    """A row whose status asks nothing of the bridge now (with its ID the ledger's and seen once, it is
    settled): not an ``acting`` status, and no operator message waiting for an officer's cell. The
    reading cycle's rule (:func:`plan_view`) and the whole read's (:mod:`bridge.cycle.review_pages`)."""
    return not acting or (Status.parse(raw_status) not in acting and not _waits_for_officer(notices))


def plan_view(
    ids: Sequence[Sequence[Any]],
    statuses: Sequence[Sequence[Any]],
    cached: Mapping[str, Brief],
    load: CopyLoader,
    first_row: int = 2,
    acting: frozenset[Status] = ACTING,
) -> ViewPlan:
    """Split the Review rows into settled ones and ones to read in full.

    Args:
        ids, statuses: the ID and Status columns from ``first_row`` down, as ``values.batchGet``
            returns them (one list per row; Sheets trims empty trailing rows and cells).
        cached: each submission expected in Review, as the ledger last saw its row: the row's brief
            (:data:`BRIEF_COLUMNS`, see :func:`brief_of`).
        load: the ledger's whole copy of a submission's row, asked only when a step needs a cell
            outside the brief of a settled row (:class:`SettledRow`).
        acting: statuses whose rows are read in full even when settled. The caller passes none
            when the spreadsheet has not changed since the last cycle (its Drive version): then the
            ledger's copy is what the sheet holds, and a row left DISETUJUI or DITARIK (a retry,
            a withdrawal with no post) costs no extra read.
    """
    plan = ViewPlan()
    # Each cell is read once (issue 22: a reading cycle at 10k rows read each ID cell twice and
    # parsed each status once per question asked of it); a settled row is its brief, not its copy.
    col_ids = [cell_text(cell[0]).strip() if cell else "" for cell in ids]
    count = Counter(col_ids)
    plan.missing = sorted(set(cached) - set(count))
    n_ids, n_statuses = len(col_ids), len(statuses)
    status_at, id_at, notices_at = _STATUS_AT, _ID_AT, _NOTICES_AT
    for n in range(max(n_ids, n_statuses)):
        rid = col_ids[n] if n < n_ids else ""
        cell = statuses[n] if n < n_statuses else None
        raw = cell_text(cell[0]) if cell else ""
        row_number = first_row + n
        plan.ids[row_number] = rid
        if not rid and not raw.strip():
            continue  # blank as far as these columns tell (a row with only other cells is seen by the full scan)
        last = cached.get(rid) if rid else None
        if (
            last is None
            or count[rid] > 1
            or str(last[status_at] if last[status_at] is not None else "") != raw
            or str(last[id_at] if last[id_at] is not None else rid).strip() != rid
            or not asks_nothing(raw, last[notices_at], acting)
        ):
            plan.to_read.append(row_number)
            continue
        # the brief's texts, not the column's: the column's are let go with the read (issue 22)
        kept_id, kept_status = last[id_at], last[status_at]
        plan.rows.append(SettledRow(row_number, kept_id if kept_id == rid else rid,
                                    kept_status if kept_status.__class__ is str else raw, last, load))
    return plan


def spans(row_numbers: Sequence[int], gap: int = 3) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) spans; rows up to ``gap`` apart share one span
    (a few extra rows cost less than another range in the request)."""
    out: list[tuple[int, int]] = []
    for n in sorted(row_numbers):
        if out and n - out[-1][1] <= gap + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


__all__ = ["ACTING", "BRIEF_COLUMNS", "SettledRow", "ViewPlan", "asks_nothing", "brief_of", "plan_view", "spans"]
