"""Header mapping and cell reading for the responses, Review and KIM tabs."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bridge.core import columns
from bridge.core.columns import HeaderMap, map_headers
from bridge.core.model import REVIEW_HEADERS, Field, KimColumn, ReviewColumn
from bridge.exceptions import SchemaError
from tests.core.conftest import WITA

FORM_HEADERS = ["Timestamp", "Email Address", "Kecamatan", "Desa/Kelurahan", "Nama Operator", "Judul Berita", "Isi Berita", "Foto Berita"]


def test_normalise_header_ignores_case_spacing_and_punctuation() -> None:
    """Officers' renamed headers like ' desa / KELURAHAN ' would stop being recognised."""
    assert columns.normalise_header("  Desa / KELURAHAN ") == "desa kelurahan"
    assert columns.normalise_header("Diterima (WITA)") == "diterima wita"
    assert columns.normalise_header("Nama_Operator:?") == "nama operator"


def test_map_headers_finds_every_field_of_the_standard_form() -> None:
    """Intake would stop or mis-read columns on the standard MY MEIN form."""
    hmap = map_headers(FORM_HEADERS)
    assert hmap.index == {f: i for i, f in enumerate(Field)}
    assert hmap.missing_required == () and hmap.missing_optional == () and hmap.unknown == ()
    assert hmap.has_email


def test_map_headers_by_text_not_position_with_indonesian_names() -> None:
    """A reordered Indonesian form would put titles into the body column."""
    hmap = map_headers(["Isi", "Judul", "Stempel waktu", "Nama", "Desa", "Kecamatan"])
    assert hmap.index[Field.BODY] == 0 and hmap.index[Field.TITLE] == 1 and hmap.index[Field.TIMESTAMP] == 2
    assert hmap.index[Field.OPERATOR] == 3
    assert hmap.missing_optional == (Field.EMAIL, Field.PHOTO)
    assert not hmap.has_email


def test_map_headers_tolerates_hints_in_parentheses() -> None:
    """A question titled 'Judul Berita (maks. 150 karakter)' would halt intake."""
    hmap = map_headers(["Timestamp", "Judul Berita (maks. 150 karakter)", "Isi Berita", "Kecamatan", "Desa", "Operator"])
    assert hmap.index[Field.TITLE] == 1 and not hmap.missing_required


def test_config_aliases_add_question_titles() -> None:
    """An office that renamed a question could not fix it through the config."""
    hmap = map_headers(["Waktu", "Kec", "Desa", "Operator", "Judul", "Isi"], {"timestamp": ("Waktu",), "kecamatan": ["Kec"], "bogus": ["x"]})
    assert hmap.index[Field.TIMESTAMP] == 0 and hmap.index[Field.KECAMATAN] == 1
    assert not hmap.missing_required


def test_unknown_and_duplicate_headers_are_reported() -> None:
    """A new question or a second 'Judul' column would go unnoticed (or overwrite the first)."""
    hmap = map_headers(FORM_HEADERS + ["Nomor HP", "Judul", ""])
    assert hmap.unknown == ("Nomor HP",)
    assert hmap.duplicates == ((Field.TITLE, "Judul"),)
    assert hmap.index[Field.TITLE] == 5
    assert hmap.columns_of(Field.TITLE) == (5, 9)


@pytest.mark.parametrize("header", ["Alamat E-mail", "E-Mail", "e-mail address", "Email", "Alamat email (wajib)"])
def test_email_header_spellings_are_recognised(header: str) -> None:
    """'Alamat E-mail' would leave the e-mail column unmapped and switch the operator check off."""
    hmap = map_headers(["Timestamp", header, "Kecamatan", "Desa", "Nama Operator", "Judul", "Isi"])
    assert hmap.index.get(Field.EMAIL) == 1 and hmap.has_email and hmap.unknown == ()


def test_unrecognised_question_is_reported_on_the_first_run() -> None:
    """A question the bridge cannot place (e.g. a misspelled e-mail question) would go unnoticed."""
    hmap = map_headers(["Timestamp", "Surel Pengirim", "Kecamatan", "Desa", "Nama Operator", "Judul", "Isi"])
    assert not hmap.has_email
    assert hmap.drift_report(None) == ["question 'Surel Pengirim' is not used by the bridge"]


