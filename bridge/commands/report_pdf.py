"""The report as a PDF an officer prints, signs and hands in: A4 landscape, the kop as Indonesian
government letters have it (logo, PEMERINTAH KABUPATEN, the dinas, address line, double rule),
each table with its own column widths and its header row repeated on every page, rows never
split, "Halaman X dari Y", the chart of the Laporan tab, and the signature block.

Laid out with reportlab's platypus (pure Python wheel, no system packages).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Polygon, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bridge.adapters.files import write_in_place
from bridge.config import Settings
from bridge.core.report import Report
from bridge.core.report import Table as ReportTable
from bridge.core.report_print import (
    TITLE,
    document_tables,
    is_number_column,
    kop_lines,
    signature_columns,
    title_lines,
    weights,
)

log = logging.getLogger("bridge.report")

PAGE = landscape(A4)
MARGIN = 1.5 * cm
WIDTH = PAGE[0] - 2 * MARGIN
FONT, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
GREY = colors.Color(0.88, 0.88, 0.88)
#: Series colours of the chart (one per kecamatan), distinguishable in print and in grey.
SERIES = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#bf9000", "#a50021", "#3a3838", "#00b0f0")
CHART_HEIGHT = 190


#: reportlab's alignments (TA_LEFT, TA_CENTER, TA_RIGHT, TA_JUSTIFY).
Align = Literal[0, 1, 2, 4]


def _style(name: str, size: float = 8, font: str = FONT, align: Align = TA_LEFT, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.2, alignment=align)


CELL = _style("cell")
CELL_RIGHT = _style("cell-right", align=TA_RIGHT)
HEAD = _style("head", font=BOLD, align=TA_CENTER)
NOTE = _style("note", size=8, font=ITALIC)
HEADING = _style("heading", size=10, font=BOLD, leading=13)
TITLE_STYLE = _style("title", size=12, font=BOLD, align=TA_CENTER, leading=15)
CENTER = _style("center", size=10, align=TA_CENTER, leading=13)
SIGN = _style("sign", size=10, align=TA_CENTER, leading=13)
SIGN_NAME = _style("sign-name", size=10, font=BOLD, align=TA_CENTER, leading=13)


def _text(value: Any) -> str:
    """Cell text as Paragraph markup: escaped, and only characters the standard fonts can draw."""
    text = escape(str(value))
    return text.encode("cp1252", errors="replace").decode("cp1252")


class _NumberedCanvas(Canvas):
    """Writes "Halaman X dari Y" once the page count is known (pages are kept until save)."""

    def __init__(self, *args: Any, footer: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._footer = footer

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        # reportlab's own reset for a new page, as its NumberedCanvas recipe calls it; private, so not in the stubs
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(colors.black)
            self.drawString(MARGIN, MARGIN / 2, _text(self._footer).replace("&amp;", "&"))
            self.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, f"Halaman {self.getPageNumber()} dari {total}")
            super().showPage()
        super().save()


class _DoubleRule(Flowable):
    """The kop's double rule: a thick line over a thin one."""

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._width = aw
        return aw, 6

    def draw(self) -> None:
        self.canv.setLineWidth(2.2)
        self.canv.line(0, 5, self._width, 5)
        self.canv.setLineWidth(0.7)
        self.canv.line(0, 1, self._width, 1)


def _placeholder_logo(size: float) -> Drawing:
    """A neutral shield outline where the kabupaten's logo goes, until [report] logo names a file."""
    d = Drawing(size, size)
    w = size * 0.8
    x0 = (size - w) / 2
    d.add(Polygon([x0, size, x0 + w, size, x0 + w, size * 0.4, size / 2, 0, x0, size * 0.4],
                  strokeColor=colors.grey, fillColor=None, strokeWidth=1))
    d.add(String(size / 2, size * 0.55, "LOGO", fontName=FONT, fontSize=7, fillColor=colors.grey, textAnchor="middle"))
    return d


def _kop(s: Settings) -> list[Flowable]:
    size = 2.1 * cm
    logo: Flowable
    path = s.letterhead.logo
    if path is not None and Path(path).is_file():
        logo = Image(str(path), width=size, height=size, kind="proportional")
    else:
        if path is not None:
            log.warning("[report] logo %s is not a file: the kop shows a placeholder", path)
        logo = _placeholder_logo(size)
    lines = kop_lines(s)
    styles = [_style("kop1", 14, BOLD, TA_CENTER, 17), _style("kop2", 15, BOLD, TA_CENTER, 18)] + \
        [_style("kop3", 9, FONT, TA_CENTER, 11)] * (len(lines) - 2)
    text = [Paragraph(_text(line), st) for line, st in zip(lines, styles, strict=True)]
    kop = Table([[logo, text, ""]], colWidths=[size + 0.4 * cm, WIDTH - 2 * (size + 0.4 * cm), size + 0.4 * cm])
    kop.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (0, 0), "CENTER"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [kop, Spacer(1, 3), _DoubleRule(), Spacer(1, 8)]


