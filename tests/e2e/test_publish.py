"""Publishing end to end: approved rows become posts exactly once, with photo, byline and labels."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from bridge.adapters.ledger import Ledger
from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.cycle.pipeline import run_cycle
from bridge.cycle.publish import DRAFT_CHECK_EVERY
from bridge.sandbox.seed import DEMO_BLOG_ID, DEMO_SPREADSHEET_ID

from .conftest import Bridge, cycle_killed_after_insert

SYSTEM = ReviewColumn.SYSTEM_NOTE.value


def _approve_valid(b: Bridge) -> list[str]:
    ids = [r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value]
    b.officer_sets({i: Status.DISETUJUI.value for i in ids})
    return ids


def _ours(b: Bridge) -> list[dict[str, Any]]:
    """Posts the bridge made (the seed blog has older posts of its own)."""
    return [p for p in b.posts() if find_marker_ids(p.get("content", ""))]


def test_form_to_post_end_to_end(bridge: Bridge) -> None:
    """Form rows → Review → DISETUJUI → a live post with photo, byline and labels → TERBIT + link."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    assert approved
    report = bridge.cycle()
    assert report.publish.published == len(approved)
    posts = _ours(bridge)
    assert len(posts) == len(approved)
    by_id = {next(iter(find_marker_ids(p["content"]))): p for p in posts}
    review = {r["ID"]: r for r in bridge.review()}
    for sid in approved:
        post, row = by_id[sid], review[sid]
        assert post["status"] == "LIVE"
        assert post["title"] == row["Judul"]
        assert "Oleh: " + row["Operator"] in post["content"]
        assert row["Desa/Kelurahan"] in post["content"] and row["KIM"] in post["content"]
        assert any(row["Kecamatan"] in label for label in post["labels"])
        assert "KIM Balangan" in post["labels"]
        assert row["Status"] == Status.TERBIT.value
        assert row[ReviewColumn.POST_URL.value] == post["url"]
        assert row[ReviewColumn.PUBLISHED.value].startswith("23/11/2026")
        if row[ReviewColumn.PHOTOS.value]:
            assert f"{bridge.sandbox.url}/_sandbox/files/" in post["content"]
            assert "drive.google.com" not in post["content"]
    photo_posts = [p for p in posts if "/_sandbox/files/" in p["content"]]
    assert photo_posts, "the seed has approved submissions with photos"
    src = photo_posts[0]["content"].split('src="')[1].split('"')[0]
    with urllib.request.urlopen(src) as resp:  # the re-hosted photo is publicly readable, re-encoded as JPEG
        assert resp.status == 200 and resp.read(3) == b"\xff\xd8\xff"


def test_publishing_is_idempotent_across_cycles(bridge: Bridge) -> None:
    """Running again (or restarting) never publishes an approved item a second time."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    bridge.cycle()
    count = len(_ours(bridge))
    for _ in range(3):
        assert bridge.cycle().publish.published == 0
    assert len(_ours(bridge)) == count == len(approved)


def test_rejected_rows_are_never_published(bridge: Bridge) -> None:
    """DITOLAK (and untouched TIDAK VALID) rows never reach the blog."""
    bridge.cycle()
    ids = [r["ID"] for r in bridge.review()]
    bridge.officer_sets({i: Status.DITOLAK.value for i in ids})
    bridge.cycle()
    assert _ours(bridge) == []


def test_officer_edits_are_published_sanitized(bridge: Bridge) -> None:
    """The officer's corrected title and body are what readers see, still with no raw markup."""
    bridge.cycle()
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: "Judul hasil suntingan <b>petugas</b>"}, column=ReviewColumn.TITLE)
    bridge.officer_sets(
        {sid: "Paragraf pertama yang sudah dirapikan petugas.\n\n<script>alert(1)</script> Lihat https://balangankab.go.id"},
        column=ReviewColumn.BODY,
    )
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    (post,) = _ours(bridge)
    assert post["title"] == "Judul hasil suntingan petugas"  # Blogger titles are plain text: markup removed (issue 12)
    assert "<script" not in post["content"]
    assert "&lt;script&gt;" in post["content"]
    assert 'href="https://balangankab.go.id"' in post["content"] and 'rel="nofollow noopener"' in post["content"]


