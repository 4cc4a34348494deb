"""Issue 17: the Review, Arsip and KIM tabs are found by identity, and a layout change is never read as deletions."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.core.model import ReviewColumn
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge

ID = ReviewColumn.ID.value


def _more_responses(b: Bridge, n: int) -> None:
    """``n`` more form responses, copies of the first with their own time and title."""
    rows = b.responses()
    for i in range(n):
        row = list(rows[1])
        row[0] = {"datetime": f"2026-11-22T11:{i:02d}:00"}
        row[5] = f"Kegiatan tambahan nomor {i + 1}"
        rows.append(row)
    b.set_responses(rows)


def _tab(b: Bridge, tab: str) -> list[dict[str, Any]]:
    rows = b.rows(tab)
    if not rows:
        return []
    header = [str(h) for h in rows[0]]
    return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(header)} for r in rows[1:] if any(str(c).strip() for c in r)]


def _set(b: Bridge, tab: str, rows: list[list[Any]]) -> None:
    b.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, tab, rows)


# --- 3. a layout change is never read as deletions ---------------------------------------------------


def test_many_rows_vanishing_at_once_are_not_recorded_as_deleted(bridge: Bridge, caplog: pytest.LogCaptureFixture) -> None:
    """Every waiting row cut from Review at once (a layout change, not officers' deletions) would be
    retired to Arsip as "deleted by an officer" and never published; instead nothing is recorded, the
    cycle says why, and once the rows are back it goes on as usual."""
    _more_responses(bridge, 12)
    bridge.cycle()
    rows = bridge.rows("Review")
    waiting = len(_tab(bridge, "Review"))
    assert waiting > 12
    _set(bridge, "Review", [rows[0]])
    with caplog.at_level("WARNING"):
        report = bridge.cycle()
    assert report.deleted == 0
    assert _tab(bridge, "Arsip") == []
    assert any(f"{waiting} of {waiting} rows with IDs vanished from the Review tab 'Review'" in p for p in report.problems)
    assert any("none of them is recorded as deleted" in r.getMessage() for r in caplog.records)
    _set(bridge, "Review", rows)  # Undo
    again = bridge.cycle()
    assert again.deleted == 0 and again.problems == [] and again.intake.queued == 0
    assert len(_tab(bridge, "Review")) == waiting
    gone = {r[ID] for r in _tab(bridge, "Review")[:2]}
    _set(bridge, "Review", [rows[0]] + [r for r in rows[1:] if r[0] not in gone])
    assert bridge.cycle().deleted == 2, "a few rows deleted by officers are still recorded"
    assert {r[ID] for r in _tab(bridge, "Arsip")} == gone