def _widths(table: ReportTable) -> list[float]:
    w = weights(table)
    scale = WIDTH * min(1.0, sum(w) / 100) / sum(w)  # a table of few narrow columns stays narrow
    return [x * scale for x in w]


#: Cell paddings (points), the same in every grid, so a row's height can be measured before its table is built.
PAD_TOP, PAD_BOTTOM, PAD_SIDE = 2, 3, 3
#: A table longer than this is laid out a page at a time (:class:`_PagedGrid`), never all at once.
PAGED_ROWS = 40
#: Rows that go with a long table's heading, so a heading never ends a page alone.
LEAD_ROWS = 3


def _grid_style(rows: int, empty: bool) -> TableStyle:
    style: list[tuple[Any, ...]] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BACKGROUND", (0, 0), (-1, 0), GREY),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), PAD_TOP), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_BOTTOM),
             ("LEFTPADDING", (0, 0), (-1, -1), PAD_SIDE), ("RIGHTPADDING", (0, 0), (-1, -1), PAD_SIDE)]
    if empty:
        style.append(("SPAN", (0, 1), (-1, 1)))
    return TableStyle(style)


class _Cells:
    """Builds a table's header and body cells as Paragraphs, one row at a time."""

    def __init__(self, table: ReportTable) -> None:
        self.table = table
        self.widths = _widths(table)
        self.numeric = [is_number_column(table, c) for c in range(len(table.header))]

    def header(self) -> list[Any]:
        return [Paragraph(_text(h), HEAD) for h in self.table.header]

    def row(self, n: int) -> list[Any]:
        return [Paragraph(_text(v), CELL_RIGHT if self.numeric[c] else CELL) for c, v in enumerate(self.table.rows[n])]

    def height(self, cells: list[Any]) -> float:
        return max(p.wrap(w - 2 * PAD_SIDE, 10_000)[1] for p, w in zip(cells, self.widths, strict=True)) + PAD_TOP + PAD_BOTTOM

    def grid(self, first: int, end: int) -> Table:
        head = self.header()
        body = [self.row(n) for n in range(first, end)]
        empty = not self.table.rows
        if empty:
            body = [[Paragraph("(tidak ada data dalam periode ini)", NOTE)] + [""] * (len(self.table.header) - 1)]
        # repeatRows: the header on every page; splitInRow=0 (reportlab's default): a row is never cut in two.
        grid = Table([head, *body], colWidths=self.widths, repeatRows=1, hAlign="LEFT", splitInRow=0)
        grid.setStyle(_grid_style(len(body), empty))
        return grid


def _grid(table: ReportTable) -> Table:
    return _Cells(table).grid(0, len(table.rows))


class _PagedGrid(Flowable):
    """Rows ``first``.. of a long table, laid out one page at a time: each page gets a grid with the
    header row and the whole rows that fit; the rest stays as data until the next page. Memory then
    follows one page of cells, not the whole table (a month of 10,000 news items). ``lead`` (the
    table's heading) goes on the first page, with at least :data:`LEAD_ROWS` rows."""

    def __init__(self, cells: _Cells, first: int = 0, lead: Sequence[Flowable] = ()) -> None:
        super().__init__()
        self.cells, self.first, self.lead = cells, first, list(lead)
        self._fit: Table | None = None

    def _fitting(self, aw: float, ah: float) -> int:
        used = sum(f.wrap(aw, ah)[1] for f in self.lead) + self.cells.height(self.cells.header())
        n = self.first
        while n < len(self.cells.table.rows):
            used += self.cells.height(self.cells.row(n))
            if used > ah - 2:
                break
            n += 1
        return n

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._fit = None
        return aw, ah + 1  # never drawn whole: the frame asks for split(), which gives real grids

    def split(self, aw: float, ah: float) -> list[Flowable]:
        end = self._fitting(aw, ah)
        rows = len(self.cells.table.rows)
        least = min(LEAD_ROWS, rows - self.first) if self.lead else 1
        if end - self.first < least:
            if ah < PAGE[1] / 2:
                return []  # too little room here: the next page
            end = max(end, self.first + 1)  # a row taller than half a page goes alone rather than never
        parts: list[Flowable] = [*self.lead, self.cells.grid(self.first, end)]
        if end < rows:
            parts.append(_PagedGrid(self.cells, end))
        return parts

    def draw(self) -> None:  # pragma: no cover - wrap() always asks for a split
        raise AssertionError("a paged grid is split, never drawn")


