"""A quarter of activity (July-September 2026) for the report's tests: the Review and Arsip tabs
as officers leave them, a full Juknis registry, and the blog with comments and page views.

What it holds, on purpose: six KIM in six kecamatan; July moved to Arsip (and one July row
still in Review too, as an archive move cut short leaves it); rejections with reasons; a
withdrawn post; a KIM whose SK has expired (Panaitan) and one whose SK ends within 60 days of
the quarter's end (Mantuyan); a KIM ``DITINJAU`` (Pitap); a KIM with no news at all (Pudak); a
KIM with no Kekuatan/Pengaruh (Panaitan); one item received on the quarter's last day and
published the day after; one from June. Diputuskan (WITA) is on the rows decided since the column
came (issue 19); the older ones (Arsip, row 1, and one rejection) lack it: their waiting time is
"tidak tercatat".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bridge.core.model import KIM_HEADERS, REVIEW_HEADERS, KimColumn, ReviewColumn
from bridge.core.review_machine import PostState

QUARTER_SPREADSHEET_ID = "1MyMeinQuarterSheet000000000000000000000000000"
QUARTER_BLOG_ID = "7000000000000000002"
BLOG_URL = "https://kimbalangan.blogspot.com"
#: When the quarter's report is made: early in the next quarter.
QUARTER_NOW = datetime(2026, 10, 5, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
OK = "Sudah tayang di website KIM Balangan."

KIMS: list[dict[KimColumn, Any]] = [
    {KimColumn.NAME: "KIM Lasung Batu Bersatu", KimColumn.KECAMATAN: "Paringin", KimColumn.DESA: "Lasung Batu",
     KimColumn.NOMOR_INDUK: "KIM-6311-0601", KimColumn.SK_UNTIL: "15/01/2027", KimColumn.PARTNERSHIP: "AKTIF",
     KimColumn.TIPE: "A", KimColumn.POWER: 1200, KimColumn.INFLUENCE: 150, KimColumn.OPERATOR_EMAILS: "kim.lasungbatu@gmail.com"},
    {KimColumn.NAME: "KIM Melati Mantuyan", KimColumn.KECAMATAN: "Halong", KimColumn.DESA: "Mantuyan",
     KimColumn.NOMOR_INDUK: "KIM-6311-0203", KimColumn.SK_UNTIL: "15/11/2026", KimColumn.PARTNERSHIP: "AKTIF",
     KimColumn.TIPE: "B", KimColumn.POWER: 300, KimColumn.INFLUENCE: 80, KimColumn.OPERATOR_EMAILS: "siti.rahmah.kim@gmail.com"},
    {KimColumn.NAME: "KIM Karet Buntu Karau", KimColumn.KECAMATAN: "Juai", KimColumn.DESA: "Buntu Karau",
     KimColumn.NOMOR_INDUK: "KIM-6311-0104", KimColumn.SK_UNTIL: "10/03/2027", KimColumn.PARTNERSHIP: "AKTIF",
     KimColumn.TIPE: "A", KimColumn.POWER: "800 pengikut", KimColumn.INFLUENCE: 20, KimColumn.OPERATOR_EMAILS: "kimbuntukarau@gmail.com"},
    {KimColumn.NAME: "KIM Panaitan Sejahtera", KimColumn.KECAMATAN: "Lampihong", KimColumn.DESA: "Panaitan",
     KimColumn.NOMOR_INDUK: "KIM-6311-0502", KimColumn.SK_UNTIL: "30/06/2026", KimColumn.PARTNERSHIP: "AKTIF",
     KimColumn.TIPE: "B", KimColumn.OPERATOR_EMAILS: "kim.panaitan@gmail.com"},
    {KimColumn.NAME: "KIM Pitap Bersinar", KimColumn.KECAMATAN: "Tebing Tinggi", KimColumn.DESA: "Dayak Pitap",
     KimColumn.NOMOR_INDUK: "KIM-6311-0801", KimColumn.SK_UNTIL: "01/02/2027", KimColumn.PARTNERSHIP: "DITINJAU",
     KimColumn.STATUS_REASON: "Ketua diangkat menjadi ASN", KimColumn.TIPE: "A", KimColumn.POWER: 2000,
     KimColumn.INFLUENCE: 300, KimColumn.OPERATOR_EMAILS: "kim.dayakpitap@gmail.com"},
    {KimColumn.NAME: "KIM Pudak Lestari", KimColumn.KECAMATAN: "Awayan", KimColumn.DESA: "Pudak",
     KimColumn.NOMOR_INDUK: "KIM-6311-0405", KimColumn.SK_UNTIL: "02/05/2027", KimColumn.PARTNERSHIP: "AKTIF",
     KimColumn.TIPE: "A", KimColumn.POWER: 100, KimColumn.INFLUENCE: 10, KimColumn.OPERATOR_EMAILS: "noor.hidayah.pudak@gmail.com"},
]

_PLACE = {k[KimColumn.NAME]: (k[KimColumn.KECAMATAN], k[KimColumn.DESA]) for k in KIMS}


def _row(n: int, kim: str, received: str, title: str, status: str, *, note: str = OK, officer: str = "", photo: bool = False,
         slug: str = "", published: str = "", decided: str = "") -> dict[ReviewColumn, Any]:
    kec, desa = _PLACE[kim]
    month = published[3:5] if published else ""
    year = published[6:10] if published else ""
    return {
        ReviewColumn.ID: f"MM-2026-{n:04d}", ReviewColumn.RECEIVED: received, ReviewColumn.KECAMATAN: kec,
        ReviewColumn.DESA: desa, ReviewColumn.KIM: kim, ReviewColumn.OPERATOR: "Operator", ReviewColumn.TITLE: title,
        ReviewColumn.BODY: f"Isi berita {title}.", ReviewColumn.PHOTOS: "https://drive.google.com/open?id=1foto" if photo else "",
        ReviewColumn.SYSTEM_NOTE: note, ReviewColumn.STATUS: status, ReviewColumn.OFFICER_NOTE: officer,
        ReviewColumn.POST_URL: f"{BLOG_URL}/{year}/{month}/{slug}.html" if slug else "", ReviewColumn.PUBLISHED: published,
        ReviewColumn.FINGERPRINT: f"fp{n:04d}", ReviewColumn.DECIDED: decided,
    }


L, M, B, P, T = "KIM Lasung Batu Bersatu", "KIM Melati Mantuyan", "KIM Karet Buntu Karau", "KIM Panaitan Sejahtera", "KIM Pitap Bersinar"

ARSIP = [
    _row(14, B, "28/06/2026 08:00:00", "Panen Karet Juni", "TERBIT", slug="panen-karet-juni", published="29/06/2026 08:00:00"),
    _row(1, L, "03/07/2026 08:00:00", "Gotong Royong Saluran Irigasi", "TERBIT", photo=True, slug="gotong-royong",
         published="03/07/2026 14:00:00"),
    _row(2, M, "10/07/2026 09:00:00", "Posyandu Melati Timbang Balita", "TERBIT", slug="posyandu-melati",
         published="11/07/2026 09:00:00"),
    _row(3, B, "15/07/2026 10:00:00", "Foto Kebun", "DITOLAK", note="Lolos pemeriksaan otomatis; menunggu keputusan petugas.",
         officer="Foto tidak jelas"),
]
REVIEW = [
    _row(1, L, "03/07/2026 08:00:00", "Gotong Royong Saluran Irigasi", "TERBIT", photo=True, slug="gotong-royong",
         published="03/07/2026 14:00:00"),
    _row(4, L, "05/08/2026 08:00:00", "Lomba Agustusan Lasung Batu", "TERBIT", photo=True, slug="lomba-agustusan",
         published="05/08/2026 10:00:00", decided="05/08/2026 09:00:00"),
    _row(5, L, "20/08/2026 08:00:00", "Musyawarah Dusun", "TERBIT", slug="musyawarah-dusun", published="21/08/2026 08:00:00",
         decided="21/08/2026 07:30:00"),
    _row(6, B, "01/09/2026 07:00:00", "Harga Karet Naik", "TERBIT", photo=True, slug="harga-karet-naik",
         published="01/09/2026 19:00:00", decided="01/09/2026 18:00:00"),
    _row(7, B, "10/09/2026 07:00:00", "Berita Keliru", "DITARIK", note="Post ditarik kembali menjadi draf.",
         slug="berita-keliru", published="10/09/2026 08:00:00", decided="10/09/2026 07:30:00"),
    _row(8, M, "12/09/2026 08:00:00", "Kegiatan Ibu-Ibu", "DITOLAK", officer="Foto tidak jelas.",
         decided="14/09/2026 08:00:00"),
    _row(9, M, "15/09/2026 08:00:00", "Promosi Toko", "DITOLAK", officer="Bukan kegiatan KIM"),
    _row(10, P, "18/09/2026 08:00:00", "Pelatihan UMKM", "DITOLAK",
         note="1. SK KIM Panaitan Sejahtera sudah berakhir pada 30/06/2026.", officer="Tunggu perpanjangan SK",
         decided="18/09/2026 12:00:00"),
    _row(11, T, "20/09/2026 08:00:00", "Anyaman Rotan", "TIDAK VALID",
         note="1. Kemitraan KIM Pitap Bersinar berstatus DITINJAU; berita hanya diterima dari KIM AKTIF."),
    _row(12, L, "29/09/2026 08:00:00", "Kerja Bakti Masjid", "MENUNGGU",
         note="Lolos pemeriksaan otomatis; menunggu keputusan petugas."),
    _row(13, L, "30/09/2026 20:00:00", "Persiapan Hari Jadi", "TERBIT", slug="persiapan-hari-jadi",
         published="01/10/2026 08:00:00", decided="01/10/2026 07:00:00"),
]
#: Comment counts Blogger reports per live post (slug → comments).
COMMENTS = {"panen-karet-juni": 4, "gotong-royong": 3, "posyandu-melati": 1, "lomba-agustusan": 5, "musyawarah-dusun": 0,
            "harga-karet-naik": 2, "persiapan-hari-jadi": 7}


def _tab(columns: tuple[str, ...], rows: list[dict[Any, Any]]) -> list[list[Any]]:
    return [list(columns), *[[r.get(type(next(iter(r)))(c), "") for c in columns] for r in rows]]


def _post(n: int, row: dict[ReviewColumn, Any], status: str) -> dict[str, Any]:
    d, t = row[ReviewColumn.PUBLISHED].split(" ")
    day, month, year = d.split("/")
    slug = row[ReviewColumn.POST_URL].rsplit("/", 1)[1][:-5]
    return {
        "kind": "blogger#post", "id": f"31415926535897{n:05d}", "blog": {"id": QUARTER_BLOG_ID},
        "published": f"{year}-{month}-{day}T{t}+08:00", "updated": f"{year}-{month}-{day}T{t}+08:00",
        "url": row[ReviewColumn.POST_URL], "title": row[ReviewColumn.TITLE], "content": f"<p>{row[ReviewColumn.TITLE]}</p>",
        "labels": ["KIM Balangan"], "status": status, "replies": {"totalItems": str(COMMENTS.get(slug, 0))},
    }


def quarter_state() -> dict[str, Any]:
    """The sandbox state (JSON) of the quarter."""
    posts = []
    for row in [*ARSIP, *REVIEW[1:]]:
        if row[ReviewColumn.POST_URL]:
            status = PostState.DRAFT.value if row[ReviewColumn.STATUS] == "DITARIK" else PostState.LIVE.value
            posts.append(_post(int(row[ReviewColumn.ID][-4:]), row, status))
    sheet = {"rowCount": 1000, "columnCount": 40, "frozenRowCount": 1, "protectedRanges": [], "dataValidation": [], "charts": []}
    return {
        "spreadsheets": [{
            "id": QUARTER_SPREADSHEET_ID, "title": "MY MEIN - Triwulan III 2026", "locale": "in_ID", "timeZone": "Asia/Makassar",
            "sheets": [
                {**sheet, "sheetId": 0, "title": "Jawaban Formulir 1", "rows": [["Stempel waktu", "Kecamatan", "Desa/Kelurahan",
                                                                                  "Nama Operator", "Judul Berita", "Isi Berita"]]},
                {**sheet, "sheetId": 11, "title": "Review", "rows": _tab(REVIEW_HEADERS, REVIEW)},
                {**sheet, "sheetId": 12, "title": "KIM", "rows": _tab(KIM_HEADERS, KIMS)},
                {**sheet, "sheetId": 13, "title": "Arsip", "rows": _tab(REVIEW_HEADERS, ARSIP)},
            ],
        }],
        "blogs": [{
            "id": QUARTER_BLOG_ID, "name": "KIM Balangan", "url": f"{BLOG_URL}/", "timeZone": "Asia/Makassar",
            "published": "2026-01-01T08:00:00+08:00", "posts": posts,
            "pageViews": {"SEVEN_DAYS": 120, "THIRTY_DAYS": 800, "ALL_TIME": 5000},
        }],
        "drive": {"files": [], "me": "kimbalangan.bridge@gmail.com"},
        "auth": {"rejected_tokens": []},
    }


__all__ = ["QUARTER_BLOG_ID", "QUARTER_NOW", "QUARTER_SPREADSHEET_ID", "quarter_state"]
