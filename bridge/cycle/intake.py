"""Intake: new form responses → sanitized, validated submissions → the Review tab, exactly once.

Order of durability (checkpoint after write): a submission is recorded in the
ledger (pending), then appended to Review in one RAW call, then marked as in
Review and the watermark advances. A crash anywhere repeats at most the append
of pending rows, and rows already visible in Review (by fingerprint) are never
appended again.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bridge.adapters.ledger import ARCHIVED, DONE, REVERTED, BlogPostRecord, Ledger, Rebuild
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.config import Settings
from bridge.core import columns, identity, questions, revision, validate, watermark
from bridge.core.model import LATER_COLUMNS, Field, FormResponse, ReviewColumn, ReviewRow, Status, Submission
from bridge.core.review_machine import ACTING, PostState
from bridge.cycle.context import CycleContext
from bridge.cycle.isolate import row_failed
from bridge.cycle.revision import Revisions, ambiguous, apply_revisions, without_self_duplicate
from bridge.cycle.snapshot import LAST_COLUMN, Snapshot
from bridge.exceptions import AuthError, FatalError, LeaseHeldError, RetriableError
from bridge.photos.check import check_photos

log = logging.getLogger("bridge.intake")

TIME_FORMAT = columns.TIME_CELL_FORMAT
NOTE_OK = "Lolos pemeriksaan otomatis; menunggu keputusan petugas."
#: Review columns the bridge writes (it only reads the officers' notes and schedule).
BRIDGE_COLUMNS: tuple[ReviewColumn, ...] = tuple(
    c for c in ReviewColumn if c not in (ReviewColumn.OFFICER_NOTE, ReviewColumn.SCHEDULE, ReviewColumn.OPERATOR_MESSAGE)
)


@dataclass
class IntakeResult:
    read_rows: int = 0
    new: int = 0
    queued: int = 0
    restored: int = 0  # published items with no row anywhere, put back in Review as TERBIT (not in new/queued)
    invalid: int = 0
    duplicates: int = 0
    skipped: int = 0
    rescanned: bool = False
    rebuilt: int = 0
    halted: str = ""
    halted_config: bool = False  # stopped until the config (or a header) is fixed: `once` exits 2
    drift: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    queued_ids: list[str] = field(default_factory=list)  # appended to Review this cycle (not in the snapshot yet)
    revised_ids: list[str] = field(default_factory=list)  # items a resubmission replaced (issue 20): matched this cycle


def format_time(dt: datetime | None, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime(TIME_FORMAT) if dt else ""


def review_values(sub: Submission, tz: ZoneInfo) -> dict[ReviewColumn, str]:
    """The Review row the officers see for a new submission."""
    note = NOTE_OK if sub.valid else "\n".join(f"{i}. {r.id}" for i, r in enumerate(sub.reasons, start=1))
    return {
        ReviewColumn.ID: sub.id,
        ReviewColumn.RECEIVED: format_time(sub.received_at, tz),
        ReviewColumn.KECAMATAN: sub.kecamatan,
        ReviewColumn.DESA: sub.desa,
        ReviewColumn.KIM: sub.kim,
        ReviewColumn.OPERATOR: sub.operator,
        ReviewColumn.EMAIL: sub.email,
        ReviewColumn.TITLE: sub.title,
        ReviewColumn.BODY: sub.body,
        ReviewColumn.PHOTOS: ", ".join(sub.photos),
        ReviewColumn.SYSTEM_NOTE: note,
        ReviewColumn.STATUS: sub.status.value,
        ReviewColumn.FINGERPRINT: sub.fingerprint,
    }


def _responses(rows: Sequence[Sequence[Any]], start: int, hmap: columns.HeaderMap, snap: Snapshot) -> list[FormResponse]:
    out = []
    for offset, row in enumerate(rows):
        try:
            if hmap.is_blank(row):
                continue  # an emptied row is not a submission (whatever other columns hold)
            out.append(columns.row_to_response(row, start + offset, hmap, snap.sheet_tz, locale=snap.form.locale))
        except Exception as exc:  # noqa: BLE001 - one unreadable row stops no other (issue 18)
            out.append(_salvaged(row, start + offset, hmap, exc))
    return out


def _salvaged(row: Sequence[Any], row_number: int, hmap: columns.HeaderMap, exc: Exception) -> FormResponse:
    """A row that could not be read as usual, with every cell that still reads: queued for officers
    (TIDAK VALID, the cause in Catatan Sistem) rather than lost or retried forever."""
    cause, _ = row_failed("reading the response", f"responses row {row_number}", exc)

    def text(fld: Field) -> str:
        try:
            return columns.cell_text(hmap.cell(row, fld))
        except Exception:  # noqa: BLE001
            return ""

    try:  # as row_to_response reads them, so that the fingerprint is the one a normal read gives
        photos = columns.split_photo_links(hmap.cell(row, Field.PHOTO))
    except Exception:  # noqa: BLE001
        photos = ()
    return FormResponse(
        row_number=row_number, received_at=None, email=text(Field.EMAIL).strip(), kecamatan=text(Field.KECAMATAN),
        desa=text(Field.DESA), operator=text(Field.OPERATOR), title=text(Field.TITLE), body=text(Field.BODY),
        photos=photos, raw_timestamp=text(Field.TIMESTAMP).strip(), unreadable=cause,
    )


def _missing_review_columns(snap: Snapshot) -> list[str]:
    """Review headers the bridge writes under that are missing (renamed or deleted by an officer)."""
    return [c.value for c in BRIDGE_COLUMNS if c.value in snap.review_missing and c not in LATER_COLUMNS]


NOTE_BACK_FROM_BLOG = (
    "Kiriman ini sudah terbit di blog (post dikenali dari penandanya), tetapi barisnya tidak ada di Review maupun "
    "Arsip; sistem mengembalikannya sebagai TERBIT. Tidak perlu disetujui lagi."
)


def arsip_rows(deps: CycleContext) -> list[ReviewRow]:
    """The Arsip tab's rows with an ID or a fingerprint (read only when rebuilding, rarely)."""
    s = deps.settings
    info = deps.sheets.info(s.review_spreadsheet_id)
    if s.archive_tab not in info.tabs:
        return []
    (arsip,) = deps.sheets.batch_get(s.review_spreadsheet_id, [a1_tab(s.archive_tab)])
    if not arsip:
        return []
    idx, _ = columns.review_header_index([str(h) for h in arsip[0]])
    rows = (columns.row_to_review(v, n, idx) for n, v in enumerate(arsip[1:], start=2))
    return [r for r in rows if r.id or r.get(ReviewColumn.FINGERPRINT).strip()]


