"""`init` keeps the Review protection's editors equal to ``[sheets] officers`` (plus the bridge).

Google lists a protected range's editors in ``protectedRanges[].editors.users``; changing
``[sheets] officers`` later must change them too (``updateProtectedRange`` with
``fields=editors``), or a new officer cannot correct a cell and a departed one still can.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.cycle.context import CycleContext

EXAMPLE_DOMAINS = ("example.go.id", "example.com", "example.org")


def example_officers(officers: Sequence[str]) -> list[str]:
    """Officer addresses copied from config/bridge.example.toml (they reach nobody)."""
    return [o for o in officers if o.lower().rsplit("@", 1)[-1] in EXAMPLE_DOMAINS]


def protected_ranges(deps: CycleContext, spreadsheet_id: str, sheet_id: int) -> list[dict[str, Any]]:
    """The tab's protected ranges with their editors (one spreadsheets.get)."""
    return deps.sheets.protected_ranges(spreadsheet_id, sheet_id)


def editor_updates(
    ranges: list[dict[str, Any]], officers: Sequence[str], bridge_account: str, description: str
) -> list[dict[str, Any]]:
    """``updateProtectedRange`` requests for the bridge's ranges whose editors differ from the officers."""
    wanted = list(dict.fromkeys([*officers, *([bridge_account] if bridge_account else [])]))
    requests = []
    for pr in ranges:
        if pr.get("description") != description:
            continue  # a protection the office made itself: not ours to change
        current = {u.lower() for u in (pr.get("editors") or {}).get("users", [])}
        # Without the bridge's own account we cannot tell which current editor is the bridge itself:
        # then only add, never remove.
        desired = {u.lower() for u in wanted} if bridge_account else current | {u.lower() for u in officers}
        if current != desired:
            users = wanted if bridge_account else sorted(current | {u.lower() for u in officers})
            requests.append({"updateProtectedRange": {
                "protectedRange": {"protectedRangeId": pr["protectedRangeId"], "editors": {"users": users}},
                "fields": "editors",
            }})
    return requests


__all__ = ["example_officers", "protected_ranges", "editor_updates"]
