"""`mymein-bridge report` and the registry lines of `check`: exact output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli import EXIT_CONFIG, EXIT_OK, main
from tests.e2e.conftest import Bridge
from tests.e2e.test_report import Quarter, quarter

__all__ = ["quarter"]


def test_report_prints_what_it_wrote(quarter: Quarter, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """IT staff would not know where the tab, the PDF, the workbook and the CSV files went, nor see the alerts as `check` words them."""
    quarter.deps().close()  # writes bridge.toml
    out_dir = tmp_path / "laporan"
    code = main(["report", "-c", str(quarter.workdir / "bridge.toml"), "--period", "2026-Q3", "--out", str(out_dir)],
                clock=quarter.sandbox.clock)
    assert code == EXIT_OK
    files = ["tabel-5-2-diseminasi", "ringkasan-kecamatan", "ringkasan-kim", "outtakes-komentar", "tindak-lanjut",
             "peringkat-penghargaan", "tabel-3-3-pemetaan", "terbit-per-bulan", "outtakes-tayangan"]
    assert capsys.readouterr().out.splitlines() == [
        "Report 2026-Q3 (Triwulan III 2026): 5 published item(s); tab 'Laporan 2026-Q3' written",
        "  waiting for a decision: median 11.0 h, p90 48.0 h over 7 decision(s); 4 without a recorded decision time "
        "(older rows), not counted",
        f"  {out_dir / 'laporan-2026-Q3.pdf'}",
        f"  {out_dir / 'laporan-2026-Q3.xlsx'}",
        *[f"  {out_dir / name}.csv" for name in files],
        "  partnership alerts: 5",
        "    KIM Panaitan Sejahtera (Lampihong): SK berakhir pada 30/06/2026; perlu diperpanjang.",
        "    KIM Melati Mantuyan (Halong): SK berakhir pada 15/11/2026 (46 hari lagi); siapkan perpanjangan.",
        "    KIM Pitap Bersinar (Tebing Tinggi): Kemitraan sedang ditinjau. Alasan: Ketua diangkat menjadi ASN.",
        "    KIM Panaitan Sejahtera (Lampihong): Belum ada kiriman dari KIM ini yang disetujui petugas.",
        "    KIM Pudak Lestari (Awayan): Belum ada kiriman dari KIM ini yang disetujui petugas.",
    ]


def test_report_refuses_a_period_it_cannot_read(quarter: Quarter, capsys: pytest.CaptureFixture[str]) -> None:
    """A typo in --period would write an empty or wrong report instead of saying what to type."""
    quarter.deps().close()
    code = main(["report", "-c", str(quarter.workdir / "bridge.toml"), "--period", "2026-Q5"], clock=quarter.sandbox.clock)
    assert code == EXIT_CONFIG
    assert capsys.readouterr().err == (
        "Error: --period '2026-Q5' is not a period; use a month 2026-11, a quarter 2026-Q4, a half-year 2026-S2, "
        "a year 2026 or a range 2026-10-01..2026-11-30\n")


def test_check_lists_registry_problems_and_alerts(bridge: Bridge, capsys: pytest.CaptureFixture[str]) -> None:
    """Officers would not hear about a registry row to fix or a partnership to act on."""
    assert main(["check", "-c", str(bridge.write_config())], clock=bridge.clock) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(out) if "KIM registry" in line)
    assert out[start:start + 6] == [
        "WARN KIM registry: 8 KIM, 1 problem(s) to fix in tab 'KIM':",
        "WARN   Baris 7 (KIM Pitap Bersinar): Status Kemitraan TIDAK AKTIF (artinya DIHENTIKAN) tanpa Alasan Status; tulis "
        "alasannya (mis. SK berakhir, pengurus ASN, pindah kabupaten, bubar).",
        "WARN partnership alerts: 11",
        "WARN   KIM Panaitan Sejahtera (Lampihong): SK berakhir pada 30/06/2025; perlu diperpanjang.",
        "WARN   KIM Lasung Batu Bersatu (Paringin): SK berakhir pada 15/01/2027 (53 hari lagi); siapkan perpanjangan.",
        "WARN   KIM Melati Mantuyan (Halong): SK berakhir pada 15/01/2027 (53 hari lagi); siapkan perpanjangan.",
    ]
    assert out[start + 6] == "WARN   KIM Pitap Bersinar (Tebing Tinggi): Kemitraan dihentikan."
    assert out[start + 7] == "WARN   KIM Batu Piring (Paringin Selatan): Belum ada kiriman dari KIM ini yang disetujui petugas."
    assert out[-1] == "All good."


def test_demo_ends_with_a_report_on_its_data(tmp_path: Path) -> None:
    """A newcomer trying the demo would never see the monitoring report."""
    from bridge.commands.demo import run_demo

    lines: list[str] = []
    assert run_demo(workdir=tmp_path, serve=False, out=lines.append) == 0
    start = lines.index("6. report: laporan monitoring dan evaluasi / the monitoring report (mymein-bridge report --period 2026-11)")
    assert lines[start + 1] == (f"  tab 'Laporan 2026-11' written; PDF to print and sign, Excel workbook and CSV files in "
                                f"{tmp_path / 'laporan-2026-11'}")
    assert (tmp_path / "laporan-2026-11" / "laporan-2026-11.pdf").read_bytes().startswith(b"%PDF-")
    assert "  Tabel 5.2 Monitoring kegiatan diseminasi informasi KIM:" in lines
    assert (tmp_path / "laporan-2026-11" / "tabel-5-2-diseminasi.csv").read_text(encoding="utf-8").count("\n") == 5


def test_demo_shows_the_messages_operators_receive(tmp_path: Path) -> None:
    """A newcomer trying the demo would not see what operators are told, nor that a rejection carries the officer's words."""
    from bridge.commands.demo import run_demo

    lines: list[str] = []
    assert run_demo(workdir=tmp_path, serve=False, out=lines.append) == 0
    start = next(i for i, line in enumerate(lines) if line.startswith("5b. pesan untuk operator"))
    told = [line for line in lines[start + 1:] if line.startswith("  → ")]
    assert any("Berita Anda sudah diterima" in line for line in told)
    assert any("Berita Anda sudah terbit" in line for line in told)
    assert any("Berita Anda tidak diterbitkan" in line for line in told)
    assert "  contoh / example:" in lines and any(line.startswith("    | Subjek: Berita Anda sudah terbit") for line in lines)
    assert not any("Ringkasan harian" in line for line in told), "the officers' digest is not an operator message"
    start = next(i for i, line in enumerate(lines) if line.startswith("5c. ringkasan untuk petugas"))
    assert lines[start].endswith("1 sent):") and lines[start + 1].startswith("    | Subjek: Ringkasan harian MY MEIN 30/11/2026 10:0")
    assert any("Menunggu keputusan, yang terlama lebih dulu" in line for line in lines[start:])


def test_report_into_a_folder_it_cannot_write_says_so(quarter: Quarter, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong --out would end in a traceback, leaving IT staff unsure whether the tab was written."""
    from bridge.cli import EXIT_FATAL

    quarter.deps().close()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code = main(["report", "-c", str(quarter.workdir / "bridge.toml"), "--period", "2026-Q3", "--out", str(blocker / "sub")],
                clock=quarter.sandbox.clock)
    assert code == EXIT_FATAL
    assert capsys.readouterr().err == f"Error: the tab was written, but not the report files in {blocker / 'sub'}: Not a directory\n"