def queued_before(deps: CycleContext, snap: Snapshot) -> list[ReviewRow]:
    """Every row queued before: the Review tab's, then the Arsip tab's (read only here, rarely)."""
    return list(snap.review) + [r for r in arsip_rows(deps) if r.id]


def _post_time(post: identity.BlogPost, tz: ZoneInfo) -> str:
    try:
        return format_time(datetime.fromisoformat(post.published.replace("Z", "+00:00")), tz) if post.published else ""
    except ValueError:
        return ""


def rebuild_ledger(
    deps: CycleContext,
    rows: Sequence[ReviewRow],
    arsip: Sequence[ReviewRow] = (),
    posts: Sequence[identity.BlogPost] = (),
    plan: list[str] | None = None,
    *,
    why: str = "local ledger was empty",
) -> int:
    """After the local state was lost: re-learn every queued submission from the Review and Arsip
    rows, and every post from the blog's markers (read once, by the caller).

    * a row's post is found by the fingerprint in its marker (or, for posts from before
      fingerprints, by ID), so a published item is known as published: never queued again;
    * a row whose ID cell was cleared gets the ID its post carries, or a new one;
    * a post whose response is in neither tab is remembered: intake puts the response back
      in Review as TERBIT when it reads it from the form;
    * IDs are allocated above every ID seen in Review, Arsip and the markers.
    """
    ledger = deps.ledger
    fp_posts = identity.by_fingerprint(posts)
    index = identity.PostIndex(posts)  # each row looks its post up: no scan of the blog per row
    with ledger.transaction():
        ledger.ids.note([r.id for r in (*rows, *arsip)] + [m.id for p in posts for m in p.markers])
        count, seen_fps, deferred = _relearn_rows(deps, index, fp_posts, rows, arsip)
        count += _renumber(deps, index, deferred, plan)
        gone = _remember_posts_of_gone_rows(deps, fp_posts, seen_fps)
    if count or fp_posts:
        log.warning(
            "%s: rebuilt %d submissions from the Review and Arsip tabs and %d posts from the blog "
            "(%d of them for responses in neither tab)", why, count, len(fp_posts), gone,
        )
    if plan is not None and (count or gone):
        plan.append(f"rebuild: {count} submissions from Review/Arsip, {len(fp_posts)} bridge posts on the blog, {gone} to restore as TERBIT")
    return count


def _relearn_rows(
    deps: CycleContext,
    index: identity.PostIndex,
    fp_posts: Mapping[str, identity.BlogPost],
    rows: Sequence[ReviewRow],
    arsip: Sequence[ReviewRow],
) -> tuple[int, set[str], list[tuple[ReviewRow, str, str]]]:
    """Each Review row, then each Arsip row, learned under its ID (or the ID its post carries).
    A row nothing identifies, or a copy, is left to the Review watch. Returns (submissions learned,
    fingerprints seen, rows that need a new ID: their ID was cleared or used twice)."""
    seen_fps: set[str] = set()
    deferred: list[tuple[ReviewRow, str, str]] = []
    count = 0
    for r, status in [(r, (r.status or Status.MENUNGGU).value) for r in rows] + [(r, ARCHIVED) for r in arsip]:
        fp, *taken_in = revision.fingerprints(r.get(ReviewColumn.FINGERPRINT)) or [""]
        for other in taken_in:  # resubmissions this row took in (issue 20): never queued again
            deps.ledger.submissions.add_skipped(other, 0, f"resubmission taken into {r.id or 'a Review row'}")
        fp = fp or _fingerprint_from_post(r, index)
        if not fp or fp in seen_fps:
            continue  # nothing identifies the response (or it is a copy): the Review watch explains it
        seen_fps.add(fp)
        sub_id = r.id
        if not sub_id and fp in fp_posts:
            sub_id = next((m.id for m in fp_posts[fp].markers if m.fingerprint == fp), "")
        if not sub_id or deps.ledger.submissions.get(sub_id) is not None:
            deferred.append((r, fp, status))  # ID cleared, or the same ID on two submissions: a new one
            continue
        _add_rebuilt(deps, index, r, sub_id, fp, status)
        count += 1
    return count, seen_fps, deferred


def _fingerprint_from_post(r: ReviewRow, index: identity.PostIndex) -> str:
    """For a row whose fingerprint cell was cleared: the fingerprint its post's marker carries ("" if none)."""
    if not r.id:
        return ""
    post = index.match(r.id)
    return next((m.fingerprint for m in (post.markers if post else ()) if m.id == r.id and m.fingerprint), "")


def _renumber(
    deps: CycleContext, index: identity.PostIndex, deferred: Sequence[tuple[ReviewRow, str, str]], plan: list[str] | None
) -> int:
    """Rows whose ID was cleared or used twice get a new ID, in the year they were received."""
    for r, fp, status in deferred:
        received = columns.parse_datetime_cell(r.get(ReviewColumn.RECEIVED), deps.settings.tz)
        sub_id = deps.ledger.ids.allocate((received or deps.now()).astimezone(deps.settings.tz).year)
        _add_rebuilt(deps, index, r, sub_id, fp, status, origin=identity.RENUMBERED)
        if plan is not None:
            plan.append(f"rebuild: row with fingerprint {fp} gets ID {sub_id} (its ID was cleared or used twice)")
    return len(deferred)


