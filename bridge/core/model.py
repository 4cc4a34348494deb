"""The domain's nouns and their Indonesian labels, in one place.

Everything an officer sees in the sheet (tab headers, status values) is spelled
here, so the sheet UI and the code can never disagree. The Review statuses are
defined with the status machine (:mod:`bridge.core.review_machine`) and re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

# The Review statuses live with the status machine (issue 22) and are re-exported here; ReviewRow.status
# reads the machine's parse cache directly (it is asked of every row many times a cycle).
from bridge.core.operator_reasons import OperatorReason, operator_reason
from bridge.core.review_machine import _STATUS_OF, _parse_status
from bridge.core.review_machine import BRIDGE_STATUSES as BRIDGE_STATUSES
from bridge.core.review_machine import Status as Status


class Field(StrEnum):
    """Fields of one form response, whatever the question headers are called."""

    TIMESTAMP = "timestamp"
    EMAIL = "email"
    KECAMATAN = "kecamatan"
    DESA = "desa"
    OPERATOR = "operator"
    TITLE = "title"
    BODY = "body"
    PHOTO = "photo"


#: Fields the form must have; intake stops (naming the question) if one is missing.
REQUIRED_FIELDS: tuple[Field, ...] = (
    Field.TIMESTAMP,
    Field.KECAMATAN,
    Field.DESA,
    Field.OPERATOR,
    Field.TITLE,
    Field.BODY,
)


class ReviewColumn(StrEnum):
    """Headers of the Review (and Arsip) tab, in sheet order. Values are the headers."""

    ID = "ID"
    RECEIVED = "Diterima (WITA)"
    KECAMATAN = "Kecamatan"
    DESA = "Desa/Kelurahan"
    KIM = "KIM"
    OPERATOR = "Operator"
    EMAIL = "Email Operator"
    TITLE = "Judul"
    BODY = "Isi"
    PHOTOS = "Foto"
    SYSTEM_NOTE = "Catatan Sistem"
    STATUS = "Status"
    OFFICER_NOTE = "Catatan Petugas"
    SCHEDULE = "Jadwal Terbit (WITA)"
    POST_URL = "Tautan Post"
    PUBLISHED = "Waktu Terbit (WITA)"
    FINGERPRINT = "Sidik Jari"
    OPERATOR_MESSAGE = "Pesan untuk Operator"  # the officer's words to the operator, apart from internal notes (issue 19)
    DECIDED = "Diputuskan (WITA)"  # when the bridge first saw an officer's decision (issue 19)
    NOTICES = "Notifikasi Terkirim"  # messages sent to the operator, one line per event (issue 19)
    # --- issue 20: coordination before publishing ---
    LEADER = "Persetujuan Pimpinan"  # a coordinator's SETUJU / TAHAN / TOLAK; protected: only the coordinators edit it
    DECIDED_BY = "Diputuskan Oleh"  # the bridge's record of who decided: the role, and what the sheet proves of it


REVIEW_HEADERS: tuple[str, ...] = tuple(c.value for c in ReviewColumn)

#: Columns officers edit; every other Review column belongs to the bridge (protected).
OFFICER_COLUMNS = frozenset(
    {
        ReviewColumn.KECAMATAN,  # corrected by an officer approving a TIDAK VALID row after checking
        ReviewColumn.DESA,
        ReviewColumn.KIM,
        ReviewColumn.TITLE,
        ReviewColumn.BODY,
        ReviewColumn.PHOTOS,  # emptied to publish without an unusable photo
        ReviewColumn.STATUS,
        ReviewColumn.OFFICER_NOTE,
        ReviewColumn.SCHEDULE,
        ReviewColumn.OPERATOR_MESSAGE,
    }
)

#: Columns added with issue 19: a Review tab made before them works on without them (nothing of a
#: submission is lost); `init` adds them, and the features that need them say so until then.
LATER_COLUMNS = frozenset({ReviewColumn.OPERATOR_MESSAGE, ReviewColumn.DECIDED, ReviewColumn.NOTICES,
                           ReviewColumn.LEADER, ReviewColumn.DECIDED_BY})  # issue 20

#: Columns only the coordinators edit (issue 20): protected apart from the bridge's and the officers'.
COORDINATOR_COLUMNS = frozenset({ReviewColumn.LEADER})


class KimColumn(StrEnum):
    """Headers of the KIM registry tab (profile fields of the Juknis Kemitraan KIM 2022)."""

    NAME = "Nama KIM"
    KECAMATAN = "Kecamatan"
    DESA = "Desa/Kelurahan"
    NOMOR_INDUK = "Nomor Induk Komunitas"
    SK_NUMBER = "Nomor SK"
    SK_DATE = "Tanggal SK"
    SK_UNTIL = "SK Berlaku Sampai"
    PARTNERSHIP = "Status Kemitraan"
    CHAIR = "Ketua"
    BOARD = "Pengurus"
    OPERATOR_EMAILS = "Email Operator"
    PHONE = "Telepon"
    NOTE = "Catatan"
    # The rest of the Juknis' Tabel 3.1 profile, after the columns older registries already have
    # (``init`` appends what a tab lacks, so existing columns never move).
    TIPE = "Tipe KIM"
    ADDRESS = "Alamat"
    KIM_EMAIL = "Email KIM"
    AUDIENCE = "Khalayak Sasaran"
    MEDIA = "Jenis Media"
    ACTIVITY = "Bidang Kegiatan"
    ISSUES = "Isu Publik"
    FREQUENCY = "Frekuensi"
    CONTENT = "Jenis Konten"
    TERM = "Periode Kemitraan"
    POWER = "Kekuatan (jangkauan)"
    INFLUENCE = "Pengaruh (tanggapan positif)"
    STATUS_REASON = "Alasan Status"
    ENDED = "Tanggal Dihentikan"
    # issue 19: where this KIM's operator messages go (bridge.core.kim_channel); empty = the form's e-mail
    CHANNEL = "Kanal Notifikasi"
    CHANNEL_ADDRESS = "Alamat Notifikasi"


KIM_HEADERS: tuple[str, ...] = tuple(c.value for c in KimColumn)


class Partnership(StrEnum):
    """Values of the registry's ``Status Kemitraan`` column, in the Juknis' own terms."""

    AKTIF = "AKTIF"
    DITINJAU = "DITINJAU"  # under review (the reason goes in Alasan Status)
    DIHENTIKAN = "DIHENTIKAN"  # terminated (reason in Alasan Status, date in Tanggal Dihentikan)


#: Older words officers typed before the Juknis terms; they keep working.
PARTNERSHIP_ALIASES: dict[str, Partnership] = {
    "ACTIVE": Partnership.AKTIF,
    "TIDAK AKTIF": Partnership.DIHENTIKAN,
    "NONAKTIF": Partnership.DIHENTIKAN,
    "NON AKTIF": Partnership.DIHENTIKAN,
    "DIBEKUKAN": Partnership.DITINJAU,
    "BEKU": Partnership.DITINJAU,
}


class KimType(StrEnum):
    """Tipe KIM (Juknis): A manages and disseminates information; B empowers the community and
    adds dissemination."""

    A = "A"
    B = "B"


#: The registry's Frekuensi dropdown (how often a KIM disseminates).
FREQUENCIES: tuple[str, ...] = ("Harian", "Mingguan", "Bulanan", "Tidak tentu")


@dataclass(frozen=True)
class Wilayah:
    """One official desa/kelurahan of Kabupaten Balangan."""

    kode: str
    kecamatan: str
    desa: str
    jenis: str  # "desa" or "kelurahan"


@dataclass(frozen=True)
class FormResponse:
    """One row of the form's responses tab, mapped by header (still raw text)."""

    row_number: int  # 1-based row in the sheet
    received_at: datetime | None  # aware, in the bridge's time zone (WITA)
    email: str = ""
    kecamatan: str = ""
    desa: str = ""
    operator: str = ""
    title: str = ""
    body: str = ""
    photos: tuple[str, ...] = ()  # Drive links as the form wrote them
    raw_timestamp: str = ""  # the cell as read, for the fingerprint and for reasons
    unreadable: str = ""  # why the row could not be read as usual (English): queued for officers to check


