"""File writes that never follow a planted symbolic link.

The bridge writes into folders other local users may be able to write too (a web server's photo
folder, a shared reports folder). A link planted at the name the bridge is about to write would make
it overwrite whatever the link points at, with the service user's rights. So:

* :func:`write_atomic` writes to a *random* temporary name created exclusively (``O_EXCL`` with
  ``O_NOFOLLOW``: an existing name or link there is an error, never followed), then renames it over the
  final name. A rename replaces a link at the final name; it never writes through it.
* :func:`write_in_place` opens the final name itself with ``O_NOFOLLOW``: a link there is refused
  with a clear :class:`OSError` (``ELOOP``) instead of followed.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _link_error(path: Path) -> OSError:
    return OSError(errno.ELOOP, f"{path} is a symbolic link; the bridge does not write through links (remove it)",
                   str(path))


def write_in_place(path: Path, data: bytes, *, mode: int = 0o666) -> None:
    """Create or truncate ``path`` and write ``data``; refuse if ``path`` is a symbolic link.

    ``mode`` applies (less the umask) when the file is created.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _BINARY, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise _link_error(path) from exc
        raise
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def write_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a random temporary name in the same folder and a rename.

    A reader or a crash never sees half a file; a link at ``path`` is replaced, not followed; the
    temporary name cannot be guessed in advance, so no link can wait for it. ``mode``, if given, is
    set exactly (e.g. 0o644 for a file a web server running as another user must read); otherwise the
    file is created 0o666 less the umask.
    """
    folder = path.parent
    for _ in range(16):
        tmp = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o666 if mode is None else 0o600)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 16 collisions of 64 random bits
        raise FileExistsError(errno.EEXIST, f"no free temporary name in {folder}", str(folder))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


__all__ = ["write_atomic", "write_in_place"]
