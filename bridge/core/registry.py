"""The KIM registry as the Juknis Kemitraan KIM (2022) sees it: partnership states, a self-check of
the tab, and partnership alerts (SK ending or ended, under review, terminated, gone quiet).

Pure: plain records in, Indonesian lines for officers (and English for logs) out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bridge.core.kim_channel import ChannelProblem, route_of
from bridge.core.model import PARTNERSHIP_ALIASES, KimRecord, KimType, Partnership, kim_key
from bridge.core.wilayah import WilayahIndex

DATE_FORMAT = "%d/%m/%Y"
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")


def normalised_partnership(text: str) -> str:
    """The Status Kemitraan cell in capitals with single spaces ('tidak_aktif' → 'TIDAK AKTIF')."""
    return " ".join(text.upper().replace("_", " ").replace("-", " ").split())


def partnership_of(record: KimRecord) -> Partnership | None:
    """AKTIF, DITINJAU or DIHENTIKAN (older words as their aliases); ``None`` if blank or unknown."""
    value = normalised_partnership(record.partnership)
    for p in Partnership:
        if p.value == value:
            return p
    return PARTNERSHIP_ALIASES.get(value)


# ---------------------------------------------------------------- self-check


@dataclass(frozen=True)
class RegistryProblem:
    """One thing wrong with one registry row."""

    row: int  # 1-based row in the KIM tab
    code: str
    id: str  # Indonesian, for officers
    en: str  # English, for the log


#: One problem of one row: (code, Indonesian for officers, English for the log).
_Finding = tuple[str, str, str]


@dataclass(frozen=True)
class _FirstRows:
    """The first row of each KIM name, Nomor Induk and operator e-mail: a later row with the same one repeats it."""

    name: dict[str, KimRecord]
    nomor: dict[str, KimRecord]
    email: dict[str, KimRecord]

    @classmethod
    def of(cls, named: Sequence[KimRecord]) -> _FirstRows:
        name: dict[str, KimRecord] = {}
        nomor: dict[str, KimRecord] = {}
        email: dict[str, KimRecord] = {}
        for r in named:
            name.setdefault(kim_key(r.name), r)
        for r in named:
            if r.nomor_induk.strip():
                nomor.setdefault(kim_key(r.nomor_induk), r)
        for r in named:
            for e in sorted(r.operator_emails):
                email.setdefault(e, r)
        return cls(name, nomor, email)


def check_registry(records: Sequence[KimRecord], wilayah: WilayahIndex) -> list[RegistryProblem]:
    """Every problem of the KIM tab, per row, in row order (never raises on bad input)."""
    problems: list[RegistryProblem] = []
    first = _FirstRows.of([r for r in records if r.name.strip()])
    for r in records:
        if not r.name.strip():
            if any((r.kecamatan, r.desa, r.nomor_induk, r.sk_number, r.operator_emails)):
                problems.append(_problem(r, ("name_empty", "Nama KIM kosong; baris ini diabaikan sampai namanya diisi.",
                                             "registry row has no KIM name")))
            continue
        problems += [_problem(r, f) for f in _row_findings(r, first, wilayah)]
        channel = route_of(r, None)  # the cells only; whether IT set the channel up is `check`'s to say
        if isinstance(channel, ChannelProblem):
            problems.append(RegistryProblem(r.row_number, "channel_invalid", channel.id, channel.en))
    return problems


def _problem(r: KimRecord, finding: _Finding) -> RegistryProblem:
    code, id_, en = finding
    return RegistryProblem(r.row_number, code, f"Baris {r.row_number} ({r.name or 'tanpa nama'}): {id_}", en)


def _row_findings(r: KimRecord, first: _FirstRows, wilayah: WilayahIndex) -> Iterator[_Finding]:
    """A named row's problems, in the order officers read its cells."""
    yield from _repeats(r, first)
    yield from _wilayah_problems(r, wilayah)
    yield from _unreadable(r, "sk_date_unreadable", (("Tanggal SK", r.sk_date_unreadable), ("SK Berlaku Sampai", r.sk_until_unreadable)),
                           "bukan tanggal; tulis seperti 31/12/2027 atau 31 Desember 2027.", "is not a date")
    yield from _email_problems(r, first)
    yield from _partnership_problems(r)
    if r.tipe and r.tipe not in {t.value for t in KimType}:
        yield "tipe_unknown", f"Tipe KIM '{r.tipe}' tidak dikenal; pilih A atau B.", f"unknown KIM type {r.tipe!r}"
    yield from _unreadable(r, "number_unreadable", (("Kekuatan (jangkauan)", r.power_unreadable),
                                                    ("Pengaruh (tanggapan positif)", r.influence_unreadable)),
                           "tidak terbaca sebagai jumlah; tulis angkanya saja, mis. 1250.", "is not a number")


