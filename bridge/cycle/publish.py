"""Publishing: DISETUJUI rows become Blogger posts exactly once; DITARIK posts go back to draft.

Exactly once across crashes:
1. the intent is written to the ledger *before* Blogger is called, with the
   post's title, labels and the time;
2. every post carries two markers of its submission ID and fingerprint (an HTML
   comment and an empty named anchor, see :mod:`bridge.core.render`);
3. an intent left unfinished (crash, or a timeout after Blogger applied the
   insert) is reconciled by finding the post on the blog before any new insert:
   by a marker, or, if Blogger dropped both, by title + labels + time of the intent.

Re-approving a published post (DISETUJUI on TERBIT, after editing) updates that
same post; the journal keeps what was published, part by part, so the note says
what changed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bridge.adapters.blogger import PostRef, ref_of
from bridge.adapters.ledger import INTENT, JournalEntry, Ledger
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.config import Settings
from bridge.core import columns, copies, identity, render, sanitize
from bridge.core import review_machine as machine
from bridge.core.model import KimRecord, ReviewColumn, ReviewRow, Status
from bridge.core.plaintext import dropped_labels_note, fit_labels
from bridge.core.report import FAILED_AT_INTAKE
from bridge.core.review_machine import Action, PostState, Step
from bridge.core.review_rows import where
from bridge.core.revision import own_fingerprint
from bridge.core.turns import in_turn
from bridge.cycle import lease
from bridge.cycle.blog_watch import post_gone, watch_blog
from bridge.cycle.blogger_pause import pause, paused_until
from bridge.cycle.context import CycleContext
from bridge.cycle.coordinate import needing, record_deciders
from bridge.cycle.facts import conditions, facts, journal_facts, row_facts
from bridge.cycle.intake import format_time
from bridge.cycle.isolate import row_failed
from bridge.cycle.journal_view import JournalView
from bridge.cycle.locate import locate_ids
from bridge.exceptions import AuthError, ConfigError, FatalError, LimitError, PublishError, RetriableError
from bridge.photos.host import rehost_photos
from bridge.photos.rules import PublishedPhoto, photo_note

log = logging.getLogger("bridge.publish")

DRAFT_EDIT_URL = "https://www.blogger.com/blog/post/edit/{blog}/{post}"


@dataclass
class PublishResult:
    published: int = 0
    failed: int = 0
    reverted: int = 0
    retry_later: int = 0
    repaired: int = 0
    reconciled: int = 0
    updated: int = 0  # published posts updated after re-approval
    plan: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    updates: dict[str, dict[ReviewColumn, str]] = field(default_factory=dict)
    #: Where to find a row whose ID cell is wrong: ID → (fingerprint, row number when read).
    hints: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: Notes for rows with no usable ID: (row number when read, its ID cell then, note); written only if
    #: that row still holds that ID (or none).
    row_notes: list[tuple[int, str, str]] = field(default_factory=list)
    fingerprint_column: int | None = None  # Sidik Jari's column in Review as last read
    #: Submissions whose Review row was copied → the row their decision was read from (core.copies)
    decided: dict[str, int] = field(default_factory=dict)
    #: Submissions whose post, inserted before a crash, reconcile found on the blog this cycle
    adopted: set[str] = field(default_factory=set)

    def put(self, sub_id: str, values: dict[ReviewColumn, str]) -> None:
        """Cells to write on one submission's row (merged with what an earlier step wrote)."""
        self.updates.setdefault(sub_id, {}).update(values)


def _parse_schedule(row: ReviewRow, deps: CycleContext) -> datetime | None:
    """The officer's optional publishing time (a sheet date value or dd/mm/yyyy HH:MM text)."""
    cell = row.get(ReviewColumn.SCHEDULE)
    if not str(cell).strip():
        return None
    when = columns.parse_datetime_cell(cell, deps.settings.tz)
    if when is None:
        raise PublishError(
            f"Jadwal Terbit '{cell}' tidak terbaca. Tulis seperti 25/11/2026 08:00 (WITA) atau kosongkan, "
            "lalu ubah Status menjadi DISETUJUI lagi.",
            f"unreadable schedule {cell!r}",
            submission_id=row.id,
        )
    return when if when > deps.google_now() else None  # Blogger decides by its own clock, not this server's


def _post_link(settings: Settings, post_id: str, url: str) -> str:
    return url or DRAFT_EDIT_URL.format(blog=settings.blog_id, post=post_id)


def _done_values(
    settings: Settings, post_id: str, url: str, status: str, when: str, schedule: datetime | None = None
) -> dict[ReviewColumn, str]:
    """The Review cells of a published row. ``when`` is when readers see the post: empty for a draft,
    which is on no website yet (the draft check writes the time once an officer publishes it)."""
    at = schedule.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M") if schedule is not None else ""  # as officers write it
    return {
        ReviewColumn.STATUS: Status.TERBIT.value,
        ReviewColumn.POST_URL: _post_link(settings, post_id, url),
        ReviewColumn.PUBLISHED: when,
        ReviewColumn.SYSTEM_NOTE: machine.done_note(status, when, at),
    }


