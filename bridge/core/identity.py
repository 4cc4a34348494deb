"""Which post belongs to which submission, and which Review row is which submission: pure matching.

The sheet and the blog are the truth; the ledger is a cache. These functions
decide from plain data what the sheet and the blog say, so that a lost ledger,
a deleted row or a cleared cell never leads to a lost or a second post.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bridge.core import copies
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.render import Marker
from bridge.core.revision import own_fingerprint

#: How much earlier than the journal's intent a post may carry as its time (clocks differ a little).
CLOCK_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class BlogPost:
    """A post as read back from the blog (all statuses), with its markers parsed."""

    id: str
    url: str
    status: str
    published: str
    updated: str
    title: str
    labels: tuple[str, ...] = ()
    markers: frozenset[Marker] = field(default_factory=frozenset)


def _time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


class PostIndex:
    """The blog's posts indexed once, so that each submission's post is found in O(1) (a rebuild
    asks once per row: scanning every post for each of 10k rows cost 40 s of CPU at 5,000 posts).

    ``match`` answers exactly as a scan of the posts in their order would (see :func:`match_post`).
    """

    __slots__ = ("_by_fp", "_by_id", "_by_id_old", "_unmarked")

    def __init__(self, posts: Iterable[BlogPost]) -> None:
        self._by_fp: dict[str, BlogPost] = {}  # fingerprint → first post whose marker carries it
        self._by_id: dict[str, BlogPost] = {}  # ID → first post with a marker of that ID
        self._by_id_old: dict[str, BlogPost] = {}  # ID → first post with a marker of that ID and no fingerprint
        self._unmarked: dict[str, list[BlogPost]] = {}  # normalised title → posts with no marker, in order
        for post in posts:
            if not post.markers:
                self._unmarked.setdefault(_norm(post.title), []).append(post)
            for m in post.markers:
                if m.fingerprint:
                    self._by_fp.setdefault(m.fingerprint, post)
                else:
                    self._by_id_old.setdefault(m.id, post)
                self._by_id.setdefault(m.id, post)

    def match(
        self,
        submission_id: str,
        fingerprint: str = "",
        *,
        title: str = "",
        labels: Iterable[str] = (),
        since: datetime | None = None,
        claimed: frozenset[str] = frozenset(),
    ) -> BlogPost | None:
        """The post of one submission, or None: as :func:`match_post`."""
        if fingerprint:
            post = self._by_fp.get(fingerprint) or self._by_id_old.get(submission_id)
        else:
            post = self._by_id.get(submission_id)
        if post is not None or not title or since is None:
            return post
        want_labels = {_norm(x) for x in labels}
        floor = since - CLOCK_SLACK
        candidates = []
        for post in self._unmarked.get(_norm(title), ()):
            if post.id in claimed or {_norm(x) for x in post.labels} != want_labels:
                continue
            made = max((t for t in (_time(post.updated), _time(post.published)) if t is not None), default=None)
            if made is not None and made >= floor:
                candidates.append((made, post))
        return min(candidates, key=lambda c: c[0])[1] if candidates else None


def match_post(
    posts: Sequence[BlogPost],
    submission_id: str,
    fingerprint: str = "",
    *,
    title: str = "",
    labels: Iterable[str] = (),
    since: datetime | None = None,
    claimed: frozenset[str] = frozenset(),
) -> BlogPost | None:
    """The post of one submission, or None (for many submissions, build one :class:`PostIndex`).

    In order of certainty:
    1. a marker with the submission's fingerprint (whatever ID a rebuild gave it);
    2. a marker with its ID and no fingerprint (posts from before fingerprints), or with
       its ID when the caller knows no fingerprint;
    3. when Blogger dropped every marker: a post with no marker at all, the same title
       and labels, made no earlier than the intent (``since``). Posts in ``claimed``
       belong to others already.
    A marker with this ID but another fingerprint is another submission's post. Of equal
    candidates the first in ``posts`` wins (in step 3 the earliest made).
    """
    return PostIndex(posts).match(
        submission_id, fingerprint, title=title, labels=labels, since=since, claimed=claimed
    )


def by_fingerprint(posts: Sequence[BlogPost]) -> dict[str, BlogPost]:
    """Posts by the fingerprint their markers carry (the first post wins; others are duplicates)."""
    out: dict[str, BlogPost] = {}
    for post in posts:
        for m in post.markers:
            if m.fingerprint:
                out.setdefault(m.fingerprint, post)
    return out


# --- Review rows → submissions ------------------------------------------------------------

#: Ledger statuses of submissions no longer expected in Review.
GONE_STATUSES = frozenset({"ARSIP", "DIHAPUS"})

NOTE_UNCLEAR = (
    "Kolom ID dan/atau Sidik Jari baris ini kosong atau diubah, dan sistem tidak dapat memastikan kiriman mana ini. "
    "Petugas: kembalikan isinya seperti semula (lihat menu File > Histori versi), atau hapus baris ini bila memang "
    "tidak diperlukan. Selama belum diperbaiki, sistem tidak memproses baris ini."
)
NOTE_TWO_OWNERS = (
    "ID dan Sidik Jari baris ini milik dua kiriman yang berbeda, sehingga sistem tidak memproses baris ini. "
    "Petugas: kembalikan kolom ID atau Sidik Jari seperti semula (lihat menu File > Histori versi)."
)
NOTE_DELETED_BACK = (
    "Kiriman {id} sudah dicatat di Arsip sebagai baris yang dihapus; sistem tidak memprosesnya lagi. "
    "Petugas: hapus baris ini dari Review. Bila kiriman harus terbit, operator mengirimnya ulang lewat formulir."
)
UNKNOWN_STATUS_PREFIX = "Status '"
NOTE_UNKNOWN_STATUS = (
    UNKNOWN_STATUS_PREFIX + "{value}' tidak dikenali sistem, jadi baris ini belum diproses. Ubah Status menjadi "
    "salah satu pilihan di daftar: DISETUJUI (terbitkan), DITOLAK (tolak), DITARIK (tarik post yang sudah tayang)."
)


#: Ledger origin of a submission that got a new ID in a rebuild (its ID cell was empty, nothing else knew it).
RENUMBERED = "renumbered"
NOTE_NEW_ID = (
    "Kolom ID baris ini kosong dan data lokal sistem hilang, sehingga ID lamanya tidak dapat dipastikan; "
    "sistem memberi ID baru {id}. ID lama tidak dipakai lagi untuk kiriman lain."
)


@dataclass(slots=True)  # not frozen: a frozen init cost 2.5 µs a submission, every reading cycle (issue 22)
class KnownSubmission:
    """A submission the ledger saw reach a tab: identity, the cells that recognise it, its last row."""

    id: str
    fingerprint: str
    status: str
    in_review: bool
    received: str  # as Review shows it ("dd/mm/yyyy HH:MM:SS")
    operator: str
    email: str
    last_row: dict[str, str]
    deleted_at: str = ""
    renumbered: bool = False  # given a new ID by a rebuild


@dataclass
class RowFix:
    """Cells to write on one row, found by its submission ID or (when the ID cell is wrong) by fingerprint."""

    sub_id: str
    fingerprint: str
    row_number: int
    cells: dict[ReviewColumn, str]


@dataclass
class WatchPlan:
    """What the Review tab says, set against what the bridge queued."""

    rows: list[ReviewRow] = field(default_factory=list)  # rows to act on, ID/fingerprint restored
    fixes: list[RowFix] = field(default_factory=list)
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, its ID cell, note): rows without a usable ID
    deleted: list[KnownSubmission] = field(default_factory=list)
    unknown_statuses: list[tuple[str, str]] = field(default_factory=list)  # (ID or row, value) newly explained
    seen: dict[str, ReviewRow] = field(default_factory=dict)
    #: submissions with copied rows → the copies' row numbers (the row in ``seen`` counts, see core.copies)
    copies: dict[str, list[int]] = field(default_factory=dict)
    last_rows: dict[str, dict[str, str]] = field(default_factory=dict)  # each known submission's row as last seen


def _same(a: str, b: str) -> bool:
    return " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()


def _status_fix(row: ReviewRow, cells: dict[ReviewColumn, str], plan: WatchPlan, key: str) -> None:
    """Normalise an obvious status spelling; explain an unknown one (once: only when the note changes)."""
    raw = str(row.get(ReviewColumn.STATUS))
    note = str(row.get(ReviewColumn.SYSTEM_NOTE))
    if UNKNOWN_STATUS_PREFIX in note:
        lines = note.split("\n")
        ours = [i for i, line in enumerate(lines) if line.startswith(UNKNOWN_STATUS_PREFIX) and "tidak dikenali sistem" in line]
        rest = "\n".join(line for i, line in enumerate(lines) if i not in ours)
    else:  # no explanation of ours in the note (nearly every row): nothing to split (issue 22)
        lines, ours, rest = [], [], note
    if not raw.strip():
        status = None
    else:
        status = Status.parse(raw)
        if status is None:
            wanted = NOTE_UNKNOWN_STATUS.format(value=raw.strip()[:40])
            if not (ours and lines[ours[0]] == wanted):
                cells[ReviewColumn.SYSTEM_NOTE] = wanted + ("\n" + rest if rest else "")
                plan.unknown_statuses.append((key, raw.strip()))
            return
        if raw != status.value:
            cells[ReviewColumn.STATUS] = status.value
            row.values[ReviewColumn.STATUS] = status.value
    if ours:  # the status is understood now: take the old explanation away
        cells[ReviewColumn.SYSTEM_NOTE] = rest
        row.values[ReviewColumn.SYSTEM_NOTE] = rest


def _note_copies(plan: WatchPlan, plain: Collection[str] = frozenset()) -> None:
    """The counting row of each copied submission says where its copies are; a row whose copies are
    gone loses that line. ``plain``: submissions whose row's note was seen to have no copy line."""
    for sub_id, row in plan.seen.items():
        if sub_id in plain and sub_id not in plan.copies:
            continue
        note = str(row.get(ReviewColumn.SYSTEM_NOTE))
        if sub_id not in plan.copies and copies.HAS_COPY_PREFIX not in note:
            continue
        wanted = copies.with_copy_line(note, plan.copies.get(sub_id, ()))
        if wanted == note:
            continue
        row.values[ReviewColumn.SYSTEM_NOTE] = wanted
        fix = next((f for f in plan.fixes if f.sub_id == sub_id), None)
        if fix is None:
            plan.fixes.append(RowFix(sub_id, own_fingerprint(row.get(ReviewColumn.FINGERPRINT)), row.row_number, {}))
            fix = plan.fixes[-1]
        fix.cells[ReviewColumn.SYSTEM_NOTE] = wanted


