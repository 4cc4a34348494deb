"""Submission IDs: sequential per year, never reused, allocated without scanning."""

from __future__ import annotations

from pathlib import Path

from bridge.adapters.ledger import Ledger
from tests.adapters.ledger.helpers import add


def test_ids_are_sequential_per_year(tmp_path: Path) -> None:
    """Officers see readable IDs that never repeat: MM-2026-0001, MM-2026-0002, ..."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        assert ledger.ids.allocate(2026) == "MM-2026-0001"
        add(ledger, "MM-2026-0001", "a")
        add(ledger, "MM-2026-0002", "b")
        assert ledger.ids.allocate(2026) == "MM-2026-0003"
        assert ledger.ids.allocate(2027) == "MM-2027-0001"


def test_ids_are_never_reused_and_stay_above_every_id_seen(tmp_path: Path) -> None:
    """A lost ledger rebuilt from Review, Arsip and the blog never hands out an ID a post already carries."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ledger.ids.note(["MM-2026-0007", "MM-2026-0003", "not-an-id", "MM-2025-0040"])
        assert ledger.ids.allocate(2026) == "MM-2026-0008"
        ledger.ids.note(["MM-2026-0005"])  # lower: changes nothing
        assert ledger.ids.allocate(2026) == "MM-2026-0009"
        assert ledger.ids.allocate(2025) == "MM-2025-0041"


def test_id_allocation_does_not_scan_submissions_per_row(tmp_path: Path) -> None:
    """Queueing many rows stays fast: after the first ID of a year, no query reads the submissions table."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ledger.ids.allocate(2026)
        statements: list[str] = []
        ledger.db.set_trace_callback(statements.append)
        for _ in range(5):
            ledger.ids.allocate(2026)
        ledger.db.set_trace_callback(None)
        assert statements and not any("submissions" in s for s in statements)
