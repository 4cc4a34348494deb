"""Which Review rows a cycle reads in full, from the ID and Status columns and the ledger's copies."""

from __future__ import annotations

from bridge.core.model import ReviewColumn, Status
from bridge.core.review_view import ACTING, plan_view, spans


def _copy(sub_id: str, status: str, title: str = "Judul") -> dict[str, str]:
    return {"ID": sub_id, "STATUS": status, "TITLE": title, "FINGERPRINT": "fp-" + sub_id}


CACHE = {
    "MM-2026-0001": _copy("MM-2026-0001", "MENUNGGU", "Satu"),
    "MM-2026-0002": _copy("MM-2026-0002", "TERBIT"),
    "MM-2026-0003": _copy("MM-2026-0003", "DISETUJUI"),
}


def test_settled_rows_come_from_the_ledger_copy_with_the_row_number_the_sheet_has_now() -> None:
    ids = [["MM-2026-0002"], ["MM-2026-0001"]]  # sorted by an officer since the copies were made
    plan = plan_view(ids, [["TERBIT"], ["MENUNGGU"]], CACHE)
    assert plan.to_read == []
    assert [(r.row_number, r.id) for r in plan.rows] == [(2, "MM-2026-0002"), (3, "MM-2026-0001")]
    row = plan.rows[1]
    assert row.cached and row.get(ReviewColumn.TITLE) == "Satu" and row.get(ReviewColumn.FINGERPRINT) == "fp-MM-2026-0001"


def test_a_changed_status_an_unknown_id_and_a_copy_are_read_in_full() -> None:
    ids = [["MM-2026-0001"], ["MM-2026-0002"], ["MM-2026-0009"], ["MM-2026-0002"]]
    statuses = [["DITOLAK"], ["TERBIT"], ["MENUNGGU"], ["TERBIT"]]
    plan = plan_view(ids, statuses, CACHE)
    assert plan.to_read == [2, 3, 4, 5]  # 0001 changed status, 0002 twice (both read), 0009 unknown
    assert plan.rows == []


def test_a_status_beside_an_empty_id_is_read_and_blank_rows_are_not() -> None:
    plan = plan_view([["MM-2026-0001"], [], [""], []], [["MENUNGGU"], [], ["DITOLAK"]], CACHE)
    assert plan.to_read == [4]
    assert [r.row_number for r in plan.rows] == [2]


def test_acting_rows_are_read_when_the_spreadsheet_changed_and_not_when_it_did_not() -> None:
    ids, statuses = [["MM-2026-0003"]], [["DISETUJUI"]]
    assert plan_view(ids, statuses, CACHE).to_read == [2]
    quiet = plan_view(ids, statuses, CACHE, acting=frozenset())
    assert quiet.to_read == [] and quiet.rows[0].status == Status.DISETUJUI
    assert Status.DITARIK in ACTING


def test_a_status_spelled_differently_from_the_copy_is_read_so_it_can_be_normalised() -> None:
    assert plan_view([["MM-2026-0001"]], [["menunggu"]], CACHE).to_read == [2]


def test_numbers_are_compared_as_the_sheet_shows_them() -> None:
    cache = {"7": {"ID": "7", "STATUS": "MENUNGGU"}}
    assert plan_view([[7.0]], [["MENUNGGU"]], cache).to_read == []


def test_spans_join_rows_a_few_apart_into_one_range() -> None:
    assert spans([]) == []
    assert spans([9, 2, 3, 7, 40]) == [(2, 9), (40, 40)]
    assert spans([2, 7], gap=3) == [(2, 2), (7, 7)]
