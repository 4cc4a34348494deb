"""The Review status machine on plain data (issue 22): one case (or more) for every edge of the diagram."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bridge.core import review_machine as m
from bridge.core.model import Reason, Submission
from bridge.core.review_machine import (
    ARSIP,
    DELETED_ROW,
    DRAFT_AGAIN,
    NEW,
    NOTHING,
    TRANSITIONS,
    Action,
    Conditions,
    Fate,
    Hold,
    Journal,
    JournalState,
    PostState,
    PublishMode,
    Row,
    Status,
    Step,
    Transition,
)

REPO = Path(__file__).resolve().parents[2]
WITA = ZoneInfo("Asia/Makassar")
TOMORROW = datetime(2026, 11, 26, 0, 0, tzinfo=WITA)

DRAFT_MODE = Conditions(mode=PublishMode.DRAFT, tz=WITA)
LIVE_MODE = Conditions(mode=PublishMode.LIVE, tz=WITA)
PAUSED = Conditions(mode=PublishMode.DRAFT, tz=WITA, paused_until=TOMORROW)
BROKEN_TEMPLATE = Conditions(tz=WITA, template_ok=False)
HANDOVER = Conditions(tz=WITA, handover=True)

NO_JOURNAL = Journal(recorded=Status.MENUNGGU)  # queued from the form; never sent to Blogger
LIVE_POST = Journal(JournalState.DONE, "p1", PostState.LIVE, recorded=Status.TERBIT)
DRAFT_POST = Journal(JournalState.DONE, "p1", PostState.DRAFT, recorded=Status.TERBIT)
SCHEDULED_POST = Journal(JournalState.DONE, "p1", PostState.SCHEDULED, recorded=Status.TERBIT)
WITHDRAWN_POST = Journal(JournalState.REVERTED, "p1", PostState.DRAFT, recorded=Status.DITARIK)
FAILED_NO_POST = Journal(JournalState.FAILED, recorded=Status.GAGAL)
FAILED_WITH_POST = Journal(JournalState.FAILED, "p1", PostState.DRAFT, recorded=Status.GAGAL)  # a re-publishing failed
INTENT_NOT_FOUND = Journal(JournalState.FAILED, recorded=Status.DISETUJUI)  # reconcile found no post: closed as failed
GONE = Journal(JournalState.FAILED, recorded=Status.GAGAL)  # after a post deleted in Blogger: the ledger forgot it


def row(status: Status | str | None, *, link: bool = False, system_id: bool = True, rid: str = "MM-2026-0007") -> Row:
    parsed = status if isinstance(status, Status) or status is None else Status.parse(status)
    return Row(status=parsed, id=rid, system_id=system_id, row_number=12, link_shown=link)


def sub(reasons: tuple[Reason, ...] = ()) -> Submission:
    return Submission("fp", 2, None, "Paringin", "Paringin Kota", "KIM Maju", "Siti", "s@x.id", "Judul", "Isi", (), reasons)


@dataclass(frozen=True)
class Case:
    edge: Transition
    what: str
    actual: Any
    expected: Any


def edge(source: str, target: str) -> Transition:
    (found,) = [t for t in TRANSITIONS if t.source == source and t.target == target]
    return found


S = Status
CASES: list[Case] = [
    # intake
    Case(edge(NEW, S.MENUNGGU), "a valid response is queued MENUNGGU", sub().status, S.MENUNGGU),
    Case(edge(NEW, S.TIDAK_VALID), "an invalid one TIDAK VALID", sub((Reason("x", "salah", "wrong"),)).status, S.TIDAK_VALID),
    # officers decide; the bridge waits for them, and the decision time is stamped once
    Case(edge(S.MENUNGGU, S.DISETUJUI), "MENUNGGU waits for an officer", m.decide(row(S.MENUNGGU), NO_JOURNAL, DRAFT_MODE), NOTHING),
    Case(edge(S.MENUNGGU, S.DISETUJUI), "the approval is a fresh decision", m.decision_is_new(S.DISETUJUI, "MENUNGGU"), True),
    Case(edge(S.MENUNGGU, S.DISETUJUI), "approved, it is published", m.decide(row(S.DISETUJUI), NO_JOURNAL, DRAFT_MODE), Action(Step.PUBLISH)),
    Case(edge(S.TIDAK_VALID, S.DISETUJUI), "TIDAK VALID waits for an officer", m.decide(row(S.TIDAK_VALID), NO_JOURNAL, DRAFT_MODE), NOTHING),
    Case(edge(S.TIDAK_VALID, S.DISETUJUI), "approved after checking, it is published (checks not redone)",
         m.decide(row(S.DISETUJUI), Journal(recorded=S.TIDAK_VALID), DRAFT_MODE), Action(Step.PUBLISH)),
    Case(edge(S.MENUNGGU, S.DITOLAK), "a rejection is a fresh decision", m.decision_is_new(S.DITOLAK, "MENUNGGU"), True),
    Case(edge(S.MENUNGGU, S.DITOLAK), "a rejected row is never published", m.decide(row(S.DITOLAK), NO_JOURNAL, DRAFT_MODE), NOTHING),
    Case(edge(S.TIDAK_VALID, S.DITOLAK), "a rejection of an invalid row is a fresh decision", m.decision_is_new(S.DITOLAK, "tidak valid "), True),
    Case(edge(S.TIDAK_VALID, S.DITOLAK), "DITOLAK after TERBIT is no fresh decision", m.decision_is_new(S.DITOLAK, "TERBIT"), False),
    Case(edge(S.TIDAK_VALID, S.DITOLAK), "DITOLAK with an unknown earlier status is not stamped", m.decision_is_new(S.DITOLAK, ""), False),
    # approved rows: published once
    Case(edge(S.DISETUJUI, S.TERBIT), "new: one insert", m.decide(row(S.DISETUJUI), NO_JOURNAL, LIVE_MODE), Action(Step.PUBLISH)),
    Case(edge(S.DISETUJUI, S.TERBIT), "an intent the blog does not hold: inserted", m.decide(row(S.DISETUJUI), INTENT_NOT_FOUND, DRAFT_MODE),
         Action(Step.PUBLISH)),
    Case(edge(S.DISETUJUI, S.TERBIT), "published already: the same post, never a second",
         m.decide(row(S.DISETUJUI), LIVE_POST, LIVE_MODE), Action(Step.UPDATE)),
    Case(edge(S.DISETUJUI, S.TERBIT), "draft mode: a draft is updated as a draft", m.decide(row(S.DISETUJUI), DRAFT_POST, DRAFT_MODE),
         Action(Step.UPDATE)),
    Case(edge(S.DISETUJUI, S.TERBIT), "live mode: a post stuck as a draft goes out", m.decide(row(S.DISETUJUI), DRAFT_POST, LIVE_MODE),
         Action(Step.RESTORE)),
    Case(edge(S.DISETUJUI, S.TERBIT), "scheduled post re-approved: the same post", m.decide(row(S.DISETUJUI), SCHEDULED_POST, LIVE_MODE),
         Action(Step.UPDATE)),
    Case(edge(S.DISETUJUI, S.TERBIT), "a hand-over does not hold back an update", m.decide(row(S.DISETUJUI), LIVE_POST, HANDOVER),
         Action(Step.UPDATE)),
    # approved rows that wait
    Case(edge(S.DISETUJUI, S.DISETUJUI), "Blogger's daily limit: waits with the day it goes on",
         m.decide(row(S.DISETUJUI), NO_JOURNAL, PAUSED), Action(Step.WAIT, note=m.limit_note(TOMORROW, WITA), hold=Hold.BLOGGER_LIMIT)),
    Case(edge(S.DISETUJUI, S.DISETUJUI), "the limit note names the day in WITA", "mulai 26/11/2026 pukul 00:00 WITA" in m.limit_note(TOMORROW, WITA), True),
    Case(edge(S.DISETUJUI, S.DISETUJUI), "a broken template holds every approved row",
         m.decide(row(S.DISETUJUI, system_id=False), NO_JOURNAL, BROKEN_TEMPLATE), Action(Step.WAIT, note=m.TEMPLATE_BROKEN, hold=Hold.TEMPLATE)),
    Case(edge(S.DISETUJUI, S.DISETUJUI), "just taken over: a new insert waits for the previous bridge",
         m.decide(row(S.DISETUJUI), NO_JOURNAL, HANDOVER), Action(Step.WAIT, hold=Hold.HANDOVER)),
    # approved rows that cannot be published
    Case(edge(S.DISETUJUI, S.GAGAL), "an ID the bridge did not make: GAGAL with what to do",
         m.decide(row(S.DISETUJUI, system_id=False, rid="X-1"), NO_JOURNAL, DRAFT_MODE), m.foreign_id(row(S.DISETUJUI, system_id=False, rid="X-1"))),
    Case(edge(S.DISETUJUI, S.GAGAL), "... also while Blogger is paused (nothing to wait for)",
         m.decide(row(S.DISETUJUI, system_id=False, rid="X-1"), NO_JOURNAL, PAUSED).step, Step.FAIL),
    Case(edge(S.DISETUJUI, S.GAGAL), "the reason names the ID and the row",
         m.foreign_id(row(S.DISETUJUI, system_id=False, rid="X-1")).reason_en, "Review row 12 has an ID the bridge did not make: 'X-1'"),
    # TERBIT rows
    Case(edge(S.TERBIT, S.DISETUJUI), "TERBIT keeps its link right", m.decide(row(S.TERBIT, link=True), LIVE_POST, DRAFT_MODE),
         Action(Step.RESTORE_LINK)),
    Case(edge(S.TERBIT, S.DISETUJUI), "re-approved after edits: the same post is updated",
         m.decide(row(S.DISETUJUI), LIVE_POST, DRAFT_MODE), Action(Step.UPDATE)),
    Case(edge(S.TERBIT, S.DISETUJUI), "TERBIT typed by hand on a row with no post is explained",
         m.decide(row(S.TERBIT), NO_JOURNAL, DRAFT_MODE), Action(Step.EXPLAIN, note=m.NOTE_TERBIT_BY_HAND)),
    Case(edge(S.TERBIT, S.DISETUJUI), "TERBIT with a link and no post known: left alone",
         m.decide(row(S.TERBIT, link=True), NO_JOURNAL, DRAFT_MODE), NOTHING),
    # withdrawing
    Case(edge(S.TERBIT, S.DITARIK), "a live post is withdrawn", m.decide(row(S.DITARIK), LIVE_POST, DRAFT_MODE), Action(Step.WITHDRAW)),
    Case(edge(S.TERBIT, S.DITARIK), "a scheduled post is withdrawn", m.decide(row(S.DITARIK), SCHEDULED_POST, LIVE_MODE), Action(Step.WITHDRAW)),
    Case(edge(S.TERBIT, S.DITARIK), "draft mode: Blogger is asked whether an officer published the draft",
         m.decide(row(S.DITARIK), DRAFT_POST, DRAFT_MODE), Action(Step.WITHDRAW, ask_blogger=True)),
    Case(edge(S.TERBIT, S.DITARIK), "withdrawing waits for Blogger's pause",
         m.decide(row(S.DITARIK), LIVE_POST, PAUSED).hold, Hold.BLOGGER_LIMIT),
    Case(edge(S.DITARIK, DRAFT_AGAIN), "withdrawn once: nothing more", m.decide(row(S.DITARIK), WITHDRAWN_POST, DRAFT_MODE), NOTHING),
    Case(edge(S.DITARIK, DRAFT_AGAIN), "the note says it is down", m.withdrawn_note(True, "25/11/2026 10:00").startswith(
        "Post ditarik kembali menjadi draf pada 25/11/2026 10:00."), True),
    Case(edge(S.DITARIK, DRAFT_AGAIN), "a draft nobody saw: nothing taken down", "belum tayang" in m.withdrawn_note(False, ""), True),
    Case(edge(S.DITARIK, DRAFT_AGAIN), "never published: explained", m.decide(row(S.DITARIK), NO_JOURNAL, DRAFT_MODE),
         Action(Step.EXPLAIN, note=m.NOTE_NEVER_PUBLISHED)),
    Case(edge(S.DITARIK, S.DISETUJUI), "re-approved: the same post goes out again", m.decide(row(S.DISETUJUI), WITHDRAWN_POST, LIVE_MODE),
         Action(Step.RESTORE)),
    Case(edge(S.DITARIK, S.GAGAL), "an ID the bridge did not make", m.decide(row(S.DITARIK, system_id=False), LIVE_POST, DRAFT_MODE).step,
         Step.FAIL),
    # posts deleted in Blogger
    Case(edge(S.TERBIT, S.GAGAL), "deleted in Blogger: GAGAL, link cleared", m.seen_on_blog(S.TERBIT, LIVE_POST, None), Action(Step.MARK_GONE)),
    Case(edge(S.TERBIT, S.GAGAL), "an Arsip row's post deleted: the Arsip row says so", m.seen_on_blog(None, LIVE_POST, None),
         Action(Step.MARK_GONE)),
    Case(edge(S.TERBIT, S.GAGAL), "a rejected row's draft deleted: forgotten quietly", m.seen_on_blog(S.DITOLAK, DRAFT_POST, None),
         Action(Step.FORGET)),
    Case(edge(S.TERBIT, S.TERBIT), "taken back to draft in Blogger: shown", m.seen_on_blog(S.TERBIT, SCHEDULED_POST, PostState.DRAFT),
         Action(Step.SHOW_REVERTED)),
    Case(edge(S.TERBIT, S.TERBIT), "a draft an officer published in Blogger: its public link", m.seen_on_blog(S.TERBIT, DRAFT_POST, "LIVE"),
         Action(Step.SHOW_PUBLISHED)),
    Case(edge(S.TERBIT, S.TERBIT), "... or scheduled there", m.seen_on_blog(S.TERBIT, DRAFT_POST, PostState.SCHEDULED),
         Action(Step.SHOW_PUBLISHED)),
    Case(edge(S.TERBIT, S.TERBIT), "... not before Blogger gives its URL", m.seen_on_blog(S.TERBIT, DRAFT_POST, PostState.LIVE, has_url=False),
         NOTHING),
    Case(edge(S.TERBIT, S.TERBIT), "unchanged: nothing", m.seen_on_blog(S.TERBIT, LIVE_POST, PostState.LIVE), NOTHING),
    # GAGAL rows
    Case(edge(S.GAGAL, S.DISETUJUI), "retry after a deleted post: a new post", m.decide(row(S.DISETUJUI), GONE, DRAFT_MODE), Action(Step.PUBLISH)),
    Case(edge(S.GAGAL, S.DISETUJUI), "retry of a failed first insert", m.decide(row(S.DISETUJUI), FAILED_NO_POST, DRAFT_MODE),
         Action(Step.PUBLISH)),
    Case(edge(S.GAGAL, S.DISETUJUI), "retry of a failed re-publishing: the same post", m.decide(row(S.DISETUJUI), FAILED_WITH_POST, DRAFT_MODE),
         Action(Step.RESTORE)),
    Case(edge(S.GAGAL, S.DISETUJUI), "GAGAL written by the bridge waits for an officer", m.decide(row(S.GAGAL), FAILED_NO_POST, DRAFT_MODE),
         NOTHING),
    Case(edge(S.GAGAL, S.DISETUJUI), "GAGAL picked by hand is explained", m.decide(row(S.GAGAL), NO_JOURNAL, DRAFT_MODE),
         Action(Step.EXPLAIN, note=m.NOTE_GAGAL_BY_HAND)),
    Case(edge(S.GAGAL, S.DISETUJUI), "GAGAL on a row the ledger does not know: left alone", m.decide(row(S.GAGAL), Journal(), DRAFT_MODE),
         NOTHING),
    Case(edge(S.GAGAL, S.DITOLAK), "rejected after failing: nothing to take down", m.decide(row(S.DITOLAK), FAILED_NO_POST, DRAFT_MODE), NOTHING),
    # DITOLAK
    Case(edge(S.DITOLAK, S.DITOLAK), "the message to the operator waits for Pesan untuk Operator", m.rejection_notice_waits(" ", False), True),
    Case(edge(S.DITOLAK, S.DITOLAK), "written: it goes", m.rejection_notice_waits("Foto buram", False), False),
    Case(edge(S.DITOLAK, S.DITOLAK), "reject_without_message: it goes anyway", m.rejection_notice_waits("", True), False),
    Case(edge(S.DITOLAK, S.DITOLAK), "DITOLAK on a live post is explained (DITARIK takes it down)",
         m.decide(row(S.DITOLAK), LIVE_POST, DRAFT_MODE), Action(Step.EXPLAIN, note=m.NOTE_REJECTED_LIVE)),
    Case(edge(S.DITOLAK, S.DITOLAK), "... and on a scheduled one", m.decide(row(S.DITOLAK), SCHEDULED_POST, DRAFT_MODE).step, Step.EXPLAIN),
    Case(edge(S.DITOLAK, S.DITOLAK), "DITOLAK on a draft: nothing on the website", m.decide(row(S.DITOLAK), DRAFT_POST, DRAFT_MODE), NOTHING),
    # --- issue 20, revise and resubmit ---
    Case(edge(S.MENUNGGU, S.PERLU_REVISI), "PERLU REVISI is never published", m.decide(row(S.PERLU_REVISI), NO_JOURNAL, LIVE_MODE), NOTHING),
    Case(edge(S.MENUNGGU, S.PERLU_REVISI), "... and never archived while open", m.archivable(row(S.PERLU_REVISI), NO_JOURNAL), NOTHING),
    Case(edge(S.TIDAK_VALID, S.PERLU_REVISI), "an invalid row sent back: still never published",
         m.decide(row(S.PERLU_REVISI), Journal(recorded=S.TIDAK_VALID), DRAFT_MODE), NOTHING),
    Case(edge(S.TIDAK_VALID, S.PERLU_REVISI), "it is the resubmission's to replace", S.PERLU_REVISI in m.REVISABLE, True),
    Case(edge(S.PERLU_REVISI, S.PERLU_REVISI), "the message waits for Pesan untuk Operator", m.rejection_notice_waits("", False), True),
    Case(edge(S.PERLU_REVISI, S.PERLU_REVISI), "a post already live is explained, not taken down",
         m.decide(row(S.PERLU_REVISI), LIVE_POST, DRAFT_MODE), Action(Step.EXPLAIN, note=m.NOTE_REVISION_LIVE)),
    Case(edge(S.PERLU_REVISI, S.PERLU_REVISI), "a row still sent back stays open", m.archivable(row(S.PERLU_REVISI), LIVE_POST), NOTHING),
    Case(edge(S.PERLU_REVISI, S.MENUNGGU), "a valid resubmission: MENUNGGU again", m.after_revision(True), S.MENUNGGU),
    Case(edge(S.PERLU_REVISI, S.MENUNGGU), "a published row is never overwritten by a late match", S.TERBIT in m.REVISION_APPLIES, False),
    Case(edge(S.PERLU_REVISI, S.TIDAK_VALID), "a resubmission failing validation: TIDAK VALID", m.after_revision(False), S.TIDAK_VALID),
    # Arsip
    Case(edge(S.TERBIT, ARSIP), "TERBIT with its link moves", m.archivable(row(S.TERBIT, link=True), LIVE_POST), Action(Step.ARCHIVE)),
    Case(edge(S.TERBIT, ARSIP), "a draft waits in Review until published in Blogger", m.archivable(row(S.TERBIT, link=True), DRAFT_POST), NOTHING),
    Case(edge(S.TERBIT, ARSIP), "TERBIT without a link stays", m.archivable(row(S.TERBIT), LIVE_POST), NOTHING),
    Case(edge(S.TERBIT, ARSIP), "status changed after being chosen: stays",
         m.still_archivable(row(S.TERBIT, link=True), row(S.DITARIK, link=True), LIVE_POST), False),
    Case(edge(S.TERBIT, ARSIP), "another row at that place now: stays",
         m.still_archivable(row(S.TERBIT, link=True), row(S.TERBIT, link=True, rid="MM-2026-0008"), LIVE_POST), False),
    Case(edge(S.TERBIT, ARSIP), "unchanged: moves", m.still_archivable(row(S.TERBIT, link=True), row(S.TERBIT, link=True), LIVE_POST), True),
    Case(edge(S.DITOLAK, ARSIP), "nothing on the website: moves", m.archivable(row(S.DITOLAK), NO_JOURNAL), Action(Step.ARCHIVE)),
    Case(edge(S.DITOLAK, ARSIP), "its post is live: stays in view", m.archivable(row(S.DITOLAK), LIVE_POST), NOTHING),
    Case(edge(S.DITOLAK, ARSIP), "its draft: moves only if Blogger says it is still a draft", m.archivable(row(S.DITOLAK), DRAFT_POST),
         Action(Step.ARCHIVE, ask_blogger=True)),
    Case(edge(S.DITOLAK, ARSIP), "MENUNGGU never moves", m.archivable(row(S.MENUNGGU), NO_JOURNAL), NOTHING),
    Case(edge(DELETED_ROW, ARSIP), "a deleted TERBIT row: its post stays live", m.post_fate(LIVE_POST), Fate.LIVE),
    Case(edge(DELETED_ROW, ARSIP), "a deleted withdrawn row: withdrawn", m.post_fate(WITHDRAWN_POST), Fate.WITHDRAWN),
    Case(edge(DELETED_ROW, ARSIP), "a deleted approved row never published: none", m.post_fate(NO_JOURNAL), Fate.NONE),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.edge.name} | {c.what}" for c in CASES])
def test_transition(case: Case) -> None:
    """What an officer sees happen after setting a status (or Blogger changing a post) is what the diagram says."""
    assert case.actual == case.expected


def test_every_transition_of_the_diagram_has_a_case() -> None:
    """An edge added to the machine without a plain-data case here would be untested: every edge has one."""
    assert {c.edge for c in CASES} == set(TRANSITIONS)


def test_every_status_is_an_officer_or_a_bridge_status_and_asking_ones_are_known() -> None:
    """The sheet's dropdown and the bridge agree on who writes which status; only officers' DISETUJUI/DITARIK make the bridge act."""
    assert {S.DISETUJUI, S.DITOLAK, S.DITARIK, S.PERLU_REVISI} == m.OFFICER_STATUSES
    assert set(Status) == m.BRIDGE_STATUSES | m.OFFICER_STATUSES
    assert {S.DISETUJUI, S.DITARIK} == m.ACTING and m.ACTING <= m.ASKING
    assert {S.DISETUJUI, S.DITARIK, S.DITOLAK, S.TERBIT, S.GAGAL, S.PERLU_REVISI} == m.ASKING


def test_waiting_and_unknown_statuses_ask_nothing() -> None:
    """A row waiting for an officer (or with a status the bridge does not know) is never sent to Blogger."""
    for status in (S.MENUNGGU, S.TIDAK_VALID, None):
        for journal in (Journal(), LIVE_POST, DRAFT_POST, WITHDRAWN_POST):
            assert m.decide(row(status), journal, LIVE_MODE) == NOTHING


def test_cells_and_blogger_values_compare_with_the_enums() -> None:
    """A status typed leniently and Blogger's post states are recognised as the same words."""
    assert Status.parse(" disetujui ") is S.DISETUJUI and Status.parse("tidak_valid") is S.TIDAK_VALID
    assert Status.parse("OKE") is None and Status.parse("") is None
    assert PostState.LIVE == "LIVE" and PostState("SCHEDULED") in m.ON_WEBSITE and "DRAFT" not in m.ON_WEBSITE
    assert JournalState.DONE == "done" and PublishMode.LIVE == "live"


