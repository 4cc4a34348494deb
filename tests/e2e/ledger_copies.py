"""Ledger copies as IT staff make them: a backup taken with SQLite's backup API (WAL included), and a
restore that puts it back in place of the live file (its -wal and -shm gone with it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def backup_ledger(path: Path, to: Path) -> None:
    """A backup of the ledger as `sqlite3 .backup` makes it."""
    src, dst = sqlite3.connect(path), sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def restore_ledger(backup: Path, path: Path) -> None:
    """The backup put back in place of the ledger, as a restore from last week's copy does."""
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    backup_ledger(backup, path)
