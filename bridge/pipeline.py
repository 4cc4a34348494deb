"""One cycle: read → intake → publish → archive. The scheduler only calls :func:`run_cycle`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bridge.alerts import cycle_alerts
from bridge.app import Deps
from bridge.core.registry import Alert
from bridge.archive import record_deleted, run_archive
from bridge.exceptions import AuthError, FatalError, RetriableError
from bridge.intake import IntakeResult, run_intake
from bridge.publish import PublishResult, run_publish
from bridge.review_watch import remember_rows, run_watch
from bridge.snapshot import Snapshot, read_snapshot

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
    try:
        return deps.now() - datetime.fromisoformat(last) >= FULL_SCAN_EVERY
    except ValueError:
        return True


def _read(deps: Deps, start_row: int) -> Snapshot:
    """The snapshot; when the sheet changed shape since the metadata was cached, look again once."""
    cached = deps.sheets.is_cached(deps.settings.spreadsheet_id)
    try:
        return read_snapshot(deps, start_row)
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
        return read_snapshot(deps, start_row)


def run_cycle(deps: Deps) -> CycleReport:
    """Run one complete cycle. Bad input never raises; only a problem a person must fix does."""
    report = CycleReport(dry_run=deps.dry_run)
    s = deps.settings
    mark = deps.ledger.watermark(s.responses_tab)
    start_row = mark[0] if mark else 2
    if mark and full_scan_due(deps):
        # Once a day, read the whole tab (a row sorted above an unmoved watermark is still
        # found) and the spreadsheets' metadata afresh (time zone, tabs, grid sizes).
        start_row = 2
        deps.sheets.forget_all()
    try:
        snap = _read(deps, start_row)
    except RetriableError as exc:
        report.problems.append(f"could not read the spreadsheet, will retry next cycle: {exc}")
        report.skipped = True
        log.warning("cycle skipped: %s", exc)
        return report
    run_intake(deps, snap, report.intake)
    report.alerts = cycle_alerts(deps, snap)
    watch = run_watch(deps, snap, report.publish, report.intake.queued_ids)
    try:  # before publishing: a deletion is on record as early as possible
        report.deleted = record_deleted(deps, watch.deleted, report.publish.plan)
    except FatalError as exc:
        report.problems.append(f"recording deleted rows: {exc}")
        log.error("recording deleted rows: %s", exc)
    run_publish(deps, watch.rows, report.publish)
    remember_rows(deps, watch, report.publish.updates)
    try:
        report.archived = run_archive(deps, watch.rows, report.publish.updates)
    except FatalError as exc:
        report.problems.append(f"archive: {exc}")
        log.error("archive: %s", exc)
        deps.sheets.forget_all()  # perhaps a tab re-created meanwhile: read the layout again next cycle
    report.problems += report.intake.problems + report.publish.problems
    log.info("cycle done: %s", report.summary(), extra={"fields": {"event": "cycle", **report.counts(), "problems": len(report.problems)}})
    return report
