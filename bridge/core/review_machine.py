"""The Review status machine (issue 22): what the bridge does with one Review row, as plain data.

"What happens when an officer approves a row?" is answered here, without reading any I/O code.
The cycle gathers the facts of a row (:class:`Row`), what the ledger knows of its post
(:class:`Journal`) and the cycle's conditions (:class:`Conditions`); :func:`decide` returns one small
frozen :class:`Action`; the cycle (``bridge.cycle.publish``) only executes it: Blogger calls, ledger
records, Review cells. The same holds for what the bridge does when Blogger shows a post changed
(:func:`seen_on_blog`), when a row may leave Review for Arsip (:func:`archivable`) and a few
smaller questions beside them. The officers' notes that explain a decision are spelled here too.

The statuses (officers' dropdown and the bridge's words) and the post states (Blogger's words) are
``str`` enums, so a sheet cell or a Blogger answer compares equal to its member.

The machine, as docs/architecture.md draws it (:func:`mermaid` renders :data:`TRANSITIONS`; a test
checks the doc against it)::

    (new) -> MENUNGGU | TIDAK VALID                          intake
    MENUNGGU / TIDAK VALID -> DISETUJUI | DITOLAK            officer
    DISETUJUI -> TERBIT       publish (new post), update the same post, or restore a withdrawn one
    DISETUJUI -> GAGAL        the row cannot be published (reason in Catatan Sistem)
    DISETUJUI waits           Blogger's daily limit, a broken template, a hand-over
    TERBIT -> DITARIK -> (post back to draft) -> DISETUJUI   officer withdraws, then re-approves
    TERBIT -> GAGAL           the post was deleted in Blogger
    GAGAL -> DISETUJUI        officer retries
    MENUNGGU / TIDAK VALID -> PERLU REVISI -> MENUNGGU | TIDAK VALID   officer sends back; the resubmission replaces it
    TERBIT / DITOLAK -> Arsip once settled and old
    a row deleted by an officer -> Arsip, with what became of its post

Adding a step (issue 20's ``PERLU KOORDINASI``, say) is one member of :class:`Status`, one function in
:data:`_BY_STATUS` (what the bridge does while a row has it) and its edges in :data:`TRANSITIONS`; the
tests then ask for a plain-data case per edge and for docs/architecture.md to show them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum


class Status(StrEnum):
    """Values of the Review tab's ``Status`` column (the officers' dropdown)."""

    MENUNGGU = "MENUNGGU"  # valid, waiting for an officer
    TIDAK_VALID = "TIDAK VALID"  # failed validation; an officer may still approve
    DISETUJUI = "DISETUJUI"  # approved by an officer: the bridge publishes it
    DITOLAK = "DITOLAK"  # rejected by an officer: never published
    TERBIT = "TERBIT"  # published by the bridge
    GAGAL = "GAGAL"  # publishing failed permanently; set DISETUJUI to retry
    DITARIK = "DITARIK"  # officer withdrew a published post: the bridge reverts it to draft
    # --- issue 20, revise and resubmit (keep this block apart from the coordination step's) ---
    PERLU_REVISI = "PERLU REVISI"  # officer asks the operator to revise: never published; the resubmission replaces it

    @classmethod
    def parse(cls, text: str) -> Status | None:
        """Read a status cell leniently (case, spacing); ``None`` if unknown or empty.

        Asked about every Review row several times a cycle, over a handful of distinct cell texts:
        the answers are cached (issue 13)."""
        try:
            return _STATUS_OF[text]
        except (KeyError, TypeError):
            return _parse_status(str(text))


#: The cell texts seen so far and what they say: a dict look-up per ask (issue 22: a reading cycle
#: asks about every row's status many times). Bounded like the cache below.
_STATUS_OF: dict[str, Status | None] = {}


@functools.lru_cache(maxsize=512)
def _parse_status(text: str) -> Status | None:
    norm = " ".join(text.replace("_", " ").split()).upper()
    found = next((status for status in Status if status.value == norm), None)
    if len(_STATUS_OF) < 512:
        _STATUS_OF[text] = found
    return found


#: Statuses only the bridge writes; the others are the officers'.
BRIDGE_STATUSES = frozenset({Status.MENUNGGU, Status.TIDAK_VALID, Status.TERBIT, Status.GAGAL})
#: Statuses officers choose.
OFFICER_STATUSES = frozenset(Status) - BRIDGE_STATUSES
#: Statuses that ask the bridge to act: their rows are read in full before acting (core.review_view).
ACTING = frozenset({Status.DISETUJUI, Status.DITARIK})
#: Rows whose post the draft check looks at when the ledger knows it as a draft, in this order: TERBIT
#: (published in Blogger since?), then DITOLAK (a draft published there and then rejected is live).
DRAFT_WATCH = (Status.TERBIT, Status.DITOLAK)
#: An officer's decision on a queued row (stamped in ``Diputuskan (WITA)``).
DECISIONS = frozenset({Status.DISETUJUI, Status.DITOLAK})
#: Not decided yet.
UNDECIDED = frozenset({Status.MENUNGGU, Status.TIDAK_VALID})


class PostState(StrEnum):
    """A Blogger post's ``status`` (Blogger API v3 ``Post.status``)."""

    LIVE = "LIVE"
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"


