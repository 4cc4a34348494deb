"""The ledger file: opening, migrations, transactions over every concern, dry-run copies, reset."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.adapters.ledger import INTENT, MIGRATIONS, BlogPostRecord, Ledger, cannot_open
from bridge.exceptions import LedgerError, RetriableError
from tests.adapters.ledger.helpers import add


def test_dry_run_copy_leaves_the_file_alone(tmp_path: Path) -> None:
    """`once --dry-run` works on a copy: nothing it does reaches the real state file."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        add(ledger, "MM-2026-0001", "a")
    before = path.read_bytes()
    with Ledger.scratch_copy(path) as copy:
        add(copy, "MM-2026-0002", "b")
        assert copy.submissions.count() == 2
    with Ledger(path) as ledger:
        assert ledger.submissions.count() == 1
    assert Ledger.scratch_copy(tmp_path / "none.sqlite3").submissions.count() == 0
    assert not (tmp_path / "none.sqlite3").exists()
    assert before  # the file was there all along


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    """A crash in the middle of recording a batch leaves none of it half-written."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        try:
            with ledger.transaction():
                add(ledger, "MM-2026-0001", "a")
                raise RuntimeError("crash")
        except RuntimeError:
            pass
        assert ledger.submissions.count() == 0
        assert ledger.is_empty()


def test_one_transaction_spans_every_concern(tmp_path: Path) -> None:
    """A crash between queueing a row, journaling its publish and noting the cycle's state would leave one without the others."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        try:
            with ledger.transaction():
                add(ledger, "MM-2026-0001", "a")
                ledger.journal.record_intent("MM-2026-0001")
                ledger.blog_posts.add(BlogPostRecord("fp9", "MM-2026-0009", "99", "https://b/x.html", "LIVE", ""))
                ledger.state.quiet_until = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
                ledger.state.set_watermark("Form", 2, "a")
                raise RuntimeError("crash")
        except RuntimeError:
            pass
        assert ledger.is_empty() and ledger.journal.entries() == [] and ledger.blog_posts.all() == {}
        assert ledger.state.quiet_until is None and ledger.ids.tops() == {}
        with ledger.transaction():
            add(ledger, "MM-2026-0001", "a")
            ledger.journal.record_intent("MM-2026-0001")
            ledger.state.quiet_until = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    with Ledger(path) as again:
        assert again.submissions.count() == 1 and [e.state for e in again.journal.entries()] == [INTENT]
        assert again.state.quiet_until == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_a_ledger_it_cannot_write_is_a_plain_problem(tmp_path: Path) -> None:
    """Wrong owner or path: say what to fix when the bridge starts, not a traceback mid-cycle."""
    (tmp_path / "not-a-folder").write_text("")
    with pytest.raises(LedgerError, match=f"the ledger folder {tmp_path / 'not-a-folder'} does not exist and cannot be created"):
        Ledger(tmp_path / "not-a-folder" / "bridge.sqlite3")


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


def test_a_reset_ledger_is_empty_with_a_new_id(tmp_path: Path) -> None:
    """A ledger found stale or foreign would keep its wrong IDs and journal, or keep claiming to be the sheet's."""
    path = tmp_path / "s.sqlite3"
    with Ledger(path) as ledger:
        add(ledger, "MM-2026-0007", "fp7")
        ledger.state.set_watermark("Form", 9, "fp7")
        ledger.journal.record_intent("MM-2026-0007")
        first = ledger.state.own_id()
        ledger.state.generation = 12
        assert ledger.state.own_id() == first and ledger.state.generation == 12 and ledger.ids.tops() == {2026: 7}
        ledger.reset()
        assert ledger.is_empty() and ledger.journal.entries() == [] and ledger.ids.tops() == {}
        assert ledger.state.generation == 0 and ledger.state.ledger_id == "" and ledger.state.own_id() != first
    with Ledger(path) as again:  # the schema stays, and the new id is kept
        assert again.migrate() == len(MIGRATIONS) and again.state.own_id() == again.state.own_id()
