"""Validation rules → reasons officers understand (Indonesian) and logs record (English)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bridge.core import validate
from bridge.core.model import FormResponse, KimColumn, KimRecord, Status, Submission
from bridge.core.validate import KimRegistry, Rules, content_key
from bridge.core.wilayah import WilayahIndex
from tests.conftest import default_settings, validation_rules
from tests.core.conftest import BODY, KIMS, TODAY, make_response


def run(
    response: FormResponse,
    wilayah: WilayahIndex,
    registry: KimRegistry,
    rules: Rules | None = None,
    known: dict[str, str] | None = None,
    email_collected: bool = True,
    today: date = TODAY,
) -> Submission:
    return validate.validate(
        response,
        fingerprint="abcd",
        wilayah=wilayah,
        registry=registry,
        rules=rules or validation_rules(),
        known_contents=known or {},
        today=today,
        email_collected=email_collected,
    )


def codes(sub: Submission) -> list[str]:
    return [r.code for r in sub.reasons]


def test_valid_response_gets_official_names_and_kim(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Good news from a registered KIM would be marked TIDAK VALID or filed under a misspelled place."""
    sub = run(make_response(kecamatan="kec. batumandi", desa="Lokbatu", email="Operator@LokBatu.id "), wilayah, registry)
    assert sub.reasons == ()
    assert sub.status is Status.MENUNGGU
    assert (sub.kecamatan, sub.desa, sub.kim) == ("Batu Mandi", "Lok Batu", "KIM Lok Batu Bersatu")
    assert sub.email == "operator@lokbatu.id" and sub.fingerprint == "abcd" and sub.row_number == 2


