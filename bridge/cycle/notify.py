"""Operator messages after each cycle (issue 19): exactly once per event, never in the way of publishing.

Order for each message, so that a crash or a lost ledger never sends it twice:

1. the ledger journals the intent (``notice:<ID>:<event>`` = ``intent``);
2. the Review row's ``Notifikasi Terkirim`` cell gets ``<event> ? <time>`` (one batched write for all);
3. the message is sent, and the ledger says ``sent`` at once;
4. the cell gets ``<event> <time>`` (one batched write).

A rebuilt ledger reads the cell: any recorded line, ``?`` included, means "not again". A failed send
is tried again with backoff for :data:`GIVE_UP_AFTER`, then shown on the row as ``GAGAL``; a bad address
is shown at once and never retried. Runs after publishing and archiving; its failures are logged and
counted, never raised into the cycle (an expired Gmail grant stops only the messages).

Where each message goes: the form's e-mail through the configured channel, unless the row's KIM picks
another place in the KIM tab (``Kanal Notifikasi``/``Alamat Notifikasi``, :mod:`bridge.core.kim_channel`);
a KIM row that cannot be used falls back to the form's e-mail, and the cell says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import jinja2

from bridge.adapters.notify import AppriseChannel, Channel
from bridge.adapters.sheets import a1_tab, column_letter
from bridge.app import Deps
from bridge.config import notice_template
from bridge.core import columns
from bridge.core.kim_channel import KimChannel, Route
from bridge.core.model import KimRecord, ReviewColumn, ReviewRow, Status, kim_key
from bridge.core.notices import (
    FAILED,
    NEEDS_MESSAGE,
    REJECT_WAITS,
    SENDING,
    SENT,
    STATUS_EVENT,
    WAITING,
    Event,
    Mark,
    Message,
    due_events,
    format_marks,
    parse_marks,
    render_message,
    stamp,
)
from bridge.core.operator_reasons import for_operator, from_note
from bridge.core.report import DRAFT_LINK
from bridge.core.review_machine import rejection_notice_waits
from bridge.cycle.kim_routes import cycle_routes
from bridge.cycle.locate import locate_ids
from bridge.exceptions import AddressError, BridgeError, RetriableError

log = logging.getLogger("bridge.notify")

GIVE_UP_AFTER = timedelta(hours=24)
GAVE_UP = "tidak terkirim setelah dicoba 24 jam"
BAD_ADDRESS = "alamat tidak valid"
FIRST_WAIT = timedelta(minutes=2)
MAX_WAIT = timedelta(hours=2)


@dataclass
class NoticeResult:
    sent: int = 0
    failed: int = 0  # shown on the row (bad address, or retried for a day)
    retry_later: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.retry_later > 0


def _key(sub_id: str, event: Event) -> str:
    return f"notice:{sub_id}:{event.value}"


def _ledger_state(deps: Deps, sub_id: str, event: Event) -> tuple[str, str]:
    """(state, detail): ('', ''), ('intent', time), ('sent', time), ('retry', 'attempts|first|next'),
    ('failed', reason shown on the row)."""
    value = deps.ledger.get_meta(_key(sub_id, event))
    state, _, detail = value.partition(" ")
    return state, detail


def _set(deps: Deps, sub_id: str, event: Event, value: str) -> None:
    with deps.ledger.transaction():
        deps.ledger.set_meta(_key(sub_id, event), value)


def _too_old(deps: Deps, row: ReviewRow) -> bool:
    received = columns.parse_datetime_cell(row.get(ReviewColumn.RECEIVED), deps.settings.tz)
    if received is None:
        return False
    return deps.now() - received > timedelta(days=deps.settings.notify.max_age_days)


def _live_link(deps: Deps, row: ReviewRow) -> str:
    """The public link once readers can see the post; "" for a draft (the editor link is for officers
    only) or a scheduled post not out yet. In draft mode, the message goes when the draft check has
    seen the officer publish it (it writes the link and the time)."""
    url = row.get(ReviewColumn.POST_URL).strip()
    published = columns.parse_datetime_cell(row.get(ReviewColumn.PUBLISHED), deps.settings.tz)
    if not url or DRAFT_LINK in url or published is None or published > deps.now():
        return ""
    return url


def _context(row: ReviewRow, event: Event) -> dict[str, object]:
    # the officer's words to the operator, never the internal Catatan Petugas
    reason = row.get(ReviewColumn.SYSTEM_NOTE) if event == Event.PERLU_PERBAIKAN else row.get(ReviewColumn.OPERATOR_MESSAGE)
    context: dict[str, object] = {
        "id": row.id, "judul": row.get(ReviewColumn.TITLE), "operator": row.get(ReviewColumn.OPERATOR),
        "kecamatan": row.get(ReviewColumn.KECAMATAN), "desa": row.get(ReviewColumn.DESA), "kim": row.get(ReviewColumn.KIM),
        "tautan": row.get(ReviewColumn.POST_URL), "alasan": reason.strip(), "status": row.get(ReviewColumn.STATUS),
    }
    if event == Event.PERLU_PERBAIKAN:
        context.update(_fixes(row))
    return context


def _fixes(row: ReviewRow) -> dict[str, object]:
    """Catatan Sistem is the officers' text: the operator reads each reason's own text instead, and is
    asked to resubmit only when a reason is theirs to fix (issue 19 audit)."""
    fixes = for_operator(from_note(row.get(ReviewColumn.SYSTEM_NOTE)))
    return {"alasan": fixes.reasons, "langkah": fixes.next_step, "kirim_ulang": fixes.resubmit}


def _template(templates: Path, event: Event) -> str:
    return notice_template(templates, event.value).read_text(encoding="utf-8")


@dataclass
class _Item:
    row: ReviewRow
    event: Event
    message: Message | None  # None: already sent (the ledger says so), only the cell is missing
    waits: bool = False  # not sent: DITOLAK or PERLU REVISI without a message to the operator (the cell says so)
    clears: bool = False  # the row's WAITING line for this event is stale (no longer DITOLAK / PERLU REVISI): take it off
    channel: Channel | None = None  # the KIM's own channel (KIM tab), None = the configured one
    note: str = ""  # after the time in the cell: where it went, when not to the form's e-mail


#: What the cell adds after the time when a message did not go to the form's e-mail.
VIA = {KimChannel.EMAIL: "ke email KIM", KimChannel.TELEGRAM: "lewat telegram", KimChannel.WHATSAPP: "lewat whatsapp",
       KimChannel.WEBHOOK: "lewat webhook"}
BAD_ROUTE = "ke email formulir: Kanal Notifikasi di tab KIM salah"


def _destination(view: ReviewRow, routes: dict[str, Route], bad: set[str], channels: dict[str, Channel]) -> tuple[list[str], Channel | None, str] | None:
    """(addresses, channel, note) for a row's messages; None when its KIM asked for none (``tidak``)."""
    kim = kim_key(view.get(ReviewColumn.KIM))
    route = routes.get(kim)
    if route is None:
        return sorted(columns.parse_emails(view.get(ReviewColumn.EMAIL))), None, BAD_ROUTE if kim and kim in bad else ""
    if route.channel == KimChannel.NONE:
        return None
    if route.channel == KimChannel.EMAIL:
        return [route.address], None, VIA[route.channel]
    channel = channels.setdefault(route.url, AppriseChannel((route.url,), f"[notify] kim_channels {route.channel.value}"))
    return [route.address], channel, VIA[route.channel]