def _add_rebuilt(
    deps: CycleContext, index: identity.PostIndex, r: ReviewRow, sub_id: str, fp: str, status: str, origin: str = "rebuilt"
) -> None:
    """One submission learned from its row, with its post when the blog has it (an approved or
    withdrawn row whose post no marker names is recorded as failed: looked for once, here)."""
    ledger = deps.ledger
    ledger.submissions.add(
        id=sub_id,
        fingerprint=fp,
        row_number=0,
        received_at=r.get(ReviewColumn.RECEIVED),
        kecamatan=r.get(ReviewColumn.KECAMATAN),
        desa=r.get(ReviewColumn.DESA),
        kim=r.get(ReviewColumn.KIM),
        operator=r.get(ReviewColumn.OPERATOR),
        email=r.get(ReviewColumn.EMAIL),
        title=r.get(ReviewColumn.TITLE),
        content_key=validate.content_key(r.get(ReviewColumn.OPERATOR), r.get(ReviewColumn.TITLE), r.get(ReviewColumn.BODY)),
        status=status,
        reasons="",
        in_review=True,
        origin=origin,
    )
    post = index.match(sub_id, fp)
    if post is not None:
        ledger.journal.record_done(sub_id, post.id, post.url, post.status, _post_time(post, deps.settings.tz))
    elif r.status in ACTING and status != ARCHIVED:  # issue 20: PERLU KOORDINASI acts like DISETUJUI
        ledger.journal.record_failed(sub_id, "no post carries its marker")  # looked for once, here


def _remember_posts_of_gone_rows(deps: CycleContext, fp_posts: Mapping[str, identity.BlogPost], seen_fps: set[str]) -> int:
    """Bridge posts whose response is in neither tab, remembered so intake puts the response back in
    Review as TERBIT when it reads it. Returns how many."""
    gone = 0
    for fp, post in fp_posts.items():
        if fp in seen_fps:
            continue
        sub_id = next((m.id for m in post.markers if m.fingerprint == fp), "")
        deps.ledger.blog_posts.add(BlogPostRecord(fp, sub_id, post.id, post.url, post.status, _post_time(post, deps.settings.tz)))
        gone += 1
    return gone


def _oldest_received(rows: Sequence[ReviewRow], tz: ZoneInfo) -> datetime | None:
    """The earliest 'Diterima (WITA)' time among queued rows (as times, not as text)."""
    times = [columns.parse_datetime_cell(r.get(ReviewColumn.RECEIVED), tz) for r in rows]
    return min((t for t in times if t is not None), default=None)


class History:
    """With ``[intake] start = "now"``: which new responses are history, recorded as skipped, not queued.

    On a first run every response is history; after a lost ledger, every response older than the
    oldest submission queued before (``cutoff``). Asked row by row as pages arrive (issue 13).
    """

    def __init__(self, deps: CycleContext, first_run: bool, cutoff: datetime | None) -> None:
        self.ledger = deps.ledger
        self.why = ""
        self.first_run = deps.settings.start == "now" and first_run
        if deps.settings.start != "now":
            self.active = False
        elif first_run:
            self.active, self.why = True, "start=now: history before the bridge's first run"
        else:
            self.active, self.why = cutoff is not None, "start=now: older than every queued submission"
        self.cutoff = cutoff
        self.skipped = 0

    def leave_out(self, response: FormResponse, fp: str) -> bool:
        """True when the response is history: it is recorded as skipped (inside the caller's transaction)."""
        if not self.active:
            return False
        if not self.first_run and not (response.received_at is not None and self.cutoff is not None and response.received_at < self.cutoff):
            return False
        self.ledger.submissions.add_skipped(fp, response.row_number, self.why)
        self.skipped += 1
        return True


def _registry_gaps(settings: Settings, registry: validate.KimRegistry, rules: validate.Rules, email_collected: bool) -> list[str]:
    """One problem line when the KIM tab lacks a column validation needs (every cycle, until fixed)."""
    gaps = registry.missing_of(validate.kim_columns_needed(rules, email_collected))
    if not gaps:
        return []
    names = ", ".join(f"'{c.value}'" for c in gaps)
    line = (
        f"registry tab '{settings.registry_tab}' has no column {names}: submissions whose checks need it are "
        "queued TIDAK VALID; rename the header back or run `mymein-bridge init -c CONFIG`"
    )
    log.warning(line)
    return [line]


def _append(
    deps: CycleContext, snap: Snapshot, to_write: list[tuple[str, dict[ReviewColumn, str]]], result: IntakeResult, below_row: int
) -> list[str] | None:
    """One RAW append of the rows to Review, below its last row; a row Google refuses is isolated
    (see :mod:`bridge.cycle.isolate`). Returns the IDs now in Review; None = all stay pending."""
    from bridge.cycle.isolate import append_isolating
    from bridge.cycle.refused import reduced_review_row

    s = deps.settings
    values = dict(to_write)
    try:
        outcome = append_isolating(
            deps.sheets, s.review_spreadsheet_id, s.review_tab,
            [(i, columns.review_to_row(v, snap.review_index)) for i, v in to_write],
            below_row=below_row,
            reduced=lambda i, why: columns.review_to_row(reduced_review_row(values[i], why), snap.review_index),
        )
    except (AuthError, LeaseHeldError):
        raise  # the credentials are gone, or another bridge writes now: nothing else in the cycle may go on
    except RetriableError as exc:
        result.problems.append(f"Review tab not updated, will retry next cycle: {exc}")
        log.warning("could not append %d rows to Review; they stay pending: %s", len(to_write), exc)
        return None
    except FatalError as exc:
        result.problems.append(f"Review tab not updated: Google refused the rows; they stay pending: {exc}")
        log.error("Google refused to append %d rows to Review; they stay pending, publishing goes on: %s", len(to_write), exc)
        return None
    result.problems += outcome.problems
    return outcome.written + outcome.reduced




