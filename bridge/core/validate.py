"""Rules → reasons: every problem of a submission, Indonesian for officers, English for logs.

Validation never stops at the first problem: the officer sees all of them in
``Catatan Sistem`` and may still approve an invalid submission. Each reason
names the offending value and what to do.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from bridge.core import sanitize
from bridge.core.columns import drive_file_id
from bridge.core.model import FormResponse, KimColumn, KimRecord, Partnership, Reason, Submission, Wilayah
from bridge.core.registry import normalised_partnership, partnership_of
from bridge.core.wilayah import WilayahIndex, place_key

if TYPE_CHECKING:
    from bridge.config import Settings

NAME_MAX = 100
EMAIL_MAX = 254
LINK_MAX = 2000
DATE_FORMAT = "%d/%m/%Y"
_SHOWN = 60  # characters of an offending value quoted in a reason

#: Registry columns without which no KIM can be found for a desa.
LOOKUP_COLUMNS = (KimColumn.NAME, KimColumn.KECAMATAN, KimColumn.DESA)


@dataclass(frozen=True)
class Rules:
    """The thresholds validation applies (from ``[intake]``)."""

    title_max: int = 150
    body_min: int = 50
    body_max: int = 20000
    require_registered_email: bool = True
    max_photos: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        """Take the thresholds from the validated settings."""
        return cls(
            title_max=settings.title_max,
            body_min=settings.body_min,
            body_max=settings.body_max,
            require_registered_email=settings.require_registered_email,
            max_photos=settings.photos.max_photos,
        )


def is_active(record: KimRecord) -> bool:
    """True only when the registry marks the KIM AKTIF (case-insensitive); blank or unknown is not active."""
    return partnership_of(record) is Partnership.AKTIF


def kim_columns_needed(rules: Rules, email_collected: bool) -> tuple[KimColumn, ...]:
    """The registry columns validation reads (operator e-mails only when that check is on)."""
    email = (KimColumn.OPERATOR_EMAILS,) if email_collected and rules.require_registered_email else ()
    return (*LOOKUP_COLUMNS, KimColumn.PARTNERSHIP, KimColumn.SK_UNTIL, *email)


class KimRegistry:
    """The KIM tab as a lookup by desa and by operator e-mail (spelling-tolerant place names).

    ``missing`` names the registry columns absent from the tab's header row: a
    check that needs one of them fails (TIDAK VALID) instead of passing silently.
    """

    def __init__(self, records: Iterable[KimRecord], missing: Iterable[str] = ()) -> None:
        self.missing = frozenset(KimColumn(m) for m in missing)
        self.records = [r for r in records if r.name.strip()]
        self._by_place: dict[tuple[str, str], list[KimRecord]] = {}
        self._by_email: dict[str, list[KimRecord]] = {}
        for r in self.records:
            self._by_place.setdefault((place_key(r.kecamatan), place_key(r.desa)), []).append(r)
            for e in r.operator_emails:
                self._by_email.setdefault(e.strip().lower(), []).append(r)

    def for_desa(self, kecamatan: str, desa: str) -> list[KimRecord]:
        """Every KIM registered for that desa/kelurahan, in registry order."""
        return list(self._by_place.get((place_key(kecamatan), place_key(desa)), []))

    def by_email(self, email: str) -> list[KimRecord]:
        """Every KIM listing that operator e-mail."""
        return list(self._by_email.get(email.strip().lower(), []))

    def missing_of(self, wanted: Sequence[KimColumn]) -> tuple[KimColumn, ...]:
        """Those of ``wanted`` that the registry tab lacks, in the given order."""
        return tuple(c for c in wanted if c in self.missing)


class ContentLookup(Protocol):
    """``content_key`` → ID of the earliest submission with that content (a dict, or the ledger asked per key)."""

    def get(self, key: str, /) -> str | None: ...


@functools.lru_cache(maxsize=1024)
def content_key(operator: str, title: str, body: str) -> str:
    """Key for spotting a resubmitted news item: casefolded, whitespace-insensitive hash.

    Cached (a pure function of its text): validation and intake both ask for a new row's
    key, and the second ask costs a dictionary look-up instead of cleaning the body again.
    """

    def norm(s: str) -> str:
        text = sanitize.clean_body(unicodedata.normalize("NFKC", str(s)), -1).text
        return " ".join(text.casefold().split())

    data = "\x1f".join(norm(p) for p in (operator, title, body))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _q(value: str) -> str:
    """A value quoted for a reason, shortened."""
    v = " ".join(str(value).split())
    return f"'{v[:_SHOWN]}…'" if len(v) > _SHOWN else f"'{v}'"


def _codes(text: str, shown: int = 3) -> str:
    """The distinct characters of an invisible text as code points (U+2800, U+00AD, …), for officers to search."""
    seen = list(dict.fromkeys(c for c in text if c not in " \n"))
    codes = ", ".join(f"U+{ord(c):04X}" for c in seen[:shown])
    return codes + (", …" if len(seen) > shown else "")


def _maybe(suggestions: list[str]) -> tuple[str, str]:
    if not suggestions:
        return "", ""
    names = " atau ".join(suggestions)
    return f" Maksud Anda {names}?", f" (did you mean {' or '.join(suggestions)}?)"


def _emails(record: KimRecord) -> set[str]:
    return {e.strip().lower() for e in record.operator_emails}


def _choose_kim(kims: list[KimRecord], email: str, today: date) -> KimRecord:
    """Prefer the KIM listing this operator, then an active one with a current SK."""
    for k in kims:
        if email and email in _emails(k):
            return k
    for k in kims:
        if is_active(k) and (k.sk_until is None or k.sk_until >= today):
            return k
    return kims[0]


def _columns_missing(missing: Sequence[KimColumn], check_id: str, check_en: str) -> Reason:
    """A check that cannot run because the registry tab lacks a column it needs."""
    names = ", ".join(f"'{c.value}'" for c in missing)
    return Reason(
        "kim_column_missing",
        f"Kolom {names} tidak ada di tab KIM, sehingga {check_id}. Perbaiki judul kolom di tab KIM, atau minta staf TI "
        "menjalankan mymein-bridge init.",
        f"registry tab has no column {names}: {check_en}",
    )


def _partnership_reasons(kim: KimRecord) -> list[Reason]:
    """Only an explicitly active KIM passes; under review, terminated, blank and unknown statuses are named."""
    value = normalised_partnership(kim.partnership)
    state = partnership_of(kim)
    if state is Partnership.AKTIF:
        return []
    if state is not None:
        why = f" Alasan: {kim.status_reason}." if kim.status_reason else ""
        shown = value if value == state.value else f"{value} (istilah Juknis: {state.value})"  # old words still read
        return [Reason("kim_inactive", f"Kemitraan {kim.name} berstatus {shown}; berita hanya diterima dari KIM AKTIF.{why}",
                       f"KIM {kim.name!r} partnership is {value} ({state.value})")]
    if not value:
        return [Reason("kim_status_unknown", f"Status Kemitraan {kim.name} kosong di tab KIM; berita hanya diterima dari KIM "
                       "AKTIF. Isi AKTIF di tab KIM bila kemitraannya aktif.", f"KIM {kim.name!r} has no partnership status")]
    return [Reason("kim_status_unknown", f"Status Kemitraan {kim.name} berisi {_q(kim.partnership)}, yang tidak dikenal; berita hanya "
                   "diterima dari KIM AKTIF. Tulis AKTIF, DITINJAU atau DIHENTIKAN di tab KIM.",
                   f"KIM {kim.name!r} has an unknown partnership status {kim.partnership!r}")]


def _sk_reasons(kim: KimRecord, today: date) -> list[Reason]:
    if kim.sk_until_unreadable:
        return [Reason("sk_unreadable", f"SK Berlaku Sampai untuk {kim.name} berisi {_q(kim.sk_until_unreadable)}, bukan tanggal; "
                       "tulis tanggalnya seperti 31/12/2027 atau 31 Desember 2027 di tab KIM.",
                       f"SK expiry of {kim.name!r} is not a date: {kim.sk_until_unreadable!r}")]
    if kim.sk_until is not None and kim.sk_until < today:
        sk = f" ({kim.sk_number})" if kim.sk_number else ""
        return [Reason("sk_expired", f"SK {kim.name}{sk} sudah berakhir pada {kim.sk_until.strftime(DATE_FORMAT)}. Setelah SK "
                       "diperpanjang, perbarui kolom SK Berlaku Sampai di tab KIM.",
                       f"SK of {kim.name!r} expired on {kim.sk_until.isoformat()}")]
    return []


def _check_kim(place: Wilayah, email: str, registry: KimRegistry, today: date) -> tuple[KimRecord | None, list[Reason]]:
    """The desa's KIM and what is wrong with its registration (status, SK, missing registry columns)."""
    gap = registry.missing_of(LOOKUP_COLUMNS)
    if gap:
        return None, [_columns_missing(gap, "KIM untuk desa ini tidak bisa dicari", "no KIM can be looked up")]
    kims = registry.for_desa(place.kecamatan, place.desa)
    if not kims:
        label = "Kelurahan" if place.jenis == "kelurahan" else "Desa"
        return None, [Reason("kim_missing", f"Belum ada KIM terdaftar untuk {label} {place.desa}, Kecamatan {place.kecamatan} "
                             "di tab KIM; daftarkan KIM-nya dulu.", f"no KIM registered for {place.desa}, {place.kecamatan}")]
    kim = _choose_kim(kims, email, today)
    reasons: list[Reason] = []
    if registry.missing_of((KimColumn.PARTNERSHIP,)):
        reasons.append(_columns_missing((KimColumn.PARTNERSHIP,), "status kemitraan tidak bisa diperiksa", "partnership not checked"))
    else:
        reasons += _partnership_reasons(kim)
    if registry.missing_of((KimColumn.SK_UNTIL,)):
        reasons.append(_columns_missing((KimColumn.SK_UNTIL,), "masa berlaku SK tidak bisa diperiksa", "SK expiry not checked"))
    else:
        reasons += _sk_reasons(kim, today)
    return kim, reasons