def test_recreated_question_is_read_from_the_filled_column_and_reported() -> None:
    """After a question is deleted and re-created, new answers would be read from the old, empty column."""
    hmap = map_headers(FORM_HEADERS + ["Judul Berita"])
    old = [46091.5, "a@x.id", "Juai", "Juai", "Ani", "Judul lama", "Isi", "", ""]
    new = [46092.5, "a@x.id", "Juai", "Juai", "Ani", "", "Isi", "", "Judul baru"]
    both = [46093.5, "a@x.id", "Juai", "Juai", "Ani", "Kiri", "Isi", "", "Kanan"]
    assert [columns.row_to_response(r, 2, hmap, WITA).title for r in (old, new, both)] == ["Judul lama", "Judul baru", "Kanan"]
    expected = (
        "question for 'title' is in 2 columns ('Judul Berita' in column 6, 'Judul Berita' in column 9; deleted and re-created?): "
        "each response is read from the rightmost non-empty one"
    )
    assert hmap.drift_report(map_headers(FORM_HEADERS)) == [expected]
    assert hmap.drift_report(HeaderMap.from_json(hmap.to_json())) == []  # reported once, not every cycle


def test_only_question_columns_decide_whether_a_row_is_blank() -> None:
    """An officer's checkbox column (FALSE in every row) would turn blank rows into fake submissions."""
    hmap = map_headers(FORM_HEADERS + ["Sudah dibaca"])
    assert hmap.is_blank(["", "", "", "", "", "", "", "", False])
    assert hmap.is_blank([])
    assert not hmap.is_blank(["", "", "", "", "", "Judul", "", "", False])


def test_require_names_missing_question_in_english_and_indonesian() -> None:
    """An operator would see a bare KeyError instead of which question to restore."""
    hmap = map_headers(["Timestamp", "Kecamatan", "Desa", "Nama Operator", "Isi Berita"])
    assert hmap.missing_required == (Field.TITLE,)
    with pytest.raises(SchemaError) as err:
        columns.require(hmap)
    text = str(err.value)
    assert "required question for 'title' not found (looked for: Judul Berita, Judul, News Title, Title)" in text
    assert "headers seen: Timestamp, Kecamatan, Desa, Nama Operator, Isi Berita" in text
    assert "pertanyaan wajib untuk 'title' tidak ditemukan" in text
    columns.require(map_headers(FORM_HEADERS))  # complete form: no error


def test_header_map_round_trips_through_json() -> None:
    """After a restart the bridge would report every question as newly added."""
    hmap = map_headers(FORM_HEADERS + ["Nomor HP"])
    again = HeaderMap.from_json(hmap.to_json())
    assert again.index == hmap.index and again.unknown == hmap.unknown and again.headers == hmap.headers
    assert hmap.drift_report(again) == []


def test_drift_report_describes_renamed_added_moved_and_removed_questions() -> None:
    """Officers changing the form would get no warning in the log."""
    before = map_headers(FORM_HEADERS + ["Nomor HP"])
    after = map_headers(["Timestamp", "Kecamatan", "Desa", "Nama Operator", "Judul", "Isi Berita", "Foto Berita", "Catatan"])
    report = after.drift_report(before)
    assert "question for 'email' removed (was 'Email Address' in column 2)" in report
    assert "question for 'title' renamed: 'Judul Berita' -> 'Judul'" in report
    assert "question for 'title' moved: column 6 -> 5" in report
    assert "new question 'Catatan' is not used by the bridge" in report
    assert "unused question 'Nomor HP' removed" in report
    assert before.drift_report(None) == ["question 'Nomor HP' is not used by the bridge"]  # first run
    assert map_headers(FORM_HEADERS).drift_report(None) == []


