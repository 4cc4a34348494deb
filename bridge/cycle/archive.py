"""Archive: old TERBIT/DITOLAK rows move from Review to Arsip, so Review shows what needs attention
and every cycle's read stays small however long the bridge runs.

Atomic: the append to Arsip and the delete from Review are one ``spreadsheets.batchUpdate``
(:func:`_move_once`), so an item is in exactly one of the two tabs whatever fails; the ledger
marks an ID ``ARSIP`` once it moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from bridge.adapters.ledger import ARCHIVED
from bridge.adapters.sheets import SpreadsheetInfo, a1_tab, column_letter, fit_cell
from bridge.app import Deps
from bridge.core import columns
from bridge.core import review_machine as machine
from bridge.core.identity import KnownSubmission
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.review_machine import Fate
from bridge.cycle.deleted_note import deleted_note, post_fate
from bridge.cycle.facts import journal_facts, row_facts
from bridge.cycle.intake import format_time
from bridge.cycle.isolate import row_failed
from bridge.cycle.locate import locate_ids
from bridge.cycle.snapshot import read_review_rows
from bridge.exceptions import AuthError, FatalError, LimitError, RetriableError

log = logging.getLogger("bridge.archive")



def _age_reference(row: ReviewRow, deps: Deps) -> datetime | None:
    for column in (ReviewColumn.PUBLISHED, ReviewColumn.RECEIVED):
        value = row.get(column)
        if str(value).strip():
            when = columns.parse_datetime_cell(value, deps.settings.tz)
            if when is not None:
                return when
    return None


_FATE_LOG = {
    Fate.LIVE: "its post {post} stays live as it is",
    Fate.DRAFT: "its post {post} stays a draft",
    Fate.WITHDRAWN: "its post {post} was withdrawn to a draft before",
    Fate.NONE: "never published",
}


def record_deleted(deps: Deps, deleted: list[KnownSubmission], plan: list[str] | None = None) -> int:
    """Submissions whose Review row an officer deleted go to Arsip as they last were, with a note; the
    ledger marks them so they are never published or queued again. One write for all, each ID once.

    An ID already in Arsip with another status (an officer copied an older state there, or an
    older bridge appended it and failed to delete it from Review) gets that row made right in
    place: Arsip never says TERBIT for a post the bridge withdrew."""
    if not deleted:
        return 0
    s = deps.settings
    when = format_time(deps.google_now(), deps)
    if deps.dry_run:
        if plan is not None:
            plan += [f"record {k.id} in Arsip: its Review row was deleted" for k in deleted]
        return 0
    sid = s.review_spreadsheet_id
    info = deps.sheets.info(sid)
    if s.archive_tab not in info.tabs:
        log.warning("archive tab '%s' missing: %d deleted Review rows wait to be recorded (run `mymein-bridge init`)", s.archive_tab, len(deleted))
        return 0
    fates: dict[str, Fate] = {}
    try:
        arsip = locate_ids(deps, [s.archive_tab])[s.archive_tab]
        there = [k for k in deleted if k.id in arsip.rows]
        now = read_review_rows(deps, arsip.index, [arsip.rows[k.id] for k in there], tab=s.archive_tab) if there else {}
        rows: list[list[str]] = []
        fixes: list[tuple[str, list[list[str]]]] = []
        for k in deleted:
            values = {ReviewColumn[name]: v for name, v in k.last_row.items() if name in ReviewColumn.__members__}
            values.setdefault(ReviewColumn.ID, k.id)
            values.setdefault(ReviewColumn.FINGERPRINT, k.fingerprint)
            values.setdefault(ReviewColumn.OPERATOR, k.operator)
            values.setdefault(ReviewColumn.RECEIVED, k.received)
            entry = deps.ledger.journal(k.id)
            fate = fates[k.id] = post_fate(entry)
            if fate in (Fate.LIVE, Fate.DRAFT) and entry is not None and not values.get(ReviewColumn.POST_URL):
                values[ReviewColumn.POST_URL] = entry.post_url or f"https://www.blogger.com/blog/post/edit/{s.blog_id}/{entry.post_id}"
            status = values.get(ReviewColumn.STATUS, "")
            values[ReviewColumn.SYSTEM_NOTE] = deleted_note(status, fate, when)
            row = _archive_row(ReviewRow(0, values), deps, arsip.index)
            if k.id not in arsip.rows:
                rows.append(row)
                continue
            n = arsip.rows[k.id]
            held = now.get(n)
            if not (held is not None and held.id == k.id and held.status == Status.TERBIT and fate == Fate.WITHDRAWN):
                # Only the contradiction the bridge itself knows for sure is corrected: Arsip says TERBIT for a
                # post the bridge withdrew. Anything else is left as officers (or an earlier record) wrote it: a
                # ledger restored from an older copy must not overwrite a right Arsip row with its stale view.
                continue
            log.warning("%s: '%s' row %d said %s while its Review row last said %s; made right",
                        k.id, s.archive_tab, n, (held.get(ReviewColumn.STATUS) if held else "") or "?", status or "?")
            fixes.append((f"{a1_tab(s.archive_tab)}!A{n}:{column_letter(len(row) - 1)}{n}", [row]))
        if rows:
            deps.sheets.append_rows(sid, s.archive_tab, rows, below_row=max(arsip.rows.values(), default=1))
        if fixes:
            deps.sheets.update_ranges(sid, fixes)
    except RetriableError as exc:
        log.warning("recording deleted Review rows postponed: %s", exc)
        return 0
    with deps.ledger.transaction():
        for k in deleted:
            deps.ledger.mark_deleted(k.id, deps.now().isoformat())
    for k in deleted:
        entry = deps.ledger.journal(k.id)
        post = _FATE_LOG[fates[k.id]].format(post=entry.post_id if entry else "")
        log.warning("%s: Review row deleted by an officer; recorded in '%s' (last status %s), %s",
                    k.id, s.archive_tab, k.last_row.get("STATUS", "") or "?", post)
    return len(deleted)


def _settled(row: ReviewRow, deps: Deps) -> bool:
    """Done with, so it may leave Review (:func:`bridge.core.review_machine.settled`)."""
    if row.status not in (Status.TERBIT, Status.DITOLAK):
        return False  # no ledger look-up for a row that is not done with
    return machine.settled(row_facts(row), journal_facts(deps.ledger.journal(row.id)))


def _published_after_all(deps: Deps, row: ReviewRow) -> bool:
    """A DITOLAK row whose post the ledger knows as a draft: Blogger is asked before the row leaves Review.

    An officer may have published the draft in Blogger since the last draft check (every 10 minutes,
    :func:`bridge.cycle.publish.check_drafts`). A live post keeps its row in Review, where the next cycle's
    note says DITOLAK does not take it down. One ``posts.get`` per such row, only when it is due."""
    if row.status != Status.DITOLAK:
        return False
    entry = deps.ledger.journal(row.id)
    if entry is None or not machine.archivable(row_facts(row), journal_facts(entry)).ask_blogger:
        return False
    try:
        ref = deps.blogger.get(entry.post_id, item=row.id)
    except AuthError:
        raise
    except (RetriableError, FatalError, LimitError) as exc:
        log.warning("%s: cannot tell whether its draft post %s is still a draft; kept in Review: %s", row.id, entry.post_id, exc)
        return True
    if ref is None or ref.status not in machine.ON_WEBSITE:
        return False
    try:
        when = format_time(datetime.fromisoformat(ref.published.replace("Z", "+00:00")), deps) if ref.published else ""
    except ValueError:
        when = ""
    deps.ledger.record_done(row.id, entry.post_id, ref.url or entry.post_url, ref.status, when or entry.published_at)
    log.warning("%s: rejected, but its draft post %s was published in Blogger; kept in Review", row.id, entry.post_id)
    return True


def run_archive(deps: Deps, rows: list[ReviewRow], updates: dict[str, dict[ReviewColumn, str]]) -> int:
    """Move rows older than ``archive_after_days``; returns how many moved."""
    s = deps.settings
    if s.archive_after_days <= 0 or deps.dry_run:
        return 0
    cutoff = deps.now() - timedelta(days=s.archive_after_days)
    due: list[ReviewRow] = []
    for row in rows:
        if row.id in updates:
            continue  # changed this cycle (e.g. just published): officers see the result in Review first
        if _guarded(partial(_due, row, deps, cutoff), row, False):
            due.append(row)
    if not due:
        return 0
    sid = s.review_spreadsheet_id
    info = deps.sheets.info(sid)  # a tab `init` adds later is seen after the daily layout refresh
    if s.archive_tab not in info.tabs:
        log.warning("archive tab '%s' missing: run `mymein-bridge init`; not archiving", s.archive_tab)
        return 0
    try:
        moved = deps.sheets.retry.call(f"archive {len(due)} rows to {s.archive_tab}", lambda: _move_once(deps, due, info))
    except RetriableError as exc:
        log.warning("archiving postponed (every row stays in Review, none is in Arsip twice): %s", exc)
        return 0
    if moved:
        with deps.ledger.transaction():
            for sub_id in moved:
                deps.ledger.set_status(sub_id, ARCHIVED)
        log.info("archived %d rows older than %d days to '%s'", len(moved), s.archive_after_days, s.archive_tab)
    return len(moved)


def _move_once(deps: Deps, due: list[ReviewRow], info: SpreadsheetInfo) -> list[str]:
    """One attempt at moving ``due`` from Review to Arsip; returns the IDs now moved.

    The rows are read again right before the write, and only those still as they were chosen
    (same ID at that row, same status, still settled) move. Appending them to Arsip and deleting
    them from Review is one ``spreadsheets.batchUpdate``, which Google applies whole or not at
    all: "it is guaranteed that the updates in the request will be applied together atomically"
    (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/batchUpdate). So an
    item is never in both tabs nor in neither, whatever fails. An attempt whose answer was lost
    (a 5xx after Google applied it) is seen by the next attempt's read: its IDs are in Arsip and
    gone from Review, and nothing is sent again. What is left is the moment between that read and
    the write (well under a second): an officer's edit landing exactly then moves with the row as
    it was read, in Arsip, where officers can still see and change it.
    """
    s = deps.settings
    sid = s.review_spreadsheet_id
    found = locate_ids(deps, [s.review_tab, s.archive_tab])
    where, archived = found[s.review_tab].rows, found[s.archive_tab].rows
    done = [r.id for r in due if r.id not in where and r.id in archived]  # an earlier attempt was applied
    # A submission with a copied row stays until the copy is deleted (its notes say so): Arsip keeps one row.
    copies = found[s.review_tab].copies
    now = _read_now(deps, [r for r in due if r.id in where and r.id not in copies], where, found[s.review_tab].index)
    if not now:
        return done
    review_sheet, arsip_sheet = info.tabs[s.review_tab].sheet_id, info.tabs[s.archive_tab].sheet_id
    arsip_index = found[s.archive_tab].index
    cells: dict[str, list[str]] = {}
    notes: list[tuple[str, list[list[Any]]]] = []
    note_col = found[s.review_tab].index.get(ReviewColumn.SYSTEM_NOTE)
    for r in list(now):
        try:
            cells[r.id] = _archive_row(r, deps, arsip_index)
        except (AuthError, FatalError, RetriableError):
            raise
        except Exception as exc:  # noqa: BLE001 - that row stays in Review, saying why (issue 18)
            now.remove(r)
            _, note = row_failed("archiving", r.id, exc)
            old = r.get(ReviewColumn.SYSTEM_NOTE)
            if note_col is not None and note not in old:  # once, not a write every cycle
                notes.append((f"{a1_tab(s.review_tab)}!{column_letter(note_col)}{where[r.id]}", [[f"{note}\n{old}" if old else note]]))
    if notes:  # the same read's row numbers, before any row is deleted
        deps.sheets.update_ranges(sid, notes, retry=False)
    if not now:
        return done
    requests: list[dict[str, Any]] = []
    new = [r for r in now if r.id not in archived]
    if new:
        # appendCells goes after the last row with data, so blank rows above it do not matter.
        requests.append({"appendCells": {"sheetId": arsip_sheet, "fields": "userEnteredValue",
                                         "rows": [_row_data(cells[r.id]) for r in new]}})
    for r in now:
        if r.id in archived:
            # Already in Arsip (an officer copied it there, or an older bridge appended it and failed
            # to delete it): that row is made what Review holds now, in the same request.
            requests.append({"updateCells": {
                "start": {"sheetId": arsip_sheet, "rowIndex": archived[r.id] - 1, "columnIndex": 0},
                "fields": "userEnteredValue", "rows": [_row_data(cells[r.id])]}})
    requests += [
        {"deleteDimension": {"range": {"sheetId": review_sheet, "dimension": "ROWS", "startIndex": n - 1, "endIndex": n}}}
        for n in sorted((where[r.id] for r in now), reverse=True)
    ]
    deps.sheets.batch_update(sid, requests, retry=False)  # retried by the caller, after reading again
    return done + [r.id for r in now]


def _due(row: ReviewRow, deps: Deps, cutoff: datetime) -> bool:
    if not _settled(row, deps):
        return False
    when = _age_reference(row, deps)
    return when is not None and when < cutoff and not _published_after_all(deps, row)


T = TypeVar("T")


def _guarded(step: Callable[[], T], row: ReviewRow, otherwise: T) -> T:
    """One row's step; an unforeseen failure leaves that row in Review as it is, the others go on (issue 18)."""
    try:
        return step()
    except (AuthError, FatalError, RetriableError):
        raise
    except Exception as exc:  # noqa: BLE001
        row_failed("archiving", row.id or f"Review row {row.row_number}", exc)
        return otherwise


