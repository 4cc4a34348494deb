"""Matching posts to submissions and Review rows to submissions: pure, from plain data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bridge.core.identity import NOTE_UNCLEAR, BlogPost, KnownSubmission, match_post, plan_review
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.core.render import Marker, find_markers, marker_for

WITA = ZoneInfo("Asia/Makassar")


def _post(pid: str, *markers: Marker, title: str = "T", labels: tuple[str, ...] = ("Juai",), updated: str = "") -> BlogPost:
    return BlogPost(pid, f"u{pid}", "LIVE", updated, updated, title, labels, frozenset(markers))


def test_fingerprint_wins_over_id() -> None:
    """After a rebuild gave other IDs, a post is still matched to its response, never to an ID's new owner."""
    posts = [_post("1", Marker("MM-2026-0001", "fpA")), _post("2", Marker("MM-2026-0002", "fpB"))]
    assert match_post(posts, "MM-2026-0009", "fpB").id == "2"
    assert match_post(posts, "MM-2026-0001", "fpZ") is None, "same ID, other fingerprint: another item's post"
    assert match_post([_post("3", Marker("MM-2026-0001"))], "MM-2026-0001", "fpZ").id == "3", "old markers match by ID"


def test_fallback_on_title_labels_and_time_only_for_unmarked_posts() -> None:
    """A post Blogger stripped of both markers is recognised by title, labels and time; a marked one never is."""
    since = datetime(2026, 11, 23, 10, 0, tzinfo=WITA)
    posts = [
        _post("1", Marker("MM-2026-0005", "x"), updated="2026-11-23T10:00:05+08:00"),
        _post("2", updated="2026-11-20T10:00:05+08:00"),  # too old
        _post("3", updated="2026-11-23T10:00:05+08:00"),
    ]
    assert match_post(posts, "MM-2026-0001", "fp", title="T", labels=["juai"], since=since).id == "3"
    assert match_post(posts, "MM-2026-0001", "fp", title="T", labels=["Other"], since=since) is None
    assert match_post(posts, "MM-2026-0001", "fp", title="T", labels=["Juai"], since=since, claimed=frozenset({"3"})) is None


def test_anchor_marker_survives_without_comments() -> None:
    """With HTML comments dropped, the anchor alone still names the submission and its fingerprint."""
    html = "<p>x</p>" + marker_for("MM-2026-0001", "0123abcd-2")
    only_anchor = html.split("-->")[1]
    assert find_markers(only_anchor) == {Marker("MM-2026-0001", "0123abcd-2")}
    assert find_markers(html) == {Marker("MM-2026-0001", "0123abcd-2")}


def _known(sid: str, fp: str, received: str = "23/11/2026 09:00:00", op: str = "Siti", status: str = "MENUNGGU") -> KnownSubmission:
    return KnownSubmission(sid, fp, status, True, received, op, "s@x.id", {})


def _row(n: int, sid: str, fp: str, received: str = "23/11/2026 09:00:00", op: str = "Siti", status: str = "MENUNGGU") -> ReviewRow:
    return ReviewRow(n, {
        ReviewColumn.ID: sid, ReviewColumn.FINGERPRINT: fp, ReviewColumn.RECEIVED: received,
        ReviewColumn.OPERATOR: op, ReviewColumn.EMAIL: "s@x.id", ReviewColumn.STATUS: status,
    })


def test_plan_restores_cells_lists_deleted_and_explains_the_unclear() -> None:
    """Cleared ID → from the fingerprint; cleared fingerprint → from the ID; both → from the other cells;
    a missing row → deleted; a row matching nothing certain → left alone with a note."""
    known = [_known("A", "fa"), _known("B", "fb"), _known("C", "fc", received="23/11/2026 11:00:00", op="Rudi"),
             _known("D", "fd"), _known("E", "fe", status="ARSIP")]
    rows = [_row(2, "", "fa"), _row(3, "B", ""), _row(4, "", "", received="23/11/2026 11:00:00", op="Rudi"),
            _row(5, "", "", received="01/01/2026 08:00:00", op="Nobody")]
    plan = plan_review(rows, known)
    fixes = {f.sub_id: f.cells for f in plan.fixes}
    assert fixes["A"] == {ReviewColumn.ID: "A"}
    assert fixes["B"] == {ReviewColumn.FINGERPRINT: "fb"}
    assert fixes["C"] == {ReviewColumn.ID: "C", ReviewColumn.FINGERPRINT: "fc"}
    assert [k.id for k in plan.deleted] == ["D"], "E is in Arsip, not deleted"
    assert plan.notes == [(5, "", NOTE_UNCLEAR)]


def test_plan_normalises_statuses_and_explains_unknown_ones_once() -> None:
    """'disetujui ' becomes DISETUJUI; 'OKE' gets the list of statuses, and no second write when already told."""
    known = [_known("A", "fa"), _known("B", "fb")]
    plan = plan_review([_row(2, "A", "fa", status=" disetujui "), _row(3, "B", "fb", status="OKE")], known)
    fixes = {f.sub_id: f.cells for f in plan.fixes}
    assert fixes["A"] == {ReviewColumn.STATUS: "DISETUJUI"}
    note = fixes["B"][ReviewColumn.SYSTEM_NOTE]
    assert note.startswith("Status 'OKE' tidak dikenali sistem") and "DITOLAK" in note
    told = _row(3, "B", "fb", status="OKE")
    told.values[ReviewColumn.SYSTEM_NOTE] = note
    assert plan_review([_row(2, "A", "fa"), told], known).fixes == []
