"""What the printed forms of the report (PDF, Excel workbook) share, pure: the kop's lines, the
title lines, the tables in print order, each table's column widths, which columns hold numbers,
the signature block's lines, and the typed value of each cell."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from bridge.core.period import long_date
from bridge.core.report import Cell, Report, Table
from bridge.core.waiting import NOT_RECORDED

if TYPE_CHECKING:
    from bridge.config import Settings

TITLE = "LAPORAN MONITORING DAN EVALUASI KEMITRAAN KOMUNIKASI DENGAN KIM"

#: The Laporan tab's column widths in pixels (together about the printable width of A4 landscape): set by
#: :mod:`bridge.commands.report_sheet`, shown by the sandbox's preview of the tab.
SHEET_WIDTHS = (105, 150, 150, 70, 70, 70, 70, 70, 70, 80, 80, 80, 95)

#: Relative column widths per table (by its CSV name): "No" narrow, names and titles wide, so headers
#: break between words and never inside one. Sums above 100 fill the page width; below, a narrower table.
WEIGHTS: dict[str, tuple[float, ...]] = {
    "tabel-5-2-diseminasi": (4, 15, 28, 8, 8, 11, 26),
    "ringkasan-kecamatan": (12, 7, 6, 8, 7, 6, 7, 10, 10, 10, 10, 20),
    "ringkasan-kim": (10, 14, 6, 5, 7, 6, 6, 6, 8, 8, 8, 8, 17),
    "outtakes-komentar": (4, 17, 40, 9, 30),
    "outtakes-tayangan": (22, 12),
    "tindak-lanjut": (22, 16, 62),
    "peringkat-penghargaan": (10, 26, 18, 9, 12, 11, 9),
    "tabel-3-3-pemetaan": (15, 12, 8, 7, 9, 9, 20, 20),
}


def weights(table: Table) -> tuple[float, ...]:
    """Relative widths of the table's columns (a table not listed: by its longest text, bounded)."""
    known = WEIGHTS.get(table.csv)
    if known is not None and len(known) == len(table.header):
        return known
    if table.csv == "terbit-per-bulan":  # Bulan, one column per kecamatan, Jumlah
        return (9, *[max(8.0, 82 / max(1, len(table.header) - 2))] * (len(table.header) - 2), 8)
    out = []
    for c, head in enumerate(table.header):
        longest = max([len(head.split()[0]) if head.split() else 1, *(len(str(r[c])) for r in table.rows if c < len(r))])
        out.append(float(min(40, max(5, longest))))
    total = sum(out)
    return tuple(x * 100 / total for x in out)


_DECIMAL = re.compile(r"-?\d+,\d+")
_PERCENT = re.compile(r"\d+%")
_WHEN = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def typed(value: Cell) -> tuple[Literal["int", "decimal", "percent", "datetime", "text"], int | float | datetime | str]:
    """The value a spreadsheet cell should hold: numbers as numbers ("12,5" is 12.5, "67%" is 0.67),
    times as datetimes, everything else as text (never a formula)."""
    if isinstance(value, int):
        return "int", value
    if _DECIMAL.fullmatch(value):
        return "decimal", float(value.replace(",", "."))
    if _PERCENT.fullmatch(value):
        return "percent", int(value[:-1]) / 100
    if _WHEN.fullmatch(value):
        return "datetime", datetime.strptime(value, "%d/%m/%Y %H:%M")
    return "text", value


#: CSV dialects: the field separator, and whether a decimal is written with a dot (for programs) or
#: kept with the Indonesian comma (Excel set to Indonesian splits a double-clicked CSV on ";" and reads
#: "12,5" as a number; with "," as separator it puts each whole line in column A).
CSV_DIALECTS: dict[str, tuple[str, bool]] = {"standard": (",", True), "excel-id": (";", False)}


def csv_cell(value: Cell, dialect: str) -> Cell:
    """A report cell as the CSV dialect writes it: "12,5" becomes "12.5" in the standard dialect."""
    if CSV_DIALECTS[dialect][1] and isinstance(value, str) and _DECIMAL.fullmatch(value):
        return value.replace(",", ".")
    return value


def is_number_column(table: Table, column: int) -> bool:
    """Every filled cell of the column is a number (then it is right-aligned)."""
    kinds = {typed(r[column])[0] for r in table.rows if column < len(r) and r[column] not in ("", "-", NOT_RECORDED)}
    return bool(kinds) and kinds <= {"int", "decimal", "percent"}


def document_tables(report: Report) -> list[Table]:
    """The tables in the order the Laporan tab shows them (page views after the comments)."""
    out: list[Table] = []
    for t in report.tables:
        out.append(t)
        if t.csv == "outtakes-komentar" and report.views is not None:
            out.append(report.views)
    return out


def kop_lines(s: Settings) -> list[str]:
    """PEMERINTAH KABUPATEN ..., the dinas, then the address line and the contact line when given."""
    k = s.letterhead
    lines = [f"PEMERINTAH KABUPATEN {k.kabupaten.upper()}", k.dinas.upper()]
    if k.address:
        lines.append(k.address)
    contact = [f"{label} {v}" for label, v in (("Telepon", k.telephone), ("Pos-el", k.email), ("Laman", k.website)) if v]
    if contact:
        lines.append("  |  ".join(contact))
    return lines


def title_lines(report: Report, made: datetime, provisional: bool = False) -> list[str]:
    """Title (marked SEMENTARA for a period that has not ended), period, and when it was made."""
    p = report.period
    return [TITLE + (" (SEMENTARA)" if provisional else ""),
            f"Periode: {p.label} ({p.start.strftime('%d/%m/%Y')} s.d. {p.end.strftime('%d/%m/%Y')})",
            f"Dibuat: {long_date(made.date())} pukul {made.strftime('%H.%M')} WITA"]


SignLine = tuple[Literal["text", "space", "name"], str]
BLANK_NAME = "(.................................................)"
BLANK_NIP = "NIP. ......................................"


def signature_columns(s: Settings, day: date) -> list[list[SignLine]]:
    """The signature block: one column (Mengetahui, the signer) or, with [report] preparer_title, two
    (Mengetahui on the left, Yang membuat with place and date on the right, as Indonesian reports have it).
    Both columns have the same lines in the same order, so names, ranks and NIPs print side by side."""
    k = s.letterhead
    place_date = f"{s.place}, {long_date(day)}"
    signer: list[SignLine] = [("text", "Mengetahui,"), ("text", s.signer_title), ("space", ""),
                              ("name", s.signer_name or BLANK_NAME),
                              ("text", k.signer_rank or "........................................"),
                              ("text", f"NIP. {s.signer_nip}" if s.signer_nip else BLANK_NIP)]
    if not k.preparer_title:
        return [[("text", place_date), *signer]]
    preparer: list[SignLine] = [("text", place_date), ("text", "Yang membuat,"), ("text", k.preparer_title), ("space", ""),
                                ("name", k.preparer_name or BLANK_NAME), ("text", k.preparer_rank),
                                ("text", f"NIP. {k.preparer_nip}" if k.preparer_nip else BLANK_NIP)]
    return [[("text", ""), *signer], preparer]


__all__ = ["SHEET_WIDTHS", "TITLE", "WEIGHTS", "document_tables", "is_number_column", "kop_lines", "signature_columns", "title_lines",
           "typed", "weights"]
