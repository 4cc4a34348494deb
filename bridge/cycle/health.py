"""The ``Status Bridge`` tab (issue 19): officers see at a glance whether the bridge works.

A small tab the bridge owns, found by its developer-metadata tag (``mymein.tab`` = ``status``, as
the other bridge tabs, bridge.cycle.tabs), so officers may rename or move it; protected so that only
the bridge's account (and the owner) can change it. It shows the time of the last cycle that reached
the sheet, OK or each problem in plain Indonesian with what to do, the last publish, and the counts
waiting (bridge.core.health).

Cost (60 requests per minute per user): the tab is written only by a cycle that read the sheet, and
only when what it says changed or its time is ``TIME_EVERY`` (15 minutes) old: one ``values.batchUpdate``
(RAW). The pipeline reads the sheet at least every 15 minutes anyway (its safety-net read), so an idle
bridge adds one request per 15 minutes and a cycle that reads nothing never writes it. A missing tab is
made again, with its tag, protection and cells, in one ``spreadsheets.batchUpdate`` (and the layout
read again at once, one ``spreadsheets.get``, so the following cycles cost what they did). The last state shown
is kept in the ledger; a lost ledger only costs one write. A cycle that cannot reach the spreadsheet
cannot write here: then IT's alert (bridge.service.pulse) is what tells.
"""

from __future__ import annotations

import logging
import socket
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import SpreadsheetInfo, a1_tab, create_metadata_request
from bridge.core import columns, health
from bridge.core.grant import sheet_text
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.review_rows import status_counts, where
from bridge.cycle.context import CycleContext
from bridge.cycle.tabs import TAB_KEY
from bridge.exceptions import BridgeError

log = logging.getLogger("bridge.health")

STATUS = "status"  # the tab's role in its tag
PROTECTION = "MY MEIN: tab ini diisi otomatis oleh bridge; jangan diubah."


def _shown(ledger: Ledger) -> dict[str, Any]:
    return ledger.state.health_shown


def _last_publish(tz: ZoneInfo, rows: list[ReviewRow], updates: dict[str, dict[ReviewColumn, str]], known: str) -> str:
    """The latest TERBIT row's time, title and ID (this cycle's write-back included); else what was known."""
    best: tuple[datetime, ReviewRow] | None = None
    for row in where(rows, (Status.TERBIT,), updates):  # TERBIT as read, or written this cycle
        cells = updates.get(row.id, {})
        if (Status.parse(cells.get(ReviewColumn.STATUS, "")) or row.status) is not Status.TERBIT:
            continue
        when = columns.parse_datetime_cell(cells.get(ReviewColumn.PUBLISHED, row.get(ReviewColumn.PUBLISHED)), tz)
        if when is None or (best is not None and when <= best[0]):
            continue
        best = (when, row)
    if best is None:
        return known
    when, row = best  # its title: for the one row shown
    title = " ".join(updates.get(row.id, {}).get(ReviewColumn.TITLE, row.get(ReviewColumn.TITLE)).split())
    line = f"{when:%d/%m/%Y %H:%M} WITA: {title[:120]} ({row.id})"
    try:  # the one remembered may be later (its row archived since)
        shown = datetime.strptime(known[:16], "%d/%m/%Y %H:%M").replace(tzinfo=tz) if known else None
    except ValueError:
        shown = None
    return known if shown is not None and shown > when else line


def _problems(deps: CycleContext, report: Any) -> tuple[str, ...]:
    """Each problem of the cycle, in plain Indonesian with what to do."""
    from bridge.cycle.blogger_pause import paused_until

    out: list[str] = []
    halted = report.intake.halted
    if halted:
        out.append(health.intake_stopped(halted, question=halted.startswith("responses tab '")))
    until = paused_until(deps)
    if until is not None:
        out.append(health.blogger_paused(until.astimezone(deps.settings.tz)))
    if report.clock_skewed:
        out.append(health.clock_skewed())
    messages, others = health.message_problems([p for p in report.problems if p != halted])
    out += messages
    if others:
        out.append(health.other_problems(len(others)))
    return tuple(out)


def build_health(deps: CycleContext, report: Any, rows: list[ReviewRow], known_publish: str = "") -> health.Health:
    """What the tab should say after this cycle (``report``: its CycleReport)."""
    from bridge.cycle.grant import grant_of

    updates = report.publish.updates
    counts = {s: 0 for s in Status}
    for status, n in status_counts(rows).items():  # as read, then as this cycle's write-back left them
        if status is not None:
            counts[status] += n
    for row in where(rows, (), [i for i, cells in updates.items() if ReviewColumn.STATUS in cells]):
        status = Status.parse(updates[row.id][ReviewColumn.STATUS]) or row.status
        if row.status is not None:
            counts[row.status] -= 1
        if status is not None:
            counts[status] += 1
    seen = {row.id for row in rows} if report.intake.queued_ids else set()
    fresh = [i for i in report.intake.queued_ids if i not in seen]  # appended this cycle: as the ledger has them
    for values in deps.ledger.submissions.last_rows_of(fresh).values() if fresh else ():
        status = Status.parse(str(values.get(ReviewColumn.STATUS.name, "")))
        if status is not None:
            counts[status] += 1
    grant = grant_of(deps.settings)
    return health.Health(
        problems=_problems(deps, report),
        last_publish=_last_publish(deps.settings.tz, rows, updates, known_publish),
        waiting=counts[Status.MENUNGGU], invalid=counts[Status.TIDAK_VALID], approved=counts[Status.DISETUJUI]
        + counts[Status.PERLU_KOORDINASI],  # issue 20: approved too, pending a coordinator
        failed=counts[Status.GAGAL],
        grant=sheet_text(grant, deps.now()) if grant is not None else "",
        server=socket.gethostname(),
    )


