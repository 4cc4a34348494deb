"""Matching posts to submissions and Review rows to submissions: pure, from plain data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.core import copies
from bridge.core.identity import (
    NOTE_UNCLEAR,
    NOTE_UNKNOWN_STATUS,
    BlogPost,
    KnownLedger,
    KnownSubmission,
    WatchPlan,
    match_post,
    plan_review,
)
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


# --- matching from the ledger at a glance (issue 22) -----------------------------------------------

_IDS = ("A", "B", "C", "D", "E")
_WORLD_ROW = st.tuples(
    st.sampled_from(["A", "B", "C", "A", "B", "", "X", " A"]),  # ID cell: known (copies likely), cleared, never made
    st.sampled_from(["own", "own", "own", "fa", "fb", "", "fz"]),  # Sidik Jari cell ("own": its ID's own)
    st.sampled_from(["MENUNGGU", "TERBIT", "MENUNGGU", " disetujui ", "OKE", ""]),
    st.sampled_from(["", copies.HAS_COPY_PREFIX + " baris 9.", "Catatan petugas.", NOTE_UNKNOWN_STATUS.format(value="OKE")]),
    st.sampled_from(["Siti", "Rudi"]),
)
_WORLD_KNOWN = st.tuples(
    st.sampled_from(["own", "own", "fa", "fd"]), st.sampled_from(["MENUNGGU", "TERBIT", "ARSIP", "DIHAPUS"]),
    st.sampled_from([False, False, True]),  # recorded as deleted
    st.sampled_from(["Siti", "Rudi"]),
)


def _world_known(entries: dict[str, tuple[str, str, bool, str]]) -> list[KnownSubmission]:
    return [KnownSubmission(sid, "f" + sid.lower() if fp == "own" else fp, status, True, "23/11/2026 09:00:00", op, "s@x.id",
                            {}, "2026-11-20" if gone else "")
            for sid, (fp, status, gone, op) in sorted(entries.items())]


def _world_rows(cells: list[tuple[str, str, str, str, str]]) -> list[ReviewRow]:
    rows = []
    for n, (sid, fp, status, note, op) in enumerate(cells, start=2):
        row = _row(n, sid, "f" + sid.strip().lower() if fp == "own" else fp, op=op, status=status)
        row.values[ReviewColumn.SYSTEM_NOTE] = note
        rows.append(row)
    return rows


def _as_ledger_gives_it(known: list[KnownSubmission], loads: list[str]) -> KnownLedger:
    """The submissions as the ledger adapter hands them over: a glance, whole records on demand (``loads``
    says which loader was asked)."""
    live = {k.id: k for k in known if not k.deleted_at}

    def load_all() -> list[KnownSubmission]:
        loads.append("all")
        return known

    def load_some(ids: Sequence[str]) -> list[KnownSubmission]:
        loads.append("some")
        return [live[i] for i in sorted(set(ids)) if i in live]

    return KnownLedger({i: k.fingerprint for i, k in live.items()}, {i for i, k in live.items() if k.status in ("ARSIP", "DIHAPUS")},
                       load_all, load_some, lambda: {k.id: {} for k in known})


def _plan_facts(plan: WatchPlan) -> tuple[object, ...]:
    return (
        [(r.row_number, sorted(r.values.items())) for r in plan.rows], [(f.sub_id, f.fingerprint, f.row_number, f.cells) for f in plan.fixes],
        plan.notes, [k.id for k in plan.deleted], plan.unknown_statuses, {i: r.row_number for i, r in plan.seen.items()}, plan.copies,
    )


def _the_long_way(known: list[KnownSubmission]) -> KnownLedger:
    """No glance: every row is matched from every record (what the glance must only shorten)."""
    return KnownLedger({}, set(), lambda: known, lambda ids: [k for k in known if k.id in set(ids)],
                       lambda: {k.id: {} for k in known})


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(st.dictionaries(st.sampled_from(_IDS), _WORLD_KNOWN, max_size=5), st.lists(_WORLD_ROW, max_size=7),
       st.lists(st.sampled_from(_IDS), max_size=2))
def test_matching_from_a_glance_plans_what_matching_every_row_the_long_way_plans(
    entries: dict[str, tuple[str, str, bool, str]], cells: list[tuple[str, str, str, str, str]], queued: list[str],
) -> None:
    """A reading cycle matching Review from the ledger's glance would restore, note, copy or take as deleted
    something else than matching every row from every record does (issue 22)."""
    known = _world_known(entries)
    lazy = plan_review(_world_rows(cells), _as_ledger_gives_it(known, []), queued)
    long_way = plan_review(_world_rows(cells), _the_long_way(known), queued)
    assert _plan_facts(lazy)[:3] + _plan_facts(lazy)[4:] == _plan_facts(long_way)[:3] + _plan_facts(long_way)[4:]
    gone = {"ARSIP", "DIHAPUS"}
    assert [k.id for k in lazy.deleted] == [
        k.id for k in known if not k.deleted_at and k.status not in gone and k.id not in lazy.seen and k.id not in queued]
    assert set(lazy.last_rows) == {k.id for k in known}
    assert _plan_facts(plan_review(_world_rows(cells), known, queued)) == _plan_facts(lazy)


def test_rows_that_are_their_submissions_load_no_record() -> None:
    """Every reading cycle would build a record for every submission in Review to match rows that need none."""
    known = [_known("A", "fa"), _known("B", "fb"), _known("C", "fc", status="TERBIT")]
    loads: list[str] = []
    plan = plan_review([_row(2, "A", "fa"), _row(3, "B", "fb")], _as_ledger_gives_it(known, loads))
    assert loads == ["some"], "only the submission whose row is gone is loaded"
    assert [k.id for k in plan.deleted] == ["C"]
    loads.clear()
    plan_review([_row(2, "A", "fa"), _row(3, "B", "fb"), _row(4, "C", "fc", status="TERBIT")], _as_ledger_gives_it(known, loads))
    assert loads == []
    plan_review([_row(2, "A", "fa"), _row(3, "", "fb"), _row(4, "C", "fc", status="TERBIT")], _as_ledger_gives_it(known, loads))
    assert loads == ["all"], "a cleared ID cell takes the long way, once"
