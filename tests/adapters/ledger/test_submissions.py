"""Submissions: fingerprints, pending Review rows, the latest of a row, row copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bridge.adapters.ledger import Ledger
from bridge.core.review_view import BRIEF_COLUMNS, brief_of
from tests.adapters.ledger.helpers import add


def test_a_fingerprint_is_looked_up_one_at_a_time(tmp_path: Path) -> None:
    """A response already queued or left out as history would be queued (again) on the next cycle."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        add(ledger, "MM-2026-0001", "queued")
        ledger.submissions.add_skipped("history", 3, "history")
        assert ledger.submissions.has_fingerprint("queued") and ledger.submissions.has_fingerprint("history")
        assert not ledger.submissions.has_fingerprint("new")


def test_same_fingerprint_is_recorded_once(tmp_path: Path) -> None:
    """A response seen twice (rescan, restart) is stored once."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        add(ledger, "MM-2026-0001", "same")
        add(ledger, "MM-2026-0002", "same")
        assert ledger.submissions.count() == 1


def test_pending_rows_until_confirmed(tmp_path: Path) -> None:
    """A row whose Review write failed stays pending and is written again next cycle."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        add(ledger, "MM-2026-0001", "a")
        ledger.submissions.set_pending_row("MM-2026-0001", '{"ID": "MM-2026-0001"}')
        assert ledger.submissions.pending_rows() == [("MM-2026-0001", "a", '{"ID": "MM-2026-0001"}')]
        ledger.submissions.mark_in_review(["MM-2026-0001"])
        assert ledger.submissions.pending_rows() == []


def test_pending_rows_come_a_page_at_a_time(tmp_path: Path) -> None:
    """A backfill's pending rows are appended to Review in pages, none left out, none twice."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        for n in range(1, 6):
            add(ledger, f"MM-2026-000{n}", f"fp{n}")
        ledger.submissions.mark_in_review(["MM-2026-0002"])
        first = ledger.submissions.pending_rows(limit=2)
        rest = ledger.submissions.pending_rows(after=first[-1][0], limit=2)
        assert [r[0] for r in first + rest] == ["MM-2026-0001", "MM-2026-0003", "MM-2026-0004", "MM-2026-0005"]
        assert ledger.submissions.pending_rows(after=rest[-1][0], limit=2) == [] and len(ledger.submissions.pending_rows()) == 4


def test_the_latest_submission_of_a_row(tmp_path: Path) -> None:
    """A new response on a row is compared with the one last queued from that row (is it an edit?)."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        add(ledger, "MM-2026-0001", "old")
        add(ledger, "MM-2026-0002", "newer")  # also row 2 (the tab was sorted, or the row refilled)
        latest = ledger.submissions.queued_at(2)
        assert latest is not None and (latest.id, latest.fingerprint) == ("MM-2026-0002", "newer")
        assert ledger.submissions.queued_at(3) is None and ledger.submissions.queued_at(0) is None


def test_known_submissions_share_equal_short_texts(tmp_path: Path) -> None:
    """Matching Review rows at 10k+ rows would hold one copy of every village, status and column name per row."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        add(ledger, "MM-2026-0001", "a")
        add(ledger, "MM-2026-0002", "b")
        ledger.submissions.mark_in_review(["MM-2026-0001", "MM-2026-0002"])
        rows = {sid: {"ID": sid, "DESA": "Juai", "BODY": "x" * 300 + sid} for sid in ("MM-2026-0001", "MM-2026-0002")}
        ledger.submissions.set_last_rows(rows)
        first, second = ledger.submissions.known()
        assert first.last_row == rows["MM-2026-0001"] and second.last_row == rows["MM-2026-0002"]
        assert first.operator is second.operator and first.status is second.status
        assert first.last_row["DESA"] is second.last_row["DESA"]
        assert [k for k in first.last_row][0] is [k for k in second.last_row][0]
        assert first.last_row["ID"] is first.id


def test_known_loads_only_the_rows_asked_for_and_last_rows_of_gives_the_rest(tmp_path: Path) -> None:
    """Right after a backfill every response is in Review: matching an empty-looking tab must not load them all."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        add(ledger, "MM-2026-0001", "a")
        add(ledger, "MM-2026-0002", "b")
        ledger.submissions.mark_in_review(["MM-2026-0001", "MM-2026-0002"])
        rows = {sid: {"ID": sid, "STATUS": "MENUNGGU"} for sid in ("MM-2026-0001", "MM-2026-0002")}
        ledger.submissions.set_last_rows(rows)
        first, second = ledger.submissions.known(rows_for={"MM-2026-0002"})
        assert first.last_row == {} and second.last_row == rows["MM-2026-0002"]
        assert ledger.submissions.last_rows_of(["MM-2026-0001", "MM-2026-0009"]) == {"MM-2026-0001": rows["MM-2026-0001"]}
        assert set(ledger.submissions.last_rows()) == {"MM-2026-0001", "MM-2026-0002"}
        ledger.submissions.set_status("MM-2026-0001", "ARSIP")
        assert set(ledger.submissions.last_rows()) == {"MM-2026-0002"}  # archived: not expected in Review any more