@dataclass(frozen=True)
class KimRecord:
    """One KIM from the registry tab."""

    name: str
    kecamatan: str
    desa: str
    nomor_induk: str = ""
    sk_number: str = ""
    sk_date: date | None = None
    sk_until: date | None = None
    sk_until_unreadable: str = ""  # the 'SK Berlaku Sampai' cell as typed, when it is not a date
    partnership: str = ""
    chair: str = ""
    board: str = ""
    operator_emails: frozenset[str] = frozenset()
    phone: str = ""
    note: str = ""
    row_number: int = 0
    sk_date_unreadable: str = ""  # the 'Tanggal SK' cell as typed, when it is not a date
    tipe: str = ""
    address: str = ""
    kim_email: str = ""
    audience: str = ""
    media: str = ""
    activity: str = ""
    issues: str = ""
    frequency: str = ""
    content: str = ""
    term: str = ""
    power: int | None = None  # Kekuatan: reach (followers, subscribers, attendance); None = not filled in
    power_unreadable: str = ""
    influence: int | None = None  # Pengaruh: positive responses (likes and the like)
    influence_unreadable: str = ""
    status_reason: str = ""
    ended: date | None = None
    emails_typed: tuple[str, ...] = ()  # every e-mail-like word in Email Operator, as typed (for the self-check)
    notify_channel: str = ""  # Kanal Notifikasi as typed (issue 19)
    notify_address: str = ""  # Alamat Notifikasi as typed


