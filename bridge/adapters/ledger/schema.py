"""The ledger's schema: numbered migrations, applied in order and recorded in ``schema_migrations``.

A migration is never edited once released: a ledger file written by any earlier version opens as-is
and is brought up to date by the ones it lacks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

MIGRATIONS: tuple[str, ...] = (
    # 1: submissions, watermark, header map, publish journal, re-hosted photos
    """
    CREATE TABLE submissions (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        row_number INTEGER,
        received_at TEXT,
        kecamatan TEXT, desa TEXT, kim TEXT, operator TEXT, email TEXT,
        title TEXT, content_key TEXT,
        status TEXT NOT NULL,
        reasons TEXT NOT NULL DEFAULT '',
        in_review INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL DEFAULT 'form',
        review_row TEXT NOT NULL DEFAULT '',
        queued_at TEXT NOT NULL
    );
    CREATE INDEX submissions_content ON submissions(content_key);
    CREATE TABLE skipped (
        fingerprint TEXT PRIMARY KEY,
        row_number INTEGER,
        why TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE watermark (
        tab TEXT PRIMARY KEY,
        row INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE header_maps (
        tab TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE publish_journal (
        submission_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        post_id TEXT NOT NULL DEFAULT '',
        post_url TEXT NOT NULL DEFAULT '',
        post_status TEXT NOT NULL DEFAULT '',
        published_at TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );
    CREATE TABLE photos (
        source_id TEXT PRIMARY KEY,
        hosted_id TEXT NOT NULL,
        url TEXT NOT NULL
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: processed photos (issue 11). A source is a form upload (Drive file id) known by the
    # SHA-256 of its bytes; a copy is one processed, hosted version of a source under one
    # recipe (size, format, quality) in one store. 'intent' is written before the upload and
    # 'hosted' after, so a crash in between is finished by finding the copy, not uploading twice.
    """
    CREATE TABLE photo_sources (
        source_id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        size INTEGER NOT NULL,
        checked_at TEXT NOT NULL
    );
    CREATE TABLE photo_copies (
        copy_key TEXT NOT NULL,
        store TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        state TEXT NOT NULL,
        location TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (copy_key, store)
    );
    """,
    # 3 (issue 9): ID counters (allocation O(1), never below an ID seen anywhere); what the journal needs
    # to find a post without its markers and to update it; the last seen Review row of each submission
    # (so a deleted row is archived as it was); posts found on the blog whose rows are gone.
    """
    CREATE TABLE id_counters (
        year INTEGER PRIMARY KEY,
        last INTEGER NOT NULL
    );
    ALTER TABLE publish_journal ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
    ALTER TABLE publish_journal ADD COLUMN intent_title TEXT NOT NULL DEFAULT '';
    ALTER TABLE publish_journal ADD COLUMN intent_labels TEXT NOT NULL DEFAULT '';
    ALTER TABLE publish_journal ADD COLUMN intent_at TEXT NOT NULL DEFAULT '';
    ALTER TABLE publish_journal ADD COLUMN content_parts TEXT NOT NULL DEFAULT '';
    ALTER TABLE submissions ADD COLUMN last_row TEXT NOT NULL DEFAULT '';
    ALTER TABLE submissions ADD COLUMN deleted_at TEXT NOT NULL DEFAULT '';
    CREATE TABLE blog_posts (
        fingerprint TEXT PRIMARY KEY,
        submission_id TEXT NOT NULL,
        post_id TEXT NOT NULL,
        post_url TEXT NOT NULL,
        post_status TEXT NOT NULL,
        published TEXT NOT NULL
    );
    """,
    # 4 (issue 13): intake looks up one row's latest submission (is a new response an edit?) and the
    # rows still pending for Review without reading every submission, at any ledger size.
    """
    CREATE INDEX submissions_row ON submissions(row_number);
    CREATE INDEX submissions_pending ON submissions(id) WHERE in_review = 0;
    """,
    # 5 (issue 17): fingerprints no longer hash the e-mail and photo links; a response queued under
    # its legacy fingerprint is recognised by it once, and the pair is kept here, so it stays
    # recognised when a form change takes the e-mail or photo column away.
    """
    CREATE TABLE fingerprint_aliases (
        fingerprint TEXT PRIMARY KEY,
        legacy TEXT NOT NULL
    );
    """,
    # 6 (issue 22): every reading cycle lists the submissions in Review (Submissions.known, then Ledger.known); read from the
    # table, each one's whole record (with its row copies) was read for a few short cells: 90 ms of a
    # 400 ms cycle at 10k Review rows. This index holds those cells.
    """
    CREATE INDEX submissions_known ON submissions(id, fingerprint, status, in_review, received_at, operator, email,
        deleted_at, origin) WHERE in_review = 1;
    """,
    # 7 (issue 22): beside each row copy, its brief: the few cells a reading cycle asks of a settled row
    # (bridge.core.review_view.BRIEF_COLUMNS, in that order, as a JSON array), so a cycle decodes a
    # short array per row instead of the whole copy. Filled here from the copies already kept.
    """
    ALTER TABLE submissions ADD COLUMN last_brief TEXT NOT NULL DEFAULT '';
    UPDATE submissions SET last_brief = json_extract(last_row, '$.ID', '$.STATUS', '$.FINGERPRINT', '$.SYSTEM_NOTE',
        '$.POST_URL', '$.PUBLISHED', '$.RECEIVED', '$.DECIDED', '$.NOTICES', '$.LEADER', '$.DECIDED_BY', '$.KIM',
        '$.TITLE')
        WHERE last_row NOT IN ('', '{}') AND json_valid(last_row) AND json_type(last_row) = 'object';
    """,
    # 8 (issue 22): the briefs, and what matching asks of every row (fingerprint, status), read from an
    # index of their own: a reading cycle reads them for every row in Review, and scanning the table read
    # each row's whole copy from disk to reach them.
    """
    CREATE INDEX submissions_briefs ON submissions(deleted_at, id, status, fingerprint, in_review, last_brief)
        WHERE in_review = 1;
    """,
)


def now_text() -> str:
    """The time a row is written (UTC, seconds), as every ``*_at`` column of the ledger holds it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def in_chunks(ids: Iterable[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """``ids`` (each once, in their order) in chunks of ``size``, each with the ``?`` marks of its
    ``IN (...)``: a step asking about many rows reads the ledger a chunk at a time, not a row at a time,
    and no query passes SQLite's limit on parameters (999 before SQLite 3.32)."""
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), size):
        chunk = wanted[start:start + size]
        yield chunk, ",".join("?" * len(chunk))


def migrate(db: sqlite3.Connection) -> int:
    """Apply pending migrations, each in its own transaction; returns the schema version."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {r[0] for r in db.execute("SELECT version FROM schema_migrations")}
    for number, script in enumerate(MIGRATIONS, start=1):
        if number in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (number, now_text()))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return len(MIGRATIONS)


__all__ = ["MIGRATIONS", "migrate", "now_text"]
