"""The spreadsheet's lease and generation in a cycle (rules in :mod:`bridge.core.lease`).

When: at the start of every cycle that reads the sheet (:func:`check`), before the snapshot, so a
ledger that is not trusted is emptied before anything reads it, and the rebuild of an empty ledger
(:func:`bridge.cycle.intake.rebuild_ledger`) runs in this same cycle. Before the cycle's first write,
to Sheets or Blogger, the record's generation is raised and its heartbeat renewed in one
``spreadsheets.batchUpdate`` (:class:`Guard`). The generation goes into a request of its own, not
into the cycle's writes: those are ``values.append`` / ``values.batchUpdate`` (and Blogger), which
cannot carry developer metadata, and the raise must come before a post is inserted anyway.

Cost: the record is read only when the spreadsheet's Drive version moved since the bridge's last
cycle (someone else wrote; otherwise it is as this bridge left it, kept in the ledger), and then at
no cost when the cycle fetches the layout anyway (``spreadsheets.get`` carries the metadata), else
one ``developerMetadata.search``. A cycle that writes pays one more write; an idle bridge writes a
heartbeat only when two thirds of the lease are gone (:func:`renew_if_due`).

The race Google leaves open (no compare-and-swap on a metadata value): two bridges that read the
record as expired or free at the same moment both write a claim. The first record is created with a
fixed metadata id, which Google refuses to create twice; a claim of an existing record is written,
left to settle :data:`SETTLE_SECONDS`, and read back, and the bridge goes on only if it still names
it. Both can still win only when one's read and write of the record lie more than SETTLE_SECONDS
apart. Writing is kept safe inside that window and after any take-over: the previous holder
checks the record again before a write (sheet or blog) once its last look is :data:`RECHECK` old, and
then writes nothing more in that cycle (a bridge that hung past its lease stops there); the new
holder inserts no new post for :data:`HANDOVER` after its claim, then scans the blog for the marker
of every approved row before inserting (:func:`handover_lookup`).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from bridge.adapters.ledger import Ledger
from bridge.adapters.sheets import create_metadata_request, update_metadata_request
from bridge.config import Settings
from bridge.core import lease
from bridge.core.lease import Holder, Record, Verdict
from bridge.cycle.context import CycleContext
from bridge.exceptions import AuthError, FatalError, LeaseHeldError

log = logging.getLogger("bridge.lease")

SETTLE_SECONDS = 3.0
RECHECK = timedelta(seconds=30)
HANDOVER = timedelta(seconds=60)


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return ""


def _booted(now: Callable[[], datetime]) -> datetime | None:
    """When this machine started, on the bridge's clock (now less the kernel's uptime)."""
    try:
        with open("/proc/uptime", encoding="ascii") as f:
            return now() - timedelta(seconds=float(f.read().split()[0]))
    except (OSError, ValueError, IndexError):
        return None


def me(settings: Settings) -> Holder:
    """This bridge as the record names it."""
    return Holder(socket.gethostname(), _boot_id(), str(settings.state_path.resolve()), os.getpid())


def ttl(settings: Settings) -> timedelta:
    return lease.lease_ttl(settings.poll_interval_minutes)


def _sid(settings: Settings) -> str:
    return settings.review_spreadsheet_id


def read_record(deps: CycleContext) -> Record | None:
    """The record as the spreadsheet holds it now (free with a layout fetch the cycle makes anyway)."""
    sid = _sid(deps.settings)
    if not deps.sheets.is_cached(sid):
        found = [m for m in deps.sheets.info(sid).metadata if m.key == lease.KEY]
    else:
        found = deps.sheets.search_metadata(sid, lease.KEY)
    found.sort(key=lambda m: (m.id != lease.METADATA_ID, m.id))
    return lease.Record.parse(found[0].value) if found else None


def stored_record(ledger: Ledger) -> Record | None:
    return ledger.state.lease_record


def _write(deps: CycleContext, new: Record, *, create: bool) -> None:
    """One ``spreadsheets.batchUpdate``: the record created (fixed id) or its value replaced."""
    sid = _sid(deps.settings)
    if create:
        request = create_metadata_request(lease.KEY, new.to_json(), metadata_id=lease.METADATA_ID)
        deps.sheets.batch_update(sid, [request], keeps_layout=True)
    else:
        (reply,) = deps.sheets.batch_update(sid, [update_metadata_request(lease.METADATA_ID, new.to_json())],
                                            keeps_layout=True)
        if not reply.get("updateDeveloperMetadata", {}).get("developerMetadata"):
            # someone deleted the record since it was read: make it again
            deps.sheets.batch_update(sid, [create_metadata_request(lease.KEY, new.to_json(), metadata_id=lease.METADATA_ID)],
                                     keeps_layout=True)
    deps.ledger.state.lease_record = new


def held_message(deps: CycleContext, record: Record) -> str:
    """What IT staff read when another bridge holds the lease: who, since when, and what to do."""
    now = deps.now()
    expires = record.expires(ttl(deps.settings)).astimezone(deps.settings.tz)
    age = int((now - record.heartbeat).total_seconds() // 60)
    return (
        f"another mymein-bridge writes this spreadsheet: {record.holder.describe()}, last seen {age} minute(s) ago. "
        "Two bridges on one spreadsheet would publish items twice, so this one writes nothing. If that bridge is "
        f"meant to stop, stop it there (on {record.holder.host}: sudo systemctl stop mymein-bridge); to move the "
        "service here, run this bridge with --take-over (mymein-bridge run -c CONFIG --take-over, or once "
        f"--take-over). Without it, `run` takes over by itself when that lease expires at "
        f"{expires:%d/%m/%Y %H:%M} WITA (it is renewed while that bridge runs)."
    )


class Guard:
    """Raises the generation (and renews the lease) before the cycle's first write; installed as
    the gateways' ``before_write`` for one cycle. Before any write it looks at the record again once
    its last look is :data:`RECHECK` old: a take-over since then (this bridge hung, or a long cycle)
    stops that write and every later one of the cycle (callers treat it as a write not made)."""

    def __init__(self, deps: CycleContext, record: Record | None, checked: datetime) -> None:
        self.deps, self.record, self.checked = deps, record, checked
        self.raised = False
        self.lost: Record | None = None
        self._busy = False

    def install(self) -> None:
        self.deps.sheets.before_write = self.sheet_write
        self.deps.blogger.before_write = self.blog_write

    def uninstall(self) -> None:
        self.deps.sheets.before_write = None
        self.deps.blogger.before_write = None

    def sheet_write(self, spreadsheet_id: str) -> None:
        self.still_ours()
        self.raise_generation()

    def blog_write(self) -> None:
        self.still_ours()
        self.raise_generation()

    def still_ours(self) -> None:
        deps = self.deps
        if self._busy or deps.dry_run:
            return
        if self.lost is None and deps.now() - self.checked >= RECHECK:
            self._busy = True
            try:
                record = read_record(deps)
            finally:
                self._busy = False
            self.checked = deps.now()
            if record is not None and not record.holder.same_place(me(deps.settings)):
                deps.ledger.state.lease_record = record
                self.lost = record
                log.warning("the spreadsheet's lease was taken over by %s during this cycle; nothing more is written",
                            record.holder.describe())
            elif record is not None:
                self.record = record
        if self.lost is not None:
            raise LeaseHeldError("the spreadsheet's lease was taken over during this cycle; nothing more is "
                                 "written here. " + held_message(deps, self.lost))

    def raise_generation(self) -> None:
        if self.raised or self._busy or self.deps.dry_run:
            return
        self._busy = True
        try:
            deps, ledger = self.deps, self.deps.ledger
            gen = max(self.record.gen if self.record else 0, ledger.state.generation - 1) + 1
            ledger.state.generation = gen  # first: a write that lands unheard is still this ledger's
            ids = ledger.ids.tops()
            new = (self.record.renewed(me(deps.settings), ledger.state.own_id(), gen, deps.now(), ids) if self.record
                   else lease.first_record(me(deps.settings), ledger.state.own_id(), gen, deps.now(), ids))
            _write(deps, new, create=self.record is None)
            self.record, self.raised = new, True
        finally:
            self._busy = False


def check(deps: CycleContext, changed: bool, notes: list[str]) -> Guard:
    """At the start of a cycle that reads: may this bridge write, and is its ledger the sheet's?

    Empties a ledger that is not trusted (it is then rebuilt by this cycle's intake) and claims the
    lease when it is free, expired or taken over. ``notes`` gets one line for the cycle's report.

    Raises:
        LeaseHeldError: another bridge holds the lease (nothing was written).
        RetriableError: the record could not be read or written now.
    """
    ledger, now, holder = deps.ledger, deps.now(), me(deps.settings)
    stored = stored_record(deps.ledger)
    record = read_record(deps) if changed or stored is None or deps.take_over else stored
    decision = lease.decide(record, holder, now, ttl(deps.settings), take_over=deps.take_over, booted=_booted(deps.now))
    if decision.verdict is Verdict.HELD and deps.dry_run:  # a dry run may look at any time; it writes nothing
        assert record is not None
        notes.append("a real run would write nothing: " + held_message(deps, record))
    elif decision.verdict is Verdict.HELD:
        assert record is not None
        if stored is not None and stored.holder.same_place(holder) and not deps.dry_run:
            log.warning("the spreadsheet's lease was taken over by %s; this bridge stops writing",
                        record.holder.describe())
            ledger.state.lease_record = record
        raise LeaseHeldError(held_message(deps, record), expires=record.expires(ttl(deps.settings)))
    trusted = lease.ledger_trusted(record, ledger.state.own_id(), ledger.state.generation)
    if not trusted:
        assert record is not None
        if not ledger.is_empty():  # an empty one (new, or lost) is rebuilt anyway, and intake says so
            why = lease.why_untrusted(record, ledger.state.own_id(), ledger.state.generation)
            line = (f"local ledger not trusted: {why}. It is treated as lost: rebuilt from the Review and Arsip tabs "
                    "and the blog, publishing nothing twice")
            log.warning(line)
            notes.append(line)
        ledger.reset()
    if record is not None and record.ids:
        ledger.ids.note(f"MM-{y}-{n}" for y, n in record.ids.items())  # IDs above any given, whatever this ledger says
    if deps.dry_run:
        if decision.verdict is not Verdict.HELD and (decision.claim or not trusted):
            notes.append(f"a real run would claim the spreadsheet's lease ({decision.verdict.value})")
        return Guard(deps, record, now)
    if decision.claim or not trusted:
        _claim(deps, record, decision.verdict, holder)
        record = stored_record(deps.ledger)
    elif record is not None:
        ledger.state.lease_record = record
    ledger.state.standby_until = None
    deps.take_over = False  # once: a later take-over by another bridge is respected
    return Guard(deps, record, now)


def _claim(deps: CycleContext, record: Record | None, verdict: Verdict, holder: Holder) -> None:
    """Write the record naming this bridge and its ledger; read it back after it settles when it
    named another holder. A claim from another holder opens the hand-over (see the module doc)."""
    ledger, now = deps.ledger, deps.now()
    gen = max(record.gen if record else 0, ledger.state.generation) + 1
    ledger.state.generation = gen
    ids = ledger.ids.tops()
    new = (record.renewed(holder, ledger.state.own_id(), gen, now, ids) if record
           else lease.first_record(holder, ledger.state.own_id(), gen, now, ids))
    try:
        _write(deps, new, create=record is None)
    except FatalError as exc:
        if record is not None or isinstance(exc, AuthError):
            raise
        rival = read_record(deps)
        if rival is None:
            raise
        # Created by another bridge at the same moment: Google refuses a second record with the fixed id.
        ledger.state.lease_record = rival
        raise LeaseHeldError("another bridge claimed this spreadsheet at the same moment; this one backs off. "
                             + held_message(deps, rival), expires=rival.expires(ttl(deps.settings))) from exc
    if record is not None and not record.holder.same_place(holder):
        deps.sleep(SETTLE_SECONDS)
        back = read_record(deps)
        if back is None or not back.holder.same_place(holder):
            if back is not None:
                ledger.state.lease_record = back
            raise LeaseHeldError("another bridge claimed this spreadsheet at the same moment; this one backs off. "
                                 + (held_message(deps, back) if back else ""),
                                 expires=back.expires(ttl(deps.settings)) if back else None)
        ledger.state.handover_until = now + HANDOVER
        ledger.state.handover_scan = True
        how = "taken over by request" if verdict is Verdict.TAKE_OVER else "its lease had expired"
        log.warning("this bridge now writes the spreadsheet (%s from %s); new posts wait %d s, then the blog is "
                    "scanned for every approved item's marker first", how, record.holder.describe(),
                    HANDOVER.total_seconds())
    else:
        log.info("spreadsheet lease: held by this bridge (%s), generation %d", holder.describe(), gen)


def in_handover(deps: CycleContext) -> bool:
    """True while a new holder must not insert new posts (the previous one's last insert may land)."""
    until = deps.ledger.state.handover_until
    return until is not None and deps.now() < until


def handover_lookup(ledger: Ledger) -> bool:
    """True when the blog must be scanned for every approved row's marker before inserting."""
    return ledger.state.handover_scan


def handover_scanned(ledger: Ledger) -> None:
    ledger.state.handover_scan = False


def renew_if_due(deps: CycleContext) -> bool:
    """In a cycle that reads nothing: write a heartbeat when two thirds of the lease are gone. The
    spreadsheet did not change since this bridge's last cycle, so the record is as it left it."""
    if deps.dry_run:
        return False
    record = stored_record(deps.ledger)
    if record is None or not record.holder.same_place(me(deps.settings)) or not lease.renew_due(record, deps.now(), ttl(deps.settings)):
        return False
    Guard(deps, record, deps.now()).raise_generation()
    return True


__all__ = ["Guard", "check", "held_message", "in_handover", "handover_lookup", "handover_scanned", "me",
           "read_record", "renew_if_due", "stored_record", "ttl"]