#: What Sheets shows instead of text when an officer's entry became a failing formula.
FORMULA_ERRORS = frozenset({"#NAME?", "#REF!", "#VALUE!", "#ERROR!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!"})


def _post_text(settings: Settings, row: ReviewRow) -> tuple[str, str]:
    """The officer-edited Judul and Isi, sanitized again; refused when they would publish badly."""
    s = settings
    for name, column in (("Judul", ReviewColumn.TITLE), ("Isi", ReviewColumn.BODY)):
        value = row.get(column).strip()
        if value.upper() in FORMULA_ERRORS:
            raise PublishError(
                f"{name} terbaca sebagai rumus yang gagal ({value}). Tulis ulang {name} sebagai teks biasa (bila diawali "
                "=, +, - atau @, awali dengan tanda petik '), lalu ubah Status menjadi DISETUJUI lagi.",
                f"{name} is a spreadsheet formula error {value!r}",
                submission_id=row.id,
            )
    title, title_cut = sanitize.clean_title(row.get(ReviewColumn.TITLE), s.title_max)
    body, body_cut = sanitize.clean_body(row.get(ReviewColumn.BODY), s.body_max)
    if not sanitize.has_visible(title) or not sanitize.has_visible(body):
        raise PublishError(
            "Judul atau Isi kosong atau hanya berisi karakter yang tidak terlihat; isi di tab Review lalu ubah Status "
            "menjadi DISETUJUI lagi.",
            "title or body is empty or invisible",
            submission_id=row.id,
        )
    for name, cut, limit in (("Judul", title_cut, s.title_max), ("Isi", body_cut, s.body_max)):
        if cut:
            raise PublishError(
                f"{name} lebih dari {limit} karakter; persingkat di tab Review lalu ubah Status menjadi DISETUJUI lagi.",
                f"{name} is longer than {limit} characters",
                submission_id=row.id,
            )
    return title, body


#: Parts of a post the journal remembers (by hash), named as officers know them.
PARTS = ("Judul", "Isi", "Foto", "Label", "Jadwal")


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:16]


def _fingerprint(ledger: Ledger, row: ReviewRow) -> str:
    """The response's fingerprint: the ledger's (a cleared or edited cell does not change it), else the row's."""
    sub = ledger.submissions.get(row.id)
    return sub.fingerprint if sub is not None else own_fingerprint(row.get(ReviewColumn.FINGERPRINT))


def _markable(row: ReviewRow, fp: str) -> None:
    """A post must carry the row's ID and fingerprint in its markers: a Sidik Jari typed by hand on a
    row the bridge does not know cannot (the marker refused it with a ValueError, issue 18).

    Raises:
        PublishError: the row is GAGAL with what to do.
    """
    try:
        render.marker_for(row.id, fp)
    except ValueError as exc:
        raise PublishError(
            f"Sidik Jari '{fp[:40]}' bukan buatan sistem, jadi post tidak dapat ditandai. Kosongkan sel Sidik Jari "
            "(sistem mengisinya lagi bila barisnya dikenali), lalu ubah Status menjadi DISETUJUI lagi.",
            str(exc), submission_id=row.id,
        ) from exc


def _render(
    deps: CycleContext, row: ReviewRow
) -> tuple[render.RenderedPost, datetime | None, dict[str, str], list[PublishedPhoto]]:
    """The post for one approved row (photos processed and hosted), its scheduled time if any,
    its parts' hashes and its photos."""
    s = deps.settings
    title, body = _post_text(deps.settings, row)
    schedule = _parse_schedule(row, deps)
    photos = rehost_photos(deps, row)
    kim = row.get(ReviewColumn.KIM)
    desa = row.get(ReviewColumn.DESA)
    kecamatan = row.get(ReviewColumn.KECAMATAN)
    desa_label = deps.wilayah.desa_label(kecamatan, desa)
    try:
        rendered = render.render_post(
            deps.template,
            render.PostContext(
                title=title,
                body_text=body,
                photos=[render.Photo(p.url, f"Foto: {title}", p.width, p.height) for p in photos],
                operator=row.get(ReviewColumn.OPERATOR),
                kim=kim,
                desa=desa,
                kecamatan=kecamatan,
                desa_label=desa_label,
                received_at=row.get(ReviewColumn.RECEIVED),
                submission_id=row.id,
                labels=fit_labels(render.labels_for(kecamatan, desa, kim, s.labels, s.extra_labels, desa_label=desa_label))[0],
                fingerprint=_fingerprint(deps.ledger, row),
            ),
        )
    except ConfigError as exc:  # the template works in general (checked per cycle) but not for this row
        raise PublishError(
            "Template post kantor tidak dapat dipakai untuk kiriman ini; hubungi staf TI (mymein-bridge check), "
            "lalu ubah Status menjadi DISETUJUI lagi.",
            f"post template failed for this row: {'; '.join(exc.problems)}",
            submission_id=row.id,
        ) from exc
    parts = {
        "Judul": _digest(rendered.title),
        "Isi": _digest(body),
        "Foto": _digest(sorted(p.url for p in photos)),
        "Label": _digest(list(rendered.labels)),
        "Jadwal": schedule.isoformat() if schedule is not None else "",
    }
    return rendered, schedule, parts, photos