def test_serial_numbers_convert_both_ways_in_wita() -> None:
    """Submission times shown to officers would be off by hours or days."""
    dt = columns.serial_to_datetime(46091.5, WITA)
    assert dt == datetime(2026, 3, 10, 12, 0, tzinfo=WITA)
    assert columns.datetime_to_serial(dt, WITA) == pytest.approx(46091.5)
    assert columns.serial_to_datetime(46091.0000115741, WITA).second == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/03/2026 14.05.30", datetime(2026, 3, 10, 14, 5, 30)),  # id_ID
        ("3/25/2026 9:05:00", datetime(2026, 3, 25, 9, 5, 0)),  # en_US, day-first impossible
        ("3/5/2026 9:05:00 PM", datetime(2026, 3, 5, 21, 5, 0)),  # en_US with AM/PM
        ("05/03/2026 08:00", datetime(2026, 3, 5, 8, 0)),  # ambiguous: day-first
        ("2026-03-10T14:05:30", datetime(2026, 3, 10, 14, 5, 30)),
        ("2026-03-10 14:05", datetime(2026, 3, 10, 14, 5)),
        ("46092.5", datetime(2026, 3, 11, 12, 0)),
    ],
)
def test_parse_datetime_cell_reads_locale_strings(text: str, expected: datetime) -> None:
    """A sheet read as formatted text would give wrong or missing submission times."""
    assert columns.parse_datetime_cell(text, WITA) == expected.replace(tzinfo=WITA)


def test_parse_datetime_cell_converts_aware_iso_and_rejects_garbage() -> None:
    """UTC times would be shown unconverted, or junk would crash intake."""
    assert columns.parse_datetime_cell("2026-03-10T06:00:00+00:00", WITA) == datetime(2026, 3, 10, 14, 0, tzinfo=WITA)
    for junk in ("", "kemarin", "32/13/2026", None, True, "99/99/2026 10:00"):
        assert columns.parse_datetime_cell(junk, WITA) is None


@pytest.mark.parametrize(
    ("link", "file_id"),
    [
        ("https://drive.google.com/open?id=1AbCdEfGhIjKlMnOp", "1AbCdEfGhIjKlMnOp"),
        ("https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view?usp=sharing", "1AbCdEfGhIjKlMnOp"),
        ("https://drive.google.com/uc?export=view&id=1AbCdEfGhIjKlMnOp", "1AbCdEfGhIjKlMnOp"),
        ("drive.google.com/open?id=1AbCdEfGhIjKlMnOp", "1AbCdEfGhIjKlMnOp"),
        ("https://evil.example/open?id=1AbCdEfGhIjKlMnOp", None),
        ("javascript:alert(1)", None),
        ("https://drive.google.com/drive/folders", None),
        ("", None),
    ],
)
def test_drive_file_id(link: str, file_id: str | None) -> None:
    """Photos would be missing from posts, or a non-Drive link would be fetched."""
    assert columns.drive_file_id(link) == file_id


def test_row_to_response_reads_serial_timestamp_short_rows_and_photo_lists() -> None:
    """Responses with trailing empty answers or several photos would be read wrongly."""
    hmap = map_headers(FORM_HEADERS)
    row = [46091.5, "Op@Lokbatu.id ", "Batu Mandi", "Lok Batu", "Siti", "Judul", "Isi", "https://drive.google.com/open?id=AAAAAAAAAA1, https://drive.google.com/open?id=BBBBBBBBBB2"]
    r = columns.row_to_response(row, 7, hmap, WITA)
    assert r.row_number == 7 and r.received_at == datetime(2026, 3, 10, 12, 0, tzinfo=WITA)
    assert r.raw_timestamp == "46091.5" and r.email == "Op@Lokbatu.id"
    assert r.photos == ("https://drive.google.com/open?id=AAAAAAAAAA1", "https://drive.google.com/open?id=BBBBBBBBBB2")
    short = columns.row_to_response([46091.5, "", "Juai", "Juai", "Ani", 2026], 3, hmap, WITA)
    assert short.title == "2026" and short.body == "" and short.photos == ()


def test_row_to_response_reads_formatted_string_timestamp() -> None:
    """A sheet read as FORMATTED_STRING would lose every submission time."""
    hmap = map_headers(FORM_HEADERS)
    r = columns.row_to_response(["10/03/2026 12.00.00", "", "Juai"], 2, hmap, WITA)
    assert r.received_at == datetime(2026, 3, 10, 12, 0, tzinfo=WITA)
    assert r.raw_timestamp == "10/03/2026 12.00.00"
    bad = columns.row_to_response(["besok"], 2, hmap, WITA)
    assert bad.received_at is None and bad.raw_timestamp == "besok"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("in_ID", datetime(2026, 11, 5, 8, 15, 42, tzinfo=WITA)), ("en_US", datetime(2026, 5, 11, 8, 15, 42, tzinfo=WITA))],
)
def test_text_timestamps_follow_the_spreadsheets_locale(locale: str, expected: datetime) -> None:
    """'5/11/2026' is 5 November in an Indonesian sheet and 11 May in an American one."""
    hmap = map_headers(FORM_HEADERS)
    assert columns.row_to_response(["5/11/2026 8:15:42"], 2, hmap, WITA, locale=locale).received_at == expected