def test_blog_lookup_before_insert() -> None:
    """After a lost ledger or a take-over, an approved row's post is looked for on the blog before anything is inserted twice."""
    rebuilt = Journal(recorded=S.DISETUJUI, from_form=False)
    assert m.looks_on_blog_first(row(S.DISETUJUI), rebuilt)
    assert m.looks_on_blog_first(row(S.DITARIK), Journal())  # a submission this ledger does not know
    assert not m.looks_on_blog_first(row(S.DISETUJUI), NO_JOURNAL)  # queued from the form here: nothing to find
    assert not m.looks_on_blog_first(row(S.DISETUJUI, system_id=False), Journal())
    assert not m.looks_on_blog_first(row(S.TERBIT), Journal())
    assert m.looks_on_blog_first(row(S.DISETUJUI), FAILED_NO_POST, handover=True)
    assert not m.looks_on_blog_first(row(S.DISETUJUI), LIVE_POST, handover=True)
    assert not m.looks_on_blog_first(row(S.DITARIK), FAILED_NO_POST, handover=True)


def test_terbit_notes_by_post_state() -> None:
    """Officers read in Catatan Sistem whether the post is a draft, scheduled or live, and a draft's schedule advice."""
    assert m.done_note(PostState.LIVE, "25/11/2026 10:00") == "Sudah tayang di website KIM Balangan."
    assert m.done_note(PostState.SCHEDULED, "27/11/2026 08:00") == "Terjadwal di Blogger; tayang otomatis pada 27/11/2026 08:00 WITA."
    assert m.done_note(PostState.DRAFT, "").startswith("Tersimpan sebagai DRAF di Blogger, belum tayang di website.")
    assert "pastikan tanggal post 27/11/2026 08:00" in m.done_note(PostState.DRAFT, "", "27/11/2026 08:00")


