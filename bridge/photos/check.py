"""The intake check: officers see a photo's problem in Catatan Sistem before they approve.

One call per new submission (:func:`check_photos`). It downloads each form
upload once, judges it by its bytes (type, size, pixel count and decoded size
from the header, then the pixels themselves within that budget, so a truncated
file shows here) and remembers its content hash, so publishing knows the photo without
reading it again when a copy is hosted already. It never raises: a photo that
Drive cannot give right now is checked again when publishing.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from bridge.core.columns import drive_file_id
from bridge.core.model import Reason, Submission
from bridge.exceptions import BridgeError, SubmissionError
from bridge.photos.source import read_source

if TYPE_CHECKING:
    from bridge.cycle.context import CycleContext

log = logging.getLogger("bridge.photos")


def check_photos(deps: CycleContext, sub: Submission) -> Submission:
    """``sub`` with one reason per photo that cannot be published (so it is queued TIDAK VALID)."""
    reasons: list[Reason] = []
    item = f"row {sub.row_number}"
    if len(sub.photos) > deps.settings.photos.max_photos:
        return sub  # validation gave the reason; none of the links is read (issue 18)
    for n, link in enumerate(sub.photos, start=1):
        file_id = drive_file_id(link)
        if not file_id or deps.ledger.photos.source(file_id) is not None:
            continue  # not a Drive link (validation says so), or read before
        try:
            read_source(deps, file_id, n, item=item, decode=True)
        except SubmissionError as exc:
            reasons.append(Reason("photo", exc.reason_id, exc.reason_en))
            log.warning("%s: photo %d cannot be published: %s", item, n, exc.reason_en)
        except BridgeError as exc:  # Drive unreachable or refusing the bridge: publishing checks again
            log.warning("%s: photo %d not checked at intake (checked again when publishing): %s", item, n, exc)
        except Exception:  # a bug here must not lose the row: queue it, publishing checks again
            log.exception("%s: photo %d check crashed; checked again when publishing", item, n)
    return dataclasses.replace(sub, reasons=sub.reasons + tuple(reasons)) if reasons else sub


__all__ = ["check_photos"]
