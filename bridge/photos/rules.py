"""What ``[photos]`` allows and what officers read about a photo: pure: no Drive, no ledger, no pixels.

The limits (processing options, file size, how many photos a post may carry), the links in a
Foto cell, the officer's reason when a photo cannot be used, and the Catatan Sistem line after
publishing. The I/O steps (:mod:`bridge.photos.source`, :mod:`bridge.photos.check`,
:mod:`bridge.photos.host`) ask these and do what they say; :mod:`bridge.photos.process` judges
and processes the bytes themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridge.core.columns import drive_file_id
from bridge.exceptions import PublishError
from bridge.photos.process import ACCEPTED, Options, PhotoProblem

if TYPE_CHECKING:
    from bridge.config import Settings

MB = 1024 * 1024
#: What an officer does about a photo that cannot be used (Foto is an officer column).
NEXT_STEP = (
    "Minta operator mengirim ulang foto lewat formulir (sebagai JPG), atau kosongkan kolom Foto agar terbit tanpa foto, "
    "lalu ubah Status menjadi DISETUJUI."
)
_TYPES = ", ".join(ACCEPTED.values())


def options(settings: Settings) -> Options:
    """Processing options from ``[photos]``."""
    p = settings.photos
    return Options(max_side=p.max_side, output=p.format, quality=p.quality, max_megapixels=p.max_megapixels,
                   max_decoded_mb=p.max_decoded_mb)


def _name(name: str) -> str:
    name = " ".join(name.split())
    return f" ({name[:60]})" if name else ""


def refusal(problem: PhotoProblem, n: int, name: str, settings: Settings, item: str) -> PublishError:
    """The officer's reason (Indonesian, with what to do) for a photo that cannot be used."""
    label = f"Foto ke-{n}{_name(name)}"
    facts = problem.facts
    if problem.code == "not_image":
        kind = str(facts.get("kind", ""))
        what = f"file {kind}" if kind not in ("unknown", "") else "file jenis lain"
        text = f"{label} bukan gambar, melainkan {what} (yang diterima: {_TYPES})."
    elif problem.code == "too_many_pixels":
        w, h = facts.get("width"), facts.get("height")
        size = f" ({w} × {h} piksel)" if w and h else ""
        text = (
            f"{label} terlalu besar{size}; batasnya {settings.photos.max_megapixels} megapiksel. Foto kamera ponsel "
            "biasa sudah cukup."
        )
    elif problem.code == "not_form_upload":
        owner = str(facts.get("owner") or "")
        whose = f" (pemiliknya {owner})" if owner else ""
        text = (
            f"{label} bukan foto yang diunggah lewat formulir: file itu ada di luar folder unggahan formulir{whose}. "
            "Sistem hanya menerbitkan foto kiriman formulir, agar file pribadi di Google Drive tidak ikut tersebar."
        )
    elif problem.code == "trashed":
        text = f"{label} sudah dihapus pemiliknya dari Google Drive (ada di Sampah)."
    elif problem.code == "no_upload_folder":
        text = (
            f"{label} tidak dapat diperiksa: sistem belum mengetahui folder unggahan formulir. Minta staf TI mengisi "
            "[photos] upload_folder_id (lihat README, bagian Foto)."
        )
    elif problem.code == "too_much_memory":
        w, h, n_frames = facts.get("width"), facts.get("height"), facts.get("frames")
        frames = n_frames if isinstance(n_frames, int) and n_frames > 0 else 1
        animated = f", {frames} bingkai animasi" if frames > 1 else ""
        text = (
            f"{label} terlalu berat untuk diproses ({w} × {h} piksel{animated}): butuh sekitar {facts.get('mb', 0):.0f} MiB "
            f"memori, batasnya {settings.photos.max_decoded_mb} MiB. Foto kamera ponsel biasa (JPG) sudah cukup."
        )
    elif problem.code == "too_big":
        text = f"{label} berukuran {facts.get('mb', 0):.1f} MB, melebihi batas {facts.get('limit')} MB."
    else:
        text = f"{label} rusak atau tidak dapat dibaca sebagai gambar."
    return PublishError(f"{text} {NEXT_STEP}", f"photo {n}{_name(name)}: {problem.detail}", submission_id=item)


def size_problem(size: int, settings: Settings) -> PhotoProblem | None:
    """Why a file of ``size`` bytes is not downloaded or used (``too_big``), or ``None``."""
    s = settings
    if size > s.photos.download_max_mb * MB:
        return PhotoProblem("too_big", f"{size} bytes is over download_max_mb", mb=size / MB, limit=s.photos.download_max_mb)
    if size > s.photo_max_mb * MB and s.photos.over_limit == "refuse":
        return PhotoProblem("too_big", f"{size} bytes is over photo_max_mb", mb=size / MB, limit=s.photo_max_mb)
    return None


@dataclass(frozen=True)
class PublishedPhoto:
    """A hosted, processed photo as a post embeds it."""

    url: str
    width: int = 0
    height: int = 0


def photo_links(cell: str) -> list[str]:
    """The links in a Foto cell (comma or line separated)."""
    return [p.strip() for p in str(cell).replace("\n", ",").split(",") if p.strip()]


def check_count(links: list[str], most: int, item: str) -> None:
    """Refuse a Foto cell of more than ``most`` links before any Drive call (a thousand links cost nothing).

    Raises:
        PublishError: too many links (the reason says what to do).
    """
    if len(links) > most:
        raise PublishError(
            f"Kolom Foto berisi {len(links)} tautan; paling banyak {most} foto per berita. Sisakan paling banyak {most} "
            "tautan, lalu ubah Status menjadi DISETUJUI lagi.",
            f"{len(links)} photo links, over [photos] max_photos {most}",
            submission_id=item,
        )


def drive_file(n: int, link: str, item: str) -> str:
    """The Drive file id of photo ``n``'s link.

    Raises:
        PublishError: the link is not a Google Drive link.
    """
    file_id = drive_file_id(link)
    if not file_id:
        raise PublishError(
            f"Tautan foto ke-{n} bukan tautan Google Drive ({link[:80]}). {NEXT_STEP}",
            f"photo {n} is not a Drive link: {link!r}",
            submission_id=item,
        )
    return file_id


def photo_note(photos: list[PublishedPhoto]) -> str:
    """The line added to Catatan Sistem after publishing: where the published photos are."""
    if not photos:
        return ""
    if len(photos) == 1:
        return f"Foto terbit: {photos[0].url}"
    return "Foto terbit: " + " ; ".join(p.url for p in photos)


__all__ = ["MB", "NEXT_STEP", "PublishedPhoto", "check_count", "drive_file", "options", "photo_links", "photo_note", "refusal", "size_problem"]