def _chart(table: ReportTable) -> Drawing:
    """Published news per month, stacked by kecamatan (the Laporan tab's chart)."""
    names = list(table.header[1:-1])
    d = Drawing(WIDTH, CHART_HEIGHT)
    chart = VerticalBarChart()
    # A bar no wider than about 2 cm: one month must not fill the page with one block.
    chart.x, chart.y, chart.height = 40, 30, CHART_HEIGHT - 55
    # reportlab takes any number here (its validator is isNumber); the stubs say int
    chart.width = min(WIDTH - 230, max(160, 90 * len(table.rows)))  # type: ignore[assignment]
    data = [[int(row[1 + k]) for row in table.rows] for k in range(len(names))]
    chart.data = data or [[0]]
    chart.categoryAxis.categoryNames = [str(row[0]) for row in table.rows] or [""]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max((int(row[-1]) for row in table.rows), default=0)
    chart.valueAxis.valueMax = max(5, top + 1)
    chart.valueAxis.valueStep = max(1, (top + 5) // 5)
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    for k in range(len(names)):
        chart.bars[k].fillColor = colors.HexColor(SERIES[k % len(SERIES)])
        chart.bars[k].strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 30, CHART_HEIGHT - 20
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 12  # one column, beside the chart
    legend.colorNamePairs = [(colors.HexColor(SERIES[k % len(SERIES)]), name) for k, name in enumerate(names)]
    d.add(legend)
    d.add(String(chart.x, CHART_HEIGHT - 12, "Berita terbit per kecamatan per bulan", fontName=BOLD, fontSize=9))
    return d


def _signature(s: Settings, made: datetime) -> Table:
    """One row per line, so the two columns' names, ranks and NIPs stand side by side."""
    columns = signature_columns(s, made.date())

    def cell(kind: str, text: str) -> Any:
        if kind == "space":
            return ""
        return Paragraph(f"<u>{_text(text)}</u>" if kind == "name" else _text(text), SIGN_NAME if kind == "name" else SIGN)

    col_w = WIDTH * 0.38
    lines = list(zip(*columns, strict=True))  # both columns have the same lines (signature_columns)
    if len(columns) == 1:
        data = [["", cell(*line[0])] for line in lines]
        widths = [WIDTH - col_w, col_w]
    else:
        data = [[cell(*line[0]), "", cell(*line[1])] for line in lines]
        widths = [col_w, WIDTH - 2 * col_w, col_w]
    grid = Table(data, colWidths=widths, rowHeights=[56 if line[0][0] == "space" else None for line in lines])
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 0),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return grid


def build_pdf(report: Report, made: datetime, s: Settings, path: Path, *, provisional: bool = False) -> Path:
    """Write the report's PDF to ``path`` (A4 landscape) and return it."""
    story: list[Flowable] = [*_kop(s)]
    for n, line in enumerate(title_lines(report, made, provisional)):
        story.append(Paragraph(_text(line), TITLE_STYLE if n == 0 else CENTER))
    story.append(Spacer(1, 10))
    tables = document_tables(report)
    for number, table in enumerate(tables, start=1):
        heading = Paragraph(_text(f"{number}. {table.title}"), HEADING)
        notes = [Paragraph(_text(note), NOTE) for note in table.notes]
        chart = [Spacer(1, 6), _chart(table)] if table is report.chart and table.rows else []
        if len(table.rows) > PAGED_ROWS:
            # A long table: the heading with its first rows, then page after page, header repeated.
            story += [_PagedGrid(_Cells(table), 0, [heading, Spacer(1, 3)]), *notes, *chart]
            if number == len(tables):
                story.append(KeepTogether([Spacer(1, 14), _signature(s, made)]))
            else:
                story.append(Spacer(1, 12))
            continue
        block: list[Flowable] = [heading, Spacer(1, 3), _grid(table), *notes, *chart]
        if number == len(tables):
            # The last table, its chart and the signature stay on one page: never a signature alone.
            story.append(KeepTogether([*block, Spacer(1, 14), _signature(s, made)]))
        else:
            # A table that fits a page starts on a fresh page rather than break.
            story += [KeepTogether(block), Spacer(1, 12)]
    footer = f"Laporan Monitoring dan Evaluasi Kemitraan Komunikasi dengan KIM - {report.period.label}"
    buf = io.BytesIO()  # written below without following a link planted at the name
    doc = SimpleDocTemplate(buf, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=f"{TITLE} {report.period.label}", author=s.letterhead.dinas,
                            creator="mymein-bridge", invariant=1)
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, **k))
    write_in_place(path, buf.getvalue())
    return path


__all__ = ["build_pdf"]
