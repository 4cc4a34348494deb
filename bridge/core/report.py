"""The monitoring-and-evaluation report's arithmetic (Juknis Kemitraan KIM 2022), pure.

Everything is computed from what the sheet and the blog hold (Review and Arsip rows, the KIM
tab, comment counts and page views), never from the ledger, so a lost ledger loses no report.
The same inputs give the same tables, cell for cell.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from bridge.core.coordination import Coordinated, coordination_table
from bridge.core.model import KimRecord, Partnership, Status, kim_key
from bridge.core.period import MONTHS_SHORT_ID, Period
from bridge.core.registry import Alert, partnership_of
from bridge.core.waiting import Waiting, percentile, waiting_cells, waiting_note, waiting_of

Cell = str | int

#: A TERBIT row whose link opens Blogger's editor holds a draft, not a post on the website.
DRAFT_LINK = "blogger.com/blog/post/edit/"
NO_KIM = "(KIM tidak dikenali)"
NO_NOTE = "(tanpa catatan)"
APPROVED = frozenset({Status.DISETUJUI, Status.TERBIT, Status.GAGAL, Status.DITARIK,
                      Status.PERLU_KOORDINASI})  # issue 20: the officer's approval, pending a coordinator


#: Kept in Catatan Sistem when a row that failed the automatic checks is published after an officer
#: approved it, so the report still counts it as not valid once the list of problems is replaced.
FAILED_AT_INTAKE = "Saat masuk tidak lolos pemeriksaan otomatis; diterbitkan setelah disetujui petugas."


@dataclass(frozen=True)
class Item:
    """One submission as the Review or Arsip tab shows it."""

    id: str
    received: datetime | None
    kecamatan: str
    kim: str
    title: str
    status: Status | None
    system_note: str = ""
    officer_note: str = ""
    has_photo: bool = False
    post_url: str = ""
    published: datetime | None = None
    decided: datetime | None = None  # Diputuskan (WITA): when the bridge first saw the officer's decision
    leader: str = ""  # issue 20: Persetujuan Pimpinan (a coordinator's SETUJU / TAHAN / TOLAK)

    @property
    def valid(self) -> bool:
        """Passed the automatic checks: not TIDAK VALID, no numbered list of problems in Catatan Sistem, and
        not published with the note that it had failed them (the publish note replaces the list)."""
        note = self.system_note
        return self.status is not Status.TIDAK_VALID and not note.lstrip().startswith("1. ") and FAILED_AT_INTAKE not in note

    @property
    def is_draft(self) -> bool:
        """TERBIT, but the link opens Blogger's editor: approved, waiting as a draft in Blogger
        ([blog] publish_mode = draft) until someone publishes it there."""
        return self.status is Status.TERBIT and DRAFT_LINK in self.post_url

    @property
    def is_published(self) -> bool:
        """TERBIT with a link to the website (a draft's editor link does not count) and a time."""
        return (self.status is Status.TERBIT and bool(self.post_url.strip()) and DRAFT_LINK not in self.post_url
                and self.published is not None)


@dataclass(frozen=True)
class Rules:
    """The report's thresholds and weights (``[report]`` in the config)."""

    interest_percent: int = 100
    power_min: int = 500
    influence_min: int = 50
    weight_published: int = 60
    weight_approval: int = 30
    weight_comments: int = 10


@dataclass(frozen=True)
class Table:
    """One table of the report: shown in the Laporan tab and written as ``<csv>.csv``."""

    csv: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageViews:
    """The whole blog's page views (Blogger has no views per post)."""

    seven_days: int
    thirty_days: int
    all_time: int


@dataclass
class Report:
    period: Period
    tables: list[Table] = field(default_factory=list)
    views: Table | None = None
    chart: Table | None = None  # the table the chart draws (also in ``tables``)
    drafts: int = 0  # approved items of the period waiting as drafts in Blogger
    provisional: bool = False  # the period has not ended: the title says SEMENTARA
    waiting: Waiting = Waiting((), 0)  # the period's waiting times for a decision, all KIM together

    def table(self, csv: str) -> Table:
        for t in [*self.tables, *([self.views] if self.views else [])]:
            if t.csv == csv:
                return t
        raise KeyError(csv)


def dedupe(review: Sequence[Item], archive: Sequence[Item]) -> list[Item]:
    """One item per ID: the Review row when an ID is in both tabs (an archive move cut short)."""
    seen: dict[str, Item] = {}
    for item in [*review, *archive]:
        key = item.id or f"\x00{len(seen)}"
        seen.setdefault(key, item)
    return list(seen.values())


def _local_day(when: datetime | None) -> date | None:
    return when.date() if when is not None else None


def _within(when: datetime | None, period: Period) -> bool:
    """On a day of ``period``; a row with no time (its cell cleared) is in no period."""
    day = _local_day(when)
    return day is not None and day in period


def _hours(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600


def _half_up(value: Fraction | int, places: int) -> str:
    """A fraction rounded half up to ``places`` decimals, as text with a dot."""
    q = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    return str(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def fmt_number(value: float) -> str:
    """One decimal with an Indonesian decimal comma: 12,5."""
    return f"{value:.1f}".replace(".", ",")


def _time_cells(values: list[float]) -> tuple[str, str]:
    if not values:
        return "-", "-"
    return fmt_number(statistics.median(values)), fmt_number(percentile(values, 90))


def _top_reasons(items: Iterable[Item]) -> str:
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for it in items:
        if it.status is Status.DITOLAK:
            text = " ".join(it.officer_note.split()) or NO_NOTE
            key = text.casefold().rstrip(".")
            shown.setdefault(key, text)
            counts[key] += 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return "; ".join(f"{shown[k]} ({n})" for k, n in top) or "-"


def _counts(items: Sequence[Item]) -> tuple[Cell, ...]:
    approved = sum(1 for i in items if i.status in APPROVED)
    rejected = sum(1 for i in items if i.status is Status.DITOLAK)
    published = [i for i in items if i.is_published]
    withdrawn = sum(1 for i in items if i.status is Status.DITARIK)
    to_publish = [_hours(i.received, i.published) for i in published if i.received and i.published]
    med, p90 = _time_cells(to_publish)
    d_med, d_p90 = waiting_cells(_waiting(items))
    return (len(items), sum(1 for i in items if i.valid), approved, rejected, len(published), withdrawn, d_med, d_p90,
            med, p90, _top_reasons(items))


def _waiting(items: Iterable[Item]) -> Waiting:
    return waiting_of((i.status, i.received, i.decided) for i in items)


SUMMARY_HEADER = ("Dikirim", "Valid", "Disetujui", "Ditolak", "Terbit", "Ditarik", "Median jam kirim-keputusan",
                  "Persentil 90 jam kirim-keputusan", "Median jam kirim-terbit",
                  "Persentil 90 jam kirim-terbit", "Alasan penolakan terbanyak")
SUMMARY_NOTES = (
    "Dihitung dari kiriman yang diterima dalam periode ini (tab Review dan Arsip). Valid: lolos pemeriksaan otomatis. "
    "Disetujui: pernah disetujui petugas (termasuk yang sudah terbit, gagal terbit atau ditarik).",
)


def _kim_name(item: Item) -> str:
    return item.kim.strip() or NO_KIM


@dataclass
class _Context:
    """What every table of one report reads: the registry, the period's items, the blog's comments."""

    period: Period
    kims: list[KimRecord]
    cohort: list[Item]  # received in the period
    published: list[Item]  # published in the period, by KIM then time
    comments: Mapping[str, int]
    kecamatan_order: dict[str, int]
    official: dict[str, KimRecord]
    drafts: int = 0  # approved, waiting as drafts in Blogger (made or received in the period)

    def kim(self, item: Item) -> str:
        """The item's KIM as the registry spells it (or as the row has it)."""
        name = _kim_name(item)
        rec = self.official.get(kim_key(name))
        return rec.name if rec else name

    def kec_rank(self, kecamatan: str) -> tuple[int, str]:
        return self.kecamatan_order.get(kecamatan, 99), kecamatan

    def activity(self) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str], Counter[str]]:
        """Per KIM (``kim_key``): submitted, approved, rejected (received in the period); published and
        comments (published in the period)."""
        sub = Counter(kim_key(_kim_name(i)) for i in self.cohort)
        approved = Counter(kim_key(_kim_name(i)) for i in self.cohort if i.status in APPROVED)
        rejected = Counter(kim_key(_kim_name(i)) for i in self.cohort if i.status is Status.DITOLAK)
        pub = Counter(kim_key(_kim_name(i)) for i in self.published)
        com: Counter[str] = Counter()
        for it in self.published:
            com[kim_key(_kim_name(it))] += self.comments.get(it.post_url, 0)
        return sub, approved, rejected, pub, com


def _tabel_5_2(c: _Context) -> Table:
    by_kim: dict[str, list[Item]] = defaultdict(list)
    for it in c.published:
        by_kim[c.kim(it)].append(it)
    rows: list[tuple[Cell, ...]] = []
    for kim in sorted(by_kim, key=kim_key):
        for j, it in enumerate(by_kim[kim]):
            assert it.published is not None
            rows.append((len(rows) + 1, kim, it.title, "teks, foto" if it.has_photo else "teks",
                         len(by_kim[kim]) if j == 0 else "", it.published.strftime("%d/%m/%Y %H:%M"), it.post_url))
    return Table(
        "tabel-5-2-diseminasi", "Tabel 5.2 Monitoring kegiatan diseminasi informasi KIM",
        ("No", "Nama Kelompok", "Aktivitas Diseminasi", "Format (berita)", "Jumlah Kegiatan", "Keterangan Waktu (WITA)",
         "Link Media"),
        tuple(rows),
        (f"Dalam periode ini {len(c.published)} berita dari {len(by_kim)} KIM terbit di website.",
         *((f"{c.drafts} berita lain sudah disetujui tetapi masih berupa draf di Blogger (mode draf) dan belum tampil di "
            "website; terbitkan dari Blogger agar terhitung.",) if c.drafts else ())),
    )


def _summaries(c: _Context) -> tuple[Table, Table]:
    kec_groups: dict[str, list[Item]] = defaultdict(list)
    kim_groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for it in c.cohort:
        kec_groups[it.kecamatan or "(kosong)"].append(it)
        kim_groups[(it.kecamatan or "(kosong)", c.kim(it))].append(it)
    kec_rows = [(kec, *_counts(kec_groups[kec])) for kec in sorted(kec_groups, key=c.kec_rank)]
    kec_rows.append(("Jumlah", *_counts(c.cohort)))
    kim_rows = [(kec, kim, *_counts(kim_groups[(kec, kim)]))
                for kec, kim in sorted(kim_groups, key=lambda k: (*c.kec_rank(k[0]), kim_key(k[1])))]
    return (Table("ringkasan-kecamatan", "Ringkasan per kecamatan", ("Kecamatan", *SUMMARY_HEADER), tuple(kec_rows),
                  (*SUMMARY_NOTES, waiting_note(_waiting(c.cohort)))),
            Table("ringkasan-kim", "Ringkasan per KIM", ("Kecamatan", "KIM", *SUMMARY_HEADER), tuple(kim_rows)))


def _outtakes(c: _Context, views: PageViews | None) -> tuple[Table, Table | None]:
    rows = [(k + 1, c.kim(it), it.title, c.comments.get(it.post_url, 0), it.post_url) for k, it in enumerate(c.published)]
    comments = Table(
        "outtakes-komentar", "Outtakes: komentar pembaca per berita", ("No", "KIM", "Judul", "Komentar", "Link Media"),
        tuple(rows),
        (f"Jumlah komentar: {sum(int(r[3]) for r in rows)}. Blogger tidak menyediakan jumlah tayangan per berita; yang "
         "tersedia hanya tayangan seluruh blog (tabel berikut).",),
    )
    if views is None:
        return comments, None
    return comments, Table(
        "outtakes-tayangan", "Outtakes: tayangan halaman seluruh blog", ("Rentang", "Tayangan"),
        (("7 hari terakhir", views.seven_days), ("30 hari terakhir", views.thirty_days), ("Sepanjang waktu", views.all_time)),
        ("Angka dari Blogger pada saat laporan dibuat (bukan per periode laporan, dan tidak per berita).",),
    )


def _follow_up(c: _Context, alerts: Sequence[Alert]) -> Table:
    _, _, _, pub, _ = c.activity()
    rows: list[tuple[Cell, ...]] = [
        (r.name, r.kecamatan, "Tidak ada berita terbit dalam periode ini.")
        for r in sorted(c.kims, key=lambda r: kim_key(r.name))
        if partnership_of(r) is not Partnership.DIHENTIKAN and pub[kim_key(r.name)] == 0
    ]
    rows += [(a.kim, a.kecamatan, a.id) for a in alerts]
    rows.sort(key=lambda row: kim_key(str(row[0])))  # stable: within a KIM, no news first, then its alerts in order
    return Table("tindak-lanjut", "Daftar tindak lanjut", ("KIM", "Kecamatan", "Perlu tindak lanjut"), tuple(rows),
                 ("KIM tanpa berita terbit dalam periode ini, dan peringatan kemitraan (SK, status, keaktifan).",))


def _ranking(c: _Context, rules: Rules) -> Table:
    _, approved, rejected, pub, com = c.activity()
    active = [r for r in c.kims if partnership_of(r) is Partnership.AKTIF]
    best_pub = max((pub[kim_key(r.name)] for r in active), default=0)
    best_com = max((com[kim_key(r.name)] for r in active), default=0)
    w_total = rules.weight_published + rules.weight_approval + rules.weight_comments
    scored = []
    for r in active:
        k = kim_key(r.name)
        decided = approved[k] + rejected[k]
        rate = Fraction(approved[k], decided) if decided else Fraction(0)
        # Exact fractions: the same numbers give the same score and order on every machine.
        score = 100 * (rules.weight_published * (Fraction(pub[k], best_pub) if best_pub else 0)
                       + rules.weight_approval * rate
                       + rules.weight_comments * (Fraction(com[k], best_com) if best_com else 0)) / w_total
        scored.append((score, pub[k], rate, com[k], r, decided))
    scored.sort(key=lambda s: (-s[0], -s[1], -s[2], -s[3], kim_key(s[4].name)))
    rows: list[tuple[Cell, ...]] = []
    for n, s in enumerate(scored):
        tied = n > 0 and scored[n - 1][:4] == s[:4]
        rank = rows[-1][0] if tied else n + 1  # equal on every value: the same place
        rows.append((rank, s[4].name, s[4].kecamatan, s[1], f"{_half_up(100 * s[2], 0)}%" if s[5] else "-", s[3],
                     _half_up(s[0], 1).replace(".", ",")))
    return Table(
        "peringkat-penghargaan", "Peringkat untuk Penghargaan KIM",
        ("Peringkat", "KIM", "Kecamatan", "Terbit", "Persetujuan", "Komentar", "Skor"),
        tuple(rows),
        (f"Bobot: terbit {rules.weight_published}, persetujuan {rules.weight_approval}, komentar {rules.weight_comments}. "
         "Skor = jumlah bobot x nilai (terbit dan komentar dibandingkan dengan KIM tertinggi; persetujuan = disetujui dibagi "
         "yang sudah diputuskan), dalam skala 0-100. Skor sama diurutkan menurut terbit, lalu persetujuan, lalu komentar; "
         "KIM yang sama pada semua nilai berbagi peringkat. Hanya KIM berstatus AKTIF.",),
    )


def _map(c: _Context, rules: Rules) -> Table:
    sub, _, _, _, _ = c.activity()
    mapped = [r for r in c.kims if partnership_of(r) is not Partnership.DIHENTIKAN]
    median = statistics.median([sub[kim_key(r.name)] for r in mapped]) if mapped else 0
    rows: list[tuple[Cell, ...]] = []
    for r in sorted(mapped, key=lambda r: (*c.kec_rank(r.kecamatan), kim_key(r.name))):
        subs = sub[kim_key(r.name)]
        interest_high = subs > 0 and subs * 100 >= rules.interest_percent * median
        if r.power is None or r.influence is None:
            category, approach = "Data belum lengkap", "Lengkapi Kekuatan dan Pengaruh di tab KIM."
        else:
            strong = r.power >= rules.power_min and r.influence >= rules.influence_min
            category, approach = QUADRANTS[(interest_high, strong)]
        rows.append((r.name, r.kecamatan, subs, "Tinggi" if interest_high else "Rendah",
                     "" if r.power is None else r.power, "" if r.influence is None else r.influence, category, approach))
    return Table(
        "tabel-3-3-pemetaan", "Tabel 3.3 Pemetaan KIM menurut minat, kekuatan dan pengaruh",
        ("KIM", "Kecamatan", "Kiriman", "Minat", "Kekuatan", "Pengaruh", "Kategori", "Pendekatan"),
        tuple(rows),
        (f"Minat tinggi: kiriman dalam periode minimal {rules.interest_percent}% dari median kabupaten "
         f"({fmt_number(median)}) dan lebih dari 0. Kekuatan dan pengaruh tinggi: Kekuatan minimal {rules.power_min} dan "
         f"Pengaruh minimal {rules.influence_min} (dari tab KIM). KIM yang dihentikan tidak dipetakan.",),
    )


def _per_month(c: _Context, kecamatan_names: Sequence[str]) -> Table:
    per = Counter((i.kecamatan, i.published.year, i.published.month) for i in c.published if i.published)
    rows: list[tuple[str | int, ...]] = []
    for y, m in c.period.months():
        counts = [per[(kec, y, m)] for kec in kecamatan_names]
        rows.append((f"{MONTHS_SHORT_ID[m - 1]} {y}", *counts, sum(counts)))
    return Table("terbit-per-bulan", "Berita terbit per kecamatan per bulan", ("Bulan", *kecamatan_names, "Jumlah"),
                 tuple(rows))


def build_report(
    period: Period,
    items: Sequence[Item],
    registry: Sequence[KimRecord],
    alerts: Sequence[Alert],
    comments: Mapping[str, int],
    views: PageViews | None,
    kecamatan_names: Sequence[str],
    rules: Rules,
) -> Report:
    """Every table of the report for ``period``.

    Args:
        items: Review and Arsip rows, already :func:`dedupe`-d.
        alerts: partnership alerts as of the period's end (or today, if sooner).
        comments: post URL → number of comments Blogger reports.
        views: the blog's page views, or ``None`` when Blogger did not give them.
    """
    kims = [r for r in registry if r.name.strip()]
    c = _Context(period, kims, [], [], comments, {k: i for i, k in enumerate(kecamatan_names)},
                 {kim_key(r.name): r for r in kims})
    c.cohort = [i for i in items if _within(i.received, period)]
    c.published = sorted((i for i in items if i.is_published and _within(i.published, period)),
                         key=lambda i: (kim_key(c.kim(i)), i.published, i.id))
    c.drafts = sum(1 for i in items if i.is_draft and _within(i.published or i.received, period))
    report = Report(period, drafts=c.drafts, waiting=_waiting(c.cohort))
    comments_table, views_table = _outtakes(c, views)
    report.tables += [_tabel_5_2(c), *_summaries(c), comments_table, _follow_up(c, alerts), _ranking(c, rules), _map(c, rules)]
    report.views = views_table
    report.chart = _per_month(c, kecamatan_names)
    report.tables.append(report.chart)
    coordination = _coordination(c.cohort)  # issue 20: only when some item of the period needed a coordinator
    if coordination is not None:
        report.tables.append(coordination)
    return report


# --- issue 20: coordination before publishing ---------------------------------------------------------

COORDINATION_HEADER = ("Perlu koordinasi", "SETUJU", "TAHAN", "TOLAK", "Belum dipilih", "Median jam setuju-terbit",
                       "Persentil 90 jam setuju-terbit")
COORDINATION_NOTES = (
    "Kiriman yang diterima dalam periode ini dan perlu Persetujuan Pimpinan: kolom Persetujuan Pimpinan terisi, Status "
    "PERLU KOORDINASI, atau Catatan Sistem menyebut Persetujuan Pimpinan. Waktu tunggu: dari keputusan petugas "
    "(Diputuskan (WITA)) sampai terbit (Waktu Terbit), untuk kiriman yang disetujui koordinator dan sudah tayang.",
)


def _needed_coordination(item: Item) -> bool:
    return bool(item.leader.strip()) or item.status is Status.PERLU_KOORDINASI or "Persetujuan Pimpinan" in item.system_note


def _coordination(items: Sequence[Item]) -> Table | None:
    """The period's coordination: how many items needed a coordinator, what they chose, and how long it took."""
    needed = [Coordinated(i.id, i.leader, i.decided, i.published if i.is_published else None)
              for i in items if _needed_coordination(i)]
    if not needed:
        return None
    t = coordination_table(needed)
    med = fmt_number(t.median_hours) if t.median_hours is not None else "-"
    p90 = fmt_number(t.p90_hours) if t.p90_hours is not None else "-"
    return Table("koordinasi", "Koordinasi dengan pimpinan", COORDINATION_HEADER,
                 ((t.needed, t.agreed, t.held, t.refused, t.waiting, med, p90),), COORDINATION_NOTES)


#: (interest high, power and influence high) → (category, the Juknis' approach)
QUADRANTS: dict[tuple[bool, bool], tuple[str, str]] = {
    (True, True): ("Minat tinggi, kekuatan dan pengaruh tinggi", "Jadikan mitra"),
    (False, True): ("Minat rendah, kekuatan dan pengaruh tinggi", "Persuasi agar bersedia menjadi mitra"),
    (True, False): ("Minat tinggi, kekuatan dan pengaruh rendah", "Pembinaan dan peningkatan kapasitas"),
    (False, False): ("Minat rendah, kekuatan dan pengaruh rendah", "Pendataan dan pemantauan"),
}


def last_accepted(items: Iterable[Item]) -> dict[str, date]:
    """KIM (``kim_key``) → day of its latest submission an officer accepted, for the quiet-KIM alert."""
    out: dict[str, date] = {}
    for it in items:
        if it.status in APPROVED and it.received is not None and it.kim.strip():
            k, d = kim_key(it.kim), it.received.date()
            if k not in out or d > out[k]:
                out[k] = d
    return out


__all__ = ["Item", "PageViews", "QUADRANTS", "Report", "Rules", "Table", "build_report", "dedupe", "last_accepted",
           "percentile"]
