"""The Laporan tab's layout for printing on A4 (landscape) from Google Sheets: kop, title, period
and date made, the tables, the chart, and the signature block.

Pure request-building: returns the ``spreadsheets.batchUpdate`` requests (replace the tab,
column widths, merges, formats, borders, the chart) and the cells to write RAW.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge.config import Settings
from bridge.core.period import long_date
from bridge.core.report import Report, Table
from bridge.core.report_print import SHEET_WIDTHS, TITLE, kop_lines

COLUMNS = 13  # the widest table: Ringkasan per KIM
CHART_ROWS = 20
GREY = {"red": 0.9, "green": 0.9, "blue": 0.9}


def sheet_id_for(title: str, old: int | None) -> int:
    """A stable id for the tab (never the id of the tab it replaces in the same request)."""
    new = 1_000_000 + zlib.crc32(title.encode("utf-8")) % 1_000_000_000
    return new + 1 if new == old else new


@dataclass
class _Page:
    """The tab's rows as they are laid out, and which rows get which format."""

    rows: list[list[Any]] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)  # rows merged across the page width
    bold: list[int] = field(default_factory=list)
    centered: list[int] = field(default_factory=list)
    italic: list[int] = field(default_factory=list)
    boxes: list[tuple[int, int, int]] = field(default_factory=list)  # (first row, end row, columns) of each table's grid
    chart_at: tuple[int, Table] | None = None
    kop_end: int = 0
    sign_start: int = 0
    sign_end: int = 0

    def line(self, text: str = "", *, merge: bool = True) -> int:
        self.rows.append([text])
        if merge:
            self.merged.append(len(self.rows) - 1)
        return len(self.rows) - 1


#: The signature block's column: it sits on the right of the page.
SIGN_COL = 7


def layout(report: Report, title: str, old_sheet_id: int | None, made: datetime, s: Settings) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The batchUpdate requests and the cell values for the report's tab."""
    sid = sheet_id_for(title, old_sheet_id)
    page = _Page()
    _heading(page, report, made, s)
    _tables(page, report)
    _signature(page, made, s)
    width = COLUMNS
    values = [r + [""] * (width - len(r)) if len(r) < width else r for r in page.rows]
    requests: list[dict[str, Any]] = []
    if old_sheet_id is not None:
        requests.append({"deleteSheet": {"sheetId": old_sheet_id}})
    requests.append({"addSheet": {"properties": {"sheetId": sid, "title": title,
                                                 "gridProperties": {"rowCount": len(values) + 5, "columnCount": width}}}})
    requests.append({"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sid}, "warningOnly": True,
        "description": "MY MEIN: laporan ini dibuat ulang oleh sistem setiap kali laporan dijalankan; perubahan di sini akan hilang.",
    }}})
    for c, px in enumerate(SHEET_WIDTHS[:width]):
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": c, "endIndex": c + 1},
            "properties": {"pixelSize": px}, "fields": "pixelSize"}})
    requests.append(_fmt(sid, 0, len(values), "wrapStrategy,verticalAlignment", {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}))
    requests += _text_formats(sid, page, bool(s.signer_name))
    requests += _table_formats(sid, page)
    if page.chart_at is not None:
        at, table = page.chart_at
        header_row = next(first for first, end, _ in page.boxes if end == at)
        requests.append(_chart(sid, header_row, at, table, at))
    return requests, values


def _heading(page: _Page, report: Report, made: datetime, s: Settings) -> None:
    """The kop, then the title, the period, when it was made, and where the printable files are."""
    for n, text in enumerate(kop_lines(s)):
        r = page.line(text)
        if n < 2:  # PEMERINTAH KABUPATEN and the dinas; the address and contact lines stay plain
            page.bold.append(r)
        page.centered.append(r)
    page.kop_end = len(page.rows)
    page.line()
    for text in (TITLE + (" (SEMENTARA)" if report.provisional else ""), f"Periode: {report.period.label} ({report.period.start.strftime('%d/%m/%Y')} s.d. "
                 f"{report.period.end.strftime('%d/%m/%Y')})", f"Dibuat: {long_date(made.date())} pukul "
                 f"{made.strftime('%H.%M')} WITA"):
        r = page.line(text)
        page.centered.append(r)
        if text.startswith(TITLE):
            page.bold.append(r)
    if s.report_drive_folder_id:  # where officers download the PDF to sign and the workbook
        page.centered.append(page.line(f"PDF untuk dicetak dan Excel: https://drive.google.com/drive/folders/{s.report_drive_folder_id}"))
    page.line()


def _tables(page: _Page, report: Report) -> None:
    """Each table, numbered, with its notes (and the chart's rows below its table)."""
    tables: list[Table] = []
    for t in report.tables:
        tables.append(t)
        if t.csv == "outtakes-komentar" and report.views is not None:
            tables.append(report.views)
    for number, table in enumerate(tables, start=1):
        page.bold.append(page.line(f"{number}. {table.title}"))
        first = len(page.rows)
        page.rows.append(list(table.header))
        if table.rows:
            page.rows.extend(list(r) for r in table.rows)
        else:
            page.line("(tidak ada data dalam periode ini)")
        page.boxes.append((first, len(page.rows), len(table.header)))
        for note in table.notes:
            page.italic.append(page.line(note))
        if table is report.chart:
            page.chart_at = (len(page.rows), table)
            page.rows.extend([[""] for _ in range(CHART_ROWS)])
        page.line()