def _check_email(kim: KimRecord, email: str, registry: KimRegistry) -> list[Reason]:
    """The sender must be one of the KIM's registered operators."""
    if registry.missing_of((KimColumn.OPERATOR_EMAILS,)):
        return [_columns_missing((KimColumn.OPERATOR_EMAILS,), "email pengirim tidak bisa diperiksa", "sender e-mail not checked")]
    if email in _emails(kim):
        return []
    others = [k.name for k in registry.by_email(email)] if email else []
    elsewhere = f" Email ini terdaftar untuk {', '.join(others)}." if others else ""
    shown = _q(email) if email else "(kosong)"
    if kim.operator_emails:
        return [Reason("email_unregistered", f"Email {shown} tidak terdaftar sebagai operator {kim.name}.{elsewhere} "
                       f"Bila email ini memang milik operator {kim.name}, tambahkan di kolom Email Operator pada tab KIM.", f"e-mail {email!r} is not an operator of {kim.name!r}")]
    return [Reason("email_unregistered", f"Kolom Email Operator untuk {kim.name} di tab KIM masih kosong, sehingga pengirim "
                   f"{shown} tidak bisa dicocokkan.{elsewhere} Isi kolom itu bila email ini memang milik operatornya.",
                   f"KIM {kim.name!r} has no operator e-mails registered (sender {email!r})")]