@dataclass(frozen=True)
class KnownLedger:
    """The ledger's submissions in Review as :func:`plan_review` asks for them: every one at a glance
    (ID → its fingerprint, enough for the rows that are what the ledger says, nearly every row every
    cycle), the whole records only when a row needs the long way (issue 22: a reading cycle at 10k rows
    built 10k records to look at a handful).

    ``glance``: each submission not recorded as deleted → its fingerprint, in ID order; ``gone``: those
    of them whose row missing from Review is no deletion (archived, deleted, or not in Review);
    ``load_all``: every submission in Review (deleted ones too), asked at most once; ``load_some``:
    those with these IDs that are in Review, in ID order; ``last_rows``: each one's row as last seen
    (membership is what :func:`bridge.cycle.review_watch.remember_rows` asks)."""

    glance: Mapping[str, str]
    gone: Collection[str]
    load_all: Callable[[], Sequence[KnownSubmission]]
    load_some: Callable[[Sequence[str]], Sequence[KnownSubmission]]
    last_rows: Callable[[], dict[str, dict[str, str]]]

    @classmethod
    def of(cls, known: Sequence[KnownSubmission]) -> KnownLedger:
        """The same, from records already loaded (tests, and any caller that has them)."""
        live = {k.id: k for k in known if not k.deleted_at}
        return cls(
            glance={i: k.fingerprint for i, k in live.items()},
            gone={i for i, k in live.items() if k.status in GONE_STATUSES or not k.in_review},
            load_all=lambda: known,
            load_some=lambda ids: [live[i] for i in ids if i in live],
            last_rows=lambda: {k.id: k.last_row for k in known},
        )