def _signature(page: _Page, made: datetime, s: Settings) -> None:
    """The signature block, on the right of the page."""
    sign_rows = [f"{s.place}, {long_date(made.date())}", "Mengetahui,", s.signer_title, "", "", "",
                 s.signer_name or "(.................................................)",
                 s.letterhead.signer_rank or "........................................",
                 f"NIP. {s.signer_nip}" if s.signer_nip else "NIP. ......................................"]
    page.sign_start = len(page.rows)
    for text in sign_rows:
        page.rows.append([""] * SIGN_COL + [text])
    page.sign_end = len(page.rows)


def _rng(sid: int, r0: int, r1: int, c0: int = 0, c1: int = COLUMNS) -> dict[str, Any]:
    return {"sheetId": sid, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}


def _fmt(sid: int, r0: int, r1: int, fields: str, f: dict[str, Any], c0: int = 0, c1: int = COLUMNS) -> dict[str, Any]:
    return {"repeatCell": {"range": _rng(sid, r0, r1, c0, c1), "cell": {"userEnteredFormat": f}, "fields": f"userEnteredFormat({fields})"}}


def _text_formats(sid: int, page: _Page, signer_named: bool) -> list[dict[str, Any]]:
    """Merged lines, bold, centred and italic text, the signer's name and the kop's double rule."""
    requests: list[dict[str, Any]] = []
    for r in page.merged:
        requests.append({"mergeCells": {"range": _rng(sid, r, r + 1), "mergeType": "MERGE_ALL"}})
    for r in range(page.sign_start, page.sign_end):
        requests.append({"mergeCells": {"range": _rng(sid, r, r + 1, SIGN_COL, COLUMNS), "mergeType": "MERGE_ALL"}})
    for r in page.bold:
        requests.append(_fmt(sid, r, r + 1, "textFormat", {"textFormat": {"bold": True, "fontSize": 13 if r < page.kop_end else 11}}))
    for r in page.centered:
        requests.append(_fmt(sid, r, r + 1, "horizontalAlignment", {"horizontalAlignment": "CENTER"}))
    for r in page.italic:
        requests.append(_fmt(sid, r, r + 1, "textFormat", {"textFormat": {"italic": True, "fontSize": 9}}))
    name_row = page.sign_start + 6
    requests.append(_fmt(sid, name_row, name_row + 1, "textFormat", {"textFormat": {"bold": True, "underline": signer_named}},
                         SIGN_COL, COLUMNS))
    requests.append({"updateBorders": {"range": _rng(sid, page.kop_end - 1, page.kop_end), "bottom": {"style": "DOUBLE"}}})
    return requests


def _table_formats(sid: int, page: _Page) -> list[dict[str, Any]]:
    """Each table's grey header row and its grid."""
    requests: list[dict[str, Any]] = []
    for first, end, ncols in page.boxes:
        # A table narrower than the page gives its last column the rest of the width (links, reasons).
        if ncols < COLUMNS:
            for r in range(first, end):
                if r in page.merged:  # "(tidak ada data ...)" already spans the page
                    continue
                requests.append({"mergeCells": {"range": _rng(sid, r, r + 1, ncols - 1, COLUMNS), "mergeType": "MERGE_ALL"}})
        requests.append(_fmt(sid, first, first + 1, "textFormat,backgroundColor", {"textFormat": {"bold": True}, "backgroundColor": GREY}))
        solid = {"style": "SOLID"}
        requests.append({"updateBorders": {"range": _rng(sid, first, end), "top": solid, "bottom": solid, "left": solid,
                                           "right": solid, "innerHorizontal": solid, "innerVertical": solid}})
    return requests


def _chart(sid: int, header_row: int, end_row: int, table: Table, anchor_row: int) -> dict[str, Any]:
    """A stacked column chart: published news per month, one series per kecamatan."""

    def col(c: int) -> dict[str, Any]:
        return {"sourceRange": {"sources": [{"sheetId": sid, "startRowIndex": header_row, "endRowIndex": end_row,
                                             "startColumnIndex": c, "endColumnIndex": c + 1}]}}

    kecamatan = len(table.header) - 2  # between Bulan and Jumlah
    return {"addChart": {"chart": {
        "spec": {
            "title": "Berita terbit per kecamatan per bulan",
            "basicChart": {
                "chartType": "COLUMN",
                "stackedType": "STACKED",
                "legendPosition": "RIGHT_LEGEND",
                "headerCount": 1,
                "axis": [{"position": "BOTTOM_AXIS", "title": "Bulan"}, {"position": "LEFT_AXIS", "title": "Berita terbit"}],
                "domains": [{"domain": col(0)}],
                "series": [{"series": col(c), "targetAxis": "LEFT_AXIS"} for c in range(1, 1 + kecamatan)],
            },
        },
        "position": {"overlayPosition": {"anchorCell": {"sheetId": sid, "rowIndex": anchor_row, "columnIndex": 0},
                                         "widthPixels": 900, "heightPixels": 20 * CHART_ROWS}},
    }}}


__all__ = ["layout", "sheet_id_for"]