def _timestamp_reasons(response: FormResponse) -> list[Reason]:
    """The form's timestamp cell must be readable."""
    if response.received_at is not None:
        return []
    if response.raw_timestamp.strip():
        return [Reason("timestamp_unreadable", f"Stempel waktu {_q(response.raw_timestamp)} tidak terbaca; periksa baris "
                       f"{response.row_number} di tab jawaban formulir.", f"unreadable timestamp {response.raw_timestamp!r}")]
    return [Reason("timestamp_unreadable", f"Stempel waktu kosong di baris {response.row_number}; periksa baris itu di tab "
                   "jawaban formulir.", "empty timestamp")]


def _place(kec_in: str, desa_in: str, wilayah: WilayahIndex) -> tuple[str, str, Wilayah | None, list[Reason]]:
    """The kecamatan and desa as the wilayah list spells them (as typed when unknown), the place when both
    are known, and what is wrong with them (kecamatan first)."""
    reasons: list[Reason] = []
    kecamatan, desa = kec_in, desa_in
    kec = wilayah.kecamatan(kec_in) if kec_in else None
    place = None
    if not kec_in:
        reasons.append(Reason("kecamatan_empty", f"Kecamatan kosong; pilih salah satu dari {len(wilayah.kecamatan_names)} "
                              "kecamatan di Kabupaten Balangan.", "kecamatan is empty"))
    elif kec is None:
        hint_id, hint_en = _maybe(wilayah.suggest(kec_in, wilayah.kecamatan_names))
        homes = wilayah.find_desa(desa_in) if desa_in else []
        if not hint_id and len({w.kecamatan for w in homes}) == 1:
            hint_id = f" {homes[0].jenis.capitalize()} {homes[0].desa} ada di Kecamatan {homes[0].kecamatan}."
            hint_en = f" (desa {homes[0].desa} is in kecamatan {homes[0].kecamatan})"
        reasons.append(Reason("kecamatan_unknown", f"Kecamatan {_q(kec_in)} tidak dikenal di Kabupaten Balangan.{hint_id}",
                              f"unknown kecamatan {kec_in!r}{hint_en}"))
    else:
        kecamatan = kec
    if not desa_in:
        reasons.append(Reason("desa_empty", "Desa/Kelurahan kosong; tulis nama desa atau kelurahan asal berita.", "desa is empty"))
    elif kec is not None:
        place = wilayah.desa(kec, desa_in)
        if place is not None:
            desa = place.desa
        else:
            reasons.append(_desa_reason(desa_in, kec, wilayah))
    return kecamatan, desa, place, reasons


