"""Form photos: what each upload's bytes showed (sources), and the processed copies hosted from them.

A source is a form upload (Drive file id) known by the SHA-256 of its bytes; a copy is one
processed, hosted version of a source under one recipe (size, format, quality) in one store.
``intent`` is written before the upload and ``hosted`` after, so a crash in between is finished
by finding the copy, not by uploading twice (issue 11).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bridge.adapters.ledger.schema import now_text

#: Photo copy states (migration 2)
PHOTO_INTENT = "intent"  # about to upload; after a crash the store is searched for the copy first
PHOTO_HOSTED = "hosted"


@dataclass(frozen=True)
class PhotoSource:
    """A form upload as its bytes showed it: content hash, real type, pixel size, bytes."""

    source_id: str
    sha256: str
    kind: str
    width: int
    height: int
    size: int


@dataclass(frozen=True)
class PhotoCopy:
    """A processed copy of a source in one store."""

    copy_key: str
    store: str
    sha256: str
    state: str
    location: str = ""
    url: str = ""
    width: int = 0
    height: int = 0
    size: int = 0


def _copy(r: sqlite3.Row) -> PhotoCopy:
    return PhotoCopy(r["copy_key"], r["store"], r["sha256"], r["state"], r["location"], r["url"], r["width"], r["height"],
                     r["size"])


class Photos:
    """``ledger.photos``: photo sources and their hosted copies."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def source(self, source_id: str) -> PhotoSource | None:
        """What intake or publishing learnt from a form upload's bytes (None: never read)."""
        r = self._db.execute("SELECT * FROM photo_sources WHERE source_id = ?", (source_id,)).fetchone()
        if r is None:
            return None
        return PhotoSource(r["source_id"], r["sha256"], r["kind"], r["width"], r["height"], r["size"])

    def record_source(self, source: PhotoSource) -> None:
        """Remember what a form upload's bytes showed (checked again only if it changes)."""
        self._db.execute(
            "INSERT INTO photo_sources VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_id) DO UPDATE SET "
            "sha256 = excluded.sha256, kind = excluded.kind, width = excluded.width, height = excluded.height, "
            "size = excluded.size, checked_at = excluded.checked_at",
            (source.source_id, source.sha256, source.kind, source.width, source.height, source.size, now_text()),
        )

    def copy(self, copy_key: str, store: str) -> PhotoCopy | None:
        """The copy made under this key in this store (None: never started)."""
        r = self._db.execute("SELECT * FROM photo_copies WHERE copy_key = ? AND store = ?", (copy_key, store)).fetchone()
        if r is None:
            return None
        return _copy(r)

    def record_copy(self, copy: PhotoCopy) -> None:
        """Write the copy's state: 'intent' before uploading, 'hosted' once the store has it."""
        self._db.execute(
            "INSERT INTO photo_copies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(copy_key, store) DO UPDATE SET "
            "sha256 = excluded.sha256, state = excluded.state, location = excluded.location, url = excluded.url, "
            "width = excluded.width, height = excluded.height, size = excluded.size, updated_at = excluded.updated_at",
            (copy.copy_key, copy.store, copy.sha256, copy.state, copy.location, copy.url, copy.width, copy.height, copy.size, now_text()),
        )

    def copies(self, state: str = PHOTO_HOSTED, limit: int = 1000) -> list[PhotoCopy]:
        """Copies in ``state``, newest first (``check`` fetches one of them)."""
        rows = self._db.execute(
            "SELECT * FROM photo_copies WHERE state = ? ORDER BY updated_at DESC LIMIT ?", (state, limit)
        ).fetchall()
        return [_copy(r) for r in rows]


__all__ = ["PHOTO_HOSTED", "PHOTO_INTENT", "PhotoCopy", "PhotoSource", "Photos"]
