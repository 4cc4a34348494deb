"""The local SQLite ledger: every submission's fingerprint, ID and fate, and the publish journal.

The ledger is a cache of what the sheet already says plus the one thing the
sheet cannot hold safely: the *intent* to publish, written before Blogger is
called, so a crash between "post created" and "TERBIT written" is reconciled
instead of publishing twice. Losing the file loses nothing: the Review and
Arsip tabs and the blog's post markers rebuild it (:func:`bridge.cycle.intake.rebuild_ledger`).

The schema evolves with numbered migrations recorded in ``schema_migrations``.
"""

from __future__ import annotations

from bridge.adapters.ledger.blog_posts import BlogPostRecord, BlogPosts
from bridge.adapters.ledger.ids import ID_PATTERN, SubmissionIds
from bridge.adapters.ledger.journal import DONE, FAILED, INTENT, REVERTED, JournalEntry, PublishJournal
from bridge.adapters.ledger.photos import PHOTO_HOSTED, PHOTO_INTENT, PhotoCopy, Photos, PhotoSource
from bridge.adapters.ledger.schema import MIGRATIONS
from bridge.adapters.ledger.state import CycleState, Rebuild
from bridge.adapters.ledger.store import Ledger, cannot_open
from bridge.adapters.ledger.submissions import ARCHIVED, DELETED, LedgerSubmission, Submissions

__all__ = [
    "ARCHIVED", "DELETED", "DONE", "FAILED", "ID_PATTERN", "INTENT", "MIGRATIONS", "PHOTO_HOSTED", "PHOTO_INTENT",
    "REVERTED", "BlogPostRecord", "BlogPosts", "CycleState", "JournalEntry", "Ledger", "LedgerSubmission", "PhotoCopy",
    "PhotoSource", "Photos", "PublishJournal", "Rebuild", "SubmissionIds", "Submissions", "cannot_open",
]