def _desa_reason(desa_in: str, kec: str, wilayah: WilayahIndex) -> Reason:
    """Why ``desa_in`` is not a desa of kecamatan ``kec``: it lies in another one, or it is unknown."""
    homes = [w for w in wilayah.find_desa(desa_in) if w.kecamatan != kec]
    if homes:
        where = ", ".join(f"Kecamatan {w.kecamatan}" for w in homes)
        return Reason("desa_wrong_kecamatan", f"{homes[0].jenis.capitalize()} {homes[0].desa} ada di {where}, bukan Kecamatan {kec}. "
                      "Minta operator mengirim ulang dengan Kecamatan dan Desa/Kelurahan yang benar.",
                      f"desa {homes[0].desa!r} is in {where}, not {kec!r}")
    hint_id, hint_en = _maybe(wilayah.suggest(desa_in, wilayah.desa_names(kec)))
    return Reason("desa_unknown", f"Desa/Kelurahan {_q(desa_in)} tidak ada di Kecamatan {kec}.{hint_id}",
                  f"unknown desa {desa_in!r} in kecamatan {kec!r}{hint_en}")


def _title_reasons(title: str, cut: bool, response: FormResponse, rules: Rules) -> list[Reason]:
    """The title must be there, visible, within ``title_max``, and not look like a formula."""
    reasons: list[Reason] = []
    if not title:
        reasons.append(Reason("title_empty", "Judul berita kosong; isi Judul di tab Review atau minta operator mengirim ulang.",
                              "title is empty"))
    elif not sanitize.has_visible(title):
        reasons.append(Reason("title_invisible", f"Judul hanya berisi karakter yang tidak terlihat ({_codes(title)}), sehingga "
                              "akan terbit sebagai judul kosong. Tulis Judul di tab Review atau minta operator mengirim ulang.",
                              f"title has only invisible characters ({_codes(title)})"))
    elif cut:
        n = len(sanitize.clean_line(response.title, -1).text)
        reasons.append(Reason("title_too_long", f"Judul terlalu panjang ({n} karakter, maksimal {rules.title_max}); sudah "
                              "dipotong, periksa dan perbaiki judulnya.", f"title too long ({n} > {rules.title_max} characters), cut"))
    if title.startswith("="):
        reasons.append(Reason("title_formula", "Judul diawali tanda '=' seperti rumus spreadsheet (tetap disimpan sebagai teks). "
                              "Kemungkinan besar bukan judul berita; ganti Judul sebelum menyetujui.",
                              "title starts with '=' like a spreadsheet formula"))
    return reasons


