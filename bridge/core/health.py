"""The bridge's health as officers read it in the sheet (issue 19), pure: the rows of the
``Status Bridge`` tab, and the plain-Indonesian text of each problem with what to do.

The tab is rewritten only when what it says changes, or when the time on it is
:data:`TIME_EVERY` old (bridge.cycle.health): the time tells officers the bridge is alive.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from bridge.exceptions import (
    AuthError,
    ConfigError,
    FatalError,
    LeaseHeldError,
    LedgerError,
    LimitError,
    NotFoundError,
    RetriableError,
    SchemaError,
)

#: How old the time on the tab may get before it is written again with nothing else changed. The
#: pipeline reads the spreadsheet at least this often anyway (its safety-net read), so an idle bridge
#: writes the tab once per safety-net read, and never from a cycle that reads nothing.
TIME_EVERY = timedelta(minutes=15)
#: Officers are told to call IT when the time is older than this.
STALE_AFTER = timedelta(minutes=45)

OK = "OK"
PROBLEM = "ADA MASALAH"
TIME_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class Health:
    """What the tab shows, besides the time it was written."""

    problems: tuple[str, ...] = ()  # Indonesian, each saying what to do
    last_publish: str = ""  # "dd/mm/yyyy HH:MM WITA: <judul> (<ID>)", empty when none is known
    waiting: int = 0  # MENUNGGU
    invalid: int = 0  # TIDAK VALID (waits for an officer too)
    approved: int = 0  # DISETUJUI, not yet published
    failed: int = 0  # GAGAL
    grant: str = ""  # the OAuth grant's end, when near (bridge.core.grant.sheet_text)
    server: str = ""  # the host the bridge runs on

    def key(self) -> str:
        """What changes the tab (the time aside)."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def health_rows(h: Health, updated: datetime) -> list[list[str]]:
    """The tab's cells, two columns: what, and its value."""
    problems = [*h.problems, *([h.grant] if h.grant else [])]
    return [
        ["Status Bridge MY MEIN", "Diisi otomatis oleh bridge; jangan diubah."],
        ["Keadaan", PROBLEM if problems else OK],
        ["Diperbarui (WITA)", updated.strftime(TIME_FORMAT)],
        ["Keterangan", "\n".join(f"{n}. {p}" for n, p in enumerate(problems, 1)) if problems
         else "Bridge bekerja normal; tidak ada yang perlu dilakukan."],
        ["Terbit terakhir", h.last_publish or "-"],
        ["Menunggu keputusan petugas", f"{h.waiting + h.invalid} (MENUNGGU {h.waiting}, TIDAK VALID {h.invalid})"],
        ["Disetujui, belum terbit", str(h.approved)],
        ["GAGAL terbit", f"{h.failed} (lihat Catatan Sistem di tab Review)" if h.failed else "0"],
        ["Server", h.server or "-"],
        ["Cara membaca", f"Waktu 'Diperbarui' maju paling lambat tiap {int(TIME_EVERY.total_seconds() // 60)} menit selama "
         f"bridge bekerja. Jika lebih dari {int(STALE_AFTER.total_seconds() // 60)} menit yang lalu, bridge berhenti atau "
         "tidak dapat menjangkau spreadsheet ini: hubungi TI (TI juga menerima pesan otomatis bila alamatnya disetel)."],
    ]


def due(shown_key: str, shown_at: datetime | None, h: Health, now: datetime) -> bool:
    """The tab needs writing: what it says changed, or its time is :data:`TIME_EVERY` old (or unknown)."""
    return shown_key != h.key() or shown_at is None or now - shown_at >= TIME_EVERY or now < shown_at


# --- each problem, in plain Indonesian with what to do ----------------------------------------


def intake_stopped(detail: str, question: bool) -> str:
    if question:
        return ("Kiriman baru belum dimasukkan ke Review karena sebuah pertanyaan di Google Form diganti namanya atau "
                "dihapus. Tidak ada kiriman yang hilang: semuanya menunggu. Kembalikan nama pertanyaan di formulir, atau "
                f"minta TI menambahkan alias di konfigurasi (lihat `mymein-bridge check`). Rincian untuk TI: {detail}")
    return ("Kiriman baru belum dimasukkan ke Review (tidak ada yang hilang; semuanya menunggu). Minta TI menjalankan "
            f"`mymein-bridge check`. Rincian untuk TI: {detail}")


def blogger_paused(until: datetime) -> str:
    return (f"Blogger menolak posting baru untuk hari ini (batas harian tercapai). Penerbitan dilanjutkan otomatis "
            f"{until:%d/%m/%Y} pukul {until:%H:%M} WITA; tidak perlu tindakan, Status baris tidak perlu diubah.")


def clock_skewed() -> str:
    return ("Jam server bridge berbeda lebih dari 2 menit dari jam Google, sehingga waktu terbit terjadwal bisa meleset. "
            "Minta TI menyalakan sinkronisasi waktu (NTP) di server.")


