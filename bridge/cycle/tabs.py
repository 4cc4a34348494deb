"""The Review, Arsip and KIM tabs, found by identity rather than by name (issue 17).

Each tab the bridge makes or first finds by its configured name gets a Sheets developer metadata
tag on it (``mymein.tab`` = ``review`` / ``arsip`` / ``kim``). Google keeps the tag on the tab
itself (its ``sheetId``): officers cannot see or edit it, it follows the tab when the tab is renamed
or moved, and it goes when the tab is deleted
(https://developers.google.com/workspace/sheets/api/guides/metadata). The tags come with the
spreadsheet's tab list the adapter already reads and caches (:meth:`SheetsGateway.info`), so
finding the tabs costs no request of its own.

* A renamed tab keeps working: the bridge follows it under its new name, says so once in the log,
  and ``check`` shows it; the config need not change.
* ``init`` never makes a second Review (Arsip, KIM) while a tagged one exists under another name.
* A deleted Arsip is made again by the next cycle, tagged, holding every row the ledger still keeps
  for archived and deleted submissions (:func:`rebuild_arsip`), and the cycle says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from typing import Any

from bridge.adapters.sheets import SpreadsheetInfo, TabInfo, create_metadata_request, fit_cell
from bridge.app import Deps
from bridge.config import Settings
from bridge.core import columns
from bridge.core.model import REVIEW_HEADERS, ReviewColumn
from bridge.cycle.deleted_note import deleted_note_text
from bridge.exceptions import RetriableError

log = logging.getLogger("bridge.tabs")

TAB_KEY = "mymein.tab"
REVIEW, ARSIP, KIM = "review", "arsip", "kim"
#: How the roles are named in messages (the tabs' usual titles).
ROLE_LABEL = {REVIEW: "Review", ARSIP: "Arsip", KIM: "KIM"}
ROLES = (REVIEW, ARSIP, KIM)
#: Ledger meta: JSON {role: the tab's title when last seen}, so a rename is logged once.
TAB_TITLES = "tab_titles"


def configured_name(settings: Settings, role: str) -> str:
    return {REVIEW: settings.review_tab, ARSIP: settings.archive_tab, KIM: settings.registry_tab}[role]


@dataclass(frozen=True)
class FoundTab:
    """Where one of the bridge's tabs is now."""

    role: str
    configured: str  # its name in the config
    tab: TabInfo | None  # None: missing
    tagged: bool = False  # found by its tag (else by its configured name, or not at all)
    others: tuple[str, ...] = ()  # more tabs carrying the same tag (a copied tab): not used

    @property
    def title(self) -> str:
        return self.tab.title if self.tab else self.configured

    @property
    def renamed(self) -> bool:
        return self.tab is not None and self.tab.title != self.configured


def find_tabs(settings: Settings, info: SpreadsheetInfo) -> dict[str, FoundTab]:
    """Each role's tab: the one tagged for it (the one under the configured name first, when a copied
    tab carries the tag too), else an untagged tab under the configured name, else none."""
    out: dict[str, FoundTab] = {}
    for role in ROLES:
        name = configured_name(settings, role)
        tagged = info.tabs_tagged(TAB_KEY, role)
        if tagged:
            chosen = next((t for t in tagged if t.title == name), tagged[0])
            out[role] = FoundTab(role, name, chosen, True, tuple(t.title for t in tagged if t is not chosen))
            continue
        by_name = info.tabs.get(name)
        if by_name is not None and by_name.tag(TAB_KEY) is None:
            out[role] = FoundTab(role, name, by_name)
        else:
            out[role] = FoundTab(role, name, None)
    return out


def tag_requests(found: dict[str, FoundTab]) -> list[dict[str, Any]]:
    """createDeveloperMetadata for the tabs found by name but not tagged yet (existing deployments)."""
    return [create_metadata_request(TAB_KEY, f.role, sheet_id=f.tab.sheet_id)
            for f in found.values() if f.tab is not None and not f.tagged]