def _body_reasons(body: str, cut: bool, response: FormResponse, rules: Rules) -> list[Reason]:
    """The body must be there, visible, and between ``body_min`` and ``body_max`` characters."""
    if not body:
        return [Reason("body_empty", "Isi berita kosong; isi kolom Isi di tab Review atau minta operator mengirim ulang.",
                       "body is empty")]
    if not sanitize.has_visible(body):
        return [Reason("body_invisible", f"Isi berita hanya berisi karakter yang tidak terlihat ({_codes(body)}), sehingga "
                       "akan terbit kosong. Tulis Isi di tab Review atau minta operator mengirim ulang.",
                       f"body has only invisible characters ({_codes(body)})")]
    if cut:
        n = len(sanitize.clean_body(response.body, -1).text)
        return [Reason("body_too_long", f"Isi berita terlalu panjang ({n} karakter, maksimal {rules.body_max}); sudah dipotong, "
                       "periksa bagian akhirnya.", f"body too long ({n} > {rules.body_max} characters), cut")]
    if len(body) < rules.body_min:
        return [Reason("body_too_short", f"Isi berita terlalu pendek ({len(body)} karakter, minimal {rules.body_min}); "
                       "lengkapi beritanya.", f"body too short ({len(body)} < {rules.body_min} characters)")]
    return []


def _photo_reasons(photos: tuple[str, ...], rules: Rules) -> list[Reason]:
    """At most ``max_photos`` links, each a Drive link: a cell of a thousand links must not cost a thousand
    Drive reads (issue 18), so none is judged then."""
    reasons: list[Reason] = []
    if len(photos) > rules.max_photos:
        reasons.append(Reason(
            "photo_too_many", f"Ada {len(photos)} tautan foto; paling banyak {rules.max_photos} foto per berita, dan tidak ada "
            f"yang diperiksa. Sisakan paling banyak {rules.max_photos} tautan di kolom Foto pada tab Review, atau minta operator "
            "mengirim ulang.", f"{len(photos)} photo links, over max_photos {rules.max_photos}: none read"))
    for n, link in enumerate(photos[: rules.max_photos], start=1):
        if drive_file_id(link) is None:
            reasons.append(Reason("photo_not_drive", f"Tautan foto ke-{n} {_q(link)} bukan tautan Google Drive; unggah foto "
                                  "lewat formulir.", f"photo {n} is not a Drive link: {link!r}"))
    return reasons