def _repeats(r: KimRecord, first: _FirstRows) -> Iterator[_Finding]:
    """The KIM's name or Nomor Induk is already on an earlier row."""
    earlier = first.name[kim_key(r.name)]
    if earlier is not r:
        yield ("name_duplicate", f"Nama KIM sama dengan baris {earlier.row_number}; satu KIM cukup satu baris.",
               f"duplicate KIM name (row {earlier.row_number})")
    if r.nomor_induk.strip():
        earlier = first.nomor[kim_key(r.nomor_induk)]
        if earlier is not r:
            yield ("nomor_duplicate", f"Nomor Induk Komunitas {r.nomor_induk} sudah dipakai {earlier.name} (baris "
                   f"{earlier.row_number}).", f"duplicate Nomor Induk {r.nomor_induk!r} (row {earlier.row_number})")


def _wilayah_problems(r: KimRecord, wilayah: WilayahIndex) -> Iterator[_Finding]:
    """Kecamatan and Desa/Kelurahan empty, unknown, or a desa of another kecamatan."""
    kec = wilayah.kecamatan(r.kecamatan) if r.kecamatan else None
    if not r.kecamatan:
        yield "kecamatan_empty", "Kecamatan kosong; pilih kecamatannya.", "kecamatan empty"
    elif kec is None:
        yield "kecamatan_unknown", f"Kecamatan '{r.kecamatan}' tidak dikenal di Kabupaten Balangan.", f"unknown kecamatan {r.kecamatan!r}"
    if not r.desa:
        yield "desa_empty", "Desa/Kelurahan kosong; tulis desa atau kelurahan KIM ini.", "desa empty"
    elif kec is not None and wilayah.desa(kec, r.desa) is None:
        homes = [w for w in wilayah.find_desa(r.desa) if w.kecamatan != kec]
        if homes:
            where = " atau ".join(f"Kecamatan {w.kecamatan}" for w in homes)
            yield ("desa_wrong_kecamatan", f"{homes[0].jenis.capitalize()} {homes[0].desa} ada di {where}, bukan "
                   f"Kecamatan {kec}; perbaiki Kecamatan atau Desa/Kelurahan.", f"desa {r.desa!r} is not in {kec!r}")
        else:
            yield "desa_unknown", f"Desa/Kelurahan '{r.desa}' tidak ada di Kecamatan {kec}.", f"unknown desa {r.desa!r} in {kec!r}"


def _unreadable(
    r: KimRecord, code: str, cells: Iterable[tuple[str, str]], id_hint: str, en_hint: str
) -> Iterator[_Finding]:
    """Cells whose text could not be read as what the column holds (``cells``: label, text as typed)."""
    for label, typed in cells:
        if typed:
            yield code, f"{label} '{typed}' {id_hint}", f"{label} {en_hint}: {typed!r}"


def _email_problems(r: KimRecord, first: _FirstRows) -> Iterator[_Finding]:
    """Malformed operator or KIM addresses, and operators already registered for another KIM."""
    for e in r.emails_typed:
        if not _EMAIL.match(e):
            yield "email_malformed", f"Email Operator '{e}' bukan alamat email yang benar.", f"malformed e-mail {e!r}"
    if r.kim_email and not _EMAIL.match(r.kim_email):
        yield ("email_malformed", f"Email KIM '{r.kim_email}' bukan alamat email yang benar.",
               f"malformed KIM e-mail {r.kim_email!r}")
    for e in sorted(r.operator_emails):
        owner = first.email[e]
        if owner is not r:
            yield ("email_two_kim", f"Email Operator {e} juga terdaftar untuk {owner.name} (baris {owner.row_number}); "
                   "satu operator hanya untuk satu KIM.", f"operator e-mail {e} also registered for {owner.name!r}")


