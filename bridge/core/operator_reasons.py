"""What the operator reads about a TIDAK VALID submission: one plain text per reason code (issue 19).

``Catatan Sistem`` is written for officers ("minta operator mengirim ulang…", "perbarui kolom … di tab
KIM"). The operator's ``perlu-perbaikan`` message needs other words: what is wrong, in terms the
operator knows, and whether sending again through the form fixes it. Problems only the office can
fix (an expired SK, a stopped partnership, registry or system details) must not ask for a resubmission,
and the office's internal details are summarised in one plain line.

The Review row (the sheet is the truth, issue 19 "after a lost ledger nothing is lost") keeps only the
officers' text, so each reason kind is recognised from its officer text here, next to its operator
text: the two are read side by side, and ``tests/core/test_operator_reasons.py`` checks every code
against the texts :mod:`bridge.core.validate` and :mod:`bridge.photos.source` really write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Shown once, instead of any reason the operator must not see (registry and system details).
INTERNAL = "Ada hal administrasi di Diskominfo yang perlu diselesaikan lebih dulu."
RESUBMIT = "Silakan perbaiki lalu kirim ulang lewat formulir yang sama."
RESUBMIT_AND_OFFICE = (
    "Silakan perbaiki yang bisa Anda perbaiki lalu kirim ulang lewat formulir yang sama; hal lainnya akan "
    "ditindaklanjuti petugas Diskominfo."
)
OFFICE = "Petugas Diskominfo akan menindaklanjuti; Anda tidak perlu mengirim ulang."


@dataclass(frozen=True)
class OperatorReason:
    """One reason as the operator reads it."""

    code: str
    text: str  # Indonesian, for the operator ("" when internal: summarised as INTERNAL)
    resubmit: bool  # sending again through the form fixes it
    internal: bool = False  # registry or system detail: never shown, summarised


@dataclass(frozen=True)
class _Kind:
    code: str
    officer: re.Pattern[str]  # recognises the officer text (Catatan Sistem line) of this kind
    text: str  # operator text; ``{name}`` takes the pattern's named group
    resubmit: bool = False
    internal: bool = False


def _k(code: str, officer: str, text: str = "", *, resubmit: bool = False, internal: bool = False) -> _Kind:
    return _Kind(code, re.compile(officer, re.DOTALL), text, resubmit, internal)


_FOTO = r"Foto ke-(?P<n>\d+)(?: \(.*?\))?"

#: Every reason kind, most specific first (the first whose pattern matches the officer text wins).
KINDS: tuple[_Kind, ...] = (
    _k("timestamp_unreadable", r"Stempel waktu ", internal=True),
    _k("kecamatan_empty", r"Kecamatan kosong", "Kecamatan belum diisi.", resubmit=True),
    _k("kecamatan_unknown", r"Kecamatan (?P<v>'.*?') tidak dikenal",
       "Kecamatan {v} tidak dikenal di Kabupaten Balangan; pilih kecamatan yang benar.", resubmit=True),
    _k("desa_empty", r"Desa/Kelurahan kosong", "Desa/Kelurahan belum diisi.", resubmit=True),
    _k("desa_unknown", r"Desa/Kelurahan (?P<v>'.*?') tidak ada di Kecamatan (?P<k>[^.]+)\.",
       "Desa/Kelurahan {v} tidak ada di Kecamatan {k}; periksa tulisan nama desa/kelurahan dan kecamatannya.", resubmit=True),
    _k("desa_wrong_kecamatan", r"(?P<d>(?:Desa|Kelurahan) .+?) ada di (?P<w>Kecamatan .+?), bukan Kecamatan (?P<k>[^.]+)\.",
       "{d} ada di {w}, bukan Kecamatan {k}; pilih Kecamatan dan Desa/Kelurahan yang cocok.", resubmit=True),
    _k("kim_column_missing", r"Kolom .* tidak ada di tab KIM", internal=True),
    _k("kim_missing", r"Belum ada KIM terdaftar untuk (?P<p>.+?) di tab KIM",
       "Belum ada KIM yang terdaftar di Diskominfo untuk {p}."),
    _k("kim_inactive", r"Kemitraan (?P<k>.+?) berstatus ",
       "Kemitraan {k} dengan Diskominfo sedang tidak aktif, sehingga berita belum dapat diterima."),
    _k("kim_status_unknown", r"Status Kemitraan ", internal=True),
    _k("sk_unreadable", r"SK Berlaku Sampai untuk ", internal=True),
    _k("sk_expired", r"SK (?P<k>.+?)(?: \(.*\))? sudah berakhir pada (?P<d>\d{2}/\d{2}/\d{4})",
       "SK {k} sudah berakhir pada {d}; berita dapat diterima lagi setelah SK diperpanjang."),
    _k("email_unregistered", r"Email (?:'.*?'|\(kosong\)) tidak terdaftar sebagai operator (?P<k>.+?)\.(?: |$)",
       "Email pengirim belum terdaftar sebagai email operator {k} di Diskominfo."),
    _k("email_unregistered", r"Kolom Email Operator untuk (?P<k>.+?) di tab KIM masih kosong",
       "Email pengirim belum terdaftar sebagai email operator {k} di Diskominfo."),
    _k("operator_empty", r"Nama operator kosong", "Nama operator belum diisi.", resubmit=True),
    _k("title_empty", r"Judul berita kosong", "Judul berita belum diisi.", resubmit=True),
    _k("title_invisible", r"Judul hanya berisi karakter yang tidak terlihat",
       "Judul hanya berisi karakter yang tidak terlihat; tulis judulnya dengan huruf biasa.", resubmit=True),
    _k("title_too_long", r"Judul terlalu panjang \((?P<n>\d+) karakter, maksimal (?P<m>\d+)\)",
       "Judul terlalu panjang ({n} karakter, paling banyak {m}).", resubmit=True),
    _k("title_formula", r"Judul diawali tanda '='",
       "Judul diawali tanda '=' seperti rumus, bukan judul berita.", resubmit=True),
    _k("body_empty", r"Isi berita kosong", "Isi berita belum diisi.", resubmit=True),
    _k("body_invisible", r"Isi berita hanya berisi karakter yang tidak terlihat",
       "Isi berita hanya berisi karakter yang tidak terlihat; tulis beritanya dengan huruf biasa.", resubmit=True),
    _k("body_too_long", r"Isi berita terlalu panjang \((?P<n>\d+) karakter, maksimal (?P<m>\d+)\)",
       "Isi berita terlalu panjang ({n} karakter, paling banyak {m}).", resubmit=True),
    _k("body_too_short", r"Isi berita terlalu pendek \((?P<n>\d+) karakter, minimal (?P<m>\d+)\)",
       "Isi berita terlalu pendek ({n} karakter, paling sedikit {m}); lengkapi beritanya.", resubmit=True),
    _k("duplicate", r"Kiriman ganda: .* kiriman (?P<id>\S+?)\. ",
       "Berita ini sama dengan kiriman {id}; cukup satu yang diproses."),
    _k("photo_too_many", r"Ada (?P<n>\d+) tautan foto; paling banyak (?P<m>\d+) ",
       "Ada {n} foto; paling banyak {m} foto per berita.", resubmit=True),
    _k("photo_not_drive", r"Tautan foto ke-(?P<n>\d+) ",
       "Foto ke-{n} bukan foto yang diunggah lewat formulir; unggah fotonya lewat formulir.", resubmit=True),
    # photo refusals (bridge.photos.source.refusal) share the code "photo"
    _k("photo", _FOTO + r" tidak dapat diperiksa: sistem belum mengetahui folder", internal=True),
    _k("photo", _FOTO + r" bukan foto yang diunggah lewat formulir",
       "Foto ke-{n} bukan foto yang diunggah lewat formulir; unggah fotonya lewat formulir.", resubmit=True),
    _k("photo", _FOTO + r" sudah dihapus", "Foto ke-{n} sudah dihapus dari Google Drive.", resubmit=True),
    _k("photo", _FOTO + r" ", "Foto ke-{n} tidak dapat dipakai (bukan gambar, rusak, atau terlalu besar); "
       "kirim foto kamera biasa (JPG).", resubmit=True),
    _k("internal_error", r"Pemeriksaan otomatis gagal", internal=True),
    _k("edited", r"Tampaknya ini suntingan dari kiriman (?P<id>\S+?) ",
       "Kiriman ini tampaknya suntingan dari kiriman {id}; hanya satu yang akan diterbitkan."),
    _k("row_refused", r"Google Sheets menolak baris", internal=True),  # bridge.cycle.refused
)

#: Every reason code that validation and the photo check write.
CODES: frozenset[str] = frozenset(k.code for k in KINDS)
_UNKNOWN = OperatorReason("", "", resubmit=False, internal=True)  # an officer's own words, or a text not known here


def _reason(kind: _Kind, match: re.Match[str]) -> OperatorReason:
    text = kind.text.format(**{k: v or "" for k, v in match.groupdict().items()}) if kind.text else ""
    return OperatorReason(kind.code, text, kind.resubmit, kind.internal)


def operator_reason(code: str, officer: str) -> OperatorReason:
    """The operator's reading of one reason, given its code and officer text (:class:`~bridge.core.model.Reason`)."""
    kinds = [k for k in KINDS if k.code == code]
    for kind in kinds:
        match = kind.officer.match(officer)
        if match:
            return _reason(kind, match)
    return _UNKNOWN


