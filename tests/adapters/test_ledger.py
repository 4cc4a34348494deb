"""The SQLite ledger: migrations, the publish journal, pending rows."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

import bridge.adapters.ledger as ledger_module
from bridge.adapters.ledger import DONE, FAILED, INTENT, MIGRATIONS, REVERTED, Ledger, cannot_open
from bridge.core.review_view import brief_of
from bridge.exceptions import LedgerError, RetriableError


def _add(ledger: Ledger, sid: str, fp: str, key: str = "") -> None:
    ledger.add_submission(
        id=sid, fingerprint=fp, row_number=2, received_at="", kecamatan="Juai", desa="Juai", kim="KIM Juai",
        operator="Siti", email="", title="Judul", content_key=key, status="MENUNGGU", reasons="",
    )


def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    """Restarting the bridge on an existing state file does not break or redo the schema."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as first:
        _add(first, "MM-2026-0001", "fp1")
    with Ledger(path) as again:
        assert again.migrate() == len(MIGRATIONS)
        versions = [r[0] for r in again.db.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert again.known_fingerprints() == {"fp1"}


def test_a_fingerprint_is_looked_up_one_at_a_time(tmp_path: Path) -> None:
    """A response already queued or left out as history would be queued (again) on the next cycle."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _add(ledger, "MM-2026-0001", "queued")
        ledger.add_skipped("history", 3, "history")
        assert ledger.has_fingerprint("queued") and ledger.has_fingerprint("history")
        assert not ledger.has_fingerprint("new")


def test_ids_are_sequential_per_year(tmp_path: Path) -> None:
    """Officers see readable IDs that never repeat: MM-2026-0001, MM-2026-0002, ..."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        assert ledger.next_id(2026) == "MM-2026-0001"
        _add(ledger, "MM-2026-0001", "a")
        _add(ledger, "MM-2026-0002", "b")
        assert ledger.next_id(2026) == "MM-2026-0003"
        assert ledger.next_id(2027) == "MM-2027-0001"


def test_same_fingerprint_is_recorded_once(tmp_path: Path) -> None:
    """A response seen twice (rescan, restart) is stored once."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _add(ledger, "MM-2026-0001", "same")
        _add(ledger, "MM-2026-0002", "same")
        assert ledger.count_submissions() == 1


def test_pending_rows_until_confirmed(tmp_path: Path) -> None:
    """A row whose Review write failed stays pending and is written again next cycle."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _add(ledger, "MM-2026-0001", "a")
        ledger.set_pending_row("MM-2026-0001", '{"ID": "MM-2026-0001"}')
        assert ledger.pending_rows() == [("MM-2026-0001", "a", '{"ID": "MM-2026-0001"}')]
        ledger.mark_in_review(["MM-2026-0001"])
        assert ledger.pending_rows() == []


def test_journal_states(tmp_path: Path) -> None:
    """The publish journal remembers intent, success, failure and withdrawal across restarts."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        ledger.record_intent("MM-2026-0001")
        assert ledger.journal("MM-2026-0001").state == INTENT  # type: ignore[union-attr]
        ledger.record_intent("MM-2026-0001")
        assert ledger.journal("MM-2026-0001").attempts == 2  # type: ignore[union-attr]
        ledger.record_done("MM-2026-0001", "99", "https://b/x.html", "LIVE", "22/11/2026 10:00:00")
        ledger.record_failed("MM-2026-0002", "HTTP 403")
    with Ledger(path) as ledger:
        assert ledger.journal("MM-2026-0001").state == DONE  # type: ignore[union-attr]
        assert ledger.journal("MM-2026-0001").post_id == "99"  # type: ignore[union-attr]
        assert ledger.journal("MM-2026-0002").state == FAILED  # type: ignore[union-attr]
        ledger.record_reverted("MM-2026-0001")
        assert ledger.journal("MM-2026-0001").state == REVERTED  # type: ignore[union-attr]
        assert [e.submission_id for e in ledger.journal_entries(INTENT)] == []


def test_dry_run_copy_leaves_the_file_alone(tmp_path: Path) -> None:
    """`once --dry-run` works on a copy: nothing it does reaches the real state file."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        _add(ledger, "MM-2026-0001", "a")
    before = path.read_bytes()
    with Ledger.scratch_copy(path) as copy:
        _add(copy, "MM-2026-0002", "b")
        assert copy.count_submissions() == 2
    with Ledger(path) as ledger:
        assert ledger.count_submissions() == 1
    assert Ledger.scratch_copy(tmp_path / "none.sqlite3").count_submissions() == 0
    assert not (tmp_path / "none.sqlite3").exists()
    assert before  # the file was there all along


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    """A crash in the middle of recording a batch leaves none of it half-written."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        try:
            with ledger.transaction():
                _add(ledger, "MM-2026-0001", "a")
                raise RuntimeError("crash")
        except RuntimeError:
            pass
        assert ledger.count_submissions() == 0
        assert ledger.is_empty()


def test_a_ledger_it_cannot_write_is_a_plain_problem(tmp_path: Path) -> None:
    """Wrong owner or path: say what to fix when the bridge starts, not a traceback mid-cycle."""
    (tmp_path / "not-a-folder").write_text("")
    with pytest.raises(LedgerError, match=f"the ledger folder {tmp_path / 'not-a-folder'} does not exist and cannot be created"):
        Ledger(tmp_path / "not-a-folder" / "bridge.sqlite3")


def test_ids_are_never_reused_and_stay_above_every_id_seen(tmp_path: Path) -> None:
    """A lost ledger rebuilt from Review, Arsip and the blog never hands out an ID a post already carries."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ledger.note_ids(["MM-2026-0007", "MM-2026-0003", "not-an-id", "MM-2025-0040"])
        assert ledger.next_id(2026) == "MM-2026-0008"
        ledger.note_ids(["MM-2026-0005"])  # lower: changes nothing
        assert ledger.next_id(2026) == "MM-2026-0009"
        assert ledger.next_id(2025) == "MM-2025-0041"


def test_id_allocation_does_not_scan_submissions_per_row(tmp_path: Path) -> None:
    """Queueing many rows stays fast: after the first ID of a year, no query reads the submissions table."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ledger.next_id(2026)
        statements: list[str] = []
        ledger.db.set_trace_callback(statements.append)
        for _ in range(5):
            ledger.next_id(2026)
        ledger.db.set_trace_callback(None)
        assert statements and not any("submissions" in s for s in statements)


def test_a_damaged_ledger_says_move_it_aside_not_chown(tmp_path: Path) -> None:
    """A ledger file that is not a database told IT staff to chown it, which cannot help; moving it aside does."""
    path = tmp_path / "bridge.sqlite3"
    path.write_text("not a database at all, but long enough to have a header " * 4, encoding="utf-8")
    with pytest.raises(LedgerError) as info:
        Ledger(str(path))
    assert str(info.value) == (
        f"the local ledger {path} is damaged or not a bridge ledger (file is not a database). It is only a cache, "
        "which the bridge rebuilds from the Review and Arsip tabs and the blog without publishing anything twice: "
        f"move it aside with sudo mv {path} {path}.damaged, then start the bridge again (sudo systemctl start "
        "mymein-bridge, or run the command again)"
    )


def test_a_damaged_ledger_moves_aside_with_its_wal(tmp_path: Path) -> None:
    """Moving only the file aside left its -wal, which SQLite would replay into the new ledger."""
    path = tmp_path / "bridge.sqlite3"
    path.write_text("not a database at all, but long enough to have a header " * 4, encoding="utf-8")
    Path(f"{path}-wal").write_bytes(b"")
    with pytest.raises(LedgerError, match="move it aside with ") as info:
        Ledger(str(path))
    assert f"sudo mv {path} {path}.damaged && sudo mv {path}-wal {path}.damaged-wal, then start" in str(info.value)


def test_a_dry_run_on_a_damaged_ledger_says_the_same(tmp_path: Path) -> None:
    """`once --dry-run` on a damaged ledger was a traceback."""
    path = tmp_path / "bridge.sqlite3"
    path.write_text("not a database at all, but long enough to have a header " * 4, encoding="utf-8")
    with pytest.raises(LedgerError, match=f"move it aside with sudo mv {path} {path}.damaged,"):
        Ledger.scratch_copy(path)


def test_a_folder_where_the_ledger_should_be(tmp_path: Path) -> None:
    """A folder at state_path was told to chown, which cannot help."""
    (tmp_path / "bridge.sqlite3").mkdir()
    with pytest.raises(LedgerError) as info:
        Ledger(tmp_path / "bridge.sqlite3")
    assert str(info.value).startswith(f"the local ledger {tmp_path / 'bridge.sqlite3'} is a folder, not a file: set "
                                      f"[bridge] state_path to a file, e.g. {tmp_path / 'bridge.sqlite3' / 'bridge.sqlite3'}")


def test_a_ledger_it_cannot_open_names_each_file_to_chown(tmp_path: Path) -> None:
    """The chown hint named /var/lib/mymein-bridge and mymein whatever the path and user, and missed -wal/-shm."""
    import pwd

    path = tmp_path / "bridge.sqlite3"
    with Ledger(path):
        pass
    Path(f"{path}-shm").write_bytes(b"")
    user = pwd.getpwuid(os.geteuid()).pw_name
    error = sqlite3.OperationalError("attempt to write a readonly database")
    error.sqlite_errorcode = sqlite3.SQLITE_READONLY  # type: ignore[attr-defined]
    assert str(cannot_open(str(path), error)) == (
        f"cannot open the local ledger {path} (attempt to write a readonly database): its folder and files must belong "
        f"to the user the bridge runs as ({user}): sudo chown {user}: {tmp_path} {path} {path}-shm, then start the "
        "bridge again (sudo systemctl start mymein-bridge, or run the command again)"
    )


def test_a_busy_ledger_is_temporary_and_a_full_disk_is_not(tmp_path: Path) -> None:
    """A ledger another command kept busy is worth retrying (exit 75); a full disk needs a person (exit 2)."""
    path = tmp_path / "bridge.sqlite3"
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
    assert type(cannot_open(str(path), busy)) is RetriableError
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    assert str(cannot_open(str(path), full)) == (
        f"cannot write the local ledger {path}: the disk is full (database or disk is full). Free space on it "
        f"(df -h {tmp_path}), then start the bridge again (sudo systemctl start mymein-bridge, or run the command again)"
    )


def test_pending_rows_come_a_page_at_a_time(tmp_path: Path) -> None:
    """A backfill's pending rows are appended to Review in pages, none left out, none twice."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        for n in range(1, 6):
            _add(ledger, f"MM-2026-000{n}", f"fp{n}")
        ledger.mark_in_review(["MM-2026-0002"])
        first = ledger.pending_rows(limit=2)
        rest = ledger.pending_rows(after=first[-1][0], limit=2)
        assert [r[0] for r in first + rest] == ["MM-2026-0001", "MM-2026-0003", "MM-2026-0004", "MM-2026-0005"]
        assert ledger.pending_rows(after=rest[-1][0], limit=2) == [] and len(ledger.pending_rows()) == 4


def test_the_latest_submission_of_a_row(tmp_path: Path) -> None:
    """A new response on a row is compared with the one last queued from that row (is it an edit?)."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _add(ledger, "MM-2026-0001", "old")
        _add(ledger, "MM-2026-0002", "newer")  # also row 2 (the tab was sorted, or the row refilled)
        latest = ledger.queued_at(2)
        assert latest is not None and (latest.id, latest.fingerprint) == ("MM-2026-0002", "newer")
        assert latest == ledger.queued_from_form()[-1]
        assert ledger.queued_at(3) is None and ledger.queued_at(0) is None


def test_known_submissions_share_equal_short_texts(tmp_path: Path) -> None:
    """Matching Review rows at 10k+ rows would hold one copy of every village, status and column name per row."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _add(ledger, "MM-2026-0001", "a")
        _add(ledger, "MM-2026-0002", "b")
        ledger.mark_in_review(["MM-2026-0001", "MM-2026-0002"])
        rows = {sid: {"ID": sid, "DESA": "Juai", "BODY": "x" * 300 + sid} for sid in ("MM-2026-0001", "MM-2026-0002")}
        ledger.set_last_rows(rows)
        first, second = ledger.known()
        assert first.last_row == rows["MM-2026-0001"] and second.last_row == rows["MM-2026-0002"]
        assert first.operator is second.operator and first.status is second.status
        assert first.last_row["DESA"] is second.last_row["DESA"]
        assert [k for k in first.last_row][0] is [k for k in second.last_row][0]
        assert first.last_row["ID"] is first.id


def test_known_loads_only_the_rows_asked_for_and_last_rows_of_gives_the_rest(tmp_path: Path) -> None:
    """Right after a backfill every response is in Review: matching an empty-looking tab must not load them all."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _add(ledger, "MM-2026-0001", "a")
        _add(ledger, "MM-2026-0002", "b")
        ledger.mark_in_review(["MM-2026-0001", "MM-2026-0002"])
        rows = {sid: {"ID": sid, "STATUS": "MENUNGGU"} for sid in ("MM-2026-0001", "MM-2026-0002")}
        ledger.set_last_rows(rows)
        first, second = ledger.known(rows_for={"MM-2026-0002"})
        assert first.last_row == {} and second.last_row == rows["MM-2026-0002"]
        assert ledger.last_rows_of(["MM-2026-0001", "MM-2026-0009"]) == {"MM-2026-0001": rows["MM-2026-0001"]}
        assert set(ledger.last_rows()) == {"MM-2026-0001", "MM-2026-0002"}
        ledger.set_status("MM-2026-0001", "ARSIP")
        assert set(ledger.last_rows()) == {"MM-2026-0002"}  # archived: not expected in Review any more


def test_a_reset_ledger_is_empty_with_a_new_id(tmp_path: Path) -> None:
    """A ledger found stale or foreign would keep its wrong IDs and journal, or keep claiming to be the sheet's."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        _add(ledger, "MM-2026-0007", "fp7")
        ledger.set_watermark("Form", 9, "fp7")
        ledger.record_intent("MM-2026-0007")
        first = ledger.ledger_id()
        ledger.set_generation(12)
        assert ledger.ledger_id() == first and ledger.generation() == 12 and ledger.id_tops() == {2026: 7}
        ledger.reset()
        assert ledger.is_empty() and ledger.journal_entries() == [] and ledger.id_tops() == {}
        assert ledger.generation() == 0 and ledger.ledger_id() != first
    with Ledger(path) as again:  # the schema stays, and the new id is kept
        assert again.migrate() == len(MIGRATIONS) and again.ledger_id() == again.ledger_id()


def test_the_briefs_are_the_copies_cells_the_view_asks_for_and_follow_every_copy_written(tmp_path: Path) -> None:
    """A reading cycle would take a settled row's status, link or note from a brief older than its copy."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _add(ledger, "MM-2026-0001", "a")
        _add(ledger, "MM-2026-0002", "b")
        ledger.mark_in_review(["MM-2026-0001", "MM-2026-0002"])
        rows = {"MM-2026-0001": {"ID": "MM-2026-0001", "STATUS": "TERBIT", "POST_URL": "https://x/1", "BODY": "Isi"},
                "MM-2026-0002": {"ID": "MM-2026-0002", "STATUS": "MENUNGGU", "TITLE": "Judul"}}
        ledger.set_last_rows(rows)
        assert ledger.settled_briefs() == {k: brief_of(v) for k, v in rows.items()}
        ledger.set_last_rows({"MM-2026-0002": {**rows["MM-2026-0002"], "STATUS": "DITOLAK"}})
        assert ledger.settled_briefs()["MM-2026-0002"][1] == "DITOLAK"
        ledger.set_status("MM-2026-0001", "ARSIP")
        assert set(ledger.settled_briefs()) == set(ledger.last_rows()) == {"MM-2026-0002"}


def test_a_ledger_from_before_the_briefs_gets_them_from_the_copies_it_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the upgrade every settled row would be read in full (or taken from an empty brief) until rewritten."""
    path = tmp_path / "s.sqlite3"
    copy = {"ID": "MM-2026-0001", "STATUS": "TERBIT", "FINGERPRINT": "a", "TITLE": "Judul", "BODY": "Isi", "PUBLISHED": "01/02/2026"}
    monkeypatch.setattr(ledger_module, "MIGRATIONS", MIGRATIONS[:6])
    with Ledger(path) as old:
        _add(old, "MM-2026-0001", "a")
        old.mark_in_review(["MM-2026-0001"])
        old.db.execute("UPDATE submissions SET last_row = ? WHERE id = ?", (json.dumps(copy), "MM-2026-0001"))
    monkeypatch.setattr(ledger_module, "MIGRATIONS", MIGRATIONS)
    with Ledger(path) as upgraded:
        assert upgraded.settled_briefs() == {"MM-2026-0001": brief_of(copy)}