def _plan(deps: Deps, rows: list[ReviewRow], updates: dict[str, dict[ReviewColumn, str]], result: NoticeResult,
          kims: list[KimRecord]) -> list[_Item]:
    n = deps.settings.notify
    enabled = frozenset(Event(e) for e in n.events)
    items: list[_Item] = []
    now = deps.now()
    routes, bad = cycle_routes(deps, kims)
    channels: dict[str, Channel] = {}
    for row in rows:
        if not row.id:
            continue
        values = {**row.values, **updates.get(row.id, {})}
        view = ReviewRow(row_number=row.row_number, values=values)
        status = Status.parse(view.get(ReviewColumn.STATUS))
        marks = parse_marks(view.get(ReviewColumn.NOTICES))
        due = due_events(status, _live_link(deps, view), marks, enabled)
        for needs in NEEDS_MESSAGE:  # DITOLAK, and PERLU REVISI (issue 20)
            waiting = marks.get(needs)
            if waiting is not None and waiting.state == WAITING and (status is None or STATUS_EVENT.get(status) != needs):
                items.append(_Item(view, needs, None, clears=True))  # decided otherwise: nothing waits
        # "?" lines: the ledger tells how far the send got; with no ledger record nobody knows, and
        # the line stays (at most once: never twice)
        due += [e for e, m in marks.items() if m.state == SENDING and _ledger_state(deps, row.id, e)[0]
                and e != Event.KOORDINASI]  # issue 20: the coordinators' line (bridge.cycle.coordinator_notify)
        if not due or _too_old(deps, view):
            continue
        destination = _destination(view, routes, bad, channels)
        if destination is None:
            continue  # the KIM asked for no messages (Kanal Notifikasi: tidak)
        address, via, note = destination
        for event in due:
            if event in NEEDS_MESSAGE and rejection_notice_waits(view.get(ReviewColumn.OPERATOR_MESSAGE), n.reject_without_message):
                if event not in marks:  # said once; the row waits until an officer writes the message
                    items.append(_Item(view, event, None, waits=True))
                continue
            state, detail = _ledger_state(deps, row.id, event)
            if state in ("sent", "failed"):  # done with: only the cell is missing
                items.append(_Item(view, event, None, note=note))
                continue
            if state == "retry":
                attempts, first, nxt = detail.split("|")
                if now < datetime.fromisoformat(nxt):
                    result.retry_later += 1
                    continue
            if not address:
                continue  # no e-mail in the form: nobody to tell
            try:
                subject, body = render_message(_template(n.templates, event), _context(view, event))
            except (OSError, jinja2.TemplateError) as exc:
                result.problems.append(f"notice template {event.value}: {exc}")
                continue
            items.append(_Item(view, event, Message(address[0], subject, body, f"{row.id}:{event.value}"), channel=via, note=note))
    return items