def test_the_briefs_are_the_copies_cells_the_view_asks_for_and_follow_every_copy_written(tmp_path: Path) -> None:
    """A reading cycle would take a settled row's status, link or note from a brief older than its copy."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        add(ledger, "MM-2026-0001", "a")
        add(ledger, "MM-2026-0002", "b")
        ledger.submissions.mark_in_review(["MM-2026-0001", "MM-2026-0002"])
        rows = {"MM-2026-0001": {"ID": "MM-2026-0001", "STATUS": "TERBIT", "POST_URL": "https://x/1", "BODY": "Isi"},
                "MM-2026-0002": {"ID": "MM-2026-0002", "STATUS": "MENUNGGU", "TITLE": "Judul"}}
        ledger.submissions.set_last_rows(rows)
        assert ledger.submissions.settled_briefs() == {k: brief_of(v) for k, v in rows.items()}
        ledger.submissions.set_last_rows({"MM-2026-0002": {**rows["MM-2026-0002"], "STATUS": "DITOLAK"}})
        assert ledger.submissions.settled_briefs()["MM-2026-0002"][1] == "DITOLAK"
        ledger.submissions.set_status("MM-2026-0001", "ARSIP")
        assert set(ledger.submissions.settled_briefs()) == set(ledger.submissions.last_rows()) == {"MM-2026-0002"}


def _three_in_review(ledger: Ledger, row_of: Callable[[str], dict[str, str]]) -> list[str]:
    """Three submissions in Review, each last seen as ``row_of(its ID)``; their IDs."""
    ids = [f"MM-2026-{n:04d}" for n in range(1, 4)]
    for n, sid in enumerate(ids):
        add(ledger, sid, f"fp{n}")
    ledger.submissions.mark_in_review(ids)
    ledger.submissions.set_last_rows({sid: row_of(sid) for sid in ids})
    return ids


def test_the_briefs_share_their_repeated_texts(tmp_path: Path) -> None:
    """A reading cycle at 50k Review rows would hold one "MENUNGGU", system note and KIM name per row (about 12 MiB)."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        _three_in_review(ledger, lambda sid: {"ID": sid, "STATUS": "MENUNGGU", "SYSTEM_NOTE": "Lolos pemeriksaan otomatis.",
                                              "KIM": "KIM Juai", "TITLE": f"Judul {sid}"})
        briefs = list(ledger.submissions.settled_briefs().values())
        assert [b[1] for b in briefs] == ["MENUNGGU"] * 3
        for column in ("STATUS", "SYSTEM_NOTE", "KIM"):
            at = [c.name for c in BRIEF_COLUMNS].index(column)
            assert len({id(b[at]) for b in briefs}) == 1, column  # one object for the three rows
        title = [c.name for c in BRIEF_COLUMNS].index("TITLE")
        assert len({b[title] for b in briefs}) == 3


