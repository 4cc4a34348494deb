"""The ledger file: one SQLite connection, its migrations and transactions, and the concerns over it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bridge.adapters.ledger.blog_posts import BlogPosts
from bridge.adapters.ledger.ids import SubmissionIds
from bridge.adapters.ledger.journal import PublishJournal
from bridge.adapters.ledger.photos import Photos
from bridge.adapters.ledger.schema import migrate as _migrate
from bridge.adapters.ledger.state import CycleState
from bridge.adapters.ledger.submissions import Submissions
from bridge.exceptions import BridgeError, LedgerError, RetriableError


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


class Ledger:
    """One SQLite file (or ``:memory:``) and its concerns, each an attribute over the same connection:

    - ``state``: values kept between cycles (typed), intake's watermark and header maps;
    - ``submissions``: queued and skipped responses, their fingerprints and Review row copies;
    - ``ids``: submission IDs;
    - ``journal``: the publish journal;
    - ``blog_posts``: posts found on the blog whose rows are in neither tab;
    - ``photos``: photo sources and hosted copies.

    ``with ledger.transaction():`` spans any of them.
    """

    state: CycleState
    ids: SubmissionIds
    submissions: Submissions
    journal: PublishJournal
    blog_posts: BlogPosts
    photos: Photos

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
            self._concerns()
            self.migrate()
            self.db.execute("BEGIN IMMEDIATE")  # fail now, not in the middle of a cycle, if it is read-only
            self.db.execute("ROLLBACK")
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "db", None) is not None:
                self.db.close()
            raise cannot_open(self.path, exc) from exc

    def _concerns(self) -> None:
        """The concerns over this connection (one transaction spans any of them)."""
        self.state = CycleState(self.db)
        self.ids = SubmissionIds(self.db)
        self.submissions = Submissions(self.db, self.ids)
        self.journal = PublishJournal(self.db)
        self.blog_posts = BlogPosts(self.db)
        self.photos = Photos(self.db)

    def close(self) -> None:
        """Close the connection (every concern with it)."""
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

    def migrate(self) -> int:
        """Apply pending migrations; returns the schema version."""
        return _migrate(self.db)

    def transaction(self) -> _Transaction:
        """``with ledger.transaction():`` all or nothing of what the block writes, in any concern."""
        return _Transaction(self.db)

    def is_empty(self) -> bool:
        """True for a new (or lost) ledger: nothing queued, skipped or watermarked yet."""
        row = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM submissions) + (SELECT COUNT(*) FROM skipped) + (SELECT COUNT(*) FROM watermark)"
        ).fetchone()
        return int(row[0]) == 0

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


class _Transaction:
    """``with ledger.transaction():`` — BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