#: Post states readers see now or at their scheduled time.
ON_WEBSITE = frozenset({PostState.LIVE, PostState.SCHEDULED})


class JournalState(StrEnum):
    """The publish journal's state of one submission (``bridge.adapters.ledger``)."""

    INTENT = "intent"  # about to call (or calling) Blogger; outcome unknown after a crash
    DONE = "done"  # the post exists (post_id known)
    FAILED = "failed"  # permanent failure; an officer may retry
    REVERTED = "reverted"  # post taken back to draft after DITARIK


class PublishMode(StrEnum):
    """``[blog] publish_mode``."""

    DRAFT = "draft"  # posts are saved as drafts; officers click Publikasikan in Blogger
    LIVE = "live"


# --- the facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """What the decision needs of one Review row."""

    status: Status | None
    id: str = ""
    system_id: bool = True  # the ID cell holds an ID the bridge makes (MM-YYYY-NNNN)
    row_number: int = 0
    link_shown: bool = False  # Tautan Post is not empty


@dataclass(frozen=True)
class Journal:
    """What the ledger knows of a submission's post. ``Journal()``: nothing (no journal entry)."""

    state: JournalState | str | None = None  # None: no journal entry
    post_id: str = ""
    post_status: PostState | str = ""
    recorded: Status | str | None = None  # the ledger's last status of the submission; None: unknown submission
    from_form: bool = True  # queued from the form by this ledger (not rebuilt from the sheet)

    @property
    def has_post(self) -> bool:
        return bool(self.post_id)

    @property
    def published(self) -> bool:
        """A post exists and its insert finished."""
        return bool(self.post_id) and self.state == JournalState.DONE

    @property
    def draft(self) -> bool:
        """Published as a draft (never shown to readers, as far as the ledger knows)."""
        return self.published and self.post_status == PostState.DRAFT

    @property
    def on_website(self) -> bool:
        """Published and not a draft, as far as the ledger knows."""
        return self.published and self.post_status != PostState.DRAFT


@dataclass(frozen=True)
class Conditions:
    """The cycle's conditions (from Settings and the ledger's meta)."""

    mode: PublishMode | str = PublishMode.DRAFT
    paused_until: datetime | None = None  # Blogger's daily limit: no Blogger request until then
    tz: tzinfo | None = None  # for the dates in notes (WITA)
    template_ok: bool = True  # the office's post template renders
    handover: bool = False  # just took the spreadsheet over: the previous bridge's last insert may still land


# --- the actions -------------------------------------------------------------------------------


