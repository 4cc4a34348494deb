"""Re-host a submission's photos: Drive form upload → public copy → embeddable URL.

Each source file is copied once (remembered in the ledger), so a retry or a
re-publish never uploads the same photo twice.
"""

from __future__ import annotations

import logging

from bridge.adapters.drive import IMAGE_TYPES
from bridge.app import Deps
from bridge.core import columns
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.exceptions import PublishError

log = logging.getLogger("bridge.photos")

#: What an officer does about a photo that cannot be used (Foto is an officer column).
NEXT_STEP = (
    "Minta operator mengirim ulang foto lewat formulir, atau kosongkan kolom Foto agar terbit tanpa foto, "
    "lalu ubah Status menjadi DISETUJUI lagi."
)


def photo_links(cell: str) -> list[str]:
    return [p.strip() for p in str(cell).replace("\n", ",").split(",") if p.strip()]


def rehost_photos(deps: Deps, row: ReviewRow) -> list[str]:
    """Public URLs for the row's photos, uploading copies the first time.

    Raises:
        PublishError: a photo is missing, not an image, or too large (the reason says what to do).
    """
    s = deps.settings
    urls: list[str] = []
    for n, link in enumerate(photo_links(row.get(ReviewColumn.PHOTOS)), start=1):
        file_id = columns.drive_file_id(link)
        if not file_id:
            raise PublishError(
                f"Tautan foto ke-{n} bukan tautan Google Drive ({link[:80]}). {NEXT_STEP}",
                f"photo {n} is not a Drive link: {link!r}",
                submission_id=row.id,
            )
        cached = deps.ledger.hosted_photo(file_id)
        if cached:
            urls.append(cached[1])
            continue
        info = deps.drive.info(file_id, item=row.id)
        if info.mime_type not in IMAGE_TYPES:
            raise PublishError(
                f"File foto ke-{n} ({info.name}) bukan gambar JPG/PNG/WebP. {NEXT_STEP}",
                f"photo {n} {file_id} has type {info.mime_type}",
                submission_id=row.id,
            )
        limit = s.photo_max_mb * 1024 * 1024
        if info.size > limit:
            raise PublishError(
                f"Foto ke-{n} ({info.name}) berukuran {info.size / 1048576:.1f} MB, melebihi batas {s.photo_max_mb} MB. "
                f"{NEXT_STEP}",
                f"photo {n} {file_id} is {info.size} bytes (limit {limit})",
                submission_id=row.id,
            )
        if deps.dry_run:
            urls.append(link)
            continue
        content = deps.drive.download(file_id, item=row.id)
        if len(content) > limit:
            raise PublishError(
                f"Foto ke-{n} melebihi batas {s.photo_max_mb} MB. {NEXT_STEP}",
                f"photo {n} {file_id} downloaded {len(content)} bytes (limit {limit})",
                submission_id=row.id,
            )
        name = f"{row.id}-foto-{n}{IMAGE_TYPES[info.mime_type]}"
        hosted = deps.drive.upload_public(
            name=name, mime_type=info.mime_type, content=content, folder_id=s.photo_folder_id, item=row.id
        )
        url = s.photo_url.format(id=hosted)
        deps.ledger.record_photo(file_id, hosted, url)
        log.info("%s: photo %d re-hosted as %s", row.id, n, hosted)
        urls.append(url)
    return urls
