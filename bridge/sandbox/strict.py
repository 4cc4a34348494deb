"""Where real Sheets refuses a write the grid alone would allow: limits, protection, strict dropdowns.

Called from the Sheets handlers (:mod:`bridge.sandbox.sheets`) before a write is applied;
every check raises :class:`~bridge.sandbox.errors.ApiError` 400 with Google's wording.

* 50,000 characters in a cell, 10,000,000 cells in a spreadsheet: "Files you can store in
  Google Drive" (https://support.google.com/drive/answer/37603), with the API's messages
  "Your input contains more than the maximum of 50000 characters in a single cell." and
  "This action would increase the number of cells in the workbook above the limit of
  10000000 cells." (as quoted by many public projects' error handlers).
* Protected ranges: only the spreadsheet owner and the range's ``editors`` may write there;
  anyone else gets "You are trying to edit a protected cell or object. Please contact the
  spreadsheet owner to remove protection if you need to edit." ("Protect, hide, and edit sheets",
  https://support.google.com/docs/answer/1218656; ProtectedRange.editors in the Sheets v4 reference).
  ``warningOnly`` ranges only warn in the UI: the API writes.
* A ``strict`` ONE_OF_LIST rule rejects other values written through the API, as the UI does
  ("Reject the input", https://support.google.com/docs/answer/186103). Empty cells are allowed.
  Values are compared exactly, letter case and spaces included. Whether Google accepts a list item
  written in another case (``disetujui`` for ``DISETUJUI``) is unknown to us: searching documentation,
  issue threads and Q&A pages found no source either way, and no recorded response (gspread's cassette
  ``WorksheetTest.test_add_validation`` shows a 400 for a malformed body, not for a value). Until a
  recorded response shows Google accepting it, the sandbox refuses it, the strict side for the bridge.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bridge.sandbox import a1
from bridge.sandbox.errors import ApiError, bad_request

MAX_CELL_CHARS = 50_000
MAX_CELLS = 10_000_000
CELL_TOO_LONG = "Your input contains more than the maximum of 50000 characters in a single cell."
TOO_MANY_CELLS = "This action would increase the number of cells in the workbook above the limit of 10000000 cells."
PROTECTED = ("You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove "
             "protection if you need to edit.")


def cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "formula" in value:
        return str(value["formula"])
    return ""


def check_cell_size(value: Any) -> None:
    if len(cell_text(value)) > MAX_CELL_CHARS:
        raise bad_request(CELL_TOO_LONG)


def cells_used(ss: dict[str, Any]) -> int:
    """Cells in the workbook's grids (what the 10M limit counts, empty cells included)."""
    return sum(int(s.get("rowCount", 0)) * int(s.get("columnCount", 0)) for s in ss.get("sheets", []))


def check_cell_limit(ss: dict[str, Any], prefix: str = "") -> None:
    if cells_used(ss) > MAX_CELLS:
        raise bad_request(prefix + TOO_MANY_CELLS)


def owner_of(ss: dict[str, Any], state: Any) -> str:
    from bridge.sandbox.oauth import default_account

    return str(ss.get("owner") or default_account(state))


def _covers(rng: dict[str, Any], r: int, c: int) -> bool:
    return (rng.get("startRowIndex", 0) <= r < rng.get("endRowIndex", 10**9)
            and rng.get("startColumnIndex", 0) <= c < rng.get("endColumnIndex", 10**9))


def may_edit(ss: dict[str, Any], pr: dict[str, Any], account: str, state: Any) -> bool:
    if not account or pr.get("warningOnly"):
        return True
    who = account.lower()
    if owner_of(ss, state).lower() == who:
        return True
    editors = pr.get("editors") or {}
    if who in {str(u).lower() for u in editors.get("users", [])}:
        return True
    return bool(editors.get("domainUsersCanEdit")) and who.split("@")[-1] == owner_of(ss, state).split("@")[-1]


def check_protected(ss: dict[str, Any], sheet: dict[str, Any], cells: Iterable[tuple[int, int]], account: str, state: Any) -> None:
    """400 when ``account`` may not write one of ``cells`` (row, column; 0-based) of ``sheet``."""
    ranges = [pr for pr in sheet.get("protectedRanges", []) if not may_edit(ss, pr, account, state)]
    if not ranges:
        return
    for r, c in cells:
        for pr in ranges:
            rng = dict(pr.get("range") or {})
            if _covers(rng, r, c) and not any(_covers(u, r, c) for u in pr.get("unprotectedRanges", []) or []):
                raise bad_request(PROTECTED)


def check_validation(sheet: dict[str, Any], r: int, c: int, stored: Any, locale: str) -> None:
    """400 when a strict ONE_OF_LIST rule on the cell does not list the value."""
    if a1.is_empty(stored):
        return
    for rule in sheet.get("dataValidation", []):
        rng, spec = rule.get("range", {}), rule.get("rule", {})
        if not spec.get("strict") or not _covers(rng, r, c):
            continue
        cond = spec.get("condition", {})
        if cond.get("type") != "ONE_OF_LIST":
            continue
        allowed = {str(v.get("userEnteredValue", "")) for v in cond.get("values", [])}
        shown = a1.render(stored, "FORMATTED_VALUE", "SERIAL_NUMBER", locale)
        if str(shown) not in allowed:
            ref = f"{a1.col_letters(c)}{r + 1}"
            raise ApiError(400, f"Invalid value at '{sheet['title']}'!{ref}: the data you entered ({str(shown)[:50]}) "
                                "violates the data validation rules set on this cell.")


__all__ = ["check_cell_size", "check_cell_limit", "check_protected", "check_validation", "cells_used", "MAX_CELLS"]
