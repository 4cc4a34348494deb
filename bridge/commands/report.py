"""`report`: read the sheet and the blog, compute the Juknis tables, write the ``Laporan <period>``
tab and the CSV files.

Sheets requests, whatever the number of rows: one ``spreadsheets.get``, one ``values.batchGet``
(Review, Arsip and KIM), one ``spreadsheets.batchUpdate`` (replace the tab, its layout and the
chart) and one ``values.batchUpdate`` (the cells, RAW). Blogger: the live posts' comment counts
(one ``posts.list`` per 500 posts) and one ``pageViews.get``.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from bridge.adapters.blogger import BloggerStats
from bridge.adapters.sheets import a1_tab
from bridge.app import Deps
from bridge.commands.report_sheet import layout
from bridge.core import columns
from bridge.core.model import KimRecord, ReviewColumn, Status
from bridge.core.period import Period
from bridge.core.registry import Alert, RegistryProblem, check_registry, partnership_alerts
from bridge.core.report import Item, PageViews, Report, Rules, build_report, dedupe, last_accepted
from bridge.exceptions import AuthError, BridgeError, FatalError

log = logging.getLogger("bridge.report")


def tab_title(period: Period) -> str:
    return f"Laporan {period.key}"


@dataclass(frozen=True)
class SheetData:
    """What the report reads from the spreadsheet, in one call."""

    items: list[Item]
    registry: list[KimRecord]
    #: Rows that could not be read, left out of the counts: "<tab> baris <n> (<cause>)", for the report's notes.
    unreadable: tuple[str, ...] = ()


def _unreadable(tab: str, n: int, exc: Exception, skipped: list[str] | None) -> None:
    """A row the report cannot read: logged once, named in the report's notes, left out of the counts."""
    from bridge.cycle.isolate import row_failed

    cause, _ = row_failed("the report", f"{tab} row {n}", exc)
    if skipped is not None:
        skipped.append(f"{tab} baris {n} ({cause})")


def _items(values: list[list[Any]], deps: Deps, tab: str = "Review", skipped: list[str] | None = None) -> list[Item]:
    if not values:
        return []
    index, _ = columns.review_header_index([str(h) for h in values[0]])
    tz = deps.settings.tz

    def cell(row: list[Any], column: ReviewColumn) -> Any:
        i = index.get(column)
        return row[i] if i is not None and i < len(row) else ""

    def text(row: list[Any], column: ReviewColumn) -> str:
        return columns.cell_text(cell(row, column)).strip()

    out = []
    for n, row in enumerate(values[1:], start=2):
        try:
            if any(str(c).strip() for c in row):
                out.append(_item(row, cell, text, tz))
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the report (issue 18)
            _unreadable(tab, n, exc, skipped)
    return out


def _item(row: list[Any], cell: Any, text: Any, tz: Any) -> Item:
    return Item(
            id=text(row, ReviewColumn.ID),
            received=columns.parse_datetime_cell(cell(row, ReviewColumn.RECEIVED), tz),
            kecamatan=text(row, ReviewColumn.KECAMATAN),
            kim=text(row, ReviewColumn.KIM),
            title=" ".join(text(row, ReviewColumn.TITLE).split()),
            status=Status.parse(text(row, ReviewColumn.STATUS)),
            system_note=text(row, ReviewColumn.SYSTEM_NOTE),
            officer_note=text(row, ReviewColumn.OFFICER_NOTE),
            has_photo=bool(text(row, ReviewColumn.PHOTOS)),
            post_url=text(row, ReviewColumn.POST_URL),
            published=columns.parse_datetime_cell(cell(row, ReviewColumn.PUBLISHED), tz),
        )


def registry_records(values: list[list[Any]], deps: Deps, skipped: list[str] | None = None) -> list[KimRecord]:
    """The KIM tab's rows as records (a row that cannot be read is skipped with a log line)."""
    if not values:
        return []
    index, _ = columns.kim_header_index([str(h) for h in values[0]])
    out = []
    for n, row in enumerate(values[1:], start=2):
        try:
            out.append(columns.row_to_kim(row, n, index, deps.settings.tz))
        except Exception as exc:  # noqa: BLE001 - one bad registry row must not stop the report
            _unreadable(deps.settings.registry_tab, n, exc, skipped)
    return out


def read_sheet(deps: Deps) -> SheetData:
    """Review, Arsip and KIM in one ``values.batchGet`` (a tab that does not exist is left out)."""
    from bridge.cycle.tabs import follow_names

    info = deps.sheets.info(deps.settings.review_spreadsheet_id, refresh=True)
    follow_names(deps, info)  # a tab officers renamed is found by its identity (issue 17)
    s = deps.settings
    tabs = [t for t in (s.review_tab, s.archive_tab, s.registry_tab) if t in info.tabs]
    if s.review_tab not in info.tabs:
        raise FatalError(f"tab '{s.review_tab}' not found: run `mymein-bridge init -c CONFIG` first")
    values = dict(zip(tabs, deps.sheets.batch_get(s.review_spreadsheet_id, [a1_tab(t) for t in tabs])))
    skipped: list[str] = []
    items = dedupe(_items(values.get(s.review_tab, []), deps, s.review_tab, skipped),
                   _items(values.get(s.archive_tab, []), deps, s.archive_tab, skipped))
    return SheetData(items, registry_records(values.get(s.registry_tab, []), deps, skipped), tuple(skipped))


