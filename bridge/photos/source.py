"""Reading one form upload from Drive, judging it by its bytes and remembering it in the ledger.

Shared by the intake check (:mod:`bridge.photos.check`) and publishing
(:mod:`bridge.photos.host`), so both say the same thing about the same photo. The judging
itself is pure: :mod:`bridge.photos.process` (the bytes) and :mod:`bridge.photos.rules`
(the limits of ``[photos]`` and the officer's reason).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bridge.adapters.ledger import PhotoSource
from bridge.photos.origin import origin_problem
from bridge.photos.process import Inspection, PhotoProblem, inspect
from bridge.photos.rules import MB, options, refusal, size_problem

if TYPE_CHECKING:
    from bridge.app import Deps

log = logging.getLogger("bridge.photos")

def read_source(deps: Deps, file_id: str, n: int, *, item: str, known: bool = False, decode: bool = False) -> tuple[bytes, Inspection]:
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
        name, problem = ("", outside) if outside is not None else (info.name, size_problem(info.size, s))
    if problem is None:
        content = deps.drive.download(file_id, item=item)
        problem = size_problem(len(content), s)
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


__all__ = ["read_source"]
