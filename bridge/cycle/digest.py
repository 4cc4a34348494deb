"""The officers' digest in a cycle (issue 19): exactly once per slot, never in the way of publishing.

When (rules in :mod:`bridge.core.digest`): at ``[notify] digest_at`` each day, and in between when
items have waited longer than ``digest_wait_hours``. What: counts per Review status, the oldest
waiting items with a link to their row, ``GAGAL`` rows, partnership alerts, KIM rows whose channel
cannot be used, and the bridge's health, from ``config/templates/digest.txt``. To whom: each
``digest_to`` address through the configured channel, and each ``digest_urls`` Apprise URL.

Order, so that a crash or a lost ledger never sends a digest twice:

1. the ledger journals the intent per recipient (``digest:<kind> <slot>:<n>`` = ``intent``);
2. the spreadsheet's record (developer metadata :data:`~bridge.core.digest.KEY`) gets ``sending``;
3. each recipient is sent to, and the ledger says ``sent`` at once;
4. the record gets the slot as sent and ``sending`` cleared.

A record found with ``sending`` and no ledger to say how far it got counts as sent (at most once).

Cost: the ledger keeps a copy of the record; a cycle where that copy says nothing is due makes no
request at all. When a digest looks due, the record is read from the spreadsheet first (one
``developerMetadata.get``: a restored, older ledger does not resend), then written twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import jinja2

from bridge.adapters.ledger import Ledger
from bridge.adapters.notify import AppriseChannel, Channel, shown_url
from bridge.adapters.sheets import create_metadata_request, update_metadata_request
from bridge.config import Settings
from bridge.core import columns, digest
from bridge.core.digest import DigestInput, DigestRecord, DigestRow, Health, Sending
from bridge.core.health import cycle_failed, failure_kind
from bridge.core.kim_channel import kim_routes
from bridge.core.model import KimRecord, ReviewColumn, ReviewRow, Status
from bridge.core.notices import Message, render_message
from bridge.core.registry import Alert
from bridge.cycle.context import CycleContext
from bridge.exceptions import AddressError, BridgeError

log = logging.getLogger("bridge.digest")

TEMPLATE = "digest.txt"
GIVE_UP_AFTER = timedelta(hours=6)
FIRST_WAIT = timedelta(minutes=2)
MAX_WAIT = timedelta(hours=1)
#: The health section names a failure this recent.
FAILURE_SHOWN = timedelta(hours=24)


@dataclass
class DigestResult:
    sent: int = 0
    pending: bool = False  # a recipient to try again later: the next cycle reads the sheet
    problems: list[str] = field(default_factory=list)


def remember_failure(deps: CycleContext, exc: BaseException | None) -> None:
    """A cycle that could not work (``exc``; None: the spreadsheet could not be read for now): the next
    digest's health section names it, in the plain words of :mod:`bridge.core.health`, by its kind (the
    raw error stays in the English journal). Never raises."""
    if deps.dry_run or not deps.settings.notify.digest:
        return
    try:
        with deps.ledger.transaction():
            deps.ledger.state.last_failure = (deps.now(), failure_kind(exc))
    except Exception as exc:  # noqa: BLE001 - the ledger itself may be what failed
        log.debug("last failure not remembered: %s", exc)


def _rows(tz: ZoneInfo, rows: Sequence[ReviewRow], updates: dict[str, dict[ReviewColumn, str]]) -> list[DigestRow]:
    out = []
    for row in rows:
        if not row.id:
            continue
        values = {**row.values, **updates.get(row.id, {})}
        view = ReviewRow(row_number=row.row_number, values=values)
        out.append(DigestRow(
            id=row.id, row=row.row_number, status=Status.parse(view.get(ReviewColumn.STATUS)),
            received=columns.parse_datetime_cell(view.get(ReviewColumn.RECEIVED), tz), kim=view.get(ReviewColumn.KIM).strip(),
            desa=view.get(ReviewColumn.DESA).strip(), kecamatan=view.get(ReviewColumn.KECAMATAN).strip(),
            title=" ".join(view.get(ReviewColumn.TITLE).split()), note=view.get(ReviewColumn.SYSTEM_NOTE).strip()))
    return out


def _cached(ledger: Ledger) -> DigestRecord | None:
    return ledger.state.digest_record


def _read_record(deps: CycleContext) -> DigestRecord:
    found = deps.sheets.get_metadata(deps.settings.review_spreadsheet_id, digest.METADATA_ID)
    record = DigestRecord.parse(found.value) if found is not None and found.key == digest.KEY else None
    record = record or DigestRecord()
    with deps.ledger.transaction():
        deps.ledger.state.digest_record = record
    return record


def _write_record(deps: CycleContext, record: DigestRecord) -> None:
    """One ``spreadsheets.batchUpdate``: the record's value replaced, or created with its fixed id."""
    sid = deps.settings.review_spreadsheet_id
    (reply,) = deps.sheets.batch_update(sid, [update_metadata_request(digest.METADATA_ID, record.to_json())], keeps_layout=True)
    if not reply.get("updateDeveloperMetadata", {}).get("developerMetadata"):
        deps.sheets.batch_update(sid, [create_metadata_request(digest.KEY, record.to_json(), metadata_id=digest.METADATA_ID)],
                                 keeps_layout=True)
    with deps.ledger.transaction():
        deps.ledger.state.digest_record = record


