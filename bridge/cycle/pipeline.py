"""One cycle: read → intake → publish → archive. The scheduler only calls :func:`run_cycle`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TypeVar

from bridge.adapters.ledger import INTENT, Ledger
from bridge.config import Settings
from bridge.core.identity import WatchPlan
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.core.registry import Alert
from bridge.core.review_machine import DRAFT_WATCH, ON_WEBSITE, PostState
from bridge.core.review_rows import ReviewRows, where
from bridge.cycle import lease
from bridge.cycle.alerts import cycle_alerts
from bridge.cycle.archive import next_archive_due, record_deleted, run_archive
from bridge.cycle.blog_watch import BLOG_CHECK_EVERY, next_check, watching
from bridge.cycle.blogger_pause import paused_until
from bridge.cycle.context import CycleContext
from bridge.cycle.decided import stamp_decisions
from bridge.cycle.health import show_health
from bridge.cycle.intake import FINGERPRINTS_NOW, IntakeResult, run_intake
from bridge.cycle.isolate import row_failed
from bridge.cycle.journal_view import JournalView
from bridge.cycle.layout import hold_mass_vanish
from bridge.cycle.publish import DRAFT_CHECK_EVERY, PublishResult, run_publish
from bridge.cycle.release import give_back_memory
from bridge.cycle.review_watch import remember_rows, run_watch
from bridge.cycle.snapshot import Snapshot, note_whole_read, read_snapshot
from bridge.exceptions import AuthError, BridgeError, FatalError, LeaseHeldError, RetriableError

log = logging.getLogger("bridge.cycle")


@dataclass
class CycleReport:
    """What one cycle did, for the CLI summary, the log and the tests."""

    intake: IntakeResult = field(default_factory=IntakeResult)
    publish: PublishResult = field(default_factory=PublishResult)
    archived: int = 0
    deleted: int = 0  # Review rows deleted by officers, recorded in Arsip
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)
    skipped: bool = False  # the spreadsheet could not be read: nothing was done
    unchanged: bool = False  # the spreadsheet had not changed and nothing was due: no Sheets read (issue 13)
    alerts: list[Alert] = field(default_factory=list)  # partnership alerts (logged once per cycle)
    lease: list[str] = field(default_factory=list)  # the ledger was not trusted, or (dry run) a claim is due
    standby: str = ""  # another bridge holds the spreadsheet's lease: nothing was done (why, and how to take over)
    clock_skewed: bool = False  # this server's clock is more than 2 minutes off Google's (issue 17)
    notices_due: bool = False  # operator messages to send or retry next cycle: read the sheet then (issue 19)

    @property
    def plan(self) -> list[str]:
        return self.intake.plan + self.publish.plan if self.dry_run else []

    def counts(self) -> dict[str, int]:
        """The cycle's counts by name (fields of the JSON log line)."""
        i, p = self.intake, self.publish
        return {
            "new": i.new, "queued": i.queued, "restored": i.restored, "invalid": i.invalid, "duplicates": i.duplicates,
            "published": p.published, "failed": p.failed, "withdrawn": p.reverted, "retry_later": p.retry_later,
            "archived": self.archived, "deleted": self.deleted, "updated": p.updated,
        }

    def summary(self) -> str:
        if self.standby:
            return f"standing by, nothing written: {self.standby}"
        if self.unchanged:
            return "spreadsheet unchanged since the last cycle (its Drive version) and nothing due: nothing read"
        i, c = self.intake, self.counts()
        head = "DRY RUN (nothing written): " if self.dry_run else ""
        restored = f", restored {c['restored']} (published, back in Review as TERBIT)" if c["restored"] else ""
        text = (
            f"{head}new {c['new']}, queued {c['queued']}{restored}, invalid {c['invalid']}, duplicates {c['duplicates']}"
            f"; published {c['published']}, failed {c['failed']}, withdrawn {c['withdrawn']}, retry later {c['retry_later']}"
            f"; archived {c['archived']}"
        )
        if c["updated"]:
            text += f"; updated {c['updated']}"
        if c["deleted"]:
            text += f"; deleted rows recorded {c['deleted']}"
        if i.revised_ids:  # issue 20: resubmissions that replaced an item sent back for revision
            text += f"; resubmissions {len(i.revised_ids)}"
        if i.skipped:
            text += f"; left out as history {i.skipped}"
        if i.halted:
            text += f"; INTAKE STOPPED: {i.halted}"
        return text