def new_tab_requests(info: SpreadsheetInfo, titles: dict[str, str], columns_for: dict[str, int],
                     rows_for: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """addSheet + createDeveloperMetadata for each role in ``titles``, in one batch: the sheetId is
    chosen here (Google takes any unused non-negative id, ``AddSheetRequest.properties.sheetId``) so
    the tag can name the tab in the same request."""
    taken = {t.sheet_id for t in info.tabs.values()}
    next_id = max(taken, default=0) + 1
    out: list[dict[str, Any]] = []
    for role, title in titles.items():
        while next_id in taken:
            next_id += 1
        taken.add(next_id)
        out.append({"addSheet": {"properties": {
            "sheetId": next_id, "title": title,
            "gridProperties": {"rowCount": max(1000, (rows_for or {}).get(role, 0)),
                               "columnCount": max(26, columns_for.get(role, 26)), "frozenRowCount": 1},
        }}})
        out.append(create_metadata_request(TAB_KEY, role, sheet_id=next_id))
    return out


def settings_following(settings: Settings, found: dict[str, FoundTab]) -> Settings:
    """The settings with each tab's name as the sheet has it now."""
    return replace(settings, review_tab=found[REVIEW].title, archive_tab=found[ARSIP].title, registry_tab=found[KIM].title)


def follow_names(deps: Deps, info: SpreadsheetInfo) -> dict[str, FoundTab]:
    """Point ``deps.settings`` at the tabs as the sheet names them now (no request, nothing written):
    for the one-shot commands that read the tabs (``check``, ``report``)."""
    if deps.configured is None:
        deps.configured = deps.settings
    found = find_tabs(deps.configured, info)
    deps.settings = settings_following(deps.configured, found)
    return found


def follow_tabs(deps: Deps, info: SpreadsheetInfo) -> list[str]:
    """Find the tabs for this cycle: tag untagged ones, follow renamed ones (``deps.settings`` then
    names them as they are now), make a deleted Arsip again. No request unless there is something to do.

    Returns:
        problems for the cycle report (a missing Arsip made again).
    """
    configured = deps.configured or deps.settings
    if deps.configured is None:
        deps.configured = configured
    found = find_tabs(configured, info)
    problems: list[str] = []
    tags = tag_requests(found)
    if tags and not deps.dry_run:
        names = ", ".join(f"'{f.title}'" for f in found.values() if f.tab is not None and not f.tagged)
        try:
            deps.sheets.batch_update(configured.review_spreadsheet_id, tags)
            log.info("tagged tab(s) %s so they are found by identity if renamed", names)
        except RetriableError as exc:  # the tabs are found by name meanwhile: tag them next cycle
            log.warning("could not tag tab(s) %s yet, will try next cycle: %s", names, exc)
    _note_renames(deps, found)
    deps.settings = settings_following(configured, found)
    if found[ARSIP].tab is None and found[REVIEW].tab is not None:
        if configured.archive_tab in info.tabs:  # the name is taken by a tab tagged as another of ours
            problems.append(f"the Arsip tab is missing and its name '{configured.archive_tab}' is used by the "
                            f"{info.tabs[configured.archive_tab].tag(TAB_KEY) or 'another'} tab: rename that tab back, "
                            "or set [sheets] archive_tab to a free name, and the next cycle makes Arsip again")
            log.warning("%s", problems[-1])
        else:
            try:
                problems.append(rebuild_arsip(deps, info, configured.archive_tab))
            except RetriableError as exc:
                problems.append(f"the Arsip tab '{configured.archive_tab}' is missing and could not be made again yet "
                                f"(will retry next cycle): {exc}")
                log.warning("%s", problems[-1])
    return problems


def _note_renames(deps: Deps, found: dict[str, FoundTab]) -> None:
    try:
        seen = json.loads(deps.ledger.get_meta(TAB_TITLES) or "{}")
    except ValueError:
        seen = {}
    now = {f.role: f.title for f in found.values() if f.tab is not None}
    for f in found.values():
        if f.tab is None:
            continue
        if f.renamed and seen.get(f.role, f.configured) != f.title:
            log.warning("the %s tab '%s' is now called '%s': the bridge follows it by its identity (sheetId %d); "
                        "no change to the config is needed", ROLE_LABEL[f.role], seen.get(f.role, f.configured), f.title,
                        f.tab.sheet_id)
        if f.others:
            log.warning("tab(s) %s carry the %s tab's tag too (copies of it?): the bridge uses '%s' only",
                        ", ".join(f"'{o}'" for o in f.others), ROLE_LABEL[f.role], f.title)
    if now != {k: v for k, v in seen.items() if k in now} and not deps.dry_run:
        with deps.ledger.transaction():
            deps.ledger.set_meta(TAB_TITLES, json.dumps({**seen, **now}, ensure_ascii=False, sort_keys=True))


def arsip_rows(deps: Deps) -> list[list[str]]:
    """Every row the ledger still keeps for archived and deleted submissions, as Arsip holds them."""
    rows = []
    for sub_id, _status, deleted_at, last in deps.ledger.archived_rows():
        values = {ReviewColumn[name]: v for name, v in last.items() if name in ReviewColumn.__members__}
        values.setdefault(ReviewColumn.ID, sub_id)
        if not values.get(ReviewColumn.FINGERPRINT):
            sub = deps.ledger.submission(sub_id)
            if sub is not None:
                values[ReviewColumn.FINGERPRINT] = sub.fingerprint
        if deleted_at:
            values[ReviewColumn.SYSTEM_NOTE] = deleted_note_text(deps, sub_id, values.get(ReviewColumn.STATUS, ""), deleted_at)
        rows.append(columns.review_to_row(values))
    return rows


def arsip_fill_request(sheet_id: int, rows: list[list[str]]) -> dict[str, Any]:
    """``updateCells`` writing Arsip's headers and ``rows`` into a new tab, to go in the batch that adds
    it: string values stay text, as with RAW."""
    body = [list(REVIEW_HEADERS), *rows]
    return {"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": str(fit_cell(v))}} if str(v) else {} for v in row]}
                 for row in body],
        "fields": "userEnteredValue",
    }}


