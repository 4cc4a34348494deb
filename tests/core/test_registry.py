"""The KIM registry's self-check and the partnership alerts, on plain records."""

from __future__ import annotations

from datetime import date

from bridge.core.model import KimRecord, Partnership
from bridge.core.registry import check_registry, partnership_alerts, partnership_of, summarise_alerts
from bridge.core.wilayah import WilayahIndex

GOOD = dict(kecamatan="Paringin", desa="Lasung Batu", partnership="AKTIF")


def _kim(row: int, name: str, **changes: object) -> KimRecord:
    values: dict[str, object] = {**GOOD, "name": name, "row_number": row}
    values.update(changes)
    return KimRecord(**values)  # type: ignore[arg-type]


def test_old_partnership_words_still_work_as_juknis_terms() -> None:
    """A registry typed before the Juknis terms would suddenly stop or start KIM."""
    assert partnership_of(_kim(2, "A", partnership="tidak aktif")) is Partnership.DIHENTIKAN
    assert partnership_of(_kim(2, "A", partnership="DIBEKUKAN")) is Partnership.DITINJAU
    assert partnership_of(_kim(2, "A", partnership="ditinjau")) is Partnership.DITINJAU
    assert partnership_of(_kim(2, "A", partnership="Vakum")) is None


def test_self_check_names_each_problem_per_row_in_plain_indonesian(wilayah: WilayahIndex) -> None:
    """Officers would not learn which registry row is wrong, or why."""
    records = [
        _kim(2, "KIM Lasung Batu Bersatu", nomor_induk="KIM-1", operator_emails=frozenset({"op@x.id"}), emails_typed=("op@x.id",)),
        _kim(3, "kim lasung batu  bersatu", nomor_induk="KIM-2"),
        _kim(4, "KIM Dua", nomor_induk="KIM-1", desa="Pudak", kecamatan="Paringin"),
        _kim(5, "KIM Tiga", desa="Desa Antah"),
        _kim(6, "KIM Empat", sk_date_unreadable="kemarin", sk_until_unreadable="akhir 2027"),
        _kim(7, "KIM Lima", operator_emails=frozenset({"op@x.id"}), emails_typed=("op@x.id", "bukan-email")),
        _kim(8, "KIM Enam", partnership="DITINJAU"),
        _kim(9, "KIM Tujuh", kecamatan="Kota Baru", tipe="C", power_unreadable="banyak"),
        _kim(10, ""),
    ]
    lines = [p.id for p in check_registry(records, wilayah)]
    assert lines == [
        "Baris 3 (kim lasung batu  bersatu): Nama KIM sama dengan baris 2; satu KIM cukup satu baris.",
        "Baris 4 (KIM Dua): Nomor Induk Komunitas KIM-1 sudah dipakai KIM Lasung Batu Bersatu (baris 2).",
        "Baris 4 (KIM Dua): Desa Pudak ada di Kecamatan Awayan, bukan Kecamatan Paringin; perbaiki Kecamatan atau Desa/Kelurahan.",
        "Baris 5 (KIM Tiga): Desa/Kelurahan 'Desa Antah' tidak ada di Kecamatan Paringin.",
        "Baris 6 (KIM Empat): Tanggal SK 'kemarin' bukan tanggal; tulis seperti 31/12/2027 atau 31 Desember 2027.",
        "Baris 6 (KIM Empat): SK Berlaku Sampai 'akhir 2027' bukan tanggal; tulis seperti 31/12/2027 atau 31 Desember 2027.",
        "Baris 7 (KIM Lima): Email Operator 'bukan-email' bukan alamat email yang benar.",
        "Baris 7 (KIM Lima): Email Operator op@x.id juga terdaftar untuk KIM Lasung Batu Bersatu (baris 2); satu operator hanya "
        "untuk satu KIM.",
        "Baris 8 (KIM Enam): Status Kemitraan DITINJAU tanpa Alasan Status; tulis alasannya (mis. SK berakhir, pengurus ASN, "
        "pindah kabupaten, bubar).",
        "Baris 9 (KIM Tujuh): Kecamatan 'Kota Baru' tidak dikenal di Kabupaten Balangan.",
        "Baris 9 (KIM Tujuh): Tipe KIM 'C' tidak dikenal; pilih A atau B.",
        "Baris 9 (KIM Tujuh): Kekuatan (jangkauan) 'banyak' tidak terbaca sebagai jumlah; tulis angkanya saja, mis. 1250.",
        "Baris 10 (tanpa nama): Nama KIM kosong; baris ini diabaikan sampai namanya diisi.",
    ]


def test_alerts_for_sk_status_and_quiet_kim() -> None:
    """An SK running out, a KIM under review or gone quiet would go unnoticed until too late."""
    today = date(2026, 9, 30)
    records = [
        _kim(2, "KIM Segera", sk_until=date(2026, 11, 29)),  # 60 days: warned
        _kim(3, "KIM Nanti", sk_until=date(2026, 11, 30)),  # 61 days: not yet
        _kim(4, "KIM Lewat", sk_until=date(2026, 9, 29)),
        _kim(5, "KIM Tinjau", partnership="DITINJAU", status_reason="Pengurus berafiliasi partai"),
        _kim(6, "KIM Henti", partnership="DIHENTIKAN", status_reason="Pindah kabupaten", ended=date(2026, 8, 1),
             sk_until=date(2020, 1, 1)),
        _kim(7, "KIM Sepi"),
    ]
    last = {"kim segera": date(2026, 9, 1), "kim nanti": date(2026, 7, 2), "kim lewat": date(2026, 7, 1), "kim sepi": date(2026, 1, 1)}
    alerts = partnership_alerts(records, last, today, sk_warning_days=60, quiet_days=90)
    assert [(a.kim, a.id) for a in alerts] == [
        ("KIM Lewat", "SK berakhir pada 29/09/2026; perlu diperpanjang."),
        ("KIM Segera", "SK berakhir pada 29/11/2026 (60 hari lagi); siapkan perpanjangan."),
        ("KIM Henti", "Kemitraan dihentikan sejak 01/08/2026. Alasan: Pindah kabupaten."),
        ("KIM Tinjau", "Kemitraan sedang ditinjau. Alasan: Pengurus berafiliasi partai."),
        ("KIM Lewat", "Kiriman terakhir yang disetujui petugas dikirim pada 01/07/2026, lebih dari 90 hari lalu."),
        ("KIM Sepi", "Kiriman terakhir yang disetujui petugas dikirim pada 01/01/2026, lebih dari 90 hari lalu."),
    ]
    assert summarise_alerts(alerts) == ("partnership alerts: sk_expired 1 (KIM Lewat); sk_expiring 1 (KIM Segera); "
                                        "dihentikan 1 (KIM Henti); ditinjau 1 (KIM Tinjau); quiet 2 (KIM Lewat, KIM Sepi)")


def test_quiet_alert_says_approved_not_received() -> None:
    """A KIM whose news was sent but rejected would read 'no submission received', contradicting
    the Review tab's Diterima column; the alert says none was approved (disetujui) by an officer."""
    (alert,) = partnership_alerts([_kim(2, "KIM Ditolak Terus")], {}, date(2026, 9, 30), sk_warning_days=60, quiet_days=90)
    assert alert.id == "Belum ada kiriman dari KIM ini yang disetujui petugas."