def new_tab_requests(info: SpreadsheetInfo, title: str, cells: list[list[str]], taken: set[int] | None = None) -> list[dict[str, Any]]:
    """The tab, its tag, its protection (the bridge's account and the owner only) and its cells: one batch.
    ``taken``: sheet ids other requests of the same batch give their new tabs."""
    sheet_id = max([t.sheet_id for t in info.tabs.values()] + list(taken or ()), default=0) + 1
    return [
        {"addSheet": {"properties": {"sheetId": sheet_id, "title": title,
                                     "gridProperties": {"rowCount": len(cells) + 5, "columnCount": 2}}}},
        create_metadata_request(TAB_KEY, STATUS, sheet_id=sheet_id),
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": sheet_id}, "description": PROTECTION,
                                                  "warningOnly": False}}},
        {"updateDimensionProperties": {"range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                                       "properties": {"pixelSize": 220}, "fields": "pixelSize"}},
        {"updateDimensionProperties": {"range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2},
                                       "properties": {"pixelSize": 640}, "fields": "pixelSize"}},
        {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": v}} for v in row]} for row in cells],
                         "fields": "userEnteredValue"}},
    ]


def init_requests(deps: CycleContext, info: SpreadsheetInfo, taken: set[int]) -> tuple[list[dict[str, Any]], str]:
    """For `init`: the Status Bridge tab when the spreadsheet has none (requests to add to its batch), and
    its report line; saying, until the first cycle, that no cycle has run yet."""
    title = deps.settings.status_tab
    if not title:
        return [], ""
    tagged = info.tabs_tagged(TAB_KEY, STATUS)
    if tagged:
        return [], f"found tab '{tagged[0].title}' (the bridge's status, for officers)"
    named = info.tabs.get(title)
    if named is not None and named.tag(TAB_KEY) is None:  # made before its tag (or the tag lost): adopted
        return [create_metadata_request(TAB_KEY, STATUS, sheet_id=named.sheet_id)], f"found tab '{title}'"
    if named is not None:
        return [], (f"WARNING: the tab '{title}' is another of the bridge's tabs ({named.tag(TAB_KEY)}): the bridge's "
                    "status is not shown; set [sheets] status_tab to a free name and run init again")
    first = health.Health(problems=(NOT_YET,))
    return new_tab_requests(info, title, health.health_rows(first, deps.now()), taken), f"created tab '{title}'"


NOT_YET = ("Bridge belum menjalankan siklus sejak `init`. Bila keadaan ini tetap lebih dari 45 menit, layanan belum "
           "berjalan: hubungi TI.")


def show_health(deps: CycleContext, report: Any, rows: list[ReviewRow]) -> bool:
    """Write the tab when due (see the module's docstring); True when written. Never raises a
    BridgeError: the cycle's work is done, and the next cycle tries again."""
    title = deps.settings.status_tab
    if not title or deps.dry_run:
        return False
    shown = _shown(deps.ledger)
    h = build_health(deps, report, rows, str(shown.get("last_publish", "")))
    now = deps.now()
    try:
        at: datetime | None = datetime.fromisoformat(str(shown.get("at", "")))
    except ValueError:
        at = None
    sid = deps.settings.review_spreadsheet_id
    try:
        info = deps.sheets.info(sid)
        tagged = info.tabs_tagged(TAB_KEY, STATUS)
        tab = next((t for t in tagged if t.title == title), tagged[0] if tagged else None)
        if tab is not None and not health.due(str(shown.get("key", "")), at, h, now):
            return False
        cells = health.health_rows(h, now)
        named = info.tabs.get(title)
        if tab is None and named is not None:
            if named.tag(TAB_KEY) is not None:  # another of the bridge's tabs under that name
                log.warning("the tab '%s' is the bridge's %s tab: the status is not shown; set [sheets] status_tab "
                            "to a free name", title, named.tag(TAB_KEY))
                return False
            # Untagged under the configured name (its tag lost): tagged, as bridge.cycle.tabs does with the others.
            deps.sheets.batch_update(sid, [create_metadata_request(TAB_KEY, STATUS, sheet_id=named.sheet_id)])
            deps.sheets.info(sid, refresh=True)
            tab = named
        if tab is None:
            deps.sheets.batch_update(sid, new_tab_requests(info, title, cells), retry=False)
            log.info("made the '%s' tab (the bridge's health, for officers)", title)
            deps.sheets.info(sid, refresh=True)  # the layout now, in this cycle: the next cycles' cost is as before
        else:
            deps.sheets.update_ranges(sid, [(f"{a1_tab(tab.title)}!A1:B{len(cells)}", cells)])
    except BridgeError as exc:
        log.warning("the '%s' tab was not updated, will try again next cycle: %s", title, exc)
        return False
    with deps.ledger.transaction():
        deps.ledger.state.health_shown = {"key": h.key(), "at": now.isoformat(),
                                                       "last_publish": h.last_publish}
    return True


__all__ = ["STATUS", "build_health", "init_requests", "new_tab_requests", "show_health"]