def _with_photos(values: dict[ReviewColumn, str], photos: list[PublishedPhoto]) -> dict[ReviewColumn, str]:
    """The officers see where the published photos are (issue 11), after the note."""
    note = photo_note(photos)
    if note and ReviewColumn.SYSTEM_NOTE in values:
        values[ReviewColumn.SYSTEM_NOTE] = f"{values[ReviewColumn.SYSTEM_NOTE]}\n{note}"
    return values


def _labels_note(deps: CycleContext, row: ReviewRow, values: dict[ReviewColumn, str]) -> dict[ReviewColumn, str]:
    """Say in Catatan Sistem which labels were left out to fit Blogger's 200 characters, and keep the
    trace of a row that failed the automatic checks (the report counts it as not valid)."""
    before = row.get(ReviewColumn.SYSTEM_NOTE)
    if ReviewColumn.SYSTEM_NOTE in values and FAILED_AT_INTAKE not in values[ReviewColumn.SYSTEM_NOTE] and (
        before.lstrip().startswith("1. ") or FAILED_AT_INTAKE in before
    ):
        values[ReviewColumn.SYSTEM_NOTE] += "\n" + FAILED_AT_INTAKE
    s = deps.settings
    kecamatan, desa = row.get(ReviewColumn.KECAMATAN), row.get(ReviewColumn.DESA)
    all_labels = render.labels_for(kecamatan, desa, row.get(ReviewColumn.KIM), s.labels, s.extra_labels,
                                   desa_label=deps.wilayah.desa_label(kecamatan, desa))
    dropped = fit_labels(all_labels)[1]
    if dropped and ReviewColumn.SYSTEM_NOTE in values:
        values[ReviewColumn.SYSTEM_NOTE] += "\n" + dropped_labels_note(dropped)
    return values


def _publish_new(deps: CycleContext, row: ReviewRow) -> dict[ReviewColumn, str]:
    """Render and insert one approved row that has no post yet; returns the Review cells to write."""
    _markable(row, _fingerprint(deps.ledger, row))
    rendered, schedule, parts, photos = _render(deps, row)
    if deps.dry_run:
        return {ReviewColumn.STATUS: Status.TERBIT.value}
    mode = deps.settings.publish_mode
    fp = _fingerprint(deps.ledger, row)
    marker = render.marker_for(row.id, fp)  # checked by _markable before rendering
    since = deps.google_now()  # compared with the post's date on Blogger, after a failed attempt
    deps.ledger.journal.record_intent(
        row.id, fingerprint=fp, title=rendered.title, labels=rendered.labels, at=since.isoformat(), parts=parts
    )
    ref = deps.blogger.insert(
        title=rendered.title, html=rendered.html, labels=list(rendered.labels), draft=machine.inserted_as_draft(mode, schedule is not None),
        published_at=schedule, item=row.id, marker=marker, fingerprint=fp, since=since,
    )
    deps.ledger.journal.record_done(row.id, ref.id, ref.url, ref.status, "")
    deps.ledger.journal.record_content(row.id, parts)
    moves = machine.insert_moves(mode, schedule is not None)
    if moves:
        # Until publish succeeds the journal knows a draft (published on the next try).
        deps.ledger.journal.record_done(row.id, ref.id, ref.url, PostState.DRAFT, "")
        ref = _move(deps, row, ref.id, moves, schedule) or ref
    return _with_photos(_labels_note(deps, row, _record_published(deps, row, ref, schedule)), photos)


def _republish(deps: CycleContext, row: ReviewRow, post_id: str) -> dict[ReviewColumn, str]:
    """Put a withdrawn post back: with the officers' current Judul/Isi, mode and schedule."""
    rendered, schedule, parts, photos = _render(deps, row)
    if deps.dry_run:
        return {ReviewColumn.STATUS: Status.TERBIT.value}
    ref = deps.blogger.update(post_id, title=rendered.title, html=rendered.html, labels=list(rendered.labels), item=row.id)
    deps.ledger.journal.record_content(row.id, parts)
    ref = _move(deps, row, post_id, machine.restore_moves(deps.settings.publish_mode, schedule is not None), schedule) or ref
    return _with_photos(_labels_note(deps, row, _record_published(deps, row, ref, schedule)), photos)