FULL_SCAN_EVERY = timedelta(hours=24)


def full_scan_due(deps: CycleContext) -> bool:
    last = deps.ledger.state.last_full_scan
    if last is None:
        return True
    if deps.ledger.state.fingerprint_scheme != FINGERPRINTS_NOW:
        return True  # the first cycle after the upgrade to issue 17's fingerprints reads every response
    return deps.now() - last >= FULL_SCAN_EVERY


# --- the change signal (issue 13) ---------------------------------------------------------
#
# Drive v3's files resource documents ``version`` as "a monotonically increasing version number
# for the file. This reflects every change made to the file on the server, even those not visible
# to the user" (https://developers.google.com/drive/api/reference/rest/v3/files#File). One
# ``files.get`` per cycle (a few hundred bytes) tells whether any tab changed since the last read;
# when none did and nothing time-based is due, the cycle reads nothing from Sheets. The bridge's
# own writes are added to the version it read (one per write request, as in the sandbox), so they
# do not look like an officer's edit; if Google counts differently, the next cycle just reads once.
# The sheet stays the truth: a real read at least every SAFETY_READ_EVERY whatever the signal says,
# a failed Drive call counts as "changed", and an unfinished cycle leaves nothing to skip on.

SAFETY_READ_EVERY = timedelta(minutes=15)


def _spreadsheet_ids(settings: Settings) -> list[str]:
    s = settings
    return list(dict.fromkeys([s.spreadsheet_id, s.review_spreadsheet_id]))


def _versions(deps: CycleContext) -> dict[str, int] | None:
    """The spreadsheets' Drive versions now (one ``files.get`` each); None when Drive did not answer."""
    try:
        return {sid: deps.drive.file_version(sid).version for sid in _spreadsheet_ids(deps.settings)}
    except AuthError:
        raise
    except BridgeError as exc:
        log.info("change signal unavailable, reading the spreadsheet: %s", exc)
        return None


def _unchanged(deps: CycleContext, changed: bool) -> bool:
    """True when the last real cycle left nothing due before now and no spreadsheet changed since."""
    if changed or deps.dry_run:
        return False
    until = deps.ledger.state.quiet_until
    return until is not None and deps.now() < until and not full_scan_due(deps)


def _changed(ledger: Ledger, versions: dict[str, int] | None) -> bool:
    """False only when every spreadsheet's Drive version is the one the last real cycle left."""
    if versions is None:
        return True
    return ledger.state.sheet_versions != versions


def _quiet_until(deps: CycleContext, report: CycleReport, rows: list[ReviewRow]) -> datetime | None:
    """Up to when an unchanged spreadsheet needs no read after this cycle (None: read next cycle).

    Anything left to do or time-based keeps the next cycle reading: a problem, a temporary failure
    to retry, a stop, a publish whose outcome is unknown; else the earliest of the safety-net read,
    the daily full scan, the next draft check, a scheduled post's time, the next archiving and the
    next day (partnership alerts count days).
    """
    if report.problems or report.publish.retry_later or report.intake.halted or report.notices_due or deps.should_stop():
        return None
    if deps.ledger.journal.entries(INTENT):
        return None
    now = deps.now()
    times = [now + SAFETY_READ_EVERY]
    last_scan = deps.ledger.state.last_full_scan
    times.append(last_scan + FULL_SCAN_EVERY if last_scan else now)
    updates = report.publish.updates
    check = next_check(deps.ledger) or now
    check = check if check > now else now + BLOG_CHECK_EVERY
    paused = paused_until(deps)
    if paused is not None:
        check = max(check, paused)  # no Blogger request before the daily limit's pause ends
    if watching(deps.ledger):
        times.append(check)  # the next look at the blog (issue 17)
    watched = where(rows, DRAFT_WATCH, updates)  # the others are skipped below
    journal = JournalView(deps.ledger, (r.id for r in watched))  # one read for them all (issue 22)
    for row in watched:
        # the status as this cycle left it: a row it just published as a draft is checked like the others
        status = Status.parse(updates.get(row.id, {}).get(ReviewColumn.STATUS, "")) or row.status
        if status not in DRAFT_WATCH:  # what check_drafts looks at
            continue
        entry = journal.get(row.id)
        if entry is None or not entry.post_id:
            continue
        if status == Status.TERBIT and entry.post_status in ON_WEBSITE:
            times.append(check)  # watched from now on
        if entry.post_status == PostState.DRAFT:
            checked = deps.ledger.state.draft_checked
            times.append(checked + DRAFT_CHECK_EVERY if checked else now)
        elif entry.post_status == PostState.SCHEDULED:
            times.append(now + DRAFT_CHECK_EVERY)  # confirmed as it goes live, like a draft
    archive_due = next_archive_due(deps, rows, journal)
    if archive_due is not None:
        times.append(archive_due)
    if deps.settings.notify.digest:  # the officers' digest's time, or an item reaching the wait (issue 19)
        from bridge.cycle.digest import wake_at

        digest_due = wake_at(deps, rows, updates)
        if digest_due is not None:
            times.append(digest_due)
    local = now.astimezone(deps.settings.tz)
    times.append(datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=deps.settings.tz))
    return min(times)


