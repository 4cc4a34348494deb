"""Publishing: DISETUJUI rows become Blogger posts exactly once; DITARIK posts go back to draft.

Exactly once across crashes:
1. the intent is written to the ledger *before* Blogger is called;
2. every post carries an invisible marker of its submission ID;
3. an intent left unfinished (crash, or a timeout after Blogger applied the
   insert) is reconciled by finding the marker on the blog before any new insert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge.adapters.ledger import DONE, INTENT, REVERTED
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.app import Deps
from bridge.core import columns, render, sanitize
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.drive_photos import rehost_photos
from bridge.exceptions import AuthError, PublishError, RetriableError, SubmissionError
from bridge.intake import format_time

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
    plan: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    updates: dict[str, dict[ReviewColumn, str]] = field(default_factory=dict)


def _parse_schedule(row: ReviewRow, deps: Deps) -> datetime | None:
    """The officer's optional publishing time (a sheet date value or dd/mm/yyyy HH:MM text)."""
    cell = row.get(ReviewColumn.SCHEDULE)
    if not str(cell).strip():
        return None
    when = columns.parse_datetime_cell(cell, deps.settings.tz)
    if when is None:
        raise PublishError(
            f"Jadwal Terbit '{cell}' tidak terbaca; tulis seperti 25/11/2026 08:00 atau kosongkan.",
            f"unreadable schedule {cell!r}",
            submission_id=row.id,
        )
    return when if when > deps.now() else None


def _post_link(deps: Deps, post_id: str, url: str) -> str:
    return url or DRAFT_EDIT_URL.format(blog=deps.settings.blog_id, post=post_id)


def _done_values(deps: Deps, post_id: str, url: str, status: str, when: str) -> dict[ReviewColumn, str]:
    if status == "DRAFT":
        note = "Terbit sebagai DRAF di Blogger: buka tautan, periksa, lalu klik Publikasikan."
    elif status == "SCHEDULED":
        note = "Terjadwal di Blogger; tayang otomatis pada Jadwal Terbit."
    else:
        note = "Sudah tayang di website KIM Balangan."
    return {
        ReviewColumn.STATUS: Status.TERBIT.value,
        ReviewColumn.POST_URL: _post_link(deps, post_id, url),
        ReviewColumn.PUBLISHED: when,
        ReviewColumn.SYSTEM_NOTE: note,
    }


def _publish_one(deps: Deps, row: ReviewRow) -> dict[ReviewColumn, str]:
    """Render and insert one approved row; returns the Review cells to write."""
    s = deps.settings
    title, _ = sanitize.clean_title(row.get(ReviewColumn.TITLE), s.title_max)
    body, _ = sanitize.clean_body(row.get(ReviewColumn.BODY), s.body_max)
    if not title or not body:
        raise PublishError(
            "Judul atau Isi kosong; isi di tab Review lalu setel Status ke DISETUJUI lagi.",
            "title or body is empty",
            submission_id=row.id,
        )
    schedule = _parse_schedule(row, deps)
    photos = rehost_photos(deps, row)
    kim = row.get(ReviewColumn.KIM)
    desa = row.get(ReviewColumn.DESA)
    kecamatan = row.get(ReviewColumn.KECAMATAN)
    desa_label = deps.wilayah.desa_label(kecamatan, desa)
    rendered = render.render_post(
        deps.template,
        render.PostContext(
            title=title,
            body_text=body,
            photos=[(url, f"Foto: {title}") for url in photos],
            operator=row.get(ReviewColumn.OPERATOR),
            kim=kim,
            desa=desa,
            kecamatan=kecamatan,
            desa_label=desa_label,
            received_at=row.get(ReviewColumn.RECEIVED),
            submission_id=row.id,
            labels=render.labels_for(kecamatan, desa, kim, s.labels, s.extra_labels, desa_label=desa_label),
        ),
    )
    draft = s.publish_mode == "draft"
    if deps.dry_run:
        return {ReviewColumn.STATUS: Status.TERBIT.value}
    deps.ledger.record_intent(row.id)
    ref = deps.blogger.insert(
        title=rendered.title, html=rendered.html, labels=list(rendered.labels), draft=draft, published_at=schedule, item=row.id,
        marker=render.marker_for(row.id),
    )
    when = format_time(deps.now(), deps)
    deps.ledger.record_done(row.id, ref.id, ref.url, ref.status, when)
    deps.ledger.set_status(row.id, Status.TERBIT.value)
    log.info("%s published as post %s (%s) %s", row.id, ref.id, ref.status, ref.url)
    return _done_values(deps, ref.id, ref.url, ref.status, when)


