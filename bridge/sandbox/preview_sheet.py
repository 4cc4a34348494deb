"""The preview's spreadsheet side: each tab as an HTML table, so a newcomer sees in a browser what
officers see in Google Sheets (values only; Sheets' own formatting is not modelled).

A ``Laporan`` tab is drawn as it prints: the kop and titles across the page, each table's
header row shaded, the signature block on the right, and its chart as simple bars.
"""

from __future__ import annotations

import html
import urllib.parse
from typing import Any

from bridge.core.report_print import SHEET_WIDTHS

_CSS = """
.sheet{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1em;font-family:Arial,sans-serif;font-size:12px;overflow-x:auto}
.tabs{margin:0 0 .6em;font-family:sans-serif;font-size:.85em}.tabs a{display:inline-block;padding:.3em .8em;margin-right:.2em;
border:1px solid #cfd8dc;border-bottom:none;border-radius:4px 4px 0 0;color:#0b5d3b;text-decoration:none;background:#eef3ef}
.tabs a.on{background:#fff;font-weight:bold}
table.grid{border-collapse:collapse}table.grid td,table.grid th{border:1px solid #dde;padding:2px 5px;vertical-align:top;max-width:260px}
table.grid th{background:#f1f3f4;font-weight:normal;color:#555}table.grid tr:first-child td{font-weight:bold;background:#f8faf8}
table.laporan{border-collapse:collapse;width:100%;table-layout:fixed;overflow-wrap:break-word}table.laporan td{padding:2px 5px;vertical-align:top}
table.laporan td.kop{text-align:center;font-weight:bold;font-size:15px}table.laporan tr.kopend td{border-bottom:3px solid #000}
table.laporan td.center{text-align:center}table.laporan td.title{font-weight:bold;text-align:center;font-size:13px}
table.laporan td.h{font-weight:bold;padding-top:10px}table.laporan td.note{font-style:italic;font-size:11px;color:#444}
table.laporan tr.head td{background:#e6e6e6;font-weight:bold;border:1px solid #777}table.laporan tr.cell td{border:1px solid #777}
.bars{display:flex;align-items:flex-end;gap:18px;height:170px;border-left:1px solid #999;border-bottom:1px solid #999;padding:0 10px;margin:6px 0 4px}
.bar{width:46px;display:flex;flex-direction:column-reverse}.bar span{display:block}.lbl{display:flex;gap:18px;padding:0 10px;font-size:11px}
.lbl div{width:46px;text-align:center}.legend span{display:inline-block;margin-right:10px;font-size:11px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:3px}
@media print{@page{size:A4 landscape;margin:1.5cm}
body{background:#fff}.side{display:block;padding:0}.side .right,footer,.tabs,.where{display:none}
.sheet{box-shadow:none;border-radius:0;padding:0;overflow:visible;font-size:9pt}table.laporan tr{break-inside:avoid}
table.laporan td.h{break-after:avoid}.bars,.lbl,.legend{break-inside:avoid}
table.grid td,table.grid th{max-width:none}}
"""

COLORS = ("#1b5e20", "#1565c0", "#ef6c00", "#6a1b9a", "#c62828", "#00838f", "#5d4037", "#9e9d24")


def _text(cell: Any) -> str:
    """A stored cell as Sheets would show it (typed dates and formulas by their text)."""
    if isinstance(cell, dict):
        for key in ("datetime", "formula", "value"):
            if key in cell:
                return str(cell[key])
        return ""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _grid(rows: list[list[Any]]) -> str:
    width = max((len(r) for r in rows), default=0)
    letters = "".join(f"<th>{chr(65 + i) if i < 26 else chr(64 + i // 26) + chr(65 + i % 26)}</th>" for i in range(width))
    body = []
    for n, row in enumerate(rows, start=1):
        cells = "".join(f"<td>{html.escape(_short(_text(row[i]) if i < len(row) else ''))}</td>" for i in range(width))
        body.append(f"<tr><th>{n}</th>{cells}</tr>")
    return f'<table class="grid"><tr><th></th>{letters}</tr>{"".join(body)}</table>'


def _chart(rows: list[list[Any]], chart: dict[str, Any]) -> str:
    """A stacked bar per domain row, from the chart's own source ranges."""
    basic = chart.get("spec", {}).get("basicChart", {})

    def source(part: dict[str, Any]) -> dict[str, Any]:
        return part.get("sourceRange", {}).get("sources", [{}])[0]

    try:
        dom = source(basic["domains"][0]["domain"])
        series = [source(s["series"]) for s in basic.get("series", [])]
        r0, r1, dc = dom["startRowIndex"], dom["endRowIndex"], dom["startColumnIndex"]
    except (KeyError, IndexError):
        return ""

    def cell(r: int, c: int) -> str:
        return _text(rows[r][c]) if r < len(rows) and c < len(rows[r]) else ""

    def number(r: int, c: int) -> float:
        try:
            return float(cell(r, c) or 0)
        except ValueError:
            return 0.0

    header = basic.get("headerCount", 0)
    labels = [cell(r, dc) for r in range(r0 + header, r1)]
    cols = [s.get("startColumnIndex", 0) for s in series]
    totals = [sum(number(r, c) for c in cols) for r in range(r0 + header, r1)]
    top = max(totals + [1.0])
    bars = []
    for r in range(r0 + header, r1):
        parts = "".join(
            f'<span style="height:{150 * number(r, c) / top:.0f}px;background:{COLORS[k % len(COLORS)]}" '
            f'title="{html.escape(cell(r0, c))}: {number(r, c):.0f}"></span>'
            for k, c in enumerate(cols) if number(r, c)
        )
        bars.append(f'<div class="bar">{parts}</div>')
    legend = "".join(f'<span><i style="background:{COLORS[k % len(COLORS)]}"></i>{html.escape(cell(r0, c))}</span>'
                     for k, c in enumerate(cols))
    title = html.escape(str(chart.get("spec", {}).get("title", "")))
    return (f'<div><b>{title}</b><div class="bars">{"".join(bars)}</div>'
            f'<div class="lbl">{"".join(f"<div>{html.escape(x)}</div>" for x in labels)}</div>'
            f'<div class="legend">{legend}</div></div>')


