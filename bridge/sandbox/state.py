"""Everything the sandbox knows, as one JSON document guarded by one lock.

State JSON (``SandboxState.to_json()`` / ``--state FILE``)::

    {"spreadsheets": [{"id": "...", "title": "...", "locale": "in_ID", "timeZone": "Asia/Makassar",
       "sheets": [{"sheetId": 0, "title": "Form Responses 1", "rowCount": 1000, "columnCount": 26,
                   "frozenRowCount": 1, "hidden": false,
                   "rows": [["Timestamp", "..."],
                            [{"datetime": "2026-11-22T10:00:00"}, "text", 3, {"formula": "=1+1"}]],
                   "protectedRanges": [], "dataValidation": [], "charts": []}]}],
     "blogs": [{"id": "...", "name": "...", "url": "https://kimbalangan.blogspot.com/",
                "timeZone": "Asia/Makassar", "posts": [{...Blogger v3 Post...}]}],
     "drive": {"files": [{"id": "...", "name": "...", "mimeType": "image/png", "owner": "a@b.c",
                          "parents": [], "permissions": [], "content_b64": "..."}]},
     "auth": {"rejected_tokens": []}}

Cells in ``rows`` are JSON strings, numbers, booleans, ``null``/``""`` (empty),
``{"formula": "=..."}``, ``{"datetime": "2026-11-22T10:00:00"}`` (naive, local to the
spreadsheet's ``timeZone``) or ``{"date": "2025-01-15"}`` (a date without time, what
USER_ENTERED makes of ``2025-01-15``). Rows may be ragged (shorter than the grid).

A spreadsheet's optional ``developerMetadata`` is a list of Sheets ``DeveloperMetadata`` objects as
the API returns them (``metadataId``, ``metadataKey``, ``metadataValue``, ``visibility``, ``location``
with ``locationType`` SPREADSHEET or SHEET + ``sheetId``); see :mod:`bridge.sandbox.devmeta`.

A spreadsheet's optional ``version`` (int) and ``modifiedTime`` (RFC 3339) are its Drive
file's: every write moves them on (:meth:`SandboxState.touch`); Drive ``files.get`` serves them.

With ``--state FILE`` the file is a snapshot plus ``FILE.journal``: each Sheets write appends
one JSON line with the rows it changed (:meth:`SandboxState.persist`); anything else, a clean
stop, or a journal bigger than the snapshot rewrites the snapshot atomically.

Posts are stored exactly as the Blogger API returns them (``kind``, ``id``, ``status``
LIVE/DRAFT/SCHEDULED/SOFT_TRASHED, ``published``, ``url``, ``labels``, ...). Every key is
optional except the ids; ``rowCount``/``columnCount`` default to 1000 x 26.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bridge.clock import Clock, system_clock

DEFAULT_ROWS = 1000
DEFAULT_COLS = 26
#: Key of the snapshot's journal generation in the state file (not part of the state).
JOURNAL_KEY = "_journal_generation"
#: The journal is folded into a new snapshot once it holds this many bytes (or the snapshot's size).
JOURNAL_MIN_COMPACT = 64 * 1024 * 1024


def drive_time(when: datetime) -> str:
    """An RFC 3339 UTC time with milliseconds, as Drive writes ``modifiedTime``."""
    stamp = when.astimezone(UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _common_ends(a: list[Any], b: list[Any]) -> tuple[int, int]:
    """How many rows ``a`` and ``b`` share at the start and (not overlapping) at the end.

    Compared in slices, so the comparison runs in C: a row the write did not touch is the
    same object in both lists and compares by identity; a row copied but left equal is equal.
    """
    top = min(len(a), len(b))
    lo = 0
    while lo + _STEP <= top and a[lo:lo + _STEP] == b[lo:lo + _STEP]:
        lo += _STEP
    while lo < top and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi + _STEP <= top - lo and a[len(a) - hi - _STEP:len(a) - hi] == b[len(b) - hi - _STEP:len(b) - hi]:
        hi += _STEP
    while hi < top - lo and a[len(a) - 1 - hi] == b[len(b) - 1 - hi]:
        hi += 1
    return lo, hi


_STEP = 2048


class NotFound(KeyError):
    """A spreadsheet, sheet, blog, post or file does not exist."""


def _norm_sheet(sheet: dict[str, Any], index: int) -> dict[str, Any]:
    sheet.setdefault("sheetId", index)
    sheet.setdefault("title", f"Sheet{index + 1}")
    sheet.setdefault("rowCount", DEFAULT_ROWS)
    sheet.setdefault("columnCount", DEFAULT_COLS)
    sheet.setdefault("rows", [])
    for key in ("protectedRanges", "dataValidation", "charts"):
        sheet.setdefault(key, [])
    sheet["rows"] = [list(r) if isinstance(r, list) else [] for r in sheet["rows"]]
    width = max((len(r) for r in sheet["rows"]), default=0)
    sheet["rowCount"] = max(int(sheet["rowCount"]), len(sheet["rows"]))
    sheet["columnCount"] = max(int(sheet["columnCount"]), width)
    return sheet


class SandboxState:
    """Thread-safe holder of the sandbox's spreadsheets, blogs, Drive files and auth settings."""

    def __init__(self, data: dict[str, Any] | None = None, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        # Every handler that reads the time asks this clock (issue 8): in tests it is the
        # bridge's own clock, so a scheduled post goes LIVE when the shared clock says so.
        self.clock: Clock = clock or system_clock
        self.data: dict[str, Any] = {}
        #: Set by a server that persists (``--state FILE``): sheet writes then record what they
        #: changed, and :meth:`persist` appends that to ``FILE.journal`` instead of rewriting FILE.
        self.journaling = False
        #: JSON lines waiting for :meth:`persist`; ``None`` = a change no line describes (full save).
        self._pending: list[str] | None = None
        self._generation = ""
        self._journal_bytes = 0
        self._snapshot_bytes = 0
        self._install(copy.deepcopy(data or {}))

    # -- (de)serialisation -------------------------------------------------
    def _install(self, data: dict[str, Any]) -> None:
        data.setdefault("spreadsheets", [])
        data.setdefault("blogs", [])
        data.setdefault("drive", {})
        data["drive"].setdefault("files", [])
        data.setdefault("auth", {})
        data["auth"].setdefault("rejected_tokens", [])
        for ss in data["spreadsheets"]:
            ss.setdefault("title", "Untitled spreadsheet")
            ss.setdefault("locale", "en_US")
            ss.setdefault("timeZone", "Etc/GMT")
            ss.setdefault("sheets", [])
            for i, sheet in enumerate(ss["sheets"]):
                _norm_sheet(sheet, i)
        for blog in data["blogs"]:
            blog.setdefault("name", "Blog")
            blog.setdefault("url", f"https://blog{blog['id']}.blogspot.com/")
            blog.setdefault("timeZone", "Asia/Makassar")
            blog.setdefault("posts", [])
        for f in data["drive"]["files"]:
            f.setdefault("mimeType", "application/octet-stream")
            f.setdefault("parents", [])
            f.setdefault("permissions", [])
            f.setdefault("content_b64", "")
        with self.lock:
            self.data = data
            self._pending = None

    @classmethod
    def from_json(cls, data: dict[str, Any], clock: Clock | None = None) -> SandboxState:
        return cls(data, clock=clock)

    def now(self) -> datetime:
        """The sandbox's current time (aware, UTC)."""
        return self.clock().astimezone(UTC)

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.data)

    def replace(self, data: dict[str, Any]) -> None:
        """Swap in a whole new state (``POST /_sandbox/state``)."""
        with self.lock:
            self._install(copy.deepcopy(data))

    @classmethod
    def load(cls, path: str | os.PathLike[str], clock: Clock | None = None) -> SandboxState:
        """Read a state file and replay the writes its journal (``FILE.journal``) recorded since."""
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        generation = str(data.pop(JOURNAL_KEY, "")) if isinstance(data, dict) else ""
        state = cls(data, clock=clock)
        if generation:
            state._replay(Path(f"{os.fspath(path)}.journal"), generation)
        return state

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the whole state atomically (temp file in the same folder + os.replace); starts a new journal."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        generation = secrets.token_hex(8)
        with self.lock:
            text = json.dumps({**self.data, JOURNAL_KEY: generation}, ensure_ascii=False, indent=1)
            self._pending = []
            self._generation = generation
            self._journal_bytes = 0
            self._snapshot_bytes = len(text)
        fd, tmp = tempfile.mkstemp(prefix=".sandbox-", suffix=".json", dir=str(target.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            with self.lock:
                self._pending = None
            raise
        # Lines of the old generation left by a crash right here are ignored on load.
        Path(f"{target}.journal").unlink(missing_ok=True)

    def persist(self, path: str | os.PathLike[str]) -> None:
        """Make the file at ``path`` hold the current state, at a cost in proportion to what changed.

        Sheet writes are appended to ``path.journal`` as one JSON line each (the rows that
        changed); anything else, or a journal grown past the snapshot's size, rewrites the
        snapshot. A crash mid-append leaves a torn last line, which :meth:`load` drops: the
        file pair always loads as a state the sandbox acknowledged, or the one just before.
        """
        with self.lock:
            pending = self._pending
            if pending is None or not self._generation or self._journal_bytes > max(JOURNAL_MIN_COMPACT, self._snapshot_bytes):
                self.save(path)
                return
            if not pending:
                return
            text = "".join(line + "\n" for line in pending)
            with open(f"{os.fspath(path)}.journal", "a", encoding="utf-8") as fh:
                fh.write(text)
            self._journal_bytes += len(text)
            self._pending = []

    def changed(self) -> None:
        """Note a change no journal line describes: the next :meth:`persist` writes the whole state."""
        with self.lock:
            self._pending = None

    def journal_rows(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Record how a sheet write turned spreadsheet ``before`` into ``after`` (rows shared where unchanged)."""
        if not self.journaling:
            return
        with self.lock:
            if self._pending is None:
                return
            old_ids = [s["sheetId"] for s in before["sheets"]]
            if old_ids != [s["sheetId"] for s in after["sheets"]]:
                self._pending = None  # a tab added, deleted or moved: rare, save it whole
                return
            sheets = []
            for old, new in zip(before["sheets"], after["sheets"], strict=True):
                a, b = old["rows"], new["rows"]
                lo, hi = _common_ends(a, b)
                meta = {k: v for k, v in new.items() if k != "rows"}
                if lo + hi == len(a) == len(b) and meta == {k: v for k, v in old.items() if k != "rows"}:
                    continue
                sheets.append({"sheetId": new["sheetId"], "meta": meta, "start": lo, "end": len(a) - hi,
                               "rows": b[lo:len(b) - hi]})
            line = {"gen": self._generation, "id": after["id"],
                    "meta": {k: v for k, v in after.items() if k != "sheets"}, "sheets": sheets}
            self._pending.append(json.dumps(line, ensure_ascii=False, separators=(",", ":")))

    def _replay(self, journal: Path, generation: str) -> None:
        try:
            lines = journal.read_text(encoding="utf-8").split("\n")
        except FileNotFoundError:
            return
        for text in lines:
            try:
                entry = json.loads(text)
            except ValueError:
                break  # the torn last line of a crash (or the empty tail): nothing after it was acknowledged
            if entry.get("gen") != generation:
                continue
            ss = self.spreadsheet(entry["id"])
            for key in [k for k in ss if k != "sheets"]:
                del ss[key]
            ss.update(entry["meta"])
            by_id = {s["sheetId"]: s for s in ss["sheets"]}
            for change in entry["sheets"]:
                sheet = by_id[change["sheetId"]]
                rows = sheet["rows"]
                sheet.clear()
                sheet.update(change["meta"])
                rows[change["start"]:change["end"]] = change["rows"]
                sheet["rows"] = rows
        self._journal_bytes = journal.stat().st_size
        self._snapshot_bytes = len(json.dumps(self.data, ensure_ascii=False, separators=(",", ":")))
        self._generation = generation
        self._pending = []

    # -- lookups (return live objects; callers hold .lock when mutating) ---
    def spreadsheet(self, spreadsheet_id: str) -> dict[str, Any]:
        with self.lock:
            for ss in self.data["spreadsheets"]:
                if ss["id"] == spreadsheet_id:
                    return ss
        raise NotFound(spreadsheet_id)

    def sheet(self, spreadsheet_id: str, title: str) -> dict[str, Any]:
        with self.lock:
            for sh in self.spreadsheet(spreadsheet_id)["sheets"]:
                if sh["title"] == title:
                    return sh
        raise NotFound(title)

    def touch(self, spreadsheet: dict[str, Any]) -> None:
        """Record a change to a spreadsheet file as Drive does: ``version`` + 1, ``modifiedTime`` = now.

        Drive v3's files resource documents ``version`` as "a monotonically increasing version
        number for the file" that "reflects every change made to the file on the server, even
        those not visible to the user", and ``modifiedTime`` as "the last time the file was
        modified by anyone" (https://developers.google.com/drive/api/reference/rest/v3/files).
        Every sandbox write to a spreadsheet calls this; Drive ``files.get`` serves both fields.
        """
        with self.lock:
            spreadsheet["version"] = int(spreadsheet.get("version", 1)) + 1
            spreadsheet["modifiedTime"] = drive_time(self.now())

    def sheet_rows(self, spreadsheet_id: str, title: str) -> list[list[Any]]:
        """A copy of the stored cells of one tab (ragged rows, JSON cell values)."""
        with self.lock:
            return copy.deepcopy(self.sheet(spreadsheet_id, title)["rows"])

    def set_sheet_rows(self, spreadsheet_id: str, title: str, rows: list[list[Any]]) -> None:
        """Replace a tab's cells; the grid grows to fit."""
        with self.lock:
            sheet = self.sheet(spreadsheet_id, title)
            sheet["rows"] = copy.deepcopy([list(r) for r in rows])
            _norm_sheet(sheet, 0)
            self._pending = None
            self.touch(self.spreadsheet(spreadsheet_id))  # what a form submission or an officer's edit does

    def blog(self, blog_id: str) -> dict[str, Any]:
        with self.lock:
            for blog in self.data["blogs"]:
                if blog["id"] == blog_id:
                    return blog
        raise NotFound(blog_id)

    def posts(self, blog_id: str) -> list[dict[str, Any]]:
        """A copy of every post of a blog (all statuses), in stored order."""
        with self.lock:
            return copy.deepcopy(self.blog(blog_id)["posts"])

    def drive_file(self, file_id: str) -> dict[str, Any]:
        """The stored Drive file record (live object: content in ``content_b64``)."""
        with self.lock:
            for f in self.data["drive"]["files"]:
                if f["id"] == file_id:
                    return f
        raise NotFound(file_id)

    def rejected_tokens(self) -> list[str]:
        with self.lock:
            return list(self.data.get("auth", {}).get("rejected_tokens", []))


__all__ = ["SandboxState", "NotFound", "DEFAULT_ROWS", "DEFAULT_COLS"]
