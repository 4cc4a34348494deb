"""Publishing a submission's photos: form upload → processed copy → hosted, once per source photo.

For each Drive link in the row's Foto cell:

1. the ledger may know the source (its content hash, learnt at intake) and a
   hosted copy of it under the current recipe and store: reused, no API call;
2. otherwise the upload is downloaded and hashed; a copy of the same bytes
   (another submission, another file) is reused;
3. otherwise it is processed, the intent is written, the store is *searched*
   for the copy key first (a crash after an upload, or a lost ledger, left it
   there) and only then uploaded; then the copy is recorded as hosted.

So a retry, a re-publish, a crash or a lost ledger never uploads a photo twice.
"""

from __future__ import annotations

import logging

from bridge.adapters.ledger import PHOTO_HOSTED, PHOTO_INTENT, PhotoCopy
from bridge.app import Deps
from bridge.core.model import ReviewColumn, ReviewRow
from bridge.photos.process import Options, PhotoProblem, copy_key, process
from bridge.photos.rules import PublishedPhoto, check_count, drive_file, options, photo_links, refusal
from bridge.photos.source import read_source
from bridge.photos.stores import PhotoStore, build_store

log = logging.getLogger("bridge.photos")


def _hosted(copy: PhotoCopy | None) -> PublishedPhoto | None:
    if copy is None or copy.state != PHOTO_HOSTED:
        return None
    return PublishedPhoto(copy.url, copy.width, copy.height)


def _host_one(deps: Deps, store: PhotoStore, opts: Options, link: str, file_id: str, n: int, item: str) -> PublishedPhoto:
    known = deps.ledger.photo_source(file_id)
    if known is not None:
        reused = _hosted(deps.ledger.photo_copy(copy_key(known.sha256, opts), store.name))
        if reused is not None:
            return reused
    if deps.dry_run:
        return PublishedPhoto(link)
    content, facts = read_source(deps, file_id, n, item=item, known=known is not None)
    key = copy_key(facts.sha256, opts)
    reused = _hosted(deps.ledger.photo_copy(key, store.name))
    if reused is not None:  # the same bytes came in another upload
        log.info("%s: photo %d has the same bytes as a photo hosted before; reused", item, n)
        return reused
    try:
        _, out = process(content, opts)
    except PhotoProblem as exc:
        raise refusal(exc, n, "", deps.settings, item) from exc
    except Exception as exc:  # a decoder bug on one odd file must not stop every cycle (and every other post)
        log.exception("%s: processing photo %d crashed", item, n)
        raise refusal(PhotoProblem("unreadable", f"processing crashed: {type(exc).__name__}: {exc}"), n, "", deps.settings, item) from exc
    del content
    deps.ledger.record_photo_copy(PhotoCopy(key, store.name, facts.sha256, PHOTO_INTENT, width=out.width, height=out.height, size=len(out.content)))
    hosted = store.find(key, out.suffix, item=item)
    if hosted is not None:
        log.warning("%s: photo %d was hosted before (%s) but not recorded; reused, not uploaded again", item, n, hosted.location)
    else:
        hosted = store.put(key, out.suffix, out.mime_type, out.content, sha256=facts.sha256, item=item)
        log.info("%s: photo %d processed (%d → %d bytes, %dx%d) and hosted as %s", item, n, facts.size, len(out.content), out.width, out.height, hosted.url)
    deps.ledger.record_photo_copy(
        PhotoCopy(key, store.name, facts.sha256, PHOTO_HOSTED, hosted.location, hosted.url, out.width, out.height, len(out.content))
    )
    return PublishedPhoto(hosted.url, out.width, out.height)


def rehost_photos(deps: Deps, row: ReviewRow) -> list[PublishedPhoto]:
    """Processed, hosted copies of the row's photos, made the first time they are needed.

    Raises:
        PublishError: a photo is missing, not an image, too large or unreadable (the reason says what to do).
        RetriableError: Drive or the store is unreachable for now.
    """
    store = build_store(deps.settings, deps.drive)
    opts = options(deps.settings)
    links = photo_links(row.get(ReviewColumn.PHOTOS))
    check_count(links, deps.settings.photos.max_photos, row.id)
    return [_host_one(deps, store, opts, link, drive_file(n, link, row.id), n, row.id) for n, link in enumerate(links, start=1)]


__all__ = ["rehost_photos"]
