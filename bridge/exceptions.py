"""One exception tree for the whole bridge, grouped by what the caller should do.

::

    BridgeError                  root: catch this to catch everything we raise
    ├── RetriableError           try again later (429, 5xx, timeouts); the cycle backs off
    ├── FatalError               stop and tell a human (bad config, no access, missing tab)
    │   ├── ConfigError          the config file or environment is wrong
    │   ├── AuthError            no token, expired or revoked token, no permission
    │   ├── LedgerError          the local ledger file cannot be used (damaged, wrong owner, disk full)
    │   ├── NotFoundError        a spreadsheet the config names does not exist (a wrong id)
    │   ├── LeaseHeldError       another bridge writes this spreadsheet (its lease is live)
    │   └── SchemaError          the sheet's columns do not match what the bridge needs
    ├── AddressError             a message's address is unusable: reported once, never retried
    └── SubmissionError          skip this one item, record the reason, go on with the rest
        └── PublishError         one approved item could not be published (row becomes GAGAL)

Adapters translate vendor errors into these with ``raise ... from exc`` so that
nothing above the adapters ever sees a gspread or googleapiclient exception.
"""

from __future__ import annotations

from datetime import datetime


class BridgeError(Exception):
    """Root of every error the bridge raises on purpose."""


class RetriableError(BridgeError):
    """A temporary failure (rate limit, server error, timeout): retry with backoff."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LimitError(BridgeError):
    """Google refuses for the rest of the day (a daily request quota, or Blogger's posts-per-day limit):
    asking again within the day cannot help, so it is never retried; the caller waits for tomorrow."""


class FatalError(BridgeError):
    """A failure a human must fix before the bridge can go on."""


class ConfigError(FatalError):
    """The configuration is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], source: str = "config") -> None:
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s):\n{lines}")


class AuthError(FatalError):
    """Credentials are missing, expired, revoked or lack permission."""


class LedgerError(FatalError):
    """The local ledger (SQLite) cannot be opened or written: a person must fix the file on this
    machine (the message says how), so the CLI exits 2, which systemd does not restart on."""


class NotFoundError(FatalError):
    """A spreadsheet the config names does not exist for the bridge's account (HTTP 404): only an
    edit of the config fixes it, so the CLI exits 2, which systemd does not restart on. (No access,
    HTTP 403, stays a FatalError: an officer can share the file again and `run` resumes by itself.)"""


class LeaseHeldError(FatalError):
    """Another bridge (another machine, or another ledger on this one) holds the spreadsheet's lease:
    this one writes nothing. The message names the holder and how to take over; ``expires`` is
    when the lease lapses unless its holder renews it."""

    def __init__(self, message: str, *, expires: datetime | None = None) -> None:
        super().__init__(message)
        self.expires = expires


class SchemaError(FatalError):
    """A tab's header row does not carry the columns the bridge needs."""


class SubmissionError(BridgeError):
    """One submission cannot go on; the cycle records the reason and continues.

    Attributes:
        reason_id: the reason in Indonesian, written to the sheet for officers.
        reason_en: the same reason in English, for the log.
        submission_id: the Review ID or the source row, when known.
    """

    def __init__(self, reason_id: str, reason_en: str, *, submission_id: str = "") -> None:
        super().__init__(f"{submission_id}: {reason_en}" if submission_id else reason_en)
        self.reason_id = reason_id
        self.reason_en = reason_en
        self.submission_id = submission_id


class PublishError(SubmissionError):
    """A permanent publishing failure for one item; its Review row becomes GAGAL."""


class AddressError(BridgeError):
    """A message cannot reach its address (malformed, unknown): reported once, never retried."""