def _settled_age(row: ReviewRow, deps: Deps) -> datetime | None:
    """The date a settled row's age counts from (None while it is not settled)."""
    return _age_reference(row, deps) if _settled(row, deps) else None


def _row_data(cells: list[str]) -> dict[str, Any]:
    """A row as ``RowData``: every value a string (what RAW writes: never a formula, never a number)."""
    return {"values": [{"userEnteredValue": {"stringValue": fit_cell(v)}} if v != "" else {} for v in cells]}


def _read_now(deps: Deps, rows: list[ReviewRow], where: dict[str, int], index: dict[ReviewColumn, int]) -> list[ReviewRow]:
    """The rows as the sheet holds them now, read in full, and only those still due: a row whose ID
    moved, whose status an officer changed since it was chosen, or that is no longer settled stays."""
    if not rows:
        return []
    now = read_review_rows(deps, index, [where[r.id] for r in rows])
    out = []
    for r in rows:
        row = now.get(where[r.id])
        if row is None or not machine.still_archivable(row_facts(r), row_facts(row), journal_facts(deps.ledger.journal(row.id))):
            log.info("%s: changed since it was chosen for archiving; stays in Review", r.id)
            continue
        out.append(row)
    return out


def next_archive_due(deps: Deps, rows: list[ReviewRow]) -> datetime | None:
    """When the earliest of these rows becomes old enough to archive (None: none ever will as they are).

    A row that is not settled yet changes only by an edit (which the change signal sees)."""
    s = deps.settings
    if s.archive_after_days <= 0:
        return None
    due = [when for row in rows
           if (when := _guarded(partial(_settled_age, row, deps), row, None)) is not None]
    try:
        return min(due) + timedelta(days=s.archive_after_days) if due else None
    except OverflowError:  # an officer's date near the calendar's end: that row never becomes due
        return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


TIME_COLUMNS = (ReviewColumn.RECEIVED, ReviewColumn.SCHEDULE, ReviewColumn.PUBLISHED)


def _archive_row(row: ReviewRow, deps: Deps, index: dict[ReviewColumn, int]) -> list[str]:
    """The row as Arsip stores it (text, RAW, in Arsip's own column order): a date an officer
    typed stays a readable date."""
    values = dict(row.values)
    for column in TIME_COLUMNS:
        value = values.get(column, "").strip()
        if value and _is_number(value):
            values[column] = format_time(columns.parse_datetime_cell(value, deps.settings.tz), deps) or value
    return columns.review_to_row(values, index)