def _remember_versions(deps: CycleContext, versions: dict[str, int] | None, writes_before: dict[str, int], until: datetime | None) -> None:
    """After a real cycle: the versions the spreadsheets have now by the bridge's own count."""
    if versions is None or deps.dry_run:
        return
    after = {sid: v + deps.sheets.writes.get(sid, 0) - writes_before.get(sid, 0) for sid, v in versions.items()}
    with deps.ledger.transaction():
        deps.ledger.state.sheet_versions = after
        deps.ledger.state.quiet_until = until


def _heartbeat(deps: CycleContext, versions: dict[str, int] | None) -> None:
    """A cycle that reads nothing renews the lease when it is near expiry; its own write is
    added to the remembered version, so the next cycle is not taken for an officer's edit."""
    if versions is None or deps.dry_run:
        return
    sid = deps.settings.review_spreadsheet_id
    before = deps.sheets.writes.get(sid, 0)
    try:
        if not lease.renew_if_due(deps):
            return
    except RetriableError as exc:
        log.info("lease heartbeat postponed: %s", exc)
        return
    remembered = deps.ledger.state.sheet_versions
    if remembered is not None and remembered == versions:
        remembered[sid] = remembered.get(sid, 0) + deps.sheets.writes.get(sid, 0) - before
        with deps.ledger.transaction():
            deps.ledger.state.sheet_versions = remembered


def _standing_by(deps: CycleContext, versions: dict[str, int] | None, report: CycleReport) -> bool:
    """`run` waiting for another bridge's lease to expire: nothing to look at while the spreadsheet has
    not changed (the holder has not renewed it) and the lease has not expired. One Drive call."""
    until = deps.ledger.state.standby_until
    if until is None or not deps.standby or versions is None:
        return False
    if deps.now() >= until or deps.ledger.state.standby_versions != versions:
        return False
    report.standby = f"another bridge holds the spreadsheet's lease until {until.isoformat()}"
    return True


def _stand_by(deps: CycleContext, versions: dict[str, int] | None, exc: LeaseHeldError, report: CycleReport) -> None:
    """Remember when the holder's lease expires: until then, and while the spreadsheet does not change,
    the standby's cycles read nothing (:func:`_standing_by`)."""
    report.standby = str(exc)
    if deps.ledger.state.standby_until is not None:
        log.info("still standing by: %s", exc)
    else:
        log.warning("standing by: %s", exc)
    if deps.dry_run:
        return
    with deps.ledger.transaction():
        deps.ledger.state.quiet_until = None  # once it takes over, its first cycle reads whatever the version says
        deps.ledger.state.standby_versions = versions or None
        deps.ledger.state.standby_until = exc.expires or deps.now()


def _read(deps: CycleContext, start_row: int, changed: bool = True) -> Snapshot:
    """The snapshot; when the sheet changed shape since the metadata was cached, look again once."""
    cached = deps.sheets.is_cached(deps.settings.spreadsheet_id)
    try:
        return read_snapshot(deps, start_row, full=start_row == 2, changed=changed)
    except AuthError:
        raise
    except FatalError as exc:
        shrunk = start_row != 2 and "exceeds grid limits" in str(exc)
        if not (cached or shrunk):
            raise
        if shrunk:  # rows were deleted and the tab's grid shrank below the watermark: read it all
            log.warning("responses tab is shorter than the watermark row %d; reading it all", start_row)
            start_row = 2
        else:  # a tab renamed, removed or re-created by `init` while the service ran
            log.info("spreadsheet changed since its layout was cached (%s); reading it again", exc)
        deps.sheets.forget_all()
        return read_snapshot(deps, start_row, full=start_row == 2, changed=changed)


