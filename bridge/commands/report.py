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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bridge.adapters.blogger import BloggerStats
from bridge.adapters.files import write_in_place
from bridge.adapters.sheets import a1_tab
from bridge.app import Deps
from bridge.commands.report_read import SheetData, read_sheet
from bridge.commands.report_sheet import layout
from bridge.config import Settings
from bridge.core.inert import inert_cell
from bridge.core.period import Period, has_ended
from bridge.core.registry import Alert, RegistryProblem, check_registry, partnership_alerts
from bridge.core.report import PageViews, Report, Rules, build_report
from bridge.core.report_print import CSV_DIALECTS, csv_cell
from bridge.exceptions import AuthError, BridgeError

log = logging.getLogger("bridge.report")


def tab_title(period: Period) -> str:
    return f"Laporan {period.key}"


def alerts_as_of(deps: Deps, data: SheetData, day: date) -> list[Alert]:
    s = deps.settings
    return partnership_alerts(data.registry, data.last_accepted, day, sk_warning_days=s.sk_warning_days,
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
    uploaded: list[str] = field(default_factory=list)  # links to the PDF and the workbook in Drive


def compute(deps: Deps, period: Period) -> tuple[Report, list[Alert]]:
    """Read everything and compute the report (no writes)."""
    data = read_sheet(deps, period)
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
    report.provisional = not has_ended(period, today)
    return report, alerts


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]], dialect: str = "standard") -> str:
    """The table as CSV text in ``dialect`` (see :data:`bridge.core.report_print.CSV_DIALECTS`): RFC 4180
    quoting, "\\n" line ends, every cell that a spreadsheet could start a formula in made inert."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=CSV_DIALECTS[dialect][0], lineterminator="\n")
    writer.writerow(header)
    writer.writerows([inert_cell(csv_cell(c, dialect)) for c in row] for row in rows)
    return buf.getvalue()


def write_csv(report: Report, out_dir: Path, dialect: str = "standard") -> list[Path]:
    """One file per table; page views (which change by the hour) in their own file. No time of making.

    UTF-8 with a byte order mark, so Excel shows accented letters and dashes right instead of guessing a
    code page; a symbolic link planted at a file's name is refused, not written through. ``dialect``:
    "standard" (``,`` and 12.5) for programs, "excel-id" (``;`` and 12,5) for Excel set to Indonesian.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for table in [*report.tables, *([report.views] if report.views else [])]:
        path = out_dir / f"{table.csv}.csv"
        write_in_place(path, csv_text(table.header, table.rows, dialect).encode("utf-8-sig"))
        files.append(path)
    return files


def pdf_name(period: Period) -> str:
    return f"laporan-{period.key}.pdf"


def xlsx_name(period: Period) -> str:
    return f"laporan-{period.key}.xlsx"


def write_files(report: Report, out_dir: Path, made: datetime, s: Settings) -> list[Path]:
    """The PDF to print and sign, the Excel workbook, and one CSV per table, in ``out_dir``."""
    from bridge.commands.report_pdf import build_pdf
    from bridge.commands.report_xlsx import build_xlsx

    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = build_pdf(report, made, s, out_dir / pdf_name(report.period), provisional=report.provisional)
    xlsx = build_xlsx(report, made, s, out_dir / xlsx_name(report.period), provisional=report.provisional)
    return [pdf, xlsx, *write_csv(report, out_dir, s.csv_dialect)]