class _Known:
    """The ledger's submissions indexed for recognising Review rows, with what the tab shows at a glance.

    Only ``glance`` is at hand from the start; the indexes below are built on the first row that needs
    them (an ID the ledger does not know live, a fingerprint that is not its submission's, a row back
    after its deletion), from every record at once."""

    def __init__(self, rows: Sequence[ReviewRow], known: KnownLedger, received_text: Callable[[str], str]) -> None:
        self.rows = rows
        self.known = known
        self.glance = known.glance
        self.received_text = received_text

    @functools.cached_property
    def _all(self) -> Sequence[KnownSubmission]:
        return self.known.load_all()

    @functools.cached_property
    def live(self) -> list[KnownSubmission]:
        """Not recorded as deleted."""
        return [k for k in self._all if not k.deleted_at]

    @functools.cached_property
    def by_id(self) -> dict[str, KnownSubmission]:
        return {k.id: k for k in self.live}

    @functools.cached_property
    def by_fp(self) -> dict[str, KnownSubmission]:
        return {k.fingerprint: k for k in self.live}

    @functools.cached_property
    def gone_id(self) -> dict[str, KnownSubmission]:
        """Recorded as deleted (in Arsip)."""
        return {k.id: k for k in self._all if k.deleted_at}

    @functools.cached_property
    def gone_fp(self) -> dict[str, KnownSubmission]:
        return {k.fingerprint: k for k in self._all if k.deleted_at}

    def missing(self, seen: Mapping[str, ReviewRow], skip: set[str]) -> list[KnownSubmission]:
        """Submissions in Review, not deleted or archived, whose row is gone (none matched)."""
        gone = self.known.gone
        ids = [i for i in self.glance if i not in gone and i not in seen and i not in skip]
        return list(self.known.load_some(ids)) if ids else []

    # Asked only of a row whose ID or fingerprint is not its submission's (rare): not built every cycle,
    # but always from the rows as read (:meth:`before_change`).
    def before_change(self) -> None:
        """Called before a row's ID or fingerprint is changed: the sets below say what the tab showed."""
        _ = self.present_ids, self.present_fps

    @functools.cached_property
    def present_ids(self) -> set[str]:
        """IDs in some Review row."""
        return {r.id for r in self.rows if r.id}

    @functools.cached_property
    def present_fps(self) -> set[str]:
        """Fingerprints in some Review row."""
        return {own_fingerprint(r.get(ReviewColumn.FINGERPRINT)) for r in self.rows} - {""}