T = TypeVar("T")


def _unforeseen_spared(report: CycleReport, step: str, run: Callable[[], T], otherwise: T) -> T:
    """A step over the whole sheet whose unforeseen failure (a bug, not Google) must not stop the
    cycle: logged once, said in the cycle's problems, and ``otherwise`` used (issue 18)."""
    try:
        return run()
    except BridgeError:
        raise
    except Exception as exc:  # noqa: BLE001
        cause, _ = row_failed(step, "this cycle", exc)
        report.problems.append(f"{step} failed, the rest of the cycle went on: {cause}")
        return otherwise


def _officers_digest(deps: CycleContext, report: CycleReport, rows: list[ReviewRow], snap: Snapshot) -> None:
    """The officers' digest when one is due (issue 19): after everything else, never in its way."""
    if not deps.settings.notify.digest:
        return
    from bridge.cycle.digest import run_digest

    problems = len(report.problems) + len(report.intake.problems) + len(report.publish.problems)
    try:
        result = _unforeseen_spared(report, "officers' digest", lambda: run_digest(
            deps, rows, report.publish.updates, snap.kim, report.alerts, problems, report.intake.queued + report.archived), None)
    except RetriableError as exc:  # the record could not be read or written: next cycle
        report.problems.append(f"officers' digest postponed, will retry next cycle: {exc}")
        log.warning("officers' digest postponed: %s", exc)
        report.notices_due = True
        return
    if result is not None:
        report.problems += result.problems
        report.notices_due = report.notices_due or result.pending


def run_cycle(deps: CycleContext) -> CycleReport:
    """Run one complete cycle. Bad input never raises; only a problem a person must fix does."""
    from bridge.cycle.digest import remember_failure

    try:
        report = _cycle(deps)
    except BridgeError as exc:
        remember_failure(deps, exc)  # for the officers' digest's health section
        raise
    finally:
        give_back_memory()  # `run` does not keep its largest cycle's memory between cycles (issue 22)
    if report.skipped:
        remember_failure(deps, None)
    return report


def _cycle(deps: CycleContext) -> CycleReport:
    report = CycleReport(dry_run=deps.dry_run)
    s = deps.settings
    mark = deps.ledger.state.watermark(s.responses_tab)
    versions = _versions(deps)
    if deps.google_time is not None:
        report.clock_skewed = deps.google_time.warn_if_skewed()  # Drive's answer carried Google's Date
    changed = _changed(deps.ledger, versions)
    if _standing_by(deps, versions, report):
        return report
    if mark and _unchanged(deps, changed):
        report.unchanged = True
        _heartbeat(deps, versions)
        log.debug("cycle done: %s", report.summary())
        return report
    writes_before = dict(deps.sheets.writes)
    if not deps.dry_run and deps.ledger.state.quiet_until is not None:
        with deps.ledger.transaction():  # a cycle that stops half-way leaves the next one reading
            deps.ledger.state.quiet_until = None
    if mark and full_scan_due(deps):
        # Once a day, read the whole tab (a row sorted above an unmoved watermark is still
        # found) and the spreadsheets' metadata afresh (time zone, tabs, grid sizes).
        deps.sheets.forget_all()
    try:
        # One writer per spreadsheet, and a ledger the sheet vouches for (issue 17): before anything
        # reads the ledger, so one that is not trusted is emptied and rebuilt by this cycle's intake.
        guard = lease.check(deps, changed, report.lease)
    except LeaseHeldError as exc:
        if not deps.standby:
            raise
        _stand_by(deps, versions, exc, report)
        return report
    except RetriableError as exc:
        report.problems.append(f"could not read the spreadsheet, will retry next cycle: {exc}")
        report.skipped = True
        log.warning("cycle skipped: %s", exc)
        return report
    mark = deps.ledger.state.watermark(s.responses_tab)  # none after a ledger that was not trusted
    start_row = 2 if not mark or full_scan_due(deps) else mark[0]
    guard.install()
    try:
        return _run_cycle(deps, report, versions, changed, start_row, writes_before)
    except LeaseHeldError as exc:  # taken over while this cycle was publishing (bridge.cycle.lease.Guard)
        if not deps.standby:
            raise
        _stand_by(deps, versions, exc, report)
        return report
    finally:
        guard.uninstall()


