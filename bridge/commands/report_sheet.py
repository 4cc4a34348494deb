"""The Laporan tab's layout for printing on A4 (landscape) from Google Sheets: kop, title, period
and date made, the tables, the chart, and the signature block.

Pure request-building: returns the ``spreadsheets.batchUpdate`` requests (replace the tab,
column widths, merges, formats, borders, the chart) and the cells to write RAW.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from bridge.config import Settings
from bridge.core.period import long_date
from bridge.core.report import Report, Table
from bridge.core.report_print import TITLE, kop_lines

COLUMNS = 13  # the widest table: Ringkasan per KIM
#: Pixel widths; together about the printable width of A4 landscape.
WIDTHS = (105, 150, 150, 70, 70, 70, 70, 70, 70, 80, 80, 80, 95)
CHART_ROWS = 20
GREY = {"red": 0.9, "green": 0.9, "blue": 0.9}


def sheet_id_for(title: str, old: int | None) -> int:
    """A stable id for the tab (never the id of the tab it replaces in the same request)."""
    new = 1_000_000 + zlib.crc32(title.encode("utf-8")) % 1_000_000_000
    return new + 1 if new == old else new


def layout(report: Report, title: str, old_sheet_id: int | None, made: datetime, s: Settings) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The batchUpdate requests and the cell values for the report's tab."""
    rows: list[list[Any]] = []
    sid = sheet_id_for(title, old_sheet_id)
    merged: list[int] = []  # rows merged across the page width
    bold: list[int] = []
    centered: list[int] = []
    italic: list[int] = []
    headers: list[int] = []
    boxes: list[tuple[int, int, int]] = []  # (first row, end row, columns) of each table's grid
    chart_at: tuple[int, Table] | None = None

    def line(text: str = "", *, merge: bool = True) -> int:
        rows.append([text])
        if merge:
            merged.append(len(rows) - 1)
        return len(rows) - 1

    for n, text in enumerate(kop_lines(s)):
        r = line(text)
        if n < 2:  # PEMERINTAH KABUPATEN and the dinas; the address and contact lines stay plain
            bold.append(r)
        centered.append(r)
    kop_end = len(rows)
    line()
    for text in (TITLE + (" (SEMENTARA)" if report.provisional else ""), f"Periode: {report.period.label} ({report.period.start.strftime('%d/%m/%Y')} s.d. "
                 f"{report.period.end.strftime('%d/%m/%Y')})", f"Dibuat: {long_date(made.date())} pukul "
                 f"{made.strftime('%H.%M')} WITA"):
        r = line(text)
        centered.append(r)
        if text.startswith(TITLE):
            bold.append(r)
    if s.report_drive_folder_id:  # where officers download the PDF to sign and the workbook
        centered.append(line(f"PDF untuk dicetak dan Excel: https://drive.google.com/drive/folders/{s.report_drive_folder_id}"))
    line()

    tables: list[Table] = []
    for t in report.tables:
        tables.append(t)
        if t.csv == "outtakes-komentar" and report.views is not None:
            tables.append(report.views)
    for number, table in enumerate(tables, start=1):
        bold.append(line(f"{number}. {table.title}"))
        first = len(rows)
        rows.append(list(table.header))
        headers.append(first)
        if table.rows:
            rows.extend(list(r) for r in table.rows)
        else:
            line("(tidak ada data dalam periode ini)")
        boxes.append((first, len(rows), len(table.header)))
        for note in table.notes:
            italic.append(line(note))
        if table is report.chart:
            chart_at = (len(rows), table)
            rows.extend([[""] for _ in range(CHART_ROWS)])
        line()

    # Signature block, on the right of the page
    sign_col = 7
    sign_rows = [f"{s.place}, {long_date(made.date())}", "Mengetahui,", s.signer_title, "", "", "",
                 s.signer_name or "(.................................................)",
                 s.letterhead.signer_rank or "........................................",
                 f"NIP. {s.signer_nip}" if s.signer_nip else "NIP. ......................................"]
    sign_start = len(rows)
    for text in sign_rows:
        rows.append([""] * sign_col + [text])
    width = COLUMNS
    values = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]

    def rng(r0: int, r1: int, c0: int = 0, c1: int = width) -> dict[str, Any]:
        return {"sheetId": sid, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}

    def fmt(r0: int, r1: int, fields: str, f: dict[str, Any], c0: int = 0, c1: int = width) -> dict[str, Any]:
        return {"repeatCell": {"range": rng(r0, r1, c0, c1), "cell": {"userEnteredFormat": f}, "fields": f"userEnteredFormat({fields})"}}

    requests: list[dict[str, Any]] = []
    if old_sheet_id is not None:
        requests.append({"deleteSheet": {"sheetId": old_sheet_id}})
    requests.append({"addSheet": {"properties": {"sheetId": sid, "title": title,
                                                 "gridProperties": {"rowCount": len(values) + 5, "columnCount": width}}}})
    requests.append({"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sid}, "warningOnly": True,
        "description": "MY MEIN: laporan ini dibuat ulang oleh sistem setiap kali laporan dijalankan; perubahan di sini akan hilang.",
    }}})
    for c, px in enumerate(WIDTHS[:width]):
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": c, "endIndex": c + 1},
            "properties": {"pixelSize": px}, "fields": "pixelSize"}})
    requests.append(fmt(0, len(values), "wrapStrategy,verticalAlignment", {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}))
    for r in merged:
        requests.append({"mergeCells": {"range": rng(r, r + 1), "mergeType": "MERGE_ALL"}})
    for r in range(sign_start, sign_start + len(sign_rows)):
        requests.append({"mergeCells": {"range": rng(r, r + 1, sign_col, width), "mergeType": "MERGE_ALL"}})
    for r in bold:
        requests.append(fmt(r, r + 1, "textFormat", {"textFormat": {"bold": True, "fontSize": 13 if r < kop_end else 11}}))
    for r in centered:
        requests.append(fmt(r, r + 1, "horizontalAlignment", {"horizontalAlignment": "CENTER"}))
    for r in italic:
        requests.append(fmt(r, r + 1, "textFormat", {"textFormat": {"italic": True, "fontSize": 9}}))
    for r, c in ((sign_start + 6, sign_col),):
        requests.append(fmt(r, r + 1, "textFormat", {"textFormat": {"bold": True, "underline": bool(s.signer_name)}}, c, width))
    requests.append({"updateBorders": {"range": rng(kop_end - 1, kop_end), "bottom": {"style": "DOUBLE"}}})  # the kop's double rule
    for first, end, ncols in boxes:
        # A table narrower than the page gives its last column the rest of the width (links, reasons).
        if ncols < width:
            for r in range(first, end):
                if r in merged:  # "(tidak ada data ...)" already spans the page
                    continue
                requests.append({"mergeCells": {"range": rng(r, r + 1, ncols - 1, width), "mergeType": "MERGE_ALL"}})
        requests.append(fmt(first, first + 1, "textFormat,backgroundColor", {"textFormat": {"bold": True}, "backgroundColor": GREY}))
        solid = {"style": "SOLID"}
        requests.append({"updateBorders": {"range": rng(first, end), "top": solid, "bottom": solid, "left": solid,
                                           "right": solid, "innerHorizontal": solid, "innerVertical": solid}})
    if chart_at is not None:
        at, table = chart_at
        header_row = next(first for first, end, _ in boxes if end == at)
        requests.append(_chart(sid, header_row, at, table, at))
    return requests, values


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