def _move(deps: CycleContext, row: ReviewRow, post_id: str, moves: tuple[machine.Move, ...], schedule: datetime | None) -> PostRef | None:
    """The Blogger calls the machine planned after an insert or update; returns the post as the last one left it."""
    ref = None
    for move in moves:
        if move == machine.Move.REVERT:
            deps.blogger.revert(post_id, item=row.id)
        elif move == machine.Move.PUBLISH_AT_SCHEDULE and schedule is not None:
            ref = deps.blogger.publish(post_id, item=row.id, publish_at=schedule)
        else:  # PUBLISH_NOW
            # out now, said explicitly (without publishDate Blogger would use the post's saved schedule
            # date, ignoring the officer's change)
            ref = deps.blogger.publish(post_id, item=row.id, publish_at=deps.google_now())
    return ref


def _shown(deps: CycleContext, shown: machine.Shown, schedule: datetime | None) -> str:
    """Waktu Terbit as the machine chose it (KEPT is the caller's)."""
    if shown == machine.Shown.NONE:
        return ""
    return format_time(schedule if shown == machine.Shown.SCHEDULE and schedule is not None else deps.google_now(), deps.settings.tz)


def _record_published(deps: CycleContext, row: ReviewRow, ref: PostRef, schedule: datetime | None) -> dict[ReviewColumn, str]:
    when = _shown(deps, machine.shown_time(ref.status, schedule is not None), schedule)
    deps.ledger.journal.record_done(row.id, ref.id, ref.url, ref.status, when)
    deps.ledger.submissions.set_status(row.id, Status.TERBIT.value)
    log.info("%s published as post %s (%s) %s", row.id, ref.id, ref.status, ref.url)
    return _done_values(deps.settings, ref.id, ref.url, ref.status, when, schedule)


def reconcile(deps: CycleContext, rows: list[ReviewRow], result: PublishResult) -> None:
    """Before any insert, find posts the ledger does not know about by their marker.

    That covers intents left by a crash (the insert may have happened) and, after
    the ledger file was lost, approved or withdrawn rows whose post may exist.
    One scan of the blog serves them all; nothing is scanned on a normal cycle.
    """
    intents = {e.submission_id: e for e in deps.ledger.journal.entries(INTENT)}
    handover = lease.handover_lookup(deps.ledger) and not lease.in_handover(deps)
    ids = list(intents) + [
        r.id for r in where(rows, machine.ACTING)
        if r.id not in intents
        and machine.looks_on_blog_first(*facts(deps.ledger, r, deps.ledger.journal.entry(r.id)), handover=handover)
    ]
    if not ids:
        if handover:
            lease.handover_scanned(deps.ledger)
        return
    posts = deps.blogger.posts()
    if handover:
        # The first look after this bridge took the spreadsheet over: the previous holder may have
        # published any approved row in its last cycle (see bridge.cycle.lease). Once is enough.
        lease.handover_scanned(deps.ledger)
    claimed: set[str] = set()
    index = identity.PostIndex(posts)  # one look-up per row, not a scan of the blog (issue 22)
    for sid in ids:
        entry = intents.get(sid)
        sub = deps.ledger.submissions.get(sid)
        since = _parse_iso(entry.intent_at) if entry else None
        post = index.match(
            sid, (entry.fingerprint if entry else "") or (sub.fingerprint if sub else ""),
            title=entry.intent_title if entry else "", labels=entry.intent_labels if entry else (),
            since=since, claimed=frozenset(claimed),
        )
        ref = ref_of(post) if post is not None else None
        if post is not None:
            claimed.add(post.id)
        if ref is None:
            # Recorded, so the blog is not searched for it again every cycle; approving inserts it.
            deps.ledger.journal.record_failed(sid, "no post carries its marker")
            log.info("%s: no post carries its marker; it will be inserted when approved", sid)
            continue
        deps.ledger.journal.record_done(sid, ref.id, ref.url, ref.status, "" if ref.status == PostState.DRAFT else format_time(deps.google_now(), deps.settings.tz))
        result.reconciled += 1
        if entry is not None:
            result.adopted.add(sid)
        log.warning("%s: found existing post %s on the blog; not inserting again", sid, ref.id)


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _update(deps: CycleContext, row: ReviewRow, entry: JournalEntry, result: PublishResult) -> None:
    """DISETUJUI on a published post: the same post gets the row's current text, photo, labels and
    schedule (never a second post). Nothing changed: the write-back is repaired, nothing is sent."""
    rendered, schedule, parts, photos = _render(deps, row)
    old = entry.content_parts
    changed = [p for p in PARTS if old is None or old.get(p, "") != parts[p]]
    if not changed:
        # Published already (the write-back was lost, or an officer set DISETUJUI on it again unchanged).
        when = "" if entry.post_status == PostState.DRAFT else entry.published_at
        values = _done_values(deps.settings, entry.post_id, entry.post_url, entry.post_status, when, schedule)
        if row.id in result.adopted:  # inserted just before a crash: the result of this approval, not a change
            values[ReviewColumn.SYSTEM_NOTE] = (
                "Post ditemukan di blog setelah bridge terhenti; tidak ada post baru. " + values[ReviewColumn.SYSTEM_NOTE]
            )
            deps.ledger.submissions.set_status(row.id, Status.TERBIT.value)
            log.info("%s: post %s, inserted before the bridge stopped, taken as published", row.id, entry.post_id)
        result.put(row.id, _with_photos(_labels_note(deps, row, values), photos))  # the note as first written
        result.repaired += 1
        return
    what = ", ".join(changed) if old is not None else ""
    result.plan.append(f"update {row.id} (post {entry.post_id}): {what or 'everything (not known what was published)'}")
    if deps.dry_run:
        return
    ref = deps.blogger.update(entry.post_id, title=rendered.title, html=rendered.html, labels=list(rendered.labels), item=row.id)
    old_schedule = old.get("Jadwal", "") if old is not None else None
    moves = machine.update_moves(deps.settings.publish_mode, old_schedule != parts["Jadwal"], schedule is not None, ref.status)
    ref = _move(deps, row, entry.post_id, moves, schedule) or ref
    status = ref.status or entry.post_status
    shown = machine.shown_time(status, schedule is not None, before=entry.post_status, kept=bool(entry.published_at))
    when = entry.published_at if shown == machine.Shown.KEPT else _shown(deps, shown, schedule)
    deps.ledger.journal.record_done(row.id, entry.post_id, ref.url or entry.post_url, status, when)
    deps.ledger.journal.record_content(row.id, parts)
    deps.ledger.submissions.set_status(row.id, Status.TERBIT.value)
    values = _done_values(deps.settings, entry.post_id, ref.url or entry.post_url, status, when, schedule)
    changes = f" (yang berubah: {what})" if what else " dengan isi baris ini"
    values[ReviewColumn.SYSTEM_NOTE] = (
        f"Post yang sama diperbarui pada {format_time(deps.google_now(), deps.settings.tz)} WITA{changes}; tidak ada post baru. "
        + values[ReviewColumn.SYSTEM_NOTE]
    )
    result.put(row.id, _with_photos(_labels_note(deps, row, values), photos))
    result.updated += 1
    log.info("%s: post %s updated after re-approval (%s)", row.id, entry.post_id, ", ".join(changed) if old else "all")


