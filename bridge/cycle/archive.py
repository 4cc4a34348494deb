"""Archive: old TERBIT/DITOLAK rows move from Review to Arsip, so Review shows what needs attention
and every cycle's read stays small however long the bridge runs.

Idempotent: an ID is marked ``ARSIP`` in the ledger once its row is appended to
Arsip; a crash before the delete only means the next run deletes it without
appending it again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable, TypeVar

from bridge.adapters.ledger import ARCHIVED, DONE
from bridge.app import Deps
from bridge.core import columns
from bridge.core.identity import KnownSubmission
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.exceptions import AuthError, FatalError, LimitError, RetriableError
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.cycle.intake import format_time
from bridge.cycle.isolate import row_failed
from bridge.cycle.locate import locate_ids
from bridge.cycle.snapshot import read_review_rows

log = logging.getLogger("bridge.archive")



def _age_reference(row: ReviewRow, deps: Deps) -> datetime | None:
    for column in (ReviewColumn.PUBLISHED, ReviewColumn.RECEIVED):
        value = row.get(column)
        if str(value).strip():
            when = columns.parse_datetime_cell(value, deps.settings.tz)
            if when is not None:
                return when
    return None


def _deleted_note(status: str, live: bool, when: str) -> str:
    head = f"Baris dihapus dari Review pada {when} WITA (status terakhir: {status or 'kosong'})."
    if live:
        return head + " Post di blog tetap seperti adanya; sistem tidak mengubah atau menghapusnya. Bila post harus turun, tarik lewat Blogger."
    return head + " Kiriman ini tidak akan diterbitkan dan tidak masuk antrean lagi; bila harus terbit, operator mengirimnya ulang lewat formulir."


def deleted_note_text(deps: Deps, sub_id: str, status: str, deleted_at: str) -> str:
    """The Arsip note of a deleted row, from the ledger alone (a rebuilt Arsip tab)."""
    entry = deps.ledger.journal(sub_id)
    live = bool(entry and entry.post_id and entry.state == DONE and entry.post_status in ("LIVE", "SCHEDULED"))
    try:
        when = format_time(datetime.fromisoformat(deleted_at), deps)
    except ValueError:
        when = deleted_at
    return _deleted_note(status, live, when)


def record_deleted(deps: Deps, deleted: list[KnownSubmission], plan: list[str] | None = None) -> int:
    """Submissions whose Review row an officer deleted go to Arsip as they last were, with a note; the
    ledger marks them so they are never published or queued again. One append for all, each ID once."""
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
    try:
        arsip = locate_ids(deps, [s.archive_tab])[s.archive_tab]
        rows = []
        for k in deleted:
            if k.id in arsip.rows:
                continue  # an officer moved it to Arsip, or an earlier append's answer was lost
            values = {ReviewColumn[name]: v for name, v in k.last_row.items() if name in ReviewColumn.__members__}
            values.setdefault(ReviewColumn.ID, k.id)
            values.setdefault(ReviewColumn.FINGERPRINT, k.fingerprint)
            values.setdefault(ReviewColumn.OPERATOR, k.operator)
            values.setdefault(ReviewColumn.RECEIVED, k.received)
            entry = deps.ledger.journal(k.id)
            has_post = bool(entry and entry.post_id and entry.state == DONE)
            if has_post and entry is not None and not values.get(ReviewColumn.POST_URL):
                values[ReviewColumn.POST_URL] = entry.post_url or f"https://www.blogger.com/blog/post/edit/{s.blog_id}/{entry.post_id}"
            live = has_post and entry is not None and entry.post_status in ("LIVE", "SCHEDULED")
            status = values.get(ReviewColumn.STATUS, "")
            values[ReviewColumn.SYSTEM_NOTE] = _deleted_note(status, live, when)
            rows.append(_archive_row(ReviewRow(0, values), deps, arsip.index))
        if rows:
            deps.sheets.append_rows(sid, s.archive_tab, rows)
    except RetriableError as exc:
        log.warning("recording deleted Review rows postponed: %s", exc)
        return 0
    with deps.ledger.transaction():
        for k in deleted:
            deps.ledger.mark_deleted(k.id, deps.now().isoformat())
    for k in deleted:
        entry = deps.ledger.journal(k.id)
        post = f"its post {entry.post_id} stays as it is" if entry and entry.post_id and entry.state == DONE else "never published"
        log.warning("%s: Review row deleted by an officer; recorded in '%s' (last status %s), %s",
                    k.id, s.archive_tab, k.last_row.get("STATUS", "") or "?", post)
    return len(deleted)


def _settled(row: ReviewRow, deps: Deps) -> bool:
    """Done with, so it may leave Review: TERBIT with its post's link, or DITOLAK with nothing on the
    website (a rejected item whose post is still live stays in view until someone withdraws it)."""
    if row.status == Status.TERBIT:
        # a draft waits in Review until an officer publishes it in Blogger (Review then shows the public link)
        entry = deps.ledger.journal(row.id)
        draft = bool(entry and entry.state == DONE and entry.post_status == "DRAFT")
        return bool(row.get(ReviewColumn.POST_URL).strip()) and not draft
    if row.status == Status.DITOLAK:
        entry = deps.ledger.journal(row.id)
        return not (entry and entry.post_id and entry.state == DONE and entry.post_status != "DRAFT")
    return False


def _published_after_all(deps: Deps, row: ReviewRow) -> bool:
    """A DITOLAK row whose post the ledger knows as a draft: Blogger is asked before the row leaves Review.

    An officer may have published the draft in Blogger since the last draft check (every 10 minutes,
    :func:`bridge.cycle.publish.check_drafts`). A live post keeps its row in Review, where the next cycle's
    note says DITOLAK does not take it down. One ``posts.get`` per such row, only when it is due."""
    if row.status != Status.DITOLAK:
        return False
    entry = deps.ledger.journal(row.id)
    if not (entry and entry.state == DONE and entry.post_id and entry.post_status == "DRAFT"):
        return False
    try:
        ref = deps.blogger.get(entry.post_id, item=row.id)
    except AuthError:
        raise
    except (RetriableError, FatalError, LimitError) as exc:
        log.warning("%s: cannot tell whether its draft post %s is still a draft; kept in Review: %s", row.id, entry.post_id, exc)
        return True
    if ref is None or ref.status not in ("LIVE", "SCHEDULED"):
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
        if _guarded(lambda: _due(row, deps, cutoff), row, False):
            due.append(row)
    if not due:
        return 0
    sid = s.review_spreadsheet_id
    info = deps.sheets.info(sid)  # a tab `init` adds later is seen after the daily layout refresh
    if s.archive_tab not in info.tabs:
        log.warning("archive tab '%s' missing: run `mymein-bridge init`; not archiving", s.archive_tab)
        return 0
    try:
        found = locate_ids(deps, [s.review_tab, s.archive_tab])
        where, archived = found[s.review_tab].rows, found[s.archive_tab].rows
        # A submission with a copied row stays until the copy is deleted (its notes say so): Arsip keeps one row.
        fresh = [r for r in due if r.id in where and r.id not in found[s.review_tab].copies]
        if not fresh:
            return 0
        fresh = _read_in_full(deps, fresh, where, found[s.review_tab].index)
        # Skip what an earlier run appended (even one whose answer was lost): each ID once in Arsip.
        arsip_index = found[s.archive_tab].index
        to_append: list[list[str]] = []
        notes: list[tuple[str, list[list[Any]]]] = []
        note_col = found[s.review_tab].index.get(ReviewColumn.SYSTEM_NOTE)
        for r in list(fresh):
            if r.id in archived:
                continue
            try:
                to_append.append(_archive_row(r, deps, arsip_index))
            except (AuthError, FatalError, RetriableError):
                raise
            except Exception as exc:  # noqa: BLE001 - that row stays in Review, saying why (issue 18)
                fresh.remove(r)
                _, note = row_failed("archiving", r.id, exc)
                old = r.get(ReviewColumn.SYSTEM_NOTE)
                if note_col is not None and note not in old:  # once, not a write every cycle
                    cell = f"{a1_tab(s.review_tab)}!{column_letter(note_col)}{where[r.id]}"
                    notes.append((cell, [[f"{note}\n{old}" if old else note]]))
        if notes:  # before any row is deleted below, while the row numbers hold
            deps.sheets.update_ranges(sid, notes)
        if to_append:
            # Below Arsip's last row even with blank rows above it (Google appends after the first table).
            deps.sheets.append_rows(sid, s.archive_tab, to_append, below_row=max(archived.values(), default=1))
        with deps.ledger.transaction():
            for r in fresh:
                deps.ledger.set_status(r.id, ARCHIVED)
        sheet_id = info.tabs[s.review_tab].sheet_id
        requests: list[dict[str, Any]] = [
            {"deleteDimension": {"range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": n - 1, "endIndex": n}}}
            for n in sorted((where[r.id] for r in fresh), reverse=True)
        ]
        deps.sheets.batch_update(sid, requests, retry=False)
    except RetriableError as exc:
        log.warning("archiving postponed: %s", exc)
        return 0
    log.info("archived %d rows older than %d days to '%s'", len(fresh), s.archive_after_days, s.archive_tab)
    return len(fresh)


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


def _read_in_full(deps: Deps, rows: list[ReviewRow], where: dict[str, int], index: dict[ReviewColumn, int]) -> list[ReviewRow]:
    """The rows as the sheet holds them now: a row the cycle saw only through its ID and Status
    (the rest from the ledger's copy) is read in full before Arsip keeps it for good."""
    cached = [r for r in rows if r.cached]
    if not cached:
        return rows
    now = read_review_rows(deps, index, [where[r.id] for r in cached])
    out = []
    for r in rows:
        if r.cached:
            row = now.get(where[r.id])
            if row is None or row.id != r.id or row.status != r.status or not _settled(row, deps):
                continue  # changed since the cycle's read: the next cycle looks again
            r = row
        out.append(r)
    return out


def next_archive_due(deps: Deps, rows: list[ReviewRow]) -> datetime | None:
    """When the earliest of these rows becomes old enough to archive (None: none ever will as they are).

    A row that is not settled yet changes only by an edit (which the change signal sees)."""
    s = deps.settings
    if s.archive_after_days <= 0:
        return None
    due = [when for row in rows
           if (when := _guarded(lambda: _age_reference(row, deps) if _settled(row, deps) else None, row, None)) is not None]
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
