"""Whether the ledger can be kept where ``[bridge] state_path`` says, in words IT staff act on.

Asked before every command that opens the ledger (:mod:`bridge.cli`) and by ``check``
(:mod:`bridge.commands.check`), so both say the same thing.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from bridge.service.scheduler import ledger_files_problem


def ledger_folder_problem(state_path: Path) -> str:
    """Why the ledger cannot be kept at ``state_path`` (empty when it can), in words IT staff act on."""
    folder = state_path.parent
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = str(os.getuid())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return (f"the ledger folder {folder} does not exist and cannot be created ({exc.strerror or exc}). Create it for "
                f"the user the bridge runs as: sudo mkdir -p {folder} && sudo chown {user}: {folder} "
                "(or set [bridge] state_path to a folder that user owns)")
    if not folder.is_dir():
        return f"[bridge] state_path {state_path}: {folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK) and _read_only_mount(folder):  # chown cannot help there
        return (f"the ledger folder {folder} is on a read-only file system; under systemd (ProtectSystem=strict) add it "
                "to ReadWritePaths= in the unit, or set [bridge] state_path to /var/lib/mymein-bridge/bridge.sqlite3")
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"the ledger folder {folder} is not writable by user {user}: sudo chown {user}: {folder} "
                "(or set [bridge] state_path to a folder that user owns)")
    return ledger_files_problem(state_path, user)


def _read_only_mount(folder: Path) -> bool:
    """Whether ``folder`` is on a read-only mount (as systemd's ProtectSystem=strict makes most of /)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


__all__ = ["ledger_folder_problem"]