def _publish_or_restore(deps: CycleContext, row: ReviewRow, entry: JournalEntry | None, step: Step, result: PublishResult) -> None:
    """PUBLISH (a new post) or RESTORE (the same post out again, e.g. after DITARIK)."""
    if step == Step.RESTORE and entry is not None:
        values = _republish(deps, row, entry.post_id)
        result.plan.append(f"re-publish {row.id} (post {entry.post_id}): {row.get(ReviewColumn.TITLE)[:60]}")
    else:
        values = _publish_new(deps, row)
        result.plan.append(f"publish {row.id}: {row.get(ReviewColumn.TITLE)[:60]}")
    if not deps.dry_run:
        result.put(row.id, values)
        result.published += 1


def _withdraw(deps: CycleContext, row: ReviewRow, entry: JournalEntry, ask_blogger: bool, result: PublishResult) -> None:
    """WITHDRAW: the post goes back to draft. ``ask_blogger``: the ledger says draft, which is no proof
    (an officer may have clicked Publikasikan in Blogger since the last draft check)."""
    result.plan.append(f"withdraw {row.id} (post {entry.post_id}) back to draft")
    if deps.dry_run:
        return
    live = not ask_blogger
    if ask_blogger:
        try:
            ref = deps.blogger.get(entry.post_id, item=row.id)
            live = ref is not None and ref.status in machine.ON_WEBSITE
        except AuthError:
            raise
        except FatalError:
            live = True  # cannot tell: revert anyway (its failure is explained as a failed withdrawal)
    if live:
        deps.blogger.revert(entry.post_id, item=row.id)
    deps.ledger.journal.record_reverted(row.id)
    deps.ledger.submissions.set_status(row.id, Status.DITARIK.value)
    result.put(row.id, {ReviewColumn.SYSTEM_NOTE: machine.withdrawn_note(live, format_time(deps.google_now(), deps.settings.tz))})
    result.reverted += 1
    log.info("%s withdrawn: post %s reverted to draft", row.id, entry.post_id)


def _restore_link(settings: Settings, row: ReviewRow, entry: JournalEntry, result: PublishResult) -> None:
    """RESTORE_LINK: a cleared or edited Tautan Post of a TERBIT row is put back."""
    link = _post_link(settings, entry.post_id, entry.post_url)
    # the blog watch may have just put the new link (a post reverted to draft): not an officer's edit
    shown = result.updates.get(row.id, {}).get(ReviewColumn.POST_URL, row.get(ReviewColumn.POST_URL))
    if shown.strip() != link:
        result.put(row.id, {ReviewColumn.POST_URL: link})
        result.plan.append(f"restore Tautan Post of {row.id}")
        log.warning("%s: Tautan Post was cleared or edited in Review; restored", row.id)


