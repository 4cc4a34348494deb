"""Cycle state: the small values the bridge keeps between cycles, each a typed attribute.

They live in the ``meta`` table as ``key → text``; this module is the only one that knows the
keys and how each value is written. A reader gets the value's real type (a datetime, an int, a
dict); an empty value, or one that cannot be read (edited by hand, written by a future
version), reads as the attribute's empty value (``None``, ``0``, ``{}``...), which every caller
treats as "not known yet". Assigning the empty value clears the key.

Each assignment is one statement: durable on its own, or part of the caller's
``ledger.transaction()``. The per-tab watermark and header map (their own tables) are here too.
"""

from __future__ import annotations

import copy
import json
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar, overload

from bridge.adapters.ledger.schema import now_text
from bridge.core.digest import DigestRecord
from bridge.core.lease import Record

T = TypeVar("T")


@dataclass(frozen=True)
class Rebuild:
    """A ledger rebuild on record whose first whole read has not finished: responses received
    before ``cutoff`` were already in the sheet (None: the sheet held none)."""

    cutoff: datetime | None


class _Key(Generic[T]):
    """One meta key: text in the table, ``T`` to callers (see the module doc)."""

    def __init__(self, key: str, read: Callable[[str], T], write: Callable[[T], str], empty: T) -> None:
        self.key, self.read, self.write, self.empty = key, read, write, empty

    @overload
    def __get__(self, state: None, owner: type) -> _Key[T]: ...
    @overload
    def __get__(self, state: CycleState, owner: type) -> T: ...

    def __get__(self, state: CycleState | None, owner: type) -> _Key[T] | T:
        if state is None:
            return self
        text = state._get(self.key)
        try:
            if text:
                return self.read(text)
        except (ValueError, TypeError, KeyError, AttributeError):
            pass
        return copy.copy(self.empty)  # a caller may fill an empty dict and assign it back

    def __set__(self, state: CycleState, value: T) -> None:
        state._set(self.key, "" if value == self.empty else self.write(value))


def _text(key: str) -> _Key[str]:
    return _Key(key, str, str, "")


def _count(key: str) -> _Key[int]:
    return _Key(key, int, str, 0)


def _flag(key: str) -> _Key[bool]:
    return _Key(key, lambda t: t == "1", lambda v: "1", False)


def _time(key: str) -> _Key[datetime | None]:
    """An ISO 8601 time, as ``datetime.isoformat`` writes it (aware: WITA or UTC, as the clock gave it)."""

    def write(value: datetime | None) -> str:
        return value.isoformat() if value is not None else ""

    return _Key(key, datetime.fromisoformat, write, None)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _object(text: str) -> dict[str, Any]:
    found = json.loads(text)
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


def _mapping(key: str) -> _Key[dict[str, Any]]:
    """A JSON object."""
    return _Key(key, _object, _json, {})


def _texts(key: str) -> _Key[dict[str, str]]:
    return _Key(key, lambda t: {str(k): str(v) for k, v in _object(t).items()}, _json, {})


def _versions(key: str) -> _Key[dict[str, int] | None]:
    """Drive versions by spreadsheet id (None: none remembered)."""
    return _Key(key, lambda t: {str(k): int(v) for k, v in _object(t).items()}, _json, None)


def _list(text: str) -> list[str]:
    found = json.loads(text)
    if not isinstance(found, list):
        raise ValueError("not a JSON list")
    return [str(v) for v in found]


def _failure(text: str) -> tuple[datetime, str] | None:
    data = _object(text)
    return datetime.fromisoformat(str(data["at"])), str(data.get("kind", ""))


def _write_failure(value: tuple[datetime, str] | None) -> str:
    return _json({"at": value[0].isoformat(), "kind": value[1]}) if value is not None else ""


def _rebuild(text: str) -> Rebuild | None:
    if text == "-":
        return Rebuild(None)
    try:
        return Rebuild(datetime.fromisoformat(text))
    except ValueError:
        return Rebuild(None)  # on record, its cutoff unreadable: as with none


def _write_rebuild(value: Rebuild | None) -> str:
    if value is None:
        return ""
    return value.cutoff.isoformat() if value.cutoff is not None else "-"