def rebuild_arsip(deps: Deps, info: SpreadsheetInfo, title: str) -> str:
    """Make the Arsip tab again (tagged), with every row the ledger keeps for it; returns what was done.

    One ``batchUpdate``: the tab, its tag and its rows (``updateCells`` with string values: text stays
    text, as with RAW) land together or not at all, so a failure leaves no empty Arsip behind for the
    next cycle to take as complete. Not retried here (it adds a tab); the next cycle tries again.
    """
    rows = arsip_rows(deps)
    sid = deps.settings.review_spreadsheet_id
    what = (f"the Arsip tab '{title}' was missing (deleted?): made again with the {len(rows)} archived or deleted "
            "row(s) the local ledger still keeps")
    if deps.dry_run:
        log.warning("DRY RUN: %s would be made again with %d row(s)", title, len(rows))
        return f"the Arsip tab '{title}' is missing: a real cycle makes it again with {len(rows)} row(s) from the ledger"
    requests = new_tab_requests(info, {ARSIP: title}, {ARSIP: len(REVIEW_HEADERS)}, {ARSIP: len(rows) + 1})
    requests.append(arsip_fill_request(requests[0]["addSheet"]["properties"]["sheetId"], rows))
    deps.sheets.batch_update(sid, requests, retry=False)
    log.warning("%s", what)
    return what


__all__ = ["ARSIP", "KIM", "REVIEW", "ROLE_LABEL", "TAB_KEY", "FoundTab", "arsip_fill_request", "arsip_rows", "find_tabs", "follow_names",
           "follow_tabs", "new_tab_requests", "rebuild_arsip", "settings_following", "tag_requests"]
