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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge.core.columns import cell_text
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.notices import WAITING, parse_marks

# Statuses that ask the bridge to act this cycle (the status machine's): their rows are always read in
# full, so what is published (or withdrawn) is what the sheet says now, never the cache.
from bridge.core.review_machine import ACTING

_COLUMNS = {c.name: c for c in ReviewColumn}  # the ledger keeps cells under the column's name


@dataclass
class ViewPlan:
    rows: list[ReviewRow] = field(default_factory=list)  # settled rows, their cells from the ledger's copy
    to_read: list[int] = field(default_factory=list)  # sheet row numbers to read in full, ascending
    #: Submissions with a copy whose ID the column shows nowhere: deleted, or their ID and Status
    #: cleared (the Sidik Jari may still say whose row it is). Only a whole read can tell.
    missing: list[str] = field(default_factory=list)
    ids: dict[int, str] = field(default_factory=dict)  # row number → ID cell as the column showed it


def _waits_for_officer(last: Mapping[str, str]) -> bool:
    """An operator message waits for an officer's cell (DITOLAK without 'Pesan untuk Operator',
    issue 19): while the spreadsheet changes, the row is read in full, so the message is seen."""
    return any(m.state == WAITING for m in parse_marks(str(last.get(ReviewColumn.NOTICES.name, ""))).values())


def _column(values: Sequence[Sequence[Any]], n: int) -> str:
    cell = values[n] if n < len(values) else []
    return cell_text(cell[0]).strip() if cell else ""


def plan_view(
    ids: Sequence[Sequence[Any]],
    statuses: Sequence[Sequence[Any]],
    cached: Mapping[str, Mapping[str, str]],
    first_row: int = 2,
    acting: frozenset[Status] = ACTING,
) -> ViewPlan:
    """Split the Review rows into settled ones and ones to read in full.

    Args:
        ids, statuses: the ID and Status columns from ``first_row`` down, as ``values.batchGet``
            returns them (one list per row; Sheets trims empty trailing rows and cells).
        cached: each submission expected in Review, as the ledger last saw its row (column names → text).
        acting: statuses whose rows are read in full even when settled. The caller passes none
            when the spreadsheet has not changed since the last cycle (its Drive version): then the
            ledger's copy is what the sheet holds, and a row left DISETUJUI or DITARIK (a retry,
            a withdrawal with no post) costs no extra read.
    """
    plan = ViewPlan()
    # Each cell is read once (issue 22: a reading cycle at 10k rows read each ID cell twice and
    # parsed each status once per question asked of it).
    col_ids = [_column(ids, n) for n in range(len(ids))]
    count = Counter(col_ids)
    plan.missing = sorted(set(cached) - set(count))
    n_ids, n_statuses = len(col_ids), len(statuses)
    status_name, id_name = ReviewColumn.STATUS.name, ReviewColumn.ID.name
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
            or str(last.get(status_name, "")) != raw
            or str(last.get(id_name, rid)).strip() != rid
            or (acting and (Status.parse(raw) in acting or _waits_for_officer(last)))
        ):
            plan.to_read.append(row_number)
            continue
        values = {_COLUMNS[name]: text if text.__class__ is str else str(text) for name, text in last.items() if name in _COLUMNS}
        values[ReviewColumn.ID] = rid
        values[ReviewColumn.STATUS] = raw
        plan.rows.append(ReviewRow(row_number, values, cached=True))
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


__all__ = ["ACTING", "ViewPlan", "plan_view", "spans"]
