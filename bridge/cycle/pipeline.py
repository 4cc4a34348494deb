"""One cycle: read → intake → publish → archive. The scheduler only calls :func:`run_cycle`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
import json
from datetime import datetime, time, timedelta

from bridge.cycle.alerts import cycle_alerts
from bridge.app import Deps
from bridge.core.registry import Alert
from bridge.adapters.ledger import INTENT
from bridge.cycle.archive import next_archive_due, record_deleted, run_archive
from bridge.core.model import ReviewColumn, ReviewRow, Status
from bridge.exceptions import AuthError, BridgeError, FatalError, RetriableError
from bridge.cycle.intake import FINGERPRINTS, FINGERPRINTS_NOW, IntakeResult, run_intake
from bridge.cycle.publish import DRAFT_CHECK_EVERY, DRAFT_CHECKED, PublishResult, run_publish
from bridge.cycle.review_watch import remember_rows, run_watch
from bridge.cycle.snapshot import Snapshot, note_whole_read, read_snapshot

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

    @property
    def plan(self) -> list[str]:
        return self.intake.plan + self.publish.plan if self.dry_run else []

    def counts(self) -> dict[str, int]:
        """The cycle's counts by name (fields of the JSON log line)."""
        i, p = self.intake, self.publish
        return {
            "new": i.new, "queued": i.queued, "invalid": i.invalid, "duplicates": i.duplicates,
            "published": p.published, "failed": p.failed, "withdrawn": p.reverted, "retry_later": p.retry_later,
            "archived": self.archived, "deleted": self.deleted, "updated": p.updated,
        }

    def summary(self) -> str:
        if self.unchanged:
            return "spreadsheet unchanged since the last cycle (its Drive version) and nothing due: nothing read"
        i, c = self.intake, self.counts()
        head = "DRY RUN (nothing written): " if self.dry_run else ""
        text = (
            f"{head}new {c['new']}, queued {c['queued']}, invalid {c['invalid']}, duplicates {c['duplicates']}"
            f"; published {c['published']}, failed {c['failed']}, withdrawn {c['withdrawn']}, retry later {c['retry_later']}"
            f"; archived {c['archived']}"
        )
        if c["updated"]:
            text += f"; updated {c['updated']}"
        if c["deleted"]:
            text += f"; deleted rows recorded {c['deleted']}"
        if i.skipped:
            text += f"; left out as history {i.skipped}"
        if i.halted:
            text += f"; INTAKE STOPPED: {i.halted}"
        return text


FULL_SCAN_EVERY = timedelta(hours=24)
LAST_FULL_SCAN = "last_full_scan"


def full_scan_due(deps: Deps) -> bool:
    last = deps.ledger.get_meta(LAST_FULL_SCAN)
    if not last:
        return True
    if deps.ledger.get_meta(FINGERPRINTS) != FINGERPRINTS_NOW:
        return True  # the first cycle after the upgrade to issue 17's fingerprints reads every response
    try:
        return deps.now() - datetime.fromisoformat(last) >= FULL_SCAN_EVERY
    except ValueError:
        return True


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

SHEET_VERSIONS = "sheet_versions"  # JSON {spreadsheet id: Drive version after the last real cycle}
QUIET_UNTIL = "quiet_until"  # ISO time up to which an unchanged spreadsheet needs no read ("" = read)
SAFETY_READ_EVERY = timedelta(minutes=15)


def _spreadsheet_ids(deps: Deps) -> list[str]:
    s = deps.settings
    return list(dict.fromkeys([s.spreadsheet_id, s.review_spreadsheet_id]))


def _versions(deps: Deps) -> dict[str, int] | None:
    """The spreadsheets' Drive versions now (one ``files.get`` each); None when Drive did not answer."""
    try:
        return {sid: deps.drive.file_version(sid).version for sid in _spreadsheet_ids(deps)}
    except AuthError:
        raise
    except BridgeError as exc:
        log.info("change signal unavailable, reading the spreadsheet: %s", exc)
        return None


def _unchanged(deps: Deps, changed: bool) -> bool:
    """True when the last real cycle left nothing due before now and no spreadsheet changed since."""
    if changed or deps.dry_run:
        return False
    try:
        until = datetime.fromisoformat(deps.ledger.get_meta(QUIET_UNTIL))
    except ValueError:
        return False
    return deps.now() < until and not full_scan_due(deps)


def _changed(deps: Deps, versions: dict[str, int] | None) -> bool:
    """False only when every spreadsheet's Drive version is the one the last real cycle left."""
    if versions is None:
        return True
    try:
        return json.loads(deps.ledger.get_meta(SHEET_VERSIONS) or "{}") != versions
    except ValueError:
        return True


def _parse_meta_time(deps: Deps, key: str) -> datetime | None:
    try:
        return datetime.fromisoformat(deps.ledger.get_meta(key))
    except ValueError:
        return None