#: What :func:`_recognise` found: the submission (None: none the ledger knows) and the system cells to restore.
_Found = tuple[KnownSubmission | None, dict[ReviewColumn, str]]


def _note(plan: WatchPlan, row: ReviewRow, note: str) -> None:
    """Explain a row the bridge leaves alone (once: only when its note says something else)."""
    if row.get(ReviewColumn.SYSTEM_NOTE) != note:
        plan.notes.append((row.row_number, row.id, note))


def _deleted_back(row: ReviewRow, rid: str, rfp: str, ix: _Known) -> KnownSubmission | None:
    """The deleted submission a row is, when the row came back (pasted or restored) after its deletion."""
    if (rid and rid in ix.gone_id and rid not in ix.by_id) or (rfp and rfp in ix.gone_fp and rfp not in ix.by_fp):
        return ix.gone_id.get(rid) or ix.gone_fp[rfp]
    return None


def _by_id(row: ReviewRow, rid: str, rfp: str, ix: _Known, plan: WatchPlan) -> _Found | None:
    """A row whose ID the ledger knows. When its fingerprint says another submission: the ID was edited
    if that other one has no row (its ID is restored), else the row is noted as two owners (None)."""
    k = ix.by_id[rid]
    if rfp == k.fingerprint:
        return k, {}
    other = ix.by_fp.get(rfp) if rfp else None
    if other is None:
        return k, {ReviewColumn.FINGERPRINT: k.fingerprint}
    if other.id not in ix.present_ids:
        return other, {ReviewColumn.ID: other.id}  # the ID was edited: the fingerprint tells whose row
    plan.seen.setdefault(k.id, row)
    _note(plan, row, NOTE_TWO_OWNERS)
    return None


def _by_fingerprint(row: ReviewRow, k: KnownSubmission) -> _Found:
    """A row whose ID cell was cleared or edited but whose fingerprint the ledger knows: the ID is restored
    (with a note when a rebuild had to give the submission a new ID)."""
    cells = {ReviewColumn.ID: k.id}
    if k.renumbered:
        note = str(row.get(ReviewColumn.SYSTEM_NOTE))
        cells[ReviewColumn.SYSTEM_NOTE] = NOTE_NEW_ID.format(id=k.id) + ("\n" + note if note else "")
    return k, cells


def _fits(c: KnownSubmission, row: ReviewRow, ix: _Known) -> bool:
    """Whether a submission missing from Review has this row's received time, operator and e-mail."""
    return (
        c.in_review and c.status not in GONE_STATUSES and c.id not in ix.present_ids and c.fingerprint not in ix.present_fps
        and bool(c.received) and _same(ix.received_text(c.received), row.get(ReviewColumn.RECEIVED))
        and _same(c.operator, row.get(ReviewColumn.OPERATOR)) and _same(c.email, row.get(ReviewColumn.EMAIL))
    )


def _by_content(row: ReviewRow, rid: str, ix: _Known, plan: WatchPlan) -> _Found | None:
    """A row with no fingerprint and no known ID: the one submission missing from Review that fits it,
    if exactly one does (both cells restored). A row with no ID that none fits is noted as unclear (None)."""
    fits = [c for c in ix.live if _fits(c, row, ix)]
    if len(fits) == 1:
        k = fits[0]
        return k, {ReviewColumn.ID: k.id, ReviewColumn.FINGERPRINT: k.fingerprint}
    if not rid:
        _note(plan, row, NOTE_UNCLEAR)
        return None
    return None, {}