class Step(StrEnum):
    """What the cycle does."""

    NOTHING = "nothing"
    PUBLISH = "publish"  # insert a new post (journal intent first)
    UPDATE = "update"  # re-approved: the same post gets the row's text (or, unchanged, the write-back is repaired)
    RESTORE = "restore"  # a withdrawn (or stuck) post goes out again, with the row's text
    WITHDRAW = "withdraw"  # the post goes back to draft
    RESTORE_LINK = "restore-link"  # TERBIT: put back a cleared or edited Tautan Post
    EXPLAIN = "explain"  # the status asks for nothing possible: say why in Catatan Sistem (once)
    WAIT = "wait"  # not now; ``note`` (if any) says why; the status stays
    FAIL = "fail"  # GAGAL, with ``note`` (Indonesian) and ``reason_en``
    # What Blogger shows of a watched post (seen_on_blog)
    MARK_GONE = "mark-gone"  # deleted in Blogger: GAGAL, link cleared, the ledger forgets the post
    FORGET = "forget"  # deleted in Blogger, the row needs no word (DITOLAK): the ledger forgets it
    SHOW_REVERTED = "show-reverted"  # taken back to draft in Blogger: the editor link, no time
    SHOW_PUBLISHED = "show-published"  # a draft an officer published in Blogger: the public link and time
    # Arsip (archivable)
    ARCHIVE = "archive"  # may leave Review; ``ask_blogger``: only if Blogger says the draft is still a draft


class Hold(StrEnum):
    """Why an approved row waits (WAIT)."""

    BLOGGER_LIMIT = "blogger-limit"  # Blogger refused for today: nothing is sent until 00:00 WITA
    TEMPLATE = "template"  # the office's post template is broken: nothing is published until it is fixed
    HANDOVER = "handover"  # just took the spreadsheet over: the previous bridge's last insert may still land


@dataclass(frozen=True)
class Action:
    step: Step
    note: str = ""  # Catatan Sistem (Indonesian) for EXPLAIN, WAIT and FAIL
    reason_en: str = ""  # for the log (FAIL)
    ask_blogger: bool = False  # WITHDRAW / ARCHIVE: the ledger's DRAFT is not proof; ask Blogger first
    hold: Hold | None = None  # WAIT: why


NOTHING = Action(Step.NOTHING)


# --- the officers' notes -----------------------------------------------------------------------

TEMPLATE_BROKEN = (
    "Belum diterbitkan: template post kantor rusak. Staf TI perlu memperbaikinya (mymein-bridge check); "
    "baris ini terbit otomatis setelah itu."
)
NOTE_GAGAL_BY_HAND = (
    "Status GAGAL diisi sistem bila penerbitan gagal; kiriman ini tidak sedang gagal terbit. "
    "Pilih DISETUJUI untuk menerbitkannya atau DITOLAK untuk menolaknya."
)
NOTE_TERBIT_BY_HAND = (
    "Status TERBIT diisi sistem setelah post terbit; kiriman ini belum punya post. Pilih DISETUJUI untuk menerbitkannya."
)
NOTE_NEVER_PUBLISHED = (
    "Kiriman ini belum pernah terbit, jadi tidak ada post yang bisa ditarik. Pilih DITOLAK bila kiriman ini tidak akan diterbitkan."
)
NOTE_REJECTED_LIVE = (
    "Post ini sudah tayang; status DITOLAK tidak menurunkannya. Pilih DITARIK bila post harus ditarik dari website."
)
# issue 20, revise and resubmit
NOTE_REVISION_LIVE = (
    "Post ini sudah tayang; status PERLU REVISI tidak menurunkannya. Setelah operator mengirim ulang, Judul/Isi baris ini "
    "diganti dan statusnya kembali MENUNGGU; pilih DISETUJUI untuk memperbarui post yang sama, atau DITARIK untuk menurunkannya."
)


def limit_note(until: datetime, tz: tzinfo | None) -> str:
    """What a waiting row says while Blogger's daily-limit pause lasts."""
    day = until.astimezone(tz).strftime("%d/%m/%Y")
    return ("Blogger menolak permintaan baru untuk hari ini (batas jumlah post per hari atau kuota harian tercapai). "
            f"Kiriman ini menunggu dan diproses otomatis mulai {day} pukul 00:00 WITA; Status tidak perlu diubah.")


def foreign_id(row: Row) -> Action:
    """An approved or withdrawn row whose ID the bridge did not make: GAGAL with what to do."""
    return Action(
        Step.FAIL,
        note=f"ID '{row.id}' bukan ID buatan sistem (seperti MM-2026-0001); jangan mengubah kolom ID. "
        "Kiriman baru masuk lewat formulir.",
        reason_en=f"Review row {row.row_number} has an ID the bridge did not make: {row.id!r}",
    )