def _quiet_until(deps: Deps, report: CycleReport, rows: list[ReviewRow]) -> datetime | None:
    """Up to when an unchanged spreadsheet needs no read after this cycle (None: read next cycle).

    Anything left to do or time-based keeps the next cycle reading: a problem, a temporary failure
    to retry, a stop, a publish whose outcome is unknown; else the earliest of the safety-net read,
    the daily full scan, the next draft check, a scheduled post's time, the next archiving and the
    next day (partnership alerts count days).
    """
    if report.problems or report.publish.retry_later or report.intake.halted or deps.should_stop():
        return None
    if deps.ledger.journal_entries(INTENT):
        return None
    now = deps.now()
    times = [now + SAFETY_READ_EVERY]
    last_scan = _parse_meta_time(deps, LAST_FULL_SCAN)
    times.append(last_scan + FULL_SCAN_EVERY if last_scan else now)
    updates = report.publish.updates
    for row in rows:
        # the status as this cycle left it: a row it just published as a draft is checked like the others
        status = Status.parse(updates.get(row.id, {}).get(ReviewColumn.STATUS, "")) or row.status
        if status not in (Status.TERBIT, Status.DITOLAK):  # what check_drafts looks at
            continue
        entry = deps.ledger.journal(row.id)
        if entry is None or not entry.post_id:
            continue
        if entry.post_status == "DRAFT":
            checked = _parse_meta_time(deps, DRAFT_CHECKED)
            times.append(checked + DRAFT_CHECK_EVERY if checked else now)
        elif entry.post_status == "SCHEDULED":
            times.append(now + DRAFT_CHECK_EVERY)  # confirmed as it goes live, like a draft
    archive_due = next_archive_due(deps, rows)
    if archive_due is not None:
        times.append(archive_due)
    local = now.astimezone(deps.settings.tz)
    times.append(datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=deps.settings.tz))
    return min(times)


def _remember_versions(deps: Deps, versions: dict[str, int] | None, writes_before: dict[str, int], until: datetime | None) -> None:
    """After a real cycle: the versions the spreadsheets have now by the bridge's own count."""
    if versions is None or deps.dry_run:
        return
    after = {sid: v + deps.sheets.writes.get(sid, 0) - writes_before.get(sid, 0) for sid, v in versions.items()}
    with deps.ledger.transaction():
        deps.ledger.set_meta(SHEET_VERSIONS, json.dumps(after, sort_keys=True))
        deps.ledger.set_meta(QUIET_UNTIL, until.isoformat() if until is not None else "")


def _read(deps: Deps, start_row: int, changed: bool = True) -> Snapshot:
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


def run_cycle(deps: Deps) -> CycleReport:
    """Run one complete cycle. Bad input never raises; only a problem a person must fix does."""
    report = CycleReport(dry_run=deps.dry_run)
    s = deps.settings
    mark = deps.ledger.watermark(s.responses_tab)
    versions = _versions(deps)
    changed = _changed(deps, versions)
    if mark and _unchanged(deps, changed):
        report.unchanged = True
        log.debug("cycle done: %s", report.summary())
        return report
    writes_before = dict(deps.sheets.writes)
    if not deps.dry_run and deps.ledger.get_meta(QUIET_UNTIL):
        with deps.ledger.transaction():  # a cycle that stops half-way leaves the next one reading
            deps.ledger.set_meta(QUIET_UNTIL, "")
    start_row = mark[0] if mark else 2
    if mark and full_scan_due(deps):
        # Once a day, read the whole tab (a row sorted above an unmoved watermark is still
        # found) and the spreadsheets' metadata afresh (time zone, tabs, grid sizes).
        start_row = 2
        deps.sheets.forget_all()
    try:
        snap = _read(deps, start_row, changed)
    except RetriableError as exc:
        report.problems.append(f"could not read the spreadsheet, will retry next cycle: {exc}")
        report.skipped = True
        log.warning("cycle skipped: %s", exc)
        return report
    try:
        run_intake(deps, snap, report.intake)
    except RetriableError as exc:  # a later page of a full read: intake's transaction rolled back whole
        report.problems.append(f"could not read the whole responses tab, intake will retry next cycle: {exc}")
        log.warning("intake postponed (a page of the responses tab could not be read): %s", exc)
    report.alerts = cycle_alerts(deps, snap)
    watch = run_watch(deps, snap, report.publish, report.intake.queued_ids)
    try:  # before publishing: a deletion is on record as early as possible
        report.deleted = record_deleted(deps, watch.deleted, report.publish.plan)
    except FatalError as exc:
        report.problems.append(f"recording deleted rows: {exc}")
        log.error("recording deleted rows: %s", exc)
    run_publish(deps, watch.rows, report.publish)
    remember_rows(deps, watch, report.publish.updates)
    note_whole_read(deps, snap)
    try:
        report.archived = run_archive(deps, watch.rows, report.publish.updates)
    except FatalError as exc:
        report.problems.append(f"archive: {exc}")
        log.error("archive: %s", exc)
        deps.sheets.forget_all()  # perhaps a tab re-created meanwhile: read the layout again next cycle
    report.problems += report.intake.problems + report.publish.problems
    _remember_versions(deps, versions, writes_before, _quiet_until(deps, report, watch.rows))
    log.info("cycle done: %s", report.summary(), extra={"fields": {"event": "cycle", **report.counts(), "problems": len(report.problems)}})
    return report
