"""Coordination before publishing (issue 20) on plain data: which items need a coordinator, the 'Diputuskan
Oleh' record, and the report's coordination table."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bridge.core.coordination import Coordinated, Policy, coordination_table, decided_by, needs_coordination
from bridge.core.model import KimRecord, Status
from bridge.core.period import parse_period
from bridge.core.report import Item, build_report
from tests.conftest import WITA, report_rules

RULES = Policy(mode="rules", labels=("Kesehatan",), words=("bencana",), roles=("JF Pranata Humas Ahli Muda",),
               emails=("ph@balangankab.go.id",))
S = Status


def test_which_items_need_a_coordinator() -> None:
    """Sensitive news (a label, a word, a KIM under review, an officer's flag) would go out without a coordinator."""
    assert not needs_coordination(Policy(), S.PERLU_KOORDINASI, "Bencana", ["Kesehatan"], ["DITINJAU"])  # off: nothing
    assert needs_coordination(replace(RULES, mode="all"), S.DISETUJUI, "Panen", [], [])
    assert needs_coordination(RULES, S.DISETUJUI, "Panen", ["kesehatan"], [])  # a label, letter case ignored
    assert needs_coordination(RULES, S.DISETUJUI, "Tanggap BENCANA banjir", [], [])  # a word in the title
    assert needs_coordination(RULES, S.DISETUJUI, "Panen", [], ["AKTIF", "ditinjau"])  # a KIM under review
    assert needs_coordination(RULES, S.DISETUJUI, "Panen", [], ["BEKU"])  # the older word for DITINJAU
    assert not needs_coordination(replace(RULES, ditinjau=False), S.DISETUJUI, "Panen", [], ["DITINJAU"])
    assert needs_coordination(RULES, S.PERLU_KOORDINASI, "Panen", [], [])  # the officer asked
    assert not needs_coordination(RULES, S.DISETUJUI, "Panen raya", ["Pertanian"], ["AKTIF"])


def test_decided_by_says_what_the_sheet_proves() -> None:
    """The record would name a person the sheet cannot prove, or claim proof for the officers' open Status column."""
    officer = "Petugas: DITOLAK (kolom Status dapat diubah semua petugas yang menjadi editor; tidak membuktikan siapa)"
    assert decided_by(RULES, S.DITOLAK, "", False) == officer
    assert decided_by(RULES, S.DISETUJUI, "setuju", True) == (
        "Petugas: DISETUJUI (kolom Status dapat diubah semua petugas yang menjadi editor; tidak membuktikan siapa); "
        "Koordinator (JF Pranata Humas Ahli Muda): SETUJU (kolom Persetujuan Pimpinan terlindungi: hanya dapat diubah "
        "oleh ph@balangankab.go.id)")
    assert decided_by(RULES, S.MENUNGGU, "", False) == ""  # nobody decided yet
    assert decided_by(RULES, S.TERBIT, "SETUJU", True) == ""  # the bridge's status: the record made before it stays


def test_coordination_table_counts_and_waits() -> None:
    """The report would misstate how many items the leadership held or refused, or how long agreement took."""
    t0 = datetime(2026, 11, 2, 8, tzinfo=WITA)
    t = coordination_table([
        Coordinated("a", "SETUJU", t0, t0.replace(hour=10)), Coordinated("b", "SETUJU", t0, t0.replace(hour=18)),
        Coordinated("c", "TAHAN", t0), Coordinated("d", "TOLAK", t0), Coordinated("e", ""),
    ])
    assert (t.needed, t.agreed, t.held, t.refused, t.waiting) == (5, 2, 1, 1, 1)
    assert (t.median_hours, t.p90_hours) == (6.0, 10.0)


def test_report_has_a_coordination_table_only_when_some_item_needed_it() -> None:
    """A report with no coordination would carry an empty table; one with it would leave it out."""
    def item(n: int, status: Status, leader: str = "") -> Item:
        return Item(id=f"MM-{n}", received=datetime(2026, 11, 2, 8, tzinfo=WITA), kecamatan="Juai", kim="KIM A", title="J",
                    status=status, leader=leader, decided=datetime(2026, 11, 2, 9, tzinfo=WITA),
                    post_url="https://kim.blogspot.com/a.html", published=datetime(2026, 11, 2, 12, tzinfo=WITA))

    registry = [KimRecord("KIM A", "Juai", "Hamarung", partnership="AKTIF")]
    plain = build_report(parse_period("2026-11"), [item(1, S.TERBIT)], registry, [], {}, None, ["Juai"], report_rules())
    assert "koordinasi" not in [t.csv for t in plain.tables]
    items = [item(1, S.TERBIT, "SETUJU"), item(2, S.PERLU_KOORDINASI, "TAHAN"), item(3, S.PERLU_KOORDINASI)]
    r = build_report(parse_period("2026-11"), items, registry, [], {}, None, ["Juai"], report_rules())
    assert r.table("koordinasi").rows == ((3, 1, 1, 0, 1, "3,0", "3,0"),)