def write_report(deps: Deps, period: Period, out_dir: Path | None = None) -> ReportResult:
    """Compute the report for ``period``, replace its tab whole, and write the PDF, the workbook and
    the CSV files to ``out_dir``."""
    s = deps.settings
    report, alerts = compute(deps, period)
    title = tab_title(period)
    info = deps.sheets.info(s.review_spreadsheet_id)
    old = info.tabs.get(title)
    requests, values = layout(report, title, old.sheet_id if old else None, deps.now(), s)
    deps.sheets.batch_update(s.review_spreadsheet_id, requests)
    deps.sheets.update_ranges(s.review_spreadsheet_id, [(f"{a1_tab(title)}!A1", values)])
    files = write_files(report, out_dir, deps.now(), s) if out_dir is not None else []
    log.info("report %s written to tab '%s'%s", period.key, title, f" and {len(files)} files in {out_dir}" if files else "")
    uploaded = upload_forms(deps, report, files) if s.report_drive_folder_id else []
    return ReportResult(report, title, files, alerts, uploaded)


def drive_file_link(file_id: str) -> str:
    return f"https://drive.google.com/file/d/{file_id}/view"


def drive_folder_link(folder_id: str) -> str:
    return f"https://drive.google.com/drive/folders/{folder_id}"


MIME = {".pdf": "application/pdf", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: appProperty naming the report file a Drive file holds, so a rerun replaces it (found again without the ledger).
DRIVE_KEY = "mymein_report"


def upload_forms(deps: Deps, report: Report, files: list[Path]) -> list[str]:
    """Put the PDF and the workbook in ``[report] drive_folder_id``, replacing the period's earlier
    ones (found by their appProperty); made in a temporary folder when there is no --out."""
    import tempfile

    s = deps.settings
    folder = s.report_drive_folder_id
    with tempfile.TemporaryDirectory(prefix="mymein-laporan-") as tmp:
        forms = [p for p in files if p.suffix in MIME]
        if not forms:
            from bridge.commands.report_pdf import build_pdf
            from bridge.commands.report_xlsx import build_xlsx

            made = deps.now()
            forms = [build_pdf(report, made, s, Path(tmp) / pdf_name(report.period), provisional=report.provisional),
                     build_xlsx(report, made, s, Path(tmp) / xlsx_name(report.period), provisional=report.provisional)]
        links = []
        for path in forms:
            old = deps.drive.find_own(DRIVE_KEY, path.name)
            new = deps.drive.upload_to_folder(name=path.name, mime_type=MIME[path.suffix], content=path.read_bytes(),
                                              folder_id=folder, app_properties={DRIVE_KEY: path.name})
            if old is not None:
                deps.drive.delete_own(old[0], folder)  # after the new one is there: never a moment without it
            links.append(drive_file_link(new))
    log.info("report %s: PDF and workbook in Drive folder %s", report.period.key, folder)
    return links


__all__ = ["ReportResult", "drive_file_link", "drive_folder_link", "upload_forms", "alerts_as_of", "compute", "maybe_monthly_report", "read_sheet", "registry_problems", "pdf_name", "tab_title", "write_csv", "write_files", "xlsx_name",
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
    out_dir = s.monthly_out_dir / period.key if s.monthly_out_dir else None
    try:
        result = write_report(deps, period, out_dir)
    except AuthError:
        raise  # the service reconnects with a renewed token, as after a cycle
    except BridgeError as exc:
        log.warning("monthly report %s not written, will try again next cycle: %s", period.key, exc)
        return None
    except OSError as exc:  # the tab is written (the files come last); do not rewrite it every cycle
        if out_dir is not None:
            log.error("monthly report %s: tab written, but not the report files in %s (%s); they are not tried again: "
                      "fix the folder, then run: mymein-bridge report -c %s --period %s --out %s", period.key,
                      s.monthly_out_dir, exc.strerror or exc, s.source, period.key, out_dir)
        else:  # no folder of our own: the PDF and workbook for Drive are made in a temporary folder
            log.error("monthly report %s: tab written, but not the PDF and workbook for Drive (%s); they are not tried "
                      "again: fix the temporary folder (TMPDIR), then run: mymein-bridge report -c %s --period %s",
                      period.key, exc.strerror or exc, s.source, period.key)
        deps.ledger.set_meta(MONTHLY_DONE, period.key)
        return None
    deps.ledger.set_meta(MONTHLY_DONE, period.key)
    return result
