"""Archive: old TERBIT/DITOLAK rows move from Review to Arsip, so Review shows what needs attention
and every cycle's read stays small however long the bridge runs.

Idempotent: an ID is marked ``ARSIP`` in the ledger once its row is appended to
Arsip; a crash before the delete only means the next run deletes it without
appending it again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bridge.adapters.sheets import a1_tab
from bridge.app import Deps
from bridge.core import columns
from bridge.core.model import REVIEW_HEADERS, ReviewColumn, ReviewRow, Status
from bridge.exceptions import RetriableError

log = logging.getLogger("bridge.archive")

ARCHIVED = "ARSIP"


def _age_reference(row: ReviewRow, deps: Deps) -> datetime | None:
    for column in (ReviewColumn.PUBLISHED, ReviewColumn.RECEIVED):
        value = row.get(column)
        if str(value).strip():
            when = columns.parse_datetime_cell(value, deps.settings.tz)
            if when is not None:
                return when
    return None


def run_archive(deps: Deps, rows: list[ReviewRow], updates: dict[str, dict[ReviewColumn, str]]) -> int:
    """Move rows older than ``archive_after_days``; returns how many moved."""
    s = deps.settings
    if s.archive_after_days <= 0 or deps.dry_run:
        return 0
    cutoff = deps.now() - timedelta(days=s.archive_after_days)
    due: list[ReviewRow] = []
    for row in rows:
        if row.id in updates:
            continue  # changed this cycle (e.g. just published): officers see the result in Review first
        if row.status not in (Status.TERBIT, Status.DITOLAK):
            continue
        when = _age_reference(row, deps)
        if when is not None and when < cutoff:
            due.append(row)
    if not due:
        return 0
    sid = s.review_spreadsheet_id
    info = deps.sheets.info(sid)
    if s.archive_tab not in info.tabs:  # perhaps `init` made it after the layout was cached
        info = deps.sheets.info(sid, refresh=True)
    if s.archive_tab not in info.tabs:
        log.warning("archive tab '%s' missing: run `mymein-bridge init`; not archiving", s.archive_tab)
        return 0
    try:
        (ids_col,) = deps.sheets.batch_get(sid, [f"{a1_tab(s.review_tab)}!A:A"])
        where = {str(r[0]).strip(): n for n, r in enumerate(ids_col, start=1) if r and str(r[0]).strip()}
        fresh = [r for r in due if r.id in where]
        to_append = []
        for r in fresh:
            sub = deps.ledger.submission(r.id)
            if sub is not None and sub.status == ARCHIVED:
                continue  # appended by an earlier, interrupted run
            to_append.append([r.values.get(ReviewColumn(h), "") for h in REVIEW_HEADERS])
        if to_append:
            deps.sheets.append_rows(sid, s.archive_tab, to_append)
        with deps.ledger.transaction():
            for r in fresh:
                deps.ledger.set_status(r.id, ARCHIVED)
        sheet_id = info.tabs[s.review_tab].sheet_id
        requests: list[dict[str, Any]] = [
            {"deleteDimension": {"range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": n - 1, "endIndex": n}}}
            for n in sorted((where[r.id] for r in fresh), reverse=True)
        ]
        deps.sheets.batch_update(sid, requests, retry=False)
    except RetriableError as exc:
        log.warning("archiving postponed: %s", exc)
        return 0
    log.info("archived %d rows older than %d days to '%s'", len(fresh), s.archive_after_days, s.archive_tab)
    return len(fresh)