def _back_from_blog(
    deps: CycleContext, response: FormResponse, fp: str, post: BlogPostRecord, result: IntakeResult
) -> dict[str, dict[ReviewColumn, str]]:
    """A response already on the blog whose row is in neither tab (deleted, then the ledger was lost):
    it goes back to Review as TERBIT with its link, under the ID its post carries. Never re-queued."""
    ledger = deps.ledger
    s = deps.settings
    sub = validate.unvalidated(response, fp, "")
    sub_id = post.submission_id
    if not sub_id or ledger.submissions.get(sub_id) is not None:
        sub_id = ledger.ids.allocate((sub.received_at or deps.now()).astimezone(s.tz).year)
    sub = validate.with_id(sub, sub_id)
    values = review_values(sub, deps.settings.tz)
    link = post.post_url or f"https://www.blogger.com/blog/post/edit/{s.blog_id}/{post.post_id}"
    values.update({
        ReviewColumn.STATUS: Status.TERBIT.value,
        ReviewColumn.POST_URL: link,
        ReviewColumn.PUBLISHED: post.published,
        ReviewColumn.SYSTEM_NOTE: NOTE_BACK_FROM_BLOG,
    })
    ledger.submissions.add(
        id=sub_id, fingerprint=fp, row_number=response.row_number,
        received_at=sub.received_at.isoformat() if sub.received_at else "",
        kecamatan=sub.kecamatan, desa=sub.desa, kim=sub.kim, operator=sub.operator, email=sub.email, title=sub.title,
        content_key="", status=Status.TERBIT.value, reasons="",
    )
    ledger.journal.record_done(sub_id, post.post_id, post.post_url, post.post_status, post.published)
    ledger.submissions.set_pending_row(sub_id, json.dumps({c.name: v for c, v in values.items()}, ensure_ascii=False))
    ledger.blog_posts.forget(fp)
    log.warning("row %d is already on the blog as post %s (%s): back in Review as TERBIT", response.row_number, post.post_id, sub_id)
    result.plan.append(f"restore {sub_id} [TERBIT] row {response.row_number}: already on the blog as post {post.post_id}")
    return {sub_id: values}


def full_read_pages(
    deps: CycleContext, snap: Snapshot, hmap: columns.HeaderMap, result: IntakeResult, *, first_from_snapshot: bool = True
) -> Iterator[list[FormResponse]]:
    """Every responses row from row 2, ``deps.pages.full_read`` rows per request (bounded memory, issue 13).

    ``first_from_snapshot``: the snapshot holds the first page (else it is read too). Later pages read only
    the columns up to the last one the form's questions use. Pages cover the grid as the
    spreadsheet's metadata gives it, looked at again once when a full page reaches its end (the
    cached size may be older than rows Forms appended since).
    """
    s = deps.settings
    tab = s.responses_tab
    page = deps.pages.full_read
    used = [i for fld in hmap.index for i in hmap.columns_of(fld)]
    last_col = column_letter(max(used)) if used else LAST_COLUMN
    grid = deps.sheets.info(s.spreadsheet_id).tabs[tab].row_count
    refreshed = False
    start = 2
    while True:
        end = start + page - 1
        if start == 2 and first_from_snapshot:
            rows = snap.first_page()  # the snapshot lets the first page go once it is read here
        else:
            try:
                (rows,) = deps.sheets.batch_get(s.spreadsheet_id, [f"{a1_tab(tab)}!A{start}:{last_col}{end}"])
            except FatalError as exc:
                if "exceeds grid limits" not in str(exc):
                    raise
                break  # the grid shrank since its size was read: nothing below
        out = _responses(rows, start, hmap, snap)
        result.read_rows += len(out)
        full = len(rows) == page
        del rows  # one page held at a time, not two, while the next one is read (issue 22)
        yield out
        del out
        if end >= grid and full and not refreshed:
            # a full page at the end of the grid as cached: the tab may have grown since (Forms appends)
            grid, refreshed = deps.sheets.info(s.spreadsheet_id, refresh=True).tabs[tab].row_count, True
        if end >= grid:
            break
        start = end + 1


class KnownFingerprints(Container[str]):
    """The fingerprints already queued or skipped (ledger) or visible in Review, asked one at a time.

    The watermark asks only about the rows it read (from the watermark: usually none), so a cycle's
    cost does not grow with every fingerprint ever recorded (issue 13)."""

    #: Asked about this many fingerprints, Review's set is gathered (a read of many rows asks about each).
    LEDGER_FIRST = 100

    def __init__(self, ledger: Ledger, visible: Callable[[], set[str]]) -> None:
        self.ledger, self._visible, self._asked = ledger, visible, 0

    @functools.cached_property
    def visible(self) -> set[str]:
        """Review's fingerprints, gathered only when needed (issue 22: most cycles ask about the
        watermark's row alone, which the ledger knows, and gathering them was a pass over every row)."""
        return self._visible()

    def __contains__(self, fingerprint: object) -> bool:
        if not isinstance(fingerprint, str):
            return False
        if "visible" not in self.__dict__ and self._asked < self.LEDGER_FIRST:
            self._asked += 1
            return self.ledger.submissions.has_fingerprint(fingerprint) or fingerprint in self.visible
        return fingerprint in self.visible or self.ledger.submissions.has_fingerprint(fingerprint)


#: The fingerprint scheme of issue 17. Until the ledger's ``state.fingerprint_scheme`` (the scheme every
#: response of the tab was last read whole under) says it, the next cycle reads the whole tab (the first
#: cycle after the upgrade), so every response queued under a legacy fingerprint has its pair remembered
#: before a form change can take the e-mail or photo column away.
FINGERPRINTS_NOW = 2


class Legacy:
    """Responses queued under a legacy fingerprint (before issue 17): looked up one at a time."""

    def __init__(self, ledger: Ledger, known: Container[str]) -> None:
        self.ledger = ledger
        self.known = _KnownOrPosted(ledger, known)
        #: hash each row the legacy way too: until a whole read under the current scheme (after the
        #: upgrade, or after a lost ledger was rebuilt from Review's legacy fingerprints)
        self.pending = ledger.state.fingerprint_scheme != FINGERPRINTS_NOW

    def of(self, fingerprint: str) -> str:
        return self.ledger.submissions.legacy_fingerprint(fingerprint)

    def remember(self, pairs: Mapping[str, str]) -> None:
        if pairs:
            self.ledger.submissions.remember_legacy(pairs)
            log.info("%d responses recognised by the fingerprint an earlier version gave them", len(pairs))