def _mark_sending(deps: CycleContext, record: DigestRecord) -> None:
    _write_record(deps, record)


def _mark_sent(deps: CycleContext, record: DigestRecord) -> None:
    _write_record(deps, record)


def _split(url: str) -> str:
    """A digest is longer than one Telegram message holds (4,096 characters): Apprise's ``overflow=split``
    sends it as several, unless the URL says otherwise (Apprise's default lets the service refuse it)."""
    if "overflow=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "overflow=split"


def _recipients(settings: Settings) -> list[tuple[str, Channel | None, str]]:
    """(label for the log, channel, address): digest_to through the configured channel (None), then each URL."""
    n = settings.notify
    out: list[tuple[str, Channel | None, str]] = [(address, None, address) for address in n.digest_to]
    out += [(shown_url(url), AppriseChannel((_split(url),), "[notify] digest_urls"), "") for url in n.digest_urls]
    # issue 20: the coordinators get the digest too (its section lists what waits for them); after the
    # others, so the journal keys of the officers' recipients do not move
    c = settings.coordination
    if c.on and n.digest_to:  # through the configured channel, as digest_to (none without it)
        known = {a.lower() for a in n.digest_to}
        out += [(p.email, None, p.email) for p in c.coordinators if p.email.lower() not in known]
    return out


def _state(ledger: Ledger, sending: Sending, recipient: int) -> tuple[str, str]:
    """(state, detail) of one recipient's copy: ('intent', time), ('sent', time), ('retry',
    'attempts|first|next'), ('failed', why) or ('', '') when not tried."""
    return ledger.state.digest_delivery(sending.key, recipient)


def _set(ledger: Ledger, sending: Sending, recipient: int, state: str, detail: str) -> None:
    with ledger.transaction():
        ledger.state.set_digest_delivery(sending.key, recipient, state, detail)


def _health(deps: CycleContext, problems: int) -> Health:
    last = deps.ledger.state.last_failure
    if last is None or deps.now() - last[0] > FAILURE_SHOWN:
        return Health(problems=problems)
    when, kind = last
    return Health(when.astimezone(deps.settings.tz), cycle_failed(kind), problems)


def _sheet_id(deps: CycleContext) -> int | None:
    s = deps.settings
    try:
        tab = deps.sheets.info(s.review_spreadsheet_id).tabs.get(s.review_tab)
    except BridgeError:
        return None
    return getattr(tab, "sheet_id", None)


def _compose(deps: CycleContext, sending: Sending, rows: list[DigestRow], kims: Sequence[KimRecord], alerts: Sequence[Alert],
             problems: int) -> tuple[str, str]:
    n = deps.settings.notify
    _, bad = kim_routes(kims, n.kim_channels)
    data = DigestInput(
        sending=sending, rows=rows, spreadsheet_id=deps.settings.review_spreadsheet_id, sheet_id=_sheet_id(deps),
        wait_hours=n.digest_wait_hours, items=n.digest_items, alerts=[(a.kim, a.id) for a in alerts],
        channel_problems=[p.id for p in bad], health=_health(deps, problems))
    template = (n.templates / TEMPLATE).read_text(encoding="utf-8")
    return render_message(template, digest.context(data))


def _send_all(deps: CycleContext, sending: Sending, subject: str, body: str, result: DigestResult) -> bool:
    """Send to every recipient the ledger has not done; True when none is left to try later."""
    now = deps.now()
    done = True
    for n, (label, channel, address) in enumerate(_recipients(deps.settings)):
        state, detail = _state(deps.ledger, sending, n)
        if state in ("sent", "failed"):
            continue
        attempts, first = 0, now
        if state == "retry":
            count, began, nxt = detail.split("|")
            attempts, first = int(count), datetime.fromisoformat(began)
            if now < datetime.fromisoformat(nxt):
                done = False
                continue
        try:
            (channel or deps.officer_channel).send(Message(address, subject, body, f"digest:{sending.slot:%Y%m%d%H%M}:{n}"))
        except AddressError as exc:
            _set(deps.ledger, sending, n, "failed", "address")
            log.warning("digest to %s refused, address not usable: %s", label, exc)
            result.problems.append(f"officers' digest not sent to {label}: {exc}")
            continue
        except BridgeError as exc:  # temporary, or the grant: tried again with backoff, then given up
            if now - first >= GIVE_UP_AFTER:
                _set(deps.ledger, sending, n, "failed", "gave-up")
                log.error("digest to %s given up after %s: %s", label, GIVE_UP_AFTER, exc)
                result.problems.append(f"officers' digest not sent to {label}: {exc}")
                continue
            wait = min(FIRST_WAIT * (2 ** attempts), MAX_WAIT)
            _set(deps.ledger, sending, n, "retry", f"{attempts + 1}|{first.isoformat()}|{(now + wait).isoformat()}")
            log.warning("digest to %s not sent, trying again in %s: %s", label, wait, exc)
            done = False
            continue
        _set(deps.ledger, sending, n, "sent", deps.now().isoformat())
        result.sent += 1
    return done