def test_scheduled_posts_and_draft_mode_blogger_calls() -> None:
    """A post goes out when and as the mode and the officer's Jadwal Terbit say: drafts stay drafts, schedules move, none is lost."""
    D, L, Mv = PublishMode.DRAFT, PublishMode.LIVE, m.Move
    assert m.inserted_as_draft(D, False) and m.inserted_as_draft(L, True) and not m.inserted_as_draft(L, False)
    assert m.insert_moves(L, True) == (Mv.PUBLISH_AT_SCHEDULE,)  # Blogger schedules through posts.publish
    assert m.insert_moves(L, False) == () and m.insert_moves(D, True) == ()  # a draft is never scheduled
    assert m.restore_moves(L, False) == (Mv.PUBLISH_NOW,) and m.restore_moves(L, True) == (Mv.PUBLISH_AT_SCHEDULE,)
    assert m.restore_moves(D, True) == ()
    assert m.update_moves(L, True, True, PostState.LIVE) == (Mv.REVERT, Mv.PUBLISH_AT_SCHEDULE)  # re-scheduled
    assert m.update_moves(L, True, True, PostState.SCHEDULED) == (Mv.PUBLISH_AT_SCHEDULE,)
    assert m.update_moves(L, True, False, PostState.SCHEDULED) == (Mv.PUBLISH_NOW,)  # schedule removed: out now
    assert m.update_moves(L, False, False, PostState.DRAFT) == (Mv.PUBLISH_NOW,)  # a half-done re-scheduling
    assert m.update_moves(L, False, True, PostState.LIVE) == ()  # text edited only
    assert m.update_moves(L, True, False, PostState.LIVE) == ()  # a passed schedule on a live post
    assert m.update_moves(D, True, True, PostState.DRAFT) == ()  # draft mode: officers publish in Blogger