class _KnownOrPosted(Container[str]):
    """Known, or carried by a bridge post's marker (a response published, then its row deleted)."""

    def __init__(self, ledger: Ledger, known: Container[str]) -> None:
        self.ledger, self.known = ledger, known

    def __contains__(self, fingerprint: object) -> bool:
        return isinstance(fingerprint, str) and (fingerprint in self.known or self.ledger.blog_posts.has(fingerprint))


class ContentKeys:
    """Earlier submissions by content key: this cycle's first, then one indexed ledger look-up per key
    (never every key of the history loaded per cycle, issue 13)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.added: dict[str, str] = {}

    def get(self, key: str, /) -> str | None:
        return self.added.get(key) or self.ledger.submissions.first_with_content(key)

    def setdefault(self, key: str, sub_id: str) -> None:
        if key and self.get(key) is None:
            self.added[key] = sub_id


@dataclass
class _Start:
    """What the ledger says about where intake starts from."""

    fresh: bool  # a new ledger or a lost one: rebuilt from Review, Arsip and the blog this cycle
    resumed: bool  # a rebuild whose first read did not finish (a page failed)
    cutoff: datetime | None  # responses older than this are history after a rebuild (``[intake] start = "now"``)


def run_intake(deps: CycleContext, snap: Snapshot, result: IntakeResult) -> None:
    """Queue every new response exactly once; never raises for one bad row."""
    ledger = deps.ledger
    hmap = _checked_header(deps, snap, result)
    if hmap is None:
        return
    start = _ledger_start(deps, snap, result)
    if start is None:
        return
    known = KnownFingerprints(ledger, lambda: {
        fp for r in (*snap.review, *snap.review_unidentified) for fp in revision.fingerprints(r.get(ReviewColumn.FINGERPRINT))})
    legacy = Legacy(ledger, known)
    history = History(deps, start.fresh and not result.rebuilt, start.cutoff)
    queue = _Queue(deps, snap, hmap, result, legacy)
    result.problems += _registry_gaps(deps.settings, queue.registry, queue.rules, queue.email_collected)

    # One transaction for the read and the queueing (all or nothing, as before), but page by page:
    # each page's new rows are recorded and let go, so memory does not grow with the tab (issue 13).
    with ledger.transaction():
        # New IDs go above every ID in Review whatever this ledger's counter says (issue 17: a ledger
        # restored from a backup, or another bridge's rows). Arsip's and the blog's highest come with
        # the spreadsheet's lease record (bridge.cycle.lease.check): reading those every cycle would
        # cost a request and the whole blog; the record is written before every write, so it holds them.
        # (Noted above already, with the unidentified rows' IDs, unless this is a rebuild or a dry run.)
        if start.fresh or deps.dry_run:
            ledger.ids.note(r.id for r in snap.review)
        decision = _read_and_queue(deps, snap, hmap, result, known, history, queue)
        _note_read_done(deps, snap, start)
    if history.skipped:
        result.skipped = history.skipped
    if history.first_run and (history.skipped or queue.count):
        log.info("first run with [intake] start = \"now\": %d existing responses left out; new ones will be queued", history.skipped)
    result.new = queue.count
    _append_pending(deps, snap, lambda: known.visible, decision.next_watermark, result)
    try:  # after the new rows: a resubmission replaces its item's content in the same Review row (issue 20)
        apply_revisions(deps, snap.review, result.problems)
    except (AuthError, LeaseHeldError):
        raise  # as for the append: nothing else in the cycle may go on
    except (RetriableError, FatalError) as exc:  # one refused write never stops the cycle; tried again next cycle
        result.problems.append(f"resubmissions not written to Review, will retry next cycle: {exc}")
        log.warning("resubmissions not written to Review; they stay pending: %s", exc)


def _checked_header(deps: CycleContext, snap: Snapshot, result: IntakeResult) -> columns.HeaderMap | None:
    """The responses tab's questions mapped to fields, and remembered; None when intake stops this
    cycle (``result.halted`` says why). Changes since the last cycle are reported as drift."""
    tab = deps.settings.responses_tab
    hmap = columns.map_headers(snap.header, deps.settings.aliases)
    stored = deps.ledger.state.header_map(tab)
    previous = columns.HeaderMap.from_json(stored) if stored else None
    result.drift = hmap.drift_report(previous)
    for line in result.drift:
        log.warning("responses tab '%s': %s", tab, line)
    halted, config = _why_stop(deps.settings, snap, hmap, previous)
    if halted:
        result.halted, result.halted_config = halted, config
        log.error("intake stopped: %s", halted)
        return None
    deps.ledger.state.set_header_map(tab, hmap.to_json())
    return hmap


def _why_stop(
    settings: Settings, snap: Snapshot, hmap: columns.HeaderMap, previous: columns.HeaderMap | None
) -> tuple[str, bool]:
    """Why no response may be queued this cycle ("" when they may), and whether only a config or
    header fix helps (``once`` exits 2). The responses wait in the form meanwhile."""
    s = settings
    photos_in_review = previous is None and any(r.get(ReviewColumn.PHOTOS).strip() for r in snap.review)
    lost = questions.lost_questions(hmap, previous, questions.needed_fields(previous, photos_in_review, s.aliases))
    if lost and (previous is not None or Field.PHOTO in {q.field for q in lost}):
        return questions.halt_message(lost, s.responses_tab), True
    try:
        columns.require(hmap)
    except FatalError as exc:
        return str(exc), True
    if snap.kim_moved:  # every new response would be TIDAK VALID for a registry it could not read
        return (f"KIM tab '{s.registry_tab}': {snap.kim_moved}. The responses wait and are queued once "
                "the headers are on row 1 again"), False
    missing = _missing_review_columns(snap)
    if missing:
        return (
            f"Review tab '{s.review_tab}' has no column {', '.join(repr(m) for m in missing)} (renamed or deleted?), "
            "so new rows would lose what belongs there. Rename the header back, or run `mymein-bridge init -c CONFIG` "
            "to add it again; the responses wait and are queued once the columns are back"
        ), False
    return "", False


def _ledger_start(deps: CycleContext, snap: Snapshot, result: IntakeResult) -> _Start | None:
    """A new ledger, or a lost one: re-learn what Review and Arsip already hold before anything else;
    a ledger restored from an older copy learns what was queued since. None when intake waits (Arsip
    or the blog cannot be read now)."""
    ledger = deps.ledger
    started = ledger.state.intake_started is not None
    fresh = not started and ledger.is_empty()
    # A rebuild whose first read did not finish (a page failed): the rebuild is on record, and
    # its history cutoff still applies, or old responses would be queued as new.
    saved = None if fresh or started else ledger.state.rebuild
    start = _Start(fresh=fresh, resumed=saved is not None, cutoff=saved.cutoff if saved is not None else None)
    if fresh and not _rebuild(deps, snap, result, start):
        return None
    if not fresh and not deps.dry_run and not _ids_above_the_sheets(deps, snap, result):
        return None
    return start


def _rebuild(deps: CycleContext, snap: Snapshot, result: IntakeResult, start: _Start) -> bool:
    """Rebuild the ledger from Review, Arsip and the blog, and record the history cutoff with it.
    False when Arsip or the blog cannot be read now (intake is postponed)."""
    try:
        arsip = arsip_rows(deps)
        posts = deps.blogger.posts()  # once, paged, with bodies: what was published is on the blog
    except RetriableError as exc:
        result.halted = f"rebuilding the local ledger needs the Arsip tab and the blog, not reachable now: {exc}"
        result.problems.append(result.halted)
        log.warning("intake postponed: %s", result.halted)
        return False
    review_rows = list(snap.review) + list(snap.review_unidentified)
    result.rebuilt = rebuild_ledger(deps, review_rows, arsip, posts, result.plan)
    earlier = [r for r in (*review_rows, *arsip) if r.id]
    start.cutoff = _oldest_received(earlier, deps.settings.tz) if result.rebuilt else None
    if result.rebuilt and not deps.dry_run:
        with deps.ledger.transaction():  # committed with the rebuild, before the read that may still fail
            deps.ledger.state.rebuild = Rebuild(start.cutoff)
    return True


def _read_and_queue(
    deps: CycleContext, snap: Snapshot, hmap: columns.HeaderMap, result: IntakeResult,
    known: KnownFingerprints, history: History, queue: _Queue,
) -> watermark.Decision:
    """Read the new responses and queue them (inside the caller's transaction): the whole tab page by
    page on a full read; else from the watermark row, rescanning the whole tab when the watermark
    cannot be trusted."""
    legacy = queue.legacy
    if snap.responses_page:  # a full read
        return _queue_pages(full_read_pages(deps, snap, hmap, result), known, history, queue)
    rows = _responses(snap.responses, snap.responses_start, hmap, snap)
    result.read_rows = len(rows)
    stored_mark = deps.ledger.state.watermark(deps.settings.responses_tab)
    mark = watermark.Watermark(row=stored_mark[0], fingerprint=stored_mark[1]) if stored_mark else None
    if mark is not None and snap.responses_start == mark.row:
        decision = watermark.decide(rows, mark, known, legacy.of, legacy.known, legacy.pending)
        legacy.remember(decision.recognised)
        if decision.rescan_needed:
            log.warning("responses tab '%s': %s: rescanning", deps.settings.responses_tab, _rescan_reason(decision, deps.ledger))
            result.rescanned = True
            result.read_rows = 0
            del rows
            pages = full_read_pages(deps, snap, hmap, result, first_from_snapshot=False)
            decision = _queue_pages(pages, known, history, queue)
    else:
        decision = _queue_pages([rows], known, history, queue)
    for response, fp in decision.new:  # read from the watermark: no edit can be told from a partial read
        if not history.leave_out(response, fp):
            queue.add(response, fp, None)
    return decision


def _note_read_done(deps: CycleContext, snap: Snapshot, start: _Start) -> None:
    """After a read of the whole tab: the time of the full scan, and every legacy fingerprint in the
    tab remembered; after a first or rebuilt run: the next cycle is no first run, even on an empty form."""
    if snap.responses_start == 2 and not deps.dry_run:
        deps.ledger.state.last_full_scan = deps.now()
        deps.ledger.state.fingerprint_scheme = FINGERPRINTS_NOW  # every legacy fingerprint in the tab is remembered
    if (start.fresh or start.resumed) and not deps.dry_run:
        deps.ledger.state.intake_started = deps.now()


def _ids_above_the_sheets(deps: CycleContext, snap: Snapshot, result: IntakeResult) -> bool:
    """A ledger restored from an older copy learns what was queued since, before anything is queued.

    New IDs are given above every ID in Review (no request: the cycle read them). When Review shows
    an ID this ledger never gave, the ledger is older than the sheet: the submissions it does not
    know, in Review and in Arsip (one read), with their posts (the blog, read once), are learned as
    a rebuild learns them. Otherwise a response queued, refused and archived after the copy was made
    would be queued again as new (and could be approved and published). Returns False when Arsip or
    the blog cannot be read: intake waits rather than queue anything twice."""
    ledger = deps.ledger
    with ledger.transaction():
        # A settled row's ID is one this ledger holds (its brief says so), at or below its counter:
        # only the rows read in full can show an ID it never gave (issue 22: 10k regex matches a cycle).
        stale = ledger.ids.note(r.id for r in (*snap.review, *snap.review_unidentified) if not r.cached and r.id)
    if not stale:
        return True
    log.warning("Review holds IDs this ledger never gave (restored from an older copy?): learning what Review, Arsip "
                "and the blog hold that it does not know")
    try:
        arsip = arsip_rows(deps)
        posts = deps.blogger.posts()
    except RetriableError as exc:
        result.problems.append(f"intake postponed: after a ledger restore Arsip and the blog must be read first: {exc}")
        log.warning("intake postponed: after a ledger restore, Arsip and the blog are not reachable now: %s", exc)
        return False
    unknown = lambda r: bool(r.id) and ledger.submissions.get(r.id) is None  # noqa: E731
    rows = [r for r in (*snap.review, *snap.review_unidentified) if unknown(r)]
    archived = [r for r in arsip if unknown(r)]
    with ledger.transaction():
        ledger.ids.note([r.id for r in arsip] + [m.id for p in posts for m in p.markers])
    # Posts of submissions the ledger knows are not taken as posts "in neither tab".
    theirs = [p for p in posts if any(ledger.submissions.get(m.id) is None for m in p.markers)]
    rebuild_ledger(deps, rows, archived, theirs, result.plan, why="local ledger older than the sheet")
    # What it does know may have been published, updated or withdrawn since the copy: the blog says.
    fixed = 0
    index = identity.PostIndex(posts)
    learned = {x.id for x in rows} | {x.id for x in archived}
    with ledger.transaction():
        for r in (*snap.review, *arsip):
            if not r.id or r.id in learned:
                continue
            post = index.match(r.id, revision.own_fingerprint(r.get(ReviewColumn.FINGERPRINT)))
            entry = ledger.journal.entry(r.id)
            if post is None or (entry is not None and entry.post_id == post.id and entry.post_status == post.status
                                and entry.state in (DONE, REVERTED)):
                continue
            ledger.journal.record_done(r.id, post.id, post.url, post.status, _post_time(post, deps.settings.tz))
            if post.status == PostState.DRAFT and r.status == Status.DITARIK:
                ledger.journal.record_reverted(r.id)  # withdrawn since the copy was made
            fixed += 1
    if fixed:
        log.warning("local ledger older than the sheet: %d known submissions' posts taken from the blog", fixed)
    return True


def _rescan_reason(decision: watermark.Decision, ledger: Ledger) -> str:
    """Why the watermark cannot be trusted, in the words that fit what happened: a cycle whose
    Review append failed left its rows known but the watermark where it was; nothing was sorted."""
    if decision.verified and ledger.submissions.pending_rows(limit=1):
        return "responses below the watermark were queued by an earlier cycle and still wait to be appended to Review"
    if decision.verified:
        return "a response below the watermark is already known (queued before a restart, or a repeat of an earlier row)"
    return f"{decision.reason} (sorted, deleted or inserted rows)"


class _Queue:
    """Records new responses as submissions (sanitized, validated, IDs given), one at a time."""

    def __init__(self, deps: CycleContext, snap: Snapshot, hmap: columns.HeaderMap, result: IntakeResult, legacy: Legacy) -> None:
        self.deps, self.result, self.legacy = deps, result, legacy
        self.registry = validate.KimRegistry(snap.kim, missing=snap.kim_missing)
        self.rules = deps.settings.validation_rules()
        self.email_collected = hmap.has_email
        self.today = deps.now().date()
        self.contents = ContentKeys(deps.ledger)
        self._on_blog: dict[str, BlogPostRecord] | None = None
        self.count = 0
        self.revisions = Revisions.of(deps, snap.review)  # issue 20: open PERLU REVISI items a response may replace

    def on_blog(self) -> dict[str, BlogPostRecord]:
        if self._on_blog is None:  # read once, and only when there is something new
            self._on_blog = self.deps.ledger.blog_posts.all()
        return self._on_blog

    def add(self, response: FormResponse, fp: str, earlier: watermark.Queued | None) -> None:
        """Queue one new response (inside the caller's transaction); ``earlier``: what it may be an edit of."""
        deps = self.deps
        on_blog = self.on_blog()
        if fp in on_blog:  # counted as restored once its row is back in Review (_append_pending)
            _back_from_blog(deps, response, fp, on_blog[fp], self.result)
            return
        sub = self._checked(response, fp, earlier)
        found = self.revisions.match(sub)
        if found.id:  # a resubmission: it replaces the item sent back for revision (issue 20)
            sub = without_self_duplicate(sub, found.id)
            note = review_values(sub, deps.settings.tz)[ReviewColumn.SYSTEM_NOTE]
            self.revisions.take(response, fp, sub, found.id, note, format_time(sub.received_at or deps.now(), deps.settings.tz))
            self.result.revised_ids.append(found.id)
            if deps.dry_run:
                self.result.plan.append(f"revise {found.id} [{sub.status.value}] with row {response.row_number}: {sub.title[:60]}")
            return
        if found.ambiguous:
            sub = ambiguous(sub, found.ambiguous)
        self.count += 1
        self._queue(response, fp, sub)

    def _checked(self, response: FormResponse, fp: str, earlier: watermark.Queued | None) -> Submission:
        """The response validated; whatever fails on the way queues it for officers to check (issue 18)."""
        deps = self.deps
        if response.unreadable:  # logged when it was read
            return validate.unvalidated(response, fp, response.unreadable)
        try:
            sub = validate.validate(
                response,
                fingerprint=fp,
                wilayah=deps.wilayah,
                registry=self.registry,
                rules=self.rules,
                known_contents=self.contents,
                today=self.today,
                email_collected=self.email_collected,
            )
        except Exception as exc:  # noqa: BLE001 - a rule bug must not lose the row: queue it for a human
            cause, _ = row_failed("validation", f"responses row {response.row_number}", exc)
            return validate.unvalidated(response, fp, cause)
        if earlier is not None and validate.same_sender(sub, earlier.operator, earlier.email):
            sub = validate.as_edit_of(sub, earlier.id)
            log.warning(
                "row %d looks like an edit of %s (its response is gone from that row); queued for officers to compare",
                response.row_number, earlier.id,
            )
        try:
            return check_photos(deps, sub)  # issue 11: photo problems become reasons (never raises)
        except Exception as exc:  # noqa: BLE001
            cause, _ = row_failed("checking photos", f"responses row {response.row_number}", exc)
            return validate.unvalidated(response, fp, cause)

    def _queue(self, response: FormResponse, fp: str, sub: Submission) -> None:
        deps, ledger, result, s = self.deps, self.deps.ledger, self.result, self.deps.settings
        year = (sub.received_at or deps.now()).astimezone(s.tz).year
        sub_id = ledger.ids.allocate(year)
        sub = validate.with_id(sub, sub_id)
        values = review_values(sub, deps.settings.tz)
        key = sub.content_key or validate.content_key(sub.operator, sub.title, sub.body)
        ledger.submissions.add(
            id=sub_id,
            fingerprint=fp,
            row_number=response.row_number,
            received_at=sub.received_at.isoformat() if sub.received_at else "",
            kecamatan=sub.kecamatan,
            desa=sub.desa,
            kim=sub.kim,
            operator=sub.operator,
            email=sub.email,
            title=sub.title,
            content_key=key if sub.valid or not any(r.code == "duplicate" for r in sub.reasons) else "",
            status=sub.status.value,
            reasons=" | ".join(r.en for r in sub.reasons),
        )
        ledger.submissions.set_pending_row(sub_id, json.dumps({c.name: v for c, v in values.items()}, ensure_ascii=False))
        self.contents.setdefault(key, sub_id)
        if sub.valid:
            log.info("row %d queued as %s (%s, %s): %s", response.row_number, sub_id, sub.desa, sub.kim, sub.title)
        else:
            result.invalid += 1
            if any(r.code == "duplicate" for r in sub.reasons):
                result.duplicates += 1
            log.warning(
                "row %d queued as %s TIDAK VALID: %s", response.row_number, sub_id, "; ".join(r.en for r in sub.reasons)
            )
        if deps.dry_run:  # the plan is shown only for a dry run: a backfill keeps no line per row
            result.plan.append(f"queue {sub_id} [{sub.status.value}] row {response.row_number}: {sub.title[:60]}")


def _queue_pages(
    pages: Iterable[Sequence[FormResponse]], known: Container[str], history: History, queue: _Queue
) -> watermark.Decision:
    """A read of every row: each page's new rows queued (or left out as history) as the page arrives.

    Only a read of every row can tell an edited response from one moved by sorting or deleting
    (:func:`bridge.core.watermark.replaced`): a new row is an edit when the response last queued
    from its row is nowhere in the tab. That is known at once when the row was never queued from or
    its earlier response was already seen; otherwise that row and every new row after it (to keep
    sheet order, so IDs and duplicate checks come out the same) wait for the end of the read.
    Returns the decision (its ``new`` only the rows that waited, already queued).
    """
    scan = watermark.PageScan(known, queue.legacy.of, queue.legacy.known, queue.legacy.pending)
    ledger = queue.deps.ledger
    waiting: list[tuple[FormResponse, str, watermark.Queued | None]] = []
    held = False
    for page in pages:
        new = scan.page(page)
        queue.legacy.remember(scan.fingerprinter.recognised)  # page by page: nothing grows with the tab
        scan.fingerprinter.recognised.clear()
        for response, fp in new:
            if history.leave_out(response, fp):
                continue
            earlier = ledger.submissions.queued_at(response.row_number)
            if not held and (earlier is None or earlier.fingerprint in scan.seen):
                queue.add(response, fp, None)
            else:
                held = True
                waiting.append((response, fp, earlier))
        del page, new  # let the page go before the next one is read (what waits is in `waiting`)
    for response, fp, earlier in waiting:
        gone = earlier is not None and earlier.fingerprint not in scan.seen
        queue.add(response, fp, earlier if gone else None)
    return scan.decision()


def _append_pending(
    deps: CycleContext, snap: Snapshot, review_fps: Callable[[], set[str]], next_mark: watermark.Watermark | None,
    result: IntakeResult,
) -> None:
    """Append everything not yet in Review (this cycle's rows and any left pending by a failed cycle),
    ``deps.pages.append`` rows per request; the watermark advances once all are written."""
    ledger = deps.ledger
    tab = deps.settings.responses_tab
    below = max((r.row_number for r in snap.review), default=1)
    after = ""
    while True:
        pending = ledger.submissions.pending_rows(after=after, limit=deps.pages.append)
        if not pending:
            break
        after = pending[-1][0]
        to_write: list[tuple[str, dict[ReviewColumn, str]]] = []
        already: list[str] = []
        visible = review_fps()  # Review's fingerprints, gathered only when something is pending (issue 22)
        for sub_id, fp, payload in pending:
            if fp in visible:
                already.append(sub_id)
                continue
            to_write.append((sub_id, {ReviewColumn[k]: v for k, v in json.loads(payload or "{}").items()}))
        del pending
        if already:
            ledger.submissions.mark_in_review(already)
        back = {i for i, values in to_write if values.get(ReviewColumn.STATUS) == Status.TERBIT.value}  # _back_from_blog
        if deps.dry_run:
            result.restored += len(back)
            result.queued += len(to_write) - len(back)
            continue
        written = _append(deps, snap, to_write, result, below) if to_write else []
        if written is None:
            return  # the rest stay pending too: tried again next cycle, the watermark stays
        with ledger.transaction():
            ledger.submissions.mark_in_review(written)  # a row Google refused in every form stays pending, alone
            done = set(written)
            ledger.submissions.set_last_rows({i: {c.name: v for c, v in values.items()} for i, values in to_write if i in done})  # as written
        result.queued_ids += written
        restored = len(done & back)
        result.restored += restored
        result.queued += len(written) - restored
        below += len(written)
    if deps.dry_run:
        return
    if next_mark is not None:
        ledger.state.set_watermark(tab, next_mark.row, next_mark.fingerprint)


__all__ = ["BRIDGE_COLUMNS", "IntakeResult", "queued_before", "run_intake", "rebuild_ledger", "review_values"]
