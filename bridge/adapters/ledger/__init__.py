"""The local SQLite ledger: every submission's fingerprint, ID and fate, and the publish journal.

The ledger is a cache of what the sheet already says plus the one thing the
sheet cannot hold safely: the *intent* to publish, written before Blogger is
called, so a crash between "post created" and "TERBIT written" is reconciled
instead of publishing twice. Losing the file loses nothing: the Review and
Arsip tabs and the blog's post markers rebuild it (:func:`bridge.cycle.intake.rebuild_ledger`).

One connection, one ``transaction()``, and a concern object per job (``from bridge.adapters.ledger
import Ledger``; callers say ``ledger.journal.record_done(...)``, ``ledger.state.last_full_scan``):

- ``store``: :class:`Ledger`: opening (and why it did not open), migrations, transactions, the dry-run
  copy, reset;
- ``schema``: the numbered migrations, recorded in ``schema_migrations`` (never edited once released);
- ``state``: ``ledger.state``: every value kept between cycles as a typed attribute (the only module
  that knows the ``meta`` keys), intake's watermark and header map per tab;
- ``submissions``: ``ledger.submissions``: queued and skipped responses, fingerprints, pending Review
  rows, statuses, the copies of Review rows (decoded in bulk by ``rows``);
- ``ids``: ``ledger.ids``: submission IDs;
- ``journal``: ``ledger.journal``: the publish journal;
- ``blog_posts``: ``ledger.blog_posts``: posts found on the blog whose rows are in neither tab;
- ``photos``: ``ledger.photos``: photo sources and their hosted copies.
"""

from __future__ import annotations

from bridge.adapters.ledger.blog_posts import BlogPostRecord, BlogPosts
from bridge.adapters.ledger.ids import SubmissionIds
from bridge.adapters.ledger.journal import DONE, FAILED, INTENT, REVERTED, JournalEntry, PublishJournal
from bridge.adapters.ledger.photos import PHOTO_HOSTED, PHOTO_INTENT, PhotoCopy, Photos, PhotoSource
from bridge.adapters.ledger.schema import MIGRATIONS
from bridge.adapters.ledger.state import CycleState, Rebuild
from bridge.adapters.ledger.store import Ledger, cannot_open
from bridge.adapters.ledger.submissions import ARCHIVED, DELETED, LedgerSubmission, Submissions

__all__ = [
    "ARCHIVED", "DELETED", "DONE", "FAILED", "INTENT", "MIGRATIONS", "PHOTO_HOSTED", "PHOTO_INTENT",
    "REVERTED", "BlogPostRecord", "BlogPosts", "CycleState", "JournalEntry", "Ledger", "LedgerSubmission", "PhotoCopy",
    "PhotoSource", "Photos", "PublishJournal", "Rebuild", "SubmissionIds", "Submissions", "cannot_open",
]
