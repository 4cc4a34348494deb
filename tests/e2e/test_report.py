"""`report` end to end: a seeded quarter (bridge/sandbox/seed_report.py), checked number by number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bridge.adapters.retry import RetryPolicy
from bridge.app import build_deps
from bridge.clock import ManualClock
from bridge.commands.report import ReportResult, write_report
from bridge.config import load_settings, render_config
from bridge.core.period import parse_period
from bridge.cycle.context import CycleContext
from bridge.sandbox.seed_report import QUARTER_NOW, QUARTER_SPREADSHEET_ID, quarter_state
from bridge.sandbox.server import SandboxServer, sandbox_config_values
from bridge.sandbox.state import SandboxState

GOLDEN = Path(__file__).parent / "golden" / "report-2026-Q3"
TAB = "Laporan 2026-Q3"


class Quarter:
    """The quarter's sandbox and a bridge config pointing at it."""

    def __init__(self, sandbox: SandboxServer, workdir: Path) -> None:
        self.sandbox, self.workdir = sandbox, workdir

    def deps(self, **overrides: Any) -> CycleContext:
        values = sandbox_config_values(self.sandbox.url, self.sandbox.state, self.workdir)
        for key, value in overrides.items():
            section, name = key.split("__")
            values[(section, name)] = value
        cfg = self.workdir / "bridge.toml"
        cfg.write_text(render_config(values), encoding="utf-8")
        return build_deps(load_settings(cfg, env={}), retry=RetryPolicy(attempts=3, initial=0.001, maximum=0.01),
                          clock=self.sandbox.clock)

    def report(self, out: Path | None = None, period: str = "2026-Q3", **overrides: Any) -> ReportResult:
        deps = self.deps(**overrides)
        try:
            return write_report(deps, parse_period(period), out)
        finally:
            deps.close()

    def rows(self, tab: str) -> list[list[Any]]:
        return self.sandbox.state.sheet_rows(QUARTER_SPREADSHEET_ID, tab)

    def sheet(self, tab: str) -> dict[str, Any]:
        return self.sandbox.state.sheet(QUARTER_SPREADSHEET_ID, tab)

    def requests(self) -> dict[str, int]:
        return {m: e["requests"] for m, e in self.sandbox.stats()["by_method"].items()}


@pytest.fixture
def quarter(clock: ManualClock, tmp_path: Path) -> Iterator[Quarter]:
    clock.set(QUARTER_NOW)
    with SandboxServer(SandboxState.from_json(quarter_state()), clock=clock) as server:
        yield Quarter(server, tmp_path)


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_every_csv_matches_the_quarter_checked_by_hand(quarter: Quarter, tmp_path: Path) -> None:
    """Officers would send the Kepala Dinas wrong numbers: every table, cell for cell (golden files)."""
    result = quarter.report(tmp_path / "out")
    csvs = [p for p in result.files if p.suffix == ".csv"]
    names = sorted(p.name for p in csvs)
    assert names == sorted(p.name for p in GOLDEN.iterdir())
    for path in csvs:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name  # Excel reads UTF-8 only with the BOM
        assert path.read_text(encoding="utf-8-sig") == (GOLDEN / path.name).read_text(encoding="utf-8"), path.name


def test_quadrants_ranking_and_alerts_of_each_kim(quarter: Quarter, tmp_path: Path) -> None:
    """The Tabel 3.3 approach, the award order or an alert would be wrong for a named KIM."""
    result = quarter.report(tmp_path / "out")
    quadrant = {r[0]: r[7] for r in _csv(tmp_path / "out" / "tabel-3-3-pemetaan.csv")[1:]}
    assert quadrant == {
        "KIM Lasung Batu Bersatu": "Jadikan mitra",
        "KIM Pitap Bersinar": "Persuasi agar bersedia menjadi mitra",
        "KIM Karet Buntu Karau": "Pembinaan dan peningkatan kapasitas",
        "KIM Melati Mantuyan": "Pembinaan dan peningkatan kapasitas",
        "KIM Pudak Lestari": "Pendataan dan pemantauan",
        "KIM Panaitan Sejahtera": "Lengkapi Kekuatan dan Pengaruh di tab KIM.",
    }
    ranking = [(r[1], r[6]) for r in _csv(tmp_path / "out" / "peringkat-penghargaan.csv")[1:]]
    assert ranking == [("KIM Lasung Batu Bersatu", "100.0"), ("KIM Karet Buntu Karau", "42.5"), ("KIM Melati Mantuyan", "31.3"),
                       ("KIM Panaitan Sejahtera", "0.0"), ("KIM Pudak Lestari", "0.0")]
    assert [(a.kim, a.code) for a in result.alerts] == [
        ("KIM Panaitan Sejahtera", "sk_expired"), ("KIM Melati Mantuyan", "sk_expiring"), ("KIM Pitap Bersinar", "ditinjau"),
        ("KIM Panaitan Sejahtera", "quiet"), ("KIM Pudak Lestari", "quiet"),
    ]


