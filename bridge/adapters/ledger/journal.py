"""The publish journal: what the bridge is about to do, and did, in Blogger for each submission.

The *intent* is written before Blogger is called, so a crash between "post created" and "TERBIT
written" is reconciled (the post is found by its marker, or by the title, labels and time kept with
the intent) instead of publishing twice. States are the status machine's :class:`JournalState`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from bridge.adapters.ledger.schema import in_chunks, now_text
from bridge.core.review_machine import JournalState, PostState

# Journal states, as the status machine names them (stored as their text)
INTENT = JournalState.INTENT.value  # about to call (or calling) Blogger; outcome unknown after a crash
DONE = JournalState.DONE.value  # the post exists (post_id known)
FAILED = JournalState.FAILED.value  # permanent failure; an officer may retry
REVERTED = JournalState.REVERTED.value  # post taken back to draft after DITARIK


@dataclass(frozen=True)
class JournalEntry:
    submission_id: str
    state: str
    attempts: int
    post_id: str
    post_url: str
    post_status: str
    published_at: str
    error: str
    fingerprint: str = ""
    intent_title: str = ""
    intent_labels: tuple[str, ...] = ()
    intent_at: str = ""
    content_parts: dict[str, str] | None = None  # what was published, part by part (hashes), for updates


def _entry(r: sqlite3.Row) -> JournalEntry:
    try:
        parts = json.loads(r["content_parts"]) if r["content_parts"] else None
    except ValueError:
        parts = None
    return JournalEntry(
        r["submission_id"], r["state"], r["attempts"], r["post_id"], r["post_url"], r["post_status"], r["published_at"],
        r["error"], r["fingerprint"], r["intent_title"],
        tuple(json.loads(r["intent_labels"])) if r["intent_labels"] else (), r["intent_at"], parts,
    )


class PublishJournal:
    """``ledger.journal``: one entry per submission ever sent to Blogger."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def entry(self, submission_id: str) -> JournalEntry | None:
        """What the journal knows of this submission's post (None: never sent to Blogger)."""
        r = self._db.execute("SELECT * FROM publish_journal WHERE submission_id = ?", (submission_id,)).fetchone()
        return _entry(r) if r is not None else None

    def entries_of(self, ids: Iterable[str]) -> dict[str, JournalEntry]:
        """These submissions' entries (those that have one), read 500 at a time: a step asking about
        many rows reads the journal once, not once per row (issue 22)."""
        out: dict[str, JournalEntry] = {}
        for chunk, marks in in_chunks(ids):
            for r in self._db.execute(f"SELECT * FROM publish_journal WHERE submission_id IN ({marks})", chunk):
                out[r["submission_id"]] = _entry(r)
        return out

    def entries(self, state: str | None = None) -> list[JournalEntry]:
        """Every entry (or those in ``state``), by submission ID."""
        query = "SELECT * FROM publish_journal" + (" WHERE state = ?" if state else "") + " ORDER BY submission_id"
        return [_entry(r) for r in self._db.execute(query, (state,) if state else ())]

    def record_intent(
        self, submission_id: str, *, fingerprint: str = "", title: str = "", labels: Iterable[str] = (), at: str = "",
        parts: dict[str, str] | None = None,
    ) -> None:
        """Durably note that Blogger is about to be called for this submission, with what is
        needed to recognise the post even if Blogger drops its markers (title, labels, time), and
        what the post will hold (``parts``): a post found after a crash is then known as sent."""
        self._db.execute(
            "INSERT INTO publish_journal (submission_id, state, attempts, updated_at, fingerprint, intent_title,"
            " intent_labels, intent_at, content_parts) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(submission_id) DO UPDATE SET state = excluded.state, attempts = attempts + 1,"
            " error = '', updated_at = excluded.updated_at, fingerprint = excluded.fingerprint,"
            " intent_title = excluded.intent_title, intent_labels = excluded.intent_labels, intent_at = excluded.intent_at,"
            " content_parts = excluded.content_parts",
            (submission_id, INTENT, now_text(), fingerprint, title, json.dumps(list(labels), ensure_ascii=False), at,
             json.dumps(parts, sort_keys=True) if parts is not None else ""),
        )

    def record_content(self, submission_id: str, parts: dict[str, str]) -> None:
        """What the post now holds (hashes of title, body, photo, labels, schedule)."""
        self._db.execute(
            "UPDATE publish_journal SET content_parts = ? WHERE submission_id = ?",
            (json.dumps(parts, sort_keys=True), submission_id),
        )

    def record_done(self, submission_id: str, post_id: str, post_url: str, post_status: str, published_at: str) -> None:
        """The post exists: its id, link, Blogger status and publication time (the sheet's text)."""
        self._db.execute(
            "INSERT INTO publish_journal (submission_id, state, attempts, post_id, post_url, post_status, published_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT(submission_id) DO UPDATE SET state = excluded.state,"
            " post_id = excluded.post_id, post_url = excluded.post_url, post_status = excluded.post_status,"
            " published_at = excluded.published_at, error = '', updated_at = excluded.updated_at",
            (submission_id, DONE, post_id, post_url, post_status, published_at, now_text()),
        )

    def record_failed(self, submission_id: str, error: str) -> None:
        """Blogger refused for good (an officer may retry); what the post was is kept."""
        self._db.execute(
            "INSERT INTO publish_journal (submission_id, state, attempts, error, updated_at) VALUES (?, ?, 1, ?, ?)"
            " ON CONFLICT(submission_id) DO UPDATE SET state = excluded.state, error = excluded.error,"
            " updated_at = excluded.updated_at",
            (submission_id, FAILED, error, now_text()),
        )

    def note_post_date(self, submission_id: str, published: str) -> None:
        """The date of a published post on Blogger, as the blog watch's listings start from it. Kept in
        ``intent_at``, which a finished publish no longer needs (a new intent overwrites it)."""
        self._db.execute(
            "UPDATE publish_journal SET intent_at = ? WHERE submission_id = ? AND state = ?", (published, submission_id, DONE)
        )

    def forget_post(self, submission_id: str, error: str) -> None:
        """The post was deleted in Blogger: nothing of it is kept, so approving the row again inserts a
        new post instead of updating one that is gone (issue 17)."""
        self._db.execute(
            "UPDATE publish_journal SET state = ?, post_id = '', post_url = '', post_status = '', published_at = '',"
            " content_parts = '', error = ?, updated_at = ? WHERE submission_id = ?",
            (FAILED, error, now_text(), submission_id),
        )

    def record_reverted(self, submission_id: str) -> None:
        """The post was taken back to draft (DITARIK)."""
        self._db.execute(
            "UPDATE publish_journal SET state = ?, post_status = ?, updated_at = ? WHERE submission_id = ?",
            (REVERTED, PostState.DRAFT.value, now_text(), submission_id),
        )


__all__ = ["DONE", "FAILED", "INTENT", "REVERTED", "JournalEntry", "PublishJournal"]