def _laporan(rows: list[list[Any]], charts: list[dict[str, Any]]) -> str:
    """The report tab laid out like its printout (kop, titles, shaded table headers, signature).

    It follows the layout bridge/commands/report_sheet.py writes: kop (rows 1-2), title, period
    and date made, then per table a numbered title, a header row, data rows and notes.
    """
    width = max((len(r) for r in rows), default=1)
    anchors: dict[int, dict[str, Any]] = {}
    for chart in charts:
        at = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell", {}).get("rowIndex")
        if at is not None:
            anchors[int(at)] = chart
    out: list[str] = []
    state, table_width, skip_until = "top", width, -1

    def row_cells(texts: list[str], show: Any) -> str:
        """A table row; its last column spans the rest of the page, as the bridge merges it in the tab."""
        cells = [f"<td>{show(t)}</td>" for t in texts[: table_width - 1]]
        cells.append(f'<td colspan="{width - table_width + 1}">{show(texts[table_width - 1])}</td>')
        return "".join(cells)

    def wide(cls: str, text: str, tr: str = "") -> str:
        return f'<tr{tr}><td class="{cls}" colspan="{width}">{html.escape(text)}</td></tr>'

    for n, row in enumerate(rows):
        if n < skip_until:
            continue
        texts = [_text(c) for c in row] + [""] * (width - len(row))
        filled = [i for i, t in enumerate(texts) if t.strip()]
        if n in anchors:
            out.append(f'<tr><td colspan="{width}">{_chart(rows, anchors[n])}</td></tr>')
            skip_until, state = n + 20, "between"
        elif not filled:
            out.append(f'<tr><td colspan="{width}">&nbsp;</td></tr>')
            state = "between" if n > 3 else state
        elif n < 2:
            out.append(wide("kop", texts[0], ' class="kopend"' if n == 1 else ""))
        elif state == "top":
            out.append(wide("title" if n == 3 else "center", texts[0]))
        elif min(filled) >= 7:
            out.append(f'<tr><td colspan="7"></td><td colspan="{width - 7}">{html.escape(" ".join(texts[7:]).strip())}</td></tr>')
        elif state == "between" and filled == [0]:
            out.append(wide("h", texts[0]))
            state = "header"
        elif state == "header":
            table_width = max(filled) + 1
            out.append(f'<tr class="head">{row_cells(texts, html.escape)}</tr>')
            state = "table"
        elif filled == [0]:
            cls = "note" if state == "notes" or not texts[0].startswith("(") else "cell"
            out.append(wide(cls, texts[0]) if cls == "note" else
                       f'<tr class="cell"><td colspan="{width}">{html.escape(texts[0])}</td></tr>')
            state = "notes" if cls == "note" else state
        else:
            out.append(f'<tr class="cell">{row_cells(texts, lambda t: html.escape(_short(t, 90)))}</tr>')
    # The column widths the bridge sets in the tab (the sandbox does not store them), as shares of the page.
    total = sum(SHEET_WIDTHS[:width]) or 1
    cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in SHEET_WIDTHS[:width])
    return f'<table class="laporan"><colgroup>{cols}</colgroup>{"".join(out)}</table>'


def render_tabs(state_json: dict[str, Any], chosen: str | None) -> str:
    """Tab links and the chosen tab (default: Review, else the first) of the first spreadsheet."""
    if not state_json.get("spreadsheets"):
        return ""
    ss = state_json["spreadsheets"][0]
    tabs = [s for s in ss.get("sheets", []) if not s.get("hidden")]
    if not tabs:
        return ""
    titles = [t["title"] for t in tabs]
    current: str = chosen if chosen is not None and chosen in titles else ("Review" if "Review" in titles else titles[0])
    links = "".join(
        f'<a class="{"on" if t == current else ""}" href="/?tab={urllib.parse.quote(t)}">{html.escape(t)}</a>' for t in titles)
    sheet = next(t for t in tabs if t["title"] == current)
    rows = sheet.get("rows", [])
    body = _laporan(rows, sheet.get("charts", [])) if current.startswith("Laporan ") else _grid(rows)
    return (f'<section class="sheet"><div class="tabs">{links}</div>'
            f'<div class="where"><b>{html.escape(ss.get("title", ""))}</b> &middot; tab {html.escape(current)}</div>{body}</section>')


CSS = _CSS

__all__ = ["CSS", "render_tabs"]
