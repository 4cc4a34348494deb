"""The rows a cycle acts on, indexed once by status and by ID (pure).

Most steps after the Review watch ask only for rows of a few statuses (approved rows to publish,
TERBIT and DITOLAK rows to archive, drafts to look at) or for the rows this cycle wrote to. Each
step filtering every row again was a pass over the whole tab per step, every reading cycle, for
rows that are settled and ask nothing (issue 22). The rows are indexed once, after the watch; a
step given a plain list (the tests, a dry run's callers) filters it the same way, so the answer
never depends on which it got.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable, Sequence
from heapq import merge

from bridge.core.model import ReviewRow, Status


class ReviewRows(list[ReviewRow]):
    """A list of Review rows that answers "the rows of these statuses" without a pass over them all.

    The index is built on the first question and rebuilt if the list's length changed; the rows'
    statuses must not change after it is built (the cycle writes results to the sheet, not to the rows).
    It keeps each status's row positions as an array of machine integers (8 bytes a row: a pair of
    position and row per row was about 4.4 MiB at 50k rows, issue 22)."""

    def __init__(self, rows: Iterable[ReviewRow] = ()) -> None:
        super().__init__(rows)
        self._by_status: dict[Status | None, array[int]] | None = None
        self._by_id: dict[str, list[int]] | None = None
        self._indexed = -1

    def _index(self) -> dict[Status | None, array[int]]:
        if self._by_status is None or self._indexed != len(self):
            by_status: dict[Status | None, array[int]] = {}
            for n, row in enumerate(self):
                status = row.status
                at = by_status.get(status)
                if at is None:
                    at = by_status[status] = array("q")
                at.append(n)
            self._by_status, self._by_id, self._indexed = by_status, None, len(self)
        return self._by_status

    def _ids(self) -> dict[str, list[int]]:
        self._index()
        if self._by_id is None:  # asked only when a step has rows it wrote to (most reading cycles: none)
            self._by_id = {}
            for n, row in enumerate(self):
                self._by_id.setdefault(row.id, []).append(n)
        return self._by_id

    def where(self, statuses: Collection[Status | None], ids: Collection[str] = ()) -> list[ReviewRow]:
        """The rows whose status is one of ``statuses`` or whose ID is one of ``ids``, in list order."""
        by_status = self._index()
        groups: list[Sequence[int]] = [by_status.get(s, ()) for s in dict.fromkeys(statuses)]
        if ids:
            by_id = self._ids()
            groups += [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
        groups = [g for g in groups if g]
        if len(groups) == 1:
            return [self[n] for n in groups[0]]
        seen: set[int] = set()
        out = []
        for n in merge(*groups):
            if n not in seen:
                seen.add(n)
                out.append(self[n])
        return out

    def counts(self) -> dict[Status | None, int]:
        """How many rows have each status."""
        return {s: len(g) for s, g in self._index().items()}


def where(rows: Sequence[ReviewRow], statuses: Collection[Status | None], ids: Collection[str] = ()) -> list[ReviewRow]:
    """The rows of these statuses (or these IDs), in order: from the index when ``rows`` has one."""
    if isinstance(rows, ReviewRows):
        return rows.where(statuses, ids)
    wanted = set(statuses)
    ids = set(ids)
    return [r for r in rows if r.status in wanted or (ids and r.id in ids)]


def status_counts(rows: Sequence[ReviewRow]) -> dict[Status | None, int]:
    """How many rows have each status (as read)."""
    if isinstance(rows, ReviewRows):
        return rows.counts()
    out: dict[Status | None, int] = {}
    for r in rows:
        out[r.status] = out.get(r.status, 0) + 1
    return out


__all__ = ["ReviewRows", "status_counts", "where"]