def test_weights_from_config_change_the_score_and_are_printed(quarter: Quarter, tmp_path: Path) -> None:
    """The award committee's weights would be ignored, or the table would not say which were used."""
    quarter.report(tmp_path / "out", report__weight_published=0, report__weight_approval=0, report__weight_comments=1)
    rows = _csv(tmp_path / "out" / "peringkat-penghargaan.csv")
    assert [(r[1], r[6]) for r in rows[1:4]] == [("KIM Lasung Batu Bersatu", "100.0"), ("KIM Karet Buntu Karau", "25.0"),
                                                ("KIM Melati Mantuyan", "12.5")]
    assert any("Bobot: terbit 0, persetujuan 0, komentar 1." in str(r[0]) for r in quarter.rows(TAB))


def test_same_report_twice_and_after_the_ledger_is_lost(quarter: Quarter, tmp_path: Path) -> None:
    """A lost ledger (or a second run) would change the report: it must come from the sheet and the blog alone."""
    quarter.report(tmp_path / "a")
    first_tab = quarter.rows(TAB)
    quarter.report(tmp_path / "b")
    for stale in quarter.workdir.glob("bridge-state.sqlite3*"):
        stale.unlink()
    quarter.report(tmp_path / "c")
    for name in (p.name for p in (tmp_path / "a").iterdir()):
        a = (tmp_path / "a" / name).read_bytes()
        assert a == (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes(), name
    assert quarter.rows(TAB) == first_tab
    tabs = [s["title"] for s in quarter.sandbox.state.to_json()["spreadsheets"][0]["sheets"]]
    assert tabs.count(TAB) == 1 and len(quarter.sheet(TAB)["charts"]) == 1


def test_a_report_costs_five_sheets_requests_up_to_a_page_of_rows(quarter: Quarter, tmp_path: Path) -> None:
    """A big Review tab would cost more requests and hit the Sheets quota (60 per minute)."""
    quarter.sandbox.reset_stats()
    quarter.report()
    small = quarter.requests()
    review = quarter.rows("Review")
    extra = [list(review[1]) for _ in range(300)]
    for n, row in enumerate(extra):
        row[0] = f"MM-2026-{1000 + n}"
    quarter.sandbox.state.set_sheet_rows(QUARTER_SPREADSHEET_ID, "Review", review + extra)
    quarter.sandbox.reset_stats()
    quarter.report()
    assert quarter.requests() == small
    # the header rows and KIM, then one page of Review + Arsip (PAGE_ROWS rows)
    assert {m: n for m, n in small.items() if m.startswith("sheets.")} == {
        "sheets.spreadsheets.get": 1, "sheets.spreadsheets.values.batchGet": 2,
        "sheets.spreadsheets.batchUpdate": 1, "sheets.spreadsheets.values.batchUpdate": 1,
    }
    assert small["blogger.pageViews.get"] == 1 and small["blogger.posts.list"] == 1


def test_laporan_tab_has_kop_title_period_tables_chart_and_signature(quarter: Quarter) -> None:
    """The printed report would lack its letterhead, period, date made or the place to sign."""
    quarter.report(report__signer_name="Drs. H. Contoh Nama, M.Si", report__signer_nip="19700101 199003 1 001",
                   report__signer_rank="Pembina Utama Muda (IV/c)")
    rows = quarter.rows(TAB)
    firsts = [str(r[0]) if r else "" for r in rows]
    assert firsts[:7] == ["PEMERINTAH KABUPATEN BALANGAN", "DINAS KOMUNIKASI, INFORMATIKA, STATISTIK DAN PERSANDIAN", "",
                          "LAPORAN MONITORING DAN EVALUASI KEMITRAAN KOMUNIKASI DENGAN KIM",
                          "Periode: Triwulan III 2026 (01/07/2026 s.d. 30/09/2026)", "Dibuat: 5 Oktober 2026 pukul 10.00 WITA", ""]
    titles = [t for t in firsts if t[:2] in {f"{n}." for n in range(1, 10)}]
    assert titles == [
        "1. Tabel 5.2 Monitoring kegiatan diseminasi informasi KIM", "2. Ringkasan per kecamatan", "3. Ringkasan per KIM",
        "4. Outtakes: komentar pembaca per berita", "5. Outtakes: tayangan halaman seluruh blog", "6. Daftar tindak lanjut",
        "7. Peringkat untuk Penghargaan KIM", "8. Tabel 3.3 Pemetaan KIM menurut minat, kekuatan dan pengaruh",
        "9. Berita terbit per kecamatan per bulan",
    ]
    signature = [str(r[7]) for r in rows[-9:]]
    assert signature == ["Paringin, 5 Oktober 2026", "Mengetahui,", "Kepala Dinas Komunikasi, Informatika, Statistik dan Persandian", "", "", "",
                         "Drs. H. Contoh Nama, M.Si", "Pembina Utama Muda (IV/c)", "NIP. 19700101 199003 1 001"]
    assert any("Blogger tidak menyediakan jumlah tayangan per berita" in t for t in firsts)
    (chart,) = quarter.sheet(TAB)["charts"]
    assert chart["spec"]["basicChart"]["chartType"] == "COLUMN" and len(chart["spec"]["basicChart"]["series"]) == 8


def test_month_and_range_periods_cover_only_their_days(quarter: Quarter, tmp_path: Path) -> None:
    """A monthly report would count news from the neighbouring months."""
    quarter.report(tmp_path / "aug", period="2026-08")
    rows = _csv(tmp_path / "aug" / "tabel-5-2-diseminasi.csv")
    assert [r[2] for r in rows[1:]] == ["Lomba Agustusan Lasung Batu", "Musyawarah Dusun"]
    quarter.report(tmp_path / "range", period="2026-09-30..2026-10-01")
    rows = _csv(tmp_path / "range" / "tabel-5-2-diseminasi.csv")
    assert [r[2] for r in rows[1:]] == ["Persiapan Hari Jadi"]
    assert [s["title"] for s in quarter.sandbox.state.to_json()["spreadsheets"][0]["sheets"]][-2:] == [
        "Laporan 2026-08", "Laporan 2026-09-30..2026-10-01"]


def test_preview_shows_the_tabs_beside_the_blog_and_the_laporan_as_printed(quarter: Quarter) -> None:
    """A newcomer could not see in a browser what officers see in Sheets, nor the report before printing."""
    import requests

    quarter.report()
    page = requests.get(f"{quarter.sandbox.url}/", timeout=5).text
    for tab in ("Review", "KIM", "Arsip", "Laporan 2026-Q3"):
        assert f'href="/?tab={tab.replace(" ", "%20")}"' in page
    assert "Gotong Royong Saluran Irigasi" in page and "<header><h1>KIM Balangan</h1>" in page
    laporan = requests.get(f"{quarter.sandbox.url}/", params={"tab": TAB}, timeout=5).text
    assert '<td class="kop" colspan="13">PEMERINTAH KABUPATEN BALANGAN</td>' in laporan
    assert '<td class="h" colspan="13">9. Berita terbit per kecamatan per bulan</td>' in laporan
    assert 'title="Paringin: 2"' in laporan  # the chart's August bar
    assert '<td colspan="7"></td><td colspan="6">Mengetahui,</td>' in laporan


def test_printing_the_preview_leaves_out_the_blog_and_the_tab_bar(quarter: Quarter) -> None:
    """Printed from the preview, the report would come out on Letter portrait with the blog sidebar and the tab bar."""
    import requests

    quarter.report()
    laporan = requests.get(f"{quarter.sandbox.url}/", params={"tab": TAB}, timeout=5).text
    css = laporan[laporan.index("@media print{"):]
    assert "@page{size:A4 landscape;margin:1.5cm}" in css
    assert ".side .right,footer,.tabs,.where{display:none}" in css
    assert "table.laporan tr{break-inside:avoid}" in css  # no row printed half on each page
    assert '<div class="where">' in laporan


def test_run_writes_the_previous_months_report_once_on_the_first_at_the_hour(quarter: Quarter, tmp_path: Path) -> None:
    """The monthly report would be missing, early, or written again every cycle."""
    from datetime import datetime

    from bridge.commands.report import maybe_monthly_report
    from tests.conftest import WITA

    clock = quarter.sandbox.clock
    assert isinstance(clock, ManualClock)
    clock.set(datetime(2026, 10, 1, 6, 59, tzinfo=WITA))
    deps = quarter.deps()  # [report] monthly is off by default
    assert maybe_monthly_report(deps) is None
    deps.close()
    settings = {"report__monthly": True, "report__monthly_hour": 7, "report__monthly_out_dir": str(tmp_path / "bulanan")}
    deps = quarter.deps(**settings)
    try:
        assert maybe_monthly_report(deps) is None
        clock.set(datetime(2026, 10, 1, 7, 0, tzinfo=WITA))
        result = maybe_monthly_report(deps)
        assert result is not None and result.tab == "Laporan 2026-09"
        assert (tmp_path / "bulanan" / "2026-09" / "tabel-5-2-diseminasi.csv").is_file()
        quarter.sandbox.reset_stats()
        clock.set(datetime(2026, 10, 1, 7, 5, tzinfo=WITA))
        assert maybe_monthly_report(deps) is None
        assert quarter.requests() == {}
    finally:
        deps.close()


def test_a_formula_title_stays_text_in_the_tab_and_the_csv(quarter: Quarter, tmp_path: Path) -> None:
    """A submitted '=HYPERLINK(...)' title would run as a formula when officers open the CSV in Excel."""
    review = quarter.rows("Review")
    title_col = [str(h) for h in review[0]].index("Judul")
    review[2][title_col] = '=HYPERLINK("http://contoh-berbahaya.example","Klik")'
    quarter.sandbox.state.set_sheet_rows(QUARTER_SPREADSHEET_ID, "Review", review)
    quarter.report(tmp_path / "out")
    rows = _csv(tmp_path / "out" / "tabel-5-2-diseminasi.csv")
    assert rows[3][2] == '\'=HYPERLINK("http://contoh-berbahaya.example","Klik")'
    assert any(r[2:3] == ['=HYPERLINK("http://contoh-berbahaya.example","Klik")'] for r in quarter.rows(TAB))
    assert [r[10] for r in _csv(tmp_path / "out" / "ringkasan-kecamatan.csv")][-1] == "24.0"
    assert quarter.sheet(TAB)["protectedRanges"][0]["warningOnly"] is True


def test_a_formula_after_a_semicolon_stays_text_in_the_csv(quarter: Quarter, tmp_path: Path) -> None:
    """A title like 'Panen raya;=cmd|...' ran a formula when an officer opened the CSV in Excel set to Indonesian."""
    review = quarter.rows("Review")
    title_col = [str(h) for h in review[0]].index("Judul")
    review[2][title_col] = "Panen raya;=cmd|' /C calc'!A0;"
    quarter.sandbox.state.set_sheet_rows(QUARTER_SPREADSHEET_ID, "Review", review)
    quarter.report(tmp_path / "out")
    text = (tmp_path / "out" / "tabel-5-2-diseminasi.csv").read_text(encoding="utf-8-sig")
    assert "Panen raya;'=cmd|' /C calc'!A0;" in text
    assert [c for line in text.splitlines() for c in line.split(";") if c.startswith("=")] == []  # Excel's view
    assert any(r[2:3] == ["Panen raya;=cmd|' /C calc'!A0;"] for r in quarter.rows(TAB))  # the tab keeps it (RAW)


def test_a_link_planted_at_a_csv_name_is_refused_not_written_through(quarter: Quarter, tmp_path: Path) -> None:
    """Someone who can write the reports folder could make `report` overwrite any file the bridge's user can write."""
    victim = tmp_path / "victim.conf"
    victim.write_text("milik orang lain\n", encoding="utf-8")
    for name in ("laporan-2026-Q3.pdf", "laporan-2026-Q3.xlsx", "tabel-5-2-diseminasi.csv"):
        out = tmp_path / name.replace(".", "-")
        out.mkdir()
        (out / name).symlink_to(victim)
        with pytest.raises(OSError, match=f"{name} is a symbolic link; the bridge does not write through links"):
            quarter.report(out)
        assert victim.read_text(encoding="utf-8") == "milik orang lain\n", name


def test_monthly_csv_failure_says_how_to_write_them_by_hand(quarter: Quarter, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """The monthly CSVs failed once and were never tried again, and the log did not say how to make them."""
    from datetime import datetime

    from bridge.commands.report import maybe_monthly_report
    from tests.conftest import WITA

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    quarter.sandbox.clock.set(datetime(2026, 10, 1, 7, 0, tzinfo=WITA))  # type: ignore[attr-defined]
    deps = quarter.deps(report__monthly=True, report__monthly_out_dir=str(blocker))
    try:
        assert maybe_monthly_report(deps) is None
    finally:
        deps.close()
    (message,) = [r.getMessage() for r in caplog.records if r.name == "bridge.report" and r.levelname == "ERROR"]
    assert message.startswith(f"monthly report 2026-09: tab written, but not the report files in {blocker} (")
    assert message.endswith(f"they are not tried again: fix the folder, then run: mymein-bridge report -c "
                            f"{deps.settings.source} --period 2026-09 --out {blocker / '2026-09'}")


def test_read_page_by_page_gives_the_same_tables(quarter: Quarter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a big sheet in pages (to bound memory) would lose, double or misplace rows at a page's edge."""
    from bridge.commands import report_read

    monkeypatch.setattr(report_read, "PAGE_ROWS", 7)
    deps = quarter.deps()
    try:
        tabs = deps.sheets.info(QUARTER_SPREADSHEET_ID).tabs
    finally:
        deps.close()
    rows = sum(max(0, t.row_count - 1) for name, t in tabs.items() if name in ("Review", "Arsip"))
    assert rows > 3 * 7
    quarter.sandbox.reset_stats()
    result = quarter.report(tmp_path / "out")
    assert quarter.requests()["sheets.spreadsheets.values.batchGet"] == 1 + -(-rows // 7)
    for path in (p for p in result.files if p.suffix == ".csv"):
        assert path.read_text(encoding="utf-8-sig") == (GOLDEN / path.name).read_text(encoding="utf-8"), path.name


def test_the_excel_id_dialect_opens_in_indonesian_excel(quarter: Quarter, tmp_path: Path) -> None:
    """Double-clicked in Excel set to Indonesian, each CSV line would land whole in column A, or 12.5 read as text."""
    quarter.report(tmp_path / "out", report__csv_dialect="excel-id")
    raw = (tmp_path / "out" / "ringkasan-kecamatan.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[-1][10] == "24,0" and len(rows[0]) == len(rows[-1]) > 10
    standard = tmp_path / "std"
    quarter.report(standard)
    assert (standard / "ringkasan-kecamatan.csv").read_text(encoding="utf-8-sig").splitlines()[-1].split(",")[10] == "24.0"


def test_monthly_report_for_drive_only_survives_an_unusable_temporary_folder(
        quarter: Quarter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """With a Drive folder and no monthly_out_dir, a full or missing temp folder crashed the report with a TypeError every cycle."""
    import tempfile
    from datetime import datetime

    from bridge.commands.report import maybe_monthly_report
    from tests.conftest import WITA

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))  # where the PDF and workbook for Drive are made
    quarter.sandbox.clock.set(datetime(2026, 10, 1, 7, 0, tzinfo=WITA))  # type: ignore[attr-defined]
    deps = quarter.deps(report__monthly=True, report__drive_folder_id="1LaporanFolder000000000000000000")
    try:
        assert maybe_monthly_report(deps) is None
        quarter.sandbox.reset_stats()
        assert maybe_monthly_report(deps) is None  # not tried again next cycle: the tab is written
        assert quarter.requests() == {}
    finally:
        deps.close()
    (message,) = [r.getMessage() for r in caplog.records if r.name == "bridge.report" and r.levelname == "ERROR"]
    assert message.startswith("monthly report 2026-09: tab written, but not the PDF and workbook for Drive (")
    assert message.endswith("fix the temporary folder (TMPDIR), then run: mymein-bridge report -c "
                            f"{quarter.workdir / 'bridge.toml'} --period 2026-09")