def _recognise(row: ReviewRow, rid: str, rfp: str, ix: _Known, plan: WatchPlan) -> _Found | None:
    """Which submission a row is, from the most certain sign to the least: its ID, its fingerprint, its
    content. None: the row was noted and is left alone."""
    if rid in ix.by_id:
        return _by_id(row, rid, rfp, ix, plan)
    if rfp and rfp in ix.by_fp:
        return _by_fingerprint(row, ix.by_fp[rfp])
    if not rfp:
        return _by_content(row, rid, ix, plan)
    return None, {}  # a fingerprint the bridge never made


#: Status cells that need no tidying (the status's own text).
_EXACT_STATUS = frozenset(s.value for s in Status)


def _place_row(row: ReviewRow, ix: _Known, plan: WatchPlan) -> str:
    """One Review row: left alone with a note, acted on as it is (an ID the bridge never made), noted as
    a copy of an upper row, or recognised as its submission (system cells restored, status tidied).
    Its ID when the row is its submission's as it stands and its note has no copy line (:func:`_note_copies`),
    else ""."""
    rid = row.id
    fingerprint = ix.glance.get(rid)  # the live submission with this ID: its fingerprint
    id_cell, fp_cell, status_cell, note = row.matching_cells()
    if (
        fingerprint is not None and id_cell == rid and fp_cell == fingerprint and rid not in plan.seen
        and status_cell in _EXACT_STATUS and UNKNOWN_STATUS_PREFIX not in note
    ):
        # Nearly every row, every cycle: its ID and fingerprint are its submission's, its status is
        # spelled as it should be, nothing to restore or explain: what the steps below would conclude,
        # without them (issue 22: a reading cycle at 10k rows matched every row the long way).
        plan.seen[rid] = row
        plan.rows.append(row)
        return rid if copies.HAS_COPY_PREFIX not in note else ""
    rfp = own_fingerprint(row.get(ReviewColumn.FINGERPRINT))
    gone = _deleted_back(row, rid, rfp, ix)
    if gone is not None:
        _note(plan, row, NOTE_DELETED_BACK.format(id=gone.id))
        return ""
    found = _recognise(row, rid, rfp, ix, plan)
    if found is None:
        return ""
    k, cells = found
    if k is None:
        if rid:
            plan.rows.append(row)  # an ID the bridge never made: publishing explains it
        return ""
    if k.id in plan.seen:
        plan.copies.setdefault(k.id, []).append(row.row_number)
        _note(plan, row, copies.copy_note(k.id, plan.seen[k.id].row_number))
        return ""
    if row.get(ReviewColumn.ID) != k.id:  # written only when it differs: a settled row keeps its copy undecoded
        ix.before_change()
        row.values[ReviewColumn.ID] = k.id
    if own_fingerprint(row.get(ReviewColumn.FINGERPRINT)) != k.fingerprint:  # keeps the resubmissions' (issue 20)
        ix.before_change()
        row.values[ReviewColumn.FINGERPRINT] = k.fingerprint
    _status_fix(row, cells, plan, k.id)
    plan.seen[k.id] = row
    plan.rows.append(row)
    if cells:
        plan.fixes.append(RowFix(k.id, k.fingerprint, row.row_number, cells))
    return ""


_ROW_NUMBER = operator.attrgetter("row_number")


def plan_review(
    rows: Sequence[ReviewRow],
    known: Sequence[KnownSubmission] | KnownLedger,
    just_queued: Iterable[str] = (),
    received_text: Callable[[str], str] = lambda text: text,
) -> WatchPlan:
    """Match every Review row to the submission it is, restore system cells officers cleared or
    edited where the match is certain, and list the submissions whose rows are gone.

    A row is recognised by its ID and fingerprint; if one of them is cleared or edited,
    by the other; if both are, by when it was received, operator and email, when exactly
    one submission missing from Review fits. Anything less certain is left alone with a note.
    ``received_text`` shows a submission's ``received`` as Review does; it is asked only for that
    last, rare match (at 100k submissions formatting every one costs more than the rest of the plan).
    """
    source = known if isinstance(known, KnownLedger) else KnownLedger.of(known)
    plan = WatchPlan(last_rows=source.last_rows())
    ix = _Known(rows, source, received_text)
    plain = {_place_row(row, ix, plan) for row in sorted(rows, key=_ROW_NUMBER)}  # the upper row of copies counts first
    _note_copies(plan, plain)
    plan.deleted = ix.missing(plan.seen, set(just_queued))
    return plan


__all__ = ["BlogPost", "KnownLedger", "KnownSubmission", "PostIndex", "RowFix", "WatchPlan", "by_fingerprint", "match_post", "plan_review"]