def test_all_failures_are_reported_together(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Officers would fix one problem only to discover the next on the following cycle."""
    sub = run(make_response(kecamatan="", desa="", operator=" ", title="", body="", received_at=None, raw_timestamp=""), wilayah, registry)
    assert codes(sub) == ["timestamp_unreadable", "kecamatan_empty", "desa_empty", "operator_empty", "title_empty", "body_empty"]
    assert sub.status is Status.TIDAK_VALID
    assert all(r.id and r.en for r in sub.reasons)


def test_unknown_kecamatan_suggests_the_official_name(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Operators would not learn which kecamatan they meant."""
    sub = run(make_response(kecamatan="Lampihang", desa="Lok Batu"), wilayah, registry)
    (reason,) = [r for r in sub.reasons if r.code == "kecamatan_unknown"]
    assert reason.id == "Kecamatan 'Lampihang' tidak dikenal di Kabupaten Balangan. Maksud Anda Lampihong?"
    assert "did you mean Lampihong?" in reason.en
    assert sub.kecamatan == "Lampihang"  # not recognised: kept as typed


def test_unknown_kecamatan_hints_where_the_desa_is(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Officers would have to look up which kecamatan a desa belongs to."""
    sub = run(make_response(kecamatan="Balangan Utara", desa="Lok Batu"), wilayah, registry)
    (reason,) = [r for r in sub.reasons if r.code == "kecamatan_unknown"]
    assert reason.id.endswith("Desa Lok Batu ada di Kecamatan Batu Mandi.")


def test_desa_in_another_kecamatan_is_named(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """The officer would see 'unknown desa' when the operator simply picked the wrong kecamatan."""
    sub = run(make_response(kecamatan="Paringin", desa="Lok Batu"), wilayah, registry)
    assert codes(sub) == ["desa_wrong_kecamatan"]
    assert sub.reasons[0].id == (
        "Desa Lok Batu ada di Kecamatan Batu Mandi, bukan Kecamatan Paringin. "
        "Minta operator mengirim ulang dengan Kecamatan dan Desa/Kelurahan yang benar."
    )


def test_unknown_desa_suggests_names_in_that_kecamatan(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Operators would not learn the official desa spelling."""
    sub = run(make_response(kecamatan="Batu Mandi", desa="Lok Batuu Raya"), wilayah, registry)
    (reason,) = sub.reasons
    assert reason.code == "desa_unknown"
    assert reason.id.startswith("Desa/Kelurahan 'Lok Batuu Raya' tidak ada di Kecamatan Batu Mandi. Maksud Anda Lok Batu")


def test_no_kim_for_desa(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """News from a desa without a registered KIM would be published as if it were a partner."""
    sub = run(make_response(kecamatan="Juai", desa="Mihu"), wilayah, registry)
    assert codes(sub) == ["kim_missing"]
    assert "Belum ada KIM terdaftar untuk Desa Mihu, Kecamatan Juai" in sub.reasons[0].id


def test_frozen_partnership_and_expired_sk(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """News from a frozen KIM or one with an expired SK would pass unchecked."""
    frozen = run(make_response(kecamatan="Juai", desa="Hamarung"), wilayah, registry, email_collected=False)
    assert codes(frozen) == ["kim_inactive"]
    assert frozen.reasons[0].id == "Kemitraan KIM Hamarung berstatus DIBEKUKAN (istilah Juknis: DITINJAU); berita hanya diterima dari KIM AKTIF."
    expired = run(make_response(kecamatan="Juai", desa="Juai", email="juai@kim.id"), wilayah, registry)
    assert codes(expired) == ["sk_expired"]
    assert expired.reasons[0].id == (
        "SK KIM Juai Maju sudah berakhir pada 31/12/2025. Setelah SK diperpanjang, perbarui kolom SK Berlaku Sampai di tab KIM."
    )
    assert run(make_response(kecamatan="Juai", desa="Juai", email="juai@kim.id"), wilayah, registry, today=date(2025, 12, 31)).valid


def test_registry_tolerates_loose_spelling_and_status_case(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """A KIM registered as 'Kel. Paringin Kota' with status 'Aktif' would be reported missing or inactive."""
    sub = run(make_response(kecamatan="Paringin", desa="Paringin Kota"), wilayah, registry, email_collected=False)
    assert sub.valid and sub.kim == "KIM Paringin Kota"
    assert registry.for_desa("Batu Mandi", "Lok Batu")[0].name == "KIM Lok Batu Bersatu"
    assert [k.name for k in registry.by_email(" JUAI@kim.id")] == ["KIM Juai Maju"]


def test_unregistered_email_only_when_collected_and_required(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Strangers could post as a KIM, or forms without e-mail collection would reject everyone."""
    stranger = make_response(email="orang@lain.id")
    sub = run(stranger, wilayah, registry)
    assert codes(sub) == ["email_unregistered"]
    assert sub.reasons[0].id.startswith("Email 'orang@lain.id' tidak terdaftar sebagai operator KIM Lok Batu Bersatu.")
    assert run(stranger, wilayah, registry, email_collected=False).valid
    assert run(stranger, wilayah, registry, rules=validation_rules(require_registered_email=False)).valid
    other = run(make_response(email="juai@kim.id"), wilayah, registry)
    assert "Email ini terdaftar untuk KIM Juai Maju." in other.reasons[0].id


def test_kim_without_registered_emails(wilayah: WilayahIndex) -> None:
    """Officers would not learn that the registry lacks the KIM's operator e-mails."""
    reg = KimRegistry([KimRecord(name="KIM Tanpa Email", kecamatan="Batu Mandi", desa="Lok Batu", partnership="AKTIF")])
    sub = run(make_response(), wilayah, reg)
    assert codes(sub) == ["email_unregistered"]
    assert sub.reasons[0].id.startswith("Kolom Email Operator untuk KIM Tanpa Email di tab KIM masih kosong")


def test_title_and_body_lengths(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Overlong titles or one-line 'news' would reach the blog unnoticed."""
    long_title = run(make_response(title="Judul " * 40), wilayah, registry)
    assert codes(long_title) == ["title_too_long"] and len(long_title.title) <= 150
    assert "Judul terlalu panjang (239 karakter, maksimal 150)" in long_title.reasons[0].id
    short = run(make_response(body="Singkat."), wilayah, registry)
    assert codes(short) == ["body_too_short"]
    assert short.reasons[0].id.startswith("Isi berita terlalu pendek (8 karakter, minimal 50)")
    long_body = run(make_response(body="kata " * 5000), wilayah, registry, rules=validation_rules(body_max=1000))
    assert codes(long_body) == ["body_too_long"] and len(long_body.body) <= 1000


def test_text_is_sanitized(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Hidden characters would reach the Review tab and the blog."""
    sub = run(make_response(title=" Judul\u202e  baru\u200b ", operator="Siti\u0000 Aminah", body=BODY + "\r\n\r\n\r\nPenutup."), wilayah, registry)
    assert sub.valid
    assert sub.title == "Judul baru" and sub.operator == "Siti Aminah" and sub.body.endswith("hujan.\n\nKegiatan dipimpin kepala desa dan diikuti sekitar lima puluh warga.\n\nPenutup.")


def test_duplicate_content_names_the_earlier_submission(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """The same news sent twice would be queued twice without a warning."""
    first = make_response()
    key = content_key("  SITI aminah", first.title.upper(), first.body.replace(" ", "  "))
    sub = run(replace(first, raw_timestamp="46091.1"), wilayah, registry, known={key: "MM-2026-0003"})
    assert codes(sub) == ["duplicate"]
    assert sub.reasons[0].id == "Kiriman ganda: operator, judul dan isinya sama dengan kiriman MM-2026-0003. Cukup terbitkan salah satu."
    assert content_key("a", "b", "c") != content_key("a", "b", "d")


def test_formula_like_title_needs_an_officers_look(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """A title like =HYPERLINK(...) would go to the blog without anyone noticing the injection attempt."""
    sub = run(make_response(title='=HYPERLINK("http://x.example","Klik")'), wilayah, registry)
    assert codes(sub) == ["title_formula"]
    assert sub.title.startswith("=HYPERLINK")  # kept as text; RAW writes keep it text in the sheet
    assert "rumus" in sub.reasons[0].id


def test_unreadable_timestamp_quotes_the_cell(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """Officers would not know which row's time was unreadable."""
    sub = run(make_response(received_at=None, raw_timestamp="besok pagi", row_number=9), wilayah, registry)
    assert sub.reasons[0].id == "Stempel waktu 'besok pagi' tidak terbaca; periksa baris 9 di tab jawaban formulir."


def test_photo_links_must_be_drive_links(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """A non-Drive photo link would fail only at publishing time, after approval."""
    sub = run(make_response(photos=("https://drive.google.com/open?id=1AbCdEfGhIjKlMnOp", "https://evil.example/x.jpg")), wilayah, registry)
    assert codes(sub) == ["photo_not_drive"]
    assert "Tautan foto ke-2 'https://evil.example/x.jpg' bukan tautan Google Drive" in sub.reasons[0].id
    assert run(make_response(photos=()), wilayah, registry).valid


def test_rules_from_settings() -> None:
    """Changing [intake] limits in the config would have no effect."""
    d = default_settings()
    settings = replace(d, title_max=80, body_min=10, body_max=500, require_registered_email=False,
                       photos=replace(d.photos, max_photos=3))
    assert settings.validation_rules() == Rules(80, 10, 500, False, 3)


def test_unvalidated_and_with_id() -> None:
    """A crash in a rule would lose the row instead of queueing it for a human."""
    sub = validate.unvalidated(make_response(title="Judul\u200b"), "fp", "KeyError: x")
    assert sub.status is Status.TIDAK_VALID and sub.title == "Judul" and sub.reasons[0].code == "internal_error"
    assert validate.with_id(sub, "MM-2026-0009").id == "MM-2026-0009"


@pytest.mark.parametrize("status", ["TIDAK AKTIF", "nonaktif", "Dibekukan", "", "Vakum"])
def test_is_active_reads_loose_status(status: str) -> None:
    """A KIM marked 'nonaktif' by hand, left blank or given an unknown status would still be treated as active."""
    assert not validate.is_active(KimRecord(name="K", kecamatan="", desa="", partnership=status))
    for active in ("AKTIF", " aktif ", "Aktif"):
        assert validate.is_active(KimRecord(name="K", kecamatan="", desa="", partnership=active))


def _lok_batu(**changes: object) -> KimRegistry:
    return KimRegistry([replace(KIMS[0], **changes)])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("partnership", "shown"),
    [("", "Status Kemitraan KIM Lok Batu Bersatu kosong di tab KIM"), ("VAKUM", "Status Kemitraan KIM Lok Batu Bersatu berisi 'VAKUM', yang tidak dikenal")],
)
def test_blank_or_unknown_partnership_is_not_active(wilayah: WilayahIndex, partnership: str, shown: str) -> None:
    """A KIM whose status is blank or 'Vakum' would pass as if it were an active partner."""
    sub = run(make_response(), wilayah, _lok_batu(partnership=partnership))
    assert codes(sub) == ["kim_status_unknown"]
    assert sub.reasons[0].id.startswith(shown) and "AKTIF" in sub.reasons[0].id


def test_unreadable_sk_expiry_is_not_a_pass(wilayah: WilayahIndex) -> None:
    """An SK expiry typed as 'akhir 2027' would count as 'no expiry' and let the news through."""
    sub = run(make_response(), wilayah, _lok_batu(sk_until=None, sk_until_unreadable="akhir 2027"))
    assert codes(sub) == ["sk_unreadable"]
    assert sub.reasons[0].id == (
        "SK Berlaku Sampai untuk KIM Lok Batu Bersatu berisi 'akhir 2027', bukan tanggal; "
        "tulis tanggalnya seperti 31/12/2027 atau 31 Desember 2027 di tab KIM."
    )


def test_missing_registry_column_fails_the_checks_that_need_it(wilayah: WilayahIndex) -> None:
    """A renamed 'Status Kemitraan' or 'Email Operator' header would silently switch those checks off."""
    frozen = KimRecord(name="KIM Lok Batu", kecamatan="Batu Mandi", desa="Lok Batu", partnership="DIBEKUKAN")
    no_status = run(make_response(), wilayah, KimRegistry([frozen], missing=["Status Kemitraan"]), email_collected=False)
    assert codes(no_status) == ["kim_column_missing"]
    assert no_status.reasons[0].id.startswith("Kolom 'Status Kemitraan' tidak ada di tab KIM, sehingga status kemitraan tidak bisa diperiksa.")
    no_email = run(make_response(), wilayah, KimRegistry(KIMS, missing=["Email Operator"]))
    assert codes(no_email) == ["kim_column_missing"] and "'Email Operator'" in no_email.reasons[0].id
    assert run(make_response(), wilayah, KimRegistry(KIMS, missing=["Email Operator"]), email_collected=False).valid
    no_names = run(make_response(), wilayah, KimRegistry(KIMS, missing=["Nama KIM", "Desa/Kelurahan"]))
    assert codes(no_names) == ["kim_column_missing"] and "Kolom 'Nama KIM', 'Desa/Kelurahan' tidak ada" in no_names.reasons[0].id
    unchecked = validate.kim_columns_needed(validation_rules(), email_collected=True)
    assert KimRegistry(KIMS, missing=["Telepon", "Status Kemitraan"]).missing_of(unchecked) == (KimColumn.PARTNERSHIP,)


def test_edit_of_an_earlier_submission_is_flagged_for_the_same_sender() -> None:
    """An edited form response would reach officers as a new item, to be approved and published twice."""
    sub = validate.unvalidated(make_response(), "fp", "x")
    sub = replace(sub, reasons=(), email="operator@lokbatu.id", operator="Siti Aminah")
    assert validate.same_sender(sub, "Someone Else", " Operator@LokBatu.id")
    assert not validate.same_sender(sub, "Siti Aminah", "lain@kim.id")
    assert validate.same_sender(replace(sub, email=""), " siti  AMINAH", "")
    flagged = validate.as_edit_of(sub, "MM-2026-0002")
    assert flagged.status is Status.TIDAK_VALID
    assert flagged.reasons[-1].id == (
        "Tampaknya ini suntingan dari kiriman MM-2026-0002 (baris formulir yang sama). Periksa keduanya dan terbitkan salah satu saja."
    )


INVISIBLE_TITLES = ["\u2800\u2800\u2800", "\u3164", "\u00ad\u00ad", "\U000e0042\U000e0065\U000e0072\U000e0069\U000e0074\U000e0061",
                    "\u2800 \u3164 \u00ad", "\u115f\u1160\uffa0", "\u034f\ufe0f", "\u0301\u0302"]


@pytest.mark.parametrize("title", INVISIBLE_TITLES)
def test_a_title_of_only_invisible_characters_is_not_valid(wilayah: WilayahIndex, registry: KimRegistry, title: str) -> None:
    """A title of Braille blanks, Hangul fillers, soft hyphens or tag characters would pass and publish as a blank title."""
    sub = run(make_response(title=title), wilayah, registry)
    assert "title_invisible" in codes(sub)
    (reason,) = [r for r in sub.reasons if r.code == "title_invisible"]
    assert reason.id.startswith("Judul hanya berisi karakter yang tidak terlihat (U+") and "judul kosong" in reason.id


def test_a_body_of_only_invisible_characters_is_not_valid(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """A body of 60 Braille blanks would pass the 50-character minimum and publish an empty post."""
    sub = run(make_response(body="\u2800" * 60 + "\n\n" + "\U000e0041" * 10), wilayah, registry)
    assert "body_invisible" in codes(sub) and "body_too_short" not in codes(sub)
    assert "(U+2800, U+000A" not in next(r.id for r in sub.reasons if r.code == "body_invisible")


def test_visible_text_with_invisible_characters_inside_stays_valid(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """A real title with a soft hyphen or an emoji variation selector would be refused as invisible."""
    sub = run(make_response(title="Panen\u00ad raya \u2764\ufe0f di Desa"), wilayah, registry)
    assert "title_invisible" not in codes(sub)


def test_more_photo_links_than_allowed_is_one_reason_and_no_link_is_judged(wilayah: WilayahIndex, registry: KimRegistry) -> None:
    """A Foto cell of a thousand links would fill Catatan Sistem with a thousand reasons (and cost a thousand Drive reads)."""
    links = tuple(f"https://example.com/{i}.jpg" for i in range(1000))
    sub = run(make_response(photos=links), wilayah, registry, validation_rules(max_photos=10))
    assert codes(sub).count("photo_too_many") == 1 and codes(sub).count("photo_not_drive") == 10
    assert "Ada 1000 tautan foto; paling banyak 10 foto per berita" in next(r.id for r in sub.reasons if r.code == "photo_too_many")
