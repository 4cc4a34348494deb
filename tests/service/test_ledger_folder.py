"""Whether the ledger's folder can be used, said in words IT staff act on (``run``, every command, ``check``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bridge.service.ledger_folder import ledger_folder_problem


def test_a_ledger_folder_on_a_read_only_mount_points_to_read_write_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under systemd's ProtectSystem=strict a ledger outside ReadWritePaths was blamed on ownership (chown cannot help)."""
    real_statvfs = os.statvfs

    class ReadOnly:
        def __init__(self, path: object) -> None:
            self.f_flag = real_statvfs(path).f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "access", lambda path, mode: False)
    monkeypatch.setattr(os, "statvfs", ReadOnly)
    assert ledger_folder_problem(tmp_path / "bridge.sqlite3") == (
        f"the ledger folder {tmp_path} is on a read-only file system; under systemd (ProtectSystem=strict) add it "
        "to ReadWritePaths= in the unit, or set [bridge] state_path to /var/lib/mymein-bridge/bridge.sqlite3"
    )