def _days(text: str) -> dict[str, date]:
    return {str(k): date.fromisoformat(str(v)) for k, v in _object(text).items()}


def _write_days(value: dict[str, date]) -> str:
    return _json({k: v.isoformat() for k, v in sorted(value.items())})


def _delivery(text: str) -> tuple[str, str]:
    state, _, detail = text.partition(" ")
    return state, detail


def _write_delivery(state: str, detail: str) -> str:
    return f"{state} {detail}" if state and detail else state


class CycleState:
    """Every value a cycle keeps for the next ones (``ledger.state``)."""

    # --- the ledger's identity (issue 17): the spreadsheet's record names the ledger that wrote it last
    generation = _count("ledger_gen")
    """The generation this ledger last wrote to the spreadsheet's record (or was about to)."""

    # --- reading the sheet (pipeline, snapshot, intake, tabs)
    last_full_scan = _time("last_full_scan")
    """When the responses tab was last read whole (the daily full scan)."""
    fingerprint_scheme = _count("fingerprint_scheme")
    """The fingerprint scheme every response in the tab was last read whole under (0: before issue 17)."""
    intake_started = _time("intake_started")
    """When intake first finished on this ledger (None: a new or lost ledger, rebuilt first)."""
    rebuild = _Key("rebuild_cutoff", _rebuild, _write_rebuild, None)
    """A rebuild whose first whole read has not finished yet."""
    sheet_versions = _versions("sheet_versions")
    """Each spreadsheet's Drive version after the last real cycle (issue 13's change signal)."""
    quiet_until = _time("quiet_until")
    """Up to when an unchanged spreadsheet needs no read (None: the next cycle reads)."""
    review_layout = _Key[list[str] | None]("review_layout", _list, _json, None)
    """Review's header row as last read whole (its ID and Status columns are read by it)."""
    review_read_whole = _time("review_read_whole")
    """When Review was last read whole."""
    tab_titles = _texts("tab_titles")
    """Each tab's title by its role, as last found (a rename is logged once)."""
    kim_channel_problems = _Key[list[str]]("kim_channel_problems", _list, _json, [])
    """The KIM tab's unusable channel cells as last logged (each is logged once)."""
    kim_last_accepted = _Key[dict[str, date]]("kim_last_accepted", _days, _write_days, {})
    """Each KIM's (by key) latest day with an approved item (partnership alerts)."""

    # --- the lease on the spreadsheet (cycle/lease.py)
    lease_record = _Key[Record | None]("lease_record", Record.parse, lambda r: r.to_json() if r else "", None)
    """The spreadsheet's lease record as this bridge last wrote or read it."""
    handover_until = _time("handover_until")
    """Before this time no new post is inserted (the previous holder's last insert may land)."""
    handover_scan = _flag("handover_scan")
    """The blog must be scanned for every approved item's marker before inserting."""
    standby_until = _time("standby_until")
    """While standing by: when the holder's lease expires."""
    standby_versions = _versions("standby_versions")
    """While standing by: the Drive versions when the standby last looked."""

    # --- Blogger and the blog
    blogger_paused_until = _time("blogger_paused_until")
    """Blogger refused more posts today: nothing is sent to it before this time."""
    draft_checked = _time("draft_check_at")
    """When draft-mode posts were last looked up."""
    draft_turn = _text("draft_check_last")
    """The item whose draft was looked up last: the next check starts after it (bridge.core.turns)."""
    blog_checked = _time("blog_check_at")
    """When the blog was last compared with the published rows (issue 17)."""
    blog_watching = _count("blog_watching")
    """How many posts that comparison looked at (0: an idle cycle need not wake for it)."""

    # --- photos
    upload_root = _text("photos.upload_root")
    """The form's upload folder, as learnt from a response's photo ('' when not learnt)."""

    # --- officers, IT and reports
    revisions_pending = _mapping("revisions_pending")
    """Resubmissions of items sent back for revision, by item ID, until their rows are written."""
    health_shown = _mapping("health_shown")
    """What the Status Bridge tab last showed (its key, time and last publish)."""
    digest_record = _Key[DigestRecord | None]("digest_record", DigestRecord.parse,
                                              lambda r: r.to_json() if r else "", None)
    """The spreadsheet's digest record as last read or written."""
    last_failure = _Key("last_cycle_failure", _failure, _write_failure, None)
    """(when, kind) of the last cycle that could not work (the digest's health section)."""
    grant_warned = _text("grant_expiry_warned_for")
    """The OAuth consent IT was last warned about (its time, ISO)."""
    monthly_report = _text("monthly_report_written")
    """The key of the last monthly report period written."""
    python_support_warning = _text("python_support_warning")
    """google.api_core's Python-support warning as last logged."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _get(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else ""

    def _set(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, value))

    @classmethod
    def keys(cls) -> dict[str, str]:
        """Attribute name → meta key, for every typed value above."""
        return {name: v.key for name, v in vars(cls).items() if isinstance(v, _Key)}

    # --- the ledger's id: made on first use -----------------------------------------------------

    @property
    def ledger_id(self) -> str:
        """This ledger's random id ('' until :meth:`own_id` makes one; again after a reset)."""
        return self._get("ledger_id")

    def own_id(self) -> str:
        """This ledger's random id, made now if it has none (the lease's record names it)."""
        current = self.ledger_id
        if not current:
            current = secrets.token_hex(8)
            self._set("ledger_id", current)
        return current

    # --- values kept per submission, recipient or folder ----------------------------------------

    def notice(self, sub_id: str, event: str) -> tuple[str, str]:
        """(state, detail) of an operator message (``bridge.cycle.notify``): ('', '') when none was tried."""
        return _delivery(self._get(f"notice:{sub_id}:{event}"))

    def set_notice(self, sub_id: str, event: str, state: str, detail: str = "") -> None:
        """Record an operator message's state ('' forgets it: the message is sent again when due)."""
        self._set(f"notice:{sub_id}:{event}", _write_delivery(state, detail))

    def digest_delivery(self, sending: str, recipient: int) -> tuple[str, str]:
        """(state, detail) of one recipient's copy of a digest being sent ('', '') when not tried."""
        return _delivery(self._get(f"digest:{sending}:{recipient}"))

    def set_digest_delivery(self, sending: str, recipient: int, state: str, detail: str = "") -> None:
        self._set(f"digest:{sending}:{recipient}", _write_delivery(state, detail))

    def upload_folders(self, root: str) -> set[str]:
        """The folders found inside the upload folder ``root`` before (kept per root)."""
        try:
            return set(_list(self._get(f"photos.upload_folders:{root}") or "[]"))
        except ValueError:
            return set()

    def set_upload_folders(self, root: str, folders: set[str]) -> None:
        self._set(f"photos.upload_folders:{root}", _json(sorted(folders)))

    # --- where intake stands in each tab (their own tables) -------------------------------------

    def watermark(self, tab: str) -> tuple[int, str] | None:
        """(row, fingerprint) of the last response read in ``tab``."""
        r = self._db.execute("SELECT row, fingerprint FROM watermark WHERE tab = ?", (tab,)).fetchone()
        return (int(r[0]), str(r[1])) if r else None

    def set_watermark(self, tab: str, row: int, fingerprint: str) -> None:
        self._db.execute(
            "INSERT INTO watermark VALUES (?, ?, ?, ?) ON CONFLICT(tab) DO UPDATE SET row = excluded.row,"
            " fingerprint = excluded.fingerprint, updated_at = excluded.updated_at",
            (tab, row, fingerprint, now_text()),
        )

    def header_map(self, tab: str) -> str | None:
        """The tab's header map (JSON, :class:`bridge.core.columns.HeaderMap`) as last learnt."""
        r = self._db.execute("SELECT json FROM header_maps WHERE tab = ?", (tab,)).fetchone()
        return str(r[0]) if r else None

    def set_header_map(self, tab: str, data: str) -> None:
        self._db.execute(
            "INSERT INTO header_maps VALUES (?, ?, ?) ON CONFLICT(tab) DO UPDATE SET json = excluded.json,"
            " updated_at = excluded.updated_at",
            (tab, data, now_text()),
        )


__all__ = ["CycleState", "Rebuild"]