def _write(deps: Deps, cells: dict[str, dict[Event, Mark]], rows: dict[str, ReviewRow]) -> bool:
    """One batched RAW write of the cells (merged into what each row's cell already says)."""
    s = deps.settings
    review = locate_ids(deps, [s.review_tab])[s.review_tab]
    col = review.index.get(ReviewColumn.NOTICES)
    if col is None:
        return False
    data = []
    for sub_id, new in cells.items():
        number = review.rows.get(sub_id)
        if number is None:
            continue
        marks = {**parse_marks(rows[sub_id].get(ReviewColumn.NOTICES)), **new}
        data.append((f"{a1_tab(s.review_tab)}!{column_letter(col)}{number}", [[format_marks(marks)]]))
    if data:
        deps.sheets.update_ranges(s.review_spreadsheet_id, data)
        _remember(deps, {sid: format_marks({**parse_marks(rows[sid].get(ReviewColumn.NOTICES)), **new})
                         for sid, new in cells.items() if sid in review.rows})
    return True


def _remember(deps: Deps, cells: dict[str, str]) -> None:
    """The ledger's copies of the rows (a cycle reads Review through its ID and Status columns, issue
    13) get the cells just written, so the next cycle sees them without reading the rows whole."""
    copies = deps.ledger.last_rows_of(cells)
    changed = {sid: {**copy, ReviewColumn.NOTICES.name: cells[sid]} for sid, copy in copies.items()}
    if changed:
        with deps.ledger.transaction():
            deps.ledger.set_last_rows(changed)


def _failed(deps: Deps, item: _Item, exc: RetriableError, result: NoticeResult) -> Mark | None:
    """After a temporary failure: retry later with backoff, or, after a day, GAGAL on the row."""
    now = deps.now()
    state, detail = _ledger_state(deps, item.row.id, item.event)
    attempts, first = (int(detail.split("|")[0]), datetime.fromisoformat(detail.split("|")[1])) if state == "retry" else (0, now)
    if now - first >= GIVE_UP_AFTER:
        result.failed += 1
        _set(deps, item.row.id, item.event, f"failed {GAVE_UP}")  # done with: the row says GAGAL
        return Mark(item.event, FAILED, GAVE_UP)
    wait = min(FIRST_WAIT * (2 ** attempts), MAX_WAIT)
    _set(deps, item.row.id, item.event, f"retry {attempts + 1}|{first.isoformat()}|{(now + wait).isoformat()}")
    result.retry_later += 1
    log.warning("%s: %s message not sent, trying again in %s: %s", item.row.id, item.event.value, wait, exc)
    return None


def _sent_text(when: datetime, note: str) -> str:
    return f"{stamp(when)} {note}" if note else stamp(when)


