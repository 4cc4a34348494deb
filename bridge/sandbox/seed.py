"""Demo seed: Google Form responses from KIM in Kabupaten Balangan, a KIM registry and a blog.

Villages are real (config/balangan_wilayah.csv). Some submissions are meant to be
flagged by the bridge: a misspelt kecamatan (``Batumandi``), a desa outside the
kecamatan given (Pudak is in Awayan, not Lampihong), a village whose KIM is
``TIDAK AKTIF`` (Dayak Pitap), a KIM whose SK has expired (Panaitan) and a title
that is a formula-injection attempt (``=HYPERLINK(...)``, stored as plain text).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import struct
import zlib
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from bridge.core.review_machine import PostState

DEMO_SPREADSHEET_ID = "1MyMeinDemoSheet00000000000000000000000000000"
DEMO_BLOG_ID = "7000000000000000001"
DEMO_RESPONSES_TAB = "Jawaban Formulir 1"
DEMO_REGISTRY_TAB = "KIM"
#: The office's account that owns the Google Form, its responses spreadsheet and its upload folder.
FORM_OWNER = "kimbalangan.form@gmail.com"
#: The blog author the bridge signs in as (``auth``); the sandbox's static token is this account.
BRIDGE_ACCOUNT = "kimbalangan.bridge@gmail.com"
FORM_TITLE = "MY MEIN - Kiriman Berita KIM"
#: Google Forms keeps uploads in the owner's Drive: "<form> (File responses)" with one
#: "<question> (File responses)" folder per upload question inside
#: (https://support.google.com/docs/answer/7322334, "Where uploaded files are stored").
UPLOADS_FOLDER_ID = "1FormUploadsTopKIMBalangan000000"
PHOTO_FOLDER_ID = "1FormUploadsFolderKIMBalangan000"
#: Where the demo's story stands: the morning after the last seeded response.
DEMO_NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))

RESPONSES_HEADER = [
    "Stempel waktu", "Alamat email", "Kecamatan", "Desa/Kelurahan", "Nama Operator", "Judul Berita", "Isi Berita", "Foto Berita",
]
REGISTRY_HEADER = [
    "Nama KIM", "Kecamatan", "Desa/Kelurahan", "Nomor Induk Komunitas", "Nomor SK", "Tanggal SK", "SK Berlaku Sampai",
    "Status Kemitraan", "Ketua", "Pengurus", "Email Operator", "Telepon", "Catatan",
    # the rest of the Juknis Tabel 3.1 profile
    "Tipe KIM", "Alamat", "Email KIM", "Khalayak Sasaran", "Jenis Media", "Bidang Kegiatan", "Isu Publik", "Frekuensi",
    "Jenis Konten", "Periode Kemitraan", "Kekuatan (jangkauan)", "Pengaruh (tanggapan positif)", "Alasan Status",
    "Tanggal Dihentikan",
]
#: Each demo KIM's Tabel 3.1 profile: Tipe, Jenis Media, Bidang Kegiatan, Frekuensi, Kekuatan, Pengaruh
#: (Panaitan has no numbers yet, so its Tabel 3.3 row says "data belum lengkap").
_PROFILE: dict[str, tuple[str, str, str, str, Any, Any]] = {
    "KIM Lasung Batu Bersatu": ("A", "Facebook, WhatsApp", "Pertanian", "Mingguan", 1850, 240),
    "KIM Melati Mantuyan": ("B", "WhatsApp, tatap muka", "Kesehatan", "Bulanan", 420, 95),
    "KIM Karet Buntu Karau": ("B", "Facebook", "Perkebunan", "Mingguan", 760, 30),
    "KIM Mantimin Maju": ("A", "Facebook, YouTube", "Pemerintahan desa", "Mingguan", 1200, 160),
    "KIM Pudak Lestari": ("A", "Instagram", "Lingkungan", "Tidak tentu", 300, 40),
    "KIM Pitap Bersinar": ("B", "Tatap muka", "Kerajinan", "Tidak tentu", 150, 12),
    "KIM Batu Piring": ("A", "Facebook, Instagram", "Kelurahan", "Mingguan", 980, 120),
    "KIM Panaitan Sejahtera": ("B", "WhatsApp", "UMKM", "Bulanan", "", ""),
}


def _profiled(row: list[Any]) -> list[Any]:
    tipe, media, bidang, freq, power, influence = _PROFILE[row[0]]
    return row + [tipe, f"Desa {row[2]}, Kecamatan {row[1]}", "", "Warga desa", media, bidang, "", freq, "Berita desa",
                  "2025-2027", power, influence, "", ""]


@functools.lru_cache(maxsize=64)
def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small valid PNG: a diagonal gradient from ``rgb`` towards white.

    Cached: drawn pixel by pixel in Python, the demo's eight photos were 90 % of building
    :func:`demo_state`, which every test's sandbox does (the bytes are immutable, the same each time).
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            t = (x / max(width - 1, 1) + y / max(height - 1, 1)) / 2
            raw.extend(int(c + (255 - c) * t * 0.8) for c in rgb)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def _file_id(name: str) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(name.encode()).digest()).decode()
    return "1" + digest.replace("-", "K").replace("_", "m")[:32]


def _photo(name: str, rgb: tuple[int, int, int]) -> dict[str, Any]:
    return {
        "id": _file_id(name),
        "name": name,
        "mimeType": "image/png",
        "owner": FORM_OWNER,
        "parents": [PHOTO_FOLDER_ID],
        "permissions": [],
        "createdTime": "2026-11-20T02:00:00.000Z",
        "content_b64": base64.b64encode(png_bytes(64, 48, rgb)).decode(),
    }


def upload_folders(shared_with: str | None = BRIDGE_ACCOUNT) -> list[dict[str, Any]]:
    """The form's upload folders, owned by the form owner; the top one shared with the bridge's
    account as Viewer, as README tells the office (None = not shared: every photo is 404)."""
    folder = "application/vnd.google-apps.folder"
    perms = [{"kind": "drive#permission", "id": "10000000000000000001", "type": "user", "role": "reader",
              "emailAddress": shared_with}] if shared_with else []
    return [
        {"id": UPLOADS_FOLDER_ID, "name": f"{FORM_TITLE} (File responses)", "mimeType": folder, "owner": FORM_OWNER,
         "parents": [], "permissions": perms, "createdTime": "2026-11-01T00:00:00.000Z", "content_b64": ""},
        {"id": PHOTO_FOLDER_ID, "name": "Foto Berita (File responses)", "mimeType": folder, "owner": FORM_OWNER,
         "parents": [UPLOADS_FOLDER_ID], "permissions": [], "createdTime": "2026-11-01T00:00:00.000Z", "content_b64": ""},
    ]


def _link(*files: dict[str, Any]) -> str:
    return ", ".join(f"https://drive.google.com/open?id={f['id']}" for f in files)


def _dt(text: str) -> dict[str, str]:
    return {"datetime": text}


def demo_state() -> dict[str, Any]:
    """The demo sandbox state (JSON, see :mod:`bridge.sandbox.state`)."""
    p_gotong = _photo("gotong royong lasung batu - Ahmad Fauzi.png", (46, 125, 50))
    p_posy1 = _photo("posyandu mantuyan 1 - Siti Rahmah.png", (216, 67, 21))
    p_posy2 = _photo("posyandu mantuyan 2 - Siti Rahmah.png", (251, 140, 0))
    p_karet = _photo("panen karet buntu karau - Rusdiansyah.png", (93, 64, 55))
    p_musy = _photo("musdes mantimin - Muhammad Rizal.png", (21, 101, 192))
    p_pudak = _photo("pudak bersih sungai - Noor Hidayah.png", (0, 131, 143))
    p_piring = _photo("batu piring - Fitriani.png", (123, 31, 162))
    p_umkm = _photo("pelatihan umkm panaitan - H. Basrani.png", (198, 40, 40))
    files = [*upload_folders(), p_gotong, p_posy1, p_posy2, p_karet, p_musy, p_pudak, p_piring, p_umkm]

    responses = [
        RESPONSES_HEADER,
        [_dt("2026-11-22T10:00:00"), "kim.lasungbatu@gmail.com", "Paringin", "Lasung Batu", "Ahmad Fauzi",
         "Warga Lasung Batu Gotong Royong Bersihkan Saluran Irigasi",
         "Puluhan warga Desa Lasung Batu, Kecamatan Paringin, bergotong royong membersihkan saluran irigasi "
         "sepanjang kurang lebih dua kilometer pada Minggu pagi. Kegiatan ini dipimpin langsung oleh Pembakal "
         "Lasung Batu bersama ketua RT setempat.\n\n"
         "Menurut Pembakal, saluran yang tersumbat lumpur dan sampah membuat air tidak sampai ke sawah warga "
         "menjelang musim tanam. \"Dengan gotong royong, pekerjaan yang biasanya seminggu bisa selesai dalam "
         "sehari,\" ujarnya.\n\n"
         "Usai kegiatan, ibu-ibu PKK menyiapkan makan bersama di balai desa.",
         _link(p_gotong)],
        [_dt("2026-11-23T08:15:42"), "siti.rahmah.kim@gmail.com", "Halong", "Mantuyan", "Siti Rahmah",
         "Posyandu Melati Mantuyan Timbang 48 Balita",
         "Posyandu Melati di Desa Mantuyan, Kecamatan Halong, kembali menggelar kegiatan rutin bulanan. "
         "Sebanyak 48 balita ditimbang dan diukur tinggi badannya oleh kader posyandu dibantu bidan desa.\n\n"
         "Selain penimbangan, petugas Puskesmas Halong juga memberikan vitamin A dan penyuluhan tentang "
         "makanan bergizi untuk mencegah stunting.\n\n"
         "Kader berharap para orang tua rutin membawa anaknya setiap bulan agar tumbuh kembang anak terpantau.",
         _link(p_posy1, p_posy2)],
        [_dt("2026-11-24T16:40:05"), "kimbuntukarau@gmail.com", "Juai", "Buntu Karau", "Rusdiansyah",
         "Harga Karet Membaik, Petani Buntu Karau Semangat Menyadap",
         "Petani karet di Desa Buntu Karau, Kecamatan Juai, menyambut gembira naiknya harga getah karet "
         "dalam dua pekan terakhir. Harga di tingkat pengepul kini mencapai Rp 12.500 per kilogram.\n\n"
         "Kelompok tani setempat mengajak anggotanya menjaga mutu getah dengan tidak mencampur tatal "
         "agar harga jual tetap tinggi.",
         _link(p_karet)],
        [_dt("2026-11-25T09:05:00"), "kim.mantimin@gmail.com", "Batumandi", "Mantimin", "Muhammad Rizal",
         "Musyawarah Desa Mantimin Bahas Rencana Kerja Pemerintah Desa 2027",
         "Pemerintah Desa Mantimin menggelar musyawarah desa untuk membahas Rencana Kerja Pemerintah Desa "
         "(RKPDes) tahun 2027. Musyawarah dihadiri BPD, tokoh masyarakat, tokoh pemuda dan perwakilan perempuan.\n\n"
         "Beberapa usulan prioritas antara lain pengerasan jalan usaha tani, perbaikan jembatan titian dan "
         "pelatihan keterampilan bagi pemuda.\n\n"
         "Hasil musyawarah akan dibawa ke tingkat kecamatan.",
         _link(p_musy)],
        [_dt("2026-11-26T11:20:31"), "noor.hidayah.pudak@gmail.com", "Lampihong", "Pudak", "Noor Hidayah",
         "Pemuda Pudak Bersihkan Bantaran Sungai",
         "Karang Taruna Desa Pudak mengajak warga membersihkan bantaran sungai dari sampah plastik. "
         "Kegiatan ini sekaligus memperingati Hari Menanam Pohon dengan menanam 100 bibit pohon.\n\n"
         "Ketua Karang Taruna berharap kegiatan serupa rutin dilakukan setiap bulan.",
         _link(p_pudak)],
        [_dt("2026-11-27T14:02:17"), "kim.dayakpitap@gmail.com", "Tebing Tinggi", "Dayak Pitap", "Yohanes Ardi",
         "Pelatihan Anyaman Rotan bagi Ibu-Ibu Dayak Pitap",
         "Sebanyak 25 ibu rumah tangga di Desa Dayak Pitap, Kecamatan Tebing Tinggi, mengikuti pelatihan "
         "anyaman rotan selama tiga hari di balai adat.\n\n"
         "Pelatihan ini diharapkan menambah penghasilan keluarga karena kerajinan rotan khas Pitap banyak "
         "diminati wisatawan.",
         ""],
        [_dt("2026-11-28T07:45:00"), "fitriani.batupiring@gmail.com", "Paringin Selatan", "Batu Piring", "Fitriani",
         '=HYPERLINK("http://contoh-berbahaya.example/login","Klik di sini")',
         "Kelurahan Batu Piring mengadakan lomba kebersihan lingkungan antar-RT dalam rangka menyambut "
         "hari jadi Kabupaten Balangan. Penilaian meliputi kebersihan, penghijauan dan pengelolaan sampah.\n\n"
         "Pemenang lomba akan diumumkan pada upacara hari jadi.",
         _link(p_piring)],
        [_dt("2026-11-29T19:30:12"), "kim.panaitan@gmail.com", "Lampihong", "Panaitan", "H. Basrani",
         "Pelatihan Pengemasan Produk UMKM di Desa Panaitan",
         "Dinas Koperasi dan UKM Kabupaten Balangan menggelar pelatihan pengemasan produk bagi pelaku UMKM "
         "di Desa Panaitan, Kecamatan Lampihong. Peserta belajar membuat label, mengurus PIRT dan memasarkan "
         "produk secara daring.\n\n"
         "Produk unggulan desa seperti kerupuk ikan dan dodol kini dikemas lebih menarik.\n\n"
         "Peserta berharap ada pendampingan lanjutan setelah pelatihan.",
         _link(p_umkm)],
    ]

    registry = [
        REGISTRY_HEADER,
        *(_profiled(row) for row in cast("list[list[Any]]", [  # rows of str and datetime alike
        ["KIM Lasung Batu Bersatu", "Paringin", "Lasung Batu", "KIM-6311-0601", "188.45/012/DISKOMINFO/2025",
         "2025-01-15", "2027-01-15", "AKTIF", "Ahmad Fauzi", "Rahmadi, Nur Aini", "kim.lasungbatu@gmail.com",
         "+6281251230001", ""],
        ["KIM Melati Mantuyan", "Halong", "Mantuyan", "KIM-6311-0203", "188.45/013/DISKOMINFO/2025",
         "2025-01-15", "2027-01-15", "AKTIF", "Siti Rahmah", "Hj. Masitah", "siti.rahmah.kim@gmail.com, kim.mantuyan@gmail.com",
         "+6281251230002", ""],
        ["KIM Karet Buntu Karau", "Juai", "Buntu Karau", "KIM-6311-0104", "188.45/021/DISKOMINFO/2025",
         "2025-03-10", "2027-03-10", "AKTIF", "Rusdiansyah", "Jumberi", "kimbuntukarau@gmail.com", "+6281251230003", ""],
        ["KIM Mantimin Maju", "Batu Mandi", "Mantimin", "KIM-6311-0307", "188.45/022/DISKOMINFO/2025",
         "2025-03-10", "2027-03-10", "AKTIF", "Muhammad Rizal", "Sarkani, Halimah", "kim.mantimin@gmail.com",
         "+6281251230004", ""],
        ["KIM Pudak Lestari", "Awayan", "Pudak", "KIM-6311-0405", "188.45/030/DISKOMINFO/2025",
         "2025-05-02", "2027-05-02", "AKTIF", "Noor Hidayah", "Ardiansyah", "noor.hidayah.pudak@gmail.com",
         "+6281251230005", ""],
        ["KIM Pitap Bersinar", "Tebing Tinggi", "Dayak Pitap", "KIM-6311-0801", "188.45/031/DISKOMINFO/2024",
         "2024-02-01", "2026-02-01", "TIDAK AKTIF", "Yohanes Ardi", "", "kim.dayakpitap@gmail.com", "+6281251230006",
         "Kepengurusan vakum sejak 2026, menunggu pembentukan ulang"],
        ["KIM Batu Piring", "Paringin Selatan", "Batu Piring", "KIM-6311-0701", "188.45/040/DISKOMINFO/2025",
         "2025-06-20", "2027-06-20", "AKTIF", "Fitriani", "M. Arsyad", "fitriani.batupiring@gmail.com", "+6281251230007", ""],
        ["KIM Panaitan Sejahtera", "Lampihong", "Panaitan", "KIM-6311-0502", "188.45/009/DISKOMINFO/2023",
         _dt("2023-06-30T00:00:00"), _dt("2025-06-30T00:00:00"), "AKTIF", "H. Basrani", "Rusmilawati",
         "kim.panaitan@gmail.com", "+6281251230008", "SK perlu diperpanjang"],
        ])),
    ]

    blog_posts = [
        {
            "kind": "blogger#post", "id": "3141592653589793001", "blog": {"id": DEMO_BLOG_ID},
            "published": "2026-11-10T09:00:00+08:00", "updated": "2026-11-10T09:00:00+08:00",
            "url": "https://kimbalangan.blogspot.com/2026/11/selamat-datang-di-portal-berita-kim.html",
            "selfLink": f"https://www.googleapis.com/blogger/v3/blogs/{DEMO_BLOG_ID}/posts/3141592653589793001",
            "title": "Selamat Datang di Portal Berita KIM Balangan",
            "content": "<p>Portal ini memuat berita dari Komunitas Informasi Masyarakat (KIM) se-Kabupaten Balangan. "
                       "Kirim berita desa Anda melalui formulir MY MEIN.</p>",
            "labels": ["KIM Balangan", "Pengumuman"], "status": PostState.LIVE.value,
            "author": {"id": "g108000000000000000001", "displayName": "KIM Balangan"},
            "replies": {"totalItems": "0"},
        },
        {
            "kind": "blogger#post", "id": "3141592653589793002", "blog": {"id": DEMO_BLOG_ID},
            "published": "2026-11-15T15:30:00+08:00", "updated": "2026-11-15T15:30:00+08:00",
            "url": "https://kimbalangan.blogspot.com/2026/11/bimtek-pengelola-kim-se-kabupaten.html",
            "selfLink": f"https://www.googleapis.com/blogger/v3/blogs/{DEMO_BLOG_ID}/posts/3141592653589793002",
            "title": "Bimtek Pengelola KIM se-Kabupaten Balangan",
            "content": "<p>Diskominfo Balangan menggelar bimbingan teknis penulisan berita bagi pengelola KIM "
                       "dari delapan kecamatan di Paringin.</p><p>Peserta berlatih menulis berita 5W+1H dan "
                       "mengambil foto yang baik dengan ponsel.</p>",
            "labels": ["KIM Balangan", "Paringin"], "status": PostState.LIVE.value,
            "author": {"id": "g108000000000000000001", "displayName": "KIM Balangan"},
            "replies": {"totalItems": "0"},
        },
    ]

    return {
        "spreadsheets": [{
            "id": DEMO_SPREADSHEET_ID,
            "title": f"{FORM_TITLE} (Jawaban)",
            "owner": FORM_OWNER,
            # Shared with the bridge's account as Editor, as README step 2 asks the office to.
            "permissions": [{"type": "user", "role": "writer", "emailAddress": BRIDGE_ACCOUNT}],
            "locale": "in_ID",
            "timeZone": "Asia/Makassar",
            "sheets": [
                {"sheetId": 0, "title": DEMO_RESPONSES_TAB, "rowCount": 1000, "columnCount": 26, "frozenRowCount": 1,
                 "rows": responses, "protectedRanges": [], "dataValidation": [], "charts": []},
                {"sheetId": 1187364520, "title": DEMO_REGISTRY_TAB, "rowCount": 1000, "columnCount": len(REGISTRY_HEADER), "frozenRowCount": 1,
                 "rows": registry, "protectedRanges": [], "dataValidation": [], "charts": []},
            ],
        }],
        "blogs": [{
            "id": DEMO_BLOG_ID, "name": "KIM Balangan", "description": "Berita dari Komunitas Informasi Masyarakat Kabupaten Balangan",
            "url": "https://kimbalangan.blogspot.com/", "timeZone": "Asia/Makassar",
            "published": "2026-11-01T08:00:00+08:00", "posts": blog_posts,
            "pageViews": {"SEVEN_DAYS": 412, "THIRTY_DAYS": 1587, "ALL_TIME": 1587},
        }],
        "drive": {"files": files, "me": BRIDGE_ACCOUNT},
        "auth": {"rejected_tokens": []},
    }


__all__ = ["demo_state", "upload_folders", "FORM_OWNER", "BRIDGE_ACCOUNT", "UPLOADS_FOLDER_ID", "PHOTO_FOLDER_ID", "png_bytes", "DEMO_SPREADSHEET_ID", "DEMO_BLOG_ID", "DEMO_RESPONSES_TAB", "DEMO_REGISTRY_TAB"]
