"""What officers do to Review, against the ID/Status-column read (issue 13): an officer audit's
scenarios, kept as regression tests. The first version lost approvals two ways (rows moved between
the cycle's two reads; ID and Status cleared): both are read whole now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bridge.adapters.blogger import BloggerGateway
from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import SheetsGateway
from bridge.core.model import ReviewColumn, Status
from bridge.exceptions import RetriableError
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge
from .test_officers import _posts_of, _tab, assert_exactly_once

ID, STATUS, TITLE, BODY = ReviewColumn.ID.value, ReviewColumn.STATUS.value, ReviewColumn.TITLE.value, ReviewColumn.BODY.value
FP = ReviewColumn.FINGERPRINT.value


def _put_rows(bridge: Bridge, rows: list[list[Any]]) -> None:
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)

def _fail_inserts(monkeypatch: pytest.MonkeyPatch, times: int, before: Callable[[], None] = lambda: None) -> None:
    """Blogger's posts.insert answers 503 the first ``times`` calls (``before`` runs just before each)."""
    real = BloggerGateway.insert
    calls = {"n": 0}

    def flaky(self: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            before()
            raise RetriableError("503 backend error")
        return real(self, **kw)

    monkeypatch.setattr(BloggerGateway, "insert", flaky)

def _between_reads(monkeypatch: pytest.MonkeyPatch, officer: Callable[[], None]) -> None:
    """``officer`` edits the tab once, right after the cycle's ID/Status read and before anything else."""
    real = SheetsGateway.batch_get
    state = {"done": False}

    def edited_after(self: SheetsGateway, spreadsheet_id: str, ranges: Any, **kw: Any) -> Any:
        out = real(self, spreadsheet_id, ranges, **kw)
        if not state["done"] and any(str(r).endswith("!A:A") for r in ranges):
            state["done"] = True
            officer()
        return out

    monkeypatch.setattr(SheetsGateway, "batch_get", edited_after)


def _settle(bridge: Bridge) -> None:
    bridge.cycle()
    bridge.cycle()


def _waiting(bridge: Bridge) -> list[str]:
    return [r[ID] for r in bridge.review() if r[STATUS] == Status.MENUNGGU.value]


def _row(bridge: Bridge, sid: str) -> dict[str, Any]:
    return next(r for r in _tab(bridge, "Review") if r[ID] == sid)


def _no_whole_read_now(bridge: Bridge) -> None:
    """Pretend the daily scan and the 6-hourly whole read were just done (so the view is used)."""
    ledger = Ledger(bridge.workdir / "bridge-state.sqlite3")
    with ledger.transaction():
        ledger.state.last_full_scan = bridge.now
        ledger.state.review_read_whole = bridge.now
    ledger.close()


def _publish(bridge: Bridge, sid: str) -> dict[str, Any]:
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    (post,) = _posts_of(bridge, sid)
    return post


# 1
def test_edit_waiting_row_then_approve_later(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul suntingan petugas")
    bridge.set_cell(sid, ReviewColumn.BODY, "Isi suntingan petugas yang cukup panjang untuk lolos validasi isi berita desa.")
    bridge.cycle()
    bridge.clock.advance(timedelta(minutes=5))
    bridge.cycle()
    post = _publish(bridge, sid)
    assert "Judul suntingan petugas" in post["title"]
    assert "Isi suntingan petugas" in post["content"]
    assert_exactly_once(bridge, {sid})


# 2
def test_edit_title_of_terbit_row_then_reapprove(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    first = _publish(bridge, sid)
    bridge.cycle()
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul diperbaiki")
    bridge.cycle()  # the edit seen (row settled, cached)
    bridge.clock.advance(timedelta(minutes=3))
    post = _publish(bridge, sid)
    assert post["id"] == first["id"] and "Judul diperbaiki" in post["title"]
    assert _row(bridge, sid)[STATUS] == Status.TERBIT.value
    assert_exactly_once(bridge, {sid})


# 3
def test_retry_after_temporary_failure_publishes_the_edit(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    _fail_inserts(monkeypatch, 1)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    assert bridge.cycle().publish.retry_later == 1
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul setelah gangguan")
    bridge.clock.advance(timedelta(minutes=2))
    bridge.cycle()
    (post,) = _posts_of(bridge, sid)
    assert "Judul setelah gangguan" in post["title"]
    assert_exactly_once(bridge, {sid})


# 3b: the failure persists two cycles, the edit comes between the two failed attempts
def test_retry_twice_with_edit_in_between(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    _fail_inserts(monkeypatch, 2)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul kedua")
    bridge.clock.advance(timedelta(minutes=2))
    bridge.cycle()
    bridge.clock.advance(timedelta(minutes=2))
    bridge.cycle()
    (post,) = _posts_of(bridge, sid)
    assert "Judul kedua" in post["title"]


# 4
def test_sort_reverse_then_approve(bridge: Bridge) -> None:
    _settle(bridge)
    sid, other = _waiting(bridge)[:2]
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul sebelum diurutkan")
    bridge.cycle()
    rows = bridge.rows("Review")
    _put_rows(bridge, [rows[0]] + list(reversed(rows[1:])))
    bridge.cycle()
    post = _publish(bridge, sid)
    assert "Judul sebelum diurutkan" in post["title"]
    assert _row(bridge, sid)[STATUS] == Status.TERBIT.value
    assert _row(bridge, other)[STATUS] == Status.MENUNGGU.value
    assert_exactly_once(bridge, {sid})


# 5
def test_paste_row_over_another(bridge: Bridge) -> None:
    _settle(bridge)
    a, b = _waiting(bridge)[:2]
    rows = bridge.rows("Review")
    ra = next(r for r in rows if r and r[0] == a)
    rows = [list(ra) if (r and r[0] == b) else r for r in rows]
    _put_rows(bridge, rows)
    bridge.cycle()
    bridge.officer_sets({a: Status.DISETUJUI.value})
    bridge.cycle()
    bridge.cycle()
    assert len(_posts_of(bridge, a)) == 1
    assert not _posts_of(bridge, b)


# 6
def test_clear_id_cell(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.set_cell(sid, ReviewColumn.ID, "")
    bridge.cycle()
    assert sid in {r[ID] for r in bridge.review()}
    post = _publish(bridge, sid)
    assert post
    assert_exactly_once(bridge, {sid})


# 7: the ID and the Status cleared, the rest of the row left as it is
def test_clear_id_and_status_cells_is_not_a_deletion(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    fp = _row(bridge, sid)[FP]
    bridge.set_cell(sid, ReviewColumn.STATUS, "")
    bridge.set_cell(sid, ReviewColumn.ID, "")
    report = bridge.cycle()
    assert report.deleted == 0, "a row still in Review (its Sidik Jari intact) was recorded as deleted"
    assert fp in {r[FP] for r in bridge.review()}
    assert sid in {r[ID] for r in bridge.review()}


# 7b: the same with the tab read whole (for comparison)
def test_clear_id_and_status_cells_with_whole_read(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.set_cell(sid, ReviewColumn.STATUS, "")
    bridge.set_cell(sid, ReviewColumn.ID, "")
    bridge.clock.advance(timedelta(hours=7))
    report = bridge.cycle()
    assert report.deleted == 0
    assert sid in {r[ID] for r in bridge.review()}


# 8
def test_lower_case_status(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.officer_sets({sid: " disetujui "})
    bridge.cycle()
    bridge.cycle()
    assert len(_posts_of(bridge, sid)) == 1
    assert _row(bridge, sid)[STATUS] == Status.TERBIT.value


# 9
def test_delete_rows(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.set_cell(sid, ReviewColumn.OFFICER_NOTE, "catatan terakhir")
    bridge.cycle()
    rows = bridge.rows("Review")
    _put_rows(bridge, [rows[0]] + [r for r in rows[1:] if not r or r[0] != sid])
    assert bridge.cycle().deleted == 1
    arsip = _tab(bridge, "Arsip")
    assert sid in {r[ID] for r in arsip}


# 10
def test_lose_ledger_then_approve(bridge: Bridge) -> None:
    _settle(bridge)
    a = _waiting(bridge)[0]
    done = _publish(bridge, a)
    b = _waiting(bridge)[0]
    bridge.lose_ledger()
    bridge.set_cell(b, ReviewColumn.TITLE, "Judul setelah ledger hilang")
    bridge.officer_sets({b: Status.DISETUJUI.value, a: Status.DISETUJUI.value})
    bridge.cycle()
    bridge.cycle()
    (post,) = _posts_of(bridge, b)
    assert "Judul setelah ledger hilang" in post["title"]
    (again,) = _posts_of(bridge, a)
    assert again["id"] == done["id"]
    assert_exactly_once(bridge, {a, b})


# 11
def test_rejected_note_edited_31_days_later_is_archived_as_edited(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.officer_sets({sid: Status.DITOLAK.value})
    bridge.cycle()
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul diedit saat ditolak")
    bridge.cycle()  # cached with the old note from here on
    bridge.clock.advance(timedelta(days=31))
    _no_whole_read_now(bridge)
    bridge.set_cell(sid, ReviewColumn.OFFICER_NOTE, "Ditolak: foto bukan dari desa ini")
    assert bridge.cycle().archived >= 1
    (kept,) = [r for r in _tab(bridge, "Arsip") if r[ID] == sid]
    assert kept[ReviewColumn.OFFICER_NOTE.value] == "Ditolak: foto bukan dari desa ini"
    assert kept[TITLE] == "Judul diedit saat ditolak"


# 11b: a TERBIT row edited, archived 31 days later
def test_terbit_row_edited_is_archived_as_edited(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    _publish(bridge, sid)
    bridge.cycle()
    bridge.clock.advance(timedelta(days=31))
    _no_whole_read_now(bridge)
    bridge.set_cell(sid, ReviewColumn.OFFICER_NOTE, "Sudah dicek")
    assert bridge.cycle().archived >= 1
    (kept,) = [r for r in _tab(bridge, "Arsip") if r[ID] == sid]
    assert kept[ReviewColumn.OFFICER_NOTE.value] == "Sudah dicek"


# 12
def test_blank_row_inserted_in_the_middle(bridge: Bridge) -> None:
    _settle(bridge)
    ids = _waiting(bridge)
    rows = bridge.rows("Review")
    _put_rows(bridge, rows[:2] + [[]] + rows[2:])
    bridge.cycle()
    sid = ids[-1]
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul di bawah baris kosong")
    bridge.cycle()
    post = _publish(bridge, sid)
    assert "Judul di bawah baris kosong" in post["title"]
    assert_exactly_once(bridge, {sid})


# 13
def test_move_columns_swap_title_and_body(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    rows = bridge.rows("Review")
    h = [str(x) for x in rows[0]]
    t, b = h.index(TITLE), h.index(BODY)
    for r in rows:
        r.extend([""] * (max(t, b) + 1 - len(r)))
        r[t], r[b] = r[b], r[t]
    _put_rows(bridge, rows)
    bridge.cycle()
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul setelah kolom dipindah")
    bridge.cycle()
    post = _publish(bridge, sid)
    assert "Judul setelah kolom dipindah" in post["title"]


# 14: an officer sorts the tab between the ID/Status read and the full-row read (a second apart)
def test_sort_between_the_two_reads(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.officer_sets({sid: Status.DISETUJUI.value})

    def sorting() -> None:
        rows = bridge.rows("Review")
        _put_rows(bridge, [rows[0]] + list(reversed(rows[1:])))

    _between_reads(monkeypatch, sorting)
    report = bridge.cycle()
    bridge.cycle()
    bridge.cycle()
    assert report.deleted == 0, "a submission whose row only moved was recorded as deleted"
    assert len(_posts_of(bridge, sid)) == 1
    assert_exactly_once(bridge, {sid})


# 15: withdrawn, edited while DITARIK, approved again
def test_withdraw_edit_reapprove(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    first = _publish(bridge, sid)
    bridge.officer_sets({sid: Status.DITARIK.value})
    bridge.cycle()
    bridge.set_cell(sid, ReviewColumn.TITLE, "Judul setelah ditarik")
    bridge.cycle()
    bridge.clock.advance(timedelta(minutes=3))
    post = _publish(bridge, sid)
    assert post["id"] == first["id"] and "Judul setelah ditarik" in post["title"] and post["status"] == "LIVE"


def _officer_types_a_row(bridge: Bridge, id_cell: Any, status_cell: Any) -> tuple[list[list[Any]], list[str], int]:
    """After the demo settles, an officer types a row of their own below Review's rows (ID, Status, a title);
    returns Review's rows before it, its headers and the number of posts."""
    _settle(bridge)
    rows = bridge.rows("Review")
    h = [str(x) for x in rows[0]]
    row: list[Any] = [""] * len(h)
    row[h.index(ID)] = id_cell
    row[h.index(STATUS)] = status_cell
    row[h.index(TITLE)] = "Baris ketikan petugas"
    posts = len(bridge.posts())
    _put_rows(bridge, rows + [row])
    return rows, h, posts


# 16: bad cells in the two columns never crash a cycle
@pytest.mark.parametrize("id_cell,status_cell", [
    (12345, "MENUNGGU"), (True, "DISETUJUI"), ({"formula": "=1/0"}, "DISETUJUI"),
    (None, {"datetime": "2026-11-22T10:00:00"}), ("MM-2026-9999", 3.5), ("  ", "DITARIK"),
])
def test_odd_cells(bridge: Bridge, id_cell: Any, status_cell: Any) -> None:
    """A number, a formula or a date typed into ID or Status stopped the cycle, lost the row, or published something."""
    rows, h, posts = _officer_types_a_row(bridge, id_cell, status_cell)
    reports = [bridge.cycle(), bridge.cycle()]
    assert [(r.problems, r.skipped, r.deleted) for r in reports] == [([], False, 0)] * 2
    after = bridge.rows("Review")
    assert after[:len(rows)] == rows  # every other row as it was
    assert len(after) == len(rows) + 1
    assert after[-1][h.index(ID)] == id_cell and after[-1][h.index(TITLE)] == "Baris ketikan petugas"  # the officer's cells kept
    assert bridge.rows("Arsip")[1:] == [] and len(bridge.posts()) == posts


# 17: a DISETUJUI row edited in the same instant the bridge writes (the edit is after the read)
def test_edit_during_cycle_of_a_retrying_row(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    _fail_inserts(monkeypatch, 1, lambda: bridge.set_cell(sid, ReviewColumn.TITLE, "Judul ditulis saat siklus berjalan"))
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    bridge.clock.advance(timedelta(minutes=2))
    bridge.cycle()
    (post,) = _posts_of(bridge, sid)
    assert "Judul ditulis saat siklus berjalan" in post["title"]


# 7c: after 7, the row is the officer's again: its ID is back, and approving it publishes it once
def test_clear_id_and_status_then_repair_and_approve(bridge: Bridge) -> None:
    _settle(bridge)
    sid = _waiting(bridge)[0]
    bridge.set_cell(sid, ReviewColumn.STATUS, "")
    bridge.set_cell(sid, ReviewColumn.ID, "")
    report = bridge.cycle()
    assert report.deleted == 0 and not [r for r in _tab(bridge, "Arsip") if r[ID] == sid]
    assert any(r[ID] == sid for r in bridge.review())  # restored from its Sidik Jari by the whole read
    bridge.set_cell(sid, ReviewColumn.STATUS, Status.DISETUJUI.value)
    bridge.cycle()
    bridge.cycle()
    assert len(_posts_of(bridge, sid)) == 1, "approved item never published"


# 14b: an officer deletes an unrelated row above between the two reads
def test_row_deleted_above_between_the_two_reads(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(bridge)
    ids = _waiting(bridge)
    sid = ids[-1]
    bridge.officer_sets({sid: Status.DISETUJUI.value})

    def deleting() -> None:
        rows = bridge.rows("Review")
        _put_rows(bridge, [rows[0]] + rows[2:])  # the first data row deleted

    _between_reads(monkeypatch, deleting)
    report = bridge.cycle()
    bridge.cycle()
    bridge.cycle()
    assert report.deleted <= 1
    assert len(_posts_of(bridge, sid)) == 1, "approved item lost"


# 14c: the last rows deleted (the grid shrinks, as in Google) between the two reads
def test_last_rows_deleted_between_the_two_reads(bridge: Bridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows deleted at the bottom of Review while the bridge read it stopped the cycle, or were recorded in Arsip twice or not at all."""
    _settle(bridge)
    rows = bridge.rows("Review")
    with bridge.sandbox.state.lock:
        bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")["rowCount"] = len(rows)
    last = rows[-1][0]
    bridge.officer_sets({last: Status.DITOLAK.value})

    def deleting() -> None:
        rows = bridge.rows("Review")
        _put_rows(bridge, rows[:-2])
        with bridge.sandbox.state.lock:
            bridge.sandbox.state.sheet(DEMO_SPREADSHEET_ID, "Review")["rowCount"] = len(rows) - 2

    _between_reads(monkeypatch, deleting)
    posts = len(bridge.posts())
    report = bridge.cycle()
    assert (report.problems, report.deleted) == ([], 2)
    assert [r[ID] for r in _tab(bridge, "Arsip")] == [r[0] for r in rows[-2:]]
    assert [r[0] for r in bridge.rows("Review")] == [r[0] for r in rows[:-2]]
    report = bridge.cycle()
    assert (report.problems, report.deleted) == ([], 0)
    assert [r[ID] for r in _tab(bridge, "Arsip")] == [r[0] for r in rows[-2:]]  # recorded once
    assert len(bridge.posts()) == posts
    bridge.cycle()


# 18: the header row pasted into the middle of the data (merging two copies of the tab)
def test_header_row_pasted_into_the_data(bridge: Bridge) -> None:
    _settle(bridge)
    rows = bridge.rows("Review")
    _put_rows(bridge, rows[:3] + [list(rows[0])] + rows[3:])
    bridge.cycle()
    sid = _waiting(bridge)[-1]
    post = _publish(bridge, sid)
    assert post
    bridge.clock.advance(timedelta(hours=7))
    bridge.cycle()


# 19: many approvals at once (more than a quarter of the rows): the tab is read whole
def test_approve_everything_at_once_after_edits(bridge: Bridge) -> None:
    _settle(bridge)
    ids = _waiting(bridge)
    for sid in ids:
        bridge.set_cell(sid, ReviewColumn.TITLE, f"Judul baru {sid}")
    bridge.cycle()
    bridge.officer_sets({sid: Status.DISETUJUI.value for sid in ids})
    bridge.cycle()
    for sid in ids:
        (post,) = _posts_of(bridge, sid)
        assert f"Judul baru {sid}" in post["title"]
    assert_exactly_once(bridge, set(ids))


# 16b: an approved row whose ID cell is a checkbox or a number the officer typed
@pytest.mark.parametrize("id_cell", [True, 12345.0])
def test_an_odd_id_cell_on_an_approved_row_is_explained_on_the_row(bridge: Bridge, id_cell: Any) -> None:
    """An approved row with TRUE or a number typed in ID was counted as failed, but the row said nothing, so the officer never knew."""
    rows, h, posts = _officer_types_a_row(bridge, id_cell, Status.DISETUJUI.value)
    bridge.cycle()
    bridge.cycle()
    after = bridge.rows("Review")
    assert after[:len(rows)] == rows and len(after) == len(rows) + 1
    last = dict(zip(h, after[-1], strict=False))
    assert last[ID] == id_cell and last[STATUS] == Status.GAGAL.value
    assert last[ReviewColumn.SYSTEM_NOTE.value].startswith("Judul atau Isi kosong"), last
    assert len(bridge.posts()) == posts and bridge.rows("Arsip")[1:] == []
