"""The report as an Excel workbook: a cover sheet with the kop text, then one sheet per table.

Cells are typed (numbers as numbers, times as dates, text as text, so no submitted title can
become a formula), columns have widths, the header row is frozen, and each sheet prints on A4
landscape, fitted to the page width, with its header row repeated on every page.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bridge.adapters.files import write_in_place
from bridge.config import Settings
from bridge.core.report import Report
from bridge.core.report import Table as ReportTable
from bridge.core.report_print import (
    document_tables,
    kop_lines,
    signature_columns,
    title_lines,
    typed,
    weights,
)

FORMATS = {"int": "0", "decimal": "0.0", "percent": "0%", "datetime": "dd/mm/yyyy hh:mm", "text": "@"}
#: Excel's sheet names: at most 31 characters, none of []:*?/\
SHEET_NAME_MAX = 31
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E0E0E0")


def _print_setup(ws: Worksheet, header_row: int | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    fit = ws.sheet_properties.pageSetUpPr
    if fit is None:  # openpyxl gives every new sheet one; its type allows none
        fit = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    fit.fitToPage = True
    ws.print_options.horizontalCentered = True
    footer = ws.oddFooter
    assert footer is not None and footer.right is not None, "openpyxl gives every sheet a footer of three parts"
    footer.right.text = "Halaman &P dari &N"
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"


#: Short sheet names (the tab strip is narrow); the full title is in the sheet's first row.
SHEET_NAMES = {"tabel-5-2-diseminasi": "Tabel 5.2", "ringkasan-kecamatan": "Ringkasan kecamatan",
               "ringkasan-kim": "Ringkasan KIM", "outtakes-komentar": "Komentar", "outtakes-tayangan": "Tayangan",
               "tindak-lanjut": "Tindak lanjut", "peringkat-penghargaan": "Peringkat", "tabel-3-3-pemetaan": "Tabel 3.3",
               "terbit-per-bulan": "Terbit per bulan"}


def _sheet_name(number: int, table: ReportTable) -> str:
    name = f"{number}. {SHEET_NAMES.get(table.csv, table.title)}"
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:SHEET_NAME_MAX].rstrip()


def _table_sheet(ws: Worksheet, table: ReportTable) -> None:
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([])
    head = 3
    for c, text in enumerate(table.header, start=1):
        cell = ws.cell(row=head, column=c, value=text)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(table.rows, start=head + 1):
        for c, value in enumerate(row, start=1):
            kind, typed_value = typed(value)
            cell = ws.cell(row=r, column=c, value=typed_value)
            if kind == "text":
                cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)" from a submitter
            cell.number_format = FORMATS[kind]
            cell.border = BOX
            cell.alignment = Alignment(vertical="top", wrap_text=kind == "text")
    end = head + len(table.rows)
    for n, note in enumerate(table.notes, start=end + 2):
        cell = ws.cell(row=n, column=1, value=note)
        cell.data_type = "s"
        cell.font = Font(italic=True, size=9)
    # Widths in characters: the page's ~150 characters shared as the PDF shares its width.
    w = weights(table)
    scale = 150 * min(1.0, sum(w) / 100) / sum(w)
    for c, x in enumerate(w, start=1):
        ws.column_dimensions[get_column_letter(c)].width = round(max(6.0, x * scale), 1)
    ws.freeze_panes = f"A{head + 1}"  # everything above the first data row stays in view
    _print_setup(ws, head)


def _cover(ws: Worksheet, report: Report, made: datetime, s: Settings, provisional: bool, names: list[str]) -> None:
    ws.title = "Sampul"
    lines = [*kop_lines(s), "", *title_lines(report, made, provisional), "", "Isi buku kerja:", *names, ""]
    for col in signature_columns(s, made.date()):
        lines += [text for kind, text in col if kind != "space" and text] + [""]
    for n, text in enumerate(lines, start=1):
        cell = ws.cell(row=n, column=1, value=text)
        cell.data_type = "s"
        if n <= 2:
            cell.font = Font(bold=True, size=13)
        elif text.startswith(title_lines(report, made, provisional)[0][:20]):
            cell.font = Font(bold=True, size=12)
    ws.column_dimensions["A"].width = 110
    _print_setup(ws, None)


def build_xlsx(report: Report, made: datetime, s: Settings, path: Path, *, provisional: bool = False) -> Path:
    """Write the report's workbook to ``path`` and return it."""
    wb = Workbook()
    tables = document_tables(report)
    names = [_sheet_name(n, t) for n, t in enumerate(tables, start=1)]
    cover = wb.active
    assert isinstance(cover, Worksheet), "a new workbook starts with one worksheet"
    _cover(cover, report, made, s, provisional, names)
    for name, table in zip(names, tables, strict=True):
        _table_sheet(wb.create_sheet(name), table)
    wb.properties.creator = "mymein-bridge"
    wb.properties.title = title_lines(report, made, provisional)[0]
    # Fixed times, so the same report gives the same file (openpyxl stamps "now" otherwise).
    utc = made.astimezone(UTC).replace(tzinfo=None) if made.tzinfo else made
    wb.properties.created = wb.properties.modified = utc
    buf = io.BytesIO()
    wb.save(buf)
    write_in_place(path, _stable_zip(buf.getvalue(), made, utc))  # a link planted at the name is refused
    return path


def _stable_zip(data: bytes, made: datetime, utc: datetime) -> bytes:
    """The same workbook with every member stamped ``made``: the same report gives the same bytes
    (zipfile stamps each member with the current time)."""
    out = io.BytesIO()
    stamp = (made.year, made.month, made.day, made.hour, made.minute, made.second - made.second % 2)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + utc.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), data)
            dst.writestr(member, data)
    return out.getvalue()


__all__ = ["build_xlsx"]