def test_waktu_terbit_is_when_readers_see_the_post() -> None:
    """Waktu Terbit shows when readers see the post: nothing for a draft, the schedule, or the first time it went out."""
    Sh = m.Shown
    assert m.shown_time(PostState.DRAFT, True) is Sh.NONE
    assert m.shown_time(PostState.SCHEDULED, True) is Sh.SCHEDULE and m.shown_time(PostState.LIVE, True) is Sh.NOW
    assert m.shown_time(PostState.LIVE, False, before=PostState.LIVE, kept=True) is Sh.KEPT
    assert m.shown_time(PostState.LIVE, False, before=PostState.LIVE, kept=False) is Sh.NOW
    assert m.shown_time(PostState.LIVE, False, before=PostState.SCHEDULED, kept=True) is Sh.NOW  # brought forward
    assert m.shown_time(PostState.SCHEDULED, True, before=PostState.LIVE, kept=True) is Sh.SCHEDULE
    assert m.shown_time(PostState.DRAFT, False, before=PostState.LIVE, kept=True) is Sh.NONE


def test_post_fate_of_a_deleted_row() -> None:
    """A deleted row's Arsip record says truly whether its post is live, a draft, withdrawn, or never made."""
    assert m.post_fate(LIVE_POST) is Fate.LIVE and m.post_fate(SCHEDULED_POST) is Fate.LIVE
    assert m.post_fate(DRAFT_POST) is Fate.DRAFT and m.post_fate(WITHDRAWN_POST) is Fate.WITHDRAWN
    assert m.post_fate(Journal()) is Fate.NONE and m.post_fate(Journal(JournalState.INTENT, "p1")) is Fate.NONE


