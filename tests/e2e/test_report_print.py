"""The report's printed forms end to end: the PDF (A4 landscape, kop, headers repeated, rows whole,
signature with the last table) and the Excel workbook (typed cells, print settings), read back with
pypdf and openpyxl from the files `report --out` writes."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bridge.cli import EXIT_CONFIG, EXIT_OK, main
from bridge.core.model import ReviewColumn
from bridge.sandbox.seed_report import QUARTER_SPREADSHEET_ID
from tests.e2e.test_report import Quarter, quarter

__all__ = ["quarter"]

EVIL = '=HYPERLINK("http://evil.example/x","klik")'
A4_LANDSCAPE = (841.89, 595.28)


def _add_published(quarter: Quarter, n: int, *, title: str = "Berita tambahan", draft: bool = False) -> None:
    """``n`` more TERBIT rows in Review, copies of a published one with their own ID, title and link."""
    rows = quarter.rows("Review")
    col = {h: i for i, h in enumerate(rows[0])}
    model = next(r for r in rows[1:] if r[col[ReviewColumn.STATUS]] == "TERBIT" and "blogspot" in r[col[ReviewColumn.POST_URL]])
    extra = []
    for k in range(n):
        row = list(model)
        row[col[ReviewColumn.ID]] = f"MM-2026-{5000 + k}"
        row[col[ReviewColumn.TITLE]] = title if n == 1 else f"{title} {k + 1:03d}"
        row[col[ReviewColumn.POST_URL]] = (f"https://www.blogger.com/blog/post/edit/7000000000000000002/{900 + k}" if draft
                                           else f"https://kimbalangan.blogspot.com/2026/08/tambahan-{k + 1:03d}.html")
        row[col[ReviewColumn.FINGERPRINT]] = ""
        extra.append(row)
    quarter.sandbox.state.set_sheet_rows(QUARTER_SPREADSHEET_ID, "Review", rows + extra)


def _pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _pdf(quarter: Quarter, out: Path, **overrides: Any) -> Path:
    result = quarter.report(out, **overrides)
    (pdf,) = [p for p in result.files if p.suffix == ".pdf"]
    return pdf


def test_pdf_pages_are_a4_landscape_and_numbered(quarter: Quarter, tmp_path: Path) -> None:
    """The officer's printer would get Letter portrait pages, or pages without 'Halaman X dari Y'."""
    _add_published(quarter, 60)
    pdf = _pdf(quarter, tmp_path / "out")
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4_LANDSCAPE
    pages = _pages(pdf)
    for n, text in enumerate(pages, start=1):
        assert f"Halaman {n} dari {len(pages)}" in text


def test_pdf_has_the_kop_the_title_and_the_signature_from_config(quarter: Quarter, tmp_path: Path) -> None:
    """The printed report would lack its letterhead, its contacts, or who signs and who prepared it."""
    pdf = _pdf(quarter, tmp_path / "out", report__address="Jl. Contoh No. 1, Paringin 71618", report__telephone="(0526) 000000",
               report__email="diskominfo@balangankab.example", report__website="diskominfo.balangankab.example",
               report__signer_name="Drs. H. Contoh Nama, M.Si", report__signer_rank="Pembina Utama Muda (IV/c)",
               report__signer_nip="19700101 199003 1 001", report__preparer_title="Pranata Komputer Ahli Muda",
               report__preparer_name="Rina Contoh, S.Kom")
    pages = _pages(pdf)
    first, last = (" ".join(text.split()) for text in (pages[0], pages[-1]))
    for line in ("PEMERINTAH KABUPATEN BALANGAN", "DINAS KOMUNIKASI, INFORMATIKA, STATISTIK DAN PERSANDIAN",
                 "Jl. Contoh No. 1, Paringin 71618", "Telepon (0526) 000000", "Pos-el diskominfo@balangankab.example",
                 "Laman diskominfo.balangankab.example",
                 "LAPORAN MONITORING DAN EVALUASI KEMITRAAN KOMUNIKASI DENGAN KIM",
                 "Periode: Triwulan III 2026 (01/07/2026 s.d. 30/09/2026)", "Dibuat: 5 Oktober 2026 pukul 10.00 WITA"):
        assert line in first, line
    assert "SEMENTARA" not in first
    for line in ("Paringin, 5 Oktober 2026", "Mengetahui,", "Kepala Dinas Komunikasi, Informatika, Statistik dan Persandian",
                 "Drs. H. Contoh Nama, M.Si", "Pembina Utama Muda (IV/c)", "NIP. 19700101 199003 1 001", "Yang membuat,",
                 "Pranata Komputer Ahli Muda", "Rina Contoh, S.Kom"):
        assert line in last, line