def validate(
    response: FormResponse,
    *,
    fingerprint: str,
    wilayah: WilayahIndex,
    registry: KimRegistry,
    rules: Rules,
    known_contents: ContentLookup,
    today: date,
    email_collected: bool,
) -> Submission:
    """Sanitize a response and collect every failing rule as a :class:`Reason`.

    The reasons come in a fixed order: timestamp, kecamatan and desa, KIM, e-mail, operator, title,
    body, duplicate, photos.

    Args:
        fingerprint: from :mod:`bridge.core.watermark`.
        known_contents: ``content_key`` → ID of the earlier submission with that content.
        today: for SK expiry (in WITA).
        email_collected: whether the form has an e-mail column.
    """
    operator = sanitize.clean_line(response.operator, NAME_MAX).text
    email = sanitize.clean_line(response.email, EMAIL_MAX).text.lower()
    title, title_cut = sanitize.clean_title(response.title, rules.title_max)
    body, body_cut = sanitize.clean_body(response.body, rules.body_max)
    photos = tuple(p for p in (sanitize.clean_line(link, LINK_MAX).text for link in response.photos) if p)

    reasons = _timestamp_reasons(response)
    kecamatan, desa, place, place_reasons = _place(sanitize.clean_line(response.kecamatan, NAME_MAX).text,
                                                   sanitize.clean_line(response.desa, NAME_MAX).text, wilayah)
    reasons += place_reasons
    kim: KimRecord | None = None
    if place is not None:
        kim, kim_reasons = _check_kim(place, email, registry, today)
        reasons += kim_reasons
    if email_collected and rules.require_registered_email and kim is not None:
        reasons += _check_email(kim, email, registry)
    if not operator:
        reasons.append(Reason("operator_empty", "Nama operator kosong; tulis nama operator KIM pengirim berita.", "operator name is empty"))
    reasons += _title_reasons(title, title_cut, response, rules)
    reasons += _body_reasons(body, body_cut, response, rules)
    key = content_key(operator, title, body)  # once per row: intake stores it as it is
    earlier = known_contents.get(key) if title or body else None
    if earlier:
        reasons.append(Reason("duplicate", f"Kiriman ganda: operator, judul dan isinya sama dengan kiriman {earlier}. Cukup "
                              "terbitkan salah satu.", f"duplicate of {earlier}"))
    reasons += _photo_reasons(photos, rules)

    return Submission(
        fingerprint=fingerprint,
        row_number=response.row_number,
        received_at=response.received_at,
        kecamatan=kecamatan,
        desa=desa,
        kim=kim.name if kim else "",
        operator=operator,
        email=email,
        title=title,
        body=body,
        photos=photos,
        reasons=tuple(reasons),
        content_key=key,
    )


def unvalidated(response: FormResponse, fingerprint: str, error: str) -> Submission:
    """A submission queued for manual checking when validation itself failed (never raises)."""

    def safe(value: object, limit: int, body: bool = False) -> str:
        try:
            return (sanitize.clean_body(value, limit) if body else sanitize.clean_line(value, limit)).text
        except Exception:  # noqa: BLE001 - last-resort path must not lose the row
            return ""

    return Submission(
        fingerprint=fingerprint,
        row_number=response.row_number,
        received_at=response.received_at,
        kecamatan=safe(response.kecamatan, NAME_MAX),
        desa=safe(response.desa, NAME_MAX),
        kim="",
        operator=safe(response.operator, NAME_MAX),
        email=safe(response.email, EMAIL_MAX).lower(),
        title=safe(response.title, 1000),
        body=safe(response.body, 50000, body=True),
        photos=tuple(p for p in (safe(x, LINK_MAX) for x in response.photos) if p),
        reasons=(
            Reason(
                "internal_error",
                f"Pemeriksaan otomatis gagal karena kesalahan sistem ({error}); periksa kiriman ini secara manual.",
                f"not checked automatically: {error}",
            ),
        ),
    )


def with_id(submission: Submission, submission_id: str) -> Submission:
    """The same submission with its ledger ID."""
    return dataclasses.replace(submission, id=submission_id)


def same_sender(submission: Submission, operator: str, email: str) -> bool:
    """Same e-mail when both have one, else the same operator name (case and spacing ignored)."""
    if submission.email and email:
        return submission.email == email.strip().lower()

    def norm(name: str) -> str:
        return " ".join(name.casefold().split())

    return bool(norm(operator)) and norm(submission.operator) == norm(operator)


def as_edit_of(submission: Submission, earlier_id: str) -> Submission:
    """The submission flagged as an apparent in-place edit of an earlier one (never merged)."""
    reason = Reason(
        "edited",
        f"Tampaknya ini suntingan dari kiriman {earlier_id} (baris formulir yang sama). Periksa keduanya dan terbitkan salah satu saja.",
        f"looks like an edit of {earlier_id} (same form row)",
    )
    return dataclasses.replace(submission, reasons=submission.reasons + (reason,))


__all__ = [
    "KimRegistry",
    "Rules",
    "as_edit_of",
    "content_key",
    "is_active",
    "kim_columns_needed",
    "same_sender",
    "unvalidated",
    "validate",
    "with_id",
]