def recognise(officer: str) -> OperatorReason:
    """The operator's reading of one ``Catatan Sistem`` line (its number already taken off)."""
    for kind in KINDS:
        match = kind.officer.match(officer.strip())
        if match:
            return _reason(kind, match)
    return _UNKNOWN


_NUMBERED = re.compile(r"^\s*\d+\.\s+")


def from_note(note: str) -> list[OperatorReason]:
    """Every reason of a ``Catatan Sistem`` cell (``1. …`` one per line) as the operator reads it. Lines
    without a number around them are the bridge's words to officers (e.g. "Diperbarui oleh operator …"
    of a resubmission, bridge.core.revision), not reasons; a cell with no numbered line at all is an
    officer's own text, summarised as :data:`INTERNAL`."""
    lines = [line for line in note.splitlines() if line.strip()]
    numbered = [_NUMBERED.sub("", line).strip() for line in lines if _NUMBERED.match(line)]
    return [recognise(line) for line in (numbered or lines)]


@dataclass(frozen=True)
class ForOperator:
    """What the ``perlu-perbaikan`` message says: the reasons (numbered lines) and what to do."""

    reasons: str
    next_step: str
    resubmit: bool


def for_operator(reasons: Sequence[OperatorReason] | Iterable[OperatorReason]) -> ForOperator:
    """The operator texts, internal ones summarised once; resubmit only when one reason is the operator's to fix."""
    reasons = list(reasons)
    texts = list(dict.fromkeys(r.text for r in reasons if not r.internal and r.text))
    if any(r.internal for r in reasons) or not texts:
        texts.append(INTERNAL)
    resubmit = any(r.resubmit for r in reasons)
    office = any(not r.resubmit for r in reasons)
    step = (RESUBMIT_AND_OFFICE if office else RESUBMIT) if resubmit else OFFICE
    return ForOperator("\n".join(f"{i}. {t}" for i, t in enumerate(texts, start=1)), step, resubmit)


__all__ = ["CODES", "INTERNAL", "KINDS", "OFFICE", "RESUBMIT", "RESUBMIT_AND_OFFICE", "ForOperator", "OperatorReason",
           "for_operator", "from_note", "operator_reason", "recognise"]