def test_every_page_of_a_long_table_repeats_its_header_and_no_row_is_cut(quarter: Quarter, tmp_path: Path) -> None:
    """A table over several pages would print pages of numbers with no column names, or a row half on each page."""
    _add_published(quarter, 120)
    pages = _pages(_pdf(quarter, tmp_path / "out"))
    with_rows = [text for text in pages if "Berita tambahan" in text]
    assert len(with_rows) >= 4  # Tabel 5.2 and the comments table both run over pages
    for text in with_rows:
        # Tabel 5.2's header, or the comments table's: whichever table the page continues
        assert ("Aktivitas Diseminasi" in text and "Link Media" in text) or ("Judul" in text and "Komentar" in text)
        assert text.count("Aktivitas Diseminasi") <= 1  # once at the top of the page, never again mid-page
    for k in range(1, 121):
        # Each row's title and its link are on the same page, in both tables that list it
        title, link = f"Berita tambahan {k:03d}", f"tambahan-{k:03d}"
        on = [n for n, text in enumerate(pages) if title in text]
        assert len(on) in (1, 2) and all(link in pages[n].replace("\n", "") for n in on), title


def test_signature_is_on_the_page_of_the_last_table(quarter: Quarter, tmp_path: Path) -> None:
    """The signature would stand alone on a last page, which no officer can hand in."""
    _add_published(quarter, 40)
    pages = _pages(_pdf(quarter, tmp_path / "out", report__signer_name="Drs. H. Contoh Nama, M.Si"))
    (signed,) = [n for n, text in enumerate(pages) if "Mengetahui," in text]
    assert signed == len(pages) - 1
    text = pages[signed]
    assert "9. Berita terbit per kecamatan per bulan" in text and "Sep 2026" in text  # the last table's last row


def test_workbook_cells_are_typed_and_a_submitted_formula_stays_text(quarter: Quarter, tmp_path: Path) -> None:
    """Excel would show numbers as text, times as text, or run a formula a submitter typed as a title."""
    _add_published(quarter, 1, title=EVIL)
    result = quarter.report(tmp_path / "out")
    (path,) = [p for p in result.files if p.suffix == ".xlsx"]
    wb = load_workbook(path)
    assert wb.sheetnames == ["Sampul", "1. Tabel 5.2", "2. Ringkasan kecamatan", "3. Ringkasan KIM", "4. Komentar",
                             "5. Tayangan", "6. Tindak lanjut", "7. Peringkat", "8. Tabel 3.3", "9. Terbit per bulan"]
    cover = [c.value for c in wb["Sampul"]["A"] if c.value]
    assert cover[:2] == ["PEMERINTAH KABUPATEN BALANGAN", "DINAS KOMUNIKASI, INFORMATIKA, STATISTIK DAN PERSANDIAN"]
    ws = wb["1. Tabel 5.2"]
    assert [c.value for c in ws[3]] == ["No", "Nama Kelompok", "Aktivitas Diseminasi", "Format (berita)", "Jumlah Kegiatan",
                                        "Keterangan Waktu (WITA)", "Link Media"]
    first = [c for c in ws[4]]
    assert first[0].value == 1 and first[0].data_type == "n"
    assert first[5].value == datetime(2026, 9, 1, 19, 0) and first[5].is_date
    assert first[1].data_type == "s" and first[6].data_type == "s"
    evil = [row for row in ws.iter_rows(min_row=4) if row[2].value == EVIL]
    assert len(evil) == 1 and evil[0][2].data_type == "s"
    kec = wb["2. Ringkasan kecamatan"]
    total = next(row for row in kec.iter_rows(min_row=4) if row[0].value == "Jumlah")
    assert [c.value for c in total[1:11]] == [14, 12, 8, 4, 7, 1, 11.0, 48.0, 12.0, 24.0]
    assert total[7].number_format == "0.0"
    rank = wb["7. Peringkat"]
    assert rank["E4"].value == 1.0 and rank["E4"].number_format == "0%"
    # No cell of any sheet is a formula: the file holds no <f> element at all
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]
    for sheet in wb.worksheets[1:]:
        assert sheet.freeze_panes == "A4"
        assert sheet.print_title_rows == "$3:$3"
        assert (str(sheet.page_setup.paperSize), sheet.page_setup.orientation) == (str(sheet.PAPERSIZE_A4), "landscape")
        assert all(sheet.column_dimensions[c].width >= 6 for c in "ABC")
    assert wb["1. Tabel 5.2"].column_dimensions["A"].width < wb["1. Tabel 5.2"].column_dimensions["C"].width