def test_invalid_row_may_be_approved_after_checking(bridge: Bridge) -> None:
    """An officer may override TIDAK VALID after checking; the bridge then publishes it."""
    bridge.cycle()
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.TIDAK_VALID.value)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    assert bridge.cycle().publish.published == 1
    row = {r["ID"]: r for r in bridge.review()}[sid]
    assert row["Status"] == Status.TERBIT.value


def test_an_approved_invalid_row_keeps_its_trace_for_the_report(bridge: Bridge) -> None:
    """The monthly report would count a TIDAK VALID row as valid once publishing replaced its list of problems."""
    from bridge.core.report import FAILED_AT_INTAKE

    bridge.cycle()
    rows = {r["ID"]: r for r in bridge.review()}
    bad = next(i for i, r in rows.items() if r["Status"] == Status.TIDAK_VALID.value)
    good = next(i for i, r in rows.items() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({bad: Status.DISETUJUI.value, good: Status.DISETUJUI.value})
    bridge.cycle()
    notes = {r["ID"]: r[SYSTEM] for r in bridge.review()}
    assert FAILED_AT_INTAKE in notes[bad].splitlines() and FAILED_AT_INTAKE not in notes[good]
    bridge.officer_sets({bad: Status.DISETUJUI.value}, column=ReviewColumn.STATUS)  # approved again, unchanged
    bridge.officer_sets({bad: "Judul baru setelah diperiksa"}, column=ReviewColumn.TITLE)
    bridge.cycle()
    assert {r["ID"]: r[SYSTEM] for r in bridge.review()}[bad].count(FAILED_AT_INTAKE) == 1


def test_draft_mode_links_to_the_editor(bridge: Bridge) -> None:
    """With publish_mode = draft, officers get a Blogger editor link and publish in Blogger themselves."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    bridge.cycle(blog__publish_mode="draft")
    assert {p["status"] for p in _ours(bridge)} == {"DRAFT"}
    for row in bridge.review():
        if row["ID"] in approved:
            assert row[ReviewColumn.POST_URL.value].startswith("https://www.blogger.com/blog/post/edit/")
            assert "DRAF" in row[SYSTEM]
            assert row[ReviewColumn.PUBLISHED.value] == "", "a draft is on no website yet"


def test_permanent_error_marks_gagal_then_retry_succeeds(bridge: Bridge) -> None:
    """A blog the account cannot post to → GAGAL with a reason; after the fix, DISETUJUI again publishes once."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    report = bridge.cycle(blog__blog_id="9999999999")
    assert report.publish.failed == len(approved)
    rows = {r["ID"]: r for r in bridge.review()}
    for sid in approved:
        assert rows[sid]["Status"] == Status.GAGAL.value
        assert "Gagal terbit" in rows[sid][SYSTEM] and "DISETUJUI" in rows[sid][SYSTEM]
    assert _ours(bridge) == []
    assert bridge.cycle().publish.published == 0  # GAGAL waits for an officer
    bridge.officer_sets({sid: Status.DISETUJUI.value for sid in approved})
    assert bridge.cycle().publish.published == len(approved)
    assert len(_ours(bridge)) == len(approved)


def test_one_failing_item_does_not_block_others(bridge: Bridge) -> None:
    """A submission whose photo vanished from Drive fails alone; the rest are published."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    with_photo = next(r["ID"] for r in bridge.review() if r["ID"] in approved and r[ReviewColumn.PHOTOS.value])
    bridge.officer_sets({with_photo: "https://drive.google.com/open?id=doesnotexist"}, column=ReviewColumn.PHOTOS)
    report = bridge.cycle()
    assert report.publish.failed == 1 and report.publish.published == len(approved) - 1
    row = {r["ID"]: r for r in bridge.review()}[with_photo]
    assert row["Status"] == Status.GAGAL.value and "Foto" in row[SYSTEM]


def test_withdrawn_post_goes_back_to_draft(bridge: Bridge) -> None:
    """DITARIK takes a published post off the website (back to draft), once."""
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    bridge.cycle()
    bridge.officer_sets({sid: Status.DITARIK.value})
    assert bridge.cycle().publish.reverted == 1
    post = next(p for p in _ours(bridge) if sid in find_marker_ids(p["content"]))
    assert post["status"] == "DRAFT"
    assert "ditarik" in {r["ID"]: r for r in bridge.review()}[sid][SYSTEM]
    assert bridge.cycle().publish.reverted == 0
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    assert bridge.cycle().publish.published == 1
    assert [p["status"] for p in _ours(bridge) if sid in find_marker_ids(p["content"])] == ["LIVE"]


def test_ambiguous_failures_publish_exactly_once(bridge: Bridge) -> None:
    """When Google applies a write but answers 500, nothing is published or queued twice."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    bridge.sandbox.set_faults({"after_rate": 0.5, "rate": 0.2, "codes": [429, 500, 503], "seed": 7})
    for _ in range(8):
        bridge.cycle()
    bridge.sandbox.set_faults({})
    bridge.cycle()
    markers = [m for p in _ours(bridge) for m in find_marker_ids(p["content"])]
    assert sorted(markers) == sorted(approved)
    statuses = {r["ID"]: r["Status"] for r in bridge.review()}
    assert all(statuses[sid] == Status.TERBIT.value for sid in approved)
    assert len(bridge.review()) == len({r["ID"] for r in bridge.review()})


def test_dry_run_writes_nothing(bridge: Bridge) -> None:
    """`once --dry-run` reads and plans, but the sheet, blog, Drive and ledger stay untouched."""
    from bridge.cycle.pipeline import run_cycle

    bridge.cycle()
    _approve_valid(bridge)
    before = bridge.sandbox.state.to_json()
    deps = bridge.deps()
    deps.ledger.close()
    deps.ledger = Ledger.scratch_copy(deps.settings.state_path)
    deps.dry_run = True
    bridge.sandbox.reset_stats()
    try:
        report = run_cycle(deps)
    finally:
        deps.close()
    assert any(line.startswith("publish ") for line in report.plan)
    assert bridge.sandbox.state.to_json() == before
    written = [m for m in bridge.stats()["by_method"] if not m.endswith((".get", ".batchGet", ".list"))]
    assert written == []
    assert bridge.cycle().publish.published > 0  # the real run still has everything to do


def test_scheduled_publishing_time(bridge: Bridge) -> None:
    """An officer's 'Jadwal Terbit' date makes Blogger hold the post until then (WITA)."""
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    # what typing 25/11/2026 08.00 into the sheet stores
    bridge.officer_sets({sid: {"datetime": "2026-11-25T08:00:00"}}, column=ReviewColumn.SCHEDULE)
    bridge.cycle()
    post = next(p for p in _ours(bridge) if sid in find_marker_ids(p["content"]))
    assert post["status"] == "SCHEDULED"
    assert post["published"].startswith("2026-11-25T08:00:00")
    row = {r["ID"]: r for r in bridge.review()}[sid]
    assert row["Status"] == Status.TERBIT.value and "Terjadwal" in row[SYSTEM]


def test_draft_mode_with_a_schedule_says_the_schedule_waits_for_publikasikan(bridge: Bridge) -> None:
    """Draft mode + Jadwal Terbit: Waktu Terbit showed the draft's save time, as if it had gone out then.
    It stays empty and the note says how to make the schedule apply; once an officer publishes the draft
    in Blogger with that date, Review shows the scheduled time."""
    draft = {"blog__publish_mode": "draft"}
    bridge.cycle(**draft)
    sid = _approve_valid(bridge)[0]
    bridge.officer_sets({sid: {"datetime": "2026-11-25T08:00:00"}}, column=ReviewColumn.SCHEDULE)
    bridge.cycle(**draft)
    (post,) = [p for p in _ours(bridge) if sid in find_marker_ids(p["content"])]
    assert post["status"] == "DRAFT"
    row = {r["ID"]: r for r in bridge.review()}[sid]
    assert row["Status"] == Status.TERBIT.value and row[ReviewColumn.PUBLISHED.value] == ""
    assert row[SYSTEM].splitlines()[0] == (
        "Tersimpan sebagai DRAF di Blogger, belum tayang dan belum terjadwal. Agar tayang pada Jadwal Terbit "
        "25/11/2026 08:00 WITA: buka Tautan Post, periksa, pastikan tanggal post 25/11/2026 08:00, lalu klik "
        "Publikasikan sebelum waktu itu."
    )
    stored = next(p for p in bridge.sandbox.state.blog(DEMO_BLOG_ID)["posts"] if p["id"] == post["id"])
    assert stored["published"].startswith("2026-11-25T08:00:00"), "the draft carries the intended date"
    stored.update(status="SCHEDULED", url="https://kimbalangan.blogspot.com/2026/11/terjadwal.html")  # Publikasikan
    bridge.now = bridge.now + DRAFT_CHECK_EVERY  # the draft check is due: the cycle reads for it
    bridge.cycle(**draft)
    row = {r["ID"]: r for r in bridge.review()}[sid]
    assert row[ReviewColumn.PUBLISHED.value].startswith("25/11/2026 08:00")
    assert row[SYSTEM].startswith("Terjadwal di Blogger; tayang otomatis pada 25/11/2026 08:00")


def test_schedule_survives_a_failure_between_creating_and_scheduling(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blogger schedules with posts.publish after the post is created as a draft. If that second
    call fails, the next cycle schedules the same draft: one post, never live early, never twice."""
    from bridge.adapters.blogger import BloggerGateway
    from bridge.exceptions import RetriableError

    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    bridge.officer_sets({sid: {"datetime": "2026-11-25T08:00:00"}}, column=ReviewColumn.SCHEDULE)
    real_publish = BloggerGateway.publish

    def unavailable(self: BloggerGateway, post_id: str, **kwargs: Any) -> Any:
        raise RetriableError("posts.publish: HTTP 503: backend error", status=503)

    monkeypatch.setattr(BloggerGateway, "publish", unavailable)
    assert bridge.cycle().publish.retry_later == 1
    assert [p["status"] for p in _ours(bridge) if sid in find_marker_ids(p["content"])] == ["DRAFT"]
    monkeypatch.setattr(BloggerGateway, "publish", real_publish)
    bridge.cycle()
    posts = [p for p in _ours(bridge) if sid in find_marker_ids(p["content"])]
    assert [(p["status"], p["published"][:19]) for p in posts] == [("SCHEDULED", "2026-11-25T08:00:00")]
    assert {r["ID"]: r for r in bridge.review()}[sid]["Status"] == Status.TERBIT.value


def test_unreadable_schedule_is_gagal_with_reason(bridge: Bridge) -> None:
    """A schedule the bridge cannot read is not silently ignored: the row says how to write it."""
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    bridge.officer_sets({sid: "besok pagi"}, column=ReviewColumn.SCHEDULE)
    bridge.cycle()
    row = {r["ID"]: r for r in bridge.review()}[sid]
    assert row["Status"] == Status.GAGAL.value and "Jadwal Terbit" in row[SYSTEM]


def _lose_ledger(b: Bridge) -> None:
    from pathlib import Path

    for suffix in ("", "-wal", "-shm"):
        Path(str(b.workdir / "bridge-state.sqlite3") + suffix).unlink(missing_ok=True)


def test_lost_ledger_never_republishes(bridge: Bridge) -> None:
    """Losing the state file between 'post created' and 'TERBIT written' does not publish twice."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    bridge.cycle()
    count = len(_ours(bridge))
    bridge.officer_sets({sid: Status.DISETUJUI.value for sid in approved})  # as if TERBIT was never written
    _lose_ledger(bridge)
    report = bridge.cycle()
    # the rebuild reads the blog and knows each post: the same post is updated (never a second one)
    assert report.publish.updated == len(approved) and report.publish.published == 0
    assert len(_ours(bridge)) == count
    assert all(r["Status"] == Status.TERBIT.value for r in bridge.review() if r["ID"] in approved)


def test_withdraw_still_works_after_ledger_loss(bridge: Bridge) -> None:
    """An officer can still take a post down after the bridge's state file was lost."""
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    bridge.cycle()
    _lose_ledger(bridge)
    bridge.officer_sets({sid: Status.DITARIK.value})
    assert bridge.cycle().publish.reverted == 1
    assert [p["status"] for p in _ours(bridge) if sid in find_marker_ids(p["content"])] == ["DRAFT"]


# --- what officers do after publishing, and text that would publish badly ---------------------


def _posts_of(b: Bridge, sid: str) -> list[dict[str, Any]]:
    return [p for p in _ours(b) if sid in find_marker_ids(p["content"])]


def _row(b: Bridge, sid: str) -> dict[str, Any]:
    return {r["ID"]: r for r in b.review()}[sid]


def test_a_failed_withdrawal_never_leads_to_a_second_post(bridge: Bridge) -> None:
    """DITARIK fails (the account lost author rights): the note says the post is still live, and
    setting DISETUJUI afterwards reuses that post instead of inserting another."""
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    bridge.cycle()
    bridge.officer_sets({sid: Status.DITARIK.value})
    bridge.cycle(blog__blog_id="9999999999")
    row = _row(bridge, sid)
    assert row["Status"] == Status.GAGAL.value and "MASIH TAYANG" in row[SYSTEM] and "DITARIK" in row[SYSTEM]
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    assert [p["status"] for p in _posts_of(bridge, sid)] == ["LIVE"]
    assert _row(bridge, sid)["Status"] == Status.TERBIT.value


def test_republishing_a_withdrawn_post_uses_the_corrected_text(bridge: Bridge) -> None:
    """Withdraw to fix a typo, edit Judul/Isi, approve again: the same post returns, corrected."""
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    bridge.cycle()
    bridge.officer_sets({sid: Status.DITARIK.value})
    bridge.cycle()
    bridge.officer_sets({sid: "Judul yang sudah dikoreksi"}, column=ReviewColumn.TITLE)
    bridge.officer_sets({sid: "Isi yang sudah dikoreksi petugas, <b>tanpa</b> markup dari siapa pun."}, column=ReviewColumn.BODY)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    (post,) = _posts_of(bridge, sid)
    assert (post["status"], post["title"]) == ("LIVE", "Judul yang sudah dikoreksi")
    assert "dikoreksi petugas" in post["content"] and "<b>" not in post["content"]


def test_republishing_in_draft_mode_stays_a_draft(bridge: Bridge) -> None:
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    for status in (Status.DISETUJUI, Status.DITARIK, Status.DISETUJUI):
        bridge.officer_sets({sid: status.value})
        bridge.cycle(blog__publish_mode="draft")
    assert [p["status"] for p in _posts_of(bridge, sid)] == ["DRAFT"]
    assert _row(bridge, sid)["Status"] == Status.TERBIT.value


def test_status_changes_that_do_nothing_are_explained(bridge: Bridge) -> None:
    """DITOLAK does not take a live post down, and DITARIK on an unpublished row has nothing to
    withdraw: in both cases the officer reads why, once."""
    bridge.cycle()
    published, waiting = _approve_valid(bridge)[:2]
    bridge.officer_sets({waiting: Status.MENUNGGU.value})
    bridge.cycle()
    bridge.officer_sets({published: Status.DITOLAK.value, waiting: Status.DITARIK.value})
    bridge.cycle()
    assert "Pilih DITARIK" in _row(bridge, published)[SYSTEM]
    assert [p["status"] for p in _posts_of(bridge, published)] == ["LIVE"]
    assert "belum pernah terbit" in _row(bridge, waiting)[SYSTEM]
    bridge.sandbox.reset_stats()
    bridge.cycle()
    assert "sheets.spreadsheets.values.batchUpdate" not in bridge.stats()["by_method"]  # explained once


def test_gagal_picked_by_hand_is_explained_once(bridge: Bridge) -> None:
    """An officer picks GAGAL from the dropdown on a waiting row: it used to sit there silently, as if
    publishing had failed; the note says GAGAL is the system's and what to choose instead."""
    bridge.cycle()
    waiting = [r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value][0]
    bridge.officer_sets({waiting: Status.GAGAL.value})
    bridge.cycle()
    row = _row(bridge, waiting)
    assert row["Status"] == Status.GAGAL.value
    assert row[SYSTEM] == ("Status GAGAL diisi sistem bila penerbitan gagal; kiriman ini tidak sedang gagal terbit. "
                           "Pilih DISETUJUI untuk menerbitkannya atau DITOLAK untuk menolaknya.")
    bridge.sandbox.reset_stats()
    bridge.cycle()
    assert "sheets.spreadsheets.values.batchUpdate" not in bridge.stats()["by_method"]  # explained once
    bridge.officer_sets({waiting: Status.DISETUJUI.value})
    assert bridge.cycle().publish.published == 1


def test_gagal_written_by_the_system_keeps_its_reason(bridge: Bridge) -> None:
    """A row the system made GAGAL keeps the failure reason officers must act on (not replaced by a hint)."""
    bridge.cycle()
    sid = _approve_valid(bridge)[0]
    bridge.officer_sets({sid: "besok pagi"}, column=ReviewColumn.SCHEDULE)
    bridge.cycle()
    bridge.cycle()
    row = _row(bridge, sid)
    assert row["Status"] == Status.GAGAL.value and row[SYSTEM].startswith("Jadwal Terbit 'besok pagi' tidak terbaca.")


def test_officer_text_that_would_publish_badly_is_gagal(bridge: Bridge) -> None:
    """A Judul/Isi the sheet turned into a failing formula (#NAME?, #ERROR!) or a title over the
    limit is not published as is; the row says what to fix, and the others publish."""
    bridge.cycle()
    formula, too_long, fine = _approve_valid(bridge)[:3]
    bridge.officer_sets({formula: {"formula": "- Warga bergotong royong"}}, column=ReviewColumn.BODY)
    bridge.officer_sets({too_long: "Panen Raya " * 20}, column=ReviewColumn.TITLE)
    report = bridge.cycle()
    assert report.publish.failed == 2 and _posts_of(bridge, fine)
    assert not _posts_of(bridge, formula) and not _posts_of(bridge, too_long)
    assert _row(bridge, formula)["Status"] == Status.GAGAL.value and "rumus" in _row(bridge, formula)[SYSTEM]
    assert _row(bridge, too_long)["Status"] == Status.GAGAL.value and "150 karakter" in _row(bridge, too_long)[SYSTEM]


def test_a_row_with_an_id_the_bridge_did_not_make_is_gagal(bridge: Bridge) -> None:
    """An officer copies a row and edits its ID: the copy is recognised by its fingerprint and left alone
    with a note (never a second post), the rest publish."""
    bridge.cycle()
    approved = _approve_valid(bridge)
    rows = bridge.rows("Review")
    copy = list(next(r for r in rows[1:] if r[0] == approved[0]))
    copy[0] = "MM-2026-0001 (revisi)"
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows + [copy])
    report = bridge.cycle()
    assert report.publish.published == len(approved) and report.publish.failed == 0
    copy_row = _row(bridge, "MM-2026-0001 (revisi)")
    assert copy_row["Status"] == Status.DISETUJUI.value and "salinan" in copy_row[SYSTEM]
    assert len(_posts_of(bridge, "MM-2026-0001")) == 1


def test_a_template_that_fails_for_one_row_fails_only_that_row(bridge: Bridge) -> None:
    """The office's template insists on a photo; a row without one is GAGAL, the others publish."""
    template = bridge.workdir / "post.html"
    template.write_text('<img src="{{ photos[0].url }}" alt="">\n{{ body }}\n<p>Oleh: {{ operator }}</p>', encoding="utf-8")
    bridge.cycle()
    no_photo, *others = _approve_valid(bridge)
    bridge.officer_sets({no_photo: ""}, column=ReviewColumn.PHOTOS)
    report = bridge.cycle(blog__template=str(template))
    assert report.publish.published == len(others) and report.publish.failed == 1
    assert "Template post" in _row(bridge, no_photo)[SYSTEM]


def test_a_broken_template_holds_publishing_and_says_so(bridge: Bridge) -> None:
    template = bridge.workdir / "post.html"
    template.write_text("{{ body }", encoding="utf-8")
    bridge.cycle()
    approved = _approve_valid(bridge)
    report = bridge.cycle(blog__template=str(template))
    assert report.publish.published == 0 and not _ours(bridge)
    assert any("post template" in p for p in report.problems)
    for sid in approved:
        row = _row(bridge, sid)
        assert row["Status"] == Status.DISETUJUI.value and "template post kantor rusak" in row[SYSTEM]
    assert bridge.cycle().publish.published == len(approved)  # fixed (default template): out they go


def _crash_after_insert(bridge: Bridge) -> str:
    bridge.cycle()
    sid = next(r["ID"] for r in bridge.review() if r["Status"] == Status.MENUNGGU.value)
    bridge.officer_sets({sid: "25/11/2026 08:00"}, column=ReviewColumn.SCHEDULE)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    cycle_killed_after_insert(bridge.deps())
    assert [p["status"] for p in bridge.posts() if sid in p.get("content", "")] == ["DRAFT"]
    return sid


@pytest.mark.parametrize("template_broken_meanwhile", [False, True])
def test_scheduled_live_post_left_as_draft_by_a_crash_is_still_scheduled(bridge: Bridge, template_broken_meanwhile: bool) -> None:
    """Live mode + Jadwal Terbit: after a crash, the post is scheduled once the bridge runs again."""
    sid = _crash_after_insert(bridge)
    if template_broken_meanwhile:
        deps = bridge.deps()
        deps.template = "{% if %}"
        run_cycle(deps)
        deps.close()
    bridge.cycle()
    statuses = [p["status"] for p in bridge.posts() if sid in p.get("content", "")]
    assert statuses == ["SCHEDULED"]


def test_withdrawn_never_published_row_after_lost_ledger_does_not_scan_blog_each_cycle(bridge: Bridge) -> None:
    """A DITARIK row that never had a post, after the ledger was lost, must not list the whole blog every cycle."""
    bridge.cycle()
    first = bridge.review()[0]["ID"]
    bridge.officer_sets({first: Status.DITARIK.value})
    bridge.lose_ledger()
    assert bridge.settled_cycle_cost() == {"drive.files.get": 1}  # unchanged: the change signal only
    assert bridge.read_cycle_cost() == {"drive.files.get": 1, "sheets.spreadsheets.values.batchGet": 1}