def kim_key(name: str) -> str:
    """A KIM name as compared across tabs (case and spacing ignored)."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Reason:
    """Why a submission is not valid: Indonesian for the sheet, English for the log."""

    code: str
    id: str
    en: str

    @property
    def operator(self) -> OperatorReason:
        """The operator's text for this reason, and whether resubmitting fixes it (:mod:`bridge.core.operator_reasons`)."""
        return operator_reason(self.code, self.id)


@dataclass(frozen=True)
class Submission:
    """A sanitized, validated form response, ready for the Review tab."""

    fingerprint: str
    row_number: int
    received_at: datetime | None
    kecamatan: str  # official name when recognised, else as sanitized
    desa: str
    kim: str
    operator: str
    email: str
    title: str
    body: str  # plain text, sanitized; HTML is built only when rendering
    photos: tuple[str, ...]
    reasons: tuple[Reason, ...] = ()
    id: str = ""  # assigned by the ledger when queued
    content_key: str = ""  # validate.content_key of operator, title, body (computed once, by validation)

    @property
    def valid(self) -> bool:
        return not self.reasons

    @property
    def status(self) -> Status:
        return Status.MENUNGGU if self.valid else Status.TIDAK_VALID


@dataclass
class ReviewRow:
    """One row of the Review tab as read back (officers may have edited it)."""

    row_number: int
    values: dict[ReviewColumn, str] = field(default_factory=dict)
    #: True when only the ID and Status cells were read this cycle and the rest is the ledger's copy
    #: of the row as last seen (:mod:`bridge.core.review_view`); read it in full before copying it.
    cached: bool = field(default=False, compare=False)

    def get(self, column: ReviewColumn) -> str:
        return self.values.get(column, "")

    @property
    def id(self) -> str:
        return self.values.get(_ID, "").strip()

    @property
    def status(self) -> Status | None:
        raw = self.values.get(_STATUS, "")
        try:
            return _STATUS_OF[raw]
        except (KeyError, TypeError):
            return _parse_status(str(raw))

    def matching_cells(self) -> tuple[str, str, str, str]:
        """The ID, Sidik Jari, Status and Catatan Sistem cells: what matching asks of every row, every
        cycle (bridge.core.identity), in one call."""
        get = self.get
        return get(_ID), get(ReviewColumn.FINGERPRINT), get(_STATUS), get(ReviewColumn.SYSTEM_NOTE)


_ID, _STATUS = ReviewColumn.ID, ReviewColumn.STATUS  # looked up once: asked of every row many times a cycle
