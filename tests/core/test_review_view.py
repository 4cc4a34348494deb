"""Which Review rows a cycle reads in full, from the ID and Status columns and the ledger's copies."""

from __future__ import annotations

from bridge.core.model import ReviewColumn, Status
from bridge.core.review_view import ACTING, ViewPlan, brief_of, plan_view, spans


def _copy(sub_id: str, status: str, title: str = "Judul") -> dict[str, str]:
    return {"ID": sub_id, "STATUS": status, "TITLE": title, "BODY": "Isi " + title, "FINGERPRINT": "fp-" + sub_id}


def _plan(ids: list[list[object]], statuses: list[list[object]], copies: dict[str, dict[str, str]], **kw: object) -> ViewPlan:
    """The view over these copies as the ledger keeps them: their briefs, each copy loaded when asked."""
    return plan_view(ids, statuses, {k: brief_of(v) for k, v in copies.items()}, copies.__getitem__, **kw)  # type: ignore[arg-type]


CACHE = {
    "MM-2026-0001": _copy("MM-2026-0001", "MENUNGGU", "Satu"),
    "MM-2026-0002": _copy("MM-2026-0002", "TERBIT"),
    "MM-2026-0003": _copy("MM-2026-0003", "DISETUJUI"),
}


def test_settled_rows_come_from_the_ledger_copy_with_the_row_number_the_sheet_has_now() -> None:
    ids = [["MM-2026-0002"], ["MM-2026-0001"]]  # sorted by an officer since the copies were made
    plan = _plan(ids, [["TERBIT"], ["MENUNGGU"]], CACHE)
    assert plan.to_read == []
    assert [(r.row_number, r.id) for r in plan.rows] == [(2, "MM-2026-0002"), (3, "MM-2026-0001")]
    row = plan.rows[1]
    assert row.cached and row.get(ReviewColumn.TITLE) == "Satu" and row.get(ReviewColumn.FINGERPRINT) == "fp-MM-2026-0001"


def test_a_changed_status_an_unknown_id_and_a_copy_are_read_in_full() -> None:
    ids = [["MM-2026-0001"], ["MM-2026-0002"], ["MM-2026-0009"], ["MM-2026-0002"]]
    statuses = [["DITOLAK"], ["TERBIT"], ["MENUNGGU"], ["TERBIT"]]
    plan = _plan(ids, statuses, CACHE)
    assert plan.to_read == [2, 3, 4, 5]  # 0001 changed status, 0002 twice (both read), 0009 unknown
    assert plan.rows == []


def test_a_status_beside_an_empty_id_is_read_and_blank_rows_are_not() -> None:
    plan = _plan([["MM-2026-0001"], [], [""], []], [["MENUNGGU"], [], ["DITOLAK"]], CACHE)
    assert plan.to_read == [4]
    assert [r.row_number for r in plan.rows] == [2]


def test_acting_rows_are_read_when_the_spreadsheet_changed_and_not_when_it_did_not() -> None:
    ids, statuses = [["MM-2026-0003"]], [["DISETUJUI"]]
    assert _plan(ids, statuses, CACHE).to_read == [2]
    quiet = _plan(ids, statuses, CACHE, acting=frozenset())
    assert quiet.to_read == [] and quiet.rows[0].status == Status.DISETUJUI
    assert Status.DITARIK in ACTING


def test_a_status_spelled_differently_from_the_copy_is_read_so_it_can_be_normalised() -> None:
    assert _plan([["MM-2026-0001"]], [["menunggu"]], CACHE).to_read == [2]


def test_numbers_are_compared_as_the_sheet_shows_them() -> None:
    cache = {"7": {"ID": "7", "STATUS": "MENUNGGU"}}
    assert _plan([[7.0]], [["MENUNGGU"]], cache).to_read == []


def test_spans_join_rows_a_few_apart_into_one_range() -> None:
    assert spans([]) == []
    assert spans([9, 2, 3, 7, 40]) == [(2, 9), (40, 40)]
    assert spans([2, 7], gap=3) == [(2, 2), (7, 7)]


def test_a_settled_row_decodes_its_copy_only_when_a_step_asks_a_cell_outside_its_brief() -> None:
    """A reading cycle at 10k Review rows would decode every row's whole copy again (issue 22's CPU)."""
    asked: list[str] = []

    def load(sub_id: str) -> dict[str, str]:
        asked.append(sub_id)
        return CACHE[sub_id]

    plan = plan_view([["MM-2026-0001"], ["MM-2026-0002"]], [["MENUNGGU"], ["TERBIT"]],
                     {k: brief_of(v) for k, v in CACHE.items()}, load)
    row = plan.rows[0]
    assert (row.id, row.status, row.get(ReviewColumn.FINGERPRINT), row.get(ReviewColumn.POST_URL)) == (
        "MM-2026-0001", Status.MENUNGGU, "fp-MM-2026-0001", "")
    assert asked == []
    assert row.get(ReviewColumn.TITLE) == "Satu" and asked == []
    assert row.get(ReviewColumn.BODY) == "Isi Satu" and asked == ["MM-2026-0001"]
    assert row.get(ReviewColumn.OFFICER_NOTE) == "" and asked == ["MM-2026-0001"]  # decoded once
    assert plan.rows[1].status == Status.TERBIT and asked == ["MM-2026-0001"]


def test_a_copy_decoded_late_reads_as_the_row_did_when_the_cycle_read_it() -> None:
    """A note the cycle wrote to the ledger's copy would show on the row before it was written to the sheet."""
    later = {**CACHE["MM-2026-0001"], "SYSTEM_NOTE": "written since", "NOTICES": "x"}
    plan = plan_view([["MM-2026-0001"]], [["MENUNGGU"]], {"MM-2026-0001": brief_of(CACHE["MM-2026-0001"])}, lambda _: later)
    row = plan.rows[0]
    assert row.get(ReviewColumn.BODY) == "Isi Satu"
    assert ReviewColumn.SYSTEM_NOTE not in row.values and ReviewColumn.NOTICES not in row.values