def withdrawn_note(live: bool, when: str) -> str:
    """Catatan Sistem after a withdrawal: taken down, or it was a draft nobody saw."""
    if live:
        return (f"Post ditarik kembali menjadi draf pada {when}. "
                "Pilih DISETUJUI untuk menayangkannya lagi (dengan Judul/Isi terbaru).")
    return ("Post ini masih draf di Blogger dan belum tayang, jadi tidak ada yang diturunkan dari website. "
            "Pilih DISETUJUI untuk menerbitkannya lagi (dengan Judul/Isi terbaru).")


def done_note(state: PostState | str, when: str, schedule: str = "") -> str:
    """Catatan Sistem of a TERBIT row, by what readers see: a draft (with the officer's schedule, if
    any, which a draft does not keep), a scheduled post, or a live one.

    Args:
        state: the post's state on Blogger.
        when: Waktu Terbit as written (the scheduled time for a scheduled post).
        schedule: the officer's Jadwal Terbit as ``dd/mm/yyyy HH:MM`` ("" when none).
    """
    if state == PostState.DRAFT and schedule:
        # A draft is not scheduled: Blogger holds it only once an officer publishes it with a future date.
        return (f"Tersimpan sebagai DRAF di Blogger, belum tayang dan belum terjadwal. Agar tayang pada Jadwal Terbit "
                f"{schedule} WITA: buka Tautan Post, periksa, pastikan tanggal post {schedule}, lalu klik Publikasikan sebelum waktu itu.")
    if state == PostState.DRAFT:
        return "Tersimpan sebagai DRAF di Blogger, belum tayang di website. Buka Tautan Post, periksa, lalu klik Publikasikan."
    if state == PostState.SCHEDULED:
        return f"Terjadwal di Blogger; tayang otomatis pada {when} WITA."
    return "Sudah tayang di website KIM Balangan."


# --- Blogger calls for a post: draft mode, live mode, scheduled posts ---------------------------


class Move(StrEnum):
    """One Blogger call on a post, after its insert or update."""

    REVERT = "revert"  # posts.revert: back to draft (a live post cannot be re-scheduled as it is)
    PUBLISH_AT_SCHEDULE = "publish-at-schedule"  # posts.publish(publishDate=the officer's Jadwal Terbit)
    PUBLISH_NOW = "publish-now"  # posts.publish(publishDate=now), said explicitly


def inserted_as_draft(mode: PublishMode | str, scheduled: bool) -> bool:
    """A new post is inserted as a draft in draft mode, and when it is to be scheduled: Blogger schedules
    through posts.publish(publishDate); a future date on a live insert goes out at once."""
    return mode == PublishMode.DRAFT or scheduled


def insert_moves(mode: PublishMode | str, scheduled: bool) -> tuple[Move, ...]:
    """After the insert: live mode schedules a post with a Jadwal Terbit; a draft stays a draft."""
    return (Move.PUBLISH_AT_SCHEDULE,) if scheduled and mode == PublishMode.LIVE else ()


def restore_moves(mode: PublishMode | str, scheduled: bool) -> tuple[Move, ...]:
    """After a withdrawn post's update (RESTORE): live mode puts it out (at its schedule, if any);
    draft mode leaves it a draft for an officer to publish."""
    if mode != PublishMode.LIVE:
        return ()
    return (Move.PUBLISH_AT_SCHEDULE if scheduled else Move.PUBLISH_NOW,)


def update_moves(mode: PublishMode | str, schedule_changed: bool, scheduled: bool, state: PostState | str) -> tuple[Move, ...]:
    """After a published post's update (UPDATE), by its state as Blogger answered the update.

    Live mode: a new schedule moves the post (a live one is reverted first); a schedule removed or passed
    puts a scheduled post out now; a post left a draft by a re-scheduling that failed half-way goes out
    again. Draft mode: nothing (the officers publish in Blogger)."""
    if mode != PublishMode.LIVE or not (schedule_changed or state == PostState.DRAFT):
        return ()
    if scheduled:
        return ((Move.REVERT,) if state == PostState.LIVE else ()) + (Move.PUBLISH_AT_SCHEDULE,)
    if state in (PostState.SCHEDULED, PostState.DRAFT):
        return (Move.PUBLISH_NOW,)
    return ()


