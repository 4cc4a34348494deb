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

Posts are stored exactly as the Blogger API returns them (``kind``, ``id``, ``status``
LIVE/DRAFT/SCHEDULED/SOFT_TRASHED, ``published``, ``url``, ``labels``, ...). Every key is
optional except the ids; ``rowCount``/``columnCount`` default to 1000 x 26.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bridge.clock import Clock, system_clock

DEFAULT_ROWS = 1000
DEFAULT_COLS = 26


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

    @classmethod
    def from_json(cls, data: dict[str, Any], clock: Clock | None = None) -> "SandboxState":
        return cls(data, clock=clock)

    def now(self) -> datetime:
        """The sandbox's current time (aware, UTC)."""
        return self.clock().astimezone(timezone.utc)

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.data)

    def replace(self, data: dict[str, Any]) -> None:
        """Swap in a whole new state (``POST /_sandbox/state``)."""
        with self.lock:
            self._install(copy.deepcopy(data))

    @classmethod
    def load(cls, path: str | os.PathLike[str], clock: Clock | None = None) -> "SandboxState":
        with open(path, encoding="utf-8") as fh:
            return cls(json.load(fh), clock=clock)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state atomically (temp file in the same folder + os.replace)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self.lock:
            text = json.dumps(self.data, ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=".sandbox-", suffix=".json", dir=str(target.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

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
