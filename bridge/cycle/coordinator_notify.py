"""Coordinators told at once (issue 20, ``[notify] coordinator_messages``): once per item, as soon as an
approved item waits for their ``Persetujuan Pimpinan``.

Exactly once, the way operator messages are (:mod:`bridge.cycle.notify`): the Review row's
``Notifikasi Terkirim`` cell gets ``koordinasi ? <time>`` before anything is sent and
``koordinasi <time>`` after; any ``koordinasi`` line means "not again", so a kill or a lost ledger
never sends it twice (after a kill between the two writes, nobody can tell whether it left: it is not
sent again, and the digest still lists the item). A send that fails is shown on the row (``GAGAL``)
and not retried. Never raised into the cycle.
"""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2

from bridge.adapters.sheets import a1_tab, column_letter
from bridge.core.digest import row_link
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.notices import (
    FAILED,
    SENDING,
    SENT,
    Event,
    Mark,
    Message,
    parse_marks,
    render_message,
    stamp,
)
from bridge.core.review_machine import waits_for_leader
from bridge.cycle.context import CycleContext
from bridge.cycle.digest import _sheet_id
from bridge.cycle.locate import locate_ids
from bridge.cycle.notify import NoticeResult, _set, _write, _write_exact
from bridge.exceptions import BridgeError

log = logging.getLogger("bridge.notify")

EVENT = Event.KOORDINASI


def _waiting(rows: list[ReviewRow], updates: dict[str, dict[ReviewColumn, str]]) -> list[ReviewRow]:
    """Rows (as this cycle left them) that wait for a coordinator and were never announced."""
    out = []
    for row in rows:
        if not row.id:
            continue
        view = ReviewRow(row_number=row.row_number, values={**row.values, **updates.get(row.id, {})})
        if waits_for_leader(Status.parse(view.get(ReviewColumn.STATUS)), view.get(ReviewColumn.SYSTEM_NOTE)) \
                and EVENT not in parse_marks(view.get(ReviewColumn.NOTICES)):
            out.append(view)
    return out


def _fresh_cells(deps: CycleContext, todo: list[ReviewRow]) -> list[ReviewRow]:
    """The rows with their ``Notifikasi Terkirim`` cell as the sheet holds it now (one read), still unannounced."""
    s = deps.settings
    review = locate_ids(deps, [s.review_tab])[s.review_tab]
    col = review.index.get(ReviewColumn.NOTICES)
    numbers = {r.id: review.rows.get(r.id) for r in todo}
    if col is None or not any(numbers.values()):
        return todo
    letter = column_letter(col)
    last = max(n for n in numbers.values() if n)
    (cells,) = deps.sheets.batch_get(s.review_spreadsheet_id, [f"{a1_tab(s.review_tab)}!{letter}1:{letter}{last}"])
    out = []
    for r in todo:
        n = numbers[r.id]
        if n is None:
            continue  # moved or deleted since it was read: next cycle
        text = str(cells[n - 1][0]) if n - 1 < len(cells) and cells[n - 1] else ""
        if EVENT not in parse_marks(text):
            out.append(ReviewRow(row_number=r.row_number, values={**r.values, ReviewColumn.NOTICES: text}))
    return out


def run_coordinator_messages(deps: CycleContext, rows: list[ReviewRow], updates: dict[str, dict[ReviewColumn, str]]) -> NoticeResult:
    """Tell each coordinator about the items newly waiting for them (through the configured channel)."""
    result = NoticeResult()
    s = deps.settings
    channel = deps.officer_channel
    if deps.dry_run or not (s.notify.coordinator_messages and s.coordination.on) or channel is None:
        return result
    todo = _waiting(rows, updates)[: s.notify.max_per_cycle]
    if not todo:
        return result
    try:
        template = (Path(s.notify.templates) / f"notice_{EVENT.value}.txt").read_text(encoding="utf-8")
    except OSError as exc:
        result.problems.append(f"coordinator message template: {exc}")
        return result
    todo = _fresh_cells(deps, todo)  # the operator messages may have written these cells this cycle
    if not todo:
        return result
    now = deps.now()
    by_id = {r.id: r for r in todo}
    for r in todo:
        _set(deps.ledger, r.id, EVENT, "intent", now.isoformat())
    if not _write(deps, {r.id: {EVENT: Mark(EVENT, SENDING, stamp(now))} for r in todo}, by_id):
        result.problems.append(f"Review tab has no '{ReviewColumn.NOTICES.value}' column: coordinators not told (run `mymein-bridge init`)")
        return result
    sheet_id = _sheet_id(deps)
    final: dict[str, dict[Event, Mark]] = {}
    for r in todo:
        failures = []
        for person in s.coordination.coordinators:
            context = {"id": r.id, "judul": r.get(ReviewColumn.TITLE), "kim": r.get(ReviewColumn.KIM), "desa": r.get(ReviewColumn.DESA),
                       "kecamatan": r.get(ReviewColumn.KECAMATAN), "peran": person.role,
                       "tautan": row_link(s.review_spreadsheet_id, sheet_id, r.row_number)}
            try:
                subject, body = render_message(template, context)
                channel.send(Message(person.email, subject, body, f"{r.id}:{EVENT.value}:{person.email}"))
                result.sent += 1
            except (BridgeError, jinja2.TemplateError) as exc:
                failures.append(person.email)
                result.failed += 1
                log.warning("%s: coordinator %s not told: %s", r.id, person.email, exc)
        when = deps.now()
        _set(deps.ledger, r.id, EVENT, "sent", when.isoformat())
        mark = Mark(EVENT, FAILED, f"tidak terkirim ke {', '.join(failures)}") if failures else Mark(EVENT, SENT, stamp(when))
        final[r.id] = {**parse_marks(r.get(ReviewColumn.NOTICES)), EVENT: mark}
    _write_exact(deps, final)
    if result.sent or result.failed:
        log.info("coordinator messages: sent %d, failed %d", result.sent, result.failed)
    return result


__all__ = ["run_coordinator_messages"]