def _execute(deps: CycleContext, row: ReviewRow, entry: JournalEntry | None, action: Action, result: PublishResult) -> None:
    """Do what the machine decided for one row (API calls, ledger records, Review cells).

    Raises:
        PublishError: the row cannot be published (FAIL, or found while rendering): it becomes GAGAL.
    """
    step = action.step
    if step in (Step.EXPLAIN, Step.WAIT):
        if action.note:
            _explain(row, result, action.note)
        if action.hold == machine.Hold.HANDOVER:
            result.retry_later += 1
            log.info("%s: waiting for the hand-over from the previous bridge before publishing", row.id)
        return
    if step == Step.FAIL:
        raise PublishError(action.note, action.reason_en, submission_id=row.id)
    if step in (Step.PUBLISH, Step.RESTORE):
        _publish_or_restore(deps, row, entry, step, result)
        return
    if entry is None:  # every other step acts on a post the journal knows
        return
    if step == Step.UPDATE:
        _update(deps, row, entry, result)
    elif step == Step.WITHDRAW:
        _withdraw(deps, row, entry, action.ask_blogger, result)
    elif step == Step.RESTORE_LINK:
        _restore_link(deps.settings, row, entry, result)


def _explain(row: ReviewRow, result: PublishResult, note: str) -> None:
    """Tell the officer (once) why their status change did nothing."""
    if row.get(ReviewColumn.SYSTEM_NOTE).strip() != note:
        result.put(row.id, {ReviewColumn.SYSTEM_NOTE: note})


#: How often draft-mode posts are looked up to see whether an officer published them in Blogger.
DRAFT_CHECK_EVERY = timedelta(minutes=10)
DRAFT_CHECK_MAX = 20  # posts looked up per check (one posts.get each)


def check_drafts(deps: CycleContext, rows: list[ReviewRow], result: PublishResult) -> None:
    """TERBIT rows whose post is a draft: when an officer has published it in Blogger, Review gets the
    public link and the publication time. At most every ``DRAFT_CHECK_EVERY``, one ``posts.get`` per draft, for
    at most ``DRAFT_CHECK_MAX`` drafts: with more, each check starts after the draft looked at last (by ID), so
    every draft is looked at in turn (``bridge.core.turns``), not only the first ones while they stay drafts.

    DITOLAK rows whose post the ledger knows as a draft are looked at too, in the same turns: a draft
    an officer published in Blogger and then rejected is live, and must stay in Review with the note that
    DITOLAK does not take it down (the machine's EXPLAIN), not be archived as if nothing were on the website.
    What each answer means is :func:`bridge.core.review_machine.seen_on_blog`'s."""
    drafts = []
    journal = JournalView(deps.ledger, (r.id for r in where(rows, machine.DRAFT_WATCH)))  # one read (issue 22)
    for status in machine.DRAFT_WATCH:
        for row in where(rows, (status,)):
            entry = journal.get(row.id)
            if entry is not None and journal_facts(entry).draft:
                drafts.append((row, entry))
    if not drafts:
        return
    last = deps.ledger.state.draft_checked
    if last is not None and deps.now() - last < DRAFT_CHECK_EVERY:
        return
    if not deps.dry_run:
        deps.ledger.state.draft_checked = deps.now()
    for row, entry in in_turn(drafts, lambda d: d[0].id, deps.ledger.state.draft_turn, DRAFT_CHECK_MAX):
        try:
            ref = deps.blogger.get(entry.post_id, item=row.id)
        except RetriableError as exc:
            log.warning("could not look at draft posts now: %s", exc)
            return
        if not deps.dry_run:
            deps.ledger.state.draft_turn = row.id
        seen = machine.seen_on_blog(row.status, journal_facts(entry), ref.status if ref is not None else None,
                                    has_url=bool(ref is not None and ref.url))
        if seen.step == Step.FORGET:  # deleted in Blogger: stop asking about it
            deps.ledger.journal.forget_post(row.id, f"draft post {entry.post_id} deleted in Blogger")
            continue
        if seen.step == Step.MARK_GONE:  # deleted in Blogger: say so once, and stop asking about it
            post_gone(deps, entry, row, result)
            continue
        if seen.step != Step.SHOW_PUBLISHED or ref is None:
            continue
        when_dt = _parse_iso(ref.published.replace("Z", "+00:00")) if ref.published else None
        when = format_time(when_dt or deps.google_now(), deps.settings.tz)
        result.plan.append(f"{row.id}: draft post {entry.post_id} was published in Blogger; show its public link")
        if deps.dry_run:
            continue
        deps.ledger.journal.record_done(row.id, entry.post_id, ref.url, ref.status, when)
        if row.status == Status.DITOLAK:
            # The row stays DITOLAK; its note comes from _rejected, which now sees a live post.
            result.put(row.id, {ReviewColumn.POST_URL: ref.url, ReviewColumn.PUBLISHED: when})
            log.warning("%s: rejected, but its draft post %s was published in Blogger: %s", row.id, entry.post_id, ref.url)
            continue
        values = _done_values(deps.settings, entry.post_id, ref.url, ref.status, when)
        if ref.status == PostState.LIVE:
            values[ReviewColumn.SYSTEM_NOTE] = f"Sudah tayang di website KIM Balangan (dipublikasikan petugas di Blogger; tayang {when} WITA)."
        result.put(row.id, values)
        log.info("%s: draft post %s is now %s in Blogger: %s", row.id, entry.post_id, ref.status, ref.url)