def alerts_as_of(deps: Deps, data: SheetData, day: date) -> list[Alert]:
    s = deps.settings
    return partnership_alerts(data.registry, last_accepted(data.items), day, sk_warning_days=s.sk_warning_days,
                              quiet_days=s.quiet_days)


def registry_problems(deps: Deps, data: SheetData) -> list[RegistryProblem]:
    return check_registry(data.registry, deps.wilayah)


def rules(deps: Deps) -> Rules:
    s = deps.settings
    return Rules(s.interest_percent, s.power_min, s.influence_min, s.weight_published, s.weight_approval, s.weight_comments)


@dataclass
class ReportResult:
    report: Report
    tab: str
    files: list[Path]
    alerts: list[Alert]


def compute(deps: Deps, period: Period) -> tuple[Report, list[Alert]]:
    """Read everything and compute the report (no writes)."""
    data = read_sheet(deps)
    today = deps.now().date()
    alerts = alerts_as_of(deps, data, min(today, period.end))
    stats = BloggerStats(deps.blogger)
    comments = stats.comments_by_url()
    views: PageViews | None
    try:
        counts = stats.page_views()
        views = PageViews(counts.get("SEVEN_DAYS", 0), counts.get("THIRTY_DAYS", 0), counts.get("ALL_TIME", 0))
    except BridgeError as exc:  # e.g. an author who is not the blog's admin: the rest of the report still stands
        log.warning("page views not available from Blogger: %s", exc)
        views = None
    report = build_report(period, data.items, data.registry, alerts, comments, views, deps.wilayah.kecamatan_names,
                          rules(deps))
    if data.unreadable and report.tables:  # said where the report is read, not only in the log
        first = report.tables[0]
        note = (f"Tidak dihitung karena barisnya tidak terbaca (periksa isinya): {'; '.join(data.unreadable)}.")
        report.tables[0] = replace(first, notes=(*first.notes, note))
        if report.chart is first:
            report.chart = report.tables[0]
    return report, alerts


def _inert(cell: Any) -> Any:
    """Text that Excel would run as a formula (=, +, @, or - followed by more) gets a leading
    apostrophe: a submitted title such as ``=HYPERLINK(...)`` stays text when the CSV is opened."""
    if isinstance(cell, str) and (cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and len(cell) > 1)):
        return "'" + cell
    return cell


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_inert(c) for c in row] for row in rows)
    return buf.getvalue()


def write_csv(report: Report, out_dir: Path) -> list[Path]:
    """One file per table; page views (which change by the hour) in their own file. No time of making."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for table in [*report.tables, *([report.views] if report.views else [])]:
        path = out_dir / f"{table.csv}.csv"
        path.write_text(csv_text(table.header, table.rows), encoding="utf-8")
        files.append(path)
    return files


def write_report(deps: Deps, period: Period, out_dir: Path | None = None) -> ReportResult:
    """Compute the report for ``period``, replace its tab whole, and write the CSV files to ``out_dir``."""
    s = deps.settings
    report, alerts = compute(deps, period)
    title = tab_title(period)
    info = deps.sheets.info(s.review_spreadsheet_id)
    old = info.tabs.get(title)
    requests, values = layout(report, title, old.sheet_id if old else None, deps.now(), s)
    deps.sheets.batch_update(s.review_spreadsheet_id, requests)
    deps.sheets.update_ranges(s.review_spreadsheet_id, [(f"{a1_tab(title)}!A1", values)])
    files = write_csv(report, out_dir) if out_dir is not None else []
    log.info("report %s written to tab '%s'%s", period.key, title, f" and {len(files)} CSV files in {out_dir}" if files else "")
    return ReportResult(report, title, files, alerts)


__all__ = ["ReportResult", "alerts_as_of", "compute", "maybe_monthly_report", "read_sheet", "registry_problems", "tab_title", "write_csv",
           "write_report"]


MONTHLY_DONE = "monthly_report_written"


def maybe_monthly_report(deps: Deps) -> ReportResult | None:
    """With ``[report] monthly``: write the previous month's report once it is due (the 1st at
    ``monthly_hour``, or the first cycle after). Called by `run` after a cycle, never at the same
    time as one. A failure is logged and tried again next cycle."""
    from bridge.core.period import monthly_report_due

    s = deps.settings
    if not s.monthly or deps.dry_run:
        return None
    period = monthly_report_due(deps.now(), s.monthly_hour, deps.ledger.get_meta(MONTHLY_DONE))
    if period is None:
        return None
    try:
        result = write_report(deps, period, s.monthly_out_dir / period.key if s.monthly_out_dir else None)
    except AuthError:
        raise  # the service reconnects with a renewed token, as after a cycle
    except BridgeError as exc:
        log.warning("monthly report %s not written, will try again next cycle: %s", period.key, exc)
        return None
    except OSError as exc:  # the tab is written (CSV files come last); do not rewrite it every cycle
        log.error("monthly report %s: tab written, but not the CSV files in %s (%s); they are not tried again: "
                  "fix the folder, then run: mymein-bridge report -c %s --period %s --out %s", period.key,
                  s.monthly_out_dir, exc.strerror or exc, s.source, period.key, s.monthly_out_dir / period.key)
        deps.ledger.set_meta(MONTHLY_DONE, period.key)
        return None
    deps.ledger.set_meta(MONTHLY_DONE, period.key)
    return result