def test_a_brief_s_key_is_its_own_id_text(tmp_path: Path) -> None:
    """A reading cycle at 50k Review rows held each ID twice, the brief's and SQLite's key (3 MiB) (issue 22)."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ids = _three_in_review(ledger, lambda sid: {"ID": sid, "STATUS": "MENUNGGU"})
        ledger.submissions.set_last_rows({ids[2]: {"ID": " MM-2026-0003", "STATUS": "MENUNGGU"}})  # an ID cell typed with a space
        briefs = ledger.submissions.settled_briefs()
        at = [c.name for c in BRIEF_COLUMNS].index("ID")
        assert list(briefs) == ids
        assert all(key is brief[at] for key, brief in list(briefs.items())[:2])
        assert briefs[ids[2]][at] == " MM-2026-0003"


def test_a_whole_read_compares_rows_only_with_copies_of_submissions_expected_in_review(tmp_path: Path) -> None:
    """A row showing an archived or deleted submission's ID would be kept as a settled row instead of being looked at."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ids = [f"MM-2026-{n:04d}" for n in range(1, 5)]
        for n, sid in enumerate(ids):
            add(ledger, sid, f"fp{n}")
        ledger.submissions.mark_in_review(ids[:3])  # the fourth: never confirmed in Review
        ledger.submissions.set_last_rows({sid: {"ID": sid, "STATUS": "MENUNGGU"} for sid in ids})
        ledger.submissions.set_status(ids[0], "ARSIP")
        ledger.submissions.mark_deleted(ids[1], "2026-11-22T10:00:00+08:00")
        assert set(ledger.submissions.settled_rows_of(ids)) == {ids[2]} == set(ledger.submissions.settled_briefs())
        assert ledger.submissions.settled_rows_of([ids[2]]) == {ids[2]: {"ID": ids[2], "STATUS": "MENUNGGU"}}


def test_the_glance_and_the_records_asked_for_are_the_known_submissions_ones(tmp_path: Path) -> None:
    """Matching from the glance would see a deleted submission as live, or load one outside Review."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        for n, fp in enumerate(("a", "b", "c", "d"), start=1):
            add(ledger, f"MM-2026-000{n}", fp)
        ledger.submissions.mark_in_review(["MM-2026-0001", "MM-2026-0002", "MM-2026-0003"])
        ledger.submissions.mark_deleted("MM-2026-0002", "2026-11-23 10:00")
        ledger.submissions.set_status("MM-2026-0003", "TERBIT")
        assert ledger.submissions.glance() == ({"MM-2026-0001": "a", "MM-2026-0003": "c"}, set())
        ledger.submissions.set_status("MM-2026-0001", "ARSIP")
        assert ledger.submissions.glance() == ({"MM-2026-0001": "a", "MM-2026-0003": "c"}, {"MM-2026-0001"})
        known = {k.id: k for k in ledger.submissions.known()}
        some = ledger.submissions.known_of(["MM-2026-0003", "MM-2026-0004", "MM-2026-0002", "MM-2026-0003"])
        assert some == [known["MM-2026-0002"], known["MM-2026-0003"]], "in ID order, once each, only those in Review"


def test_the_briefs_and_the_glance_are_read_from_an_index_not_the_rows(tmp_path: Path) -> None:
    """Every reading cycle would read each Review row's whole copy from disk to reach its brief (issue 22)."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        queries: list[str] = []
        ledger.db.set_trace_callback(queries.append)
        ledger.submissions.settled_briefs()
        ledger.submissions.glance()
        ledger.db.set_trace_callback(None)
        plans = [" ".join(str(r[3]) for r in ledger.db.execute("EXPLAIN QUERY PLAN " + q)) for q in queries]
        assert plans == ["SEARCH submissions USING COVERING INDEX submissions_briefs (deleted_at=?)"] * 2, plans


def test_the_glance_holds_the_texts_the_rows_hold(tmp_path: Path) -> None:
    """The Review watch at 50k rows held a second copy of every ID and fingerprint, SQLite's (6 MiB), at its peak (issue 22)."""
    with Ledger(tmp_path / "s.sqlite3") as ledger:
        ids = [f"MM-2026-{n:04d}" for n in range(1, 4)]
        for n, sid in enumerate(ids):
            add(ledger, sid, f"fp{n}")
        ledger.submissions.mark_in_review(ids)
        held = {t: t for t in ("".join(["MM-2026-", "0001"]), "".join(["fp", "0"]), "".join(["fp", "2"]))}
        glance, gone = ledger.submissions.glance(held)
        assert glance == ledger.submissions.glance()[0] == dict(zip(ids, ["fp0", "fp1", "fp2"], strict=True)) and not gone
        first_id, first_fp = next(iter(glance.items()))
        assert first_id is held["MM-2026-0001"] and first_fp is held["fp0"] and glance["MM-2026-0003"] is held["fp2"]