class Shown(StrEnum):
    """What ``Waktu Terbit (WITA)`` shows: when readers see the post, not when the bridge ran."""

    NONE = "none"  # a draft: on no website yet (the draft check writes the time once it is published)
    SCHEDULE = "schedule"  # a scheduled post: its scheduled time
    NOW = "now"
    KEPT = "kept"  # an updated post keeps the time it first went out


def shown_time(state: PostState | str, scheduled: bool, before: PostState | str | None = None, kept: bool = False) -> Shown:
    """Waktu Terbit after publishing (``before`` None) or updating a post (``before``: its state until now;
    ``kept``: a time is already shown)."""
    if state == PostState.DRAFT:
        return Shown.NONE
    if state == PostState.SCHEDULED and scheduled:
        return Shown.SCHEDULE
    if before is None or (before == PostState.SCHEDULED and state == PostState.LIVE):
        return Shown.NOW
    return Shown.KEPT if kept else Shown.NOW


# --- decide: one Review row, one action ---------------------------------------------------------


def _paused(until: datetime, tz: tzinfo | None) -> Action:
    """No Blogger request until the pause ends; the row says when it goes on by itself."""
    return Action(Step.WAIT, note=limit_note(until, tz), hold=Hold.BLOGGER_LIMIT)


def _approved(row: Row, journal: Journal, settings: Conditions) -> Action:
    """DISETUJUI: publish once; a row whose post exists is never inserted again."""
    if not settings.template_ok:
        return Action(Step.WAIT, note=TEMPLATE_BROKEN, hold=Hold.TEMPLATE)  # nothing is published until it is fixed
    if settings.paused_until is not None and row.system_id:
        return _paused(settings.paused_until, settings.tz)
    if not row.system_id:
        return foreign_id(row)
    # live mode: a post left a draft (a half-done re-scheduling) goes out again rather than being updated as a draft
    still_draft = journal.post_status == PostState.DRAFT and settings.mode == PublishMode.LIVE
    if journal.published and not still_draft:
        return Action(Step.UPDATE)
    if journal.has_post:
        return Action(Step.RESTORE)  # withdrawn earlier, its re-publishing failed, or (live mode) never left draft
    if settings.handover:
        return Action(Step.WAIT, hold=Hold.HANDOVER)  # the previous bridge's last insert may still land
    return Action(Step.PUBLISH)  # an INTENT left here was not found on the blog: the earlier attempt created nothing


def _withdrawn(row: Row, journal: Journal, settings: Conditions) -> Action:
    """DITARIK: a published post goes back to draft; anything else is explained."""
    if settings.paused_until is not None and row.system_id:
        return _paused(settings.paused_until, settings.tz)
    if not row.system_id:
        return foreign_id(row)
    if not journal.has_post:
        return Action(Step.EXPLAIN, note=NOTE_NEVER_PUBLISHED)
    if journal.state == JournalState.REVERTED:
        return NOTHING  # done earlier
    # Draft mode: an officer may have clicked Publikasikan in Blogger since the last draft check.
    return Action(Step.WITHDRAW, ask_blogger=journal.post_status == PostState.DRAFT)


def _rejected(row: Row, journal: Journal, settings: Conditions) -> Action:
    """DITOLAK never takes a post down: a post on the website is explained (DITARIK does that)."""
    return Action(Step.EXPLAIN, note=NOTE_REJECTED_LIVE) if journal.on_website else NOTHING


# --- issue 20, revise and resubmit ---
def _revision(row: Row, journal: Journal, settings: Conditions) -> Action:
    """PERLU REVISI: never published, waits for the operator's resubmission; a post already on the website is explained."""
    return Action(Step.EXPLAIN, note=NOTE_REVISION_LIVE) if journal.on_website else NOTHING


