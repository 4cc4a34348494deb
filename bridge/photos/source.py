"""Reading one form upload from Drive and judging it by its bytes, with the officer's reason when it cannot be used.

Shared by the intake check (:mod:`bridge.photos.check`) and publishing
(:mod:`bridge.photos.host`), so both say the same thing about the same photo.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bridge.adapters.ledger import PhotoSource
from bridge.exceptions import PublishError
from bridge.photos.origin import origin_problem
from bridge.photos.process import ACCEPTED, Inspection, Options, PhotoProblem, inspect

if TYPE_CHECKING:
    from bridge.config import Settings
    from bridge.cycle.context import CycleContext

log = logging.getLogger("bridge.photos")

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


def _size_problem(size: int, settings: Settings) -> PhotoProblem | None:
    s = settings
    if size > s.photos.download_max_mb * MB:
        return PhotoProblem("too_big", f"{size} bytes is over download_max_mb", mb=size / MB, limit=s.photos.download_max_mb)
    if size > s.photo_max_mb * MB and s.photos.over_limit == "refuse":
        return PhotoProblem("too_big", f"{size} bytes is over photo_max_mb", mb=size / MB, limit=s.photo_max_mb)
    return None


def read_source(deps: CycleContext, file_id: str, n: int, *, item: str, known: bool = False, decode: bool = False) -> tuple[bytes, Inspection]:
    """Download form upload ``file_id``, judge it by its bytes and remember what it is.

    Two Drive calls (files.get metadata, then media); nothing is downloaded when
    the metadata already says the file is too large. For a photo read before
    (``known``: intake checked it) only the media is fetched; its size is checked
    on the bytes instead. With ``decode`` (intake) the pixels are read too, within the
    memory budget, so a truncated file is TIDAK VALID at intake, not GAGAL at publishing.

    Raises:
        PublishError: missing, not shared with the bridge, not a form upload (:mod:`bridge.photos.origin`),
            not an image, too large or unreadable.
        RetriableError: Drive is unreachable for now.
    """
    s = deps.settings
    name, problem = "", None
    if not known:
        info = deps.drive.info(file_id, item=item)
        # Where it lives first: a file that is not a form upload is never downloaded (issue 18).
        outside = origin_problem(deps, info, item)
        # The name of a file that is not the form's stays out of the sheet: it may be private.
        name, problem = ("", outside) if outside is not None else (info.name, _size_problem(info.size, s))
    if problem is None:
        content = deps.drive.download(file_id, item=item)
        problem = _size_problem(len(content), s)
    if problem is not None:
        raise refusal(problem, n, name, s, item)
    try:
        facts = inspect(content, options(s), decode=decode)
    except PhotoProblem as exc:
        raise refusal(exc, n, name, s, item) from exc
    except Exception as exc:  # a parser bug on one odd file must not stop the cycle
        log.exception("%s: reading photo %d's header crashed", item, n)
        raise refusal(PhotoProblem("unreadable", f"header check crashed: {type(exc).__name__}: {exc}"), n, name, s, item) from exc
    if len(content) > s.photo_max_mb * MB:
        log.info("%s: photo %d is %.1f MB, over [blog] photo_max_mb; it is published downscaled", item, n, len(content) / MB)
    deps.ledger.record_photo_source(PhotoSource(file_id, facts.sha256, facts.kind, facts.width, facts.height, facts.size))
    return content, facts


__all__ = ["NEXT_STEP", "options", "read_source", "refusal"]
