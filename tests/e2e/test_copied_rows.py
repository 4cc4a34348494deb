"""Issue 17: a Review row copied and pasted (same ID and Sidik Jari): one rule decides, both rows say so,
and the bridge writes only to the row its decision came from."""

from __future__ import annotations

from typing import Any

from bridge.core.model import ReviewColumn, Status
from bridge.core.render import find_marker_ids
from bridge.sandbox.seed import DEMO_SPREADSHEET_ID

from .conftest import Bridge

SYSTEM, STATUS, LINK = ReviewColumn.SYSTEM_NOTE.value, ReviewColumn.STATUS.value, ReviewColumn.POST_URL.value


def _paste_copy(b: Bridge, sid: str) -> None:
    """An officer copies the submission's Review row and pastes it below the last row."""
    rows = b.rows("Review")
    b.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows + [list(next(r for r in rows[1:] if r and r[0] == sid))])


def _set_on_row(b: Bridge, row_number: int, column: ReviewColumn, value: str) -> None:
    """An officer edits one cell of one sheet row (whatever ID it carries)."""
    rows = b.rows("Review")
    col = [str(h) for h in rows[0]].index(column.value)
    row = rows[row_number - 1]
    row.extend([""] * (col + 1 - len(row)))
    row[col] = value
    b.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows)


def _rows_of(b: Bridge, sid: str) -> list[tuple[int, dict[str, Any]]]:
    return [(n, r) for n, r in enumerate(b.review(), start=2) if r["ID"] == sid]


def _posts_of(b: Bridge, sid: str) -> list[dict[str, Any]]:
    return [p for p in b.posts() if sid in find_marker_ids(p.get("content", ""))]


def _menunggu(b: Bridge) -> str:
    return next(r["ID"] for r in b.review() if r["Status"] == Status.MENUNGGU.value)


def test_approved_upper_row_and_rejected_copy(bridge: Bridge) -> None:
    """DISETUJUI on the row, DITOLAK on its copy: one post, TERBIT and the link on the upper row, the copy's
    DITOLAK untouched, and both rows' notes say which row counts."""
    bridge.cycle()
    sid = _menunggu(bridge)
    _paste_copy(bridge, sid)
    (upper, _), (copy, _) = _rows_of(bridge, sid)
    _set_on_row(bridge, upper, ReviewColumn.STATUS, Status.DISETUJUI.value)
    _set_on_row(bridge, copy, ReviewColumn.STATUS, Status.DITOLAK.value)

    assert bridge.cycle().publish.published == 1
    bridge.cycle()
    (n1, first), (n2, second) = _rows_of(bridge, sid)
    assert (n1, n2) == (upper, copy)
    assert first[STATUS] == Status.TERBIT.value and first[LINK].startswith("http")
    assert second[STATUS] == Status.DITOLAK.value and second[LINK] == ""
    assert f"salinan baris ini (ID dan Sidik Jari sama) di baris {copy}" in first[SYSTEM]
    assert second[SYSTEM].startswith(f"Baris ini salinan baris {upper} (kiriman {sid}")
    assert "hanya baris paling atas yang berlaku" in first[SYSTEM] and "hanya baris paling" in second[SYSTEM]
    assert len(_posts_of(bridge, sid)) == 1


def test_rejected_upper_row_and_approved_copy_publish_nothing(bridge: Bridge) -> None:
    """DITOLAK on the upper row wins over DISETUJUI on the copy: nothing is published, neither status is changed."""
    bridge.cycle()
    sid = _menunggu(bridge)
    _paste_copy(bridge, sid)
    (upper, _), (copy, _) = _rows_of(bridge, sid)
    _set_on_row(bridge, upper, ReviewColumn.STATUS, Status.DITOLAK.value)
    _set_on_row(bridge, copy, ReviewColumn.STATUS, Status.DISETUJUI.value)
    assert bridge.cycle().publish.published == 0
    (_, first), (_, second) = _rows_of(bridge, sid)
    assert (first[STATUS], second[STATUS]) == (Status.DITOLAK.value, Status.DISETUJUI.value)
    assert second[SYSTEM].startswith(f"Baris ini salinan baris {upper}") and not _posts_of(bridge, sid)


def test_copy_of_a_published_row_is_never_written_and_its_note_goes_with_it(bridge: Bridge) -> None:
    """A published row copied, then the copy set DITOLAK: the copy keeps DITOLAK; once the copy is deleted,
    the upper row's note about it goes too."""
    bridge.cycle()
    sid = _menunggu(bridge)
    bridge.officer_sets({sid: Status.DISETUJUI.value})
    bridge.cycle()
    _paste_copy(bridge, sid)
    (_, _), (copy, _) = _rows_of(bridge, sid)
    _set_on_row(bridge, copy, ReviewColumn.STATUS, Status.DITOLAK.value)
    bridge.cycle()
    bridge.cycle()
    (_, first), (_, second) = _rows_of(bridge, sid)
    assert first[STATUS] == Status.TERBIT.value and second[STATUS] == Status.DITOLAK.value
    assert "Ada salinan baris ini" in first[SYSTEM]
    rows = bridge.rows("Review")
    bridge.sandbox.state.set_sheet_rows(DEMO_SPREADSHEET_ID, "Review", rows[: copy - 1] + rows[copy:])
    bridge.cycle()
    ((_, only),) = _rows_of(bridge, sid)
    assert "salinan" not in only[SYSTEM] and only[STATUS] == Status.TERBIT.value
    assert len(_posts_of(bridge, sid)) == 1


def test_upper_row_with_its_id_cleared_still_counts_and_the_copy_is_left_alone(bridge: Bridge) -> None:
    """The upper row's ID cleared, its copy still has it: the upper row (found by its Sidik Jari) gets its ID back,
    is published once and marked TERBIT; the copy's DITOLAK is never overwritten."""
    bridge.cycle()
    sid = _menunggu(bridge)
    _paste_copy(bridge, sid)
    (upper, _), (copy, _) = _rows_of(bridge, sid)
    _set_on_row(bridge, upper, ReviewColumn.STATUS, Status.DISETUJUI.value)
    _set_on_row(bridge, copy, ReviewColumn.STATUS, Status.DITOLAK.value)
    _set_on_row(bridge, upper, ReviewColumn.ID, "")
    for _ in range(3):
        bridge.cycle()
    (n1, first), (n2, second) = _rows_of(bridge, sid)
    assert (n1, n2) == (upper, copy)
    assert first[STATUS] == Status.TERBIT.value and second[STATUS] == Status.DITOLAK.value and second[LINK] == ""
    assert len(_posts_of(bridge, sid)) == 1
