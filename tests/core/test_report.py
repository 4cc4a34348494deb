"""The report's arithmetic on plain items (the full quarter is checked in tests/e2e/test_report.py)."""

from __future__ import annotations

from datetime import datetime

from bridge.core.model import KimRecord, Status
from bridge.core.period import parse_period
from bridge.core.report import Item, build_report, dedupe, percentile
from tests.conftest import WITA, report_rules

KEC = ["Juai", "Halong", "Awayan", "Batu Mandi", "Lampihong", "Paringin", "Paringin Selatan", "Tebing Tinggi"]


def _item(n: int, status: Status, *, kim: str = "KIM A", day: int = 2, published: int | None = None, url: str = "",
          note: str = "", officer: str = "") -> Item:
    return Item(id=f"MM-{n}", received=datetime(2026, 11, day, 8, tzinfo=WITA), kecamatan="Juai", kim=kim, title=f"Judul {n}",
                status=status, system_note=note, officer_note=officer, post_url=url,
                published=datetime(2026, 11, published, 8, tzinfo=WITA) if published else None)


def test_percentile_is_nearest_rank() -> None:
    """The 90th-percentile time would be interpolated differently by each reader."""
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([5], 90) == 5


def test_draft_links_are_not_published_and_review_wins_over_arsip() -> None:
    """A draft would count as published news, or a row in both tabs would count twice."""
    items = dedupe(
        [_item(1, Status.TERBIT, published=3, url="https://www.blogger.com/blog/post/edit/1/2"),
         _item(2, Status.TERBIT, published=4, url="https://kim.blogspot.com/a.html")],
        [_item(2, Status.TERBIT, published=4, url="https://kim.blogspot.com/a.html"), _item(3, Status.DITOLAK)],
    )
    assert [i.id for i in items] == ["MM-1", "MM-2", "MM-3"]
    r = build_report(parse_period("2026-11"), items, [KimRecord("KIM A", "Juai", "Hamarung", partnership="AKTIF")], [], {}, None,
                     KEC, report_rules())
    assert [row[2] for row in r.table("tabel-5-2-diseminasi").rows] == ["Judul 2"]
    assert r.table("ringkasan-kecamatan").rows[-1] == ("Jumlah", 3, 3, 2, 1, 1, 0, "tidak tercatat", "tidak tercatat", "48,0", "48,0",
                                                         "(tanpa catatan) (1)")


def test_kim_without_numbers_is_not_guessed_and_interest_needs_submissions() -> None:
    """A KIM with no Kekuatan/Pengaruh would be put in a quadrant on made-up numbers."""
    registry = [KimRecord("KIM A", "Juai", "Hamarung", partnership="AKTIF", power=10, influence=1),
                KimRecord("KIM B", "Juai", "Galumbang", partnership="AKTIF"),
                KimRecord("KIM C", "Halong", "Mantuyan", partnership="DIHENTIKAN", power=9000, influence=900)]
    r = build_report(parse_period("2026-11"), [_item(1, Status.MENUNGGU)], registry, [], {}, None, KEC, report_rules())
    rows = {row[0]: row for row in r.table("tabel-3-3-pemetaan").rows}
    assert sorted(rows) == ["KIM A", "KIM B"]
    assert rows["KIM A"][3:] == ("Tinggi", 10, 1, "Minat tinggi, kekuatan dan pengaruh rendah", "Pembinaan dan peningkatan kapasitas")
    assert rows["KIM B"][3:] == ("Rendah", "", "", "Data belum lengkap", "Lengkapi Kekuatan dan Pengaruh di tab KIM.")


def test_a_row_published_after_failing_the_checks_is_not_counted_valid() -> None:
    """The summary's Valid column would count a TIDAK VALID row an officer approved, once it was published."""
    from bridge.core.report import FAILED_AT_INTAKE

    published = "Sudah tayang di website KIM Balangan.\n" + FAILED_AT_INTAKE
    assert not _item(1, Status.TERBIT, note=published).valid
    assert not _item(2, Status.TIDAK_VALID, note="1. Desa tidak dikenal.").valid
    assert _item(3, Status.TERBIT, note="Sudah tayang di website KIM Balangan.").valid


def test_a_draft_row_with_no_dates_left_does_not_stop_the_report() -> None:
    """A TERBIT draft row whose time cells an officer cleared stopped the whole report with a TypeError."""
    from dataclasses import replace

    draft = replace(_item(1, Status.TERBIT, url="https://www.blogger.com/blog/post/edit/1/2"), received=None)
    dated = _item(2, Status.TERBIT, published=3, url="https://www.blogger.com/blog/post/edit/1/3")
    r = build_report(parse_period("2026-11"), [draft, dated], [KimRecord("KIM A", "Juai", "Hamarung", partnership="AKTIF")],
                     [], {}, None, KEC, report_rules())
    assert r.drafts == 1