def _finish(deps: CycleContext, record: DigestRecord, sending: Sending, subject: str, body: str, result: DigestResult) -> None:
    if _send_all(deps, sending, subject, body, result):
        _mark_sent(deps, record.done())
        log.info("officers' digest (%s %s) sent to %d recipient(s)", sending.kind, sending.slot.isoformat(), result.sent)
    else:
        result.pending = True


def _started(deps: CycleContext, sending: Sending) -> bool:
    """Whether this ledger journaled the intent of ``sending`` (else it cannot tell how far it got)."""
    return any(_state(deps.ledger, sending, n)[0] for n in range(len(_recipients(deps.settings))))


def run_digest(deps: CycleContext, rows: Sequence[ReviewRow], updates: dict[str, dict[ReviewColumn, str]], kims: Sequence[KimRecord],
               alerts: Sequence[Alert], problems: int = 0, reshaped: int = 0) -> DigestResult:
    """Send the officers' digest when one is due (``rows`` as this cycle left them).

    ``reshaped``: rows this cycle added to Review (not in ``rows``) or archived out of it (the rows below
    moved up): a due digest waits for the next cycle, which reads Review as it is, so that its counts
    include the new rows and its links point at the right rows."""
    result = DigestResult()
    n = deps.settings.notify
    if not n.digest or deps.dry_run:
        return result
    now = deps.now()
    at = digest.parse_at(n.digest_at)
    view = _rows(deps.settings.tz, rows, updates)
    cached = _cached(deps.ledger)
    if cached is not None and cached.sending is None and digest.due(cached, now, at, n.digest_wait_hours, view) is None:
        return result  # nothing due by the ledger's copy of the record: no request at all
    if reshaped:
        log.info("officers' digest due: sent next cycle, once Review is read with the %d row(s) this cycle added or archived",
                 reshaped)
        result.pending = True
        return result
    if cached is not None and cached.sending is not None and not _retry_due(deps, cached.sending):
        result.pending = True
        return result
    record = _read_record(deps)  # the sheet decides (a restored, older ledger must not resend)
    try:
        if record.sending is not None:  # a digest begun earlier (a crash, or a retry)
            if not _started(deps, record.sending):
                log.info("officers' digest %s was being sent when the bridge stopped; not sent again", record.sending.key)
                _mark_sent(deps, record.done())
                return result
            subject, body = _compose(deps, record.sending, view, kims, alerts, problems)
            _finish(deps, record, record.sending, subject, body, result)
            return result
        sending = digest.due(record, now, at, n.digest_wait_hours, view)
        if sending is None:
            return result
        subject, body = _compose(deps, sending, view, kims, alerts, problems)
    except (OSError, jinja2.TemplateError) as exc:
        result.problems.append(f"officers' digest template {n.templates / TEMPLATE}: {exc}")
        log.error("officers' digest not sent: template %s: %s", n.templates / TEMPLATE, exc)
        return result
    for i in range(len(_recipients(deps.settings))):  # 1. the ledger's intent
        _set(deps.ledger, sending, i, "intent", now.isoformat())
    begun = record.begun(sending)
    _mark_sending(deps, begun)  # 2. the sheet's intent
    _finish(deps, begun, sending, subject, body, result)  # 3. send, 4. the record
    return result


def _retry_due(deps: CycleContext, sending: Sending) -> bool:
    """Whether a digest being sent has work now: a recipient not yet tried, a retry whose wait is over,
    or none left (the record is to be finished)."""
    now = deps.now()
    waiting = False
    for i in range(len(_recipients(deps.settings))):
        state, detail = _state(deps.ledger, sending, i)
        if state in ("sent", "failed"):
            continue
        if state == "retry" and now < datetime.fromisoformat(detail.split("|")[2]):
            waiting = True
            continue
        return True
    return not waiting


def wake_at(deps: CycleContext, rows: Sequence[ReviewRow], updates: dict[str, dict[ReviewColumn, str]]) -> datetime | None:
    """When the next digest may be due (the cycle reads the sheet then even if nothing changed)."""
    n = deps.settings.notify
    if not n.digest:
        return None
    cached = _cached(deps.ledger)
    now = deps.now()
    return digest.next_due(cached, now, digest.parse_at(n.digest_at), n.digest_wait_hours, _rows(deps.settings.tz, rows, updates))


__all__ = ["DigestResult", "remember_failure", "run_digest", "wake_at"]
