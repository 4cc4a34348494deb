"""Submissions: every response the bridge queued (or left out), its fingerprint, ID, status and the
copy of its Review row as last seen.

The fingerprint is what recognises a response again (after a rescan, a restart, a rebuild); the
row copy is what a deleted row is archived as, and what a reading cycle compares Review with.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bridge.adapters.ledger.ids import SubmissionIds
from bridge.adapters.ledger.rows import DECODE_PAGE, encode, row_copies, shared_texts
from bridge.adapters.ledger.schema import in_chunks, now_text
from bridge.core.identity import RENUMBERED, KnownSubmission
from bridge.core.review_view import BRIEF_COLUMNS
from bridge.core.watermark import Queued

#: Ledger status of a submission whose Review row an officer deleted (recorded in Arsip).
DELETED = "DIHAPUS"
ARCHIVED = "ARSIP"  # a submission whose row was moved to Arsip (bridge.cycle.archive)
_BRIEF = tuple(c.name for c in BRIEF_COLUMNS)  # the cells of a row's brief (migration 7), by column name
#: Places in a brief whose texts repeat from row to row (decoded once per row, kept once per text).
_BRIEF_SHARED = tuple(n for n, name in enumerate(_BRIEF) if name in ("STATUS", "SYSTEM_NOTE", "LEADER", "DECIDED_BY", "KIM"))
_BRIEF_ID = _BRIEF.index("ID")


@dataclass(frozen=True)
class LedgerSubmission:
    id: str
    fingerprint: str
    status: str
    in_review: bool
    content_key: str
    origin: str = "form"


class Submissions:
    """``ledger.submissions``: the ``submissions``, ``skipped`` and ``fingerprint_aliases`` tables."""

    def __init__(self, db: sqlite3.Connection, ids: SubmissionIds) -> None:
        self._db = db
        self._ids = ids

    def has_fingerprint(self, fingerprint: str) -> bool:
        """One indexed look-up (both columns are keys): the cycle never loads every fingerprint."""
        row = self._db.execute(
            "SELECT EXISTS(SELECT 1 FROM submissions WHERE fingerprint = ?) OR EXISTS(SELECT 1 FROM skipped WHERE fingerprint = ?)",
            (fingerprint, fingerprint),
        ).fetchone()
        return bool(row[0])

    def legacy_fingerprint(self, fingerprint: str) -> str:
        """The legacy fingerprint a response with this (current) fingerprint was recognised as ('' if none)."""
        row = self._db.execute("SELECT legacy FROM fingerprint_aliases WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return str(row[0]) if row else ""

    def remember_legacy(self, pairs: Mapping[str, str]) -> None:
        """Keep current → legacy fingerprint pairs (see :class:`bridge.core.watermark.Fingerprinter`)."""
        self._db.executemany("INSERT OR REPLACE INTO fingerprint_aliases VALUES (?, ?)", list(pairs.items()))

    def queued_at(self, row_number: int) -> Queued | None:
        """The submission last queued from this responses row, as :meth:`add` recorded it (the latest
        one read from that row wins); one indexed look-up."""
        if row_number <= 0:
            return None
        r = self._db.execute(
            "SELECT id, fingerprint, row_number, operator, email FROM submissions"
            " WHERE origin = 'form' AND row_number = ? ORDER BY rowid DESC LIMIT 1",
            (row_number,),
        ).fetchone()
        return Queued(r[0], r[1], int(r[2]), r[3] or "", r[4] or "") if r else None

    def first_with_content(self, key: str) -> str | None:
        """The earliest (lowest) ID queued with this content key, as the duplicate check wants it."""
        if not key:
            return None
        row = self._db.execute("SELECT MIN(id) FROM submissions WHERE content_key = ?", (key,)).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def add(
        self,
        *,
        id: str,
        fingerprint: str,
        row_number: int,
        received_at: str,
        kecamatan: str,
        desa: str,
        kim: str,
        operator: str,
        email: str,
        title: str,
        content_key: str,
        status: str,
        reasons: str,
        in_review: bool = False,
        origin: str = "form",
    ) -> None:
        """Queue a response (a fingerprint already queued is left as it was); IDs are allocated above its ID."""
        self._db.execute(
            "INSERT INTO submissions (id, fingerprint, row_number, received_at, kecamatan, desa, kim, operator, email,"
            " title, content_key, status, reasons, in_review, origin, queued_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(fingerprint) DO NOTHING",
            (
                id, fingerprint, row_number, received_at, kecamatan, desa, kim, operator, email,
                title, content_key, status, reasons, int(in_review), origin, now_text(),
            ),
        )
        self._ids.note([id])

    def add_skipped(self, fingerprint: str, row_number: int, why: str) -> None:
        """A response left out for good (history, a resubmission): its fingerprint is never queued."""
        self._db.execute(
            "INSERT INTO skipped VALUES (?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING", (fingerprint, row_number, why, now_text())
        )

    def set_pending_row(self, submission_id: str, payload: str) -> None:
        """Keep the Review row (JSON) until it is confirmed written, so a failed append can be redone."""
        self._db.execute("UPDATE submissions SET review_row = ? WHERE id = ?", (payload, submission_id))

    def pending_rows(self, after: str = "", limit: int = -1) -> list[tuple[str, str, str]]:
        """(id, fingerprint, Review row JSON) recorded but not yet confirmed in the Review tab, by ID.

        Args:
            after: only IDs above this one (the last ID of the previous page).
            limit: at most this many (-1: all), so a backfill's rows are read a page at a time.
        """
        rows = self._db.execute(
            "SELECT id, fingerprint, review_row FROM submissions WHERE in_review = 0 AND id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def mark_in_review(self, ids: Iterable[str]) -> None:
        """These rows are confirmed in the Review tab: no longer pending."""
        self._db.executemany("UPDATE submissions SET in_review = 1, review_row = '' WHERE id = ?", [(i,) for i in ids])

    def revise(
        self, submission_id: str, *, operator: str, email: str, title: str, content_key: str, status: str, reasons: str
    ) -> None:
        """A resubmission replaced the item's content (issue 20): same ID, the new text's record."""
        self._db.execute(
            "UPDATE submissions SET operator = ?, email = ?, title = ?, content_key = ?, status = ?, reasons = ? WHERE id = ?",
            (operator, email, title, content_key, status, reasons, submission_id),
        )

    def set_status(self, submission_id: str, status: str) -> None:
        """The submission's status as the bridge last set or read it (Review's word, or ARSIP/DIHAPUS)."""
        self._db.execute("UPDATE submissions SET status = ? WHERE id = ?", (status, submission_id))

    def get(self, submission_id: str) -> LedgerSubmission | None:
        """The submission with this ID (None: not in this ledger)."""
        r = self._db.execute(
            "SELECT id, fingerprint, status, in_review, content_key, origin FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return LedgerSubmission(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) if r else None

    def by_fingerprint(self, fingerprint: str) -> LedgerSubmission | None:
        """The submission queued with this fingerprint (None: not queued)."""
        r = self._db.execute(
            "SELECT id, fingerprint, status, in_review, content_key, origin FROM submissions WHERE fingerprint = ?",
            (fingerprint,),
        ).fetchone()
        return LedgerSubmission(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) if r else None

    def known(
        self,
        received: Callable[[str], str] = lambda text: text,
        rows_for: Collection[str] | None = None,
    ) -> list[KnownSubmission]:
        """Every submission that reached a tab, for matching Review rows to what the bridge queued.

        ``rows_for``: only these submissions' rows are loaded (the others get ``{}``; see
        :meth:`last_rows_of`): right after a backfill every response is in Review, and loading all
        their rows for a tab that shows none of them yet would be most of the cycle's memory. The
        Review watch asks for none (issue 22): matching needs no row copies.
        Equal short texts (statuses, operators, e-mails; in the rows loaded, column names, villages,
        KIMs, the system note, each submission's own ID) are one string object across the list, not
        one per row: at 10k Review rows that kept about a third of this list's memory off the heap
        (issue 13).
        """
        shared = shared_texts()
        cursor = self._db.cursor()
        cursor.row_factory = None  # plain tuples: a sqlite3.Row per submission cost a third of this listing (issue 22)
        rows: Iterable[tuple[Any, ...]] = cursor.execute(f"SELECT {_KNOWN} FROM submissions WHERE in_review = 1 ORDER BY id")
        loaded: dict[str, dict[str, str]] = {}
        if rows_for is None or rows_for:
            rows = list(rows)
            # The copies asked for, decoded together; the others' texts are not even fetched (issue 22).
            wanted = [r[0] for r in rows if rows_for is None or r[0] in rows_for]
            loaded = self.last_rows_of(wanted, shared) if wanted else {}
        # else (the Review watch) a row at a time: 50k fetched tuples held beside the submissions made
        # of them left the heap scattered (about 20 MiB at 50k rows, issue 22)
        return _records(rows, received, loaded, shared)

    def glance(self, texts: Mapping[str, str] | None = None) -> tuple[dict[str, str], set[str]]:
        """What matching asks of nearly every Review row (:class:`bridge.core.identity.KnownLedger`): each
        submission in Review not recorded as deleted → its fingerprint, in ID order, and those of them
        archived or deleted (a missing row of theirs is no deletion). Read a row at a time from the
        ``submissions_briefs`` index alone, with no record made per submission (issue 22).

        ``texts``: texts already held (the Review rows' IDs and Sidik Jari, each mapped to itself): an
        ID or fingerprint equal to one of them is kept as that object, not as SQLite's equal copy (6 MiB
        at 50k rows, at the Review watch's peak)."""
        cursor = self._db.cursor()
        cursor.row_factory = None
        fingerprints: dict[str, str] = {}
        gone: set[str] = set()
        held = texts.get if texts else None
        for sub_id, fp, status in cursor.execute(
                "SELECT id, fingerprint, status FROM submissions WHERE in_review = 1 AND deleted_at = '' ORDER BY id"):
            if held is not None:
                sub_id, fp = held(sub_id, sub_id), held(fp, fp)
            fingerprints[sub_id] = fp
            if status in (ARCHIVED, DELETED):
                gone.add(sub_id)
        return fingerprints, gone

    def known_of(self, ids: Sequence[str], received: Callable[[str], str] = lambda text: text) -> list[KnownSubmission]:
        """:meth:`known`'s records of these submissions only (those in Review), in ID order, without row copies."""
        out: list[KnownSubmission] = []
        for chunk, marks in in_chunks(sorted(set(ids))):
            query = f"SELECT {_KNOWN} FROM submissions WHERE in_review = 1 AND id IN ({marks}) ORDER BY id"
            out += _records(self._db.execute(query, chunk), received, {}, shared_texts())
        return out

    def last_rows_of(self, ids: Iterable[str], shared: Callable[[str], str] | None = None) -> dict[str, dict[str, str]]:
        """These submissions' rows as they last looked (those with a readable copy)."""
        out: dict[str, dict[str, str]] = {}
        if shared is None:
            shared = shared_texts()
        for chunk, marks in in_chunks(ids):
            out.update(row_copies(self._db.execute(f"SELECT id, last_row FROM submissions WHERE id IN ({marks})", chunk), shared))
        return out

    def settled_rows_of(self, ids: Iterable[str]) -> dict[str, dict[str, str]]:
        """The copies of these submissions that a settled row may be kept as the brief of: each one
        :meth:`settled_briefs` has a brief for (expected in Review, not archived or deleted, its brief
        written). A whole read of Review compares its rows with these, a page at a time (issue 22)."""
        out: dict[str, dict[str, str]] = {}
        for chunk, marks in in_chunks(ids):
            out.update(row_copies(self._db.execute(
                f"SELECT id, last_row FROM submissions WHERE id IN ({marks}) AND in_review = 1 AND deleted_at = ''"
                f" AND last_row != '' AND last_brief != '' AND status NOT IN ('{ARCHIVED}', '{DELETED}')", chunk)))
        return out

    def last_rows(self) -> dict[str, dict[str, str]]:
        """Each submission expected in Review (not archived, not deleted) as its row last looked
        (ID → column name → text); a row never seen yet, or one whose copy is unreadable, is left
        out (the cycle reads it in full)."""
        query = (
            "SELECT id, last_row FROM submissions WHERE in_review = 1 AND deleted_at = '' AND last_row != ''"
            f" AND status NOT IN ('{ARCHIVED}', '{DELETED}')"
        )
        return row_copies(self._db.execute(query))

    def archived_rows(self) -> list[tuple[str, str, str, dict[str, str]]]:
        """Each submission that left Review for Arsip (archived, or its row deleted by an officer), in
        ID order: (ID, status, deleted_at, its row as last seen). What a lost Arsip tab is rebuilt from."""
        rows = self._db.execute(
            "SELECT id, status, deleted_at, last_row FROM submissions"
            f" WHERE status IN ('{ARCHIVED}', '{DELETED}') OR deleted_at != '' ORDER BY id"
        ).fetchall()
        copies = row_copies((r[0], r[3]) for r in rows)
        return [(r[0], r[1], r[2] or "", copies.get(r[0], {})) for r in rows]

    def set_last_rows(self, rows: dict[str, dict[str, str]]) -> None:
        """Remember how each submission's Review row last looked (only rows that changed are passed),
        with its brief (:meth:`settled_briefs`)."""
        self._db.executemany(
            "UPDATE submissions SET last_row = ?, last_brief = ? WHERE id = ?",
            [(encode(v), json.dumps([v.get(name) for name in _BRIEF], ensure_ascii=False) if v else "", i)
             for i, v in rows.items()],
        )

    def settled_briefs(self) -> dict[str, list[str | None]]:
        """The briefs of the rows :meth:`last_rows` returns: each copy's cells of
        :data:`bridge.core.review_view.BRIEF_COLUMNS`, in that order (None: not in the copy), decoded
        ``DECODE_PAGE`` per ``json.loads``. A reading cycle decodes these, not the copies (issue 22)."""
        # A brief is written with its copy (set_last_rows, migration 7), so one that is not empty says its
        # copy is not either: the query needs no copy, and reads the submissions_briefs index alone.
        query = (
            "SELECT id, last_brief FROM submissions WHERE in_review = 1 AND deleted_at = ''"
            f" AND last_brief != '' AND status NOT IN ('{ARCHIVED}', '{DELETED}')"
        )
        out: dict[str, list[str | None]] = {}
        memo: dict[str, str] = {}
        keep = memo.setdefault  # statuses, system notes, KIMs, ...: one string object per distinct text
        cursor = self._db.cursor()
        cursor.row_factory = None  # plain tuples (a sqlite3.Row each cost more than decoding the brief)
        cursor.execute(query)
        while page := cursor.fetchmany(DECODE_PAGE):
            try:
                decoded = json.loads("[" + ",".join([r[1] for r in page]) + "]")
            except ValueError:
                decoded = None
            if decoded is None or len(decoded) != len(page):
                continue  # not written by this code: those rows are read in full
            for r, brief in zip(page, decoded, strict=True):
                if brief.__class__ is list and len(brief) == len(_BRIEF):
                    for at in _BRIEF_SHARED:
                        text = brief[at]
                        if text.__class__ is str:
                            brief[at] = keep(text, text)
                    # keyed by the brief's own ID text when it is the row's (nearly always): the cycle
                    # keeps the keys, and one text per ID is 3 MiB less at 50k rows (issue 22)
                    sub_id = brief[_BRIEF_ID]
                    out[sub_id if sub_id == r[0] else r[0]] = brief
        return out

    def mark_deleted(self, submission_id: str, when: str) -> None:
        """An officer deleted the row (recorded in Arsip at ``when``)."""
        self._db.execute("UPDATE submissions SET status = ?, deleted_at = ? WHERE id = ?", (DELETED, when, submission_id))

    def count(self) -> int:
        """How many submissions were ever queued (`check` shows it)."""
        return int(self._db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])


#: The columns a :class:`KnownSubmission` is made of, in :func:`_records`' order.
_KNOWN = "id, fingerprint, status, in_review, received_at, operator, email, deleted_at, origin"


def _records(
    rows: Iterable[tuple[Any, ...]], received: Callable[[str], str], loaded: Mapping[str, dict[str, str]],
    shared: Callable[[str], str],
) -> list[KnownSubmission]:
    """Submissions as records, from rows of :data:`_KNOWN` (``loaded``: the row copies asked for). Equal
    statuses, operators and e-mails are one string object across the list."""
    memo: dict[str, str] = {}
    short = memo.setdefault
    return [
        KnownSubmission(
            sub_id if last is None else shared(sub_id), fp, short(status, status), in_review == 1,
            received(at or ""), short(operator, operator) if operator else "", short(email, email) if email else "",
            {} if last is None else last, deleted or "", renumbered=origin == RENUMBERED,
        )
        for sub_id, fp, status, in_review, at, operator, email, deleted, origin in rows
        for last in (loaded.get(sub_id),)
    ]


__all__ = ["ARCHIVED", "DELETED", "LedgerSubmission", "Submissions"]