TEMPLATE_BROKEN = machine.TEMPLATE_BROKEN


def run_publish(deps: CycleContext, rows: list[ReviewRow], result: PublishResult, kims: Sequence[KimRecord] = ()) -> None:
    """Publish approved rows, withdraw DITARIK ones, and write the results back in one call.

    What each row gets is :func:`bridge.core.review_machine.decide`'s; this only carries it out.
    ``kims``: the registry (issue 20: a KIM under DITINJAU may make its items wait for a coordinator)."""
    needs = needing(deps.settings, deps.wilayah, rows, kims)  # issue 20: rows that wait for a coordinator's SETUJU
    record_deciders(deps.settings, rows, needs, result.updates, dry_run=deps.dry_run)  # Diputuskan Oleh
    approved = where(rows, machine.APPROVING)
    if approved:
        # A template that fails for every post holds publishing back (rows stay DISETUJUI);
        # one that fails only for some rows makes just those rows GAGAL, below.
        problems = render.check_template(deps.template, photo_optional=False)
        if problems:
            result.problems += [f"post template unusable, nothing published: {p}" for p in problems]
            log.error("post template unusable, nothing published until it is fixed: %s", "; ".join(problems))
            held = conditions(deps.settings, template_ok=False)
            for row in approved:
                _execute(deps, row, None, machine.decide(row_facts(row, row.id in needs), machine.Journal(), held), result)
            rows = [r for r in rows if r.status not in machine.APPROVING]
    if not deps.dry_run:
        try:
            reconcile(deps, rows, result)
        except (RetriableError, LimitError) as exc:
            result.problems.append(f"could not reconcile unfinished posts yet: {exc}")
            log.warning("reconcile postponed: %s", exc)
            return
    paused = paused_until(deps)
    if paused is None:
        watch_blog(deps, rows, result)
        try:
            check_drafts(deps, rows, result)
        except AuthError:
            raise
        except (FatalError, LimitError) as exc:
            log.warning("could not look at draft posts: %s", exc)
    now = conditions(deps.settings, paused, handover=lease.in_handover(deps) and not deps.dry_run)
    try:
        asking = where(rows, machine.ASKING)  # the others wait for an officer: nothing to look up
        # Their entries as they are now, in one read (issue 22): each row's is changed only by its own turn.
        journal = JournalView(deps.ledger, (r.id for r in asking))
        for row in asking:
            if deps.should_stop():
                log.info("stop requested: leaving the remaining rows for the next run")
                break
            entry = journal.get(row.id)
            try:
                _execute(deps, row, entry, machine.decide(*facts(deps.ledger, row, entry, row.id in needs), now), result)
            except PublishError as exc:
                if not deps.dry_run and render.is_submission_id(row.id):
                    if not (entry and entry.post_id):  # a post that exists stays in the journal, never re-inserted
                        deps.ledger.journal.record_failed(row.id, exc.reason_en)
                    deps.ledger.submissions.set_status(row.id, Status.GAGAL.value)
                result.put(row.id, {ReviewColumn.STATUS: Status.GAGAL.value, ReviewColumn.SYSTEM_NOTE: exc.reason_id})
                result.failed += 1
                result.plan.append(f"cannot publish {row.id}: {exc.reason_en}")
                log.error("%s could not be published: %s", row.id, exc.reason_en)
            except LimitError as exc:
                paused = _pause(deps, row, exc)
                now = replace(now, paused_until=paused)
                _explain(row, result, machine.limit_note(paused, deps.settings.tz))
                result.problems.append(f"Blogger refuses new requests until {paused.isoformat()}: {exc}")
            except RetriableError as exc:
                result.retry_later += 1
                result.put(row.id, {
                    ReviewColumn.SYSTEM_NOTE: "Gangguan sementara di layanan Google. Sistem mencoba lagi otomatis dalam "
                    "beberapa menit; Status tidak perlu diubah."
                })
                log.warning("%s: temporary failure, will retry next cycle: %s", row.id, exc)
            except FatalError:  # a person must fix it (credentials, ledger, photo store): rows stay as they are
                raise
            except Exception as exc:  # noqa: BLE001 - one row's unforeseen failure stops no other row (issue 18)
                _failed_unforeseen(deps, row, result, exc)
    except Exception:  # what was done is written back, even when a problem a person must fix stops the loop
        write_back(deps, result)
        raise
    write_back(deps, result)


