"""What happens in Blogger is seen (issue 17): posts deleted or reverted to draft there.

The blog is the truth. At most every :data:`BLOG_CHECK_EVERY`, one cheap listing per status
(``posts.list`` live, scheduled and draft; ``view=ADMIN``, no bodies, four fields a post, 500 a
page, only posts published since the oldest one watched) is compared with what the ledger
believes about:

* the posts of TERBIT rows in Review, and
* the posts of rows archived to Arsip in the last :data:`ARCHIVE_WATCH`.

A watched post missing from every listing is asked for once (``posts.get``, at most
:data:`CONFIRM_MAX` a check): an officer may have moved its date before the listing's start.
Gone (404, or in the bin): the row says so in Indonesian and becomes GAGAL, the ledger forgets
the post, and DISETUJUI makes a new post. Live or scheduled a moment ago and a draft now: the row
says it was taken back to draft in Blogger and shows the draft's edit link. For an Arsip row the
ledger changes only once the row was written: one that could not be (a title row above Arsip's
headers, a Google error) is found and written again by a later check.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bridge.adapters.blogger import PostRef
from bridge.adapters.ledger import ARCHIVED, DONE, JournalEntry, Ledger
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.core import columns
from bridge.core import review_machine as machine
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.review_machine import PostState, Step
from bridge.core.review_rows import where
from bridge.cycle.blogger_pause import pause
from bridge.cycle.context import CycleContext
from bridge.cycle.facts import journal_facts
from bridge.cycle.intake import format_time
from bridge.cycle.journal_view import JournalView
from bridge.exceptions import AuthError, BridgeError, LimitError, RetriableError

log = logging.getLogger("bridge.blog_watch")

BLOG_CHECK_EVERY = timedelta(minutes=10)
ARCHIVE_WATCH = timedelta(days=90)
CONFIRM_MAX = 20
#: Listings start this long before the oldest watched post's known time (a draft's date, time zones).
MARGIN = timedelta(days=1)

DRAFT_EDIT_URL = "https://www.blogger.com/blog/post/edit/{blog}/{post}"


def deleted_note(when: str) -> str:
    return (f"Post ini sudah DIHAPUS di Blogger (terlihat sistem pada {when} WITA); tautan lamanya tidak berlaku lagi. "
            "Pilih DISETUJUI bila kiriman ini harus terbit lagi (sebagai post baru), atau DITOLAK bila tidak.")


def arsip_deleted_note(when: str) -> str:
    return (f"Post ini sudah DIHAPUS di Blogger (terlihat sistem pada {when} WITA); tautan lamanya tidak berlaku lagi "
            "dan kiriman ini tidak tayang di website.")


def arsip_reverted_note(when: str) -> str:
    return (f"Post ini dikembalikan menjadi DRAF di Blogger (bukan oleh sistem; terlihat pada {when} WITA) dan tidak tayang "
            "di website. Bila harus tayang lagi, buka Tautan Post lalu klik Publikasikan di Blogger.")


def reverted_note(when: str) -> str:
    return (f"Post ini dikembalikan menjadi DRAF di Blogger (bukan oleh sistem; terlihat pada {when} WITA) dan tidak tayang "
            "di website. Buka Tautan Post lalu klik Publikasikan, atau pilih DISETUJUI agar sistem menayangkannya lagi.")


def watching(ledger: Ledger) -> bool:
    """Whether the last check had posts to compare."""
    return ledger.state.blog_watching > 0


def next_check(ledger: Ledger) -> datetime | None:
    """When the next look at the blog is due (None: never looked; due whenever a post is watched)."""
    last = ledger.state.blog_checked
    return last + BLOG_CHECK_EVERY if last is not None else None


def _known_time(tz: ZoneInfo, entry: JournalEntry) -> datetime | None:
    """The post's date as far as the ledger knows: when it was first sent (the intent; or its date on
    Blogger, noted by :meth:`PublishJournal.note_post_date`), else when it was shown as published."""
    if entry.intent_at:
        try:
            when = datetime.fromisoformat(entry.intent_at.replace("Z", "+00:00"))
            return when if when.tzinfo is not None else when.replace(tzinfo=tz)
        except ValueError:
            pass
    return columns.parse_datetime_cell(entry.published_at, tz) if entry.published_at else None


def _watched(deps: CycleContext, rows: list[ReviewRow]) -> list[tuple[JournalEntry, ReviewRow | None]]:
    """(journal entry, its Review row or None for an Arsip row) of every post to compare."""
    out: list[tuple[JournalEntry, ReviewRow | None]] = []
    seen: set[str] = set()
    terbit = where(rows, (Status.TERBIT,))
    journal = JournalView(deps.ledger, (r.id for r in terbit))  # one read for them all (issue 22)
    for row in terbit:
        entry = journal.get(row.id)
        if entry is not None and entry.state == DONE and entry.post_id:
            out.append((entry, row))
            seen.add(row.id)
    now = deps.now()
    for entry in deps.ledger.journal.entries(DONE):
        if entry.submission_id in seen or not entry.post_id:
            continue
        sub = deps.ledger.submissions.get(entry.submission_id)
        if sub is None or sub.status != ARCHIVED:
            continue
        when = _known_time(deps.settings.tz, entry)
        if when is not None and now - when <= ARCHIVE_WATCH:
            out.append((entry, None))
    return out


def watch_blog(deps: CycleContext, rows: list[ReviewRow], result: Any) -> None:
    """Compare the watched posts with the blog, when due; Review cells go to ``result`` (written with the
    cycle's write-back), Arsip cells are written here. Never raises for a Google failure: the next
    check tries again."""
    if deps.dry_run:
        return
    due = next_check(deps.ledger)
    if due is not None and deps.now() < due:
        return
    targets = _watched(deps, rows)
    with deps.ledger.transaction():
        deps.ledger.state.blog_checked = deps.now()  # also with nothing to watch: the clock starts
        deps.ledger.state.blog_watching = len(targets)
    if not targets or due is None:
        # None: a new or rebuilt ledger, whose rebuild has just read the whole blog: the first look is
        # BLOG_CHECK_EVERY from now, not a second listing in the same cycle
        return
    times = [_known_time(deps.settings.tz, e) for e, _ in targets]
    known = [t for t in times if t is not None]
    since = min(known) - MARGIN if known else None
    try:
        states = deps.blogger.post_states(since)
        missing = [(e, r) for e, r in targets if e.post_id not in states]
        arsip: dict[str, dict[ReviewColumn, str]] = {}
        for entry, row in targets:
            ref = states.get(entry.post_id)
            if ref is not None:
                _compare(deps, entry, row, ref, result, arsip)
        for entry, row in missing[:CONFIRM_MAX]:
            ref = deps.blogger.get(entry.post_id, item=entry.submission_id)
            if ref is None:  # deleted (404, or in the bin): GAGAL, the link cleared
                if machine.seen_on_blog(row.status if row is not None else None, journal_facts(entry), None).step == Step.MARK_GONE:
                    post_gone(deps, entry, row, result, arsip)
                continue
            if ref.published:  # its date moved before the window (or was never known): the next listing covers it
                deps.ledger.journal.note_post_date(entry.submission_id, ref.published)
            _compare(deps, entry, row, ref, result, arsip)
    except AuthError:
        raise
    except LimitError as exc:  # the daily quota is spent: nothing more to Blogger today
        pause(deps, exc, "the blog watch's listing")
        return
    except RetriableError as exc:
        log.warning("could not look at the blog now, will look again: %s", exc)
        return
    except BridgeError as exc:
        log.warning("could not look at the blog: %s", exc)
        return
    if arsip:
        entries = {e.submission_id: e for e, _ in targets}
        for sid in write_arsip(deps, arsip):
            _settle_arsip(deps.ledger, entries[sid], arsip[sid])


def _settle_arsip(ledger: Ledger, entry: JournalEntry, values: dict[ReviewColumn, str]) -> None:
    """The ledger follows an Arsip row only once it was written: a row that could not be written (a title
    row above the headers, a Google error) is still watched, and written by a later check."""
    if values.get(ReviewColumn.STATUS) == Status.GAGAL.value:
        ledger.journal.forget_post(entry.submission_id, f"post {entry.post_id} deleted in Blogger")
    else:
        ledger.journal.record_done(entry.submission_id, entry.post_id, "", PostState.DRAFT, "")


def _compare(deps: CycleContext, entry: JournalEntry, row: ReviewRow | None, ref: PostRef, result: Any,
             arsip: dict[str, dict[ReviewColumn, str]]) -> None:
    """A post the ledger knows live or scheduled that is a draft now was reverted in Blogger
    (:func:`bridge.core.review_machine.seen_on_blog`)."""
    seen = machine.seen_on_blog(row.status if row is not None else None, journal_facts(entry), ref.status)
    if seen.step != Step.SHOW_REVERTED:
        return  # a draft published in Blogger is shown by publish.check_drafts
    sid = entry.submission_id
    when = format_time(deps.google_now(), deps.settings.tz)
    if row is not None:  # an Arsip row's ledger entry changes once the row is written (_settle_arsip)
        deps.ledger.journal.record_done(sid, entry.post_id, "", PostState.DRAFT, "")
    values = {
        ReviewColumn.POST_URL: DRAFT_EDIT_URL.format(blog=deps.settings.blog_id, post=entry.post_id),
        ReviewColumn.PUBLISHED: "",
        ReviewColumn.SYSTEM_NOTE: reverted_note(when),
    }
    log.warning("%s: post %s was reverted to draft in Blogger; it is not on the website", sid, entry.post_id)
    if row is None:
        arsip[sid] = {**values, ReviewColumn.SYSTEM_NOTE: arsip_reverted_note(when)}
    else:
        result.put(sid, values)


def post_gone(deps: CycleContext, entry: JournalEntry, row: ReviewRow | None, result: Any,
              arsip: dict[str, dict[ReviewColumn, str]] | None = None) -> None:
    """The post was deleted in Blogger: the ledger forgets it (DISETUJUI inserts a new one) and the row says so."""
    sid = entry.submission_id
    when = format_time(deps.google_now(), deps.settings.tz)
    if row is not None or arsip is None:  # an Arsip row: forgotten once the row is written (_settle_arsip)
        with deps.ledger.transaction():
            deps.ledger.journal.forget_post(sid, f"post {entry.post_id} deleted in Blogger")
            if row is not None:
                deps.ledger.submissions.set_status(sid, Status.GAGAL.value)
    values = {
        ReviewColumn.STATUS: Status.GAGAL.value,
        ReviewColumn.POST_URL: "",
        ReviewColumn.PUBLISHED: "",
        ReviewColumn.SYSTEM_NOTE: deleted_note(when),
    }
    log.warning("%s: post %s was deleted in Blogger; the row says so", sid, entry.post_id)
    if row is None:
        if arsip is not None:
            arsip[sid] = {**values, ReviewColumn.SYSTEM_NOTE: arsip_deleted_note(when)}
    else:
        result.put(sid, values)


def write_arsip(deps: CycleContext, updates: dict[str, dict[ReviewColumn, str]]) -> set[str]:
    """Arsip rows whose post changed in Blogger: one read of where the IDs are, one batched RAW write.

    Returns:
        The submissions settled: their row written, or no longer in Arsip (nothing left to write).
    """
    from bridge.cycle.isolate import update_isolating
    from bridge.cycle.locate import locate_ids

    s = deps.settings
    try:
        found = locate_ids(deps, [s.archive_tab])[s.archive_tab]
        if ReviewColumn.ID not in found.index:  # a title row above the headers: no cell can be placed
            log.warning("Arsip rows whose post changed in Blogger (%s) not updated: the Arsip tab '%s' has no 'ID' "
                        "header in row 1 (a title row inserted above the headers?); delete the rows above the headers",
                        ", ".join(sorted(updates)), s.archive_tab)
            return set()
        groups: dict[str, list[tuple[str, list[list[Any]]]]] = {}
        for sid, values in updates.items():
            row_number = found.rows.get(sid)
            if row_number is None:
                continue
            for column, value in values.items():
                if column in found.index:
                    cell = f"{a1_tab(s.archive_tab)}!{column_letter(found.index[column])}{row_number}"
                    groups.setdefault(sid, []).append((cell, [[value]]))
        refused = update_isolating(deps.sheets, s.review_spreadsheet_id, groups) if groups else []
    except AuthError:
        raise
    except BridgeError as exc:
        log.warning("Arsip rows whose post changed in Blogger not updated now: %s", exc)
        return set()
    return set(updates) - set(refused)


__all__ = ["BLOG_CHECK_EVERY", "watch_blog", "post_gone", "next_check"]