def _terbit(row: Row, journal: Journal, settings: Conditions) -> Action:
    """TERBIT is the bridge's: its link is kept right; typed by hand on a row with no post, explained."""
    if journal.published:
        return Action(Step.RESTORE_LINK)
    if not journal.has_post and not row.link_shown:
        return Action(Step.EXPLAIN, note=NOTE_TERBIT_BY_HAND)
    return NOTHING


def _gagal(row: Row, journal: Journal, settings: Conditions) -> Action:
    """GAGAL is the bridge's, with its reason: picked from the dropdown on a row that is not failing, explained
    (the ledger has GAGAL for every row the bridge made GAGAL, also after a rebuild from the sheet)."""
    if row.system_id and journal.recorded is not None and journal.recorded != Status.GAGAL:
        return Action(Step.EXPLAIN, note=NOTE_GAGAL_BY_HAND)
    return NOTHING


#: One function per status that asks something of the bridge; every other status (MENUNGGU,
#: TIDAK VALID, an unknown or empty cell) waits for an officer. A new step is one entry here.
_BY_STATUS: dict[Status, Callable[[Row, Journal, Conditions], Action]] = {
    Status.DISETUJUI: _approved,
    Status.DITARIK: _withdrawn,
    Status.DITOLAK: _rejected,
    Status.TERBIT: _terbit,
    Status.GAGAL: _gagal,
    # issue 20, revise and resubmit
    Status.PERLU_REVISI: _revision,
}


#: Statuses that ask something of the bridge (every other one needs no look at the ledger).
ASKING = frozenset(_BY_STATUS)


def decide(row: Row, journal: Journal, settings: Conditions) -> Action:
    """What the cycle does with one Review row now.

    Args:
        row: the row's facts (its status as parsed, whether its ID is the bridge's, its link cell).
        journal: what the ledger knows of its post (``Journal()`` when nothing).
        settings: the cycle's conditions (publish mode, Blogger's pause, template, hand-over).

    Returns:
        One action; :data:`NOTHING` for a row waiting for an officer.
    """
    step = _BY_STATUS.get(row.status) if row.status is not None else None
    return step(row, journal, settings) if step is not None else NOTHING


def looks_on_blog_first(row: Row, journal: Journal, handover: bool = False) -> bool:
    """Whether the blog is searched for this row's post (by its marker) before anything is inserted:

    * an approved or withdrawn row the ledger cannot vouch for (no journal entry, and the ledger was
      rebuilt from the sheet or does not know the submission: the post may exist);
    * after a take-over (``handover``), an approved row with no post known here: the previous holder may
      have published it in its last cycle.
    """
    if row.status not in ACTING or not row.system_id:
        return False
    if journal.state is None and (journal.recorded is None or not journal.from_form):
        return True
    return handover and row.status == Status.DISETUJUI and not journal.has_post


# --- what Blogger shows ------------------------------------------------------------------------


def seen_on_blog(status: Status | None, journal: Journal, now: PostState | str | None, has_url: bool = True) -> Action:
    """What Blogger's current answer about a watched post means for its row.

    Args:
        status: the Review row's status; ``None`` for a row in Arsip.
        journal: what the ledger knows of the post.
        now: the post's state on Blogger now; ``None``: deleted (404, or in the bin).
        has_url: Blogger gave the post's public URL.

    The blog watch acts on MARK_GONE and SHOW_REVERTED (posts the ledger knows live or scheduled);
    the draft check on MARK_GONE, FORGET and SHOW_PUBLISHED (posts the ledger knows as drafts).
    """
    if now is None:
        # DITOLAK: nothing to say on the row (it was never on the website); the ledger stops asking
        return Action(Step.FORGET) if status == Status.DITOLAK else Action(Step.MARK_GONE)
    if journal.post_status in ON_WEBSITE and now == PostState.DRAFT:
        return Action(Step.SHOW_REVERTED)
    if journal.post_status == PostState.DRAFT and now in ON_WEBSITE and has_url:
        return Action(Step.SHOW_PUBLISHED)
    return NOTHING


# --- Arsip ---------------------------------------------------------------------------------------