def _needs_lookup(deps: Deps, row: ReviewRow) -> bool:
    """An approved/withdrawn row the ledger cannot vouch for (it was rebuilt after being lost)."""
    if row.status not in (Status.DISETUJUI, Status.DITARIK) or deps.ledger.journal(row.id) is not None:
        return False
    sub = deps.ledger.submission(row.id)
    return sub is None or sub.origin != "form"


def reconcile(deps: Deps, rows: list[ReviewRow], result: PublishResult) -> None:
    """Before any insert, find posts the ledger does not know about by their marker.

    That covers intents left by a crash (the insert may have happened) and, after
    the ledger file was lost, approved or withdrawn rows whose post may exist.
    One scan of the blog serves them all; nothing is scanned on a normal cycle.
    """
    ids = [e.submission_id for e in deps.ledger.journal_entries(INTENT)]
    ids += [r.id for r in rows if _needs_lookup(deps, r)]
    if not ids:
        return
    found = deps.blogger.find_markers(ids, render.marker_for)
    for sid in ids:
        ref = found.get(sid)
        if ref is None:
            log.info("%s: no post carries its marker; it will be inserted when approved", sid)
            continue
        deps.ledger.record_done(sid, ref.id, ref.url, ref.status, format_time(deps.now(), deps))
        if ref.status == "DRAFT" and any(r.id == sid and r.status == Status.DITARIK for r in rows):
            deps.ledger.record_reverted(sid)
        result.reconciled += 1
        log.warning("%s: found existing post %s on the blog; not inserting again", sid, ref.id)


