"""`check`'s secret-file lines: who else on the server can read the token or the client, or plant files.

A refresh token is as good as the blog author's password for the blog and the spreadsheet, and the
OAuth client or service-account key lets anyone mint more. A file any other user can read, or a
folder any other user can write (and so swap a file in), is a FAIL, not a note.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.config import Settings


def _secret_files(settings: Settings) -> list[tuple[str, Path]]:
    files = [("token", settings.token), ("OAuth client file ([google] client_secret)", settings.client_secret)]
    if settings.service_account is not None:
        files.append(("service-account key ([google] service_account)", settings.service_account))
    return files


def secret_file_problems(settings: Settings) -> list[str]:
    """One sentence per secret file readable by group or others, and per its folder others can write."""
    if settings.uses_sandbox:
        return []
    problems: list[str] = []
    folders: dict[Path, None] = {}
    for label, path in _secret_files(settings):
        try:
            mode = path.stat().st_mode
        except OSError:  # missing: the credential lines say so
            continue
        folders[path.parent] = None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            problems.append(f"{label} {path} can be read by other users of this server (permissions "
                            f"{stat.S_IMODE(mode):03o}); run: chmod 600 {path}")
    for folder in folders:
        try:
            mode = folder.stat().st_mode
        except OSError:
            continue
        if mode & stat.S_IWOTH:
            problems.append(f"the folder {folder} of the token and client files can be written by any user of this "
                            f"server (permissions {stat.S_IMODE(mode):03o}), who could swap them; run: chmod 700 {folder}")
    return problems


__all__ = ["secret_file_problems"]