def run_notices(deps: Deps, rows: list[ReviewRow], updates: dict[str, dict[ReviewColumn, str]], channel: Channel,
                kims: list[KimRecord] | None = None) -> NoticeResult:
    """Send the operator messages due for ``rows`` (as this cycle left them) through ``channel``, or the
    channel each row's KIM chose in the KIM tab (``kims``, as this cycle read it)."""
    result = NoticeResult()
    if deps.dry_run:
        return result
    items = _plan(deps, rows, updates, result, kims or [])
    if not items:
        return result
    by_id = {i.row.id: i.row for i in items}
    to_send = [i for i in items if i.message is not None][: deps.settings.notify.max_per_cycle]
    now = deps.now()
    for item in to_send:  # 1. the ledger's intent
        state, _ = _ledger_state(deps, item.row.id, item.event)
        if state != "retry":
            _set(deps, item.row.id, item.event, f"intent {now.isoformat()}")
    merged: dict[str, dict[Event, Mark]] = {}
    for i in to_send:
        merged.setdefault(i.row.id, {})[i.event] = Mark(i.event, SENDING, stamp(now))
    if to_send and not _write(deps, merged, by_id):  # 2. the sheet's intent
        result.problems.append(f"Review tab has no '{ReviewColumn.NOTICES.value}' column: no messages sent (run `mymein-bridge init`)")
        log.warning("operator messages off: the Review tab has no '%s' column (run init)", ReviewColumn.NOTICES.value)
        return result
    final: dict[str, dict[Event, Mark]] = {}
    for item in items:
        if item.clears:  # a SENDING mark is taken off the cell below
            final.setdefault(item.row.id, {})[item.event] = Mark(item.event, SENDING, "")
            continue
        if item.waits:
            final.setdefault(item.row.id, {})[item.event] = Mark(item.event, WAITING, REJECT_WAITS)
            continue
        if item.message is None:
            state, detail = _ledger_state(deps, item.row.id, item.event)
            mark = Mark(item.event, FAILED, detail) if state == "failed" else Mark(item.event, SENT, _sent_text(datetime.fromisoformat(detail), item.note))
            final.setdefault(item.row.id, {})[item.event] = mark
            continue
        if item not in to_send:
            continue
        try:  # 3. send; the ledger remembers at once
            (item.channel or channel).send(item.message)
        except AddressError as exc:
            result.failed += 1
            _set(deps, item.row.id, item.event, f"failed {BAD_ADDRESS}")
            final.setdefault(item.row.id, {})[item.event] = Mark(item.event, FAILED, BAD_ADDRESS)
            log.warning("%s: %s message refused, address not usable: %s", item.row.id, item.event.value, exc)
            continue
        except RetriableError as exc:
            failed = _failed(deps, item, exc, result)
            final.setdefault(item.row.id, {})[item.event] = failed if failed is not None else Mark(item.event, SENDING, "")
            continue
        except BridgeError as exc:  # e.g. the Gmail grant: messages stop, publishing goes on
            result.problems.append(f"operator messages stopped: {exc}")
            _set(deps, item.row.id, item.event, "")
            log.error("operator messages stopped: %s", exc)
            break
        sent_at = deps.now()
        _set(deps, item.row.id, item.event, f"sent {sent_at.isoformat()}")
        result.sent += 1
        final.setdefault(item.row.id, {})[item.event] = Mark(item.event, SENT, _sent_text(sent_at, item.note))
    # 4. what was sent, on the rows; a retried one's "?" line is taken off again (it was not sent)
    cells: dict[str, dict[Event, Mark]] = {}
    for sub_id, marks in final.items():
        base = parse_marks(by_id[sub_id].get(ReviewColumn.NOTICES))
        for event, mark in marks.items():
            if mark.state == SENDING:
                base.pop(event, None)
            else:
                base[event] = mark
        cells[sub_id] = base
    for i in to_send:  # stopped before its turn: take its "?" off
        if i.event not in final.get(i.row.id, {}):
            cells.setdefault(i.row.id, parse_marks(by_id[i.row.id].get(ReviewColumn.NOTICES))).pop(i.event, None)
            _set(deps, i.row.id, i.event, "")
    _write_exact(deps, cells)
    if result.sent or result.failed:
        log.info("operator messages: sent %d, failed %d, retry later %d", result.sent, result.failed, result.retry_later)
    return result


def _write_exact(deps: Deps, cells: dict[str, dict[Event, Mark]]) -> None:
    s = deps.settings
    review = locate_ids(deps, [s.review_tab])[s.review_tab]
    col = review.index.get(ReviewColumn.NOTICES)
    if col is None:
        return
    written = {sid: format_marks(m) for sid, m in cells.items() if sid in review.rows}
    data = [(f"{a1_tab(s.review_tab)}!{column_letter(col)}{review.rows[sid]}", [[text]]) for sid, text in written.items()]
    if data:
        deps.sheets.update_ranges(s.review_spreadsheet_id, data)
        _remember(deps, written)


__all__ = ["NoticeResult", "run_notices"]
