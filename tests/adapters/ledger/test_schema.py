"""The schema: numbered migrations, recorded once; a ledger of any earlier version opens and keeps its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bridge.adapters.ledger import MIGRATIONS, Ledger
from tests.adapters.ledger.helpers import add


def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    """Restarting the bridge on an existing state file does not break or redo the schema."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as first:
        add(first, "MM-2026-0001", "fp1")
    with Ledger(path) as again:
        assert again.migrate() == len(MIGRATIONS)
        versions = [r[0] for r in again.db.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert again.submissions.has_fingerprint("fp1") and again.submissions.count() == 1


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
def test_a_ledger_of_an_earlier_version_opens_and_keeps_its_rows(tmp_path: Path, version: int) -> None:
    """Upgrading the bridge on a server whose ledger an older version wrote would fail to start, or lose what it knew."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for number, script in enumerate(MIGRATIONS[:version], start=1):
        for statement in script.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00+00:00')", (number,))
    db.execute("INSERT INTO submissions (id, fingerprint, row_number, status, queued_at) "
               "VALUES ('MM-2026-0004', 'fp4', 5, 'TERBIT', '2026-01-01')")
    db.execute("INSERT INTO publish_journal (submission_id, state, post_id, updated_at) VALUES ('MM-2026-0004', 'done', '99', 'x')")
    db.execute("INSERT INTO meta VALUES ('last_full_scan', '2026-11-22T10:00:00+08:00')")
    db.close()
    with Ledger(path) as ledger:
        assert [r[0] for r in ledger.db.execute("SELECT version FROM schema_migrations ORDER BY version")] == list(
            range(1, len(MIGRATIONS) + 1))
        sub = ledger.submissions.get("MM-2026-0004")
        entry = ledger.journal.entry("MM-2026-0004")
        assert sub is not None and sub.fingerprint == "fp4" and entry is not None and entry.post_id == "99"
        assert ledger.state.last_full_scan is not None and ledger.ids.allocate(2026) == "MM-2026-0005"
        add(ledger, "MM-2026-0005", "fp5")  # and it is written as the current version writes
        assert ledger.submissions.count() == 2
