"""Where a tab's header row is, and what to tell people when it is not on row 1 (issue 17).

The bridge reads the Review and Arsip headers from row 1: row numbers, appends, archiving and the
ID/Status column reads all count from there. An officer who inserts a title row (or blank rows)
above the headers moves them down; the bridge then finds them where they are and says exactly
what it found and what to do, instead of the old "run init" (which wrote a second set of headers
beside the title and made every waiting row look deleted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.core import columns
from bridge.core.model import KimColumn, ReviewColumn

#: How far down a moved header row is looked for.
LOOK_ROWS = 10


def review_header_row(rows: Sequence[Sequence[Any]], look: int = LOOK_ROWS) -> int | None:
    """The 0-based index of the first of the first ``look`` rows holding Review's ID and Status headers."""
    for i, row in enumerate(rows[:look]):
        index, _ = columns.review_header_index([str(h) for h in row])
        if ReviewColumn.ID in index and ReviewColumn.STATUS in index:
            return i
    return None


def _shown(row: Sequence[Any]) -> str:
    cells = [str(c).strip() for c in row if str(c).strip()]
    if not cells:
        return "nothing (a blank row)"
    text = ", ".join(f"'{c[:40]}'" for c in cells[:3])
    return text + (f" and {len(cells) - 3} more" if len(cells) > 3 else "")


def explain_header_row(tab: str, rows: Sequence[Sequence[Any]], kind: str = "Review") -> str:
    """Why the Review (or Arsip) tab ``tab`` (its cells ``rows``) cannot be read, in plain words, with what to do."""
    need = f"'{ReviewColumn.ID.value}' and '{ReviewColumn.STATUS.value}'"
    if not any(any(str(c).strip() for c in r) for r in rows):
        return (f"{kind} tab '{tab}' is empty: its header row is gone. Run `mymein-bridge init -c CONFIG` to write "
                "the headers again.")
    at = review_header_row(rows)
    if at is not None and at > 0:
        above = "row 1" if at == 1 else f"rows 1-{at}"
        return (
            f"{kind} tab '{tab}': the headers ({need} among them) are on row {at + 1}, not row 1; row 1 holds "
            f"{_shown(rows[0])}. The bridge reads its headers from row 1 only. Delete {above} above the headers "
            "(put a title in the tab's name or a note instead) and the next cycle goes on as before. Do not run init "
            "for this: the rows are all there and nothing was done to them."
        )
    return (
        f"{kind} tab '{tab}' has no {need} columns in row 1 (it holds {_shown(rows[0]) if rows else 'nothing'}) nor in "
        f"rows 2-{LOOK_ROWS}. Put the header row back (Edit > Undo, or File > Version history in Google Sheets); "
        "until then the bridge leaves the tab alone and records nothing as deleted."
    )


def kim_title_rows(rows: Sequence[Sequence[Any]], look: int = LOOK_ROWS) -> str | None:
    """When the KIM tab's headers ('Nama KIM' among them) sit below row 1 (a title row inserted above
    them), what to tell people; ``None`` when row 1 holds them or they are nowhere near the top."""
    for i, row in enumerate(rows[:look]):
        index, _ = columns.kim_header_index([str(h) for h in row])
        if KimColumn.NAME in index:
            if i == 0:
                return None
            above = "row 1" if i == 1 else f"rows 1-{i}"
            return (f"the headers ('{KimColumn.NAME.value}' among them) are on row {i + 1}, not row 1; row 1 holds "
                    f"{_shown(rows[0])}. The bridge reads the KIM headers from row 1 only, so no KIM could be looked "
                    f"up. Delete {above} above the headers (put a title in the tab's name or a note instead); do not "
                    "run init for this")
    return None