def test_review_header_index_tolerates_case_and_reports_missing() -> None:
    """Officers who re-typed a header in lower case would break the review queue."""
    headers = [h.upper() if h == "Status" else h for h in REVIEW_HEADERS if h != "Catatan Petugas"]
    headers = headers[::-1] + ["  sidik   jari "]
    index, missing = columns.review_header_index(headers)
    assert index[ReviewColumn.STATUS] == headers.index("STATUS")
    assert index[ReviewColumn.FINGERPRINT] == headers.index(ReviewColumn.FINGERPRINT.value)  # first occurrence wins
    assert missing == ["Catatan Petugas"]


def test_review_rows_round_trip() -> None:
    """A Review row written and read back would lose or shift officer-visible values."""
    values = {ReviewColumn.ID: "MM-2026-0001", ReviewColumn.STATUS: "MENUNGGU", ReviewColumn.TITLE: "Judul"}
    row = columns.review_to_row(values)
    assert len(row) == len(REVIEW_HEADERS) and row[0] == "MM-2026-0001"
    index, _ = columns.review_header_index(list(REVIEW_HEADERS))
    back = columns.row_to_review(row[:9], 5, index)  # trimmed trailing cells
    assert back.id == "MM-2026-0001" and back.get(ReviewColumn.TITLE) == "Judul" and back.status is None
    full = columns.row_to_review(row, 5, index)
    assert full.status is not None and full.status.value == "MENUNGGU"


def test_row_to_kim_reads_dates_in_any_form_and_emails() -> None:
    """SK expiry or operator e-mails typed by officers would be misread, rejecting good news."""
    headers = [c.value for c in KimColumn]
    index, missing = columns.kim_header_index(headers)
    assert missing == []

    def row(sk_date: object, sk_until: object, emails: str) -> list[object]:
        values = {c: "" for c in KimColumn}
        values.update({KimColumn.NAME: "KIM A", KimColumn.SK_DATE: sk_date, KimColumn.SK_UNTIL: sk_until,
                       KimColumn.OPERATOR_EMAILS: emails, KimColumn.PARTNERSHIP: " aktif "})
        return [values[c] for c in KimColumn]

    k = columns.row_to_kim(row("2025-01-15", "31/12/2026", "A@x.id, b@y.id  c@z.id;bukan-email"), 4, index, WITA)
    assert k.sk_date == date(2025, 1, 15) and k.sk_until == date(2026, 12, 31)
    assert k.operator_emails == frozenset({"a@x.id", "b@y.id", "c@z.id"})
    assert k.partnership == "AKTIF" and k.row_number == 4
    k2 = columns.row_to_kim(row(45672, "", ""), 5, index, WITA)
    assert k2.sk_date == date(2025, 1, 15) and k2.sk_until is None and k2.operator_emails == frozenset()
    assert k2.sk_until_unreadable == ""
    k3 = columns.row_to_kim(row("15 Januari 2025", "akhir  2027", ""), 6, index, WITA)
    assert k3.sk_date == date(2025, 1, 15) and k3.sk_until is None and k3.sk_until_unreadable == "akhir 2027"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15 Januari 2025", date(2025, 1, 15)), ("1 Agt 2027", date(2027, 8, 1)), ("31 Desember 2027", date(2027, 12, 31)),
     ("15-Jan-2025", date(2025, 1, 15)), ("7 mei 2026", date(2026, 5, 7)), ("30 Februari 2025", None), ("15 Bulan 2025", None)],
)
def test_parse_date_cell_reads_indonesian_month_names(text: str, expected: date | None) -> None:
    """An SK date typed the way officers write it ('15 Januari 2025') would be unreadable."""
    assert columns.parse_date_cell(text, WITA) == expected