def settled(row: Row, journal: Journal) -> bool:
    """Done with, so it may leave Review: TERBIT with its post's link (a draft waits until an officer
    publishes it in Blogger), or DITOLAK with nothing on the website (a rejected item whose post is still
    live stays in view until someone withdraws it)."""
    if row.status == Status.TERBIT:
        return row.link_shown and not journal.draft
    if row.status == Status.DITOLAK:
        return not journal.on_website
    return False


def archivable(row: Row, journal: Journal) -> Action:
    """Whether an old row may move to Arsip: ARCHIVE (``ask_blogger``: a DITOLAK row whose post the
    ledger knows as a draft moves only if Blogger says it is still one), or NOTHING."""
    if not settled(row, journal):
        return NOTHING
    return Action(Step.ARCHIVE, ask_blogger=row.status == Status.DITOLAK and journal.draft)


def still_archivable(chosen: Row, now: Row, journal: Journal) -> bool:
    """Read again right before the move: a row whose ID moved, whose status an officer changed since it
    was chosen, or that is no longer settled stays in Review."""
    return now.id == chosen.id and now.status == chosen.status and settled(now, journal)


class Fate(StrEnum):
    """What became of a submission's post, for a deleted row's Arsip record."""

    LIVE = "live"
    DRAFT = "draft"
    WITHDRAWN = "withdrawn"  # DITARIK: the bridge put it back to draft
    NONE = "none"


def post_fate(journal: Journal) -> Fate:
    """What became of an item's post, from the ledger's journal."""
    if not journal.has_post:
        return Fate.NONE
    if journal.state == JournalState.REVERTED:
        return Fate.WITHDRAWN
    if journal.state != JournalState.DONE:
        return Fate.NONE
    return Fate.LIVE if journal.post_status in ON_WEBSITE else Fate.DRAFT


# --- smaller questions beside the machine --------------------------------------------------------


def decision_is_new(status: Status | None, before: str) -> bool:
    """``Diputuskan (WITA)`` is stamped for a row decided since the last cycle: DISETUJUI (waiting for the
    bridge), or DITOLAK where the ledger's copy of the row last said MENUNGGU or TIDAK VALID. A row whose
    earlier status nobody knows (``before`` empty) is left empty rather than given a wrong time."""
    if status not in DECISIONS:
        return False
    return status == Status.DISETUJUI or before.strip().upper() in UNDECIDED  # the copy holds the cell as written


def rejection_notice_waits(message: str, reject_without_message: bool) -> bool:
    """A DITOLAK (or PERLU REVISI) row's message to the operator waits until an officer writes ``Pesan untuk
    Operator`` (unless ``[notify] reject_without_message``); the row says so in ``Notifikasi Terkirim``."""
    return not reject_without_message and not message.strip()


# --- issue 20, revise and resubmit ---

#: What a resubmission may replace: a row an officer sent back for revision.
REVISABLE = frozenset({Status.PERLU_REVISI})
#: Statuses a matched resubmission may still be written over (read again right before the write): an
#: officer who moved the row on since the match (approved or rejected it) still gets the new text to review
#: again, never a post changed behind their back; a published, withdrawn or failed row is left alone.
REVISION_APPLIES = frozenset({Status.PERLU_REVISI, Status.MENUNGGU, Status.TIDAK_VALID, Status.DISETUJUI, Status.DITOLAK})


def after_revision(valid: bool) -> Status:
    """The status a resubmitted item goes back to: validation runs again."""
    return Status.MENUNGGU if valid else Status.TIDAK_VALID


# --- the diagram ---------------------------------------------------------------------------------

NEW = "(new)"
ARSIP = "Arsip"
DRAFT_AGAIN = "(post back to draft)"
DELETED_ROW = "(row deleted by an officer)"  # from any status


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    by: str  # who or what moves it

    @property
    def name(self) -> str:
        return f"{self.source} -> {self.target}: {self.by}"