def _partnership_problems(r: KimRecord) -> Iterator[_Finding]:
    """Status Kemitraan unknown or empty; not AKTIF without a reason."""
    state = partnership_of(r)
    if state is None:
        shown = f"'{r.partnership}' tidak dikenal" if r.partnership else "kosong"
        yield ("partnership_unknown", f"Status Kemitraan {shown}; pilih AKTIF, DITINJAU atau DIHENTIKAN.",
               f"partnership status {r.partnership!r} unknown")
    elif state is not Partnership.AKTIF and not r.status_reason:
        typed = normalised_partnership(r.partnership)
        shown = state.value if typed == state.value else f"{typed} (artinya {state.value})"
        yield ("reason_missing", f"Status Kemitraan {shown} tanpa Alasan Status; tulis alasannya (mis. SK "
               "berakhir, pengurus ASN, pindah kabupaten, bubar).", f"{state.value} without a reason")


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class Alert:
    """A partnership that needs an officer's attention."""

    kim: str
    kecamatan: str
    code: str  # sk_expiring, sk_expired, ditinjau, dihentikan, quiet
    id: str
    en: str


ALERT_ORDER = ("sk_expired", "sk_expiring", "dihentikan", "ditinjau", "quiet")


def partnership_alerts(
    records: Iterable[KimRecord],
    last_accepted: Mapping[str, date],
    today: date,
    *,
    sk_warning_days: int,
    quiet_days: int,
) -> list[Alert]:
    """Alerts for every KIM, ordered by kind then KIM name.

    Args:
        last_accepted: KIM name (casefolded, single spaces) → day of its latest submission an officer
            accepted (approved or published); a KIM absent from it has none.
        today: the day the alerts are as of.
    """
    out: list[Alert] = []
    for r in records:
        if not r.name.strip():
            continue
        state = partnership_of(r)
        why = f" Alasan: {r.status_reason}." if r.status_reason else ""
        if state is Partnership.DIHENTIKAN:
            since = f" sejak {r.ended.strftime(DATE_FORMAT)}" if r.ended else ""
            out.append(Alert(r.name, r.kecamatan, "dihentikan", f"Kemitraan dihentikan{since}.{why}", "partnership terminated"))
            continue  # a terminated partnership needs no SK or activity reminders
        if state is Partnership.DITINJAU:
            out.append(Alert(r.name, r.kecamatan, "ditinjau", f"Kemitraan sedang ditinjau.{why}", "partnership under review"))
        if r.sk_until is not None:
            left = (r.sk_until - today).days
            if left < 0:
                out.append(Alert(r.name, r.kecamatan, "sk_expired", f"SK berakhir pada {r.sk_until.strftime(DATE_FORMAT)}; "
                                 "perlu diperpanjang.", f"SK expired on {r.sk_until.isoformat()}"))
            elif left <= sk_warning_days:
                out.append(Alert(r.name, r.kecamatan, "sk_expiring", f"SK berakhir pada {r.sk_until.strftime(DATE_FORMAT)} "
                                 f"({left} hari lagi); siapkan perpanjangan.", f"SK expires in {left} days"))
        if state is Partnership.AKTIF:
            last = last_accepted.get(kim_key(r.name))
            if last is None or (today - last).days > quiet_days:
                text = (f"Kiriman terakhir yang disetujui petugas dikirim pada {last.strftime(DATE_FORMAT)}, lebih dari {quiet_days} hari lalu."
                        if last else "Belum ada kiriman dari KIM ini yang disetujui petugas.")
                out.append(Alert(r.name, r.kecamatan, "quiet", text, f"no accepted submission in {quiet_days} days"))
    out.sort(key=lambda a: (ALERT_ORDER.index(a.code), kim_key(a.kim)))
    return out


def summarise_alerts(alerts: Sequence[Alert]) -> str:
    """One English log line for a cycle: counts by kind and the KIM concerned."""
    if not alerts:
        return "partnership alerts: none"
    counts = Counter(a.code for a in alerts)
    parts = []
    for code in ALERT_ORDER:
        if counts[code]:
            names = ", ".join(a.kim for a in alerts if a.code == code)
            parts.append(f"{code} {counts[code]} ({names})")
    return "partnership alerts: " + "; ".join(parts)


__all__ = [
    "Alert",
    "RegistryProblem",
    "check_registry",
    "normalised_partnership",
    "partnership_alerts",
    "partnership_of",
    "summarise_alerts",
]
