"""Posts found on the blog (by the marker in each) for responses whose rows are in neither tab.

A rebuilt ledger learns them from the blog, so such a response is not queued again as new.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class BlogPostRecord:
    """A post found on the blog (by its marker) for a response whose row is in neither tab."""

    fingerprint: str
    submission_id: str
    post_id: str
    post_url: str
    post_status: str
    published: str


class BlogPosts:
    """``ledger.blog_posts``."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def add(self, rec: BlogPostRecord) -> None:
        """Remember a post found on the blog (the first one found for a fingerprint is kept)."""
        self._db.execute(
            "INSERT INTO blog_posts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING",
            (rec.fingerprint, rec.submission_id, rec.post_id, rec.post_url, rec.post_status, rec.published),
        )

    def all(self) -> dict[str, BlogPostRecord]:
        """Every such post, by fingerprint (a rebuild reads them once)."""
        rows = self._db.execute("SELECT * FROM blog_posts")
        return {r[0]: BlogPostRecord(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows}

    def forget(self, fingerprint: str) -> None:
        """Its response was queued again (the row is back): the post is the submission's now."""
        self._db.execute("DELETE FROM blog_posts WHERE fingerprint = ?", (fingerprint,))

    def has(self, fingerprint: str) -> bool:
        """Whether a bridge post on the blog carries this fingerprint in its marker (one look-up)."""
        return self._db.execute("SELECT 1 FROM blog_posts WHERE fingerprint = ?", (fingerprint,)).fetchone() is not None


__all__ = ["BlogPostRecord", "BlogPosts"]
