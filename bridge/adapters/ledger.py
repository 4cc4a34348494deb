"""The local SQLite ledger: every submission's fingerprint, ID and fate, and the publish journal.

The ledger is a cache of what the sheet already says plus the one thing the
sheet cannot hold safely: the *intent* to publish, written before Blogger is
called, so a crash between "post created" and "TERBIT written" is reconciled
instead of publishing twice. Losing the file loses nothing: the Review and
Arsip tabs and the blog's post markers rebuild it (:func:`bridge.cycle.intake.rebuild_ledger`).

The schema evolves with numbered migrations recorded in ``schema_migrations``.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bridge.core.identity import RENUMBERED, KnownSubmission
from bridge.core.review_machine import JournalState, PostState
from bridge.core.review_view import BRIEF_COLUMNS
from bridge.core.watermark import Queued
from bridge.exceptions import BridgeError, LedgerError, RetriableError

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
    # 6 (issue 22): every reading cycle lists the submissions in Review (Ledger.known); read from the
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
)

#: Ledger status of a submission whose Review row an officer deleted (recorded in Arsip).
DELETED = "DIHAPUS"
ARCHIVED = "ARSIP"  # a submission whose row was moved to Arsip (bridge.cycle.archive)
LEDGER_ID = "ledger_id"  # meta: this ledger's random id (issue 17)
LEDGER_GEN = "ledger_gen"  # meta: the generation it last wrote to the spreadsheet's record
ID_PATTERN = re.compile(r"^MM-(\d{4})-(\d+)$")

# Journal states, as the status machine names them (stored as their text)
INTENT = JournalState.INTENT.value  # about to call (or calling) Blogger; outcome unknown after a crash
DONE = JournalState.DONE.value  # the post exists (post_id known)
FAILED = JournalState.FAILED.value  # permanent failure; an officer may retry
REVERTED = JournalState.REVERTED.value  # post taken back to draft after DITARIK


#: Texts up to this long are shared across the rows :meth:`Ledger.known` returns (longer ones are unique).
_SHARED_TEXT = 100


def _interner() -> tuple[Callable[[str], str], Callable[[list[tuple[str, object]]], dict[str, object]]]:
    """One memo of short texts for a whole listing: ``shared`` for a cell, ``row_of`` as the JSON
    ``object_pairs_hook`` of a stored row (keys and short values taken from the memo)."""
    memo: dict[str, str] = {}
    keep = memo.setdefault

    def shared(text: str) -> str:
        return keep(text, text) if len(text) <= _SHARED_TEXT else text

    def row_of(pairs: list[tuple[str, object]]) -> dict[str, object]:
        return {keep(k, k): keep(v, v) if v.__class__ is str and len(v) <= _SHARED_TEXT else v for k, v in pairs}

    return shared, row_of


_DECODE_PAGE = 500  # row copies decoded by one json.loads
_BRIEF = tuple(c.name for c in BRIEF_COLUMNS)  # the cells of a row's brief (migration 7), by column name
#: Columns whose texts repeat across rows (or, for ID, with the submission's own ID): one string
#: object each after decoding (issue 13's memory).
_REPEATED = ("ID", "STATUS", "KECAMATAN", "DESA", "KIM", "OPERATOR", "EMAIL", "SYSTEM_NOTE", "FINGERPRINT")


def _row_copies(rows: Iterable[tuple[str, str]], shared: Callable[[str], str] | None = None) -> dict[str, dict[str, str]]:
    """(id, last_row JSON) pairs as ID → row, repeated texts shared; empty or unreadable copies left out.

    Decoded ``_DECODE_PAGE`` copies per ``json.loads`` (its C scanner shares the column names
    across them), then only the columns that repeat are shared: a decode per row with a Python hook
    sharing every short text cost a reading cycle at 10k Review rows more CPU than a naive poller
    spends on its whole cycle (issue 22). An unreadable copy sends its page back to one decode per
    row, which leaves it out alone.
    """
    if shared is None:
        shared, _ = _interner()
    out: dict[str, dict[str, str]] = {}
    rows = iter(rows)
    while True:  # a page at a time: the joined text of every copy would be a transient as big as them all
        page = list(itertools.islice(rows, _DECODE_PAGE))
        if not page:
            break
        pairs = [(sub_id, text) for sub_id, text in page if text]
        try:
            decoded = json.loads("[" + ",".join(text for _, text in pairs) + "]")
        except ValueError:
            decoded = None
        if decoded is None or len(decoded) != len(pairs):
            decoded = []
            for _, text in pairs:
                try:
                    decoded.append(json.loads(text))
                except ValueError:
                    decoded.append(None)
        for (sub_id, _), row in zip(pairs, decoded, strict=True):  # one decoded value per copy, by construction
            if row.__class__ is not dict or not row:
                continue
            for name in _REPEATED:
                cell = row.get(name)
                if cell.__class__ is str:
                    row[name] = shared(cell)
            out[sub_id] = row
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


@dataclass(frozen=True)
class LedgerSubmission:
    id: str
    fingerprint: str
    status: str
    in_review: bool
    content_key: str
    origin: str = "form"


@dataclass(frozen=True)
class BlogPostRecord:
    """A post found on the blog (by its marker) for a response whose row is in neither tab."""

    fingerprint: str
    submission_id: str
    post_id: str
    post_url: str
    post_status: str
    published: str


def cannot_open(path: str, exc: BaseException) -> BridgeError:
    """Why the ledger at ``path`` did not open, with the exact commands that fix it.

    Every case but a busy file needs a person, so it is a :class:`LedgerError` (exit 2, which
    systemd does not restart on) rather than a generic fatal error that it restarts every 30 s.
    """
    import os
    import pwd

    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF  # the primary code of an extended one
    file = Path(path)
    again = "then start the bridge again (sudo systemctl start mymein-bridge, or run the command again)"
    companions = [f for f in (file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")) if f.exists()]
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return RetriableError(f"the local ledger {path} stayed busy for 30 s (another mymein-bridge command was writing "
                              f"it; {exc}): try again in a minute")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        # chown cannot help: the bytes are not a ledger. Its -wal/-shm go with it, or SQLite would
        # replay them into the new file.
        moves = " && ".join(f"sudo mv {f} {file.with_name(file.name + '.damaged' + f.name[len(file.name):])}"
                            for f in (file, *companions))
        return LedgerError(
            f"the local ledger {path} is damaged or not a bridge ledger ({exc}). It is only a cache, which the bridge "
            "rebuilds from the Review and Arsip tabs and the blog without publishing anything twice: move it aside "
            f"with {moves}, {again}"
        )
    if code == sqlite3.SQLITE_FULL:
        return LedgerError(f"cannot write the local ledger {path}: the disk is full ({exc}). Free space on it "
                           f"(df -h {file.parent}), {again}")
    if file.is_dir():
        return LedgerError(f"the local ledger {path} is a folder, not a file: set [bridge] state_path to a file, e.g. "
                           f"{file / 'bridge.sqlite3'}, {again}")
    try:
        user = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # no name for this uid (a container)
        user = str(os.geteuid())
    if not file.parent.is_dir():
        return LedgerError(f"the ledger folder {file.parent} does not exist and cannot be created "
                           f"({getattr(exc, 'strerror', None) or exc}): create it for user {user} (sudo mkdir -p "
                           f"{file.parent} && sudo chown {user}: {file.parent}) or set [bridge] state_path to a folder "
                           f"that user owns, {again}")
    owned = " ".join(str(f) for f in (file.parent, file, *companions) if f.exists())
    return LedgerError(
        f"cannot open the local ledger {path} ({getattr(exc, 'strerror', None) or exc}): its folder and files must "
        f"belong to the user the bridge runs as ({user}): sudo chown {user}: {owned}, {again}"
    )


def _journal_entry(r: sqlite3.Row) -> JournalEntry:
    """A ``publish_journal`` row as an entry."""
    try:
        parts = json.loads(r["content_parts"]) if r["content_parts"] else None
    except ValueError:
        parts = None
    return JournalEntry(
        r["submission_id"], r["state"], r["attempts"], r["post_id"], r["post_url"], r["post_status"], r["published_at"],
        r["error"], r["fingerprint"], r["intent_title"],
        tuple(json.loads(r["intent_labels"])) if r["intent_labels"] else (), r["intent_at"], parts,
    )


class Ledger:
    """A small repository over one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str | Path) -> None:
        """Open (creating if needed) the ledger and check that it can be written.

        Raises:
            LedgerError: the file is damaged, or it or its folder cannot be opened or written.
            RetriableError: another bridge command kept the file busy for 30 s.
        """
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # `run` builds its connections once and its scheduler calls each cycle from a worker
            # thread; cycles never overlap (max_instances=1), so one connection serves them in turn.
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
            self.db.execute("PRAGMA synchronous=FULL")
            self.migrate()
            self.db.execute("BEGIN IMMEDIATE")  # fail now, not in the middle of a cycle, if it is read-only
            self.db.execute("ROLLBACK")
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "db", None) is not None:
                self.db.close()
            raise cannot_open(self.path, exc) from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def scratch_copy(cls, path: str | Path) -> Ledger:
        """An in-memory copy of the ledger at ``path`` (for --dry-run), opened read-only;
        an empty ledger when there is no file yet. The file is never created or changed."""
        if not Path(path).is_file():
            return cls(":memory:")
        try:
            source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        except sqlite3.Error as exc:
            raise cannot_open(str(path), exc) from exc
        try:
            mem = cls(":memory:")
            source.backup(mem.db)
            mem.migrate()  # an older file: bring the copy's schema up to date
            return mem
        except sqlite3.Error as exc:
            raise cannot_open(str(path), exc) from exc
        finally:
            source.close()

    # --- schema ----------------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply pending migrations; returns the schema version."""
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {r[0] for r in self.db.execute("SELECT version FROM schema_migrations")}
        for number, script in enumerate(MIGRATIONS, start=1):
            if number in done:
                continue
            with self.transaction():
                for statement in script.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (number, _now()))
        return len(MIGRATIONS)

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)

    # --- meta ------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # --- generation (issue 17): which ledger this is, and how far it has written the sheet ---

    def ledger_id(self) -> str:
        """This ledger's random id (made on first use, and again after :meth:`reset`): the
        spreadsheet's record names the ledger that wrote it last (:mod:`bridge.core.lease`)."""
        current = self.get_meta(LEDGER_ID)
        if not current:
            import secrets

            current = secrets.token_hex(8)
            self.set_meta(LEDGER_ID, current)  # one statement: durable on its own, or with the caller's transaction
        return current

    def generation(self) -> int:
        """The generation this ledger last wrote to the spreadsheet's record (or was about to)."""
        try:
            return int(self.get_meta(LEDGER_GEN, "0"))
        except ValueError:
            return 0

    def set_generation(self, gen: int) -> None:
        self.set_meta(LEDGER_GEN, str(gen))

    def id_tops(self) -> dict[int, int]:
        """The highest ID number given or seen per year (the counters of :meth:`next_id`)."""
        return {int(r[0]): int(r[1]) for r in self.db.execute("SELECT year, last FROM id_counters")}

    def reset(self) -> None:
        """Forget everything: the ledger is another machine's or behind the spreadsheet, so it is treated
        as lost and rebuilt from the sheet and the blog (the cycle's rebuild of an empty ledger).
        It gets a new id; the schema stays."""
        tables = [r[0] for r in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('schema_migrations') "
            "AND name NOT LIKE 'sqlite_%'")]
        with self.transaction():
            for table in tables:
                self.db.execute(f'DELETE FROM "{table}"')

    # --- submissions -----------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True for a new (or lost) ledger: nothing queued, skipped or watermarked yet."""
        row = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM submissions) + (SELECT COUNT(*) FROM skipped) + (SELECT COUNT(*) FROM watermark)"
        ).fetchone()
        return int(row[0]) == 0

    def known_fingerprints(self) -> set[str]:
        rows = self.db.execute("SELECT fingerprint FROM submissions UNION SELECT fingerprint FROM skipped")
        return {r[0] for r in rows}

    def has_fingerprint(self, fingerprint: str) -> bool:
        """One indexed look-up (both columns are keys): the cycle never loads every fingerprint."""
        row = self.db.execute(
            "SELECT EXISTS(SELECT 1 FROM submissions WHERE fingerprint = ?) OR EXISTS(SELECT 1 FROM skipped WHERE fingerprint = ?)",
            (fingerprint, fingerprint),
        ).fetchone()
        return bool(row[0])

    def legacy_fingerprint(self, fingerprint: str) -> str:
        """The legacy fingerprint a response with this (current) fingerprint was recognised as ('' if none)."""
        row = self.db.execute("SELECT legacy FROM fingerprint_aliases WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return str(row[0]) if row else ""

    def remember_legacy(self, pairs: Mapping[str, str]) -> None:
        """Keep current → legacy fingerprint pairs (see :class:`bridge.core.watermark.Fingerprinter`)."""
        self.db.executemany("INSERT OR REPLACE INTO fingerprint_aliases VALUES (?, ?)", list(pairs.items()))

    def has_blog_post(self, fingerprint: str) -> bool:
        """Whether a bridge post on the blog carries this fingerprint in its marker (one look-up)."""
        return self.db.execute("SELECT 1 FROM blog_posts WHERE fingerprint = ?", (fingerprint,)).fetchone() is not None

    def queued_from_form(self) -> list[Queued]:
        """Submissions read from a responses row (not rebuilt from Review), in queue order."""
        rows = self.db.execute(
            "SELECT id, fingerprint, row_number, operator, email FROM submissions"
            " WHERE origin = 'form' AND row_number > 0 ORDER BY rowid"
        )
        return [Queued(r[0], r[1], int(r[2]), r[3] or "", r[4] or "") for r in rows]

    def queued_at(self, row_number: int) -> Queued | None:
        """The submission last queued from this responses row, as :meth:`queued_from_form` keeps it
        (the latest one read from that row wins); one indexed look-up."""
        if row_number <= 0:
            return None
        r = self.db.execute(
            "SELECT id, fingerprint, row_number, operator, email FROM submissions"
            " WHERE origin = 'form' AND row_number = ? ORDER BY rowid DESC LIMIT 1",
            (row_number,),
        ).fetchone()
        return Queued(r[0], r[1], int(r[2]), r[3] or "", r[4] or "") if r else None

    def first_with_content(self, key: str) -> str | None:
        """The earliest (lowest) ID queued with this content key, as :meth:`content_keys` maps it."""
        if not key:
            return None
        row = self.db.execute("SELECT MIN(id) FROM submissions WHERE content_key = ?", (key,)).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def content_keys(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT content_key, id FROM submissions WHERE content_key != '' ORDER BY id DESC")}

    def next_id(self, year: int) -> str:
        """A new submission ID, above every ID this ledger has given or seen (:meth:`note_ids`).

        O(1) per row: a counter per year. Only its first use in a year (or on a
        ledger from before the counters) looks at the submissions once.
        """
        prefix = f"MM-{year}-"
        row = self.db.execute("SELECT last FROM id_counters WHERE year = ?", (year,)).fetchone()
        if row is None:
            seen = self.db.execute(
                "SELECT MAX(CAST(SUBSTR(id, ?) AS INTEGER)) FROM submissions WHERE id LIKE ?", (len(prefix) + 1, prefix + "%")
            ).fetchone()
            last = int(seen[0] or 0)
        else:
            last = int(row[0])
        self.db.execute(
            "INSERT INTO id_counters VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last", (year, last + 1)
        )
        return f"{prefix}{last + 1:04d}"

    def note_ids(self, ids: Iterable[str]) -> bool:
        """IDs seen in Review, Arsip or the blog's markers: later IDs are allocated above them.

        Returns whether any was above what this ledger had given or seen (a ledger restored from
        an older copy: the sheet holds IDs given after the copy was made)."""
        top: dict[int, int] = {}
        match = ID_PATTERN.match
        for text in set(ids):  # every Review ID, twice a cycle: each distinct one once (issue 22)
            m = match(text.strip() if text.__class__ is str else str(text).strip())
            if m:
                year, n = int(m.group(1)), int(m.group(2))
                if n > top.get(year, 0):
                    top[year] = n
        raised = False
        for year, n in top.items():
            current = self.db.execute("SELECT last FROM id_counters WHERE year = ?", (year,)).fetchone()
            prefix = f"MM-{year}-"
            seen = self.db.execute(
                "SELECT MAX(CAST(SUBSTR(id, ?) AS INTEGER)) FROM submissions WHERE id LIKE ?",
                (len(prefix) + 1, prefix + "%"),
            ).fetchone() if current is None else None
            had = int(current[0]) if current is not None else int(seen[0] or 0) if seen else 0
            if n <= had and current is not None:
                continue
            raised = raised or n > had
            self.db.execute(
                "INSERT INTO id_counters VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = MAX(last, excluded.last)",
                (year, max(n, had)),
            )
        return raised

    def add_submission(
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
        self.db.execute(
            "INSERT INTO submissions (id, fingerprint, row_number, received_at, kecamatan, desa, kim, operator, email,"
            " title, content_key, status, reasons, in_review, origin, queued_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(fingerprint) DO NOTHING",
            (
                id, fingerprint, row_number, received_at, kecamatan, desa, kim, operator, email,
                title, content_key, status, reasons, int(in_review), origin, _now(),
            ),
        )
        self.note_ids([id])

    def add_skipped(self, fingerprint: str, row_number: int, why: str) -> None:
        self.db.execute(
            "INSERT INTO skipped VALUES (?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING", (fingerprint, row_number, why, _now())
        )

    def set_pending_row(self, submission_id: str, payload: str) -> None:
        """Keep the Review row (JSON) until it is confirmed written, so a failed append can be redone."""
        self.db.execute("UPDATE submissions SET review_row = ? WHERE id = ?", (payload, submission_id))

    def pending_rows(self, after: str = "", limit: int = -1) -> list[tuple[str, str, str]]:
        """(id, fingerprint, Review row JSON) recorded but not yet confirmed in the Review tab, by ID.

        Args:
            after: only IDs above this one (the last ID of the previous page).
            limit: at most this many (-1: all), so a backfill's rows are read a page at a time.
        """
        rows = self.db.execute(
            "SELECT id, fingerprint, review_row FROM submissions WHERE in_review = 0 AND id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def mark_in_review(self, ids: Iterable[str]) -> None:
        self.db.executemany("UPDATE submissions SET in_review = 1, review_row = '' WHERE id = ?", [(i,) for i in ids])

    def revise_submission(
        self, submission_id: str, *, operator: str, email: str, title: str, content_key: str, status: str, reasons: str
    ) -> None:
        """A resubmission replaced the item's content (issue 20): same ID, the new text's record."""
        self.db.execute(
            "UPDATE submissions SET operator = ?, email = ?, title = ?, content_key = ?, status = ?, reasons = ? WHERE id = ?",
            (operator, email, title, content_key, status, reasons, submission_id),
        )

    def set_status(self, submission_id: str, status: str) -> None:
        self.db.execute("UPDATE submissions SET status = ? WHERE id = ?", (status, submission_id))

    def submission(self, submission_id: str) -> LedgerSubmission | None:
        r = self.db.execute(
            "SELECT id, fingerprint, status, in_review, content_key, origin FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return LedgerSubmission(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) if r else None

    def by_fingerprint(self, fingerprint: str) -> LedgerSubmission | None:
        r = self.db.execute(
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
        shared, _ = _interner()
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples: a sqlite3.Row per submission cost a third of this listing (issue 22)
        rows = cursor.execute(
            "SELECT id, fingerprint, status, in_review, received_at, operator, email, deleted_at, origin"
            " FROM submissions WHERE in_review = 1 ORDER BY id"
        ).fetchall()
        # The copies asked for, decoded together; the others' texts are not even fetched (issue 22).
        wanted = [r[0] for r in rows if rows_for is None or r[0] in rows_for]
        loaded = self.last_rows_of(wanted, shared) if wanted else {}
        memo: dict[str, str] = {}
        short = memo.setdefault  # statuses, operators, e-mails: one string object per distinct text
        return [
            KnownSubmission(
                sub_id if last is None else shared(sub_id), fp, short(status, status), in_review == 1,
                received(at or ""), short(operator, operator) if operator else "", short(email, email) if email else "",
                {} if last is None else last, deleted or "", renumbered=origin == RENUMBERED,
            )
            for sub_id, fp, status, in_review, at, operator, email, deleted, origin in rows
            for last in (loaded.get(sub_id),)
        ]

    def last_rows_of(self, ids: Iterable[str], shared: Callable[[str], str] | None = None) -> dict[str, dict[str, str]]:
        """These submissions' rows as they last looked (those with a readable copy)."""
        out: dict[str, dict[str, str]] = {}
        wanted = list(dict.fromkeys(ids))
        if shared is None:
            shared, _ = _interner()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            out.update(_row_copies(self.db.execute(f"SELECT id, last_row FROM submissions WHERE id IN ({marks})", chunk), shared))
        return out

    def last_rows(self) -> dict[str, dict[str, str]]:
        """Each submission expected in Review (not archived, not deleted) as its row last looked
        (ID → column name → text); a row never seen yet, or one whose copy is unreadable, is left
        out (the cycle reads it in full)."""
        query = (
            "SELECT id, last_row FROM submissions WHERE in_review = 1 AND deleted_at = '' AND last_row != ''"
            f" AND status NOT IN ('{ARCHIVED}', '{DELETED}')"
        )
        return _row_copies(self.db.execute(query))

    def archived_rows(self) -> list[tuple[str, str, str, dict[str, str]]]:
        """Each submission that left Review for Arsip (archived, or its row deleted by an officer), in
        ID order: (ID, status, deleted_at, its row as last seen). What a lost Arsip tab is rebuilt from."""
        rows = self.db.execute(
            "SELECT id, status, deleted_at, last_row FROM submissions"
            f" WHERE status IN ('{ARCHIVED}', '{DELETED}') OR deleted_at != '' ORDER BY id"
        ).fetchall()
        copies = _row_copies((r[0], r[3]) for r in rows)
        return [(r[0], r[1], r[2] or "", copies.get(r[0], {})) for r in rows]

    def set_last_rows(self, rows: dict[str, dict[str, str]]) -> None:
        """Remember how each submission's Review row last looked (only rows that changed are passed),
        with its brief (:meth:`settled_briefs`)."""
        self.db.executemany(
            "UPDATE submissions SET last_row = ?, last_brief = ? WHERE id = ?",
            [(json.dumps(v, ensure_ascii=False, sort_keys=True),
              json.dumps([v.get(name) for name in _BRIEF], ensure_ascii=False) if v else "", i) for i, v in rows.items()],
        )

    def settled_briefs(self) -> dict[str, list[str | None]]:
        """The briefs of the rows :meth:`last_rows` returns: each copy's cells of
        :data:`bridge.core.review_view.BRIEF_COLUMNS`, in that order (None: not in the copy), decoded
        ``_DECODE_PAGE`` per ``json.loads``. A reading cycle decodes these, not the copies (issue 22)."""
        query = (
            "SELECT id, last_brief FROM submissions WHERE in_review = 1 AND deleted_at = '' AND last_row != ''"
            f" AND last_brief != '' AND status NOT IN ('{ARCHIVED}', '{DELETED}')"
        )
        out: dict[str, list[str | None]] = {}
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples (a sqlite3.Row each cost more than decoding the brief)
        cursor.execute(query)
        while page := cursor.fetchmany(_DECODE_PAGE):
            try:
                decoded = json.loads("[" + ",".join([r[1] for r in page]) + "]")
            except ValueError:
                decoded = None
            if decoded is None or len(decoded) != len(page):
                continue  # not written by this code: those rows are read in full
            for r, brief in zip(page, decoded, strict=True):
                if brief.__class__ is list and len(brief) == len(_BRIEF):
                    out[r[0]] = brief
        return out

    def mark_deleted(self, submission_id: str, when: str) -> None:
        self.db.execute("UPDATE submissions SET status = ?, deleted_at = ? WHERE id = ?", (DELETED, when, submission_id))

    # --- posts found on the blog whose rows are in neither tab ------------------------------

    def add_blog_post(self, rec: BlogPostRecord) -> None:
        self.db.execute(
            "INSERT INTO blog_posts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING",
            (rec.fingerprint, rec.submission_id, rec.post_id, rec.post_url, rec.post_status, rec.published),
        )

    def blog_posts(self) -> dict[str, BlogPostRecord]:
        rows = self.db.execute("SELECT * FROM blog_posts")
        return {r[0]: BlogPostRecord(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows}

    def forget_blog_post(self, fingerprint: str) -> None:
        self.db.execute("DELETE FROM blog_posts WHERE fingerprint = ?", (fingerprint,))

    def submissions(self) -> Iterator[sqlite3.Row]:
        yield from self.db.execute("SELECT * FROM submissions ORDER BY id")

    def count_submissions(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])

    # --- watermark & header map ------------------------------------------------------------

    def watermark(self, tab: str) -> tuple[int, str] | None:
        r = self.db.execute("SELECT row, fingerprint FROM watermark WHERE tab = ?", (tab,)).fetchone()
        return (int(r[0]), str(r[1])) if r else None

    def set_watermark(self, tab: str, row: int, fingerprint: str) -> None:
        self.db.execute(
            "INSERT INTO watermark VALUES (?, ?, ?, ?) ON CONFLICT(tab) DO UPDATE SET row = excluded.row,"
            " fingerprint = excluded.fingerprint, updated_at = excluded.updated_at",
            (tab, row, fingerprint, _now()),
        )

    def header_map(self, tab: str) -> str | None:
        r = self.db.execute("SELECT json FROM header_maps WHERE tab = ?", (tab,)).fetchone()
        return str(r[0]) if r else None

    def set_header_map(self, tab: str, data: str) -> None:
        self.db.execute(
            "INSERT INTO header_maps VALUES (?, ?, ?) ON CONFLICT(tab) DO UPDATE SET json = excluded.json,"
            " updated_at = excluded.updated_at",
            (tab, data, _now()),
        )

    # --- publish journal -------------------------------------------------------------------

    def journal(self, submission_id: str) -> JournalEntry | None:
        r = self.db.execute("SELECT * FROM publish_journal WHERE submission_id = ?", (submission_id,)).fetchone()
        return None if r is None else _journal_entry(r)

    def journal_of(self, ids: Iterable[str]) -> dict[str, JournalEntry]:
        """These submissions' journal entries (those that have one), read 500 at a time: a step asking
        about many rows reads the journal once, not once per row (issue 22)."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, JournalEntry] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT * FROM publish_journal WHERE submission_id IN ({marks})", chunk):
                out[r["submission_id"]] = _journal_entry(r)
        return out

    def journal_entries(self, state: str | None = None) -> list[JournalEntry]:
        query = "SELECT submission_id FROM publish_journal" + (" WHERE state = ?" if state else "") + " ORDER BY submission_id"
        ids = [r[0] for r in self.db.execute(query, (state,) if state else ())]
        return [e for e in (self.journal(i) for i in ids) if e is not None]

    def record_intent(
        self, submission_id: str, *, fingerprint: str = "", title: str = "", labels: Iterable[str] = (), at: str = "",
        parts: dict[str, str] | None = None,
    ) -> None:
        """Durably note that Blogger is about to be called for this submission, with what is
        needed to recognise the post even if Blogger drops its markers (title, labels, time), and
        what the post will hold (``parts``): a post found after a crash is then known as sent."""
        self.db.execute(
            "INSERT INTO publish_journal (submission_id, state, attempts, updated_at, fingerprint, intent_title,"
            " intent_labels, intent_at, content_parts) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(submission_id) DO UPDATE SET state = excluded.state, attempts = attempts + 1,"
            " error = '', updated_at = excluded.updated_at, fingerprint = excluded.fingerprint,"
            " intent_title = excluded.intent_title, intent_labels = excluded.intent_labels, intent_at = excluded.intent_at,"
            " content_parts = excluded.content_parts",
            (submission_id, INTENT, _now(), fingerprint, title, json.dumps(list(labels), ensure_ascii=False), at,
             json.dumps(parts, sort_keys=True) if parts is not None else ""),
        )

    def record_content(self, submission_id: str, parts: dict[str, str]) -> None:
        """What the post now holds (hashes of title, body, photo, labels, schedule)."""
        self.db.execute(
            "UPDATE publish_journal SET content_parts = ? WHERE submission_id = ?",
            (json.dumps(parts, sort_keys=True), submission_id),
        )

    def record_done(self, submission_id: str, post_id: str, post_url: str, post_status: str, published_at: str) -> None:
        self.db.execute(
            "INSERT INTO publish_journal (submission_id, state, attempts, post_id, post_url, post_status, published_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT(submission_id) DO UPDATE SET state = excluded.state,"
            " post_id = excluded.post_id, post_url = excluded.post_url, post_status = excluded.post_status,"
            " published_at = excluded.published_at, error = '', updated_at = excluded.updated_at",
            (submission_id, DONE, post_id, post_url, post_status, published_at, _now()),
        )

    def record_failed(self, submission_id: str, error: str) -> None:
        self.db.execute(
            "INSERT INTO publish_journal (submission_id, state, attempts, error, updated_at) VALUES (?, ?, 1, ?, ?)"
            " ON CONFLICT(submission_id) DO UPDATE SET state = excluded.state, error = excluded.error,"
            " updated_at = excluded.updated_at",
            (submission_id, FAILED, error, _now()),
        )

    def note_post_date(self, submission_id: str, published: str) -> None:
        """The date of a published post on Blogger, as the blog watch's listings start from it. Kept in
        ``intent_at``, which a finished publish no longer needs (a new intent overwrites it)."""
        self.db.execute(
            "UPDATE publish_journal SET intent_at = ? WHERE submission_id = ? AND state = ?", (published, submission_id, DONE)
        )

    def forget_post(self, submission_id: str, error: str) -> None:
        """The post was deleted in Blogger: nothing of it is kept, so approving the row again inserts a
        new post instead of updating one that is gone (issue 17)."""
        self.db.execute(
            "UPDATE publish_journal SET state = ?, post_id = '', post_url = '', post_status = '', published_at = '',"
            " content_parts = '', error = ?, updated_at = ? WHERE submission_id = ?",
            (FAILED, error, _now(), submission_id),
        )

    def record_reverted(self, submission_id: str) -> None:
        self.db.execute(
            "UPDATE publish_journal SET state = ?, post_status = ?, updated_at = ? WHERE submission_id = ?",
            (REVERTED, PostState.DRAFT.value, _now(), submission_id),
        )

    # --- photos ----------------------------------------------------------------------------

    def hosted_photo(self, source_id: str) -> tuple[str, str] | None:
        r = self.db.execute("SELECT hosted_id, url FROM photos WHERE source_id = ?", (source_id,)).fetchone()
        return (str(r[0]), str(r[1])) if r else None

    def record_photo(self, source_id: str, hosted_id: str, url: str) -> None:
        self.db.execute(
            "INSERT INTO photos VALUES (?, ?, ?) ON CONFLICT(source_id) DO UPDATE SET hosted_id = excluded.hosted_id, url = excluded.url",
            (source_id, hosted_id, url),
        )


    # --- processed photos (migration 2) --------------------------------------------------------

    def photo_source(self, source_id: str) -> PhotoSource | None:
        """What intake or publishing learnt from a form upload's bytes (None: never read)."""
        r = self.db.execute("SELECT * FROM photo_sources WHERE source_id = ?", (source_id,)).fetchone()
        if r is None:
            return None
        return PhotoSource(r["source_id"], r["sha256"], r["kind"], r["width"], r["height"], r["size"])

    def record_photo_source(self, source: PhotoSource) -> None:
        self.db.execute(
            "INSERT INTO photo_sources VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_id) DO UPDATE SET "
            "sha256 = excluded.sha256, kind = excluded.kind, width = excluded.width, height = excluded.height, "
            "size = excluded.size, checked_at = excluded.checked_at",
            (source.source_id, source.sha256, source.kind, source.width, source.height, source.size, _now()),
        )

    def photo_copy(self, copy_key: str, store: str) -> PhotoCopy | None:
        r = self.db.execute("SELECT * FROM photo_copies WHERE copy_key = ? AND store = ?", (copy_key, store)).fetchone()
        if r is None:
            return None
        return PhotoCopy(r["copy_key"], r["store"], r["sha256"], r["state"], r["location"], r["url"], r["width"], r["height"], r["size"])

    def record_photo_copy(self, copy: PhotoCopy) -> None:
        """Write the copy's state: 'intent' before uploading, 'hosted' once the store has it."""
        self.db.execute(
            "INSERT INTO photo_copies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(copy_key, store) DO UPDATE SET "
            "sha256 = excluded.sha256, state = excluded.state, location = excluded.location, url = excluded.url, "
            "width = excluded.width, height = excluded.height, size = excluded.size, updated_at = excluded.updated_at",
            (copy.copy_key, copy.store, copy.sha256, copy.state, copy.location, copy.url, copy.width, copy.height, copy.size, _now()),
        )

    def photo_copies(self, state: str = PHOTO_HOSTED, limit: int = 1000) -> list[PhotoCopy]:
        """Copies in ``state``, newest first (``check`` fetches one of them)."""
        rows = self.db.execute(
            "SELECT * FROM photo_copies WHERE state = ? ORDER BY updated_at DESC LIMIT ?", (state, limit)
        ).fetchall()
        return [PhotoCopy(r["copy_key"], r["store"], r["sha256"], r["state"], r["location"], r["url"], r["width"], r["height"], r["size"]) for r in rows]


class _Transaction:
    """``with ledger.transaction():`` — BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