#: Every edge of the machine, as the docs draw it. The tests hold one plain-data case per edge.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(NEW, Status.MENUNGGU, "valid"),
    Transition(NEW, Status.TIDAK_VALID, "invalid"),
    Transition(Status.MENUNGGU, Status.DISETUJUI, "officer"),
    Transition(Status.TIDAK_VALID, Status.DISETUJUI, "officer, after checking"),
    Transition(Status.MENUNGGU, Status.DITOLAK, "officer"),
    Transition(Status.TIDAK_VALID, Status.DITOLAK, "officer"),
    Transition(Status.DISETUJUI, Status.TERBIT, "bridge publishes"),
    Transition(Status.DISETUJUI, Status.DISETUJUI, "waits (Blogger's daily limit, broken template, hand-over)"),
    Transition(Status.DISETUJUI, Status.GAGAL, "cannot publish"),
    Transition(Status.TERBIT, Status.DISETUJUI, "officer edits, re-approves"),
    Transition(Status.TERBIT, Status.DITARIK, "officer"),
    Transition(Status.DITARIK, DRAFT_AGAIN, "bridge"),
    Transition(Status.DITARIK, Status.DISETUJUI, "officer, the same post again"),
    Transition(Status.DITARIK, Status.GAGAL, "withdrawal failed"),
    Transition(Status.TERBIT, Status.GAGAL, "post deleted in Blogger"),
    Transition(Status.TERBIT, Status.TERBIT, "post changed in Blogger (link and time follow)"),
    Transition(Status.GAGAL, Status.DISETUJUI, "officer retries"),
    Transition(Status.GAGAL, Status.DITOLAK, "officer"),
    Transition(Status.DITOLAK, Status.DITOLAK, "message waits for Pesan untuk Operator"),
    # --- issue 20, revise and resubmit ---
    Transition(Status.MENUNGGU, Status.PERLU_REVISI, "officer asks for a revision"),
    Transition(Status.TIDAK_VALID, Status.PERLU_REVISI, "officer asks for a revision"),
    Transition(Status.PERLU_REVISI, Status.PERLU_REVISI, "waits for the resubmission (message waits for Pesan untuk Operator)"),
    Transition(Status.PERLU_REVISI, Status.MENUNGGU, "operator resubmits: same ID, content replaced"),
    Transition(Status.PERLU_REVISI, Status.TIDAK_VALID, "resubmission fails validation"),
    Transition(Status.TERBIT, ARSIP, "settled and old"),
    Transition(Status.DITOLAK, ARSIP, "nothing on the website, old"),
    Transition(DELETED_ROW, ARSIP, "recorded with its post's fate, never published or queued again"),
)


def _node(name: str) -> str:
    return {NEW: "new", ARSIP: "Arsip", DRAFT_AGAIN: "draft", DELETED_ROW: "deleted"}.get(name, name.replace(" ", "_"))


def mermaid() -> str:
    """The machine as a mermaid ``stateDiagram-v2`` (what docs/architecture.md shows)."""
    lines = ["stateDiagram-v2"]
    for s in Status:
        lines.append(f"    state \"{s.value}\" as {_node(s)}")
    for pseudo in (DRAFT_AGAIN, DELETED_ROW):
        lines.append(f"    state \"{pseudo}\" as {_node(pseudo)}")
    lines.append(f"    [*] --> {_node(Status.MENUNGGU)}: valid")
    lines.append(f"    [*] --> {_node(Status.TIDAK_VALID)}: invalid")
    for t in TRANSITIONS:
        if t.source == NEW:
            continue
        lines.append(f"    {_node(t.source)} --> {_node(t.target)}: {t.by}")
    return "\n".join(lines)


__all__ = [
    "ACTING", "ASKING", "BRIDGE_STATUSES", "DECISIONS", "DRAFT_WATCH", "NOTHING", "OFFICER_STATUSES", "ON_WEBSITE", "TRANSITIONS",
    "UNDECIDED", "REVISABLE", "REVISION_APPLIES", "Action", "Conditions", "Fate", "Hold", "Journal", "Move", "Shown", "JournalState", "PostState", "PublishMode", "Row",
    "Status", "Step", "Transition", "after_revision", "archivable", "decide", "decision_is_new", "done_note", "insert_moves", "inserted_as_draft", "limit_note",
    "looks_on_blog_first", "mermaid", "post_fate", "rejection_notice_waits", "restore_moves", "seen_on_blog", "settled", "shown_time",
    "still_archivable", "update_moves", "withdrawn_note",
]