def _failed_unforeseen(deps: CycleContext, row: ReviewRow, result: PublishResult, exc: Exception) -> None:
    """The row is GAGAL with the cause; its journal is left as it is, so a post already made is found
    again by its markers (reconcile) and never made twice when an officer approves the row again."""
    cause, note = row_failed("publishing", row.id or f"Review row {row.row_number}", exc)
    values = {ReviewColumn.SYSTEM_NOTE: note}
    if row.status in machine.ACTING:  # a row the bridge was acting on: GAGAL, so it is not tried every cycle
        values[ReviewColumn.STATUS] = Status.GAGAL.value
        result.failed += 1
        if not deps.dry_run and render.is_submission_id(row.id):
            deps.ledger.submissions.set_status(row.id, Status.GAGAL.value)
    result.put(row.id, values)
    result.problems.append(f"{row.id or f'Review row {row.row_number}'}: publishing failed ({cause})")
    result.plan.append(f"cannot handle {row.id}: {cause}")


def _pause(deps: CycleContext, row: ReviewRow, exc: LimitError) -> datetime:
    """Blogger refused for today: a refused insert created nothing, so its intent is closed (the next
    cycle does not search the blog for it), and the pause starts."""
    current = deps.ledger.journal.entry(row.id)
    if current is not None and current.state == INTENT and not deps.dry_run:
        deps.ledger.journal.record_failed(row.id, f"refused by Blogger's daily limit: {exc}")
    return pause(deps, exc, row.id)


def write_back(deps: CycleContext, result: PublishResult) -> None:
    """One re-read of where the IDs are now (rows may have moved) and one batched RAW write.

    Retried as a whole, the re-read included: a write retried to the row numbers of a read made
    before the backoff lands on other items' rows when officers sorted or deleted rows meanwhile
    (issue 23's soak wrote one item's TERBIT and link on another's row)."""
    if deps.dry_run or not (result.updates or result.row_notes):
        return
    try:
        deps.sheets.retry.call("Review write-back", lambda: _write_back_once(deps, result))
    except RetriableError as exc:
        # The ledger knows what happened; the next cycle writes TERBIT again (repair path).
        result.problems.append(f"Review tab not updated, will retry next cycle: {exc}")
        log.warning("write-back postponed: %s", exc)


def _write_back_once(deps: CycleContext, result: PublishResult) -> None:
    s = deps.settings
    fp_column = {s.review_tab: result.fingerprint_column} if result.hints and result.fingerprint_column is not None else None
    review = locate_ids(deps, [s.review_tab], fp_column)[s.review_tab]
    groups: dict[str, list[tuple[str, list[list[Any]]]]] = {}
    taken = set(review.rows.values())
    for sub_id, values in result.updates.items():
        row_number = review.rows.get(sub_id)
        if sub_id in review.copies or sub_id in result.decided:  # a copied row: only where the decision came from
            decided = result.decided.get(sub_id)
            row_number = copies.write_row(review.copies.get(sub_id) or ((row_number,) if row_number else ()), decided)
            if row_number is None and sub_id in result.hints:  # the upper row's ID was cleared: restored there only
                was = result.hints[sub_id][1]
                row_number = was if was == decided and was not in taken else None
            if row_number is None:
                log.warning("%s: its Review row and a copy moved since they were read; result kept in the ledger, written next cycle", sub_id)
                continue
            if ReviewColumn.SYSTEM_NOTE in values:  # the note this cycle writes still says where the copies are
                others = [n for n in review.copies.get(sub_id, ()) if n != row_number]
                values = {**values, ReviewColumn.SYSTEM_NOTE: copies.with_copy_line(values[ReviewColumn.SYSTEM_NOTE], others)}
        if row_number is None and sub_id in result.hints:  # its ID cell was cleared or edited: the fingerprint finds it
            fp, was = result.hints[sub_id]
            by_fp = review.by_fingerprint or {}
            row_number = by_fp.get(fp) or (was if was not in taken else None)
        if row_number is None:
            log.warning("%s: row no longer in the Review tab; result kept in the ledger only", sub_id)
            continue
        for column, value in values.items():
            if column in review.index:
                cell = f"{a1_tab(s.review_tab)}!{column_letter(review.index[column])}{row_number}"
                groups.setdefault(sub_id, []).append((cell, [[value]]))
    note_col = review.index.get(ReviewColumn.SYSTEM_NOTE)
    for row_number, row_id, note in result.row_notes:
        still = (review.rows.get(row_id) == row_number or row_number in review.copies.get(row_id, ())) if row_id else row_number not in taken
        if still and note_col is not None:
            groups.setdefault(row_id or f"row {row_number}", []).append(
                (f"{a1_tab(s.review_tab)}!{column_letter(note_col)}{row_number}", [[note]]))
    from bridge.cycle.isolate import update_isolating

    # Not retried by itself (the caller reads the rows again first); one refused row blocks no other.
    for sub_id in update_isolating(deps.sheets, s.review_spreadsheet_id, groups, retry=False):
        result.problems.append(f"{sub_id}: Google refused the Review write-back; the ledger keeps the result")


__all__ = ["PublishResult", "run_publish", "reconcile", "write_back"]
