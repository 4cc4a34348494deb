"""Where submissions sit *now* in the Review and Arsip tabs, just before writing to them.

Officers sort, filter and insert rows at any time, so a write never trusts the
row numbers of the cycle's first read: it looks the IDs up again, in one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.adapters.sheets import a1_tab, column_letter
from bridge.core import columns
from bridge.core.model import ReviewColumn
from bridge.cycle.context import CycleContext


@dataclass(frozen=True)
class IdRows:
    """Where each ID is now in a Review-shaped tab (Review or Arsip), and its column layout."""

    rows: dict[str, int]  # ID -> sheet row number (of copied rows, the upper one: see core.copies)
    index: dict[ReviewColumn, int]
    by_fingerprint: dict[str, int] | None = None  # fingerprint -> row number (only when asked for)
    copies: dict[str, tuple[int, ...]] = field(default_factory=dict)  # ID on several rows -> every row, ascending


def locate_ids(deps: CycleContext, tabs: list[str], fingerprints: dict[str, int] | None = None) -> dict[str, IdRows]:
    """Read where each ID sits now in ``tabs`` (officers may have sorted or moved things).

    One ``values.batchGet`` of each tab's header and column A; a second only for a
    tab whose ID column officers moved elsewhere. ``fingerprints`` (tab → the
    Sidik Jari column index as last read) adds that column to the same call, to
    find rows whose ID cell an officer cleared; it is used only if the header
    still says Sidik Jari there.
    """
    sid = deps.settings.review_spreadsheet_id
    fingerprints = fingerprints or {}
    ranges = [r for tab in tabs for r in (f"{a1_tab(tab)}!1:1", f"{a1_tab(tab)}!A:A")]
    fp_tabs = [tab for tab in tabs if tab in fingerprints]
    ranges += [f"{a1_tab(tab)}!{column_letter(fingerprints[tab])}:{column_letter(fingerprints[tab])}" for tab in fp_tabs]
    values = deps.sheets.batch_get(sid, ranges)
    headers = {tab: values[2 * n] for n, tab in enumerate(tabs)}
    id_cols = {tab: values[2 * n + 1] for n, tab in enumerate(tabs)}
    fp_cols = {tab: values[2 * len(tabs) + n] for n, tab in enumerate(fp_tabs)}
    index = {tab: columns.review_header_index([str(h) for h in (headers[tab][0] if headers[tab] else [])])[0] for tab in tabs}
    moved = [tab for tab in tabs if index[tab].get(ReviewColumn.ID, 0) != 0]
    if moved:
        letters = {tab: column_letter(index[tab][ReviewColumn.ID]) for tab in moved}
        again = deps.sheets.batch_get(sid, [f"{a1_tab(tab)}!{letters[tab]}:{letters[tab]}" for tab in moved])
        id_cols.update(zip(moved, again, strict=True))
    def by_fp(tab: str) -> dict[str, int] | None:
        if tab not in fp_cols or index[tab].get(ReviewColumn.FINGERPRINT) != fingerprints[tab]:
            return None
        return {columns.cell_text(r[0]).strip(): n for n, r in enumerate(fp_cols[tab], start=1)
                if n > 1 and r and columns.cell_text(r[0]).strip()}

    def where(tab: str) -> dict[str, list[int]]:
        rows: dict[str, list[int]] = {}
        for n, r in enumerate(id_cols[tab], start=1):
            text = columns.cell_text(r[0]).strip() if r else ""  # as every read spells it (TRUE, 12345)
            if n > 1 and text:
                rows.setdefault(text, []).append(n)
        return rows

    found = {tab: where(tab) for tab in tabs}
    return {
        tab: IdRows(
            rows={i: ns[0] for i, ns in found[tab].items()},
            index=index[tab],
            by_fingerprint=by_fp(tab),
            copies={i: tuple(ns) for i, ns in found[tab].items() if len(ns) > 1},
        )
        for tab in tabs
    }