#: What stopped a whole cycle, in plain Indonesian with what to do (the digest's health line; the raw
#: error stays in the English journal). Keys: :func:`failure_kind`.
CYCLE_FAILED = {
    "unreachable": "Google tidak dapat dijangkau sementara (jaringan server atau gangguan di Google). Bridge mencoba lagi "
                   "otomatis; bila gangguan berulang berjam-jam, hubungi TI.",
    "limit": "Google membatasi permintaan bridge untuk hari ini (kuota harian). Bridge melanjutkan otomatis; bila "
             "berulang setiap hari, hubungi TI.",
    "auth": "Izin Google milik bridge ditolak atau sudah berakhir. Minta TI menjalankan `mymein-bridge auth`, lalu "
            "`mymein-bridge check`.",
    "no_access": "Akun Google bridge tidak dapat membuka spreadsheet (tidak lagi dibagikan kepadanya). Bagikan "
                 "spreadsheet ke akun bridge sebagai Editor, atau minta TI memeriksanya dengan `mymein-bridge check`.",
    "not_found": "Spreadsheet yang disetel untuk bridge tidak ditemukan (terhapus, atau alamatnya salah di konfigurasi). "
                 "Minta TI memeriksanya dengan `mymein-bridge check`.",
    "lease": "Bridge lain sedang bekerja pada spreadsheet ini, sehingga bridge ini berhenti agar tidak ada berita yang "
             "terbit dua kali. Minta TI memastikan hanya satu bridge yang berjalan.",
    "schema": "Judul kolom di salah satu tab diubah, sehingga bridge berhenti. Kembalikan judul kolomnya, atau minta TI "
              "menjalankan `mymein-bridge check`.",
    "ledger": "Berkas data bridge di server tidak dapat dibuka atau ditulis. Minta TI memeriksa server (jurnal layanan).",
    "config": "Konfigurasi bridge tidak valid. Minta TI menjalankan `mymein-bridge check`.",
    "other": "Siklus bridge gagal. Minta TI melihat jurnal server (journalctl -u mymein-bridge) dan menjalankan "
             "`mymein-bridge check`.",
}


def failure_kind(exc: BaseException | None) -> str:
    """The :data:`CYCLE_FAILED` key of what stopped a cycle; None: the spreadsheet could not be read for now."""
    if exc is None or isinstance(exc, RetriableError):
        return "unreachable"
    for kind, cls in (("limit", LimitError), ("auth", AuthError), ("not_found", NotFoundError), ("lease", LeaseHeldError),
                      ("schema", SchemaError), ("ledger", LedgerError), ("config", ConfigError)):
        if isinstance(exc, cls):
            return kind
    if isinstance(exc, FatalError) and "no access (HTTP 403" in str(exc):  # bridge.adapters.sheets words it so
        return "no_access"
    return "other"


def cycle_failed(kind: str) -> str:
    """The plain Indonesian line for a failure kind (unknown kinds: the general one)."""
    return CYCLE_FAILED.get(kind, CYCLE_FAILED["other"])


#: The cycle's problems about messages, by the English prefix their modules give them (bridge.cycle.notify,
#: bridge.cycle.digest, bridge.cycle.pipeline; tests/e2e/test_health.py sends each through a real cycle),
#: and what officers read about them. Checked in this order; ``{n}`` is how many the cycle recorded.
MESSAGE_PROBLEMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("notice template ",),
     "Template pesan ke operator rusak, sehingga sebagian pesan tidak dikirim ({n}). Minta TI memperbaiki berkas "
     "notice_<peristiwa>.txt di folder [notify] notice_templates (`mymein-bridge check` menunjukkan kesalahannya)."),
    (("Review tab has no 'Notifikasi Terkirim' column",),
     "Kolom 'Notifikasi Terkirim' tidak ada di tab Review, sehingga pesan ke operator tidak dikirim. Minta TI "
     "menjalankan `mymein-bridge init`."),
    (("operator messages postponed",),
     "Pesan ke operator tertunda karena Google tidak dapat dijangkau sementara ({n}); dicoba lagi otomatis, tidak "
     "perlu tindakan."),
    (("operator messages stopped",),
     "Pesan ke operator gagal terkirim ({n}): periksa [notify] channel di konfigurasi dan izinnya (untuk e-mail: izin "
     "Gmail; minta TI menjalankan `mymein-bridge check`, lalu `mymein-bridge auth` bila izinnya ditolak). Penerbitan "
     "tetap berjalan; pesan dikirim setelah diperbaiki."),
    (("officers' digest template ",),
     "Template ringkasan untuk petugas (digest.txt) rusak, sehingga ringkasan tidak dikirim. Minta TI menjalankan "
     "`mymein-bridge check`."),
    (("officers' digest postponed",),
     "Ringkasan untuk petugas tertunda karena Google tidak dapat dijangkau sementara; dicoba lagi otomatis."),
    (("officers' digest not sent",),
     "Ringkasan untuk petugas gagal terkirim ({n}): periksa alamat [notify] digest_to dan digest_urls di "
     "konfigurasi (minta TI menjalankan `mymein-bridge check`)."),
)


def message_problems(problems: list[str]) -> tuple[list[str], list[str]]:
    """(officers' lines for the message problems, the problems left): each kind named once, with its count."""
    lines: list[str] = []
    left = list(problems)
    for prefixes, text in MESSAGE_PROBLEMS:
        mine = [p for p in left if p.startswith(prefixes)]
        if mine:
            lines.append(text.format(n=len(mine)))
            left = [p for p in left if p not in mine]
    return lines, left


def other_problems(count: int) -> str:
    return (f"Siklus terakhir mencatat {count} masalah lain (misalnya satu baris yang tidak dapat diproses). Bridge tetap "
            "bekerja; TI dapat melihat rinciannya di jurnal server (journalctl -u mymein-bridge).")


__all__ = ["CYCLE_FAILED", "MESSAGE_PROBLEMS", "OK", "PROBLEM", "STALE_AFTER", "TIME_EVERY", "Health", "blogger_paused", "clock_skewed",
           "cycle_failed", "due", "failure_kind", "health_rows", "intake_stopped", "message_problems", "other_problems"]
