"""The KIM tab's per-KIM channels in a cycle (issue 19), from the registry the cycle has already read.

A row whose ``Kanal Notifikasi``/``Alamat Notifikasi`` cannot be used is logged in English once,
when the set of such rows changes (not every cycle); officers read the Indonesian reason in
`check`, in the report's registry check, in the officers' digest, and on the Review row
(``Notifikasi Terkirim`` says the message went to the form's e-mail instead).
"""

from __future__ import annotations

import json
import logging

from bridge.app import Deps
from bridge.core.kim_channel import ChannelProblem, Route, kim_routes
from bridge.core.model import KimRecord, kim_key

log = logging.getLogger("bridge.notify")

LOGGED = "kim_channel_problems"  # ledger meta: the problems last logged (so each is logged once)


def cycle_routes(deps: Deps, kims: list[KimRecord]) -> tuple[dict[str, Route], set[str]]:
    """(routes by KIM key, keys of the KIMs whose channel cells cannot be used)."""
    routes, problems = kim_routes(kims, deps.settings.notify.kim_channels)
    _log_once(deps, problems)
    return routes, {kim_key(p.kim) for p in problems}


def _log_once(deps: Deps, problems: list[ChannelProblem]) -> None:
    now = json.dumps(sorted(f"{p.row}:{p.kim}:{p.en}" for p in problems), ensure_ascii=False)
    if now == (deps.ledger.get_meta(LOGGED) or "[]"):
        return
    for p in problems:
        log.warning("KIM tab row %d (%s): %s; its operator messages go to the form's e-mail", p.row, p.kim, p.en)
    if not deps.dry_run:
        with deps.ledger.transaction():
            deps.ledger.set_meta(LOGGED, now)


__all__ = ["cycle_routes"]