def test_ledger_journal_states_are_the_machines() -> None:
    """The ledger writes the journal states the machine reads (a rename on one side would publish twice)."""
    from bridge.adapters import ledger

    assert tuple(JournalState) == (ledger.INTENT, ledger.DONE, ledger.FAILED, ledger.REVERTED)


# --- the docs say the same -------------------------------------------------------------------------


def _doc_diagram() -> str:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    found = re.search(r"```mermaid\n(stateDiagram-v2\n.*?)\n```", text, re.S)
    assert found, "docs/architecture.md has no mermaid state diagram"
    return found.group(1)


def test_architecture_doc_shows_the_machine_as_the_code_has_it() -> None:
    """docs/architecture.md's status diagram is the one the code renders: a newcomer reads the machine as it runs."""
    assert _doc_diagram() == m.mermaid()


def test_every_status_is_in_the_doc_diagram_and_nothing_else() -> None:
    """Every status in the enum appears in the doc's diagram, and the diagram names no status the code lacks."""
    named = set(re.findall(r'state "([^"]+)" as', _doc_diagram()))
    assert named - {DRAFT_AGAIN, DELETED_ROW} == {s.value for s in Status}


def _readme_statuses(half: str) -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(half)
    table = text[start:text.index("\n\n", start)]
    return {m_.group(1) for m_ in re.finditer(r"^\| `([A-Z ]+)` \|", table, re.M)}


@pytest.mark.parametrize("half", ["| Status | Siapa menulis |", "| Status | Written by |"])
def test_readme_status_tables_list_every_status(half: str) -> None:
    """README's status tables (both halves) list exactly the statuses the code knows, so officers and IT read the same machine."""
    assert _readme_statuses(half) == {s.value for s in Status}


def test_no_bare_post_state_literals_outside_the_machine() -> None:
    """Blogger's post states are spelled once (PostState): a typo like "LIVE " elsewhere would silently never match."""
    bare = re.compile(r"""["'](DRAFT|LIVE|SCHEDULED)["']""")
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "bridge").rglob("*.py"))
        if path.name != "review_machine.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bare.search(line)
    ]
    assert found == []