def run_publish(deps: Deps, rows: list[ReviewRow], result: PublishResult) -> None:
    """Publish approved rows, withdraw DITARIK ones, and write the results back in one call."""
    if not deps.dry_run:
        try:
            reconcile(deps, rows, result)
        except RetriableError as exc:
            result.problems.append(f"could not reconcile unfinished posts yet: {exc}")
            log.warning("reconcile postponed: %s", exc)
            return
    for row in rows:
        if deps.should_stop():
            log.info("stop requested: leaving the remaining rows for the next run")
            break
        status = row.status
        if status not in (Status.DISETUJUI, Status.DITARIK):
            continue
        entry = deps.ledger.journal(row.id)
        try:
            if status == Status.DISETUJUI:
                if entry and entry.state == DONE:
                    result.updates[row.id] = _done_values(deps, entry.post_id, entry.post_url, entry.post_status, entry.published_at)
                    result.repaired += 1
                    continue
                if entry and entry.state == REVERTED and entry.post_id:
                    result.plan.append(f"re-publish {row.id} (post {entry.post_id})")
                    if deps.dry_run:
                        continue
                    ref = deps.blogger.publish(entry.post_id, item=row.id)
                    when = format_time(deps.now(), deps)
                    deps.ledger.record_done(row.id, ref.id, ref.url, ref.status, when)
                    result.updates[row.id] = _done_values(deps, ref.id, ref.url, ref.status, when)
                    result.published += 1
                    continue
                # An INTENT left here was not found by reconcile: the earlier attempt created nothing.
                result.plan.append(f"publish {row.id}: {row.get(ReviewColumn.TITLE)[:60]}")
                values = _publish_one(deps, row)
                if not deps.dry_run:
                    result.updates[row.id] = values
                    result.published += 1
            elif status == Status.DITARIK:
                if entry is None or entry.state != DONE:
                    continue
                result.plan.append(f"withdraw {row.id} (post {entry.post_id}) back to draft")
                if deps.dry_run:
                    continue
                deps.blogger.revert(entry.post_id, item=row.id)
                deps.ledger.record_reverted(row.id)
                deps.ledger.set_status(row.id, Status.DITARIK.value)
                result.updates[row.id] = {
                    ReviewColumn.SYSTEM_NOTE: f"Post ditarik kembali menjadi draf pada {format_time(deps.now(), deps)}. "
                    "Setel DISETUJUI untuk menayangkannya lagi."
                }
                result.reverted += 1
                log.info("%s withdrawn: post %s reverted to draft", row.id, entry.post_id)
        except PublishError as exc:
            if not deps.dry_run:
                deps.ledger.record_failed(row.id, exc.reason_en)
                deps.ledger.set_status(row.id, Status.GAGAL.value)
            result.updates[row.id] = {ReviewColumn.STATUS: Status.GAGAL.value, ReviewColumn.SYSTEM_NOTE: exc.reason_id}
            result.failed += 1
            log.error("%s could not be published: %s", row.id, exc.reason_en)
        except SubmissionError as exc:
            result.updates[row.id] = {ReviewColumn.STATUS: Status.GAGAL.value, ReviewColumn.SYSTEM_NOTE: exc.reason_id}
            result.failed += 1
            log.error("%s could not be published: %s", row.id, exc.reason_en)
        except RetriableError as exc:
            result.retry_later += 1
            result.updates[row.id] = {
                ReviewColumn.SYSTEM_NOTE: "Gangguan sementara dari Google; bridge mencoba lagi otomatis pada siklus berikutnya."
            }
            log.warning("%s: temporary failure, will retry next cycle: %s", row.id, exc)
        except AuthError:
            write_back(deps, result)
            raise
    write_back(deps, result)


def write_back(deps: Deps, result: PublishResult) -> None:
    """One re-read of the ID column (rows may have moved) and one batched RAW write."""
    if deps.dry_run or not result.updates:
        return
    s = deps.settings
    ids_col, header = deps.sheets.batch_get(s.review_spreadsheet_id, [f"{a1_tab(s.review_tab)}!A:A", f"{a1_tab(s.review_tab)}!1:1"])
    index, _ = columns.review_header_index([str(h) for h in (header[0] if header else [])])
    id_col = index.get(ReviewColumn.ID, 0)
    if id_col != 0:  # officers moved the ID column: read it where it is now
        (ids_col,) = deps.sheets.batch_get(
            s.review_spreadsheet_id, [f"{a1_tab(s.review_tab)}!{column_letter(id_col)}:{column_letter(id_col)}"]
        )
    where = {str(r[0]).strip(): n for n, r in enumerate(ids_col, start=1) if r and str(r[0]).strip()}
    data: list[tuple[str, list[list[Any]]]] = []
    for sub_id, values in result.updates.items():
        row_number = where.get(sub_id)
        if row_number is None:
            log.warning("%s: row no longer in the Review tab; result kept in the ledger only", sub_id)
            continue
        for column, value in values.items():
            if column in index:
                cell = f"{a1_tab(s.review_tab)}!{column_letter(index[column])}{row_number}"
                data.append((cell, [[value]]))
    try:
        deps.sheets.update_ranges(s.review_spreadsheet_id, data)
    except RetriableError as exc:
        # The ledger knows what happened; the next cycle writes TERBIT again (repair path).
        result.problems.append(f"Review tab not updated, will retry next cycle: {exc}")
        log.warning("write-back postponed: %s", exc)


__all__ = ["PublishResult", "run_publish", "reconcile", "write_back"]
