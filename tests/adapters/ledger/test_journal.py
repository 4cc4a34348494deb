"""The publish journal: intent before Blogger is called, then done, failed, withdrawn, or the post forgotten."""

from __future__ import annotations

from pathlib import Path

from bridge.adapters.ledger import DONE, FAILED, INTENT, REVERTED, Ledger


def test_journal_states(tmp_path: Path) -> None:
    """The publish journal remembers intent, success, failure and withdrawal across restarts."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        ledger.journal.record_intent("MM-2026-0001")
        assert ledger.journal.entry("MM-2026-0001").state == INTENT  # type: ignore[union-attr]
        ledger.journal.record_intent("MM-2026-0001")
        assert ledger.journal.entry("MM-2026-0001").attempts == 2  # type: ignore[union-attr]
        ledger.journal.record_done("MM-2026-0001", "99", "https://b/x.html", "LIVE", "22/11/2026 10:00:00")
        ledger.journal.record_failed("MM-2026-0002", "HTTP 403")
    with Ledger(path) as ledger:
        assert ledger.journal.entry("MM-2026-0001").state == DONE  # type: ignore[union-attr]
        assert ledger.journal.entry("MM-2026-0001").post_id == "99"  # type: ignore[union-attr]
        assert ledger.journal.entry("MM-2026-0002").state == FAILED  # type: ignore[union-attr]
        ledger.journal.record_reverted("MM-2026-0001")
        assert ledger.journal.entry("MM-2026-0001").state == REVERTED  # type: ignore[union-attr]
        assert [e.submission_id for e in ledger.journal.entries(INTENT)] == []


def test_an_intent_keeps_what_finds_the_post_after_a_crash(tmp_path: Path) -> None:
    """After a crash mid-publish, a post whose markers Blogger dropped would be published a second time."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ledger.journal.record_intent("MM-2026-0001", fingerprint="fp1", title="Judul", labels=["KIM Juai", "Juai"],
                                     at="2026-11-22T10:00:00+08:00", parts={"title": "h1", "body": "h2"})
        entry = ledger.journal.entry("MM-2026-0001")
        assert entry is not None and (entry.state, entry.fingerprint, entry.intent_title) == (INTENT, "fp1", "Judul")
        assert entry.intent_labels == ("KIM Juai", "Juai") and entry.content_parts == {"title": "h1", "body": "h2"}
        assert [e.submission_id for e in ledger.journal.entries(INTENT)] == ["MM-2026-0001"]
        assert ledger.journal.entry("MM-2026-0002") is None


def test_a_post_deleted_in_blogger_is_forgotten(tmp_path: Path) -> None:
    """Approving the row again would try to update a post that is gone instead of inserting a new one."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ledger.journal.record_intent("MM-2026-0001", parts={"title": "h1"})
        ledger.journal.record_done("MM-2026-0001", "99", "https://b/x.html", "LIVE", "22/11/2026 10:00:00")
        ledger.journal.note_post_date("MM-2026-0001", "2026-11-22T02:00:00Z")
        ledger.journal.record_content("MM-2026-0001", {"title": "h9"})
        entry = ledger.journal.entry("MM-2026-0001")
        assert entry is not None and entry.intent_at == "2026-11-22T02:00:00Z" and entry.content_parts == {"title": "h9"}
        ledger.journal.forget_post("MM-2026-0001", "post deleted in Blogger")
        entry = ledger.journal.entry("MM-2026-0001")
        assert entry is not None and (entry.state, entry.post_id, entry.post_url, entry.content_parts) == (FAILED, "", "", None)
        assert entry.error == "post deleted in Blogger" and ledger.journal.entries(DONE) == []
