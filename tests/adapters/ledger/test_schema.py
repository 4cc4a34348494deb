"""The schema: numbered migrations, recorded once; a ledger of any earlier version opens and keeps its rows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bridge.adapters.ledger import MIGRATIONS, Ledger, schema
from bridge.core.review_view import brief_of
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


def test_a_ledger_from_before_the_briefs_gets_them_from_the_copies_it_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the upgrade every settled row would be read in full (or taken from an empty brief) until rewritten."""
    path = tmp_path / "s.sqlite3"
    copy = {"ID": "MM-2026-0001", "STATUS": "TERBIT", "FINGERPRINT": "a", "TITLE": "Judul", "BODY": "Isi", "PUBLISHED": "01/02/2026"}
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:6])
    with Ledger(path) as old:
        add(old, "MM-2026-0001", "a")
        old.submissions.mark_in_review(["MM-2026-0001"])
        old.db.execute("UPDATE submissions SET last_row = ? WHERE id = ?", (json.dumps(copy), "MM-2026-0001"))
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS)
    with Ledger(path) as upgraded:
        assert upgraded.submissions.settled_briefs() == {"MM-2026-0001": brief_of(copy)}