def _run_cycle(
    deps: CycleContext, report: CycleReport, versions: dict[str, int] | None, changed: bool, start_row: int,
    writes_before: dict[str, int],
) -> CycleReport:
    try:
        snap = _read(deps, start_row, changed)
    except RetriableError as exc:
        report.problems.append(f"could not read the spreadsheet, will retry next cycle: {exc}")
        report.skipped = True
        log.warning("cycle skipped: %s", exc)
        return report
    report.problems += snap.warnings
    if snap.read_whole:  # Review's pages are freed: intake and the watch start from a trimmed heap (issue 22:
        give_back_memory()  # at 50k rows glibc kept them for reuse, and the daily full scan peaked over 150 MiB)
    try:
        run_intake(deps, snap, report.intake)
    except RetriableError as exc:  # a later page of a full read: intake's transaction rolled back whole
        report.problems.append(f"could not read the whole responses tab, intake will retry next cycle: {exc}")
        log.warning("intake postponed (a page of the responses tab could not be read): %s", exc)
    if snap.responses_page:
        give_back_memory()  # the same after a full read's pages (the daily full scan's peak is the watch after it)
    report.alerts = _unforeseen_spared(report, "partnership alerts", lambda: cycle_alerts(deps, snap), [])
    # Unforeseen failure of the watch: publishing goes on with the rows as read, nothing restored or
    # taken as deleted this cycle (as when Sidik Jari is missing).
    watch = _unforeseen_spared(report, "the Review watch", lambda: run_watch(deps, snap, report.publish, report.intake.queued_ids),
                               WatchPlan(rows=list(snap.review)))
    watch.rows = ReviewRows(watch.rows)  # indexed once by status: the steps below ask for a few statuses each
    held = hold_mass_vanish(deps.settings, snap, watch)  # a layout change is not officers' deletions (issue 17)
    if held:
        report.problems.append(held)
    try:  # before publishing: a deletion is on record as early as possible
        report.deleted = record_deleted(deps, watch.deleted, report.publish.plan)
    except FatalError as exc:
        report.problems.append(f"recording deleted rows: {exc}")
        log.error("recording deleted rows: %s", exc)
    stamp_decisions(deps, watch.rows, snap.review_index, report.publish)  # Diputuskan (WITA), issue 19
    run_publish(deps, watch.rows, report.publish, snap.kim)
    remember_rows(deps.ledger, watch, report.publish.updates)
    note_whole_read(deps, snap)
    try:  # not while Review's rows are out of place: archiving deletes Review rows by number
        report.archived = 0 if held else run_archive(deps, watch.rows, report.publish.updates)
    except FatalError as exc:
        report.problems.append(f"archive: {exc}")
        log.error("archive: %s", exc)
        deps.sheets.forget_all()  # perhaps a tab re-created meanwhile: read the layout again next cycle
    if deps.notifier is not None:  # operator messages (issue 19): after publishing, never in its way
        from bridge.cycle.notify import run_notices

        try:
            notices = run_notices(deps, watch.rows, report.publish.updates, deps.notifier, snap.kim)
            report.problems += notices.problems
            report.notices_due = notices.pending or bool(report.intake.queued)
        except RetriableError as exc:  # the Review tab could not be read or written: next cycle
            report.problems.append(f"operator messages postponed, will retry next cycle: {exc}")
            log.warning("operator messages postponed: %s", exc)
    if deps.settings.notify.coordinator_messages:  # issue 20: the coordinators, at once
        from bridge.cycle.coordinator_notify import run_coordinator_messages

        try:
            report.problems += run_coordinator_messages(deps, watch.rows, report.publish.updates).problems
        except RetriableError as exc:
            report.problems.append(f"coordinator messages postponed, will retry next cycle: {exc}")
    _officers_digest(deps, report, watch.rows, snap)
    report.problems += report.intake.problems + report.publish.problems
    _unforeseen_spared(report, "the Status Bridge tab", lambda: show_health(deps, report, watch.rows), False)  # issue 19
    _remember_versions(deps, versions, writes_before, _quiet_until(deps, report, watch.rows))
    log.info("cycle done: %s", report.summary(), extra={"fields": {"event": "cycle", **report.counts(), "problems": len(report.problems)}})
    return report