def test_drafts_waiting_in_blogger_are_counted_and_said(quarter: Quarter, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """In draft mode the report would say '0 published' with no word of the approved items waiting in Blogger."""
    _add_published(quarter, 4, draft=True)
    quarter.deps().close()
    code = main(["report", "-c", str(quarter.workdir / "bridge.toml"), "--period", "2026-Q3"], clock=quarter.sandbox.clock)
    assert code == EXIT_OK
    assert capsys.readouterr().out.splitlines()[0] == (
        "Report 2026-Q3 (Triwulan III 2026): 5 published item(s), 4 approved item(s) waiting as drafts in Blogger; "
        "tab 'Laporan 2026-Q3' written")
    notes = quarter.report().report.table("tabel-5-2-diseminasi").notes
    assert notes == ("Dalam periode ini 5 berita dari 3 KIM terbit di website.",
                     "4 berita lain sudah disetujui tetapi masih berupa draf di Blogger (mode draf) dan belum tampil di "
                     "website; terbitkan dari Blogger agar terhitung.")


def test_a_period_ending_after_today_is_refused_unless_asked(quarter: Quarter, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A typo such as 2027-05 would write an empty report silently, and a running month would look final."""
    quarter.deps().close()
    cfg = str(quarter.workdir / "bridge.toml")
    assert main(["report", "-c", cfg, "--period", "2027-05"], clock=quarter.sandbox.clock) == EXIT_CONFIG
    assert capsys.readouterr().err == (
        "Error: --period 2027-05 ends on 31/05/2027, after today (05/10/2026): its report would be incomplete; "
        "add --allow-future for a provisional (SEMENTARA) report\n")
    assert "Laporan 2027-05" not in [s["title"] for s in quarter.sandbox.state.to_json()["spreadsheets"][0]["sheets"]]
    out = tmp_path / "oktober"
    assert main(["report", "-c", cfg, "--period", "2026-10", "--allow-future", "--out", str(out)],
                clock=quarter.sandbox.clock) == EXIT_OK
    assert capsys.readouterr().out.startswith("Report 2026-10 (Oktober 2026) (provisional: the period has not ended): ")
    title = "LAPORAN MONITORING DAN EVALUASI KEMITRAAN KOMUNIKASI DENGAN KIM (SEMENTARA)"
    assert title in _pages(out / "laporan-2026-10.pdf")[0]
    assert [r[0] for r in quarter.rows("Laporan 2026-10")][3] == title
    assert load_workbook(out / "laporan-2026-10.xlsx")["Sampul"]["A4"].value == title


def test_the_pdf_draws_text_outside_latin_1_without_failing(quarter: Quarter, tmp_path: Path) -> None:
    """A title with an emoji or a non-Latin letter would stop the PDF and with it the monthly report."""
    _add_published(quarter, 1, title="Panen raya \U0001f33e di Juai \u2013 \u0101")
    pages = _pages(_pdf(quarter, tmp_path / "out"))
    assert any(re.search(r"Panen raya \S* di Juai", text) for text in pages)


def test_drive_folder_gets_the_pdf_and_the_workbook_and_a_rerun_replaces_them(quarter: Quarter, tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Officers could not download the report from Drive, or would find a stale copy beside each rerun's."""
    from bridge.sandbox.seed import BRIDGE_ACCOUNT, FORM_OWNER

    folder = "1LaporanFolder000000000000000000"
    with quarter.sandbox.state.lock:
        quarter.sandbox.state.data["drive"]["files"].append({
            "id": folder, "name": "Laporan KIM", "mimeType": "application/vnd.google-apps.folder", "owner": FORM_OWNER,
            "parents": [], "createdTime": "2026-10-01T00:00:00.000Z", "content_b64": "",
            "permissions": [{"kind": "drive#permission", "id": "10000000000000000002", "type": "user", "role": "writer",
                             "emailAddress": BRIDGE_ACCOUNT}]})
    quarter.deps(report__drive_folder_id=folder).close()
    cfg = str(quarter.workdir / "bridge.toml")
    for _ in range(2):
        assert main(["report", "-c", cfg, "--period", "2026-Q3"], clock=quarter.sandbox.clock) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    in_folder = [f for f in quarter.sandbox.state.data["drive"]["files"] if folder in f.get("parents", [])]
    assert sorted(f["name"] for f in in_folder) == ["laporan-2026-Q3.pdf", "laporan-2026-Q3.xlsx"]
    assert out[-8:-6] == [f"  Drive: https://drive.google.com/file/d/{f['id']}/view" for f in in_folder]
    assert all(not f["permissions"] for f in in_folder)  # shared as the folder is, never with anyone
    assert [r[0] for r in quarter.rows("Laporan 2026-Q3")][6] == (
        f"PDF untuk dicetak dan Excel: https://drive.google.com/drive/folders/{folder}")


def test_the_kabupatens_logo_from_config_is_on_the_kop(quarter: Quarter, tmp_path: Path) -> None:
    """The kop would show the placeholder even though IT staff named the kabupaten's logo file."""
    from tests.images import png

    logo = tmp_path / "logo-balangan.png"
    logo.write_bytes(png(200, 240, alpha=True))
    with_logo = PdfReader(_pdf(quarter, tmp_path / "a", report__logo=str(logo)))
    without = PdfReader(_pdf(quarter, tmp_path / "b"))
    assert len(with_logo.pages[0].images) == 1
    assert len(without.pages[0].images) == 0  # the placeholder is drawn, not an image
    assert "LOGO" in (without.pages[0].extract_text() or "") and "LOGO" not in (with_logo.pages[0].extract_text() or "")
