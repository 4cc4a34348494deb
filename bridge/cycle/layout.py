"""The Review tab's layout as the cycle found it: rows vanishing en masse are held, not retired."""

from __future__ import annotations

import logging

from bridge.config import Settings
from bridge.core import identity
from bridge.core.layout_guard import explain_mass_vanish, looks_like_layout_change
from bridge.cycle.snapshot import Snapshot

log = logging.getLogger("bridge.layout")


def hold_mass_vanish(settings: Settings, snap: Snapshot, watch: identity.WatchPlan) -> str | None:
    """When too many Review rows vanished at once to be officers' deletions
    (:func:`bridge.core.layout_guard.looks_like_layout_change`), take them out of ``watch.deleted``
    so nothing is recorded, and return the explanation; else None and ``watch`` as it was."""
    vanished = len(watch.deleted)
    expected = len(snap.review) + vanished
    if not looks_like_layout_change(vanished, expected):
        return None
    text = explain_mass_vanish(vanished, expected, settings.review_tab)
    log.warning("%s", text)
    watch.deleted = []
    return text
