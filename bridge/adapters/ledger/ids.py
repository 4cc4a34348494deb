"""Submission IDs (``MM-2026-0001``): allocated in O(1) by a counter per year, never below an ID seen
anywhere (Review, Arsip, the blog's markers, the spreadsheet's lease record), so a ledger rebuilt or
restored from an older copy never hands out an ID a row or post already carries (issue 9).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

ID_PATTERN = re.compile(r"^MM-(\d{4})-(\d+)$")


class SubmissionIds:
    """``ledger.ids``."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def allocate(self, year: int) -> str:
        """A new submission ID, above every ID this ledger has given or seen (:meth:`note`).

        O(1) per row: a counter per year. Only its first use in a year (or on a
        ledger from before the counters) looks at the submissions once.
        """
        prefix = f"MM-{year}-"
        row = self._db.execute("SELECT last FROM id_counters WHERE year = ?", (year,)).fetchone()
        if row is None:
            seen = self._db.execute(
                "SELECT MAX(CAST(SUBSTR(id, ?) AS INTEGER)) FROM submissions WHERE id LIKE ?", (len(prefix) + 1, prefix + "%")
            ).fetchone()
            last = int(seen[0] or 0)
        else:
            last = int(row[0])
        self._db.execute(
            "INSERT INTO id_counters VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last", (year, last + 1)
        )
        return f"{prefix}{last + 1:04d}"

    def note(self, ids: Iterable[str]) -> bool:
        """IDs seen in Review, Arsip or the blog's markers: later IDs are allocated above them.

        Returns whether any was above what this ledger had given or seen (a ledger restored from
        an older copy: the sheet holds IDs given after the copy was made)."""
        top: dict[int, int] = {}
        match = ID_PATTERN.match
        for text in set(ids):  # every Review ID, twice a cycle: each distinct one once (issue 22)
            m = match(text.strip() if text.__class__ is str else str(text).strip())
            if m:
                year, n = int(m.group(1)), int(m.group(2))
                if n > top.get(year, 0):
                    top[year] = n
        raised = False
        for year, n in top.items():
            current = self._db.execute("SELECT last FROM id_counters WHERE year = ?", (year,)).fetchone()
            prefix = f"MM-{year}-"
            seen = self._db.execute(
                "SELECT MAX(CAST(SUBSTR(id, ?) AS INTEGER)) FROM submissions WHERE id LIKE ?",
                (len(prefix) + 1, prefix + "%"),
            ).fetchone() if current is None else None
            had = int(current[0]) if current is not None else int(seen[0] or 0) if seen else 0
            if n <= had and current is not None:
                continue
            raised = raised or n > had
            self._db.execute(
                "INSERT INTO id_counters VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = MAX(last, excluded.last)",
                (year, max(n, had)),
            )
        return raised

    def tops(self) -> dict[int, int]:
        """The highest ID number given or seen per year (the counters of :meth:`allocate`)."""
        return {int(r[0]): int(r[1]) for r in self._db.execute("SELECT year, last FROM id_counters")}


__all__ = ["ID_PATTERN", "SubmissionIds"]
